//! The posting rules as the service layer sees them: each site's compiled
//! policy (cached per process, recompiled when the stored version changes so
//! every instance follows an edit on its next submission) and the signals
//! gathered from storage.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use crate::moderation::{Policy, PolicyConfig, PolicyError, Signals};
use crate::storage::{AuthorFacts, BlockEntry, StorageError, Store};

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The stored document does not compile (it was valid when saved, so this
    /// means a newer majlis tightened a rule).
    #[error("stored policy of site {site} is invalid: {source}")]
    Invalid {
        site: String,
        #[source]
        source: PolicyError,
    },
    #[error("stored policy of site {0} is not valid JSON")]
    Corrupt(String),
    /// The compile task did not finish (it panicked or the runtime is
    /// shutting down).
    #[error("policy compile task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Compile a policy on the blocking pool: the seed lists take a CPU-second
/// or more on a slow machine, which on an async worker would stall every
/// other connection it serves (and let their timers lapse).
pub async fn compile_policy(
    config: PolicyConfig,
) -> Result<Result<Policy, PolicyError>, tokio::task::JoinError> {
    tokio::task::spawn_blocking(move || Policy::compile(&config)).await
}

/// A site's policy document as stored: its version (0 = the shipped seed,
/// never saved) and the configuration.
pub struct StoredPolicy {
    pub version: i64,
    pub config: PolicyConfig,
}

/// A compiled policy and the stored version it was compiled from.
type Versioned = (i64, Arc<Policy>);

#[derive(Default, Clone)]
pub struct PolicyCache {
    compiled: Arc<Mutex<HashMap<String, Versioned>>>,
    seed: Arc<Mutex<Option<Arc<Policy>>>>,
    /// Held while a policy compiles: the submissions that arrive meanwhile
    /// (a burst on a cold start) wait for that one compile instead of each
    /// compiling its own copy.
    compiling: Arc<tokio::sync::Mutex<()>>,
}

impl PolicyCache {
    /// The site's stored policy document, or the seed when none was saved.
    pub async fn load(store: &Store, site: &str) -> Result<StoredPolicy, RulesError> {
        match store.site_policy(site).await? {
            None => Ok(StoredPolicy {
                version: 0,
                config: PolicyConfig::seed(),
            }),
            Some((version, json)) => {
                let config: PolicyConfig = serde_json::from_str(&json)
                    .map_err(|_| RulesError::Corrupt(site.to_string()))?;
                Ok(StoredPolicy { version, config })
            }
        }
    }

    /// The compiled policy in force for a site.
    pub async fn get(&self, store: &Store, site: &str) -> Result<Arc<Policy>, RulesError> {
        let version = store.policy_version(site).await?.unwrap_or(0);
        if version == 0 {
            return self.seed().await;
        }
        if let Some(p) = self.compiled_at(site, version) {
            return Ok(p);
        }
        let _compiling = self.compiling.lock().await;
        if let Some(p) = self.compiled_at(site, version) {
            return Ok(p);
        }
        let stored = PolicyCache::load(store, site).await?;
        let policy = Arc::new(compile_policy(stored.config).await?.map_err(|source| {
            RulesError::Invalid {
                site: site.to_string(),
                source,
            }
        })?);
        if let Ok(mut map) = self.compiled.lock() {
            map.insert(site.to_string(), (stored.version, policy.clone()));
        }
        Ok(policy)
    }

    /// The policy last compiled for a site and its version (the seed, as
    /// version 0, when none was): a guess at the policy in force, for a
    /// caller that reads the stored version along with other facts and
    /// asks `get` only when the guess turns out stale.
    pub async fn latest(&self, site: &str) -> Result<(i64, Arc<Policy>), RulesError> {
        if let Ok(map) = self.compiled.lock()
            && let Some((v, p)) = map.get(site)
        {
            return Ok((*v, p.clone()));
        }
        Ok((0, self.seed().await?))
    }

    /// The policy compiled for `site` at `version`, if it is.
    fn compiled_at(&self, site: &str, version: i64) -> Option<Arc<Policy>> {
        let map = self.compiled.lock().ok()?;
        let (v, p) = map.get(site)?;
        (*v == version).then(|| p.clone())
    }

    fn seed_compiled(&self) -> Option<Arc<Policy>> {
        self.seed.lock().ok()?.clone()
    }

    async fn seed(&self) -> Result<Arc<Policy>, RulesError> {
        if let Some(p) = self.seed_compiled() {
            return Ok(p);
        }
        let _compiling = self.compiling.lock().await;
        if let Some(p) = self.seed_compiled() {
            return Ok(p);
        }
        let policy = Arc::new(
            compile_policy(PolicyConfig::seed())
                .await?
                .map_err(|source| RulesError::Invalid {
                    site: "(seed)".into(),
                    source,
                })?,
        );
        if let Ok(mut guard) = self.seed.lock() {
            *guard = Some(policy.clone());
        }
        Ok(policy)
    }
}

const MS: i64 = 1000;

/// Turn stored facts and blocks into the engine's signals.
pub fn signals(
    facts: &AuthorFacts,
    blocks: &[BlockEntry],
    email: &str,
    ip: Option<IpAddr>,
    now: i64,
) -> Signals {
    let secs_since = |t: Option<i64>| t.map(|t| u64::try_from((now - t).max(0) / MS).unwrap_or(0));
    let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
    let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
    Signals {
        author_approved: count(facts.approved),
        author_rejected: count(facts.rejected),
        is_first_comment: facts.total == 0,
        same_body_same_author_recent: count(facts.same_body_same_author),
        same_body_any_author_recent: count(facts.same_body_any_author),
        email_blocked: blocks.iter().any(|b| b.kind == "email" && b.value == email),
        email_domain_blocked: blocks.iter().any(|b| {
            b.kind == "domain" && (domain == b.value || domain.ends_with(&format!(".{}", b.value)))
        }),
        ip_blocked: ip.is_some_and(|ip| {
            blocks
                .iter()
                .any(|b| b.kind == "ip" && cidr_contains(&b.value, ip))
        }),
        seconds_since_last_by_email: secs_since(facts.last_by_email),
        seconds_since_last_by_ip: secs_since(facts.last_by_ip),
        count_last_hour_by_email: count(facts.last_hour_by_email),
        count_last_hour_by_ip: count(facts.last_hour_by_ip),
    }
}

pub use crate::domain::parse_cidr;

pub fn cidr_contains(cidr: &str, ip: IpAddr) -> bool {
    let Some((net, len)) = parse_cidr(cidr) else {
        return false;
    };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let mask = if len == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(len))
            };
            u32::from(n) & mask == u32::from(i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(len))
            };
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

