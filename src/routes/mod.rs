//! HTTP edge, grouped by audience. `configure` is the whole route table.

mod api;
mod dashboard;
mod email;
mod embed;
mod error;
mod extract;
mod health;
pub mod limits;
pub mod methods;
pub mod metrics;
mod state;
mod time_fmt;

use actix_web::web;

pub use api::export::ndjson as export_ndjson;
pub use api::privacy::person_json;
pub use embed::warm_embed_js;
pub use error::{ApiError, ErrorCode};
pub use state::AppState;

/// The answer of a file compiled into the binary: its type and how long
/// browsers may keep it.
fn static_asset(
    content_type: &'static str,
    cache_control: &'static str,
) -> actix_web::HttpResponseBuilder {
    let mut resp = actix_web::HttpResponse::Ok();
    resp.content_type(content_type)
        .insert_header((actix_web::http::header::CACHE_CONTROL, cache_control));
    resp
}

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const FIVE_MINUTES: &str = "public, max-age=300";
const AN_HOUR: &str = "public, max-age=3600";

/// Largest dashboard form (an edited comment body in Arabic is ~2 bytes a
/// character, percent-encoded ~6): the pattern-rules editor posts the whole
/// seed classes, about 450 KB once percent-encoded.
const DASHBOARD_FORM_LIMIT: usize = 1024 * 1024;

