//! HTTP edge, grouped by audience. `configure` is the whole route table.

mod api;
mod embed;
mod error;
mod extract;
mod health;
pub mod metrics;
mod time_fmt;

use actix_web::web;

pub use api::export::write_ndjson_line;
pub use error::{ApiError, ErrorCode};

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
    "/sites/{site}/counts" => { GET: api::comments::counts },
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
}
