//! The moderation queue: tabs, filters, and every decision on one comment
//! or on a selection. A moderator only ever sees and touches the sites the
//! account may moderate; another site's comment is simply not found.

use std::collections::HashMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::guard::{self, Action, Current, Session, csrf_forms, html, nonempty, render, see_other};
use super::view::{Layout, Segment, Tr, gmt, highlight, parse_day, safe_return};
use crate::domain::{Block, BlockDto, CommentEditDto, CommentStatus, Lang, NOTE_MAX};
use crate::moderation::{Field, Finding};
use crate::routes::AppState;
use crate::routes::error::{ApiError, ErrorCode, OrApi};
use crate::routes::extract::wants_json;
use crate::routes::time_fmt::rfc3339;
use crate::service::{self, Decision, DecisionError, decide, now_ms};
use crate::storage::{QueueFilter, QueueTab, TAB_COUNT_CAP};

/// Comments per queue page.
pub const PAGE_SIZE: u32 = 50;
/// Reasons a moderator may give for a rejection (mirroring the rule categories).
pub const REJECT_REASONS: [&str; 7] = [
    "insult",
    "religion",
    "sectarian_racist",
    "obscenity",
    "spam",
    "off_topic",
    "other",
];
/// Most comments in one bulk action.
const BULK_MAX: usize = 200;

pub struct BlockOption {
    pub kind: &'static str,
    pub value: String,
    pub label: &'static str,
}

pub struct FindingView {
    pub code: String,
    pub explanation: String,
    /// What it adds to the spam score.
    pub weight: Option<u32>,
}

/// The last decision that put a comment where it is: who, why, when.
pub struct DecisionView {
    pub status: String,
    pub actor: String,
    /// Rules, not a person.
    pub by_rules: bool,
    pub reason: String,
    pub note: String,
    pub when_gmt: String,
    pub when_iso: String,
}

pub struct ItemView {
    pub site: String,
    /// The author's history page.
    pub author_url: String,
    pub decision: Option<DecisionView>,
    pub id: String,
    pub status: CommentStatus,
    pub flagged: bool,
    pub held: bool,
    /// The spam score held it: `spam` is the suggested decision (key s).
    pub suggest_spam: bool,
    pub name: Vec<Segment>,
    pub email: String,
    pub title: Vec<Segment>,
    pub body: Vec<Segment>,
    pub raw_title: String,
    pub raw_body: String,
    pub article_key: String,
    pub article_title: String,
    pub article_url: Option<String>,
    pub approved: i64,
    pub rejected: i64,
    pub ip_hash: String,
    pub when_gmt: String,
    pub when_iso: String,
    pub findings: Vec<FindingView>,
    pub blocks: Vec<BlockOption>,
    /// For a reply: the comment it answers (its author, text and status).
    pub parent: Option<ParentView>,
    pub featured: bool,
}

pub struct ParentView {
    pub name: String,
    pub body: String,
    pub status: String,
}

pub struct TabView {
    pub key: &'static str,
    pub label: &'static str,
    /// The badge: the count, or "999+" where counting stopped.
    pub count: String,
}

/// A tab's badge for a count that stops at [`TAB_COUNT_CAP`].
fn badge(count: i64) -> String {
    if count >= TAB_COUNT_CAP {
        format!("{}+", TAB_COUNT_CAP - 1)
    } else {
        count.to_string()
    }
}

/// The filter values as the form shows them again.
pub struct FilterValues {
    pub site: String,
    pub article: String,
    pub from: String,
    pub to: String,
    pub email: String,
    pub q: String,
    pub newest: bool,
}

#[derive(Template)]
#[template(path = "dashboard/queue.html")]
struct QueueTemplate {
    layout: Layout,
    tr: Tr,
    tabs: Vec<TabView>,
    tab: &'static str,
    sites: Vec<String>,
    f: FilterValues,
    items: Vec<ItemView>,
    reasons: Vec<(&'static str, &'static str)>,
    return_to: String,
    next_page: Option<String>,
    prev_page: Option<String>,
    notice: Option<&'static str>,
    /// How long a decision waits for an undo (`dashboard.undo_secs`).
    undo_ms: u64,
}

