//! Passes over the generated document that make it say exactly what the
//! handlers enforce where the derive macros cannot: closed values (statuses,
//! orders, kinds) as enums, RFC 3339 times as `date-time`, request bodies as
//! closed objects (`additionalProperties: false`, as `deny_unknown_fields`
//! and the hand-written submission parser refuse unknown members), and
//! binary answers as `format: binary`. Each table names the handler constant
//! it mirrors, so a change there is a change here.

use serde_json::{Map, Value, json};

use crate::domain::CommentStatus;

/// Comment statuses as the API spells them (`CommentStatus`).
fn comment_statuses() -> Vec<&'static str> {
    CommentStatus::ALL.iter().map(|s| s.as_str()).collect()
}

/// `(schema, property, allowed values)`: response and request properties
/// that only ever hold one of a few strings.
fn property_enums() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    let statuses = comment_statuses();
    vec![
        ("LexiconDoc", "lang", vec!["en", "fr"]),
        ("QueueItemJson", "status", statuses.clone()),
        ("CommentJson", "status", statuses.clone()),
        (
            "DeliveryJson",
            "status",
            super::super::webhooks::delivery_statuses(),
        ),
        (
            "DeliveryJson",
            "event",
            crate::webhooks::EVENT_TYPES.to_vec(),
        ),
        (
            "WebhookJson",
            "events",
            crate::webhooks::EVENT_TYPES.to_vec(),
        ),
        (
            "CreateWebhook",
            "events",
            crate::webhooks::EVENT_TYPES.to_vec(),
        ),
        (
            "UpdateWebhook",
            "events",
            crate::webhooks::EVENT_TYPES.to_vec(),
        ),
        (
            "WebhookCreated",
            "events",
            crate::webhooks::EVENT_TYPES.to_vec(),
        ),
        (
            "OutboxItem",
            "status",
            super::super::outbox::STATUSES.to_vec(),
        ),
        (
            "BlockBody",
            "kind",
            crate::domain::BlockKind::NAMES.to_vec(),
        ),
        (
            "BlockJson",
            "kind",
            crate::domain::BlockKind::NAMES.to_vec(),
        ),
        ("CommentForm", "accept_terms", vec!["on", "true", "1"]),
        ("CommentForm", "notify_replies", vec!["on", "true", "1"]),
        ("CommentForm", "lang", vec!["ar", "en"]),
        ("CommentData", "status", statuses.clone()),
        ("CommentData", "previous_status", statuses.clone()),
        ("ErasedData", "status", statuses.clone()),
        ("ErasedData", "previous_status", statuses),
        (
            "ArticleClosedData",
            "reason",
            vec!["closed", "closes_at", "age"],
        ),
        (
            "ChangeJson",
            "change",
            super::super::changes::CHANGES.to_vec(),
        ),
    ]
}

/// `(operationId, query parameter, keywords merged into its schema)`.
fn parameter_rules() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("listOutbox", "limit", json!({"minimum": 1, "maximum": 200})),
        (
            "listWebhookDeliveries",
            "limit",
            json!({"minimum": 1, "maximum": 100}),
        ),
    ]
}

/// `(operationId, query parameter, allowed values)`.
fn parameter_enums() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    let orders = vec!["newest", "oldest"];
    vec![
        ("listComments", "order", orders.clone()),
        ("listQueue", "order", orders),
        ("listQueue", "status", comment_statuses()),
        // An empty status means all, as when left out.
        (
            "listWebhookDeliveries",
            "status",
            [super::super::webhooks::delivery_statuses(), vec![""]].concat(),
        ),
        (
            "listOutbox",
            "status",
            [&super::super::outbox::STATUSES[..], &[""]].concat(),
        ),
    ]
}

/// Characters no human text field accepts: controls, and the invisible and
/// bidi format characters `domain::text` refuses.
const FORBIDDEN: &str = "\\x00-\\x1f\\x7f-\\x9f\\u00ad\\u061c\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff";

/// A one-line text as `domain` parses it: trimmed (so no space at either
/// end), no forbidden character.
fn one_line() -> String {
    format!("^[^\\s{FORBIDDEN}](?:[^{FORBIDDEN}]*[^\\s{FORBIDDEN}])?$")
}

/// A comment body: like a line, but newlines and tabs are allowed inside.
fn multi_line() -> String {
    let inner = FORBIDDEN.replacen("\\x00-\\x1f", "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f", 1);
    format!("^[^\\s{FORBIDDEN}](?:[^{inner}]*[^\\s{FORBIDDEN}])?$")
}

