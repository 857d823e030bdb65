//! Articles, stats, site settings (word lists, API keys, webhooks, privacy erasure) and
//! accounts.
//! Settings need the `admin` role on the site; accounts need an admin of
//! every site. Every change is a CSRF-checked POST and lands in the audit log.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::guard::{
    self, Action, Current, Session, SiteAdmin, csrf_forms, html, render, see_other,
};
use super::queue::layout;
use super::view::{Layout, Tr, gmt};
use crate::domain::{Site, SiteChange, SiteSettingsDto};
use crate::moderation::Entry;
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode, OrApi};
use crate::service::{
    self, Commenting, ErasureRequest, LexiconPut, NewModeratorDto, NewWebhook, NewWebhookDto,
    PolicyCache, ReportError, WebhookUpdate, WebhookUpdateDto, now_ms,
};
use crate::storage::{ArticleRow, ErasureOutcome, ModeratorRecord, ReportSettings};

const ARTICLES_PAGE: u32 = 100;
const STATS_DAYS: i64 = 14;
const DAY_MS: i64 = 86_400_000;

fn is_global_admin(cur: &Current) -> bool {
    cur.moderator.role == "admin" && cur.moderator.sites.is_empty()
}

fn pick_site(sites: &[String], wanted: Option<&str>) -> Option<String> {
    match wanted.filter(|s| !s.is_empty()) {
        Some(s) => sites.iter().find(|k| *k == s).cloned(),
        None => sites.first().cloned(),
    }
}

#[derive(Deserialize)]
pub struct SiteQuery {
    site: Option<String>,
    page: Option<u32>,
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: Option<String>,
}

// ----- articles -----

#[derive(Template)]
#[template(path = "dashboard/articles.html")]
struct ArticlesTemplate {
    layout: Layout,
    tr: Tr,
    sites: Vec<String>,
    site: String,
    articles: Vec<ArticleView>,
    auto_close_days: String,
}

pub struct ArticleView {
    pub row: ArticleRow,
    pub when: String,
    pub url: Option<String>,
}

/// `GET /dashboard/articles?site=`
pub async fn articles(
    state: web::Data<AppState>,
    query: web::Query<SiteQuery>,
    Session(cur): Session,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let sites = guard::sites_of(&state, &cur).await?;
    let site = pick_site(&sites, query.site.as_deref())
        .ok_or_else(|| ApiError::new(ErrorCode::SiteNotFound, lang))?;
    let rows = state
        .store
        .articles_of_site(
            &site,
            ARTICLES_PAGE,
            query.page.unwrap_or(0).min(10_000) * ARTICLES_PAGE,
        )
        .await
        .or_api(lang)?;
    let auto_close_days = state
        .store
        .site(&site)
        .await
        .or_api(lang)?
        .and_then(|s| s.auto_close_days)
        .map(|d| d.to_string())
        .unwrap_or_default();
    let articles = rows
        .into_iter()
        .map(|row| ArticleView {
            when: gmt(row.created_at),
            url: row.url.clone().filter(|u| {
                let l = u.to_ascii_lowercase();
                l.starts_with("https://") || l.starts_with("http://")
            }),
            row,
        })
        .collect();
    let t = ArticlesTemplate {
        layout: layout(&cur, "articles"),
        tr: Tr(lang),
        sites,
        site,
        articles,
        auto_close_days,
    };
    Ok(html(StatusCode::OK, render(&t, lang)?))
}