/// The findings of a comment after its title or body was edited: the text
/// findings are recomputed with the site's current rules; the others (a
/// blocked address, a duplicate, ...) stay as they were found at submission.
pub fn findings_after_edit(
    policy: &crate::moderation::Policy,
    existing: &crate::storage::QueueItem,
    title: &str,
    body: &str,
) -> Vec<crate::moderation::Finding> {
    use crate::moderation::{Field, Finding, Submission, evaluate};
    let verdict = evaluate(
        &Submission {
            name: &existing.name,
            email: &existing.email,
            title,
            body,
        },
        &Signals::default(),
        policy,
    );
    let is_text = |f: &Finding| matches!(f.field, Some(Field::Title | Field::Body));
    let old = existing.findings.iter().cloned();
    old.into_iter()
        .filter(|f| !is_text(f))
        .chain(verdict.findings.into_iter().filter(is_text))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_ranges_contain_what_they_should() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(cidr_contains("10.1.0.0/16", ip("10.1.200.3")));
        assert!(!cidr_contains("10.1.0.0/16", ip("10.2.0.1")));
        assert!(cidr_contains("203.0.113.7", ip("203.0.113.7")));
        assert!(cidr_contains("2001:db8::/32", ip("2001:db8:1::5")));
        assert!(!cidr_contains("2001:db8::/32", ip("10.0.0.1")));
        assert!(parse_cidr("10.0.0.0/33").is_none());
        assert!(parse_cidr("nonsense").is_none());
    }

    #[test]
    fn blocked_domains_include_subdomains() {
        let block = BlockEntry {
            id: "b".into(),
            kind: "domain".into(),
            value: "spam.example".into(),
            reason: None,
            expires_at: None,
            created_at: 0,
        };
        let s = signals(
            &AuthorFacts::default(),
            std::slice::from_ref(&block),
            "x@mail.spam.example",
            None,
            0,
        );
        assert!(s.email_domain_blocked);
        let s = signals(
            &AuthorFacts::default(),
            &[block],
            "x@notspam.example",
            None,
            0,
        );
        assert!(!s.email_domain_blocked);
    }
}