/// An `http(s)` address without spaces or control characters.
/// Empty means "none".
const HTTP_URL: &str = "^(|[Hh][Tt][Tt][Pp][Ss]?://[^\\s\\x00-\\x1f\\x7f-\\x9f]+)$";

/// A path parameter naming an article: the site's own key
/// (`ArticleRef::parse_key`).
fn article_key() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": 200,
        "pattern": format!("^[^/{FORBIDDEN}]+$")})
}

/// `(schema, property, keywords merged into its schema)`: what the domain
/// parsers check beyond type and length.
fn property_rules() -> Vec<(&'static str, &'static str, Value)> {
    let line = json!({ "pattern": one_line() });
    let body = json!({ "pattern": multi_line() });
    let url = json!({ "pattern": HTTP_URL });
    let mut rules = Vec::new();
    for schema in ["CommentSubmission", "CommentForm"] {
        rules.push((schema, "name", line.clone()));
        rules.push((schema, "title", line.clone()));
        rules.push((schema, "body", body.clone()));
        rules.push((schema, "article_url", url.clone()));
    }
    rules.extend([
        (
            "EditBody",
            "title",
            json!({"minLength": 3, "maxLength": 120, "pattern": one_line()}),
        ),
        (
            "EditBody",
            "body",
            json!({"minLength": 5, "maxLength": 20000, "pattern": multi_line()}),
        ),
        ("EditBody", "reason", json!({"maxLength": 500})),
        (
            "ArticleBody",
            "url",
            json!({"maxLength": 2000, "pattern": HTTP_URL}),
        ),
        (
            "ArticleBody",
            "title",
            json!({"maxLength": 300, "pattern": format!("^$|{}", one_line())}),
        ),
        ("LexiconBody", "entries", json!({"items": lexicon_entry()})),
        ("RulesDoc", "patterns", json!({"type": ["object", "null"]})),
        (
            "SettingsChange",
            "max_body",
            json!({"minimum": 5, "maximum": 20000}),
        ),
        (
            "SettingsChange",
            "lang",
            json!({"enum": ["ar", "en", null]}),
        ),
        (
            "SettingsChange",
            "moderation",
            json!({"enum": ["pre", "post", null]}),
        ),
        ("SettingsChange", "name", json!({"maxLength": 200})),
        ("SettingsChange", "terms_url", json!({"maxLength": 2000})),
        ("SettingsChange", "terms_version", json!({"maxLength": 50})),
        (
            "PrivacyExportRequest",
            "email",
            json!({"type": "string", "format": "email", "maxLength": 254}),
        ),
        (
            "PrivacyEraseRequest",
            "email",
            json!({"type": "string", "format": "email", "maxLength": 254}),
        ),
        ("LexiconDoc", "entries", json!({"items": lexicon_entry()})),
    ]);
    rules
}

/// A word-list entry: a term, or a term with per-entry options
/// (`moderation::Entry`).
fn lexicon_entry() -> Value {
    json!({"oneOf": [
        {"type": "string"},
        {"type": "object", "additionalProperties": false, "required": ["term"], "properties": {
            "term": {"type": "string"},
            "action": {"$ref": "#/components/schemas/Action"},
            "substring": {"type": "boolean"},
            "forms": {"type": "array", "items": {"type": "string"}}
        }}
    ]})
}

/// Make the generated document strict (see the module comment).
pub fn tighten(doc: &mut Value) {
    closed_request_bodies(doc);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (schema, property, rules) in property_rules() {
            if let (Some(p), Some(rules)) = (
                schemas
                    .get_mut(schema)
                    .and_then(|s| s.pointer_mut(&format!("/properties/{property}")))
                    .and_then(Value::as_object_mut),
                rules.as_object(),
            ) {
                for (k, v) in rules {
                    p.insert(k.clone(), v.clone());
                }
            }
        }
        for (schema, property, values) in property_enums() {
            if let Some(p) = schemas
                .get_mut(schema)
                .and_then(|s| s.pointer_mut(&format!("/properties/{property}")))
            {
                restrict(p, &values);
            }
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        let enums = parameter_enums();
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for op in item.values_mut().filter_map(Value::as_object_mut) {
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                binary_answers(op);
                // Its content list (JSON or a form) leaves `required` out.
                if id == "submitComment"
                    && let Some(body) = op.get_mut("requestBody").and_then(Value::as_object_mut)
                {
                    body.insert("required".into(), Value::Bool(true));
                }
                let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
                    continue;
                };
                for p in params.iter_mut() {
                    // Reads of an unknown key find nothing; writes parse it.
                    if (id == "putArticle" || id == "submitComment")
                        && p.get("name") == Some(&json!("article"))
                        && p.get("in") == Some(&json!("path"))
                    {
                        p["schema"] = article_key();
                    }
                    let name = p.get("name").and_then(Value::as_str).unwrap_or("");
                    if let Some((_, _, rules)) = parameter_rules()
                        .into_iter()
                        .find(|(o, n, _)| *o == id && *n == name)
                        && let (Some(schema), Some(rules)) = (
                            p.get_mut("schema").and_then(Value::as_object_mut),
                            rules.as_object(),
                        )
                    {
                        for (k, v) in rules {
                            schema.insert(k.clone(), v.clone());
                        }
                    }
                    let name = p.get("name").and_then(Value::as_str).unwrap_or("");
                    if let Some((_, _, values)) =
                        enums.iter().find(|(o, n, _)| *o == id && *n == name)
                        && let Some(schema) = p.get_mut("schema")
                    {
                        restrict(schema, values);
                    }
                }
            }
        }
    }
    date_times(doc);
}

