//! What readers see: the demo article page, the plain-HTML comment section
//! (also served in an iframe for pages without JavaScript), and the result
//! page of a form post. All HTML goes through auto-escaping templates.

mod pages;
mod view;

pub use pages::{
    FormPage, count_js, demo_page, embed_js, embed_page, form_css, form_js, render_form_page,
    result_page, section_response, terms_page, warm_embed_js,
};
