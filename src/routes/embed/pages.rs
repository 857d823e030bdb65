use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::view::{CaptchaView, CommentView, FormView, SectionView, Tr, human_time};
use crate::domain::DEMO_SITE;
use crate::domain::{BackLink, CommentStatus, Lang, Site, SubmissionDto};
use crate::routes::api::captcha::captcha_error;
use crate::routes::api::load_site;
use crate::routes::error::{ApiError, ErrorCode, field_messages};
use crate::routes::extract::{header_text, request_lang};
use crate::routes::{AN_HOUR, AppState, CSS, FIVE_MINUTES, JAVASCRIPT, static_asset};
use crate::service::now_ms;
use crate::storage::Order;

/// Published comments shown under the form (the JSON API paginates further).
const SECTION_COMMENTS: u32 = 50;
/// Replies shown under each of them.
const SECTION_REPLIES: u32 = 50;

/// The state of a re-rendered form after a failed post.
pub struct FormPage {
    pub error: Option<ApiError>,
    pub values: SubmissionDto,
    pub return_to: Option<String>,
    /// Keyed hash of the reader's address: their security-code budget.
    pub client: crate::routes::api::comments::ClientKeys,
    /// The section's own address (for its "reply" links), without query.
    pub page_path: String,
}

#[derive(Template)]
#[template(path = "embed.html")]
struct EmbedTemplate {
    section: SectionView,
}

#[derive(Template)]
#[template(path = "demo.html")]
struct DemoTemplate {
    base: String,
    article: &'static str,
    title: &'static str,
    site_name: String,
    published: String,
}

#[derive(Template)]
#[template(path = "result.html")]
struct ResultTemplate {
    tr: Tr,
    lang: &'static str,
    dir: &'static str,
    message: &'static str,
    /// The comment section's own page (in the iframe): "back to the comments".
    back_comments: Option<String>,
    /// A page of the site: "back to the article", out of any frame.
    back_article: Option<String>,
}

#[derive(Template)]
#[template(path = "terms.html")]
struct TermsTemplate {}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportTemplate {
    tr: Tr,
    lang: &'static str,
    dir: &'static str,
    title: String,
    name: String,
    action: String,
    back: String,
    banner: Option<String>,
    reasons: Vec<(&'static str, &'static str)>,
    reason: String,
    reason_error: String,
    note: String,
    captcha: Option<CaptchaView>,
}

/// The no-JavaScript report form, fresh or again after a failed post.
pub struct ReportPage {
    pub reason: String,
    pub note: String,
    pub error: Option<ApiError>,
    /// The comment section to go back to.
    pub back: String,
}

/// The report form for a published comment (with a new security code: the
/// page has no proof of work), or `comment_not_found`.
pub async fn render_report_page(
    state: &AppState,
    site: &Site,
    comment_id: &str,
    lang: Lang,
    page: ReportPage,
) -> Result<String, ApiError> {
    let comment = state
        .store
        .comment(site.key.as_str(), comment_id)
        .await
        .map_err(|e| ApiError::storage(e, lang))?
        .filter(|c| c.status == CommentStatus::Published)
        .ok_or_else(|| ApiError::new(ErrorCode::CommentNotFound, lang))?;
    let illegal = state
        .store
        .report_settings(site.key.as_str())
        .await
        .map_err(|e| ApiError::storage(e, lang))?
        .illegal_reason;
    let c = state
        .captcha
        .issue(site.key.as_str(), now_ms(), false)
        .await
        .map_err(|e| captcha_error(e, lang))?;
    let mut reason_error = String::new();
    let mut banner = None;
    if let Some(err) = &page.error {
        banner = Some(crate::i18n::t(lang, &format!("error.{}", err.code.as_str())).to_string());
        if let Some(fields) = &err.fields {
            for (field, msgs) in field_messages(fields, lang) {
                let text: Vec<String> = msgs.into_iter().map(|(_, m)| m).collect();
                if field == "reason" {
                    reason_error = text.join(" ");
                } else {
                    banner = Some(text.join(" "));
                }
            }
        }
    }
    let t = ReportTemplate {
        tr: Tr(lang),
        lang: lang.code(),
        dir: lang.dir(),
        title: comment.title,
        name: if comment.name.is_empty() {
            crate::i18n::t(lang, "comments.anonymous").to_string()
        } else {
            comment.name
        },
        action: format!("/api/v1/sites/{}/comments/{}/reports", site.key, comment.id),
        back: page.back,
        banner,
        reasons: crate::domain::ReportReason::offered(illegal)
            .into_iter()
            .map(|r| {
                (
                    r.as_str(),
                    crate::i18n::t(lang, &format!("report.reason.{}", r.as_str())),
                )
            })
            .collect(),
        reason: page.reason,
        reason_error,
        note: page.note,
        captcha: Some(CaptchaView {
            image_url: format!("/api/v1/captcha/{}.png", c.id),
            id: c.id,
            width: state.captcha.image_size().0,
            height: state.captcha.image_size().1,
            answer: String::new(),
        }),
    };
    render(&t, lang)
}