#[derive(Deserialize, Default, Clone)]
pub struct QueueQuery {
    pub tab: Option<String>,
    pub site: Option<String>,
    pub article: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub email: Option<String>,
    pub q: Option<String>,
    pub order: Option<String>,
    pub page: Option<u32>,
    pub done: Option<String>,
    /// One comment by id (the audit log links here).
    pub comment: Option<String>,
}

impl QueueQuery {
    /// This query as a URL, on another page.
    fn url(&self, page: u32) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("tab", &self.tab),
            ("site", &self.site),
            ("article", &self.article),
            ("from", &self.from),
            ("to", &self.to),
            ("email", &self.email),
            ("q", &self.q),
            ("order", &self.order),
            ("comment", &self.comment),
        ] {
            if let Some(v) = nonempty(v) {
                pairs.push((k, v));
            }
        }
        if page > 0 {
            pairs.push(("page", page.to_string()));
        }
        let query: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    percent_encoding::utf8_percent_encode(&v, percent_encoding::NON_ALPHANUMERIC)
                )
            })
            .collect();
        if query.is_empty() {
            "/dashboard".into()
        } else {
            format!("/dashboard?{}", query.join("&"))
        }
    }
}

pub fn layout(cur: &Current, active: &'static str) -> Layout {
    Layout {
        lang: cur.lang.code(),
        dir: cur.lang.dir(),
        csrf: cur.csrf.clone(),
        me: cur.moderator.email.clone(),
        admin: cur.moderator.role == "admin",
        admin_of_all: cur.moderator.role == "admin" && cur.moderator.sites.is_empty(),
        active,
    }
}

fn item_view(
    site: String,
    i: crate::storage::QueueItem,
    history: (i64, i64),
    lang: Lang,
) -> ItemView {
    let findings: &[Finding] = &i.findings;
    let domain = i
        .email
        .rsplit_once('@')
        .map(|(_, d)| d.to_string())
        .unwrap_or_default();
    let blocks = vec![
        BlockOption {
            kind: "email",
            value: i.email.clone(),
            label: "dash.block.email",
        },
        BlockOption {
            kind: "domain",
            value: domain,
            label: "dash.block.domain",
        },
        BlockOption {
            kind: "ip_hash",
            value: i.ip_hash.clone(),
            label: "dash.block.ip",
        },
    ];
    ItemView {
        author_url: super::author::history_url(&site, &i.email),
        decision: None,
        blocks,
        name: highlight(&i.name, findings, Field::Name),
        title: highlight(&i.title, findings, Field::Title),
        body: highlight(&i.body, findings, Field::Body),
        findings: findings
            .iter()
            .map(|f| FindingView {
                code: crate::i18n::label(lang, crate::i18n::Code::Finding, &f.code),
                explanation: match lang {
                    Lang::Ar => f.explanation_ar.clone(),
                    Lang::En => f.explanation_en.clone(),
                },
                weight: f.weight,
            })
            .collect(),
        held: i.status == CommentStatus::Held,
        featured: i.featured_at.is_some(),
        parent: i.parent.map(|p| ParentView {
            name: p.name,
            body: p.body,
            status: crate::i18n::label(lang, crate::i18n::Code::Status, p.status.as_str()),
        }),
        suggest_spam: crate::moderation::spam::suggestion(findings).is_some(),
        site,
        id: i.id,
        status: i.status,
        flagged: i.flagged,
        email: i.email,
        raw_title: i.title,
        raw_body: i.body,
        article_title: i.article_title.unwrap_or_else(|| i.article_key.clone()),
        article_key: i.article_key,
        article_url: i.article_url.filter(|u| {
            let l = u.to_ascii_lowercase();
            l.starts_with("https://") || l.starts_with("http://")
        }),
        approved: history.0,
        rejected: history.1,
        ip_hash: i.ip_hash,
        when_gmt: gmt(i.created_at),
        when_iso: rfc3339(i.created_at),
    }
}