/// One `web::resource` per path with all its methods, so that another method
/// gets 405 with `Allow` listing them (actix's default for a resource; `HEAD`
/// is added by `methods::head_as_get`), never a 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").route(web::get().to(health::healthz)))
        .service(web::resource("/readyz").route(web::get().to(health::readyz)))
        .service(web::resource("/metrics").route(web::get().to(metrics::metrics)))
        .service(web::resource("/").route(web::get().to(embed::demo_page)))
        .service(web::resource("/terms").route(web::get().to(embed::terms_page)))
        .service(web::resource("/embed/{site}/{article}").route(web::get().to(embed::embed_page)))
        .service(
            web::resource("/embed/{site}/{article}/report/{id}")
                .route(web::get().to(embed::report_page)),
        )
        .service(web::resource("/static/form.js").route(web::get().to(embed::form_js)))
        .service(web::resource("/embed.js").route(web::get().to(embed::embed_js)))
        .service(web::resource("/embed-more.js").route(web::get().to(embed::embed_more_js)))
        .service(web::resource("/count.js").route(web::get().to(embed::count_js)))
        .service(web::resource("/static/form.css").route(web::get().to(embed::form_css)))
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
                .service(web::resource("").route(web::get().to(dashboard::queue::page)))
                .service(
                    web::resource("/static/dashboard.js")
                        .route(web::get().to(dashboard::view::script)),
                )
                .service(
                    web::resource("/static/dashboard.css")
                        .route(web::get().to(dashboard::view::stylesheet)),
                )
                .service(
                    web::resource("/login")
                        .route(web::get().to(dashboard::login::form))
                        .route(web::post().to(dashboard::login::submit)),
                )
                .service(web::resource("/logout").route(web::post().to(dashboard::login::logout)))
                .service(web::resource("/lang").route(web::post().to(dashboard::login::set_lang)))
                .service(web::resource("/audit").route(web::get().to(dashboard::audit::page)))
                .service(web::resource("/reported").route(web::get().to(dashboard::reported::page)))
                .service(
                    web::resource("/featured/{site}/{id}/{switch}")
                        .route(web::post().to(dashboard::queue::feature)),
                )
                .service(
                    web::resource("/reported/{site}/{id}/{action}")
                        .route(web::post().to(dashboard::reported::resolve)),
                )
                .service(web::resource("/counts").route(web::get().to(dashboard::queue::counts)))
                .service(
                    web::resource("/articles").route(web::get().to(dashboard::admin::articles)),
                )
                .service(
                    web::resource("/articles/{site}/{id}/{what}")
                        .route(web::post().to(dashboard::admin::article_commenting)),
                )
                .service(web::resource("/stats").route(web::get().to(dashboard::admin::stats)))
                .service(
                    web::resource("/moderators")
                        .route(web::get().to(dashboard::admin::moderators))
                        .route(web::post().to(dashboard::admin::add_moderator)),
                )
                .service(
                    web::resource("/moderators/{id}/disable")
                        .route(web::post().to(dashboard::admin::disable_moderator)),
                )
                .service(
                    web::resource("/settings").route(web::get().to(dashboard::admin::settings)),
                )
                .service(
                    web::resource("/settings/{site}")
                        .route(web::post().to(dashboard::admin::save_site)),
                )
                .service(
                    web::resource("/settings/{site}/reports")
                        .route(web::post().to(dashboard::admin::save_report_settings)),
                )
                .service(
                    web::resource("/settings/{site}/patterns")
                        .route(web::post().to(dashboard::admin::save_patterns)),
                )
                .service(
                    web::resource("/settings/{site}/lexicons/{name}")
                        .route(web::post().to(dashboard::admin::save_lexicon)),
                )
                .service(
                    web::resource("/settings/{site}/apikeys")
                        .route(web::post().to(dashboard::admin::create_key)),
                )
                .service(
                    web::resource("/settings/{site}/webhooks")
                        .route(web::post().to(dashboard::admin::create_hook)),
                )
                .service(
                    web::resource("/settings/{site}/webhooks/{id}")
                        .route(web::post().to(dashboard::admin::update_hook)),
                )
                .service(
                    web::resource("/settings/{site}/webhooks/{id}/delete")
                        .route(web::post().to(dashboard::admin::delete_hook)),
                )
                .service(
                    web::resource("/settings/{site}/privacy/export")
                        .route(web::post().to(dashboard::admin::export_person)),
                )
                .service(
                    web::resource("/settings/{site}/export")
                        .route(web::post().to(dashboard::admin::export_site)),
                )
                .service(
                    web::resource("/settings/{site}/privacy/erase")
                        .route(web::post().to(dashboard::admin::erase_person)),
                )
                .service(
                    web::resource("/settings/{site}/apikeys/{id}/revoke")
                        .route(web::post().to(dashboard::admin::revoke_key)),
                )
                .service(web::resource("/bulk").route(web::post().to(dashboard::queue::bulk)))
                .service(web::resource("/block").route(web::post().to(dashboard::queue::block)))
                .service(web::resource("/author").route(web::get().to(dashboard::author::page)))
                .service(
                    web::resource("/unblock").route(web::post().to(dashboard::author::unblock)),
                )
                .service(
                    web::resource("/comments/{site}/{id}/edit")
                        .route(web::post().to(dashboard::queue::edit)),
                )
                .service(
                    web::resource("/comments/{site}/{id}/{action}")
                        .route(web::post().to(dashboard::queue::act)),
                ),
        )
        .service(api_v1())
        .service(web::resource("/api/docs").route(web::get().to(api::openapi::docs_redirect)))
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
                    .default_service(web::to(|req: actix_web::HttpRequest| async move {
                        methods::not_allowed(&req, &[ $( stringify!($method) ),+ ])
                    })),
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
    "/pow" => { GET: api::pow::issue },
    "/sites/{site}/config" => { GET: api::comments::site_config },
    "/sites/{site}/settings" => { GET: api::settings::get, PATCH: api::settings::patch },
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
    "/sites/{site}/feed.atom" => { GET: api::feeds::site_feed },
    "/sites/{site}/articles/{article}/feed.atom" => { GET: api::feeds::article_feed },
    "/sites/{site}/outbox" => { GET: api::outbox::list },
    "/sites/{site}/email-settings" => {
        GET: api::outbox::get_settings,
        PUT: api::outbox::put_settings,
    },
    "/sites/{site}/moderation/queue" => { GET: api::moderation::queue },
    "/sites/{site}/changes" => { GET: api::changes::list },
    "/sites/{site}/comments/{id}" => {
        GET: api::comment::get,
        PATCH: api::comment::patch,
        DELETE: api::comment::delete,
    },
    "/sites/{site}/comments/{id}/replies" => { GET: api::comments::replies },
    "/sites/{site}/comments/{id}/feature" => {
        POST: api::moderation::feature,
        DELETE: api::moderation::unfeature,
    },
    "/sites/{site}/comments/{id}/reports" => {
        POST: api::reports::report,
        OPTIONS: api::cors::preflight_report,
    },
    "/sites/{site}/comments/{id}/like" => {
        POST: api::likes::like,
        DELETE: api::likes::unlike,
        OPTIONS: api::cors::preflight_like,
    },
    "/sites/{site}/comments/{id}/reports/dismiss" => { POST: api::reports::dismiss },
    "/sites/{site}/comments/{id}/reports/act" => { POST: api::reports::act },
    "/sites/{site}/reports" => { GET: api::reports::reported },
    "/sites/{site}/reports/settings" => {
        GET: api::reports::get_settings,
        PUT: api::reports::put_settings,
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
    "/sites/{site}/webhooks/{id}" => {
        PATCH: api::webhooks::update,
        DELETE: api::webhooks::delete,
    },
    "/sites/{site}/webhooks/{id}/ping" => { POST: api::webhooks::ping },
    "/sites/{site}/webhooks/{id}/rotate-secret" => { POST: api::webhooks::rotate_secret },
    "/sites/{site}/webhooks/{id}/deliveries/{delivery}/redeliver" => {
        POST: api::webhooks::redeliver,
    },
    "/sites/{site}/webhooks/{id}/deliveries" => { GET: api::webhooks::deliveries },
    "/admin/sites" => { GET: api::admin::list_sites, POST: api::admin::create_site },
    "/admin/sites/{site}" => { GET: api::admin::get_site, PATCH: api::admin::update_site },
    "/admin/sites/{site}/keys" => { GET: api::admin::list_keys, POST: api::admin::create_key },
    "/admin/sites/{site}/keys/{id}" => { DELETE: api::admin::revoke_key },
    "/admin/moderators" => {
        GET: api::admin::list_moderators,
        POST: api::admin::create_moderator,
    },
    "/admin/moderators/{id}/disable" => { POST: api::admin::disable_moderator },
    "/admin/moderators/{id}/password" => { PUT: api::admin::set_password },
}
