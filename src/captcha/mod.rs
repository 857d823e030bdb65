//! The "security code": images from the `captcha` crate, answers kept only as
//! keyed hashes, single use, expiring, bound to the site they were issued for.

mod audio;
mod image;
mod service;

pub use audio::render_audio;
pub use image::{ALPHABET, HEIGHT as IMAGE_HEIGHT, Rendered, render, width as image_width};
pub use service::{CaptchaError, CaptchaService, Challenge, IssueObserver};
