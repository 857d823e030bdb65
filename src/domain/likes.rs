//! The `top` order of a published list: likes weighed down by age.
//!
//! score = likes / (age_hours + 2) ^ 1.5
//!
//! (Hacker News's "gravity" form.) A like counts most while a comment is
//! new: at 1.5 a comment of 4 likes an hour old (4 / 5.2 = 0.77) outranks
//! one of 20 likes a day old (20 / 127 = 0.16). The `+ 2` keeps a
//! minutes-old comment from ranking on one like. Equal scores (no likes at
//! all, say) go newest first, then by id, so the order is total.

use std::cmp::Ordering;

/// How fast a like's weight falls with the comment's age.
pub const TOP_GRAVITY: f64 = 1.5;
/// Hours added to every age.
pub const TOP_AGE_OFFSET_HOURS: f64 = 2.0;

const HOUR_MS: f64 = 3_600_000.0;

/// A comment's `top` score `age_ms` after it was published.
pub fn top_score(likes: i64, age_ms: i64) -> f64 {
    let hours = age_ms.max(0) as f64 / HOUR_MS;
    likes.max(0) as f64 / (hours + TOP_AGE_OFFSET_HOURS).powf(TOP_GRAVITY)
}

/// What `top` orders by: (likes, published at, id).
pub trait TopRanked {
    fn likes(&self) -> i64;
    fn published_at(&self) -> i64;
    fn id(&self) -> &str;
}

/// Sort `items` best first at time `now` (unix ms).
pub fn rank_top<T: TopRanked>(items: &mut [T], now: i64) {
    items.sort_by(|a, b| {
        let sa = top_score(a.likes(), now - a.published_at());
        let sb = top_score(b.likes(), now - b.published_at());
        sb.partial_cmp(&sa)
            .unwrap_or(Ordering::Equal)
            .then_with(|| b.published_at().cmp(&a.published_at()))
            .then_with(|| b.id().cmp(a.id()))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    struct C(i64, i64, &'static str);
    impl TopRanked for C {
        fn likes(&self) -> i64 {
            self.0
        }
        fn published_at(&self) -> i64 {
            self.1
        }
        fn id(&self) -> &str {
            self.2
        }
    }

    const H: i64 = 3_600_000;

    #[test]
    fn recent_likes_outrank_older_ones_and_ties_go_newest_first() {
        let now = 100 * H;
        let mut list = vec![
            C(20, now - 24 * H, "day-old-20"),
            C(0, now - H, "new-0"),
            C(4, now - H, "hour-old-4"),
            C(0, now - 2 * H, "older-0"),
            C(1, now - 90 * H, "ancient-1"),
        ];
        rank_top(&mut list, now);
        let ids: Vec<&str> = list.iter().map(|c| c.2).collect();
        assert_eq!(
            ids,
            ["hour-old-4", "day-old-20", "ancient-1", "new-0", "older-0"]
        );
    }

    #[test]
    fn the_score_falls_with_age_and_rises_with_likes() {
        assert!(top_score(5, H) > top_score(5, 10 * H));
        assert!(top_score(6, H) > top_score(5, H));
        assert_eq!(top_score(0, H), 0.0);
        assert!(top_score(3, -5) > 0.0, "a clock skew is age 0");
    }
}