/// `POST /dashboard/articles/{site}/{article}/{open|close}` (the article's key)
pub async fn article_commenting(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    Action { cur, .. }: Action<CsrfOnly>,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let (site, article, what) = path.into_inner();
    let closed = match what.as_str() {
        "close" => true,
        "open" => false,
        _ => return Err(ApiError::new(ErrorCode::NotFound, lang)),
    };
    if !cur.moderator.can_moderate(&site) {
        return Err(ApiError::new(ErrorCode::NotFound, lang));
    }
    let change = Commenting::parse(&article, closed).map_err(|e| ApiError::validation(e, lang))?;
    service::set_commenting(
        &state.store,
        &state.wakes,
        &cur.actor(),
        &site,
        &change,
        now_ms(),
    )
    .await
    .or_api(lang)?;
    tracing::info!(article = %article, closed, moderator = %cur.moderator.id, "article commenting changed");
    Ok(see_other(&format!("/dashboard/articles?site={site}")))
}

// ----- stats -----

#[derive(Template)]
#[template(path = "dashboard/stats.html")]
struct StatsTemplate {
    layout: Layout,
    tr: Tr,
    pending: i64,
    oldest: String,
    oldest_hours: String,
    per_day: Vec<(String, String, i64)>,
    reasons: Vec<(String, i64)>,
}

/// `GET /dashboard/stats`: the last two weeks over the moderator's sites.
pub async fn stats(
    state: web::Data<AppState>,
    Session(cur): Session,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let sites = guard::sites_of(&state, &cur).await?;
    let now = now_ms();
    let s = state
        .store
        .stats(&sites, now - STATS_DAYS * DAY_MS)
        .await
        .or_api(lang)?;
    let t = StatsTemplate {
        layout: layout(&cur, "stats"),
        tr: Tr(lang),
        pending: s.pending,
        oldest: s.oldest_pending_at.map(gmt).unwrap_or_default(),
        oldest_hours: s
            .oldest_pending_at
            .map(|t| format!("{:.1}", (now - t) as f64 / 3_600_000.0))
            .unwrap_or_default(),
        per_day: s
            .per_day
            .into_iter()
            .map(|(day, id, email, n)| {
                (gmt(day).chars().take(10).collect(), email.unwrap_or(id), n)
            })
            .collect(),
        reasons: s
            .reasons
            .into_iter()
            .map(|(r, n)| (crate::i18n::label(lang, crate::i18n::Code::Reason, &r), n))
            .collect(),
    };
    Ok(html(StatusCode::OK, render(&t, lang)?))
}

// ----- accounts -----

#[derive(Template)]
#[template(path = "dashboard/moderators.html")]
struct ModeratorsTemplate {
    layout: Layout,
    tr: Tr,
    accounts: Vec<ModeratorRecord>,
    me_id: String,
}

/// `GET /dashboard/moderators` (admins of every site)
pub async fn moderators(
    state: web::Data<AppState>,
    Session(cur): Session,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    if !is_global_admin(&cur) {
        return Err(ApiError::new(ErrorCode::NotFound, lang));
    }
    let accounts = state.store.moderators().await.or_api(lang)?;
    let t = ModeratorsTemplate {
        layout: layout(&cur, "moderators"),
        tr: Tr(lang),
        accounts,
        me_id: cur.moderator.id.clone(),
    };
    Ok(html(StatusCode::OK, render(&t, lang)?))
}

#[derive(Deserialize)]
pub struct AddModeratorForm {
    csrf: Option<String>,
    email: Option<String>,
    role: Option<String>,
    /// Comma- or space-separated site keys.
    sites: Option<String>,
    password: Option<String>,
}

/// `POST /dashboard/moderators`: create an account.
pub async fn add_moderator(
    state: web::Data<AppState>,
    Action { cur, form }: Action<AddModeratorForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    if !is_global_admin(&cur) {
        return Err(ApiError::new(ErrorCode::NotFound, lang));
    }
    let dto = NewModeratorDto {
        email: form.email.unwrap_or_default(),
        role: form.role.unwrap_or_default(),
        sites: form
            .sites
            .unwrap_or_default()
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        lang: Some(lang.code().into()),
        password: form.password.unwrap_or_default(),
    };
    let record = service::add_moderator(&state.store, &cur.actor(), dto, now_ms())
        .await
        .or_api(lang)?;
    tracing::info!(account = %record.id, by = %cur.moderator.id, "moderator account created");
    Ok(see_other("/dashboard/moderators"))
}

