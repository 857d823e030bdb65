use std::net::IpAddr;

use super::notify::submission_mail;
use super::rules::{PolicyCache, RulesError, signals};
use crate::captcha::{CaptchaError, CaptchaService};
use crate::delivery::Wakes;
use crate::domain::{
    ArticleRef, CaptchaMode, CommentStatus, Lang, ModerationMode, NewComment, Site, SubmissionDto,
    ValidationErrors, new_id,
};
use crate::email::{Composer, MailComment};
use crate::moderation::{Action, Submission, TrapSignals, body_fingerprint, evaluate, spam, traps};
use crate::pow::{PowOutcome, PowService};
use crate::storage::{
    AuthorQuery, InsertOutcome, NewCommentRecord, StorageError, Store, SubmissionFacts,
    SubmissionQuery,
};

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
    /// The site asks for the code when a submission looks suspicious, and
    /// this one sent none: nothing stored or spent, send again with it.
    #[error("captcha required")]
    CaptchaRequired,
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

/// The keyed hashes that stand for the client in storage and in the rate
/// buckets: its address, and its network (IPv4 /24, IPv6 /48) for the
/// per-network caps.
#[derive(Debug, Clone, Default)]
pub struct ClientKeys {
    pub ip_hash: String,
    /// Empty when the address is unknown.
    pub net_hash: String,
}

pub struct SubmitContext<'a> {
    pub store: &'a Store,
    pub captcha: &'a CaptchaService,
    pub pow: &'a PowService,
    pub policies: &'a PolicyCache,
    pub composer: &'a Composer,
    /// Rung after the commit when the submission queued mail or deliveries.
    pub wakes: &'a Wakes,
    pub site: &'a Site,
    pub article_key: &'a str,
    pub lang: Lang,
    pub ip: Option<IpAddr>,
    pub client: ClientKeys,
    /// Comments one network may send to the site per hour (0 = no cap).
    pub network_cap: u32,
    pub now: i64,
}

const HOUR_MS: i64 = 60 * 60 * 1000;
/// How long a body marked spam keeps its near-duplicates held.
const KNOWN_SPAM_MS: i64 = 30 * DAY_MS;
/// Earlier bodies compared with a new one, per kind (recent, spam).
const RECENT_BODIES: u32 = 200;

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

/// Whether a held comment's stored findings say the spam signals held it
/// (unreadable findings say nothing).
fn held_as_spam(findings: &str) -> bool {
    serde_json::from_str::<Vec<crate::moderation::Finding>>(findings)
        .is_ok_and(|f| spam::held_as_spam(&f))
}

