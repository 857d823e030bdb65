use std::net::IpAddr;

use super::notify::submission_mail;
use super::rules::{PolicyCache, RulesError, signals};
use crate::captcha::{CaptchaError, CaptchaService};
use crate::domain::{
    ArticleRef, CommentStatus, Lang, ModerationMode, NewComment, Site, SubmissionDto,
    ValidationErrors, new_id,
};
use crate::email::{Composer, MailComment};
use crate::moderation::{Action, Submission, TrapSignals, body_fingerprint, evaluate, traps};
use crate::storage::{AuthorQuery, InsertOutcome, NewCommentRecord, StorageError, Store};

/// What a successful submission tells the submitter.
#[derive(Debug, Clone)]
pub struct SubmitOutcome {
    pub id: String,
    pub status: CommentStatus,
}

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("invalid submission")]
    Validation(ValidationErrors),
    #[error("captcha failed")]
    Captcha,
    #[error("article is closed")]
    ArticleClosed,
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("captcha could not be checked")]
    CaptchaBroken(#[source] CaptchaError),
    /// Too many comments too fast: nothing stored, retry after this many seconds.
    #[error("rate limited")]
    RateLimited(u64),
    /// Stored as `rejected` for the moderators; the submitter is told it
    /// breaks the posting rules (never which words).
    #[error("rejected by the posting rules")]
    RejectedByRules { id: String },
    #[error(transparent)]
    Rules(#[from] RulesError),
}

impl From<CaptchaError> for SubmitError {
    fn from(e: CaptchaError) -> SubmitError {
        match e {
            CaptchaError::Invalid => SubmitError::Captcha,
            CaptchaError::Storage(s) => SubmitError::Storage(s),
            other => SubmitError::CaptchaBroken(other),
        }
    }
}

pub struct SubmitContext<'a> {
    pub store: &'a Store,
    pub captcha: &'a CaptchaService,
    pub policies: &'a PolicyCache,
    pub composer: &'a Composer,
    pub site: &'a Site,
    pub article_key: &'a str,
    pub lang: Lang,
    pub ip: Option<IpAddr>,
    pub ip_hash: String,
    pub now: i64,
}

const HOUR_MS: i64 = 60 * 60 * 1000;

