//! HTTP edge, grouped by audience. `configure` is the whole route table.

mod api;
mod dashboard;
mod email;
mod embed;
mod error;
mod extract;
mod health;
pub mod metrics;
mod time_fmt;

use actix_web::web;

pub use error::{ApiError, ErrorCode};

/// Largest dashboard form (an edited comment body in Arabic is ~2 bytes a
/// character, percent-encoded ~6).
const DASHBOARD_FORM_LIMIT: usize = 256 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(metrics::metrics))
        .route("/", web::get().to(embed::demo_page))
        .route("/terms", web::get().to(embed::terms_page))
        .route("/embed/{site}/{article}", web::get().to(embed::embed_page))
        .route("/static/form.js", web::get().to(embed::form_js))
        .route("/embed.js", web::get().to(embed::embed_js))
        .route("/count.js", web::get().to(embed::count_js))
        .route("/static/form.css", web::get().to(embed::form_css))
        .service(
            web::resource("/email/decide/{token}")
                .route(web::get().to(email::decide_page))
                .route(web::post().to(email::decide)),
        )
        .service(
            web::resource("/email/unsubscribe/{token}")
                .route(web::get().to(email::unsubscribe_page))
                .route(web::post().to(email::unsubscribe)),
        )
        .service(
            web::scope("/dashboard")
                .wrap(
                    actix_web::middleware::ErrorHandlers::new()
                        .default_handler_client(dashboard::guard::html_errors)
                        .default_handler_server(dashboard::guard::html_errors),
                )
                .app_data(web::FormConfig::default().limit(DASHBOARD_FORM_LIMIT))
                .route("", web::get().to(dashboard::queue::page))
                .route(
                    "/static/dashboard.js",
                    web::get().to(dashboard::view::script),
                )
                .route(
                    "/static/dashboard.css",
                    web::get().to(dashboard::view::stylesheet),
                )
                .route("/login", web::get().to(dashboard::login::form))
                .route("/login", web::post().to(dashboard::login::submit))
                .route("/logout", web::post().to(dashboard::login::logout))
                .route("/lang", web::post().to(dashboard::login::set_lang))
                .route("/audit", web::get().to(dashboard::audit::page))
                .route("/articles", web::get().to(dashboard::admin::articles))
                .route(
                    "/articles/{site}/{id}/{what}",
                    web::post().to(dashboard::admin::article_commenting),
                )
                .route("/stats", web::get().to(dashboard::admin::stats))
                .route("/moderators", web::get().to(dashboard::admin::moderators))
                .route(
                    "/moderators",
                    web::post().to(dashboard::admin::add_moderator),
                )
                .route(
                    "/moderators/{id}/disable",
                    web::post().to(dashboard::admin::disable_moderator),
                )
                .route("/settings", web::get().to(dashboard::admin::settings))
                .route(
                    "/settings/{site}",
                    web::post().to(dashboard::admin::save_site),
                )
                .route(
                    "/settings/{site}/lexicons/{name}",
                    web::post().to(dashboard::admin::save_lexicon),
                )
                .route(
                    "/settings/{site}/apikeys",
                    web::post().to(dashboard::admin::create_key),
                )
                .route(
                    "/settings/{site}/apikeys/{id}/revoke",
                    web::post().to(dashboard::admin::revoke_key),
                )
                .route("/bulk", web::post().to(dashboard::queue::bulk))
                .route("/block", web::post().to(dashboard::queue::block))
                .route(
                    "/comments/{site}/{id}/edit",
                    web::post().to(dashboard::queue::edit),
                )
                .route(
                    "/comments/{site}/{id}/{action}",
                    web::post().to(dashboard::queue::act),
                ),
        )
        .service(
            web::scope("/api/v1")
                .route("/captcha", web::get().to(api::captcha::issue))
                .route("/captcha/{id}.png", web::get().to(api::captcha::image))
                .route("/captcha/{id}.wav", web::get().to(api::captcha::audio))
                .route(
                    "/sites/{site}/config",
                    web::get().to(api::comments::site_config),
                )
                .service(
                    web::resource("/sites/{site}/articles/{article}/comments")
                        .route(web::get().to(api::comments::list))
                        .route(web::post().to(api::comments::submit))
                        .route(
                            web::method(actix_web::http::Method::OPTIONS).to(api::cors::preflight),
                        ),
                )
                .route("/sites/{site}/counts", web::get().to(api::comments::counts))
                .route("/sites/{site}/outbox", web::get().to(api::outbox::list))
                .service(
                    web::resource("/sites/{site}/email-settings")
                        .route(web::get().to(api::outbox::get_settings))
                        .route(web::put().to(api::outbox::put_settings)),
                )
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
                .route(
                    "/sites/{site}/moderation/preview",
                    web::post().to(api::rules::preview),
                )
                .route(
                    "/sites/{site}/lexicons",
                    web::get().to(api::rules::list_lexicons),
                )
                .service(
                    web::resource("/sites/{site}/lexicons/{name}")
                        .route(web::get().to(api::rules::get_lexicon))
                        .route(web::put().to(api::rules::put_lexicon))
                        .route(web::delete().to(api::rules::delete_lexicon)),
                )
                .service(
                    web::resource("/sites/{site}/rules")
                        .route(web::get().to(api::rules::get_rules))
                        .route(web::put().to(api::rules::put_rules)),
                )
                .service(
                    web::resource("/sites/{site}/blocks")
                        .route(web::get().to(api::rules::list_blocks))
                        .route(web::post().to(api::rules::add_block)),
                )
                .route(
                    "/sites/{site}/blocks/{id}",
                    web::delete().to(api::rules::delete_block),
                )
                .default_service(web::to(api::not_found)),
        );
}