/// The site, and the language a page asks for (`?lang=`) or else the site's.
async fn site_and_lang(
    state: &AppState,
    req: &HttpRequest,
    site_key: &str,
    asked: Option<&str>,
) -> Result<(Site, Lang), ApiError> {
    let site = load_site(state, req, site_key).await?;
    let lang = asked.and_then(Lang::parse).unwrap_or(site.default_lang);
    Ok((site, lang))
}

#[derive(Deserialize)]
pub struct ReportQuery {
    lang: Option<String>,
}

/// `GET /embed/{site}/{article}/report/{id}?lang=ar`: the report form of the
/// comment section without JavaScript.
pub async fn report_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let (site_key, article_key, id) = path.into_inner();
    let (site, lang) = site_and_lang(&state, &req, &site_key, query.lang.as_deref()).await?;
    let page = ReportPage {
        reason: String::new(),
        note: String::new(),
        error: None,
        back: format!(
            "{}?lang={}#c-{id}",
            section_path(&site, &article_key),
            lang.code()
        ),
    };
    let html = render_report_page(&state, &site, &id, lang, page).await?;
    Ok(section_response(
        &site,
        actix_web::http::StatusCode::OK,
        html,
    ))
}

fn html(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

fn render(t: &impl Template, lang: Lang) -> Result<String, ApiError> {
    t.render().map_err(|e| ApiError::internal(e, lang))
}

/// Build the comment section: the published comments and the form (with a
/// freshly issued captcha when the site uses one).
async fn section(
    state: &AppState,
    site: &Site,
    article_key: &str,
    lang: Lang,
    page: FormPage,
) -> Result<SectionView, ApiError> {
    let store_err = |e| ApiError::storage(e, lang);
    // The editors' selection first (latest selected first), then the rest
    // oldest first.
    let picked: Vec<_> = state
        .store
        .published_comments(
            site.key.as_str(),
            article_key,
            Order::Featured,
            SECTION_COMMENTS,
            None,
        )
        .await
        .map_err(store_err)?
        .into_iter()
        .take_while(|c| c.featured_at.is_some())
        .collect();
    let rows = state
        .store
        .published_comments(
            site.key.as_str(),
            article_key,
            Order::Oldest,
            SECTION_COMMENTS,
            None,
        )
        .await
        .map_err(store_err)?;
    let rows: Vec<_> = picked
        .iter()
        .cloned()
        .chain(
            rows.into_iter()
                .filter(|r| !picked.iter().any(|p| p.id == r.id)),
        )
        .collect();
    let count = state
        .store
        .published_counts(site.key.as_str(), &[article_key.to_string()])
        .await
        .map_err(store_err)?
        .first()
        .map_or(0, |(_, n)| *n);
    // Invalid fields never spend the code (it is checked only once the rest
    // is valid): the form comes back with the same one, answer kept.
    let kept = match (&page.error, page.values.captcha_id.as_deref()) {
        (Some(e), Some(id)) if site.captcha.enabled() && e.code == ErrorCode::ValidationFailed => {
            let open = state
                .captcha
                .is_open(site.key.as_str(), id, now_ms())
                .await
                .map_err(|e| captcha_error(e, lang))?;
            open.then(|| id.to_string())
        }
        _ => None,
    };
    // The same per-address budget as `GET /api/v1/captcha`: over it, the
    // section still shows, with a notice instead of a code.
    let limited = site.captcha.enabled()
        && kept.is_none()
        && crate::routes::api::captcha::within_code_budget(state, &page.client)
            .await
            .is_err();
    let captcha = if let Some(id) = kept {
        Some(CaptchaView {
            image_url: format!("/api/v1/captcha/{id}.png"),
            id,
            width: state.captcha.image_size().0,
            height: state.captcha.image_size().1,
            answer: page.values.captcha_answer.clone().unwrap_or_default(),
        })
    } else if site.captcha.enabled() && !limited {
        let c = state
            .captcha
            .issue(site.key.as_str(), now_ms(), false)
            .await
            .map_err(|e| captcha_error(e, lang))?;
        Some(CaptchaView {
            image_url: format!("/api/v1/captcha/{}.png", c.id),
            id: c.id,
            width: state.captcha.image_size().0,
            height: state.captcha.image_size().1,
            answer: String::new(),
        })
    } else {
        None
    };
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut banner = limited.then(|| crate::i18n::t(lang, "error.rate_limited").to_string());
    if let Some(err) = &page.error {
        banner = Some(crate::i18n::t(lang, &format!("error.{}", err.code.as_str())).to_string());
        if let Some(fields) = &err.fields {
            for (field, msgs) in field_messages(fields, lang) {
                errors.insert(field, msgs.into_iter().map(|(_, m)| m).collect());
            }
        }
        if matches!(
            err.code,
            ErrorCode::CaptchaInvalid | ErrorCode::CaptchaRequired
        ) {
            errors.insert(
                "captcha_answer".into(),
                vec![banner.clone().unwrap_or_default()],
            );
        }
    }
    let v = page.values;
    // A reply form says whom it answers; a parent that cannot be answered
    // is left out (the post would say why).
    let parent_id = v.parent_id.clone().unwrap_or_default();
    let reply_heading = match v.parent_id.as_deref() {
        Some(id) if !id.is_empty() => state
            .store
            .reply_target(site.key.as_str(), id)
            .await
            .map_err(store_err)?
            .filter(|t| t.article_key == article_key && t.status == CommentStatus::Published)
            .map(|t| crate::i18n::t(lang, "form.reply_heading").replace("{name}", &t.name)),
        _ => None,
    };
    let section_url = |reply: Option<&str>| {
        let mut url = format!("{}?lang={}", page.page_path, lang.code());
        if let Some(id) = reply {
            url.push_str("&reply_to=");
            url.push_str(id);
        }
        url.push_str("#majlis-form");
        url
    };
    let form = FormView {
        action: format!(
            "/api/v1/sites/{}/articles/{}/comments",
            site.key,
            percent_encoding::utf8_percent_encode(article_key, percent_encoding::NON_ALPHANUMERIC)
        ),
        name: v.name.unwrap_or_default(),
        email: v.email.unwrap_or_default(),
        title: v.title.unwrap_or_default(),
        body: v.body.unwrap_or_default(),
        accept_terms: v.accept_terms == Some(true),
        notify_replies: v.notify_replies == Some(true),
        article_url: v.article_url.unwrap_or_default(),
        article_title: v.article_title.unwrap_or_default(),
        return_to: page.return_to.unwrap_or_default(),
        errors,
        banner,
        captcha,
        max_chars: site.max_body_chars,
        terms_url: site.terms_url.clone(),
        lang,
        rules: site
            .rules_text
            .get(lang)
            .unwrap_or_else(|| crate::i18n::t(lang, "form.rules"))
            .to_string(),
        rules_error: page
            .error
            .as_ref()
            .is_some_and(|e| e.code == ErrorCode::ViolatesPostingRules),
        parent_id: if reply_heading.is_some() {
            parent_id
        } else {
            String::new()
        },
        reply_heading,
        new_comment_url: section_url(None),
    };
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut threads = state
        .store
        .thread_replies(&ids, SECTION_REPLIES)
        .await
        .map_err(store_err)?;
    let view = |r: crate::storage::PublicComment| CommentView {
        reply_url: section_url(Some(&r.id)),
        report_url: format!("{}/report/{}?lang={}", page.page_path, r.id, lang.code()),
        featured: r.featured_at.is_some(),
        likes: r.likes,
        like_back: format!("{}?lang={}#c-{}", page.page_path, lang.code(), r.id),
        like_action: site
            .likes
            .then(|| format!("/api/v1/sites/{}/comments/{}/like", site.key, r.id)),
        id: r.id,
        // Empty after a privacy erasure.
        name: if r.name.is_empty() {
            crate::i18n::t(lang, "comments.anonymous").to_string()
        } else {
            r.name
        },
        title: r.title,
        paragraphs: r.body.split('\n').map(str::to_string).collect(),
        when: human_time(r.published_at, lang),
        when_iso: crate::routes::time_fmt::rfc3339(r.published_at),
        in_reply_to: r.in_reply_to.map(|n| {
            let n = if n.is_empty() {
                crate::i18n::t(lang, "comments.anonymous").to_string()
            } else {
                n
            };
            crate::i18n::t(lang, "comments.in_reply_to").replace("{name}", &n)
        }),
        replies: Vec::new(),
    };
    let comments = rows
        .into_iter()
        .map(|r| {
            let replies = threads.remove(&r.id).unwrap_or_default().first;
            let mut c = view(r);
            c.replies = replies.into_iter().map(view).collect();
            c
        })
        .collect();
    Ok(SectionView {
        tr: Tr(lang),
        lang: lang.code(),
        dir: lang.dir(),
        form,
        comments,
        count,
        feed_url: format!(
            "/api/v1/sites/{}/articles/{}/feed.atom",
            site.key,
            percent_encoding::utf8_percent_encode(article_key, percent_encoding::NON_ALPHANUMERIC)
        ),
    })
}

/// The address of an article's no-JavaScript comment section.
pub fn section_path(site: &Site, article_key: &str) -> String {
    format!(
        "/embed/{}/{}",
        site.key,
        percent_encoding::utf8_percent_encode(article_key, percent_encoding::NON_ALPHANUMERIC)
    )
}

/// The comment section page again, after a failed form post.
pub async fn render_form_page(
    state: &AppState,
    site: &Site,
    article_key: &str,
    lang: Lang,
    page: FormPage,
) -> Result<String, ApiError> {
    let section = section(state, site, article_key, lang, page).await?;
    render(&EmbedTemplate { section }, lang)
}

/// The CSP of every page of the comment section (the section, the form
/// again after a failed post, the result page): framed only by the site's
/// own origins (or by no one but us when it names none).
pub fn section_csp(site: &Site) -> String {
    let ancestors: Vec<&str> = site
        .allowed_origins
        .iter()
        .map(String::as_str)
        .filter(|o| *o != "*")
        .collect();
    let ancestors = if ancestors.is_empty() {
        "'self'".to_string()
    } else {
        format!("'self' {}", ancestors.join(" "))
    };
    format!(
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
         frame-ancestors {ancestors}"
    )
}

/// A page of the comment section, with the site's framing policy.
pub fn section_response(
    site: &Site,
    status: actix_web::http::StatusCode,
    body: String,
) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::CONTENT_SECURITY_POLICY, section_csp(site)))
        .body(body)
}

