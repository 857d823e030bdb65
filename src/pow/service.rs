use std::sync::Arc;

use rand::RngExt;

use super::puzzle::{self, Difficulty, Issued, PowFailure, Solution};
use crate::storage::{StorageError, Store};

/// What a submission's `pow` field proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowOutcome {
    /// A fresh solution of a challenge issued for this site.
    Solved,
    /// No solution sent (the no-JavaScript form, or a client that skipped it).
    Missing,
    Failed(PowFailure),
}

/// A proof that passed every check but single use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedProof {
    challenge: String,
    expires_ms: i64,
    /// When its challenge was issued (ms): the start of the form's fill time.
    pub issued_ms: i64,
}

/// Issues and verifies proof-of-work challenges. Stateless at issue; a
/// solved challenge is stored until it expires so it counts once.
#[derive(Clone)]
pub struct PowService {
    store: Store,
    key: Arc<[u8]>,
    ttl_secs: i64,
    difficulty: Difficulty,
}

impl PowService {
    pub fn new(store: Store, key: Vec<u8>, ttl_secs: u64, difficulty: Difficulty) -> PowService {
        PowService {
            store,
            key: key.into(),
            ttl_secs: i64::try_from(ttl_secs).unwrap_or(i64::MAX / 1000),
            difficulty,
        }
    }

    pub fn difficulty(&self) -> Difficulty {
        self.difficulty
    }

    /// A new challenge for `site`, harder the more the client's address
    /// and network sent in the last hour.
    pub fn issue(&self, site: &str, address_recent: u64, network_recent: u64, now: i64) -> Issued {
        let maxnumber = puzzle::difficulty(self.difficulty, address_recent, network_recent);
        let mut rng = rand::rng();
        let number = rng.random_range(0..=maxnumber);
        let nonce = crate::domain::new_secret_token(12);
        let expires_secs = now.div_euclid(1000).saturating_add(self.ttl_secs);
        puzzle::issue(&self.key, site, expires_secs, &nonce, number, maxnumber)
    }

    /// Check (and spend) the `pow` field of a submission to `site`.
    pub async fn verify(
        &self,
        site: &str,
        field: Option<&str>,
        now: i64,
    ) -> Result<PowOutcome, StorageError> {
        match self.check(site, field, now) {
            Ok(Some(proof)) => self.spend(&proof, now).await,
            Ok(None) => Ok(PowOutcome::Missing),
            Err(f) => Ok(PowOutcome::Failed(f)),
        }
    }

    /// Every check of the `pow` field but single use, without spending it:
    /// `None` when none was sent.
    pub fn check(
        &self,
        site: &str,
        field: Option<&str>,
        now: i64,
    ) -> Result<Option<CheckedProof>, PowFailure> {
        let Some(field) = field.map(str::trim).filter(|f| !f.is_empty()) else {
            return Ok(None);
        };
        let solution = Solution::decode(field).ok_or(PowFailure::Malformed)?;
        puzzle::check(&self.key, &solution, site, now.div_euclid(1000))?;
        let expires_ms = puzzle::salt_params(&solution.salt)
            .map(|(secs, _)| secs.saturating_mul(1000))
            .unwrap_or(now);
        Ok(Some(CheckedProof {
            challenge: solution.challenge,
            expires_ms,
            issued_ms: expires_ms.saturating_sub(self.ttl_secs.saturating_mul(1000)),
        }))
    }

    /// Spend a checked proof: `Solved` the first time, `Replayed` after.
    pub async fn spend(&self, proof: &CheckedProof, now: i64) -> Result<PowOutcome, StorageError> {
        if self
            .store
            .spend_pow_challenge(&proof.challenge, proof.expires_ms, now)
            .await?
        {
            Ok(PowOutcome::Solved)
        } else {
            Ok(PowOutcome::Failed(PowFailure::Replayed))
        }
    }
}
