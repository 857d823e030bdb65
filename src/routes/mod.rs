//! HTTP edge, grouped by audience. `configure` is the whole route table.

mod api;
mod embed;
mod error;
mod extract;
mod health;
mod time_fmt;

use actix_web::web;

pub use error::{ApiError, ErrorCode};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/", web::get().to(embed::demo_page))
        .route("/terms", web::get().to(embed::terms_page))
        .route("/embed/{site}/{article}", web::get().to(embed::embed_page))
        .route("/static/form.js", web::get().to(embed::form_js))
        .route("/static/form.css", web::get().to(embed::form_css))
        .service(
            web::scope("/api/v1")
                .route("/captcha", web::get().to(api::captcha::issue))
                .route("/captcha/{id}.png", web::get().to(api::captcha::image))
                .service(
                    web::resource("/sites/{site}/articles/{article}/comments")
                        .route(web::get().to(api::comments::list))
                        .route(web::post().to(api::comments::submit))
                        .route(
                            web::method(actix_web::http::Method::OPTIONS).to(api::cors::preflight),
                        ),
                )
                .route("/sites/{site}/counts", web::get().to(api::comments::counts))
                .route(
                    "/sites/{site}/moderation/queue",
                    web::get().to(api::moderation::queue),
                )
                .route(
                    "/sites/{site}/comments/{id}/approve",
                    web::post().to(api::moderation::approve),
                )
                .route(
                    "/sites/{site}/comments/{id}/reject",
                    web::post().to(api::moderation::reject),
                )
                .route(
                    "/sites/{site}/comments/{id}/spam",
                    web::post().to(api::moderation::spam),
                )
                .route(
                    "/sites/{site}/comments/{id}/audit",
                    web::get().to(api::moderation::audit),
                )
                .default_service(web::to(api::not_found)),
        );
}
