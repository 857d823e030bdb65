//! Pure domain types: no actix, no sqlx. Everything here is built once at
//! the boundary by a `parse` function and is valid from then on.

mod back_link;
mod comment;
mod ids;
mod site;
mod text;
mod validation;

pub use back_link::BackLink;
pub use comment::TITLE_MAX;
pub use comment::{
    AcceptTerms, ArticleRef, AuthorEmail, AuthorName, CaptchaAttempt, CommentBody, CommentStatus,
    CommentTitle, NewComment, SubmissionDto,
};
pub use ids::{new_id, new_secret_token};
pub use site::{Lang, ModerationMode, Site, SiteKey};
pub use text::{count_chars, normalize_text};
pub use validation::{FieldError, ValidationErrors};
