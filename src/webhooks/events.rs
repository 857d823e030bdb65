//! The events a change emits and their JSON bodies:
//! `{"type": "comment.published", "timestamp": "<RFC 3339 UTC>", "data": {...}}`.
//! Comment data carries the comment's public fields plus its status and
//! article; never the author's email or address hash (integrators fetch the
//! full moderator view with an API key when they need it).

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::domain::CommentStatus;
use crate::storage::{ArticleRecord, QueueItem, WebhookEvent};

pub const COMMENT_CREATED: &str = "comment.created";
pub const COMMENT_HELD: &str = "comment.held";
pub const COMMENT_PUBLISHED: &str = "comment.published";
pub const COMMENT_REJECTED: &str = "comment.rejected";
pub const COMMENT_DELETED: &str = "comment.deleted";
pub const COMMENT_EDITED: &str = "comment.edited";
pub const COMMENT_ERASED: &str = "comment.erased";
pub const COMMENT_FEATURED: &str = "comment.featured";
pub const ARTICLE_CLOSED: &str = "article.closed";
/// A test delivery an admin asked for; not a subscription's choice.
pub const PING: &str = "ping";

/// Every event a subscription may ask for.
pub const EVENT_TYPES: [&str; 9] = [
    COMMENT_CREATED,
    COMMENT_HELD,
    COMMENT_PUBLISHED,
    COMMENT_REJECTED,
    COMMENT_DELETED,
    COMMENT_EDITED,
    COMMENT_ERASED,
    COMMENT_FEATURED,
    ARTICLE_CLOSED,
];

fn rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ArticleData {
    pub key: String,
    pub title: Option<String>,
    pub url: Option<String>,
}

/// A comment as webhooks describe it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommentData {
    pub id: String,
    pub site: String,
    pub article: ArticleData,
    /// The status after the change: `pending`, `held`, `published`,
    /// `rejected`, `spam` or `deleted`.
    pub status: String,
    /// The status before the change (`null` for a new comment).
    pub previous_status: Option<String>,
    pub flagged: bool,
    pub name: String,
    pub title: String,
    pub body: String,
    pub lang: String,
    pub created_at: String,
    pub published_at: Option<String>,
    /// For a reply: the comment it answers (`null` for a top-level comment).
    pub parent_id: Option<String>,
    /// Who made the change: `rules` (a new submission), `moderator` or `api_key`.
    pub actor: String,
    /// The moderator's or API key's id (`null` for the rules).
    pub actor_id: Option<String>,
    /// Why: the reason code of a rejection (the moderator's, or the first
    /// finding of the rules); `null` when none was given.
    pub reason: Option<String>,
}

impl CommentData {
    /// A stored comment after a moderator's decision moved it to `to` at `at`.
    pub fn after_decision(
        site: &str,
        c: &QueueItem,
        to: CommentStatus,
        actor: &str,
        at: i64,
    ) -> CommentData {
        let published_at = match (to, c.published_at) {
            (CommentStatus::Published, None) => Some(at),
            (_, p) => p,
        };
        CommentData {
            id: c.id.clone(),
            site: site.to_string(),
            article: ArticleData {
                key: c.article_key.clone(),
                title: c.article_title.clone(),
                url: c.article_url.clone(),
            },
            status: to.as_str().to_string(),
            previous_status: Some(c.status.as_str().to_string()),
            flagged: c.flagged,
            name: c.name.clone(),
            title: c.title.clone(),
            body: c.body.clone(),
            lang: c.lang.clone(),
            created_at: rfc3339(c.created_at),
            published_at: published_at.map(rfc3339),
            parent_id: c.parent.as_ref().map(|p| p.id.clone()),
            actor: actor.to_string(),
            actor_id: None,
            reason: None,
        }
    }

    /// A stored comment whose text was just edited (its status unchanged).
    pub fn after_edit(
        site: &str,
        c: &QueueItem,
        status: CommentStatus,
        actor: &str,
        actor_id: &str,
        at: i64,
    ) -> CommentData {
        CommentData::after_decision(site, c, status, actor, at).by(Some(actor_id), None)
    }

    /// The comment a reply answers.
    pub fn replying_to(mut self, parent_id: Option<&str>) -> CommentData {
        self.parent_id = parent_id.map(str::to_string);
        self
    }