/// Restrict a string (or nullable string, or array of strings) schema to
/// `values`.
fn restrict(schema: &mut Value, values: &[&str]) {
    if schema.get("type") == Some(&json!("array")) {
        if let Some(items) = schema.get_mut("items") {
            restrict(items, values);
        }
        return;
    }
    let nullable = schema
        .get("type")
        .is_some_and(|t| t.as_array().is_some_and(|a| a.iter().any(|x| x == "null")));
    let mut allowed: Vec<Value> = values.iter().map(|v| json!(v)).collect();
    if nullable {
        allowed.push(Value::Null);
    }
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("enum".into(), Value::Array(allowed));
    }
}

/// Bodies whose fields are all required although the structs say `Option`
/// (the handler answers 422 for a missing one).
const REQUIRED: [(&str, &str); 2] = [
    ("PrivacyExportRequest", "email"),
    ("PrivacyEraseRequest", "email"),
];

/// Every schema a request body refers to is a closed object.
fn closed_request_bodies(doc: &mut Value) {
    let mut names = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for item in paths.values().filter_map(Value::as_object) {
            for op in item.values() {
                let Some(content) = op
                    .pointer("/requestBody/content")
                    .and_then(Value::as_object)
                else {
                    continue;
                };
                for media in content.values() {
                    if let Some(r) = media.pointer("/schema/$ref").and_then(Value::as_str) {
                        names.push(r.trim_start_matches("#/components/schemas/").to_string());
                    }
                }
            }
        }
    }
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (schema, field) in REQUIRED {
        if let Some(s) = schemas.get_mut(schema).and_then(Value::as_object_mut) {
            let required = s.entry("required").or_insert_with(|| json!([]));
            if let Some(list) = required.as_array_mut()
                && !list.contains(&json!(field))
            {
                list.push(json!(field));
            }
        }
    }
    for name in names {
        if let Some(s) = schemas.get_mut(&name).and_then(Value::as_object_mut)
            && s.get("type") == Some(&json!("object"))
        {
            s.insert("additionalProperties".into(), Value::Bool(false));
        }
    }
}

/// Images, sounds and streams are bytes, not arrays of integers.
fn binary_answers(op: &mut Map<String, Value>) {
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    for r in responses.values_mut() {
        let Some(content) = r.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        for (media, body) in content.iter_mut() {
            if media.starts_with("image/")
                || media.starts_with("audio/")
                || media == "application/x-ndjson"
                || media == "application/octet-stream"
            {
                body["schema"] = json!({"type": "string", "format": "binary"});
            }
        }
    }
}

/// Whether a property holds an instant: every `*_at`, `at` and `timestamp`
/// of the API is RFC 3339 in UTC (`routes::time_fmt::rfc3339`).
fn is_time_property(name: &str) -> bool {
    name.ends_with("_at") || name == "at" || name == "timestamp"
}

/// Mark instants as `format: date-time`, in every schema of the document.
fn date_times(v: &mut Value) {
    match v {
        Value::Object(obj) => {
            if let Some(Value::Object(props)) = obj.get_mut("properties") {
                for (name, p) in props.iter_mut() {
                    let is_string = p.get("type").is_some_and(|t| {
                        t == "string" || t.as_array().is_some_and(|a| a.contains(&json!("string")))
                    });
                    if is_time_property(name)
                        && is_string
                        && let Some(p) = p.as_object_mut()
                    {
                        p.insert("format".into(), json!("date-time"));
                    }
                }
            }
            for child in obj.values_mut() {
                date_times(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(date_times),
        _ => {}
    }
}
