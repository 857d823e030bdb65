//! The published-comments read sits on every article page, so its answers are
//! kept in memory: serialized JSON with an ETag, per article (lists) and per
//! site (counts). Every change of what is published invalidates the article
//! here and, on PostgreSQL, in every other majlis process through
//! `LISTEN/NOTIFY`. A short time-to-live bounds staleness should a
//! notification ever be missed (e.g. a process died between commit and
//! notify).
//!
//! A like changes one count in a list, hundreds of times a second on a busy
//! article, so it does not invalidate: it marks the article's lists as
//! behind, and a list answer older than a like of its article is rebuilt on
//! the first read at least `LIKES_LAG` after the answer was built (by that
//! one reader: the others get the answer they had until it is back). Counts
//! thus lag by at most `LIKES_LAG` in this process (`TTL` in another
//! process), the article's list is queried at most once per `LIKES_LAG` per
//! query however fast likes come, and each answer's ETag is its own bytes',
//! so a conditional read never keeps a count that changed.

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
    fnv1a_from(0xcbf2_9ce4_8422_2325_u64, bytes)
}

/// Memory the cached answers may take when no size is configured.
pub const DEFAULT_BUDGET_BYTES: usize = 32 * 1024 * 1024;
/// Answers kept per article or site (one per query: order, page size,
/// cursor); past it the slot starts over, so a crawler walking every cursor
/// cannot grow one slot without bound.
const MAX_QUERIES_PER_SLOT: usize = 64;
/// What an answer costs besides its body (keys, tag, bookkeeping).
const ENTRY_OVERHEAD: usize = 160;
/// Upper bound on staleness if an invalidation is lost.
const TTL: Duration = Duration::from_secs(30);
/// How long a list may show like counts behind the latest like.
pub const LIKES_LAG: Duration = Duration::from_secs(2);

/// Whose answers a slot holds: an article's lists, or a site's answers
/// (counts, the site feed).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    Article(String, String),
    Site(String),
}

impl Owner {
    fn is(&self, site: &str, article: Option<&str>) -> bool {
        match (self, article) {
            (Owner::Article(s, a), Some(article)) => s == site && a == article,
            (Owner::Site(s), None) => s == site,
            _ => false,
        }
    }
}

/// The slot's key: a hash of its owner, so a lookup allocates nothing. The
/// slot keeps its owner and a lookup checks it, so a collision is a miss.
fn slot_key(site: &str, article: Option<&str>) -> u64 {
    let h = fnv1a(site.as_bytes());
    match article {
        Some(a) => fnv1a_from(fnv1a_from(h, &[0]), a.as_bytes()),
        None => fnv1a_from(h, &[1]),
    }
}

fn fnv1a_from(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What an answer is. Each kind has its own queries, so no query string of
/// one kind (say a counts request for the article keys `x`) can name an
/// answer of another (the site's feed).
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A page of an article's published list.
    List = 0,
    /// The site's published counts of some articles.
    Counts = 1,
    /// An article's or the site's Atom feed.
    Feed = 2,
}

/// An answer and the like sequence number its reader saw before querying.
struct Entry {
    value: Arc<Cached>,
    likes_seen: u64,
    /// When a reader was sent to rebuild this answer, behind on likes; the
    /// readers meanwhile get this answer (see `Inner::get`).
    rebuilding: Option<Instant>,
}

struct Slot {
    owner: Owner,
    /// Per kind: query -> answer.
    answers: [HashMap<String, Entry>; 3],
    bytes: usize,
    /// The like sequence number of the latest like of this article.
    liked: u64,
}

impl Slot {
    fn new(owner: Owner) -> Slot {
        Slot {
            owner,
            answers: Default::default(),
            bytes: 0,
            liked: 0,
        }
    }
}

/// The answers, least recently used first out once they take more than
/// `budget` bytes.
struct Inner {
    slots: lru::LruCache<u64, Slot>,
    bytes: usize,
    budget: usize,
}