/// `GET /dashboard`: one tab of the queue with filters.
pub async fn page(
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
    Session(cur): Session,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let q = query.into_inner();
    let bad = || ApiError::new(ErrorCode::InvalidParameter, lang);
    let tab = match nonempty(&q.tab) {
        None => QueueTab::Pending,
        Some(t) => QueueTab::parse(&t).ok_or_else(bad)?,
    };
    let sites = guard::sites_of(&state, &cur).await?;
    let chosen = guard::chosen_sites(&sites, &q.site);
    let day = |v: &Option<String>| -> Result<Option<i64>, ApiError> {
        nonempty(v)
            .map(|d| parse_day(&d).ok_or_else(bad))
            .transpose()
    };
    let page = q.page.unwrap_or(0).min(10_000);
    let filter = QueueFilter {
        sites: chosen.clone(),
        tab,
        article: nonempty(&q.article),
        from: day(&q.from)?,
        until: day(&q.to)?.map(|d| d + 86_400_000),
        email: nonempty(&q.email),
        text: nonempty(&q.q).map(|t| t.chars().take(200).collect()),
        comment: nonempty(&q.comment),
        oldest_first: q.order.as_deref() != Some("newest"),
        limit: PAGE_SIZE + 1,
        offset: page * PAGE_SIZE,
    };
    let mut rows = state.store.dashboard_queue(&filter).await.or_api(lang)?;
    let more = rows.len() > PAGE_SIZE as usize;
    rows.truncate(PAGE_SIZE as usize);
    let mut history: HashMap<(String, String), (i64, i64)> = HashMap::new();
    for site in &chosen {
        let emails: Vec<String> = rows
            .iter()
            .filter(|r| &r.site_key == site)
            .map(|r| r.item.email.clone())
            .collect();
        if emails.is_empty() {
            continue;
        }
        let counts = state
            .store
            .author_history(site, &emails)
            .await
            .or_api(lang)?;
        for (email, n) in counts {
            history.insert((site.clone(), email), n);
        }
    }
    let decisions = decisions(&state, &rows, lang).await?;
    // One comment opened by id: the tab it is in is the one shown.
    let tab = match (&filter.comment, rows.first()) {
        (Some(_), Some(r)) => QueueTab::of(
            r.item.status,
            decisions
                .get(&(r.site_key.clone(), r.item.id.clone()))
                .is_some_and(|d| !d.by_rules),
        ),
        _ => tab,
    };
    let mut decisions = decisions;
    let views: Vec<ItemView> = rows
        .into_iter()
        .map(|r| {
            let h = history
                .get(&(r.site_key.clone(), r.item.email.clone()))
                .copied()
                .unwrap_or((0, 0));
            let decision = decisions.remove(&(r.site_key.clone(), r.item.id.clone()));
            ItemView {
                decision,
                ..item_view(r.site_key, r.item, h, lang)
            }
        })
        .collect();
    let tabs = state
        .store
        .tab_counts(&chosen)
        .await
        .or_api(lang)?
        .into_iter()
        .map(|(t, count)| TabView {
            key: t.as_str(),
            label: crate::i18n::t(lang, &format!("dash.tab.{}", t.as_str())),
            count: badge(count),
        })
        .collect();
    let notice = match q.done.as_deref() {
        Some("ok") => Some("dash.done"),
        Some("skipped") => Some("dash.bulk_skipped_held"),
        _ => None,
    };
    let return_to = q.url(page);
    let template = QueueTemplate {
        layout: layout(&cur, "queue"),
        tr: Tr(lang),
        tabs,
        tab: tab.as_str(),
        sites,
        next_page: more.then(|| q.url(page + 1)),
        prev_page: (page > 0).then(|| q.url(page - 1)),
        f: FilterValues {
            site: q.site.clone().unwrap_or_default(),
            article: q.article.clone().unwrap_or_default(),
            from: q.from.clone().unwrap_or_default(),
            to: q.to.clone().unwrap_or_default(),
            email: q.email.clone().unwrap_or_default(),
            q: q.q.clone().unwrap_or_default(),
            newest: q.order.as_deref() == Some("newest"),
        },
        items: views,
        reasons: REJECT_REASONS
            .iter()
            .map(|r| (*r, crate::i18n::t(lang, &format!("dash.reason.{r}"))))
            .collect(),
        return_to,
        notice,
        undo_ms: state.settings.dashboard.undo_secs.saturating_mul(1000),
    };
    Ok(html(StatusCode::OK, render(&template, lang)?))
}

