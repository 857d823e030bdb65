//! Orchestration between the HTTP edge and storage: each function is one
//! use case following the request flow of DESIGN.md (parse, gate, gather
//! signals, decide, persist in one transaction, respond).

mod admin;
mod articles;
mod clock;
mod comments;
mod export;
mod featured;
mod import;
mod likes;
mod moderation;
mod notify;
mod privacy;
mod rate_limit;
mod read_cache;
mod reports;
mod rules;
mod webhooks;

pub use crate::delivery::Wakes;
pub use admin::{
    AdminError, INSTANCE, LexiconPut, LexiconSaved, NewModeratorDto, add_block, add_moderator,
    change_site, create_api_key, create_root_key, create_site, delete_lexicon, disable_moderator,
    edit_comment, parse_patterns, put_lexicon, put_patterns, put_rules, remove_block,
    revoke_api_key, revoke_root_key, set_moderator_password,
};
pub use articles::{
    ArticleDto, ArticlePut, Commenting, auto_close_limit, put_article, set_commenting,
};
pub use clock::now_ms;
pub use comments::{ClientKeys, SubmitContext, SubmitError, SubmitOutcome, submit_comment};
pub use export::{EXPORT_PAGE, ExportPage, export_page, start_export};
pub use featured::set_featured;
pub use import::{ImportFailure, ImportOptions, ImportReport, import_comments};
pub use likes::{LikeContext, LikeError, Likes, set_like};
pub use moderation::{Decision, DecisionError, decide, decide_by_link};
pub use notify::send_reply_notices;
pub use privacy::{ErasureRequest, erase_person, parse_person, person_records};
pub use rate_limit::{Limited, RateLimiter};
pub use read_cache::{Cached, LIKES_LAG, ListStamp, ReadCache};
pub use reports::{
    HOLD_AFTER_MAX, REPORTS_PER_HOUR_PER_ADDRESS, ReportContext, ReportError, Reported,
    act_on_reports, dismiss_reports, report_comment, set_report_settings,
};
pub use rules::{
    PolicyCache, RulesError, StoredPolicy, cidr_contains, findings_after_edit, parse_cidr,
};
pub use webhooks::{
    DeliveryLogPage, NewWebhook, NewWebhookDto, Rotated, WebhookUpdate, WebhookUpdateDto,
    create_webhook, delete_webhook, delivery_log, list_webhooks, ping_webhook, redeliver,
    rotate_webhook_secret, update_webhook,
};
