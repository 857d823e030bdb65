//! HTTP edge, grouped by audience. `configure` is the whole route table.

mod api;
mod dashboard;
mod email;
mod embed;
mod error;
mod extract;
mod health;
pub mod limits;
pub mod metrics;
mod time_fmt;

use actix_web::web;

pub use api::export::export_page;
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
                    "/settings/{site}/patterns",
                    web::post().to(dashboard::admin::save_patterns),
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
        .service(api_v1())
        .route("/api/docs", web::get().to(api::openapi::docs_redirect))
        .service(api::openapi::docs());
}

/// Declares the `/api/v1` route table once: `API_ROUTES` lists every
/// (method, path) and `api_v1` registers exactly those, so a route cannot be
/// added without the OpenAPI test (`tests/api/openapi.rs`) seeing it.
macro_rules! api_routes {
    ($( $path:literal => { $( $method:ident : $handler:path ),+ $(,)? } ),* $(,)?) => {
        /// Every `/api/v1` route as (HTTP method, path below `/api/v1`).
        pub const API_ROUTES: &[(&str, &str)] = &[ $( $( (stringify!($method), $path), )+ )* ];

        fn api_v1() -> actix_web::Scope {
            api::scope_config(web::scope("/api/v1"))
            $(
                .service(
                    web::resource($path)
                    $( .route(web::method(actix_web::http::Method::$method).to($handler)) )+
                    .default_service(web::to(api::method_not_allowed)),
                )
            )*
            .default_service(web::to(api::not_found))
        }
    };
}

api_routes! {
    "/captcha" => { GET: api::captcha::issue },
    "/captcha/{id}.png" => { GET: api::captcha::image },
    "/captcha/{id}.wav" => { GET: api::captcha::audio },
    "/sites/{site}/config" => { GET: api::comments::site_config },
    "/sites/{site}/articles/{article}/comments" => {
        GET: api::comments::list,
        POST: api::comments::submit,
        OPTIONS: api::cors::preflight,
    },
    "/sites/{site}/articles" => { GET: api::articles::list },
    "/sites/{site}/articles/{article}" => { GET: api::articles::get, PUT: api::articles::put },
    "/sites/{site}/export" => { GET: api::export::export },
    "/sites/{site}/privacy/export" => { POST: api::privacy::export },
    "/sites/{site}/privacy/erase" => { POST: api::privacy::erase },
    "/sites/{site}/counts" => { GET: api::comments::counts },
    "/sites/{site}/outbox" => { GET: api::outbox::list },
    "/sites/{site}/email-settings" => {
        GET: api::outbox::get_settings,
        PUT: api::outbox::put_settings,
    },
    "/sites/{site}/moderation/queue" => { GET: api::moderation::queue },
    "/sites/{site}/comments/{id}" => {
        GET: api::comment::get,
        PATCH: api::comment::patch,
        DELETE: api::comment::delete,
    },
    "/sites/{site}/comments/{id}/approve" => { POST: api::moderation::approve },
    "/sites/{site}/comments/{id}/reject" => { POST: api::moderation::reject },
    "/sites/{site}/comments/{id}/spam" => { POST: api::moderation::spam },
    "/sites/{site}/comments/{id}/audit" => { GET: api::moderation::audit },
    "/sites/{site}/moderation/preview" => { POST: api::rules::preview },
    "/sites/{site}/lexicons" => { GET: api::rules::list_lexicons },
    "/sites/{site}/lexicons/{name}" => {
        GET: api::rules::get_lexicon,
        PUT: api::rules::put_lexicon,
        DELETE: api::rules::delete_lexicon,
    },
    "/sites/{site}/rules" => { GET: api::rules::get_rules, PUT: api::rules::put_rules },
    "/sites/{site}/blocks" => { GET: api::rules::list_blocks, POST: api::rules::add_block },
    "/sites/{site}/blocks/{id}" => { DELETE: api::rules::delete_block },
    "/sites/{site}/webhooks" => { GET: api::webhooks::list, POST: api::webhooks::create },
    "/sites/{site}/webhooks/{id}" => { DELETE: api::webhooks::delete },
    "/sites/{site}/webhooks/{id}/deliveries" => { GET: api::webhooks::deliveries },
}
