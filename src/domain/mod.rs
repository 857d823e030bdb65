//! Pure domain types: no actix, no sqlx. Everything here is built once at
//! the boundary by a `parse` function and is valid from then on.

mod actor;
mod back_link;
mod block;
mod comment;
mod ids;
mod likes;
mod report;
mod site;
mod text;
mod validation;

pub use actor::Actor;
pub use back_link::BackLink;
pub use block::{BLOCK_HOURS_MAX, Block, BlockDto, BlockKind, network_of, parse_cidr};
pub use comment::{
    AcceptTerms, ArticleRef, AuthorEmail, AuthorName, CaptchaAttempt, CommentBody, CommentStatus,
    CommentTitle, NewComment, SubmissionDto, parse_comment_id,
};
pub use comment::{CommentEdit, CommentEditDto, NOTE_MAX, TITLE_MAX};
pub use ids::{new_id, new_secret_token};
pub use likes::{TOP_AGE_OFFSET_HOURS, TOP_GRAVITY, TopRanked, rank_top, top_score};
pub use report::{NewReport, REPORT_NOTE_MAX, ReportDto, ReportReason};
pub use site::{
    CaptchaMode, DEMO_SITE, Lang, ModerationMode, Origin, RulesText, SPAM_THRESHOLD_MAX, Site,
    SiteChange, SiteKey, SiteSettingsDto,
};
pub use text::{count_chars, excerpt, is_invisible_or_bidi, normalize_text};
pub use validation::{FieldError, ValidationErrors};
