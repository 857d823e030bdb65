//! Reader likes: one like per reader address per comment a reader can see,
//! on sites that turned likes on. The JSON API and the page without
//! JavaScript call the same function.

use super::rate_limit::RateLimiter;
use super::read_cache::ReadCache;
use crate::domain::Site;
use crate::storage::{LikeOutcome, StorageError, Store};

#[derive(Debug, thiserror::Error)]
pub enum LikeError {
    /// The site has not turned likes on.
    #[error("likes are off on this site")]
    Disabled,
    /// No comment readers of the site can see with this id.
    #[error("no such published comment")]
    NotFound,
    /// This address likes the comment already.
    #[error("already liked")]
    AlreadyLiked,
    /// This address has no like of the comment to take back.
    #[error("not liked")]
    NotLiked,
    #[error("rate limited")]
    RateLimited(u64),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The comment's likes after the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Likes {
    pub likes: i64,
}

pub struct LikeContext<'a> {
    pub store: &'a Store,
    pub read_cache: &'a ReadCache,
    pub limiter: &'a RateLimiter,
    pub site: &'a Site,
    pub comment_id: &'a str,
    /// The reader's address, as its keyed hash.
    pub ip_hash: &'a str,
    pub now: i64,
}

/// Like (`like = true`) or take back a like of a visible comment: the
/// site's switch, the per-address budget, then one row per address. The
/// article's cached lists are marked behind, not dropped (see
/// `read_cache::LIKES_LAG`).
pub async fn set_like(ctx: LikeContext<'_>, like: bool) -> Result<Likes, LikeError> {
    if !ctx.site.likes {
        return Err(LikeError::Disabled);
    }
    let site_key = ctx.site.key.as_str();
    ctx.limiter
        .check(&format!("like:{}", ctx.ip_hash), ctx.now)
        .await
        .map_err(|l| LikeError::RateLimited(l.retry_after_secs))?;
    let outcome = if like {
        ctx.store
            .like(site_key, ctx.comment_id, ctx.ip_hash, ctx.now)
            .await?
    } else {
        ctx.store
            .unlike(site_key, ctx.comment_id, ctx.ip_hash)
            .await?
    };
    match outcome {
        LikeOutcome::NotFound => Err(LikeError::NotFound),
        LikeOutcome::Unchanged if like => Err(LikeError::AlreadyLiked),
        LikeOutcome::Unchanged => Err(LikeError::NotLiked),
        LikeOutcome::Changed { likes, article_key } => {
            ctx.read_cache.liked(site_key, &article_key);
            Ok(Likes { likes })
        }
    }
}
