use serde::{Deserialize, Serialize};
use validator::{ValidateEmail, ValidateLength};

use super::site::Site;
use super::text::{count_chars, has_forbidden_control, has_invisible_or_bidi, normalize_text};
use super::validation::{FieldError, ValidationErrors, check_note};

/// What arrives from the wire (JSON or form), before anything is trusted.
#[derive(Debug, Clone, Default)]
pub struct SubmissionDto {
    pub name: Option<String>,
    pub email: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub accept_terms: Option<bool>,
    pub captcha_id: Option<String>,
    pub captcha_answer: Option<String>,
    pub article_url: Option<String>,
    pub article_title: Option<String>,
    /// The honeypot: a field hidden from people and assistive technology.
    /// Anything in it was typed by a program (see `moderation::traps`).
    pub website: Option<String>,
    /// The proof of work's solution (see `crate::pow`), checked by the
    /// service once every field is valid.
    pub pow: Option<String>,
    /// The comment this one answers (a reply), by its public id.
    pub parent_id: Option<String>,
    /// The commenter asks to hear of published replies (unticked: `None`).
    pub notify_replies: Option<bool>,
}

pub const NAME_MIN: usize = 2;
pub const NAME_MAX: usize = 60;
pub const EMAIL_MAX: usize = 254;
pub const TITLE_MIN: usize = 3;
pub const TITLE_MAX: usize = 120;
pub const BODY_MIN: usize = 5;
pub const ARTICLE_KEY_MAX: usize = 200;
pub const ARTICLE_URL_MAX: usize = 2000;
pub const ARTICLE_TITLE_MAX: usize = 300;
pub const CAPTCHA_FIELD_MAX: usize = 64;
pub const COMMENT_ID_MAX: usize = 64;

/// A comment's public id as sent by a client: the shape of the ids majlis
/// issues (ASCII letters, digits, `-`), nothing else reaches storage.
pub fn parse_comment_id(raw: &str) -> Result<String, FieldError> {
    let id = raw.trim();
    if id.is_empty()
        || id.len() > COMMENT_ID_MAX
        || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(FieldError::new("invalid_parent"));
    }
    Ok(id.to_string())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorName(String);
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorEmail(String);
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentTitle(String);
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBody(String);

