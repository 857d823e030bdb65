//! Pure domain types: no actix, no sqlx. Everything here is built once at
//! the boundary by a `parse` function and is valid from then on.

mod actor;
mod back_link;
mod block;
mod comment;
mod ids;
mod site;
mod text;
mod validation;

pub use actor::Actor;
pub use back_link::BackLink;
pub use block::{BLOCK_HOURS_MAX, Block, BlockDto, BlockKind, parse_cidr};
pub use comment::{
    AcceptTerms, ArticleRef, AuthorEmail, AuthorName, CaptchaAttempt, CommentBody, CommentStatus,
    CommentTitle, NewComment, SubmissionDto,
};
pub use comment::{CommentEdit, CommentEditDto, NOTE_MAX, TITLE_MAX};
pub use ids::{new_id, new_secret_token};
pub use site::{
    DEMO_SITE, Lang, ModerationMode, Origin, Site, SiteChange, SiteKey, SiteSettingsDto,
};
pub use text::{count_chars, normalize_text};
pub use validation::{FieldError, ValidationErrors};
