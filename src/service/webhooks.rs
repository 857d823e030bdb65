//! Managing a site's webhook subscriptions, written once: change one (URL,
//! events, description, paused), rotate its signing secret with an overlap,
//! send it a signed `ping`, send a finished delivery again. Each takes a
//! typed command and an `Actor` and writes its audit row in the change's
//! transaction (`Store::apply_webhook_change`).

use serde_json::json;

use super::admin::{AdminError, audit, found, site_of};
use crate::delivery::Wakes;
use crate::domain::{Actor, FieldError, ValidationErrors, new_id};
use crate::storage::{
    Applied, AttemptRecord, Cursor, DeliveryRecord, DeliveryStatus, Store, WebhookChange,
    WebhookRecord,
};
use crate::webhooks::{EVENT_TYPES, TargetPolicy, new_secret, ping_payload};

/// Longest description of a subscription.
pub const WEBHOOK_DESCRIPTION_MAX: usize = 200;
/// Longest overlap of a rotated secret: a week.
pub const ROTATION_OVERLAP_MAX_SECS: u64 = 7 * 24 * 3600;
/// The overlap when none is asked for: a day.
pub const ROTATION_OVERLAP_DEFAULT_SECS: u64 = 24 * 3600;

/// A new subscription as a front door received it.
#[derive(Debug, Clone, Default)]
pub struct NewWebhookDto {
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
}

/// A checked new subscription: the URL passed the target policy, the events
/// are known (deduplicated), the description is one bounded line.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    url: String,
    events: Vec<String>,
    description: String,
}

impl NewWebhook {
    /// Check every field (the URL's addresses are resolved and checked
    /// against `policy`); all problems at once.
    pub async fn parse(
        dto: NewWebhookDto,
        policy: &TargetPolicy,
    ) -> Result<NewWebhook, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let events = parse_events(&dto.events, &mut errors);
        let description = parse_description(dto.description.as_deref().unwrap_or(""), &mut errors);
        let url = match policy.validate(&dto.url).await {
            Ok(url) => url.to_string(),
            Err(e) => {
                errors.add("url", FieldError::new(e.code()));
                String::new()
            }
        };
        errors.into_result()?;
        Ok(NewWebhook {
            url,
            events,
            description,
        })
    }
}

/// A subscription change as a front door received it (`None`: keep).
#[derive(Debug, Clone, Default)]
pub struct WebhookUpdateDto {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

/// A checked subscription change: the URL passed the target policy, the
/// events are known (deduplicated), the description is one bounded line.
#[derive(Debug, Clone)]
pub struct WebhookUpdate {
    url: Option<String>,
    events: Option<Vec<String>>,
    description: Option<String>,
    enabled: Option<bool>,
}

/// Known event types, each once, in the order given; at least one.
pub fn parse_events(raw: &[String], errors: &mut ValidationErrors) -> Vec<String> {
    let mut events: Vec<String> = Vec::new();
    if raw.is_empty() {
        errors.add("events", FieldError::new("required"));
    }
    for e in raw {
        if !EVENT_TYPES.contains(&e.as_str()) {
            errors.add(
                "events",
                FieldError::new("unknown_event")
                    .with("event", e.chars().take(64).collect::<String>())
                    .with("allowed", EVENT_TYPES.join(", ")),
            );
        } else if !events.contains(e) {
            events.push(e.clone());
        }
    }
    events
}

/// A description: trimmed, at most `WEBHOOK_DESCRIPTION_MAX` characters, no
/// control characters.
pub fn parse_description(raw: &str, errors: &mut ValidationErrors) -> String {
    let description = raw.trim().to_string();
    if description.chars().count() > WEBHOOK_DESCRIPTION_MAX {
        errors.add(
            "description",
            FieldError::new("too_long").with("max", WEBHOOK_DESCRIPTION_MAX),
        );
    } else if description.chars().any(char::is_control) {
        errors.add("description", FieldError::new("control_characters"));
    }
    description
}

impl WebhookUpdate {
    /// Check every given field (the URL's addresses are resolved and
    /// checked against `policy`); all problems at once.
    pub async fn parse(
        dto: WebhookUpdateDto,
        policy: &TargetPolicy,
    ) -> Result<WebhookUpdate, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let events = dto.events.map(|e| parse_events(&e, &mut errors));
        let description = dto.description.map(|d| parse_description(&d, &mut errors));
        let url = match dto.url {
            None => None,
            Some(raw) => match policy.validate(&raw).await {
                Ok(url) => Some(url.to_string()),
                Err(e) => {
                    errors.add("url", FieldError::new(e.code()));
                    None
                }
            },
        };
        errors.into_result()?;
        Ok(WebhookUpdate {
            url,
            events,
            description,
            enabled: dto.enabled,
        })
    }
}