macro_rules! as_str_impl {
    ($($t:ty),*) => {$(
        impl $t {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    )*};
}
as_str_impl!(AuthorName, AuthorEmail, CommentTitle, CommentBody);

/// A one-line human text field (name, title): NFC, trimmed, bounded in
/// characters, no control, bidi or invisible characters.
fn one_line(raw: Option<&str>, min: usize, max: usize) -> Result<String, FieldError> {
    let text = required(raw)?;
    if has_forbidden_control(&text, false) {
        return Err(FieldError::new("control_characters"));
    }
    if has_invisible_or_bidi(&text) {
        return Err(FieldError::new("invisible_characters"));
    }
    within(&text, min, max)?;
    Ok(text)
}

/// A text field that must be there: NFC and trimmed, `required` when left
/// out or blank.
fn required(raw: Option<&str>) -> Result<String, FieldError> {
    let text = raw.map(normalize_text).unwrap_or_default();
    if text.is_empty() {
        return Err(FieldError::new("required"));
    }
    Ok(text)
}

/// `too_short` or `too_long` (with the bounds and the count) unless `text`
/// has `min..=max` characters.
fn within(text: &str, min: usize, max: usize) -> Result<(), FieldError> {
    if !text.validate_length(Some(min as u64), Some(max as u64), None) {
        let n = count_chars(text);
        let code = if n < min { "too_short" } else { "too_long" };
        return Err(FieldError::new(code)
            .with("min", min)
            .with("max", max)
            .with("actual", n));
    }
    Ok(())
}

impl AuthorName {
    pub fn parse(raw: Option<&str>) -> Result<AuthorName, FieldError> {
        one_line(raw, NAME_MIN, NAME_MAX).map(AuthorName)
    }
}

impl CommentTitle {
    pub fn parse(raw: Option<&str>) -> Result<CommentTitle, FieldError> {
        one_line(raw, TITLE_MIN, TITLE_MAX).map(CommentTitle)
    }
}

impl AuthorEmail {
    /// Syntactically valid (HTML5 rule of the `validator` crate), at most 254
    /// characters, stored lower-cased so history and blocklists match.
    pub fn parse(raw: Option<&str>) -> Result<AuthorEmail, FieldError> {
        let text = required(raw)?;
        if has_forbidden_control(&text, false)
            || has_invisible_or_bidi(&text)
            || text.chars().any(char::is_whitespace)
        {
            return Err(FieldError::new("invalid_email"));
        }
        if count_chars(&text) > EMAIL_MAX {
            return Err(FieldError::new("too_long").with("max", EMAIL_MAX));
        }
        if !text.validate_email() {
            return Err(FieldError::new("invalid_email"));
        }
        Ok(AuthorEmail(text.to_lowercase()))
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

impl CommentBody {
    /// NFC, trimmed, `min..=max` characters, newlines and tabs allowed, other
    /// control characters rejected. Never truncated.
    pub fn parse(raw: Option<&str>, max: usize) -> Result<CommentBody, FieldError> {
        let text = required(raw)?;
        if has_forbidden_control(&text, true) {
            return Err(FieldError::new("control_characters"));
        }
        within(&text, BODY_MIN, max)?;
        Ok(CommentBody(text))
    }
}

/// Longest note a moderator may attach to an edit or a decision.
pub const NOTE_MAX: usize = 500;

/// A moderator's edit as a front door received it; a field left out keeps
/// its text.
#[derive(Debug, Clone, Default)]
pub struct CommentEditDto {
    pub title: Option<String>,
    pub body: Option<String>,
    /// Shown in the audit trail.
    pub note: Option<String>,
}

/// A valid edit: the same field rules as a submission (`CommentTitle`,
/// `CommentBody`), whichever door it came through.
#[derive(Debug, Clone)]
pub struct CommentEdit {
    title: Option<CommentTitle>,
    body: Option<CommentBody>,
    note: Option<String>,
}

impl CommentEdit {
    pub fn parse(dto: CommentEditDto, max_body: usize) -> Result<CommentEdit, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let title = dto
            .title
            .and_then(|t| errors.field("title", CommentTitle::parse(Some(&t))));
        let body = dto
            .body
            .and_then(|b| errors.field("body", CommentBody::parse(Some(&b), max_body)));
        let note = dto
            .note
            .map(|n| normalize_text(&n))
            .filter(|n| !n.is_empty());
        if let Some(n) = &note
            && let Err(e) = check_note(n, NOTE_MAX)
        {
            errors.add("note", e);
        }
        errors.into_result()?;
        Ok(CommentEdit { title, body, note })
    }

    /// The new title, if the edit changes it.
    pub fn title(&self) -> Option<&str> {
        self.title.as_ref().map(CommentTitle::as_str)
    }

    /// The new body, if the edit changes it.
    pub fn body(&self) -> Option<&str> {
        self.body.as_ref().map(CommentBody::as_str)
    }

    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }
}

/// The terms-of-use checkbox, proven ticked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptTerms;

/// The article a comment is for: the site's own key plus what the page told us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleRef {
    pub key: String,
    pub url: Option<String>,
    pub title: Option<String>,
}

impl ArticleRef {
    pub fn parse_key(raw: &str) -> Result<String, FieldError> {
        if raw.is_empty() {
            return Err(FieldError::new("required"));
        }
        if count_chars(raw) > ARTICLE_KEY_MAX {
            return Err(FieldError::new("too_long").with("max", ARTICLE_KEY_MAX));
        }
        if has_forbidden_control(raw, false) || has_invisible_or_bidi(raw) || raw.contains('/') {
            return Err(FieldError::new("invalid_article"));
        }
        Ok(raw.to_string())
    }

    pub fn parse_url(raw: Option<&str>) -> Result<Option<String>, FieldError> {
        let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        let lower = raw.to_ascii_lowercase();
        let scheme_ok = lower.starts_with("https://") || lower.starts_with("http://");
        if !scheme_ok
            || raw.len() > ARTICLE_URL_MAX
            || raw.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(FieldError::new("invalid_url"));
        }
        Ok(Some(raw.to_string()))
    }

    pub fn parse_title(raw: Option<&str>) -> Result<Option<String>, FieldError> {
        match raw.map(normalize_text).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(t) => one_line(Some(&t), 1, ARTICLE_TITLE_MAX).map(Some),
        }
    }
}

/// The captcha fields as submitted; checked by the captcha service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptchaAttempt {
    pub id: String,
    pub answer: String,
}

/// A submission that passed every field rule. The only way to get one is
/// `NewComment::parse`.
#[derive(Debug, Clone)]
pub struct NewComment {
    pub name: AuthorName,
    pub email: AuthorEmail,
    pub title: CommentTitle,
    pub body: CommentBody,
    pub terms: AcceptTerms,
    pub article: ArticleRef,
    pub captcha: Option<CaptchaAttempt>,
    /// The comment answered, when this is a reply (its existence, article
    /// and status are checked by the service against storage).
    pub parent_id: Option<String>,
    /// Mail the commenter when a reply to this comment is published.
    pub notify_replies: bool,
}

