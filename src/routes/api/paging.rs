//! Keyset pagination of the API's lists: `limit` and `cursor` in, one page
//! and its `next_cursor` out.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::storage::{Cursor, Order};

pub const DEFAULT_PAGE: u32 = 20;
pub const MAX_PAGE: u32 = 100;

/// Longest id a cursor of comments or deliveries carries.
pub const ID_MAX: usize = 64;
/// Article cursors carry the article key, which may be longer than an id.
pub const ARTICLE_KEY_MAX: usize = 1024;

pub fn encode_cursor(c: &Cursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}", c.at, c.id))
}

/// A cursor of `encode_cursor` whose id is 1 to `id_max` bytes.
pub fn decode_cursor(raw: &str, id_max: usize) -> Option<Cursor> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (at, id) = text.split_once(':')?;
    if id.is_empty() || id.len() > id_max {
        return None;
    }
    Some(Cursor {
        at: at.parse().ok()?,
        id: id.to_string(),
    })
}

pub fn parse_order(raw: Option<&str>, default: Order) -> Option<Order> {
    match raw {
        None => Some(default),
        Some("newest") => Some(Order::Newest),
        Some("oldest") => Some(Order::Oldest),
        Some(_) => None,
    }
}

pub fn parse_limit(raw: Option<u32>) -> Option<u32> {
    match raw {
        None => Some(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Some(n),
        Some(_) => None,
    }
}

/// The page size and the position after which a list request starts (none
/// for an absent or empty `cursor`); `None` when either is bad.
pub fn page_request(
    limit: Option<u32>,
    cursor: Option<&str>,
    id_max: usize,
) -> Option<(u32, Option<Cursor>)> {
    let limit = parse_limit(limit)?;
    let cursor = match cursor {
        None | Some("") => None,
        Some(raw) => Some(decode_cursor(raw, id_max)?),
    };
    Some((limit, cursor))
}

/// The first `limit` of `rows` (fetched one more than a page, to learn
/// whether there is a next page) and the cursor of the next page, made from
/// the last row's `position`.
pub fn split_page<T>(
    mut rows: Vec<T>,
    limit: u32,
    position: impl Fn(&T) -> Cursor,
) -> (Vec<T>, Option<String>) {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|r| encode_cursor(&position(r)))
    } else {
        None
    };
    (rows, next)
}
