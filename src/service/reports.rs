//! Reader reports: a reader flags a published comment; moderators dismiss
//! the reports or act on the comment. Each use case is one function, called
//! by the JSON API and the dashboard alike.

use super::comments::ClientKeys;
use super::moderation::{Decision, DecisionError, decide};
use crate::captcha::{CaptchaError, CaptchaService};
use crate::delivery::Wakes;
use crate::domain::{
    Actor, CaptchaAttempt, CommentStatus, FieldError, ModerationMode, NewReport, ReportDto, Site,
    ValidationErrors, new_id,
};
use crate::email::Composer;
use crate::pow::{PowOutcome, PowService};
use crate::storage::{
    AuditEntry, NewReportRecord, ReportOutcome, ReportSettings, StorageError, Store, Transition,
    TransitionOutcome,
};

/// Reports one address may send to a site per hour.
pub const REPORTS_PER_HOUR_PER_ADDRESS: i64 = 20;
/// The most reports that may hold a comment.
pub const HOLD_AFTER_MAX: u32 = 1000;
const HOUR_MS: i64 = 60 * 60 * 1000;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("invalid report")]
    Validation(ValidationErrors),
    /// Wrong or missing security code, or (on a site without codes) no
    /// solved proof of work.
    #[error("captcha failed")]
    Captcha,
    #[error("no such published comment")]
    NotFound,
    #[error("rate limited")]
    RateLimited(u64),
    #[error("captcha could not be checked")]
    CaptchaBroken(#[source] CaptchaError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<CaptchaError> for ReportError {
    fn from(e: CaptchaError) -> ReportError {
        match e {
            CaptchaError::Invalid => ReportError::Captcha,
            CaptchaError::Storage(s) => ReportError::Storage(s),
            other => ReportError::CaptchaBroken(other),
        }
    }
}

/// What a reader learns: the report was taken (a repeat from the same
/// address is answered alike, and changes nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported {
    /// The comment was held for the moderators by this report.
    pub held: bool,
}

pub struct ReportContext<'a> {
    pub store: &'a Store,
    pub captcha: &'a CaptchaService,
    pub pow: &'a PowService,
    pub site: &'a Site,
    pub comment_id: &'a str,
    pub client: ClientKeys,
    pub now: i64,
}

/// A reader's report of a published comment: fields, then the per-address
/// cap, then the code (or proof of work), then one row per address; on a
/// post-moderated site enough reports from distinct networks hold the
/// comment until a moderator decides.
pub async fn report_comment(
    ctx: ReportContext<'_>,
    dto: &ReportDto,
) -> Result<Reported, ReportError> {
    let site_key = ctx.site.key.as_str();
    let settings = ctx.store.report_settings(site_key).await?;
    let report = NewReport::parse(dto, settings.illegal_reason).map_err(ReportError::Validation)?;
    let recent = ctx
        .store
        .reports_from_address(site_key, &ctx.client.ip_hash, ctx.now - HOUR_MS)
        .await?;
    if recent >= REPORTS_PER_HOUR_PER_ADDRESS {
        return Err(ReportError::RateLimited(HOUR_MS as u64 / 1000 / 4));
    }
    // The page without JavaScript has no proof of work: a code answers for
    // it on any site.
    let attempt = match (&dto.captcha_id, &dto.captcha_answer) {
        (Some(id), Some(answer)) if !answer.trim().is_empty() => Some(CaptchaAttempt {
            id: id.trim().to_string(),
            answer: answer.trim().to_string(),
        }),
        _ => None,
    };
    if let Some(attempt) = attempt {
        ctx.captcha
            .verify(site_key, Some(&attempt), ctx.now)
            .await?;
    } else if ctx.site.captcha == crate::domain::CaptchaMode::Always {
        let mut e = ValidationErrors::default();
        e.add("captcha_answer", FieldError::new("required"));
        return Err(ReportError::Validation(e));
    } else if ctx
        .pow
        .verify(site_key, dto.pow.as_deref(), ctx.now)
        .await?
        != PowOutcome::Solved
    {
        return Err(ReportError::Captcha);
    }
    let outcome = ctx
        .store
        .insert_report(&NewReportRecord {
            site_key: site_key.to_string(),
            comment_id: ctx.comment_id.to_string(),
            reason: report.reason.as_str().to_string(),
            note: report.note,
            ip_hash: ctx.client.ip_hash,
            net_hash: ctx.client.net_hash,
            created_at: ctx.now,
        })
        .await?;
    let networks = match outcome {
        ReportOutcome::NotFound => return Err(ReportError::NotFound),
        ReportOutcome::Duplicate => return Ok(Reported { held: false }),
        ReportOutcome::Stored { networks } => networks,
    };
    let hold = ctx.site.moderation_mode == ModerationMode::Post
        && settings.hold_after > 0
        && networks >= i64::from(settings.hold_after);
    if !hold {
        return Ok(Reported { held: false });
    }
    let held = ctx
        .store
        .transition(&Transition {
            site_key: site_key.to_string(),
            comment_id: ctx.comment_id.to_string(),
            to: CommentStatus::Held,
            actor_kind: Actor::System.kind().to_string(),
            actor_id: String::new(),
            action: "hold_reported".into(),
            reason: None,
            note: Some(format!("{networks} reports from distinct networks")),
            at: ctx.now,
            only_from: vec![CommentStatus::Published],
            link_use: None,
            outbox: Vec::new(),
            webhooks: Vec::new(),
            close_reports: None,
        })
        .await?;
    Ok(Reported {
        held: matches!(held, TransitionOutcome::Changed { .. }),
    })
}