impl NewComment {
    pub fn parse(
        dto: &SubmissionDto,
        article_key: &str,
        site: &Site,
    ) -> Result<NewComment, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut take = |field: &str, r: Result<(), FieldError>| {
            if let Err(e) = r {
                errors.add(field, e);
            }
        };
        let name = AuthorName::parse(dto.name.as_deref());
        let email = AuthorEmail::parse(dto.email.as_deref());
        let title = CommentTitle::parse(dto.title.as_deref());
        let body = CommentBody::parse(dto.body.as_deref(), site.max_body_chars);
        let key = ArticleRef::parse_key(article_key);
        let url = ArticleRef::parse_url(dto.article_url.as_deref());
        let atitle = ArticleRef::parse_title(dto.article_title.as_deref());
        let parent = match dto.parent_id.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(raw) => parse_comment_id(raw).map(Some),
        };
        let terms = if dto.accept_terms == Some(true) {
            Ok(AcceptTerms)
        } else {
            Err(FieldError::new("terms_not_accepted"))
        };
        take("name", name.as_ref().map(|_| ()).map_err(Clone::clone));
        take("email", email.as_ref().map(|_| ()).map_err(Clone::clone));
        take("title", title.as_ref().map(|_| ()).map_err(Clone::clone));
        take("body", body.as_ref().map(|_| ()).map_err(Clone::clone));
        take("accept_terms", terms.map(|_| ()));
        take("article", key.as_ref().map(|_| ()).map_err(Clone::clone));
        take(
            "article_url",
            url.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        take(
            "article_title",
            atitle.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        take(
            "parent_id",
            parent.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        for (field, value) in [
            ("captcha_id", &dto.captcha_id),
            ("captcha_answer", &dto.captcha_answer),
        ] {
            if let Some(v) = value
                && (v.len() > CAPTCHA_FIELD_MAX || has_forbidden_control(v, false))
            {
                take(field, Err(FieldError::new("invalid_captcha_field")));
            }
        }
        // An empty code is a field left blank, reported with the others: it
        // is not an attempt, so it never spends the code. A site that asks
        // only when suspicious decides after the spam signals.
        if site.captcha == crate::domain::CaptchaMode::Always
            && dto
                .captcha_answer
                .as_deref()
                .is_none_or(|a| a.trim().is_empty())
        {
            take("captcha_answer", Err(FieldError::new("required")));
        }
        errors.clone().into_result()?;
        let (Ok(name), Ok(email), Ok(title), Ok(body), Ok(key), Ok(url), Ok(atitle), Ok(parent_id)) =
            (name, email, title, body, key, url, atitle, parent)
        else {
            return Err(errors);
        };
        let captcha = match (&dto.captcha_id, &dto.captcha_answer) {
            (Some(id), Some(answer)) => Some(CaptchaAttempt {
                id: id.trim().to_string(),
                answer: answer.trim().to_string(),
            }),
            _ => None,
        };
        Ok(NewComment {
            name,
            email,
            title,
            body,
            terms: AcceptTerms,
            article: ArticleRef {
                key,
                url,
                title: atitle,
            },
            captcha,
            parent_id,
            notify_replies: dto.notify_replies == Some(true),
        })
    }
}

/// Where a comment is in its life. Only `Published` is ever shown publicly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommentStatus {
    /// Waiting for a moderator (pre-moderation).
    Pending,
    /// The rules asked for an explicit moderator decision; never bulk-approved.
    Held,
    Published,
    Rejected,
    Spam,
    Deleted,
}