/// The page after a successful form post. It links back to the comment
/// section when `return_to` is a path here (the iframe's page), and to the
/// article when `return_to` or `article_url` is a page on one of the site's
/// origins; anything else gets no link.
pub fn result_page(
    site: &Site,
    lang: Lang,
    status: CommentStatus,
    return_to: Option<String>,
    article_url: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let message = if status == CommentStatus::Published {
        crate::i18n::t(lang, "form.published")
    } else {
        crate::i18n::t(lang, "form.received")
    };
    message_page(site, lang, message, status, return_to, article_url)
}

/// A confirmation page with links back, as `result_page`.
pub fn message_page(
    site: &Site,
    lang: Lang,
    message: &'static str,
    status: CommentStatus,
    return_to: Option<String>,
    article_url: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let links: Vec<BackLink> = [return_to, article_url]
        .into_iter()
        .flatten()
        .filter_map(|raw| BackLink::parse(&raw, site))
        .collect();
    let back_comments = links
        .iter()
        .find(|b| b.is_local())
        .map(|b| b.as_str().to_string());
    let back_article = links
        .iter()
        .find(|b| !b.is_local())
        .map(|b| b.as_str().to_string());
    let page = ResultTemplate {
        tr: Tr(lang),
        lang: lang.code(),
        dir: lang.dir(),
        message,
        back_comments,
        back_article,
    };
    let status_code = if status == CommentStatus::Published {
        actix_web::http::StatusCode::CREATED
    } else {
        actix_web::http::StatusCode::ACCEPTED
    };
    Ok(section_response(site, status_code, render(&page, lang)?))
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
    /// Set the form to answer this comment.
    reply_to: Option<String>,
}

