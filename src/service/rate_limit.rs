//! Requests per API key and security codes per client address: a sliding
//! one-minute window estimated from two
//! fixed windows (this minute's count plus the previous minute's, weighted
//! by how much of it still lies in the last 60 seconds). On PostgreSQL the
//! counts live in the database so every instance shares one budget;
//! a SQLite deployment is one process and counts in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::storage::{Backend, Store};

const WINDOW_MS: i64 = 60_000;

/// Seconds to wait before the next request would be admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after_secs: u64,
}

#[derive(Clone)]
pub struct RateLimiter {
    per_minute: u32,
    counts: Counts,
}

/// Window start, hits in it, hits in the window before.
type Window = (i64, i64, i64);

#[derive(Clone)]
enum Counts {
    Shared(Store),
    Local(Arc<Mutex<HashMap<String, Window>>>),
}

impl RateLimiter {
    pub fn new(per_minute: u32, store: &Store) -> RateLimiter {
        let counts = match store.backend() {
            Backend::Postgres => Counts::Shared(store.clone()),
            Backend::Sqlite => Counts::Local(Arc::default()),
        };
        RateLimiter { per_minute, counts }
    }

    /// Count one request in `bucket` (an API key id, `captcha:<address hash>`)
    /// at `now` (unix ms) and say whether it
    /// is within the budget. A storage failure admits the request (the
    /// request itself will meet the same failure and answer 503).
    pub async fn check(&self, bucket: &str, now: i64) -> Result<(), Limited> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let start = now - now.rem_euclid(WINDOW_MS);
        let (hits, previous) = match &self.counts {
            Counts::Shared(store) => match store.hit_rate_window(bucket, start, WINDOW_MS).await {
                Ok(counts) => counts,
                Err(e) => {
                    tracing::warn!(error = %e, "rate counter unavailable; request admitted");
                    return Ok(());
                }
            },
            Counts::Local(map) => {
                let Ok(mut map) = map.lock() else {
                    return Ok(());
                };
                if map.len() > 10_000 {
                    map.retain(|_, (s, _, _)| *s >= start - WINDOW_MS);
                }
                let entry = map.entry(bucket.to_string()).or_insert((start, 0, 0));
                if entry.0 != start {
                    let previous = if entry.0 == start - WINDOW_MS {
                        entry.1
                    } else {
                        0
                    };
                    *entry = (start, 0, previous);
                }
                entry.1 += 1;
                (entry.1, entry.2)
            }
        };
        decide(self.per_minute, hits, previous, now - start)
    }
}

/// The pure part: admit while the sliding estimate stays within the budget.
fn decide(per_minute: u32, hits: i64, previous: i64, into_window: i64) -> Result<(), Limited> {
    let remaining_of_previous = (WINDOW_MS - into_window) as f64 / WINDOW_MS as f64;
    let estimate = hits as f64 + previous as f64 * remaining_of_previous;
    if estimate <= f64::from(per_minute) {
        return Ok(());
    }
    // Waiting until the window turns is always enough to admit one more
    // request unless this window alone is over budget; then a whole window.
    let to_turn = WINDOW_MS - into_window;
    let wait = if hits > i64::from(per_minute) {
        to_turn + WINDOW_MS
    } else {
        to_turn
    };
    Err(Limited {
        retry_after_secs: u64::try_from((wait + 999) / 1000).unwrap_or(60).max(1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_the_budget_within_one_window() {
        assert!(decide(10, 10, 0, 30_000).is_ok());
        assert!(decide(10, 11, 0, 30_000).is_err());
    }

    #[test]
    fn the_previous_window_counts_for_the_part_still_inside_the_last_minute() {
        // Half of the previous window is still inside: 10 * 0.5 + 5 = 10.
        assert!(decide(10, 5, 10, 30_000).is_ok());
        assert!(decide(10, 6, 10, 30_000).is_err());
        // At the very end of this window the previous one no longer counts.
        assert!(decide(10, 9, 1_000, 59_999).is_ok());
    }

    #[test]
    fn retry_after_points_past_the_window_turn() {
        let Err(l) = decide(10, 8, 10, 45_000) else {
            panic!("should be limited")
        };
        assert_eq!(l.retry_after_secs, 15);
        let Err(l) = decide(10, 11, 0, 45_000) else {
            panic!("should be limited")
        };
        assert_eq!(l.retry_after_secs, 75);
    }
}
