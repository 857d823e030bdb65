//! Articles, stats, site settings (word lists, API keys) and accounts.
//! Settings need the `admin` role on the site; accounts need an admin of
//! every site. Every change is a CSRF-checked POST and lands in the audit log.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::guard::{self, Current, html, render, see_other};
use super::queue::layout;
use super::view::{Layout, Tr, gmt};
use crate::auth::password::hash_password;
use crate::auth::{Role, generate_api_key, hash_api_key};
use crate::domain::{Lang, ModerationMode, Site, new_id};
use crate::moderation::{Entry, Policy};
use crate::routes::error::{ApiError, ErrorCode};
use crate::service::{PolicyCache, now_ms};
use crate::startup::AppState;
use crate::storage::{ApiKeyRecord, ArticleRow, ModeratorRecord, StorageError};

const ARTICLES_PAGE: u32 = 100;
const STATS_DAYS: i64 = 14;
const DAY_MS: i64 = 86_400_000;

fn is_site_admin(cur: &Current, site: &str) -> bool {
    cur.moderator.role == "admin" && cur.moderator.can_moderate(site)
}

fn is_global_admin(cur: &Current) -> bool {
    cur.moderator.role == "admin" && cur.moderator.sites.is_empty()
}

fn store_err(lang: Lang) -> impl Fn(StorageError) -> ApiError {
    move |e| ApiError::storage(e, lang)
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
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SiteQuery>,
) -> Result<HttpResponse, ApiError> {
    let cur = match guard::page(&req, &state).await {
        Ok(c) => c,
        Err(resp) => return Ok(resp),
    };
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
        .map_err(store_err(lang))?;
    let auto_close_days = state
        .store
        .site(&site)
        .await
        .map_err(store_err(lang))?
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

/// `POST /dashboard/articles/{site}/{id}/{open|close}`
pub async fn article_commenting(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, ApiError> {
    let cur = match guard::action(&req, &state, form.csrf.as_deref()).await {
        Ok(c) => c,
        Err(resp) => return Ok(resp),
    };
    let lang = cur.lang;
    let (site, id, what) = path.into_inner();
    let closed = match what.as_str() {
        "close" => true,
        "open" => false,
        _ => return Err(ApiError::new(ErrorCode::NotFound, lang)),
    };
    let not_found = || ApiError::new(ErrorCode::NotFound, lang);
    if !cur.moderator.can_moderate(&site) {
        return Err(not_found());
    }
    let now = now_ms();
    let auto_close = state
        .store
        .site(&site)
        .await
        .map_err(store_err(lang))?
        .ok_or_else(not_found)?
        .auto_close_days
        .map(|d| now - i64::from(d) * 24 * 60 * 60 * 1000);
    let changed = state
        .store
        .set_article_closed(
            &site,
            &id,
            closed,
            auto_close,
            crate::webhooks::article_closed,
            &cur.moderator.id,
            now,
        )
        .await
        .map_err(store_err(lang))?;
    state.wake_outboxes();
    if !changed {
        return Err(not_found());
    }
    tracing::info!(article = %id, closed, moderator = %cur.moderator.id, "article commenting changed");
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
pub async fn stats(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let cur = match guard::page(&req, &state).await {
        Ok(c) => c,
        Err(resp) => return Ok(resp),
    };
    let lang = cur.lang;
    let sites = guard::sites_of(&state, &cur).await?;
    let now = now_ms();
    let s = state
        .store
        .stats(&sites, now - STATS_DAYS * DAY_MS)
        .await
        .map_err(store_err(lang))?;
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
        reasons: s.reasons,
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
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let cur = match guard::page(&req, &state).await {
        Ok(c) => c,
        Err(resp) => return Ok(resp),
    };
    let lang = cur.lang;
    if !is_global_admin(&cur) {
        return Err(ApiError::new(ErrorCode::NotFound, lang));
    }
    let accounts = state.store.moderators().await.map_err(store_err(lang))?;
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
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<AddModeratorForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    let cur = match guard::action(&req, &state, form.csrf.as_deref()).await {
        Ok(c) => c,
        Err(resp) => return Ok(resp),
    };
    let lang = cur.lang;
    if !is_global_admin(&cur) {
        return Err(ApiError::new(ErrorCode::NotFound, lang));
    }
    let bad = || ApiError::new(ErrorCode::InvalidParameter, lang);
    let email = form.email.unwrap_or_default().trim().to_lowercase();
    let role = form.role.unwrap_or_default();
    if !email.contains('@') || email.len() > 254 || Role::parse(&role).is_none() {
        return Err(bad());
    }
    let known = guard::sites_of(&state, &cur).await?;
    let sites: Vec<String> = form
        .sites
        .unwrap_or_default()
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if sites.iter().any(|s| !known.contains(s)) || (role == "moderator" && sites.is_empty()) {
        return Err(bad());
    }
    let hash = hash_password(&form.password.unwrap_or_default())
        .await
        .map_err(|_| bad())?;
    let record = ModeratorRecord {
        id: new_id(),
        email,
        role,
        password_hash: hash,
        lang: lang.code().into(),
        disabled_at: None,
        sites,
        created_at: now_ms(),
    };
    match state.store.insert_moderator(&record).await {
        Ok(()) => {}
        Err(StorageError::Conflict) => return Err(ApiError::new(ErrorCode::Conflict, lang)),
        Err(e) => return Err(ApiError::storage(e, lang)),
    }
    tracing::info!(account = %record.id, by = %cur.moderator.id, "moderator account created");
    Ok(see_other("/dashboard/moderators"))
}

/// `POST /dashboard/moderators/{id}/disable`: the account's sessions end now.
pub async fn disable_moderator(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, ApiError> {
    let cur = match guard::action(&req, &state, form.csrf.as_deref()).await {
        Ok(c) => c,
        Err(resp) => return Ok(resp),
    };
    let lang = cur.lang;
    let id = path.into_inner();
    if !is_global_admin(&cur) || id == cur.moderator.id {
        return Err(ApiError::new(ErrorCode::NotFound, lang));
    }
    if !state
        .store
        .disable_moderator(&id, now_ms())
        .await
        .map_err(store_err(lang))?
    {
        return Err(ApiError::new(ErrorCode::NotFound, lang));
    }
    state
        .store
        .delete_sessions_of(&id)
        .await
        .map_err(store_err(lang))?;
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
}

async fn settings_page(
    state: &AppState,
    cur: &Current,
    site_key: &str,
    new_key: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let sites: Vec<String> = guard::sites_of(state, cur)
        .await?
        .into_iter()
        .filter(|s| is_site_admin(cur, s))
        .collect();
    let site = state
        .store
        .site(site_key)
        .await
        .map_err(store_err(lang))?
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
        .map_err(store_err(lang))?
        .into_iter()
        .map(|k| KeyView {
            id: k.id,
            role: k.role,
            label: k.label,
            created: gmt(k.created_at),
            revoked: k.revoked_at.is_some(),
        })
        .collect();
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
    };
    Ok(html(StatusCode::OK, render(&t, lang)?))
}

async fn admin_gate(
    req: &HttpRequest,
    state: &AppState,
    csrf: Option<&str>,
    site: &str,
) -> Result<Current, HttpResponse> {
    let cur = guard::action(req, state, csrf).await?;
    if !is_site_admin(&cur, site) {
        return Err(actix_web::ResponseError::error_response(&ApiError::new(
            ErrorCode::SiteNotFound,
            cur.lang,
        )));
    }
    Ok(cur)
}

/// `GET /dashboard/settings?site=` (admins of the site)
pub async fn settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SiteQuery>,
) -> Result<HttpResponse, ApiError> {
    let cur = match guard::page(&req, &state).await {
        Ok(c) => c,
        Err(resp) => return Ok(resp),
    };
    let sites: Vec<String> = guard::sites_of(&state, &cur)
        .await?
        .into_iter()
        .filter(|s| is_site_admin(&cur, s))
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
    auto_close_days: Option<String>,
}

/// `POST /dashboard/settings/{site}`: the site's settings.
pub async fn save_site(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<SiteForm>,
) -> Result<HttpResponse, ApiError> {
    let site_key = path.into_inner();
    let form = form.into_inner();
    let cur = match admin_gate(&req, &state, form.csrf.as_deref(), &site_key).await {
        Ok(c) => c,
        Err(resp) => return Ok(resp),
    };
    let lang = cur.lang;
    let bad = || ApiError::new(ErrorCode::InvalidParameter, lang);
    let mut site = state
        .store
        .site(&site_key)
        .await
        .map_err(store_err(lang))?
        .ok_or_else(|| ApiError::new(ErrorCode::SiteNotFound, lang))?;
    if let Some(name) = form
        .name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
    {
        if name.chars().count() > 200 {
            return Err(bad());
        }
        site.name = name;
    }
    if let Some(m) = form.moderation.as_deref() {
        site.moderation_mode = ModerationMode::parse(m).ok_or_else(bad)?;
    }
    if let Some(n) = form.max_body.as_deref() {
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if !(5..=Site::MAX_BODY_CHARS_LIMIT).contains(&n) {
            return Err(bad());
        }
        site.max_body_chars = n;
    }
    if let Some(u) = form.terms_url {
        let u = u.trim().to_string();
        let l = u.to_ascii_lowercase();
        if !(u.is_empty() || l.starts_with("https://") || l.starts_with("http://"))
            || u.len() > 2000
        {
            return Err(bad());
        }
        site.terms_url = u;
    }
    if let Some(v) = form.terms_version.map(|v| v.trim().to_string()) {
        if v.is_empty() || v.len() > 50 {
            return Err(bad());
        }
        site.terms_version = v;
    }
    if let Some(o) = form.origins {
        let origins: Vec<String> = o
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        let ok = origins.iter().all(|o| {
            (o.starts_with("https://") || o.starts_with("http://"))
                && !o.ends_with('/')
                && o.matches('/').count() == 2
        });
        if !ok {
            return Err(bad());
        }
        site.allowed_origins = origins;
    }
    site.captcha_enabled = form.captcha.as_deref() == Some("on");
    site.auto_close_days = match form.auto_close_days.as_deref().map(str::trim) {
        None | Some("") | Some("0") => None,
        Some(d) => Some(d.parse::<u32>().map_err(|_| bad())?),
    };
    let now = now_ms();
    state
        .store
        .upsert_site(&site, now)
        .await
        .map_err(store_err(lang))?;
    let details = serde_json::json!({
        "moderation": site.moderation_mode.as_str(),
        "max_body": site.max_body_chars,
        "terms_url": site.terms_url,
        "terms_version": site.terms_version,
        "origins": site.allowed_origins,
        "captcha": site.captcha_enabled,
        "auto_close_days": site.auto_close_days,
    })
    .to_string();
    state
        .store
        .audit_setting(&site_key, &cur.moderator.id, "site_settings", &details, now)
        .await
        .map_err(store_err(lang))?;
    Ok(see_other(&format!("/dashboard/settings?site={site_key}")))
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
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<LexiconForm>,
) -> Result<HttpResponse, ApiError> {
    let (site_key, name) = path.into_inner();
    let form = form.into_inner();
    let cur = match admin_gate(&req, &state, form.csrf.as_deref(), &site_key).await {
        Ok(c) => c,
        Err(resp) => return Ok(resp),
    };
    let lang = cur.lang;
    let mut stored = PolicyCache::load(&state.store, &site_key)
        .await
        .map_err(|e| ApiError::internal(e, lang))?;
    let lexicon = stored
        .config
        .lexicons
        .iter_mut()
        .find(|l| l.name == name)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, lang))?;
    let text = form.entries.unwrap_or_default();
    let mut entries = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        // `term | hold substring forms=a,b` sets the options; a bare term keeps those it had.
        let parsed = Entry::parse_line(line);
        let entry = if line.contains('|') {
            parsed
        } else {
            lexicon
                .entries
                .iter()
                .find(|e| e.term() == parsed.term())
                .cloned()
                .unwrap_or(parsed)
        };
        if entries.iter().all(|e: &Entry| e.term() != entry.term()) {
            entries.push(entry);
        }
    }
    let (before, after) = (lexicon.entries.len(), entries.len());
    lexicon.entries = entries;
    lexicon.version += 1;
    let version = lexicon.version;
    if let Err(e) = Policy::compile(&stored.config) {
        return Err(ApiError::new(ErrorCode::InvalidPolicy, lang).with_detail(e.to_string()));
    }
    let json = serde_json::to_string(&stored.config).map_err(|e| ApiError::internal(e, lang))?;
    let now = now_ms();
    match state
        .store
        .save_site_policy(&site_key, &json, stored.version, now)
        .await
    {
        Ok(_) => {}
        Err(StorageError::Conflict) => return Err(ApiError::new(ErrorCode::Conflict, lang)),
        Err(e) => return Err(ApiError::storage(e, lang)),
    }
    let details =
        serde_json::json!({"list": name, "version": version, "entries_before": before, "entries_after": after})
            .to_string();
    state
        .store
        .audit_setting(&site_key, &cur.moderator.id, "word_list", &details, now)
        .await
        .map_err(store_err(lang))?;
    Ok(see_other(&format!("/dashboard/settings?site={site_key}")))
}