/// `GET /embed/{site}/{article}?lang=ar`: the comment section for an iframe.
/// Framing is allowed only from the site's origins.
pub async fn embed_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let (site_key, article_key) = path.into_inner();
    let (site, lang) = site_and_lang(&state, &req, &site_key, query.lang.as_deref()).await?;
    let page = FormPage {
        error: None,
        values: SubmissionDto {
            parent_id: query
                .reply_to
                .as_deref()
                .and_then(|id| crate::domain::parse_comment_id(id).ok()),
            ..SubmissionDto::default()
        },
        return_to: Some(req.uri().to_string()),
        client: crate::routes::api::comments::client_keys(&state, &req),
        page_path: section_path(&site, &article_key),
    };
    let section = section(&state, &site, &article_key, lang, page).await?;
    let body = render(&EmbedTemplate { section }, lang)?;
    Ok(section_response(
        &site,
        actix_web::http::StatusCode::OK,
        body,
    ))
}

/// `GET /`: a demo Arabic news article with the embed snippet under it,
/// exactly as a news site would paste it.
pub async fn demo_page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if !state.settings.demo.enabled {
        return Err(ApiError::new(ErrorCode::NotFound, request_lang(&req, None)));
    }
    let site = load_site(&state, &req, DEMO_SITE).await?;
    let lang = Lang::Ar;
    let body = render(
        &DemoTemplate {
            base: state
                .settings
                .server
                .base_url
                .trim_end_matches('/')
                .to_string(),
            article: DEMO_ARTICLE,
            title: DEMO_ARTICLE_TITLE,
            site_name: site.name.clone(),
            published: human_time(DEMO_PUBLISHED_MS, lang),
        },
        lang,
    )?;
    let base = state.settings.server.base_url.trim_end_matches('/');
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            format!(
                "default-src 'self' {base}; img-src 'self' {base} data:; media-src 'self' {base}; \
                 style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
            ),
        ))
        .body(body))
}

