//! The published-comments read sits on every article page, so its answers are
//! kept in memory: serialized JSON with an ETag, per article (lists) and per
//! site (counts). Every change of what is published invalidates the article
//! here and, on PostgreSQL, in every other majlis process through
//! `LISTEN/NOTIFY`. A short time-to-live bounds staleness should a
//! notification ever be missed (e.g. a process died between commit and
//! notify).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A cached answer body and its entity tag.
#[derive(Debug)]
pub struct Cached {
    /// Shared, so answering from the cache copies nothing.
    pub body: bytes::Bytes,
    pub etag: String,
    at: Instant,
}

impl Cached {
    pub fn new(body: Vec<u8>) -> Arc<Cached> {
        let etag = format!("\"{:016x}\"", fnv1a(&body));
        Arc::new(Cached {
            body: bytes::Bytes::from(body),
            etag,
            at: Instant::now(),
        })
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Entries kept per process before the cache starts over; each is a few KB.
const MAX_ARTICLES: usize = 20_000;
const MAX_COUNT_QUERIES: usize = 20_000;
/// Upper bound on staleness if an invalidation is lost.
const TTL: Duration = Duration::from_secs(30);

type PerArticle = HashMap<String, Arc<Cached>>;

#[derive(Default)]
struct Inner {
    /// (site, article) -> query -> answer
    lists: HashMap<(String, String), PerArticle>,
    /// site -> query -> answer
    counts: HashMap<String, PerArticle>,
}

#[derive(Clone, Default)]
pub struct ReadCache {
    inner: Arc<Mutex<Inner>>,
    /// Bumped by every invalidation. A reader notes it before querying and
    /// stores its answer only if it has not moved, so an answer read before a
    /// commit can never be cached after that commit's invalidation.
    epoch: Arc<std::sync::atomic::AtomicU64>,
    sites: Arc<Mutex<HashMap<String, (Instant, crate::domain::Site)>>>,
}

/// How long a site's settings are reused before being read again.
const SITE_TTL: Duration = Duration::from_secs(5);

fn fresh(c: &Arc<Cached>) -> Option<Arc<Cached>> {
    (c.at.elapsed() < TTL).then(|| c.clone())
}

impl ReadCache {
    pub fn list(&self, site: &str, article: &str, query: &str) -> Option<Arc<Cached>> {
        let inner = self.inner.lock().ok()?;
        let per = inner.lists.get(&(site.to_string(), article.to_string()))?;
        per.get(query).and_then(fresh)
    }

    /// The epoch to pass back to `put_list` / `put_counts`.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(std::sync::atomic::Ordering::Acquire)
    }

    pub fn site(&self, key: &str) -> Option<crate::domain::Site> {
        let sites = self.sites.lock().ok()?;
        let (at, site) = sites.get(key)?;
        (at.elapsed() < SITE_TTL).then(|| site.clone())
    }

    pub fn put_site(&self, site: &crate::domain::Site) {
        if let Ok(mut sites) = self.sites.lock() {
            sites.insert(
                site.key.as_str().to_string(),
                (Instant::now(), site.clone()),
            );
        }
    }

    pub fn put_list(&self, site: &str, article: &str, query: &str, epoch: u64, value: Arc<Cached>) {
        if let Ok(mut inner) = self.inner.lock() {
            if epoch != self.epoch() {
                return;
            }
            if inner.lists.len() >= MAX_ARTICLES {
                inner.lists.clear();
            }
            inner
                .lists
                .entry((site.to_string(), article.to_string()))
                .or_default()
                .insert(query.to_string(), value);
        }
    }

    pub fn counts(&self, site: &str, query: &str) -> Option<Arc<Cached>> {
        let inner = self.inner.lock().ok()?;
        inner.counts.get(site)?.get(query).and_then(fresh)
    }

    pub fn put_counts(&self, site: &str, query: &str, epoch: u64, value: Arc<Cached>) {
        if let Ok(mut inner) = self.inner.lock() {
            if epoch != self.epoch() {
                return;
            }
            let per = inner.counts.entry(site.to_string()).or_default();
            if per.len() >= MAX_COUNT_QUERIES {
                per.clear();
            }
            per.insert(query.to_string(), value);
        }
    }

    /// What is published under this article changed.
    pub fn invalidate(&self, site: &str, article: &str) {
        if let Ok(mut inner) = self.inner.lock() {
            self.epoch.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            inner.lists.remove(&(site.to_string(), article.to_string()));
            inner.counts.remove(site);
        }
    }

    /// Forget everything (after a lost notification stream).
    pub fn clear(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            self.epoch.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            inner.lists.clear();
            inner.counts.clear();
        }
    }

    /// The payload of a cross-process invalidation: `site\narticle`.
    pub fn invalidate_from_notification(&self, payload: &str) {
        if let Some((site, article)) = payload.split_once('\n') {
            self.invalidate(site, article);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalidating_an_article_drops_its_lists_and_the_sites_counts_only() {
        let cache = ReadCache::default();
        let e = cache.epoch();
        cache.put_list("s", "a", "q", e, Cached::new(b"[1]".to_vec()));
        cache.put_list("s", "b", "q", e, Cached::new(b"[2]".to_vec()));
        cache.put_counts("s", "a,b", e, Cached::new(b"{}".to_vec()));
        cache.invalidate_from_notification("s\na");
        assert!(cache.list("s", "a", "q").is_none());
        assert!(cache.list("s", "b", "q").is_some());
        assert!(cache.counts("s", "a,b").is_none());
    }

    #[test]
    fn an_answer_read_before_an_invalidation_is_not_cached_after_it() {
        let cache = ReadCache::default();
        let before = cache.epoch();
        cache.invalidate("s", "a");
        cache.put_list("s", "a", "q", before, Cached::new(b"stale".to_vec()));
        assert!(cache.list("s", "a", "q").is_none());
    }

    #[test]
    fn etags_follow_the_content() {
        assert_eq!(
            Cached::new(b"x".to_vec()).etag,
            Cached::new(b"x".to_vec()).etag
        );
        assert_ne!(
            Cached::new(b"x".to_vec()).etag,
            Cached::new(b"y".to_vec()).etag
        );
    }
}