/// The thread a reply to `parent` joins: the parent's own thread, or the
/// parent itself when it is top-level. The parent must be a published
/// comment of the same article; anything else is a `parent_id` field error.
async fn reply_thread(
    store: &Store,
    site: &Site,
    article_key: &str,
    parent: &str,
) -> Result<String, SubmitError> {
    let code = match store.reply_target(site.key.as_str(), parent).await? {
        None => "parent_not_found",
        Some(t) if t.article_key != article_key => "parent_other_article",
        Some(t) if t.status != CommentStatus::Published => "parent_not_published",
        Some(t) => return Ok(t.thread_id),
    };
    let mut errors = ValidationErrors::default();
    errors.add("parent_id", crate::domain::FieldError::new(code));
    Err(SubmitError::Validation(errors))
}

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
    // Before the code is spent: a reply to a comment it cannot answer is a
    // field error like any other.
    let thread = match &comment.parent_id {
        Some(parent) => {
            Some(reply_thread(ctx.store, ctx.site, &comment.article.key, parent).await?)
        }
        None => None,
    };
    let code_sent = dto
        .captcha_answer
        .as_deref()
        .is_some_and(|a| !a.trim().is_empty());
    // "when-suspicious" without a code: the proof is checked but spent only
    // once the submission is accepted, so a reader asked for the code sends
    // the same proof again with it.
    let deferred = ctx.site.captcha == CaptchaMode::WhenSuspicious && !code_sent;
    let check_code = match ctx.site.captcha {
        CaptchaMode::Always => true,
        CaptchaMode::WhenSuspicious => code_sent,
        CaptchaMode::Off => false,
    };
    let issued_at = if check_code {
        Some(
            ctx.captcha
                .verify(ctx.site.key.as_str(), comment.captcha.as_ref(), ctx.now)
                .await?,
        )
    } else {
        None
    };
    // Like the code, the proof is spent only by a submission whose fields
    // are valid.
    let site_key = ctx.site.key.as_str();
    let checked = ctx.pow.check(site_key, dto.pow.as_deref(), ctx.now);
    let (pow, issued_at) = match &checked {
        Ok(Some(proof)) if deferred => (PowOutcome::Solved, Some(proof.issued_ms)),
        Ok(Some(proof)) => (ctx.pow.spend(proof, ctx.now).await?, issued_at),
        Ok(None) => (PowOutcome::Missing, issued_at),
        Err(f) => (PowOutcome::Failed(*f), issued_at),
    };
    let proof_of_work = match pow {
        PowOutcome::Solved => spam::ProofOfWork::Solved,
        PowOutcome::Missing => spam::ProofOfWork::Missing,
        PowOutcome::Failed(f) => spam::ProofOfWork::Failed(f.as_str()),
    };
    if deferred && proof_of_work != spam::ProofOfWork::Solved {
        return Err(SubmitError::CaptchaRequired);
    }
    let pow_finding = spam::proof_of_work(proof_of_work);
    let trapped = traps(&TrapSignals {
        honeypot_filled: dto.website.as_deref().is_some_and(|w| !w.trim().is_empty()),
        fill_ms: issued_at.map(|at| ctx.now.saturating_sub(at)),
        min_fill_ms: ctx.captcha.min_fill_ms(),
    });
    let fingerprint = body_fingerprint(comment.body.as_str());
    // One read of everything the rules weigh, with the parameters of the
    // policy last seen for the site; should the stored version read with
    // them say it changed, the policy in force is loaded and read again.
    let (mut version, mut policy) = ctx.policies.latest(site_key).await?;
    let mut reads = 0;
    let gathered = loop {
        let window_ms = i64::from(policy.config().duplicates.window_minutes).saturating_mul(60_000);
        let gathered = ctx
            .store
            .submission_facts(&SubmissionQuery {
                author: AuthorQuery {
                    site_key,
                    email: comment.email.as_str(),
                    ip_hash: &ctx.client.ip_hash,
                    net_hash: &ctx.client.net_hash,
                    fingerprint: &fingerprint,
                    hour_ago: ctx.now - HOUR_MS,
                    window_start: ctx.now - window_ms,
                    ip_count_cap: policy.config().rate.max_per_hour_ip,
                    net_count_cap: ctx.network_cap,
                },
                article_key: &comment.article.key,
                newcomers_since: ctx.now - spam::FIRST_TIME_WINDOW_MINUTES * 60_000,
                newcomers_cap: spam::FIRST_TIME_BURST_ADDRESSES,
                // Near-duplicates: recent bodies from anyone (those the spam
                // signals held count as known spam), and bodies marked spam
                // (by a moderator or a trap) over a longer stretch.
                bodies_since: ctx.now - window_ms,
                spam_since: ctx.now - KNOWN_SPAM_MS,
                bodies_limit: RECENT_BODIES,
                now: ctx.now,
            })
            .await?;
        reads += 1;
        if gathered.policy_version.unwrap_or(0) == version || reads == 2 {
            break gathered;
        }
        policy = ctx.policies.get(ctx.store, site_key).await?;
        version = gathered.policy_version.unwrap_or(0);
    };
    let SubmissionFacts {
        author: facts,
        blocks,
        bodies: seen,
        newcomers,
        this_address_first_time: this_first,
        ..
    } = gathered;
    // Bodies stored before signatures were kept are signed here.
    let signed: Vec<_> = seen
        .iter()
        .map(|b| {
            let sig = b
                .signature
                .as_deref()
                .and_then(spam::parse_signature)
                .unwrap_or_else(|| spam::body_signature(&b.body));
            (sig, b)
        })
        .collect();
    let signature = spam::body_signature(comment.body.as_str());
    let near = spam::near_duplicates(
        &signature,
        &ctx.client.ip_hash,
        signed.iter().map(|(sig, b)| spam::SeenBody {
            signature: sig,
            address: &b.ip_hash,
            spam: b.status == CommentStatus::Spam
                || (b.status == CommentStatus::Held
                    && b.spam_held
                        .unwrap_or_else(|| held_as_spam(&b.held_findings))),
        }),
    );
    let burst = spam::first_time_burst(&spam::ArticleNewcomers {
        first_time_addresses: newcomers,
        this_address_first_time: this_first,
    });
    let extra: Vec<_> = pow_finding
        .into_iter()
        .chain(spam::near_duplicate_finding(&near))
        .chain(burst)
        .collect();
    let mut signals = signals(&facts, &blocks, comment.email.as_str(), ctx.ip, ctx.now);
    // The dashboard blocks an address it only knows by its keyed hash.
    signals.ip_blocked |= blocks
        .iter()
        .any(|b| b.kind == "ip_hash" && b.value == ctx.client.ip_hash);
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
    let network = spam::network_throttle(&spam::NetworkVolume {
        last_hour: u32::try_from(facts.last_hour_by_net.max(0)).unwrap_or(u32::MAX),
        cap: ctx.network_cap,
        retry_after_secs: policy.config().rate.hourly_retry_after_secs,
    });
    if let Some(throttle) = verdict.throttle.as_ref().or(network.as_ref()) {
        return Err(SubmitError::RateLimited(throttle.retry_after_secs.max(1)));
    }
    // The spam score over every signal: the rules' findings keep their
    // place, the score's own findings come after them.
    let mut scored: Vec<_> = trapped
        .iter()
        .cloned()
        .chain(extra)
        .chain(verdict.findings.iter().cloned())
        .collect();
    let score = spam::spam_score(
        &mut scored,
        &spam::ScoreSignals {
            proof_of_work,
            address_last_hour: signals.count_last_hour_by_ip,
            network_last_hour: u32::try_from(facts.last_hour_by_net.max(0)).unwrap_or(u32::MAX),
        },
        ctx.site.spam_threshold,
    );
    if deferred {
        // A trapped submission is stored as spam and answered as usual.
        if score.suspicious() && trapped.is_empty() {
            return Err(SubmitError::CaptchaRequired);
        }
        let spent = match &checked {
            Ok(Some(proof)) => ctx.pow.spend(proof, ctx.now).await?,
            _ => PowOutcome::Missing,
        };
        if spent != PowOutcome::Solved {
            return Err(SubmitError::CaptchaRequired);
        }
    }
    let action = scored
        .iter()
        .map(|f| f.action)
        .fold(verdict.action, Action::max);
    let status = match (action, ctx.site.moderation_mode) {
        // Stored for the record, answered like any other: bots learn nothing.
        _ if !trapped.is_empty() => CommentStatus::Spam,
        (Action::Reject, _) => CommentStatus::Rejected,
        (Action::Hold, _) => CommentStatus::Held,
        (_, ModerationMode::Pre) => CommentStatus::Pending,
        (_, ModerationMode::Post) => CommentStatus::Published,
    };
    let (article_url, article_title) = article_claims(ctx.site, &comment.article);
    let findings = serde_json::to_string(&scored).unwrap_or_else(|_| "[]".into());
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
            .by(None, rules_reason.as_deref())
            .replying_to(comment.parent_id.as_deref()),
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
        ip_hash: ctx.client.ip_hash,
        net_hash: ctx.client.net_hash,
        body_fingerprint: fingerprint,
        parent_id: comment.parent_id.clone(),
        thread_id: thread,
        notify_replies: comment.notify_replies,
        findings,
        body_sig: spam::signature_text(&signature),
        spam_held: spam::held_as_spam(&scored),
        created_at: ctx.now,
        closed_if_created_before: ctx
            .site
            .auto_close_days
            .map(|d| ctx.now - i64::from(d) * DAY_MS),
        outbox,
        webhooks,
    };
    let stored = ctx.store.insert_comment(&record).await?;
    if stored == InsertOutcome::Stored {
        // A comment rejected by the rules is stored too, with its events.
        ctx.wakes
            .queued(!record.outbox.is_empty(), !record.webhooks.is_empty());
    }
    match stored {
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