#[derive(Deserialize)]
pub struct PatternsForm {
    csrf: Option<String>,
    patterns: Option<String>,
}

/// `POST /dashboard/settings/{site}/patterns`: replace the pattern rules (term classes and
/// rules, as the JSON document the rules API carries in `patterns`).
pub async fn save_patterns(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<PatternsForm>,
) -> Result<HttpResponse, ApiError> {
    let site_key = path.into_inner();
    let form = form.into_inner();
    let cur = match admin_gate(&req, &state, form.csrf.as_deref(), &site_key).await {
        Ok(c) => c,
        Err(resp) => return Ok(resp),
    };
    let lang = cur.lang;
    let patterns: crate::moderation::PatternConfig =
        serde_json::from_str(form.patterns.as_deref().unwrap_or("")).map_err(|e| {
            ApiError::new(ErrorCode::InvalidPolicy, lang).with_detail(e.to_string())
        })?;
    let mut stored = PolicyCache::load(&state.store, &site_key)
        .await
        .map_err(|e| ApiError::internal(e, lang))?;
    let details = serde_json::json!({
        "classes_before": stored.config.patterns.classes.len(),
        "rules_before": stored.config.patterns.rules.len(),
        "classes_after": patterns.classes.len(),
        "rules_after": patterns.rules.len(),
    })
    .to_string();
    stored.config.patterns = patterns;
    if let Err(e) = Policy::compile(&stored.config) {
        return Err(ApiError::new(ErrorCode::InvalidPolicy, lang).with_detail(e.to_string()));
    }
    let json = serde_json::to_string(&stored.config).map_err(|e| ApiError::internal(e, lang))?;
    let now = now_ms();
    match state
        .store
        .save_site_policy(&site_key, &json, stored.version, now)
        .await
    {
        Ok(_) => {}
        Err(StorageError::Conflict) => return Err(ApiError::new(ErrorCode::Conflict, lang)),
        Err(e) => return Err(ApiError::storage(e, lang)),
    }
    state
        .store
        .audit_setting(&site_key, &cur.moderator.id, "pattern_rules", &details, now)
        .await
        .map_err(store_err(lang))?;
    Ok(see_other(&format!("/dashboard/settings?site={site_key}")))
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
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<KeyForm>,
) -> Result<HttpResponse, ApiError> {
    let site_key = path.into_inner();
    let form = form.into_inner();
    let cur = match admin_gate(&req, &state, form.csrf.as_deref(), &site_key).await {
        Ok(c) => c,
        Err(resp) => return Ok(resp),
    };
    let lang = cur.lang;
    let role = Role::parse(form.role.as_deref().unwrap_or(""))
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidParameter, lang))?;
    let label: String = form
        .label
        .unwrap_or_default()
        .trim()
        .chars()
        .take(100)
        .collect();
    let secret = generate_api_key();
    let now = now_ms();
    let record = ApiKeyRecord {
        id: new_id(),
        site_key: site_key.clone(),
        role: role.as_str().into(),
        label,
        created_at: now,
        revoked_at: None,
    };
    state
        .store
        .insert_api_key(&record, &hash_api_key(&secret))
        .await
        .map_err(store_err(lang))?;
    let details = serde_json::json!({"key": record.id, "role": record.role}).to_string();
    state
        .store
        .audit_setting(
            &site_key,
            &cur.moderator.id,
            "api_key_created",
            &details,
            now,
        )
        .await
        .map_err(store_err(lang))?;
    settings_page(&state, &cur, &site_key, Some(secret)).await
}

/// `POST /dashboard/settings/{site}/apikeys/{id}/revoke`
pub async fn revoke_key(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, ApiError> {
    let (site_key, id) = path.into_inner();
    let cur = match admin_gate(&req, &state, form.csrf.as_deref(), &site_key).await {
        Ok(c) => c,
        Err(resp) => return Ok(resp),
    };
    let lang = cur.lang;
    let now = now_ms();
    if !state
        .store
        .revoke_api_key(&site_key, &id, now)
        .await
        .map_err(store_err(lang))?
    {
        return Err(ApiError::new(ErrorCode::NotFound, lang));
    }
    let details = serde_json::json!({"key": id}).to_string();
    state
        .store
        .audit_setting(
            &site_key,
            &cur.moderator.id,
            "api_key_revoked",
            &details,
            now,
        )
        .await
        .map_err(store_err(lang))?;
    Ok(see_other(&format!("/dashboard/settings?site={site_key}")))
}