/// Apply `change` with its audit row (`action`, `details`) in one
/// transaction; `NotFound` when the site has no such subscription.
async fn change_webhook(
    store: &Store,
    change: WebhookChange<'_>,
    site_key: &str,
    actor: &Actor,
    action: &str,
    details: &str,
    now: i64,
) -> Result<(), AdminError> {
    let audit = audit(site_key, actor, action, details, now);
    found(store.apply_webhook_change(change, &audit).await?)
}

async fn subscription(
    store: &Store,
    site_key: &str,
    id: &str,
) -> Result<WebhookRecord, AdminError> {
    store
        .webhook(site_key, id)
        .await?
        .ok_or(AdminError::NotFound)
}

/// Subscribe `new` for the site, unless it already has `max_per_site`
/// subscriptions. Returns the subscription with its secret, which no later
/// answer shows again. `SiteNotFound` when there is no such site.
pub async fn create_webhook(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    new: NewWebhook,
    max_per_site: u32,
    now: i64,
) -> Result<WebhookRecord, AdminError> {
    site_of(store, site_key).await?;
    let record = WebhookRecord {
        id: new_id(),
        site_key: site_key.to_string(),
        url: new.url,
        events: new.events,
        secret: new_secret(),
        description: new.description,
        created_by: actor.id().to_string(),
        created_at: now,
        enabled: true,
        previous_secret: None,
        previous_secret_until: None,
    };
    let details = json!({
        "url": record.url, "events": record.events, "description": record.description,
    })
    .to_string();
    let change = WebhookChange::Create {
        record: &record,
        max: i64::from(max_per_site),
    };
    match store
        .apply_webhook_change(
            change,
            &audit(site_key, actor, "webhook_created", &details, now),
        )
        .await?
    {
        Applied::Missing => Err(AdminError::Limit {
            what: "webhooks",
            max: max_per_site,
        }),
        _ => Ok(record),
    }
}

/// Remove a subscription with its delivery log (deliveries not yet made
/// are dropped).
pub async fn delete_webhook(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    id: &str,
    now: i64,
) -> Result<(), AdminError> {
    change_webhook(
        store,
        WebhookChange::Delete { id },
        site_key,
        actor,
        "webhook_deleted",
        "{}",
        now,
    )
    .await
}

/// A site's subscriptions, oldest first. `SiteNotFound` when there is no
/// such site.
pub async fn list_webhooks(
    store: &Store,
    site_key: &str,
) -> Result<Vec<WebhookRecord>, AdminError> {
    site_of(store, site_key).await?;
    Ok(store.webhooks(site_key).await?)
}

/// One page of a subscription's delivery log, newest first: each delivery
/// with its attempts, and the cursor of the next page when there is one.
pub struct DeliveryLogPage {
    pub deliveries: Vec<(DeliveryRecord, Vec<AttemptRecord>)>,
    pub next: Option<Cursor>,
}