/// `POST /dashboard/moderators/{id}/disable`: the account's sessions end now.
pub async fn disable_moderator(
    state: web::Data<AppState>,
    path: web::Path<String>,
    Action { cur, .. }: Action<CsrfOnly>,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let id = path.into_inner();
    if !is_global_admin(&cur) || id == cur.moderator.id {
        return Err(ApiError::new(ErrorCode::NotFound, lang));
    }
    service::disable_moderator(&state.store, &cur.actor(), &id, now_ms())
        .await
        .or_api(lang)?;
    tracing::info!(account = %id, by = %cur.moderator.id, "moderator account disabled");
    Ok(see_other("/dashboard/moderators"))
}

// ----- site settings -----

pub struct LexiconView {
    pub name: String,
    pub category: &'static str,
    pub action: &'static str,
    pub version: u32,
    pub count: usize,
    pub text: String,
}

pub struct KeyView {
    pub id: String,
    pub role: String,
    pub label: String,
    pub created: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "dashboard/settings.html")]
struct SettingsTemplate {
    layout: Layout,
    tr: Tr,
    sites: Vec<String>,
    site: Site,
    origins: String,
    auto_close_days: String,
    lexicons: Vec<LexiconView>,
    /// The pattern rules as pretty JSON, and their counts.
    patterns: String,
    pattern_classes: usize,
    pattern_rules: usize,
    keys: Vec<KeyView>,
    new_key: Option<String>,
    hook_secret: Option<String>,
    /// What a privacy erasure just did (shown once, on the page it answers with).
    erased: Option<ErasureOutcome>,
    hooks: Vec<HookView>,
    reports: ReportSettings,
}

pub struct HookView {
    pub id: String,
    pub url: String,
    pub events: String,
    pub description: String,
    pub enabled: bool,
}

/// What the settings page shows once, on the page that answers a form.
pub enum Notice {
    /// A new API key's secret.
    Key(String),
    /// A new webhook subscription's signing secret.
    HookSecret(String),
    /// What a privacy erasure removed.
    Erased(ErasureOutcome),
}

async fn settings_page(
    state: &AppState,
    cur: &Current,
    site_key: &str,
    notice: Option<Notice>,
) -> Result<HttpResponse, ApiError> {
    let (mut new_key, mut hook_secret, mut erased) = (None, None, None);
    match notice {
        Some(Notice::Key(k)) => new_key = Some(k),
        Some(Notice::HookSecret(k)) => hook_secret = Some(k),
        Some(Notice::Erased(e)) => erased = Some(e),
        None => {}
    }
    let lang = cur.lang;
    let sites: Vec<String> = guard::sites_of(state, cur)
        .await?
        .into_iter()
        .filter(|s| cur.is_site_admin(s))
        .collect();
    let site = state
        .store
        .site(site_key)
        .await
        .or_api(lang)?
        .ok_or_else(|| ApiError::new(ErrorCode::SiteNotFound, lang))?;
    let policy = PolicyCache::load(&state.store, site_key)
        .await
        .map_err(|e| ApiError::internal(e, lang))?;
    let lexicons = policy
        .config
        .lexicons
        .iter()
        .map(|l| LexiconView {
            name: l.name.clone(),
            category: l.category.as_str(),
            action: l.action.as_str(),
            version: l.version,
            count: l.entries.len(),
            text: l
                .entries
                .iter()
                .map(Entry::to_line)
                .collect::<Vec<_>>()
                .join("\n"),
        })
        .collect();
    let patterns = serde_json::to_string_pretty(&policy.config.patterns)
        .map_err(|e| ApiError::internal(e, lang))?;
    let (pattern_classes, pattern_rules) = (
        policy.config.patterns.classes.len(),
        policy.config.patterns.rules.len(),
    );
    let keys = state
        .store
        .api_keys(site_key)
        .await
        .or_api(lang)?
        .into_iter()
        .map(|k| KeyView {
            id: k.id,
            role: k.role,
            label: k.label,
            created: gmt(k.created_at),
            revoked: k.revoked_at.is_some(),
        })
        .collect();
    let hooks = state
        .store
        .webhooks(site_key)
        .await
        .or_api(lang)?
        .into_iter()
        .map(|h| HookView {
            id: h.id,
            url: h.url,
            events: h.events.join(" "),
            description: h.description,
            enabled: h.enabled,
        })
        .collect();
    let reports = state.store.report_settings(site_key).await.or_api(lang)?;
    let t = SettingsTemplate {
        layout: layout(cur, "settings"),
        tr: Tr(lang),
        sites,
        origins: site.allowed_origins.join("\n"),
        auto_close_days: site
            .auto_close_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
        site,
        lexicons,
        patterns,
        pattern_classes,
        pattern_rules,
        keys,
        new_key,
        hook_secret,
        erased,
        hooks,
        reports,
    };
    Ok(html(StatusCode::OK, render(&t, lang)?))
}

