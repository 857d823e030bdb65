//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers'
//! `#[utoipa::path]` annotations, served at `/api/openapi.json` with an
//! interactive reference at `/api/docs/` (Swagger UI compiled into the binary).

use std::collections::BTreeMap;

use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, ObjectBuilder, Ref, RefOr, Required, ResponseBuilder, Type,
};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

/// The error body of every `/api/v1` failure.
#[derive(ToSchema)]
#[schema(example = json!({
    "error": "validation_failed",
    "message": "Some fields need your attention.",
    "fields": {"email": [{"code": "invalid_email", "message": "Enter a valid email address."}]}
}))]
#[allow(dead_code)]
pub struct ErrorBody {
    /// Stable snake_case code, e.g. `site_not_found`, `unauthorized`,
    /// `validation_failed`, `rate_limited`.
    error: String,
    /// Human-readable message in the negotiated language (`Content-Language`).
    message: String,
    /// Per-field problems, only for `validation_failed`.
    fields: Option<BTreeMap<String, Vec<FieldProblem>>>,
}

/// One problem with one field.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FieldProblem {
    /// Stable code, e.g. `required`, `too_long`, `unknown_field`.
    code: String,
    message: String,
}

use super::{
    admin, articles, captcha, changes, comment, comments, cors, export, feeds, likes, moderation,
    outbox, pow, privacy, reports, rules, settings, webhooks,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "majlis API",
        description = "The JSON API of majlis, a moderated comment backend for news sites.\n\n\
            Errors always have the body `{\"error\", \"message\", \"fields\"}` with a stable \
            `error` code. Times are RFC 3339 in UTC; ids are opaque strings. Lists are paginated \
            with an opaque `cursor` (pass `next_cursor` back; `null` means the last page). \
            Moderator and admin endpoints need `Authorization: Bearer <API key>` (create one with \
            `majlis apikey create`); the `/api/v1/admin` operations take an instance-level root key \
            instead (`majlis rootkey create`). A missing or unknown key is 401, a key with too small a role \
            is 403, and another site's resources are 404. Each key may make a configured number of \
            requests per minute (600 by default); beyond it the answer is 429 with `Retry-After`.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        captcha::issue,
        captcha::image,
        captcha::audio,
        pow::issue,
        comments::site_config,
        settings::get,
        settings::patch,
        comments::list,
        comments::replies,
        reports::report,
        likes::like,
        likes::unlike,
        moderation::feature,
        moderation::unfeature,
        reports::reported,
        reports::dismiss,
        reports::act,
        reports::get_settings,
        reports::put_settings,
        comments::submit,
        cors::preflight,
        cors::preflight_report,
        cors::preflight_like,
        comments::counts,
        feeds::site_feed,
        feeds::article_feed,
        articles::list,
        articles::get,
        articles::put,
        comment::get,
        comment::patch,
        comment::delete,
        moderation::queue,
        moderation::approve,
        moderation::reject,
        moderation::spam,
        moderation::audit,
        changes::list,
        rules::preview,
        rules::list_lexicons,
        rules::get_lexicon,
        rules::put_lexicon,
        rules::delete_lexicon,
        rules::get_rules,
        rules::put_rules,
        rules::list_blocks,
        rules::add_block,
        rules::delete_block,
        export::export,
        privacy::export,
        privacy::erase,
        outbox::list,
        outbox::get_settings,
        outbox::put_settings,
        webhooks::create,
        webhooks::list,
        webhooks::delete,
        webhooks::deliveries,
        webhooks::update,
        webhooks::rotate_secret,
        webhooks::ping,
        webhooks::redeliver,
        admin::list_sites,
        admin::create_site,
        admin::get_site,
        admin::update_site,
        admin::list_keys,
        admin::create_key,
        admin::revoke_key,
        admin::list_moderators,
        admin::create_moderator,
        admin::disable_moderator,
        admin::set_password,
    ),
    components(schemas(
        ErrorBody,
        FieldProblem,
        crate::webhooks::CommentData,
        crate::webhooks::ArticleData,
        crate::webhooks::ErasedData,
        crate::webhooks::ErasedArticle,
        crate::webhooks::ArticleClosedData,
        crate::webhooks::PingData,
    )),
    modifiers(&CommonResponses),
    tags(
        (name = "comments", description = "Public reading and posting of comments"),
        (name = "sites", description = "A site's settings (admin key)"),
        (name = "captcha", description = "Security codes for anonymous posting"),
        (name = "articles", description = "Articles and when commenting closes (moderator key)"),
        (name = "moderation", description = "The moderation queue and decisions (moderator key)"),
        (name = "export", description = "Taking a site's data out (admin key)"),
        (name = "privacy", description = "Requests about one person's data: export and erasure (admin key)"),
        (name = "email", description = "The email outbox and per-site email settings (admin key)"),
        (name = "rules", description = "Posting rules, word lists and blocks"),
        (name = "webhooks", description = "Signed event deliveries to integrators (admin key)"),
        (name = "admin", description = "The instance: sites, their API keys and dashboard accounts (root key)"),
    )
)]
pub struct ApiDoc;