/// The decision behind each decided comment of the page (published,
/// rejected, spam or deleted), by `(site, id)`: the last audit row that
/// moved it to its status.
async fn decisions(
    state: &AppState,
    rows: &[crate::storage::SiteItem],
    lang: Lang,
) -> Result<HashMap<(String, String), DecisionView>, ApiError> {
    let mut by_site: HashMap<&str, Vec<String>> = HashMap::new();
    for r in rows {
        if !matches!(r.item.status, CommentStatus::Pending | CommentStatus::Held) {
            by_site
                .entry(r.site_key.as_str())
                .or_default()
                .push(r.item.id.clone());
        }
    }
    let mut out = HashMap::new();
    if by_site.is_empty() {
        return Ok(out);
    }
    let emails: HashMap<String, String> = state
        .store
        .moderators()
        .await
        .or_api(lang)?
        .into_iter()
        .map(|m| (m.id, m.email))
        .collect();
    let status_of: HashMap<(&str, &str), CommentStatus> = rows
        .iter()
        .map(|r| ((r.site_key.as_str(), r.item.id.as_str()), r.item.status))
        .collect();
    for (site, ids) in by_site {
        let trail = state
            .store
            .audit_for_comments(site, &ids)
            .await
            .or_api(lang)?;
        // Oldest first: a later row replaces an earlier one.
        for (e, _) in trail {
            let Some(id) = e.comment_id.as_deref() else {
                continue;
            };
            let Some(status) = status_of.get(&(site, id)) else {
                continue;
            };
            if e.to_status.as_deref() != Some(status.as_str()) {
                continue;
            }
            let by_rules = e.actor_kind == "system";
            let actor = match e.actor_kind.as_str() {
                "moderator" => emails
                    .get(&e.actor_id)
                    .cloned()
                    .unwrap_or_else(|| e.actor_id.clone()),
                kind if e.actor_id.is_empty() || by_rules => {
                    crate::i18n::label(lang, crate::i18n::Code::Actor, kind)
                }
                kind => format!(
                    "{} {}",
                    crate::i18n::label(lang, crate::i18n::Code::Actor, kind),
                    e.actor_id
                ),
            };
            out.insert(
                (site.to_string(), id.to_string()),
                DecisionView {
                    status: crate::i18n::label(lang, crate::i18n::Code::Status, status.as_str()),
                    actor,
                    by_rules,
                    reason: e
                        .reason
                        .as_deref()
                        .map(|r| crate::i18n::label(lang, crate::i18n::Code::Reason, r))
                        .unwrap_or_default(),
                    note: e.note.clone().unwrap_or_default(),
                    when_gmt: gmt(e.created_at),
                    when_iso: rfc3339(e.created_at),
                },
            );
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
pub struct CountsQuery {
    site: Option<String>,
}

/// `GET /dashboard/counts?site=`: the queue's tab counts as JSON
/// (`{"pending": 3, ...}`), so the tabs stay current after decisions made
/// in place. Each stops at [`TAB_COUNT_CAP`] (the badge shows "999+").
pub async fn counts(
    state: web::Data<AppState>,
    query: web::Query<CountsQuery>,
    Session(cur): Session,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let sites = guard::sites_of(&state, &cur).await?;
    let chosen = guard::chosen_sites(&sites, &query.site);
    let counts: std::collections::BTreeMap<&'static str, i64> = state
        .store
        .tab_counts(&chosen)
        .await
        .or_api(lang)?
        .into_iter()
        .map(|(t, n)| (t.as_str(), n))
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(counts))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: Option<String>,
    reason: Option<String>,
    note: Option<String>,
    return_to: Option<String>,
}

/// After an action: JSON for the page script, else back to the queue.
fn done(req: &HttpRequest, return_to: Option<&str>, status: &str, notice: &str) -> HttpResponse {
    if wants_json(req) {
        return HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(serde_json::json!({ "status": status }));
    }
    let back = safe_return(return_to);
    let sep = if back.contains('?') { '&' } else { '?' };
    see_other(&format!("{back}{sep}done={notice}"))
}

fn action_target(action: &str) -> Option<(CommentStatus, &'static str)> {
    match action {
        "approve" => Some((CommentStatus::Published, "approve")),
        "reject" => Some((CommentStatus::Rejected, "reject")),
        "spam" => Some((CommentStatus::Spam, "spam")),
        "delete" => Some((CommentStatus::Deleted, "delete")),
        _ => None,
    }
}

fn clean_note(note: Option<String>, lang: Lang) -> Result<Option<String>, ApiError> {
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > NOTE_MAX) {
        return Err(ApiError::new(ErrorCode::InvalidParameter, lang));
    }
    Ok(note)
}

fn clean_reason(
    action: &str,
    reason: Option<String>,
    lang: Lang,
) -> Result<Option<String>, ApiError> {
    let reason = reason.filter(|r| !r.is_empty());
    match (action, reason) {
        ("reject", Some(r)) if REJECT_REASONS.contains(&r.as_str()) => Ok(Some(r)),
        ("reject", _) => Err(ApiError::new(ErrorCode::InvalidParameter, lang)),
        ("spam", _) => Ok(Some("spam".into())),
        _ => Ok(None),
    }
}

/// `POST /dashboard/comments/{site}/{id}/{action}`: approve, reject (with a
/// reason code), spam or delete one comment.
pub async fn act(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    Action { cur, form }: Action<DecisionForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let (site, id, action) = path.into_inner();
    let Some((to, action)) = action_target(&action) else {
        return Err(ApiError::new(ErrorCode::NotFound, lang));
    };
    if !cur.moderator.can_moderate(&site) {
        return Err(ApiError::new(ErrorCode::CommentNotFound, lang));
    }
    let reason = clean_reason(action, form.reason, lang)?;
    let note = clean_note(form.note, lang)?;
    let status = decide(
        &state.store,
        &state.composer,
        &state.wakes,
        Decision::new(&site, &id, (to, action), cur.actor(), now_ms()).because(reason, note),
    )
    .await
    .or_api(lang)?;
    tracing::info!(comment = %id, action, moderator = %cur.moderator.id, "moderation decision");
    Ok(done(&req, form.return_to.as_deref(), status.as_str(), "ok"))
}

/// `POST /dashboard/bulk`: approve or reject the selected comments
/// (`ids` = `site/id`, repeated). Held comments are never bulk-approved.
pub async fn bulk(
    req: HttpRequest,
    state: web::Data<AppState>,
    Action { cur, form: pairs }: Action<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let lang = cur.lang;
    let bad = || ApiError::new(ErrorCode::InvalidParameter, lang);
    let action = field("action").unwrap_or_default();
    let (to, action) = match action.as_str() {
        "approve" | "reject" => action_target(&action).ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    let reason = clean_reason(action, field("reason"), lang)?;
    let note = clean_note(field("note"), lang)?;
    let ids: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| v.split_once('/'))
        .map(|(s, i)| (s.to_string(), i.to_string()))
        .collect();
    if ids.is_empty() || ids.len() > BULK_MAX {
        return Err(bad());
    }
    let mut skipped = 0;
    let now = now_ms();
    for (site, id) in ids {
        if !cur.moderator.can_moderate(&site) {
            skipped += 1;
            continue;
        }
        let comment = state.store.comment(&site, &id).await.or_api(lang)?;
        let Some(comment) = comment else {
            skipped += 1;
            continue;
        };
        if to == CommentStatus::Published && comment.status == CommentStatus::Held {
            skipped += 1;
            continue;
        }
        match decide(
            &state.store,
            &state.composer,
            &state.wakes,
            Decision::new(&site, &id, (to, action), cur.actor(), now)
                .because(reason.clone(), note.clone()),
        )
        .await
        {
            Ok(_) => {}
            Err(
                DecisionError::NotFound
                | DecisionError::NotAllowed(_)
                | DecisionError::LinkUsed
                | DecisionError::NotModerator,
            ) => skipped += 1,
            Err(DecisionError::Storage(e)) => return Err(ApiError::storage(e, lang)),
        }
    }
    tracing::info!(action, skipped, moderator = %cur.moderator.id, "bulk moderation decision");
    let notice = if skipped > 0 { "skipped" } else { "ok" };
    Ok(done(&req, field("return_to").as_deref(), action, notice))
}

#[derive(Deserialize)]
pub struct EditForm {
    csrf: Option<String>,
    title: Option<String>,
    body: Option<String>,
    note: Option<String>,
    return_to: Option<String>,
}

/// `POST /dashboard/comments/{site}/{id}/edit`: fix a title or body, with
/// the field rules of a submission (as `PATCH` in the API).
pub async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    Action { cur, form }: Action<EditForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let (site_key, id) = path.into_inner();
    if !cur.moderator.can_moderate(&site_key) {
        return Err(ApiError::new(ErrorCode::CommentNotFound, lang));
    }
    let dto = CommentEditDto {
        title: Some(form.title.unwrap_or_default()),
        body: Some(form.body.unwrap_or_default()),
        note: form.note,
    };
    let status = service::edit_comment(
        &state.store,
        &state.policies,
        &state.wakes,
        &cur.actor(),
        &site_key,
        &id,
        dto,
        now_ms(),
    )
    .await
    .or_api(lang)?;
    tracing::info!(comment = %id, moderator = %cur.moderator.id, "comment edited");
    Ok(done(&req, form.return_to.as_deref(), status.as_str(), "ok"))
}

