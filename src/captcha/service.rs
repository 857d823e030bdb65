use std::sync::Arc;

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::audio::render_audio;
use super::image::{Rendered, render};
use crate::domain::{CaptchaAttempt, new_id};
use crate::storage::{ChallengeRecord, StorageError, Store};

/// Called with (challenge id, answer) whenever a challenge is issued. Only the
/// test harness sets one, in-process, to solve challenges like a reader would.
pub type IssueObserver = Arc<dyn Fn(&str, &str) + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum CaptchaError {
    /// Wrong, missing, expired, used, or issued for another site. One variant
    /// on purpose: the answer never tells which.
    #[error("the security code is wrong or has expired")]
    Invalid,
    #[error("could not render the security code image")]
    Render,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// An issued challenge, as the API returns it.
#[derive(Debug, Clone)]
pub struct Challenge {
    pub id: String,
    pub png: Vec<u8>,
    pub expires_at: i64,
}

impl Challenge {
    pub fn data_url(&self) -> String {
        format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&self.png)
        )
    }
}

#[derive(Clone)]
pub struct CaptchaService {
    store: Store,
    key: Arc<[u8]>,
    ttl_ms: i64,
    length: u32,
    observer: Option<IssueObserver>,
    pool: Arc<Pool>,
    min_fill_ms: i64,
}

/// Images rendered ahead of demand, each handed out once. Bounded; refilled
/// by one background task so bursts of readers never wait for the renderer.
struct Pool {
    images: std::sync::Mutex<std::collections::VecDeque<Rendered>>,
    wanted: tokio::sync::Notify,
    capacity: usize,
}

impl Pool {
    fn take(&self) -> Option<Rendered> {
        let taken = self.images.lock().ok()?.pop_front();
        self.wanted.notify_one();
        taken
    }

    fn len(&self) -> usize {
        self.images.lock().map_or(0, |i| i.len())
    }
}