impl Inner {
    fn get(
        &mut self,
        site: &str,
        article: Option<&str>,
        kind: Kind,
        query: &str,
    ) -> Option<Arc<Cached>> {
        let slot = self.slots.get_mut(&slot_key(site, article))?;
        if !slot.owner.is(site, article) {
            return None;
        }
        let liked = slot.liked;
        let entry = slot.answers[kind as usize].get_mut(query)?;
        if entry.likes_seen < liked && entry.value.at.elapsed() >= LIKES_LAG {
            // Behind on likes: one reader rebuilds it, the others keep
            // getting it meanwhile, so a burst of readers never queries the
            // list all at once. A rebuild that never comes back (an error)
            // is handed to the next reader after `LIKES_LAG`.
            if entry.rebuilding.is_some_and(|at| at.elapsed() < LIKES_LAG) {
                return fresh(&entry.value);
            }
            entry.rebuilding = Some(Instant::now());
            return None;
        }
        fresh(&entry.value)
    }

    /// Store `value`, read by a reader who saw like number `likes_seen`
    /// before querying; `likes_now` is the latest like number.
    fn put(
        &mut self,
        owner: Owner,
        kind: Kind,
        query: &str,
        value: Arc<Cached>,
        likes_seen: u64,
        likes_now: u64,
    ) {
        let key = match &owner {
            Owner::Article(s, a) => slot_key(s, Some(a)),
            Owner::Site(s) => slot_key(s, None),
        };
        let cost = value.body.len() + query.len() + ENTRY_OVERHEAD;
        let known = self.slots.peek(&key).is_some_and(|s| s.owner == owner);
        let slot = self
            .slots
            .get_or_insert_mut(key, || Slot::new(owner.clone()));
        let held: usize = slot.answers.iter().map(HashMap::len).sum();
        if slot.owner != owner || held >= MAX_QUERIES_PER_SLOT {
            self.bytes -= slot.bytes;
            let liked = if slot.owner == owner { slot.liked } else { 0 };
            *slot = Slot::new(owner);
            slot.liked = liked;
        }
        // A like of some article came between this reader's query and now,
        // and a new slot has no record of which: assume this one.
        if !known && likes_now > likes_seen {
            slot.liked = likes_now;
        }
        let entry = Entry {
            value,
            likes_seen,
            rebuilding: None,
        };
        if let Some(old) = slot.answers[kind as usize].insert(query.to_string(), entry) {
            let old_cost = old.value.body.len() + query.len() + ENTRY_OVERHEAD;
            slot.bytes -= old_cost;
            self.bytes -= old_cost;
        }
        slot.bytes += cost;
        self.bytes += cost;
        while self.bytes > self.budget {
            match self.slots.pop_lru() {
                Some((_, evicted)) => self.bytes -= evicted.bytes,
                None => break,
            }
        }
    }

    fn mark_liked(&mut self, site: &str, article: &str, seq: u64) {
        if let Some(slot) = self.slots.peek_mut(&slot_key(site, Some(article)))
            && slot.owner.is(site, Some(article))
        {
            slot.liked = slot.liked.max(seq);
        }
    }

    fn drop_slot(&mut self, site: &str, article: Option<&str>) {
        let key = slot_key(site, article);
        if self
            .slots
            .peek(&key)
            .is_some_and(|s| s.owner.is(site, article))
            && let Some(slot) = self.slots.pop(&key)
        {
            self.bytes -= slot.bytes;
        }
    }
}

#[derive(Clone)]
pub struct ReadCache {
    inner: Arc<Mutex<Inner>>,
    /// Bumped by every invalidation. A reader notes it before querying and
    /// stores its answer only if it has not moved, so an answer read before a
    /// commit can never be cached after that commit's invalidation.
    epoch: Arc<std::sync::atomic::AtomicU64>,
    sites: Arc<Mutex<HashMap<String, (Instant, crate::domain::Site)>>>,
    /// Bumped by every like or unlike (see `LIKES_LAG`).
    likes: Arc<std::sync::atomic::AtomicU64>,
}

/// What a list reader notes before querying, to pass back to `put_list`.
#[derive(Debug, Clone, Copy)]
pub struct ListStamp {
    epoch: u64,
    likes: u64,
}

impl Default for ReadCache {
    fn default() -> ReadCache {
        ReadCache::new(DEFAULT_BUDGET_BYTES)
    }
}

/// How long a site's settings are reused before being read again.
const SITE_TTL: Duration = Duration::from_secs(5);

fn fresh(c: &Arc<Cached>) -> Option<Arc<Cached>> {
    (c.at.elapsed() < TTL).then(|| c.clone())
}

impl ReadCache {
    /// A cache whose answers take at most `budget_bytes` (bodies and
    /// bookkeeping), the least recently read going first.
    pub fn new(budget_bytes: usize) -> ReadCache {
        ReadCache {
            inner: Arc::new(Mutex::new(Inner {
                slots: lru::LruCache::unbounded(),
                bytes: 0,
                budget: budget_bytes,
            })),
            epoch: Arc::default(),
            sites: Arc::default(),
            likes: Arc::default(),
        }
    }

