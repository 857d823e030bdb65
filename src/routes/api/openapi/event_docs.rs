//! The document's `webhooks` section: one entry per event majlis delivers,
//! with the Standard Webhooks headers and the exact body (an envelope of
//! `type`, `timestamp` and the event's `data`).

use serde_json::{Value, json};

use crate::webhooks::{
    ARTICLE_CLOSED, COMMENT_CREATED, COMMENT_DELETED, COMMENT_EDITED, COMMENT_ERASED,
    COMMENT_FEATURED, COMMENT_HELD, COMMENT_PUBLISHED, COMMENT_REJECTED, EVENT_TYPES, PING,
};

/// `(event, operationId, data schema, when it is sent)`.
const EVENTS: [(&str, &str, &str, &str); 10] = [
    (
        COMMENT_CREATED,
        "receiveCommentCreated",
        "CommentData",
        "A submission was stored (in whatever status the rules gave it).",
    ),
    (
        COMMENT_HELD,
        "receiveCommentHeld",
        "CommentData",
        "The posting rules held a new comment for an explicit moderator decision.",
    ),
    (
        COMMENT_PUBLISHED,
        "receiveCommentPublished",
        "CommentData",
        "A comment became public (approved, or published at once under post-moderation).",
    ),
    (
        COMMENT_REJECTED,
        "receiveCommentRejected",
        "CommentData",
        "A comment was rejected or marked as spam (`status` says which); `reason` is the \
         rejection's reason code.",
    ),
    (
        COMMENT_DELETED,
        "receiveCommentDeleted",
        "CommentData",
        "A moderator deleted a comment.",
    ),
    (
        COMMENT_EDITED,
        "receiveCommentEdited",
        "CommentData",
        "A moderator edited a comment; the data is the text as it now reads.",
    ),
    (
        COMMENT_ERASED,
        "receiveCommentErased",
        "ErasedData",
        "A privacy erasure anonymised a comment. Queued deliveries of the comment are sent \
         without the erased name (and text).",
    ),
    (
        COMMENT_FEATURED,
        "receiveCommentFeatured",
        "CommentData",
        "Moderators featured a published comment (`reason` is `featured`), or stopped \
         featuring it (`unfeatured`).",
    ),
    (
        ARTICLE_CLOSED,
        "receiveArticleClosed",
        "ArticleClosedData",
        "Commenting on an article closed (by hand, at `closes_at`, or by the site's \
         auto-close age).",
    ),
    (
        PING,
        "receivePing",
        "PingData",
        "A test delivery asked for with `POST .../webhooks/{id}/ping`; sent whatever the \
         subscription's events, even when it is paused.",
    ),
];

fn header(name: &str, description: &str, example: &str) -> Value {
    json!({
        "name": name, "in": "header", "required": true, "description": description,
        "schema": {"type": "string"}, "example": example
    })
}

/// The `webhooks` object of the document.
pub fn section() -> Value {
    debug_assert_eq!(EVENT_TYPES.len() + 1, EVENTS.len());
    let mut out = serde_json::Map::new();
    for (event, operation_id, data, when) in EVENTS {
        out.insert(
            event.to_string(),
            json!({"post": {
                "operationId": operation_id,
                "tags": ["webhooks"],
                "summary": format!("`{event}`"),
                "description": when,
                "parameters": [
                    header("webhook-id", "The delivery's id: the same on every attempt and on a \
                        redelivery; deduplicate on it.", "msg_0193a6f1d2e37c11b2a4c6d8e0f1a2b3"),
                    header("webhook-timestamp", "Unix seconds of this attempt.", "1764403240"),
                    header("webhook-signature", "Space-separated `v1,<base64 HMAC-SHA256>` \
                        signatures of `{webhook-id}.{webhook-timestamp}.{body}`: one per live \
                        secret (two while a rotated secret's overlap lasts). Accept the \
                        delivery when any of them verifies.",
                        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
                ],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["type", "timestamp", "data"],
                    "properties": {
                        "type": {"type": "string", "const": event},
                        "timestamp": {"type": "string", "format": "date-time"},
                        "data": {"$ref": format!("#/components/schemas/{data}")}
                    }
                }}}},
                "responses": {
                    "2XX": {"description": "Delivered. Any other answer, or none within the \
                        timeout, is retried with exponential backoff."}
                }
            }}),
        );
    }
    Value::Object(out)
}
