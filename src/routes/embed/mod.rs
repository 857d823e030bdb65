//! What readers see: the demo article page, the plain-HTML comment section
//! (also served in an iframe for pages without JavaScript), and the result
//! page of a form post. All HTML goes through auto-escaping templates.

mod pages;
mod view;

pub use pages::{
    FormPage, ReportPage, count_js, demo_page, embed_js, embed_more_js, embed_page, form_css,
    form_js, message_page, render_form_page, render_report_page, report_page, result_page,
    section_path, section_response, terms_page, warm_embed_js,
};