pub const DEMO_ARTICLE: &str = "2026-11-29-rain-season";
const DEMO_ARTICLE_TITLE: &str = "موسم الأمطار يبدأ مبكرًا هذا العام";
/// 29 November 2026, 09:30 GMT.
const DEMO_PUBLISHED_MS: i64 = 1_795_944_600_000;

pub async fn terms_page() -> Result<HttpResponse, ApiError> {
    Ok(html(
        actix_web::http::StatusCode::OK,
        render(&TermsTemplate {}, Lang::Ar)?,
    ))
}

pub async fn form_js() -> HttpResponse {
    static_asset(JAVASCRIPT, AN_HOUR).body(include_str!("../assets/form.js"))
}

pub async fn form_css() -> HttpResponse {
    static_asset(CSS, AN_HOUR).body(include_str!("../assets/form.css"))
}

/// The error texts `embed.js` shows without a server message.
const EMBED_ERRORS: [&str; 2] = ["error.internal_error", "error.service_unavailable"];

/// The embed script with the message catalogue and its stylesheet inlined,
/// comments and needless spaces dropped, built once.
fn build_embed_js() -> String {
    build_script(
        include_str!("../assets/embed.js"),
        include_str!("../assets/embed.css"),
        &["form.", "comments."],
    )
}

/// The part of the widget fetched on demand (replying, reporting, all the
/// replies of a comment), built like `embed.js` with its own texts and styles.
fn build_embed_more_js() -> String {
    build_script(
        include_str!("../assets/embed-more.js"),
        include_str!("../assets/embed-more.css"),
        &["form.", "comments.", "report."],
    )
}

