//! Real-browser tests in headless Chromium (Debian's `chromium` and
//! `chromium-driver`). Without them these tests say SKIPPED and pass, unless
//! `MAJLIS_REQUIRE_BROWSER=1` (as `.ci/run` sets) makes them required.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;
mod host;
mod webdriver;

mod a11y;
mod community;
mod dashboard;
mod embed;
mod reader;
mod suspicious;