/// The bearer scheme, the `{site}` path parameter, and the error answers
/// every operation can give.
struct CommonResponses;

/// `{site}`, described once for every path under `/sites/{site}` (a handler
/// names only its other parameters).
fn site_parameter() -> Parameter {
    ParameterBuilder::new()
        .name("site")
        .parameter_in(ParameterIn::Path)
        .description(Some("Site key"))
        .required(Required::True)
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .example(Some(serde_json::json!("demo")))
        .build()
}

/// Put the site parameter first in an operation of a `{site}` path that
/// does not describe it itself.
fn add_site_parameter(op: &mut Operation) {
    let params = op.parameters.get_or_insert_with(Vec::new);
    let named = params.iter().any(
        |p| matches!(p, RefOr::T(p) if p.name == "site" && p.parameter_in == ParameterIn::Path),
    );
    if !named {
        params.insert(0, RefOr::T(site_parameter()));
    }
}

fn error_response(description: &str, retry_after: bool) -> utoipa::openapi::Response {
    let mut r = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build(),
    );
    if retry_after {
        r = r.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
                .description(Some("Seconds to wait before retrying"))
                .build(),
        );
    }
    r.build()
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A site's API key (`majlis apikey create --site KEY --role moderator`)",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "root_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An instance-level key of the admin API (`majlis rootkey create`)",
                    ))
                    .build(),
            ),
        );
        for (path, item) in openapi.paths.paths.iter_mut() {
            if path.contains("{site}") {
                let every = [
                    &mut item.get,
                    &mut item.put,
                    &mut item.post,
                    &mut item.delete,
                    &mut item.options,
                    &mut item.head,
                    &mut item.patch,
                    &mut item.trace,
                ];
                every.into_iter().flatten().for_each(add_site_parameter);
            }
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                add_common(op);
            }
        }
    }
}

fn add_common(op: &mut Operation) {
    let responses = &mut op.responses.responses;
    let mut add = |code: &str, r: utoipa::openapi::Response| {
        responses.entry(code.to_string()).or_insert(r.into());
    };
    add(
        "503",
        error_response("The database is briefly unavailable", true),
    );
    add("500", error_response("An unexpected failure", false));
    add(
        "400",
        error_response(
            "A malformed body or query (`malformed_json`, `invalid_parameter`)",
            false,
        ),
    );
    add(
        "404",
        error_response(
            "No such site or resource (`site_not_found`, `not_found`)",
            false,
        ),
    );
    if op.request_body.is_some() {
        add(
            "413",
            error_response("The body is too large (`payload_too_large`)", false),
        );
        add(
            "415",
            error_response(
                "The body's Content-Type is not accepted (`unsupported_media_type`)",
                false,
            ),
        );
    }
    if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
        add(
            "401",
            error_response("Missing or unknown API key (`unauthorized`)", false),
        );
        add(
            "403",
            error_response("The key's role is too small (`forbidden`)", false),
        );
        add(
            "429",
            error_response(
                "The key made more requests this minute than `api.rate_limit_per_minute` \
                 allows (`rate_limited`); retry after `Retry-After` seconds",
                true,
            ),
        );
    }
}

mod event_docs;
mod strict;

/// The document as served: generated from the annotations, then made strict.
pub fn document() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("webhooks".into(), event_docs::section());
    }
    strict::tighten(&mut doc);
    doc
}

/// `/api/openapi.json` and the interactive reference at `/api/docs/`.
pub fn docs() -> SwaggerUi {
    SwaggerUi::new("/api/docs/{_:.*}")
        .external_urls_from_iter_unchecked([("/api/openapi.json", document())])
}

/// `/api/docs` without the slash: to the reference page.
pub async fn docs_redirect() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, "/api/docs/"))
        .finish()
}