#[derive(Deserialize)]
pub struct BlockForm {
    csrf: Option<String>,
    site: Option<String>,
    /// `email`, `domain`, `ip` (address or CIDR) or `ip_hash` (from a comment).
    kind: Option<String>,
    value: Option<String>,
    /// Hours; empty = until removed.
    hours: Option<String>,
    reason: Option<String>,
    return_to: Option<String>,
}

/// `POST /dashboard/block`: block an author's email, email domain or
/// address for a while; the posting rules refuse them from then on.
pub async fn block(
    req: HttpRequest,
    state: web::Data<AppState>,
    Action { cur, form }: Action<BlockForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let site = form.site.unwrap_or_default();
    if !cur.moderator.can_moderate(&site) {
        return Err(ApiError::new(ErrorCode::SiteNotFound, lang));
    }
    let block = Block::parse(BlockDto {
        kind: form.kind,
        value: form.value,
        hours: form.hours,
        reason: form.reason,
    })
    .map_err(|e| ApiError::invalid_fields(e, lang))?;
    service::add_block(&state.store, &cur.actor(), &site, &block, now_ms())
        .await
        .or_api(lang)?;
    tracing::info!(kind = block.kind().as_str(), moderator = %cur.moderator.id, "block added");
    Ok(done(&req, form.return_to.as_deref(), "blocked", "ok"))
}

csrf_forms!(DecisionForm, EditForm, BlockForm);

#[derive(Deserialize)]
pub struct FeatureForm {
    csrf: Option<String>,
    return_to: Option<String>,
}

csrf_forms!(FeatureForm);

/// `POST /dashboard/featured/{site}/{id}/{on|off}`: feature a published
/// comment or stop featuring it (the API's use case), then back.
pub async fn feature(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    Action { cur, form }: Action<FeatureForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = cur.lang;
    let (site, id, switch) = path.into_inner();
    let on = match switch.as_str() {
        "on" => true,
        "off" => false,
        _ => return Err(ApiError::new(ErrorCode::NotFound, lang)),
    };
    if !cur.moderator.can_moderate(&site) {
        return Err(ApiError::new(ErrorCode::CommentNotFound, lang));
    }
    crate::service::set_featured(
        &state.store,
        &state.wakes,
        &cur.actor(),
        &site,
        &id,
        on,
        now_ms(),
    )
    .await
    .or_api(lang)?;
    Ok(see_other(&safe_return(form.return_to.as_deref())))
}