/// After a saved settings form: back to the site's settings page. (Site settings need the
/// `admin` role on the site, checked by the [`SiteAdmin`] extractor; other sites do not
/// exist.)
fn back_to_settings(site_key: &str) -> HttpResponse {
    see_other(&format!("/dashboard/settings?site={site_key}"))
}

/// `GET /dashboard/settings?site=` (admins of the site)
pub async fn settings(
    state: web::Data<AppState>,
    query: web::Query<SiteQuery>,
    Session(cur): Session,
) -> Result<HttpResponse, ApiError> {
    let sites: Vec<String> = guard::sites_of(&state, &cur)
        .await?
        .into_iter()
        .filter(|s| cur.is_site_admin(s))
        .collect();
    let site = pick_site(&sites, query.site.as_deref())
        .ok_or_else(|| ApiError::new(ErrorCode::SiteNotFound, cur.lang))?;
    settings_page(&state, &cur, &site, None).await
}

#[derive(Deserialize)]
pub struct SiteForm {
    csrf: Option<String>,
    name: Option<String>,
    moderation: Option<String>,
    max_body: Option<String>,
    terms_url: Option<String>,
    terms_version: Option<String>,
    origins: Option<String>,
    captcha: Option<String>,
    spam_threshold: Option<String>,
    auto_close_days: Option<String>,
    rules_text_ar: Option<String>,
    rules_text_en: Option<String>,
    /// `on` or `off`.
    likes: Option<String>,
}

/// `POST /dashboard/settings/{site}`: the site's settings (a form without
/// the captcha choice, as an unticked box of the older form was: off).
pub async fn save_site(
    state: web::Data<AppState>,
    SiteAdmin {
        cur,
        form,
        site: site_key,
    }: SiteAdmin<SiteForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let change = SiteChange::parse(SiteSettingsDto {
        name: form.name.filter(|n| !n.trim().is_empty()),
        origins: form
            .origins
            .map(|o| o.lines().map(str::to_string).collect()),
        lang: None,
        moderation: form.moderation,
        max_body: form.max_body,
        terms_url: form.terms_url,
        terms_version: form.terms_version,
        captcha: Some(form.captcha.unwrap_or_else(|| "off".into())),
        spam_threshold: form.spam_threshold,
        auto_close_days: Some(form.auto_close_days.unwrap_or_default()),
        rules_text_ar: form.rules_text_ar,
        rules_text_en: form.rules_text_en,
        likes: form.likes,
    })
    .map_err(|e| ApiError::invalid_fields(e, lang))?;
    let site = service::change_site(&state.store, &cur.actor(), &site_key, &change, now_ms())
        .await
        .or_api(lang)?;
    state.read_cache.put_site(&site);
    Ok(back_to_settings(&site_key))
}

