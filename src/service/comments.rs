use crate::captcha::{CaptchaError, CaptchaService};
use crate::domain::{
    CommentStatus, Lang, ModerationMode, NewComment, Site, SubmissionDto, ValidationErrors, new_id,
};
use crate::storage::{InsertOutcome, NewCommentRecord, StorageError, Store};

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
    pub site: &'a Site,
    pub article_key: &'a str,
    pub lang: Lang,
    pub ip_hash: String,
    pub now: i64,
}

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Parse, check the captcha, decide the initial status and store the comment
/// with its audit row in one transaction.
pub async fn submit_comment(
    ctx: SubmitContext<'_>,
    dto: &SubmissionDto,
) -> Result<SubmitOutcome, SubmitError> {
    let comment =
        NewComment::parse(dto, ctx.article_key, ctx.site).map_err(SubmitError::Validation)?;
    if ctx.site.captcha_enabled {
        ctx.captcha
            .verify(ctx.site.key.as_str(), comment.captcha.as_ref(), ctx.now)
            .await?;
    }
    let status = match ctx.site.moderation_mode {
        ModerationMode::Pre => CommentStatus::Pending,
        ModerationMode::Post => CommentStatus::Published,
    };
    let record = NewCommentRecord {
        id: new_id(),
        site_key: ctx.site.key.as_str().to_string(),
        article_key: comment.article.key.clone(),
        article_url: comment.article.url.clone(),
        article_title: comment.article.title.clone(),
        status,
        flagged: false,
        author_name: comment.name.as_str().to_string(),
        author_email: comment.email.as_str().to_string(),
        title: comment.title.as_str().to_string(),
        body: comment.body.as_str().to_string(),
        lang: ctx.lang.code().to_string(),
        terms_version: ctx.site.terms_version.clone(),
        ip_hash: ctx.ip_hash,
        body_fingerprint: String::new(),
        findings: "[]".to_string(),
        created_at: ctx.now,
        closed_if_created_before: ctx
            .site
            .auto_close_days
            .map(|d| ctx.now - i64::from(d) * DAY_MS),
    };
    match ctx.store.insert_comment(&record).await? {
        InsertOutcome::Stored => Ok(SubmitOutcome {
            id: record.id,
            status,
        }),
        InsertOutcome::ArticleClosed => Err(SubmitError::ArticleClosed),
    }
}