pub async fn delivery_log(
    store: &Store,
    site_key: &str,
    id: &str,
    status: Option<DeliveryStatus>,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<DeliveryLogPage, AdminError> {
    subscription(store, site_key, id).await?;
    let mut rows = store
        .webhook_deliveries(
            id,
            status.map(DeliveryStatus::as_str),
            limit.saturating_add(1),
            after,
        )
        .await?;
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more {
        rows.last().map(|d| Cursor {
            at: d.created_at,
            id: d.id.clone(),
        })
    } else {
        None
    };
    let ids: Vec<String> = rows.iter().map(|d| d.id.clone()).collect();
    let mut attempts: std::collections::HashMap<String, Vec<AttemptRecord>> =
        std::collections::HashMap::new();
    for a in store.webhook_attempts(&ids).await? {
        attempts.entry(a.delivery_id.clone()).or_default().push(a);
    }
    let deliveries = rows
        .into_iter()
        .map(|d| {
            let log = attempts.remove(&d.id).unwrap_or_default();
            (d, log)
        })
        .collect();
    Ok(DeliveryLogPage { deliveries, next })
}

/// Change a subscription; returns it as it now is.
pub async fn update_webhook(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    id: &str,
    update: &WebhookUpdate,
    now: i64,
) -> Result<WebhookRecord, AdminError> {
    let details = json!({
        "url": update.url, "events": update.events,
        "description": update.description, "enabled": update.enabled,
    })
    .to_string();
    let change = WebhookChange::Update {
        id,
        url: update.url.as_deref(),
        events: update.events.as_deref(),
        description: update.description.as_deref(),
        enabled: update.enabled,
    };
    change_webhook(
        store,
        change,
        site_key,
        actor,
        "webhook_updated",
        &details,
        now,
    )
    .await?;
    subscription(store, site_key, id).await
}

/// The new secret of a rotation and until when the old one still signs.
#[derive(Debug, Clone)]
pub struct Rotated {
    pub webhook: WebhookRecord,
    pub secret: String,
    pub previous_valid_until: i64,
}

/// Replace a subscription's signing secret. For `overlap_secs` (default a
/// day, at most a week; 0 ends the old secret at once) deliveries carry a
/// signature with each secret, so receivers can switch without losing one.
pub async fn rotate_webhook_secret(
    store: &Store,
    actor: &Actor,
    site_key: &str,
    id: &str,
    overlap_secs: Option<u64>,
    now: i64,
) -> Result<Rotated, AdminError> {
    let overlap = overlap_secs.unwrap_or(ROTATION_OVERLAP_DEFAULT_SECS);
    if overlap > ROTATION_OVERLAP_MAX_SECS {
        let mut e = ValidationErrors::default();
        e.add(
            "overlap_secs",
            FieldError::new("out_of_range")
                .with("min", 0)
                .with("max", ROTATION_OVERLAP_MAX_SECS),
        );
        return Err(AdminError::Validation(e));
    }
    let current = subscription(store, site_key, id).await?;
    let secret = new_secret();
    let until = now.saturating_add(i64::try_from(overlap).unwrap_or(i64::MAX / 1000) * 1000);
    let details = json!({ "previous_valid_until": until }).to_string();
    let change = WebhookChange::Rotate {
        id,
        secret: &secret,
        previous: &current.secret,
        previous_until: until,
    };
    change_webhook(
        store,
        change,
        site_key,
        actor,
        "webhook_secret_rotated",
        &details,
        now,
    )
    .await?;
    Ok(Rotated {
        webhook: subscription(store, site_key, id).await?,
        secret,
        previous_valid_until: until,
    })
}

/// Queue a signed `ping` for a subscription (paused or not, whatever its
/// events), then wake the webhook loop; returns the delivery's id (its
/// `webhook-id`).
pub async fn ping_webhook(
    store: &Store,
    wakes: &Wakes,
    actor: &Actor,
    site_key: &str,
    id: &str,
    now: i64,
) -> Result<String, AdminError> {
    let delivery_id = format!("msg_{}", new_id());
    let payload = ping_payload(site_key, id, now);
    let details = json!({ "delivery": delivery_id }).to_string();
    let change = WebhookChange::Ping {
        id,
        delivery_id: &delivery_id,
        payload: &payload,
    };
    change_webhook(
        store,
        change,
        site_key,
        actor,
        "webhook_ping",
        &details,
        now,
    )
    .await?;
    wakes.hooks.notify();
    Ok(delivery_id)
}

/// Send a delivered or failed delivery again, due now, with the same
/// `webhook-id` and body (receivers deduplicate on it). A delivery still
/// pending is not found here: it is going to be sent anyway. The webhook
/// loop is woken after the commit.
pub async fn redeliver(
    store: &Store,
    wakes: &Wakes,
    actor: &Actor,
    site_key: &str,
    id: &str,
    delivery_id: &str,
    now: i64,
) -> Result<(), AdminError> {
    let details = json!({ "delivery": delivery_id }).to_string();
    let change = WebhookChange::Redeliver { id, delivery_id };
    change_webhook(
        store,
        change,
        site_key,
        actor,
        "webhook_redelivered",
        &details,
        now,
    )
    .await?;
    wakes.hooks.notify();
    Ok(())
}