#[derive(Deserialize)]
pub struct ReportSettingsForm {
    csrf: Option<String>,
    hold_after: Option<String>,
    /// A ticked box sends `on`; an unticked one nothing.
    illegal_reason: Option<String>,
}

/// `POST /dashboard/settings/{site}/reports`: when reader reports hold a
/// comment, and whether readers may choose "illegal content" (the same
/// audited change as `PUT /api/v1/sites/{site}/reports/settings`).
pub async fn save_report_settings(
    state: web::Data<AppState>,
    SiteAdmin {
        cur,
        form,
        site: site_key,
    }: SiteAdmin<ReportSettingsForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let invalid = || {
        let mut e = crate::domain::ValidationErrors::default();
        e.add(
            "hold_after",
            crate::domain::FieldError::new("out_of_range")
                .with("min", 0)
                .with("max", service::HOLD_AFTER_MAX),
        );
        ApiError::invalid_fields(e, lang)
    };
    let hold_after = match form.hold_after.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(n) => n.parse::<u32>().map_err(|_| invalid())?,
    };
    let settings = ReportSettings {
        hold_after,
        illegal_reason: form.illegal_reason.is_some_and(|v| !v.is_empty()),
    };
    service::set_report_settings(&state.store, &cur.actor(), &site_key, settings, now_ms())
        .await
        .map_err(|e| match e {
            ReportError::Validation(errors) => ApiError::invalid_fields(errors, lang),
            ReportError::Storage(s) => ApiError::storage(s, lang),
            other => ApiError::internal(other, lang),
        })?;
    Ok(back_to_settings(&site_key))
}

#[derive(Deserialize)]
pub struct LexiconForm {
    csrf: Option<String>,
    entries: Option<String>,
}

/// `POST /dashboard/settings/{site}/lexicons/{name}`: replace a word list
/// (one entry a line, `term | hold substring forms=a,b` for options; a bare line keeps the
/// options its entry had).
pub async fn save_lexicon(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    SiteAdmin {
        cur,
        form,
        site: site_key,
    }: SiteAdmin<LexiconForm>,
) -> Result<HttpResponse, ApiError> {
    let (_, name) = path.into_inner();
    let put = LexiconPut::from_lines(form.entries.as_deref().unwrap_or("").lines());
    service::put_lexicon(&state.store, &cur.actor(), &site_key, &name, put, now_ms())
        .await
        .or_api(cur.lang)?;
    Ok(back_to_settings(&site_key))
}

#[derive(Deserialize)]
pub struct PatternsForm {
    csrf: Option<String>,
    patterns: Option<String>,
}

/// `POST /dashboard/settings/{site}/patterns`: replace the pattern rules (term classes and
/// rules, as the JSON document the rules API carries in `patterns`).
pub async fn save_patterns(
    state: web::Data<AppState>,
    SiteAdmin {
        cur,
        form,
        site: site_key,
    }: SiteAdmin<PatternsForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let patterns = service::parse_patterns(form.patterns.as_deref().unwrap_or("")).or_api(lang)?;
    service::put_patterns(&state.store, &cur.actor(), &site_key, patterns, now_ms())
        .await
        .or_api(lang)?;
    Ok(back_to_settings(&site_key))
}

#[derive(Deserialize)]
pub struct KeyForm {
    csrf: Option<String>,
    role: Option<String>,
    label: Option<String>,
}

/// `POST /dashboard/settings/{site}/apikeys`: a new key, shown once on the
/// page this answers with and never again.
pub async fn create_key(
    state: web::Data<AppState>,
    SiteAdmin {
        cur,
        form,
        site: site_key,
    }: SiteAdmin<KeyForm>,
) -> Result<HttpResponse, ApiError> {
    let (_, secret) = service::create_api_key(
        &state.store,
        &cur.actor(),
        &site_key,
        form.role.as_deref().unwrap_or(""),
        form.label.as_deref().unwrap_or(""),
        now_ms(),
    )
    .await
    .or_api(cur.lang)?;
    settings_page(&state, &cur, &site_key, Some(Notice::Key(secret))).await
}