/// Renders running at once on blocking threads when the pool is empty: more
/// would only queue threads (each with its own stack) behind the CPU.
static INLINE_RENDERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Keep the pool full, one image at a time on a blocking thread.
async fn refill(pool: Arc<Pool>, length: u32) {
    loop {
        while pool.len() < pool.capacity {
            match tokio::task::spawn_blocking(move || render(length)).await {
                Ok(Some(r)) => {
                    if let Ok(mut images) = pool.images.lock() {
                        images.push_back(r);
                    }
                }
                _ => {
                    tracing::warn!("captcha pre-rendering failed; retrying shortly");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
        pool.wanted.notified().await;
    }
}

impl CaptchaService {
    pub fn new(
        store: Store,
        key: Vec<u8>,
        ttl_secs: u64,
        length: u32,
        pool_size: usize,
        observer: Option<IssueObserver>,
    ) -> CaptchaService {
        let pool = Arc::new(Pool {
            images: std::sync::Mutex::new(std::collections::VecDeque::with_capacity(pool_size)),
            wanted: tokio::sync::Notify::new(),
            capacity: pool_size,
        });
        if pool_size > 0 {
            tokio::spawn(refill(pool.clone(), length));
        }
        CaptchaService {
            store,
            key: key.into(),
            ttl_ms: i64::try_from(ttl_secs.saturating_mul(1000)).unwrap_or(i64::MAX),
            length,
            observer,
            pool,
            min_fill_ms: 0,
        }
    }

    /// The least time from a code's issue to a submission a person takes.
    pub fn with_min_fill_secs(mut self, secs: u64) -> CaptchaService {
        self.min_fill_ms = i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        self
    }

    pub fn min_fill_ms(&self) -> i64 {
        self.min_fill_ms
    }

    /// Width and height of this service's images, in pixels.
    pub fn image_size(&self) -> (u32, u32) {
        (super::image_width(self.length), super::IMAGE_HEIGHT)
    }

    /// Pre-rendered images ready to hand out.
    pub fn pool_len(&self) -> usize {
        self.pool.len()
    }

    /// HMAC-SHA256 over site, challenge id and the case-folded answer.
    fn answer_hash(&self, site_key: &str, id: &str, answer: &str) -> Vec<u8> {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            // HMAC accepts keys of any length; this branch is unreachable.
            return Vec::new();
        };
        mac.update(site_key.as_bytes());
        mac.update(&[0]);
        mac.update(id.as_bytes());
        mac.update(&[0]);
        mac.update(answer.trim().to_lowercase().as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// Render (off the async runtime) and store a new challenge for a site;
    /// with `audio`, also its spoken version.
    pub async fn issue(
        &self,
        site_key: &str,
        now: i64,
        audio: bool,
    ) -> Result<Challenge, CaptchaError> {
        let length = self.length;
        let pooled = if audio { None } else { self.pool.take() };
        let (rendered, wav) = match pooled {
            // The common case: a pre-rendered image, no hop to a blocking thread.
            Some(r) => (r, None),
            None => {
                let _permit = INLINE_RENDERS
                    .acquire()
                    .await
                    .map_err(|_| CaptchaError::Render)?;
                tokio::task::spawn_blocking(move || {
                    let rendered = render(length)?;
                    let wav = if audio {
                        Some(render_audio(&rendered.answer)?)
                    } else {
                        None
                    };
                    Some((rendered, wav))
                })
                .await
                .map_err(|_| CaptchaError::Render)?
                .ok_or(CaptchaError::Render)?
            }
        };
        let id = new_id();
        let record = ChallengeRecord {
            id: id.clone(),
            site_key: site_key.to_string(),
            answer_hash: hex::encode(self.answer_hash(site_key, &id, &rendered.answer)),
            expires_at: now.saturating_add(self.ttl_ms),
            issued_at: now,
        };
        self.store
            .insert_challenge(&record, &rendered.png, wav.as_deref())
            .await?;
        if let Some(observer) = &self.observer {
            observer(&id, &rendered.answer);
        }
        Ok(Challenge {
            id,
            png: rendered.png,
            expires_at: record.expires_at,
        })
    }

    /// Check an attempt. The challenge is consumed whatever the outcome.
    /// A right answer gives the time the challenge was issued (ours, so the
    /// client cannot forge it): the start of the reader's fill time.
    pub async fn verify(
        &self,
        site_key: &str,
        attempt: Option<&CaptchaAttempt>,
        now: i64,
    ) -> Result<i64, CaptchaError> {
        let Some(attempt) = attempt else {
            return Err(CaptchaError::Invalid);
        };
        if attempt.id.is_empty() {
            return Err(CaptchaError::Invalid);
        }
        let Some(stored) = self.store.take_challenge(&attempt.id).await? else {
            return Err(CaptchaError::Invalid);
        };
        let expected = hex::decode(&stored.answer_hash).unwrap_or_default();
        let given = self.answer_hash(site_key, &stored.id, &attempt.answer);
        let same_site = stored.site_key == site_key;
        let fresh = stored.expires_at > now;
        let matches: bool = expected.ct_eq(&given).into();
        if same_site && fresh && matches && !attempt.answer.is_empty() {
            Ok(stored.issued_at)
        } else {
            Err(CaptchaError::Invalid)
        }
    }

    /// Whether a challenge can still be answered on `site_key` (the form
    /// shown again after invalid fields keeps the reader's code).
    pub async fn is_open(&self, site_key: &str, id: &str, now: i64) -> Result<bool, CaptchaError> {
        Ok(self.store.challenge_is_open(id, site_key, now).await?)
    }

    pub async fn wav(&self, id: &str, now: i64) -> Result<Option<Vec<u8>>, CaptchaError> {
        Ok(self.store.challenge_wav(id, now).await?)
    }

    pub async fn png(&self, id: &str, now: i64) -> Result<Option<Vec<u8>>, CaptchaError> {
        Ok(self.store.challenge_png(id, now).await?)
    }
}