    /// Bytes the cached answers take now.
    pub fn bytes(&self) -> usize {
        self.inner.lock().map(|i| i.bytes).unwrap_or(0)
    }

    pub fn list(&self, site: &str, article: &str, query: &str) -> Option<Arc<Cached>> {
        self.inner
            .lock()
            .ok()?
            .get(site, Some(article), Kind::List, query)
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

    /// The stamp to pass back to `put_list`.
    pub fn list_stamp(&self) -> ListStamp {
        ListStamp {
            epoch: self.epoch(),
            likes: self.likes.load(std::sync::atomic::Ordering::Acquire),
        }
    }

    pub fn put_list(
        &self,
        site: &str,
        article: &str,
        query: &str,
        stamp: ListStamp,
        value: Arc<Cached>,
    ) {
        if let Ok(mut inner) = self.inner.lock() {
            if stamp.epoch != self.epoch() {
                return;
            }
            let likes_now = self.likes.load(std::sync::atomic::Ordering::Acquire);
            inner.put(
                Owner::Article(site.to_string(), article.to_string()),
                Kind::List,
                query,
                value,
                stamp.likes,
                likes_now,
            );
        }
    }

    /// A like or unlike of a comment under this article was committed: its
    /// lists are behind, and are rebuilt within `LIKES_LAG`.
    pub fn liked(&self, site: &str, article: &str) {
        if let Ok(mut inner) = self.inner.lock() {
            let seq = self.likes.fetch_add(1, std::sync::atomic::Ordering::AcqRel) + 1;
            inner.mark_liked(site, article, seq);
        }
    }

    pub fn counts(&self, site: &str, query: &str) -> Option<Arc<Cached>> {
        self.inner.lock().ok()?.get(site, None, Kind::Counts, query)
    }

    pub fn put_counts(&self, site: &str, query: &str, epoch: u64, value: Arc<Cached>) {
        if let Ok(mut inner) = self.inner.lock() {
            if epoch != self.epoch() {
                return;
            }
            inner.put(
                Owner::Site(site.to_string()),
                Kind::Counts,
                query,
                value,
                0,
                0,
            );
        }
    }

    /// The Atom feed of an article, or of the site with `None`.
    pub fn feed(&self, site: &str, article: Option<&str>) -> Option<Arc<Cached>> {
        self.inner.lock().ok()?.get(site, article, Kind::Feed, "")
    }

    pub fn put_feed(&self, site: &str, article: Option<&str>, epoch: u64, value: Arc<Cached>) {
        if let Ok(mut inner) = self.inner.lock() {
            if epoch != self.epoch() {
                return;
            }
            let owner = match article {
                Some(a) => Owner::Article(site.to_string(), a.to_string()),
                None => Owner::Site(site.to_string()),
            };
            inner.put(owner, Kind::Feed, "", value, 0, 0);
        }
    }

    /// What is published under this article changed.
    pub fn invalidate(&self, site: &str, article: &str) {
        if let Ok(mut inner) = self.inner.lock() {
            self.epoch.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            inner.drop_slot(site, Some(article));
            inner.drop_slot(site, None);
        }
    }

    /// Forget everything (after a lost notification stream).
    pub fn clear(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            self.epoch.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            inner.slots.clear();
            inner.bytes = 0;
        }
    }

    /// The payload of a cross-process invalidation: `site\narticle`.
    pub fn invalidate_from_notification(&self, payload: &str) {
        if let Some((site, article)) = payload.split_once('\n') {
            self.invalidate(site, article);
        }
    }