/// The audit row of an action on one comment that does not change its status.
pub(super) fn comment_audit(
    site_key: &str,
    comment_id: &str,
    actor: &Actor,
    action: &str,
    note: Option<String>,
    at: i64,
) -> AuditEntry {
    AuditEntry {
        id: new_id(),
        site_key: site_key.to_string(),
        comment_id: Some(comment_id.to_string()),
        actor_kind: actor.kind().to_string(),
        actor_id: actor.id().to_string(),
        action: action.to_string(),
        from_status: None,
        to_status: None,
        reason: None,
        note,
        created_at: at,
    }
}

/// A moderator finds a reported comment fine: its open reports are closed
/// (audited), the comment stays as it is. `NotFound` when none were open.
pub async fn dismiss_reports(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    comment_id: &str,
    note: Option<String>,
    at: i64,
) -> Result<u64, DecisionError> {
    let closed = store
        .resolve_reports(
            "dismissed",
            &comment_audit(site_key, comment_id, actor, "dismiss_reports", note, at),
        )
        .await?;
    if closed == 0 {
        return Err(DecisionError::NotFound);
    }
    Ok(closed)
}

/// A moderator acts on a reported comment: the decision (`reject`, `spam`
/// or `delete`) applies as from the queue, and the open reports close as
/// acted on (audited).
pub async fn act_on_reports(
    store: &Store,
    composer: &Composer,
    wakes: &Wakes,
    d: Decision,
) -> Result<CommentStatus, DecisionError> {
    let (site_key, comment_id, actor, note, at) = (
        d.site_key.clone(),
        d.comment_id.clone(),
        d.actor.clone(),
        d.note.clone(),
        d.at,
    );
    let status = decide(store, composer, wakes, d).await?;
    store
        .resolve_reports(
            "acted",
            &comment_audit(&site_key, &comment_id, &actor, "act_on_reports", note, at),
        )
        .await?;
    Ok(status)
}

/// Change a site's report settings (audited).
pub async fn set_report_settings(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    settings: ReportSettings,
    at: i64,
) -> Result<(), ReportError> {
    if settings.hold_after > HOLD_AFTER_MAX {
        let mut e = ValidationErrors::default();
        e.add(
            "hold_after",
            FieldError::new("out_of_range")
                .with("min", 0)
                .with("max", HOLD_AFTER_MAX),
        );
        return Err(ReportError::Validation(e));
    }
    let mut e = comment_audit(site_key, "", actor, "report_settings", None, at);
    e.comment_id = None;
    e.note = Some(format!(
        "hold_after={} illegal_reason={}",
        settings.hold_after, settings.illegal_reason
    ));
    store.save_report_settings(site_key, settings, &e).await?;
    Ok(())
}