impl CommentStatus {
    pub const ALL: [CommentStatus; 6] = [
        CommentStatus::Pending,
        CommentStatus::Held,
        CommentStatus::Published,
        CommentStatus::Rejected,
        CommentStatus::Spam,
        CommentStatus::Deleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Pending => "pending",
            CommentStatus::Held => "held",
            CommentStatus::Published => "published",
            CommentStatus::Rejected => "rejected",
            CommentStatus::Spam => "spam",
            CommentStatus::Deleted => "deleted",
        }
    }

    pub fn parse(raw: &str) -> Option<CommentStatus> {
        CommentStatus::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Whether a moderator may move a comment from `self` to `to`.
    pub fn can_become(self, to: CommentStatus) -> bool {
        use CommentStatus::*;
        match (self, to) {
            (a, b) if a == b => false,
            (Deleted, _) => false,
            (_, Pending) => false,
            // Only reader reports hold a comment, and only a published one
            // (a moderator's decision is final; the rules hold at submission).
            (Published, Held) => true,
            (_, Held) => false,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SiteKey;

    fn site() -> Site {
        Site {
            name: "Demo".into(),
            ..Site::new(SiteKey::parse("demo").unwrap())
        }
    }

    fn dto() -> SubmissionDto {
        SubmissionDto {
            name: Some("أحمد".into()),
            email: Some("Ahmad@Example.com".into()),
            title: Some("رأي في المقال".into()),
            body: Some("مقال ممتاز، شكراً للكاتب.".into()),
            accept_terms: Some(true),
            captcha_id: Some("c1".into()),
            captcha_answer: Some("k7pqz".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_blank_security_code_is_a_field_error_only_where_the_site_asks_for_one() {
        for answer in [None, Some(""), Some("  ")] {
            let mut d = dto();
            d.captcha_answer = answer.map(str::to_string);
            let errs = NewComment::parse(&d, "a", &site()).unwrap_err();
            assert!(errs.has("captcha_answer"), "{answer:?}");
            let mut open = site();
            for mode in [
                crate::domain::CaptchaMode::Off,
                crate::domain::CaptchaMode::WhenSuspicious,
            ] {
                open.captcha = mode;
                assert!(NewComment::parse(&d, "a", &open).is_ok(), "{answer:?}");
            }
        }
    }

    #[test]
    fn a_valid_submission_parses_and_lowercases_the_email() {
        let c = NewComment::parse(&dto(), "article-1", &site()).unwrap();
        assert_eq!(c.email.as_str(), "ahmad@example.com");
        assert_eq!(c.email.domain(), "example.com");
    }

    #[test]
    fn every_missing_field_is_reported_at_once() {
        let errs = NewComment::parse(&SubmissionDto::default(), "a", &site()).unwrap_err();
        for f in [
            "name",
            "email",
            "title",
            "body",
            "accept_terms",
            "captcha_answer",
        ] {
            assert!(errs.has(f), "{f} missing from {errs:?}");
        }
    }

    #[test]
    fn lengths_are_checked_in_characters_at_the_boundaries() {
        let cases: [(&str, usize, bool); 6] = [
            ("name", NAME_MAX, true),
            ("name", NAME_MAX + 1, false),
            ("title", TITLE_MAX, true),
            ("title", TITLE_MAX + 1, false),
            ("body", 2000, true),
            ("body", 2001, false),
        ];
        for (field, n, ok) in cases {
            let mut d = dto();
            let text: String = "ش".repeat(n);
            match field {
                "name" => d.name = Some(text),
                "title" => d.title = Some(text),
                _ => d.body = Some(text),
            }
            let r = NewComment::parse(&d, "a", &site());
            assert_eq!(r.is_ok(), ok, "{field} with {n} chars");
        }
    }

    #[test]
    fn bidi_controls_are_refused_in_names_but_kept_in_bodies() {
        let mut d = dto();
        d.name = Some("evil\u{202E}gnp".into());
        d.body = Some("نص \u{200F}مع علامة اتجاه".into());
        let errs = NewComment::parse(&d, "a", &site()).unwrap_err();
        assert!(errs.has("name"));
        assert!(!errs.has("body"));
    }

    #[test]
    fn header_injection_in_names_is_refused() {
        for bad in [
            "x\r\nBcc: evil@test",
            "x\nSubject: y",
            "x\u{2028}y",
            "x\u{85}y",
        ] {
            let mut d = dto();
            d.name = Some(bad.into());
            assert!(NewComment::parse(&d, "a", &site()).unwrap_err().has("name"));
        }
    }

    #[test]
    fn status_transitions_never_return_to_the_queue_or_leave_deleted() {
        use CommentStatus::*;
        assert!(Pending.can_become(Published));
        assert!(Held.can_become(Rejected));
        assert!(Rejected.can_become(Published));
        assert!(!Published.can_become(Published));
        assert!(!Deleted.can_become(Published));
        assert!(!Published.can_become(Pending));
        assert!(Published.can_become(Held));
        assert!(!Rejected.can_become(Held));
    }

    #[test]
    fn an_edit_follows_the_field_rules_of_a_submission() {
        let edit = |title: &str, body: &str| {
            CommentEdit::parse(
                CommentEditDto {
                    title: Some(title.into()),
                    body: Some(body.into()),
                    note: None,
                },
                2000,
            )
        };
        assert!(edit("عنوان مصحح", "نص مصحح بعد التعديل").is_ok());
        for (title, body, field) in [
            ("عنوان مصحح", "نص فيه \u{0} صفر", "body"),
            ("عنوان مصحح", "نص فيه \u{85} تحكم", "body"),
            ("عنوان \u{202E}معكوس", "نص سليم تماما", "title"),
            ("عنوان \u{9B} تحكم", "نص سليم تماما", "title"),
            ("عنوان مصحح", "   ", "body"),
        ] {
            let errors = edit(title, body).unwrap_err();
            assert!(errors.has(field), "{title:?} {body:?}: {errors:?}");
        }
        let kept = CommentEdit::parse(CommentEditDto::default(), 2000).unwrap();
        assert_eq!((kept.title(), kept.body()), (None, None));
    }
}