    /// Another process committed likes under an article (payload as for
    /// [`ReadCache::invalidate_from_notification`]).
    pub fn liked_from_notification(&self, payload: &str) {
        if let Some((site, article)) = payload.split_once('\n') {
            self.liked(site, article);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Put an answer to the list query `q` of article `article` of site `s`,
    /// stamped now.
    fn put_fresh(cache: &ReadCache, article: &str, body: &[u8]) {
        cache.put_list(
            "s",
            article,
            "q",
            cache.list_stamp(),
            Cached::new(body.to_vec()),
        );
    }

    #[test]
    fn invalidating_an_article_drops_its_lists_and_the_sites_counts_only() {
        let cache = ReadCache::default();
        let e = cache.epoch();
        put_fresh(&cache, "a", b"[1]");
        put_fresh(&cache, "b", b"[2]");
        cache.put_counts("s", "a,b", e, Cached::new(b"{}".to_vec()));
        cache.invalidate_from_notification("s\na");
        assert!(cache.list("s", "a", "q").is_none());
        assert!(cache.list("s", "b", "q").is_some());
        assert!(cache.counts("s", "a,b").is_none());
    }

    #[test]
    fn an_answer_read_before_an_invalidation_is_not_cached_after_it() {
        let cache = ReadCache::default();
        let before = cache.list_stamp();
        cache.invalidate("s", "a");
        cache.put_list("s", "a", "q", before, Cached::new(b"stale".to_vec()));
        assert!(cache.list("s", "a", "q").is_none());
    }

    #[test]
    fn the_cache_keeps_to_its_budget_dropping_the_least_recently_read() {
        let body = vec![b'x'; 1000];
        let cost = 1000 + 1 + ENTRY_OVERHEAD;
        let cache = ReadCache::new(3 * cost);
        for a in ["a", "b", "c"] {
            put_fresh(&cache, a, &body);
        }
        assert_eq!(cache.bytes(), 3 * cost);
        // Reading `a` makes `b` the least recently used: the fourth goes in
        // at `b`'s expense.
        assert!(cache.list("s", "a", "q").is_some());
        put_fresh(&cache, "d", &body);
        assert!(cache.list("s", "b", "q").is_none());
        for a in ["a", "c", "d"] {
            assert!(cache.list("s", a, "q").is_some(), "{a}");
        }
        assert_eq!(cache.bytes(), 3 * cost);
        cache.invalidate("s", "a");
        assert_eq!(cache.bytes(), 2 * cost);
        // Replacing an answer does not count it twice.
        put_fresh(&cache, "c", &body);
        assert_eq!(cache.bytes(), 2 * cost);
    }

    #[test]
    fn a_site_answer_and_an_article_list_of_the_same_name_are_apart() {
        let cache = ReadCache::default();
        let e = cache.epoch();
        cache.put_counts("s", "q", e, Cached::new(b"site".to_vec()));
        put_fresh(&cache, "", b"list");
        assert_eq!(&cache.counts("s", "q").unwrap().body[..], b"site");
        assert_eq!(&cache.list("s", "", "q").unwrap().body[..], b"list");
    }

    #[test]
    fn a_counts_query_never_names_a_feed() {
        let cache = ReadCache::default();
        let e = cache.epoch();
        cache.put_counts("s", "", e, Cached::new(b"{}".to_vec()));
        assert!(cache.feed("s", None).is_none());
        cache.put_feed("s", None, e, Cached::new(b"<feed/>".to_vec()));
        assert_eq!(&cache.counts("s", "").unwrap().body[..], b"{}");
        assert_eq!(&cache.feed("s", None).unwrap().body[..], b"<feed/>");
        cache.invalidate("s", "a");
        assert!(
            cache.feed("s", None).is_none(),
            "any publication changes the site feed"
        );
    }

    #[test]
    fn a_like_leaves_the_list_until_the_lag_has_passed() {
        let cache = ReadCache::default();
        put_fresh(&cache, "a", b"[0]");
        cache.liked("s", "a");
        assert!(
            cache.list("s", "a", "q").is_some(),
            "a fresh answer is served during the lag"
        );
        // The same answer, built `LIKES_LAG` ago: rebuilt on the next read.
        let stamp = cache.list_stamp();
        let mut old = Cached::new(b"[0]".to_vec());
        if let Some(c) = Arc::get_mut(&mut old)
            && let Some(at) = Instant::now().checked_sub(LIKES_LAG)
        {
            c.at = at;
        }
        cache.put_list("s", "a", "q", ListStamp { likes: 0, ..stamp }, old);
        assert!(
            cache.list("s", "a", "q").is_none(),
            "the first reader rebuilds it"
        );
        assert!(
            cache.list("s", "a", "q").is_some(),
            "the readers meanwhile get the answer they had"
        );
        // An answer read after the like stays.
        put_fresh(&cache, "a", b"[1]");
        assert!(cache.list("s", "a", "q").is_some());
        // Another article's list is untouched by the like.
        put_fresh(&cache, "b", b"[2]");
        cache.liked("s", "a");
        assert!(cache.list("s", "b", "q").is_some());
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