/// The article URL and title a submission may register. Anyone can submit,
/// so what the page claims is kept only when it is the site's own: a URL on
/// one of the site's origins (the moderators' `PUT .../articles/{article}`
/// remains the authority, and can correct either). A URL elsewhere is ignored,
/// and so is the title that came with it (a page that lies about where it is
/// lies about its title too); a title that carries a link is ignored as well.
/// Storage only fills an article's empty URL and title with these.
fn article_claims(site: &Site, a: &ArticleRef) -> (Option<String>, Option<String>) {
    let url = match &a.url {
        Some(u) if !site.owns_url(u) => {
            let host = url::Url::parse(u)
                .ok()
                .and_then(|p| p.host_str().map(str::to_string))
                .unwrap_or_default();
            tracing::warn!(
                site = %site.key, article = %a.key, %host,
                "article_url ignored: not on one of the site's origins"
            );
            return (None, None);
        }
        other => other.clone(),
    };
    let title = a.title.clone().filter(|t| {
        let lower = t.to_lowercase();
        let linked = lower.contains("://") || lower.contains("www.");
        if linked {
            tracing::warn!(site = %site.key, article = %a.key, "article_title ignored: it carries a link");
        }
        !linked
    });
    (url, title)
}

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Parse, check the captcha, decide the initial status and store the comment
/// with its audit row in one transaction.
///
/// Every field is checked before the code, and the code (spent by any
/// attempt) only once the rest is valid: a reader who mistyped their email
/// sends the same code again.
pub async fn submit_comment(
    ctx: SubmitContext<'_>,
    dto: &SubmissionDto,
) -> Result<SubmitOutcome, SubmitError> {
    let comment =
        NewComment::parse(dto, ctx.article_key, ctx.site).map_err(SubmitError::Validation)?;
    let issued_at = if ctx.site.captcha_enabled {
        Some(
            ctx.captcha
                .verify(ctx.site.key.as_str(), comment.captcha.as_ref(), ctx.now)
                .await?,
        )
    } else {
        None
    };
    let trapped = traps(&TrapSignals {
        honeypot_filled: dto.website.as_deref().is_some_and(|w| !w.trim().is_empty()),
        fill_ms: issued_at.map(|at| ctx.now.saturating_sub(at)),
        min_fill_ms: ctx.captcha.min_fill_ms(),
    });
    let site_key = ctx.site.key.as_str();
    let policy = ctx.policies.get(ctx.store, site_key).await?;
    let fingerprint = body_fingerprint(comment.body.as_str());
    let window_ms = i64::from(policy.config().duplicates.window_minutes).saturating_mul(60_000);
    let facts = ctx
        .store
        .author_facts(&AuthorQuery {
            site_key,
            email: comment.email.as_str(),
            ip_hash: &ctx.ip_hash,
            fingerprint: &fingerprint,
            hour_ago: ctx.now - HOUR_MS,
            window_start: ctx.now - window_ms,
            ip_count_cap: policy.config().rate.max_per_hour_ip,
        })
        .await?;
    let blocks = ctx.store.active_blocks(site_key, ctx.now).await?;
    let mut signals = signals(&facts, &blocks, comment.email.as_str(), ctx.ip, ctx.now);
    // The dashboard blocks an address it only knows by its keyed hash.
    signals.ip_blocked |= blocks
        .iter()
        .any(|b| b.kind == "ip_hash" && b.value == ctx.ip_hash);
    let verdict = evaluate(
        &Submission {
            name: comment.name.as_str(),
            email: comment.email.as_str(),
            title: comment.title.as_str(),
            body: comment.body.as_str(),
        },
        &signals,
        &policy,
    );
    if let Some(throttle) = &verdict.throttle {
        return Err(SubmitError::RateLimited(throttle.retry_after_secs.max(1)));
    }
    let status = match (verdict.action, ctx.site.moderation_mode) {
        // Stored for the record, answered like any other: bots learn nothing.
        _ if !trapped.is_empty() => CommentStatus::Spam,
        (Action::Reject, _) => CommentStatus::Rejected,
        (Action::Hold, _) => CommentStatus::Held,
        (_, ModerationMode::Pre) => CommentStatus::Pending,
        (_, ModerationMode::Post) => CommentStatus::Published,
    };
    let (article_url, article_title) = article_claims(ctx.site, &comment.article);
    let all_findings: Vec<_> = trapped.iter().chain(&verdict.findings).collect();
    let findings = serde_json::to_string(&all_findings).unwrap_or_else(|_| "[]".into());
    // A rejection by the rules names the finding that decided it.
    let rules_reason = (status == CommentStatus::Rejected)
        .then(|| {
            verdict
                .findings
                .iter()
                .find(|f| f.action == Action::Reject)
                .map(|f| f.code.clone())
        })
        .flatten();
    let id = new_id();
    let mail = MailComment {
        id: id.clone(),
        name: comment.name.as_str().to_string(),
        email: comment.email.as_str().to_string(),
        title: comment.title.as_str().to_string(),
        body: comment.body.as_str().to_string(),
        article_key: comment.article.key.clone(),
        article_title: article_title.clone(),
        article_url: article_url.clone(),
        findings: findings.clone(),
    };
    let outbox = submission_mail(ctx.store, ctx.composer, ctx.site, status, &mail, ctx.now).await?;
    // A trapped submission is bot noise: no integrator hears of it.
    let webhooks = if status == CommentStatus::Spam {
        Vec::new()
    } else {
        crate::webhooks::submission_events(
            &crate::webhooks::CommentData::submitted(
                &id,
                site_key,
                (
                    &comment.article.key,
                    article_title.as_deref(),
                    article_url.as_deref(),
                ),
                status,
                verdict.action == Action::Flag,
                (
                    comment.name.as_str(),
                    comment.title.as_str(),
                    comment.body.as_str(),
                ),
                ctx.lang.code(),
                ctx.now,
            )
            .by(None, rules_reason.as_deref()),
            status,
            ctx.now,
        )
    };
    let record = NewCommentRecord {
        id,
        site_key: ctx.site.key.as_str().to_string(),
        article_key: comment.article.key.clone(),
        article_url,
        article_title,
        status,
        flagged: verdict.action == Action::Flag,
        author_name: comment.name.as_str().to_string(),
        author_email: comment.email.as_str().to_string(),
        title: comment.title.as_str().to_string(),
        body: comment.body.as_str().to_string(),
        lang: ctx.lang.code().to_string(),
        terms_version: ctx.site.terms_version.clone(),
        ip_hash: ctx.ip_hash,
        body_fingerprint: fingerprint,
        findings,
        created_at: ctx.now,
        closed_if_created_before: ctx
            .site
            .auto_close_days
            .map(|d| ctx.now - i64::from(d) * DAY_MS),
        outbox,
        webhooks,
    };
    match ctx.store.insert_comment(&record).await? {
        InsertOutcome::Stored if status == CommentStatus::Rejected => {
            Err(SubmitError::RejectedByRules { id: record.id })
        }
        InsertOutcome::Stored => Ok(SubmitOutcome {
            id: record.id,
            status,
        }),
        InsertOutcome::ArticleClosed => Err(SubmitError::ArticleClosed),
    }
}