/// `POST /dashboard/settings/{site}/apikeys/{id}/revoke`
pub async fn revoke_key(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    SiteAdmin {
        cur,
        site: site_key,
        ..
    }: SiteAdmin<CsrfOnly>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    service::revoke_api_key(&state.store, &cur.actor(), &site_key, &id, now_ms())
        .await
        .or_api(cur.lang)?;
    Ok(back_to_settings(&site_key))
}

#[derive(Deserialize)]
pub struct ErasureForm {
    csrf: Option<String>,
    email: Option<String>,
    /// `on` when the comments' title and body go too.
    remove_text: Option<String>,
}

/// `POST /dashboard/settings/{site}/privacy/erase`: a person's erasure request, as `POST
/// /api/v1/sites/{site}/privacy/erase` and `majlis privacy erase` (one service call, one
/// audit trail); answers with the settings page saying what it removed.
pub async fn erase_person(
    state: web::Data<AppState>,
    SiteAdmin {
        cur,
        form,
        site: site_key,
    }: SiteAdmin<ErasureForm>,
) -> Result<HttpResponse, ApiError> {
    let request = ErasureRequest::parse(
        form.email.as_deref(),
        form.remove_text.as_deref() == Some("on"),
    )
    .map_err(|e| ApiError::validation(e, cur.lang))?;
    let outcome = service::erase_person(
        &state.store,
        &state.wakes,
        &cur.actor(),
        &site_key,
        &request,
        now_ms(),
    )
    .await
    .or_api(cur.lang)?;
    settings_page(&state, &cur, &site_key, Some(Notice::Erased(outcome))).await
}

/// Event types typed in one field, separated by commas or spaces.
fn event_list(raw: &str) -> Vec<String> {
    raw.split([',', ' '])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect()
}

/// A form field left empty keeps what is there.
fn given(field: Option<String>) -> Option<String> {
    field.filter(|v| !v.trim().is_empty())
}

#[derive(Deserialize)]
pub struct NewHookForm {
    csrf: Option<String>,
    url: Option<String>,
    /// Event types separated by commas or spaces.
    events: Option<String>,
    description: Option<String>,
}

/// `POST /dashboard/settings/{site}/webhooks`: a new subscription, as `POST
/// /api/v1/sites/{site}/webhooks` and `majlis webhook add`; its signing secret is shown on
/// the page this answers with and never again.
pub async fn create_hook(
    state: web::Data<AppState>,
    SiteAdmin {
        cur,
        form,
        site: site_key,
    }: SiteAdmin<NewHookForm>,
) -> Result<HttpResponse, ApiError> {
    let dto = NewWebhookDto {
        url: form.url.unwrap_or_default(),
        events: event_list(form.events.as_deref().unwrap_or("")),
        description: form.description,
    };
    let new = NewWebhook::parse(dto, &state.settings.webhooks.policy())
        .await
        .map_err(|e| ApiError::validation(e, cur.lang))?;
    let record = service::create_webhook(
        &state.store,
        &cur.actor(),
        &site_key,
        new,
        state.settings.webhooks.max_per_site,
        now_ms(),
    )
    .await
    .or_api(cur.lang)?;
    settings_page(
        &state,
        &cur,
        &site_key,
        Some(Notice::HookSecret(record.secret)),
    )
    .await
}

#[derive(Deserialize)]
pub struct HookForm {
    csrf: Option<String>,
    url: Option<String>,
    events: Option<String>,
    description: Option<String>,
    /// `on` or `off`; absent keeps it.
    enabled: Option<String>,
}