    /// Name who made the change and why.
    pub fn by(mut self, actor_id: Option<&str>, reason: Option<&str>) -> CommentData {
        self.actor_id = actor_id.filter(|a| !a.is_empty()).map(str::to_string);
        self.reason = reason.filter(|r| !r.is_empty()).map(str::to_string);
        self
    }

    /// A new submission stored as `status` at `at`.
    #[allow(clippy::too_many_arguments)]
    pub fn submitted(
        id: &str,
        site: &str,
        article: (&str, Option<&str>, Option<&str>),
        status: CommentStatus,
        flagged: bool,
        text: (&str, &str, &str),
        lang: &str,
        at: i64,
    ) -> CommentData {
        let (key, title, url) = article;
        let (name, title_text, body) = text;
        CommentData {
            id: id.to_string(),
            site: site.to_string(),
            article: ArticleData {
                key: key.to_string(),
                title: title.map(str::to_string),
                url: url.map(str::to_string),
            },
            status: status.as_str().to_string(),
            previous_status: None,
            flagged,
            name: name.to_string(),
            title: title_text.to_string(),
            body: body.to_string(),
            lang: lang.to_string(),
            created_at: rfc3339(at),
            published_at: (status == CommentStatus::Published).then(|| rfc3339(at)),
            parent_id: None,
            actor: "rules".into(),
            actor_id: None,
            reason: None,
        }
    }
}

/// What `comment.erased` says: which comment lost its author (and, with
/// `text_removed`, its text: it is then `deleted`). No personal data.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErasedData {
    pub id: String,
    pub site: String,
    pub article: ErasedArticle,
    pub status: String,
    pub previous_status: String,
    pub text_removed: bool,
    pub actor: String,
    pub actor_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErasedArticle {
    pub key: String,
}

/// The data of `ping`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PingData {
    pub site: String,
    /// The subscription pinged.
    pub webhook_id: String,
}

/// The body of a `ping` to subscription `webhook_id` of `site` at `at`.
pub fn ping_payload(site: &str, webhook_id: &str, at: i64) -> String {
    event(
        PING,
        at,
        &PingData {
            site: site.to_string(),
            webhook_id: webhook_id.to_string(),
        },
    )
    .payload
}

/// The `comment.erased` event of a privacy erasure.
pub fn comment_erased(data: &ErasedData, at: i64) -> WebhookEvent {
    event(COMMENT_ERASED, at, data)
}

/// The `comment.edited` event: the comment as it reads after the edit.
pub fn comment_edited(data: &CommentData, at: i64) -> WebhookEvent {
    event(COMMENT_EDITED, at, data)
}

/// `comment.featured`: moderators featured a comment (`reason` is
/// `featured`) or stopped featuring it (`unfeatured`).
pub fn comment_featured(data: &CommentData, at: i64) -> WebhookEvent {
    event(COMMENT_FEATURED, at, data)
}

/// A queued event body with the erased person's data removed: the author's
/// name always, the comment's title and body when `text_removed`. `None`
/// when the body is not a comment event (left as it is).
pub fn redact_payload(payload: &str, text_removed: bool) -> Option<String> {
    let mut v: serde_json::Value = serde_json::from_str(payload).ok()?;
    let data = v.get_mut("data")?.as_object_mut()?;
    data.get("name")?;
    data.insert("name".into(), "".into());
    if text_removed {
        data.insert("title".into(), "".into());
        data.insert("body".into(), "".into());
    }
    serde_json::to_string(&v).ok()
}

#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'a str,
    timestamp: String,
    data: &'a T,
}

fn event<T: Serialize>(kind: &str, at: i64, data: &T) -> WebhookEvent {
    let payload = serde_json::to_string(&Envelope {
        kind,
        timestamp: rfc3339(at),
        data,
    })
    // Plain strings, bools and options: serialization cannot fail.
    .unwrap_or_default();
    WebhookEvent {
        event_type: kind.to_string(),
        payload,
    }
}