/// A widget script as sent: the texts it names from the catalogue in both
/// languages, the widget's stylesheet, then squeezed.
fn build_script(script: &str, css: &str, prefixes: &[&str]) -> String {
    // A text the script names: its whole key in quotes, or a prefix it
    // completes at run time (`"form.left." + plural`).
    let named = |k: &str| {
        script.contains(&format!("\"{k}\""))
            || k.char_indices()
                .filter(|(_, c)| *c == '.')
                .any(|(i, _)| script.contains(&format!("\"{}\"", &k[..=i])))
    };
    let strings: serde_json::Map<String, serde_json::Value> = Lang::ALL
        .iter()
        .map(|lang| {
            let texts: serde_json::Map<String, serde_json::Value> = crate::i18n::keys(*lang)
                .into_iter()
                // API errors arrive with their message already localized:
                // the script needs only the two it shows on its own.
                .filter(|k| {
                    (prefixes.iter().any(|p| k.starts_with(p)) && named(k))
                        || EMBED_ERRORS.contains(k)
                })
                .map(|k| {
                    (
                        k.to_string(),
                        serde_json::Value::from(crate::i18n::t(*lang, k)),
                    )
                })
                .collect();
            (lang.code().to_string(), serde_json::Value::Object(texts))
        })
        .collect();
    // A rule's closing brace needs no line break after it.
    let css = serde_json::Value::from(css.replace("}\n", "}"));
    let source = script;
    // Serve without the usage comment at the top.
    let source = source
        .split_once("*/")
        .map_or(source, |(_, rest)| rest)
        .trim_start();
    // Every statement of the script ends its line, so leading spaces and
    // whole-line `//` comments can go without a minifier.
    let source: String = source
        .lines()
        .map(str::trim_start)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .flat_map(|l| [l, "\n"])
        .collect();
    squeeze_js(
        &source
            .replace(
                "/*STRINGS*/ {}",
                &serde_json::Value::Object(strings).to_string(),
            )
            .replace("/*CSS*/ \"\"", &css.to_string()),
    )
}

/// Drop the spaces and tabs of a script that no token needs, and its
/// comments, leaving string and regular-expression literals as they are.
/// Lines stay lines (every statement of our scripts ends its line, so
/// automatic semicolons are never at stake), except that a line break
/// after `;` or `{` goes: there it never ends a statement (our scripts
/// have no template literals to span lines). Not a general minifier: a
/// `/` is read as a regular expression after `( , = : [ ! & | ? { } ; +`
/// or at a line's start, as division elsewhere — true of our scripts.
fn squeeze_js(src: &str) -> String {
    fn word(c: char) -> bool {
        c.is_alphanumeric() || c == '_' || c == '$'
    }
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut prev = '\n';
    let mut space = false;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let start = i;
        i += 1;
        match c {
            '"' | '\'' | '`' => {
                while let Some(&d) = chars.get(i) {
                    i += if d == '\\' { 2 } else { 1 };
                    if d == c {
                        break;
                    }
                }
            }
            '/' if chars.get(i) == Some(&'/') => {
                while chars.get(i).is_some_and(|d| *d != '\n') {
                    i += 1;
                }
                continue;
            }
            '/' if chars.get(i) == Some(&'*') => {
                i += 1;
                while i < chars.len()
                    && !(chars.get(i) == Some(&'*') && chars.get(i + 1) == Some(&'/'))
                {
                    i += 1;
                }
                i += 2;
                space = true;
                continue;
            }
            '/' if "(,=:[!&|?{};+\n".contains(prev) => {
                let mut class = false;
                while let Some(&d) = chars.get(i) {
                    i += 1;
                    match d {
                        '\\' => i += 1,
                        '[' => class = true,
                        ']' => class = false,
                        '/' if !class => break,
                        '\n' => break,
                        _ => {}
                    }
                }
                while chars.get(i).is_some_and(|d| d.is_ascii_alphabetic()) {
                    i += 1;
                }
            }
            ' ' | '\t' | '\r' => {
                space = true;
                continue;
            }
            '\n' if matches!(prev, ';' | '{') => continue,
            _ => {}
        }
        let token: String = chars
            .get(start..i.min(chars.len()))
            .unwrap_or_default()
            .iter()
            .collect();
        let first = token.chars().next().unwrap_or(' ');
        if space && ((word(prev) && word(first)) || (matches!(prev, '+' | '-') && prev == first)) {
            out.push(' ');
        }
        space = false;
        out.push_str(&token);
        prev = token.chars().last().unwrap_or(prev);
    }
    out
}

/// `embed.js` as sent: plain, brotli (quality 11) and gzip (level 9),
/// compressed once at start-up, never per request.
struct EmbedJs {
    plain: bytes::Bytes,
    brotli: bytes::Bytes,
    gzip: bytes::Bytes,
}

static EMBED_JS: std::sync::LazyLock<EmbedJs> =
    std::sync::LazyLock::new(|| EmbedJs::compress(build_embed_js()));
static EMBED_MORE_JS: std::sync::LazyLock<EmbedJs> =
    std::sync::LazyLock::new(|| EmbedJs::compress(build_embed_more_js()));