/// `POST /dashboard/settings/{site}/webhooks/{id}`: change a subscription (empty fields
/// keep their value), as `PATCH /api/v1/sites/{site}/webhooks/{id}` and `majlis webhook
/// update`.
pub async fn update_hook(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    SiteAdmin {
        cur,
        form,
        site: site_key,
    }: SiteAdmin<HookForm>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    let dto = WebhookUpdateDto {
        url: given(form.url),
        events: given(form.events).map(|e| event_list(&e)),
        description: form.description.filter(|d| !d.is_empty()),
        enabled: given(form.enabled).map(|e| e.trim() == "on"),
    };
    let update = WebhookUpdate::parse(dto, &state.settings.webhooks.policy())
        .await
        .map_err(|e| ApiError::validation(e, cur.lang))?;
    service::update_webhook(
        &state.store,
        &cur.actor(),
        &site_key,
        &id,
        &update,
        now_ms(),
    )
    .await
    .or_api(cur.lang)?;
    Ok(back_to_settings(&site_key))
}

/// `POST /dashboard/settings/{site}/webhooks/{id}/delete`: remove a subscription, as
/// `DELETE /api/v1/sites/{site}/webhooks/{id}` and `majlis webhook remove`.
pub async fn delete_hook(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    SiteAdmin {
        cur,
        site: site_key,
        ..
    }: SiteAdmin<CsrfOnly>,
) -> Result<HttpResponse, ApiError> {
    let (_, id) = path.into_inner();
    service::delete_webhook(&state.store, &cur.actor(), &site_key, &id, now_ms())
        .await
        .or_api(cur.lang)?;
    Ok(back_to_settings(&site_key))
}

/// A download: the answer saved as `name` rather than shown.
fn attachment(mut resp: HttpResponse, name: &str) -> HttpResponse {
    use actix_web::http::header::{ContentDisposition, TryIntoHeaderPair};
    if let Ok((key, value)) = ContentDisposition::attachment(name).try_into_pair() {
        resp.headers_mut().insert(key, value);
    }
    resp
}

/// `POST /dashboard/settings/{site}/export`: every comment of the site as NDJSON, a
/// download, audited as `GET /api/v1/sites/{site}/export` and `majlis export` are.
pub async fn export_site(
    state: web::Data<AppState>,
    SiteAdmin {
        cur,
        site: site_key,
        ..
    }: SiteAdmin<CsrfOnly>,
) -> Result<HttpResponse, ApiError> {
    service::start_export(&state.store, &cur.actor(), &site_key, now_ms())
        .await
        .or_api(cur.lang)?;
    let name = format!("majlis-{site_key}.ndjson");
    Ok(attachment(
        crate::routes::api::export::ndjson_response(state, site_key),
        &name,
    ))
}

#[derive(Deserialize)]
pub struct PersonForm {
    csrf: Option<String>,
    email: Option<String>,
}

/// `POST /dashboard/settings/{site}/privacy/export`: everything stored about one person, as
/// a JSON download in the format of `POST /api/v1/sites/{site}/privacy/export` and `majlis
/// privacy export` (audited as they are).
pub async fn export_person(
    state: web::Data<AppState>,
    SiteAdmin {
        cur,
        form,
        site: site_key,
    }: SiteAdmin<PersonForm>,
) -> Result<HttpResponse, ApiError> {
    let email = service::parse_person(form.email.as_deref())
        .map_err(|e| ApiError::validation(e, cur.lang))?;
    let records = service::person_records(&state.store, &cur.actor(), &site_key, &email, now_ms())
        .await
        .or_api(cur.lang)?;
    let doc = crate::routes::api::privacy::person_json(&email, records);
    Ok(attachment(
        crate::routes::api::private_json(doc),
        &format!("majlis-{site_key}-person.json"),
    ))
}

csrf_forms!(
    PersonForm,
    NewHookForm,
    HookForm,
    ErasureForm,
    CsrfOnly,
    AddModeratorForm,
    SiteForm,
    ReportSettingsForm,
    LexiconForm,
    PatternsForm,
    KeyForm
);