/// A stored submission emits `comment.created`, plus `comment.held`,
/// `comment.published` or `comment.rejected` when the rules (or
/// post-moderation) decided it at once.
pub fn submission_events(data: &CommentData, status: CommentStatus, at: i64) -> Vec<WebhookEvent> {
    let mut out = vec![event(COMMENT_CREATED, at, data)];
    if let Some(kind) = status_event(status) {
        out.push(event(kind, at, data));
    }
    out
}

/// A decision that changed the status emits the event of the new status.
pub fn decision_events(data: &CommentData, to: CommentStatus, at: i64) -> Vec<WebhookEvent> {
    status_event(to)
        .map(|kind| vec![event(kind, at, data)])
        .unwrap_or_default()
}

fn status_event(status: CommentStatus) -> Option<&'static str> {
    match status {
        CommentStatus::Pending => None,
        CommentStatus::Held => Some(COMMENT_HELD),
        CommentStatus::Published => Some(COMMENT_PUBLISHED),
        CommentStatus::Rejected | CommentStatus::Spam => Some(COMMENT_REJECTED),
        CommentStatus::Deleted => Some(COMMENT_DELETED),
    }
}

/// The data of `article.closed`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ArticleClosedData<'a> {
    site: &'a str,
    article: ArticleData,
    /// `closed` (by hand), `closes_at` (the scheduled time passed) or `age`
    /// (the site's auto-close age).
    reason: &'static str,
    closes_at: Option<String>,
    published_count: i64,
}

/// The `article.closed` event of an article noticed closed at `now`.
pub fn article_closed(site_key: &str, a: &ArticleRecord, now: i64) -> WebhookEvent {
    let reason = if a.closed {
        "closed"
    } else if a.closes_at.is_some_and(|t| t <= now) {
        "closes_at"
    } else {
        "age"
    };
    event(
        ARTICLE_CLOSED,
        now,
        &ArticleClosedData {
            site: site_key,
            article: ArticleData {
                key: a.key.clone(),
                title: a.title.clone(),
                url: a.url.clone(),
            },
            reason,
            closes_at: a.closes_at.map(rfc3339),
            published_count: a.published_count,
        },
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn data(status: CommentStatus) -> CommentData {
        CommentData::submitted(
            "c1",
            "demo",
            ("a1", Some("T"), None),
            status,
            false,
            ("Ali", "Hi", "Body"),
            "ar",
            0,
        )
    }

    #[test]
    fn a_submission_emits_created_and_the_event_of_its_status() {
        let types = |s| {
            submission_events(&data(s), s, 0)
                .into_iter()
                .map(|e| e.event_type)
                .collect::<Vec<_>>()
        };
        assert_eq!(types(CommentStatus::Pending), [COMMENT_CREATED]);
        assert_eq!(types(CommentStatus::Held), [COMMENT_CREATED, COMMENT_HELD]);
        assert_eq!(
            types(CommentStatus::Published),
            [COMMENT_CREATED, COMMENT_PUBLISHED]
        );
        assert_eq!(
            types(CommentStatus::Rejected),
            [COMMENT_CREATED, COMMENT_REJECTED]
        );
    }

    #[test]
    fn the_payload_has_type_timestamp_and_data_without_email() {
        let e = &submission_events(&data(CommentStatus::Pending), CommentStatus::Pending, 1_500)[0];
        let v: serde_json::Value = serde_json::from_str(&e.payload).unwrap();
        assert_eq!(v["type"], "comment.created");
        assert_eq!(v["timestamp"], "1970-01-01T00:00:01.5Z");
        assert_eq!(v["data"]["id"], "c1");
        assert_eq!(v["data"]["article"]["key"], "a1");
        assert!(v["data"].get("email").is_none());
    }

    #[test]
    fn redacting_a_payload_removes_the_name_and_on_request_the_text() {
        let e = &submission_events(&data(CommentStatus::Pending), CommentStatus::Pending, 0)[0];
        let kept: serde_json::Value =
            serde_json::from_str(&redact_payload(&e.payload, false).unwrap()).unwrap();
        assert_eq!(kept["data"]["name"], "");
        assert_eq!(kept["data"]["body"], "Body");
        let gone = redact_payload(&e.payload, true).unwrap();
        assert!(!gone.contains("Ali") && !gone.contains("Body"), "{gone}");
        assert_eq!(redact_payload(r#"{"data":{"site":"x"}}"#, true), None);
    }
}