impl EmbedJs {
    fn compress(plain: String) -> EmbedJs {
        use std::io::Write;
        let plain = plain.into_bytes();
        let mut br = brotli::CompressorWriter::new(Vec::new(), 4096, 11, 22);
        let brotli = br
            .write_all(&plain)
            .and_then(|()| br.flush())
            .map(|()| br.into_inner());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let gzip = gz.write_all(&plain).and_then(|()| gz.finish());
        // Writing into a Vec cannot fail; if it ever did, the plain script is
        // still correct to send.
        EmbedJs {
            brotli: brotli.map_or_else(|_| bytes::Bytes::new(), bytes::Bytes::from),
            gzip: gzip.map_or_else(|_| bytes::Bytes::new(), bytes::Bytes::from),
            plain: bytes::Bytes::from(plain),
        }
    }
}

/// Build and compress `embed.js` now rather than on the first request.
pub fn warm_embed_js() {
    std::sync::LazyLock::force(&EMBED_JS);
    std::sync::LazyLock::force(&EMBED_MORE_JS);
}

/// Whether `accept_encoding` accepts `coding` (q > 0, or through `*`).
fn accepts(accept_encoding: &str, coding: &str) -> bool {
    let mut star = false;
    for part in accept_encoding.split(',') {
        let mut pieces = part.split(';');
        let name = pieces.next().unwrap_or("").trim();
        let q = pieces
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if name.eq_ignore_ascii_case(coding) {
            return q > 0.0;
        }
        if name == "*" {
            star = q > 0.0;
        }
    }
    star
}

/// `GET /embed.js`: brotli, gzip or plain, by `Accept-Encoding`.
pub async fn embed_js(req: HttpRequest) -> HttpResponse {
    send_script(&req, &EMBED_JS)
}

/// `GET /embed-more.js`, as `embed.js`.
pub async fn embed_more_js(req: HttpRequest) -> HttpResponse {
    send_script(&req, &EMBED_MORE_JS)
}

fn send_script(req: &HttpRequest, js: &EmbedJs) -> HttpResponse {
    let accept = header_text(req.headers(), header::ACCEPT_ENCODING).unwrap_or("");
    let (body, coding) = if !js.brotli.is_empty() && accepts(accept, "br") {
        (js.brotli.clone(), Some("br"))
    } else if !js.gzip.is_empty() && accepts(accept, "gzip") {
        (js.gzip.clone(), Some("gzip"))
    } else {
        (js.plain.clone(), None)
    };
    let mut resp = static_asset(JAVASCRIPT, FIVE_MINUTES);
    resp.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header((header::VARY, "Accept-Encoding"));
    if let Some(coding) = coding {
        // Already encoded: the Compress middleware leaves it as it is.
        resp.insert_header((header::CONTENT_ENCODING, coding));
    }
    resp.body(body)
}

/// `GET /count.js`
pub async fn count_js() -> HttpResponse {
    static_asset(JAVASCRIPT, FIVE_MINUTES)
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(include_str!("../assets/count.js"))
}

#[cfg(test)]
mod tests {
    use super::{accepts, squeeze_js};

    #[test]
    fn squeezing_keeps_literals_and_the_spaces_between_words() {
        for (src, want) in [
            ("var a = b + \" x = y \";", "var a=b+\" x = y \";"),
            ("return a / b / c;", "return a/b/c;"),
            ("s.replace(/ \\/ +/g, ' ');", "s.replace(/ \\/ +/g,' ');"),
            ("if (a) { f(); } // note", "if(a){f();}"),
            ("var c = /*CSS*/ \"\";", "var c=\"\";"),
            ("a = b - -c + +d;", "a=b- -c+ +d;"),
            ("x = [1, 2];\ny = '\\'';", "x=[1,2];y='\\'';"),
            ("if (a) {\n  b()\n}\nc()", "if(a){b()\n}\nc()"),
            ("return typeof x === \"y\"", "return typeof x===\"y\""),
        ] {
            assert_eq!(squeeze_js(src), want, "{src}");
        }
    }

    #[test]
    fn content_codings_are_negotiated_with_their_quality() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip;q=1.0, br;q=0.5", "br"));
        assert!(!accepts("gzip, br;q=0", "br"));
        assert!(!accepts("gzip", "br"));
        assert!(accepts("*", "br"));
        assert!(!accepts("*, br;q=0", "br"));
        assert!(!accepts("", "gzip"));
    }
}
