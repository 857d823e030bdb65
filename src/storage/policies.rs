use sqlx::Row;

use super::{Backend, StorageError, Store};

/// A blocked email, email domain or IP range of one site.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct BlockEntry {
    pub id: String,
    /// `email`, `domain` or `ip`.
    pub kind: String,
    pub value: String,
    pub reason: Option<String>,
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

/// Whose facts `author_facts` gathers, and over which windows.
#[derive(Debug, Clone, Copy)]
pub struct AuthorQuery<'a> {
    pub site_key: &'a str,
    pub email: &'a str,
    pub ip_hash: &'a str,
    /// The client's network hash (empty: unknown, not counted).
    pub net_hash: &'a str,
    pub fingerprint: &'a str,
    /// Comments after this instant (unix ms) count for the hourly caps.
    pub hour_ago: i64,
    /// Start of the duplicate-body window (unix ms).
    pub window_start: i64,
    /// The address's hourly count is counted up to this (the rules' cap).
    pub ip_count_cap: u32,
    /// The network's hourly count is counted up to this (0: not counted).
    pub net_count_cap: u32,
}

/// Facts about an author gathered before the rules decide.
#[derive(Debug, Clone, Default)]
pub struct AuthorFacts {
    pub approved: i64,
    pub rejected: i64,
    pub total: i64,
    pub last_by_email: Option<i64>,
    pub last_hour_by_email: i64,
    pub last_by_ip: Option<i64>,
    /// Counted up to the cap the rules compare it with.
    pub last_hour_by_ip: i64,
    /// Comments from the client's network in the last hour, counted up to
    /// the network cap.
    pub last_hour_by_net: i64,
    pub same_body_same_author: i64,
    pub same_body_any_author: i64,
}

/// The columns of `author_facts` over `AUTHOR_FACTS_FROM`: the author's
/// history by email ($2), recent activity by address hash ($6, counted up to
/// $7) and network hash ($8, up to $9), and copies of the body ($5) since $4;
/// hourly counts since $3, all on site $1.
const AUTHOR_FACTS_COLUMNS: &str = "e.total, e.approved, e.rejected, e.last, e.last_hour, \
     e.same_body, i.last AS ip_last, i.last_hour AS ip_last_hour, i.net_last_hour, \
     (SELECT COUNT(*) FROM comments WHERE site_key = $1 AND body_fingerprint = $5 \
      AND created_at > $4) AS same_body_any";
const AUTHOR_FACTS_FROM: &str = "FROM (SELECT COUNT(*) AS total, \
       COALESCE(SUM(CASE WHEN status = 'published' THEN 1 ELSE 0 END), 0) AS approved, \
       COALESCE(SUM(CASE WHEN status IN ('rejected', 'spam') THEN 1 ELSE 0 END), 0) AS rejected, \
       MAX(created_at) AS last, \
       COALESCE(SUM(CASE WHEN created_at > $3 THEN 1 ELSE 0 END), 0) AS last_hour, \
       COALESCE(SUM(CASE WHEN created_at > $4 AND body_fingerprint = $5 THEN 1 ELSE 0 END), 0) AS same_body \
       FROM comments WHERE site_key = $1 AND author_email = $2) e, \
     (SELECT (SELECT MAX(created_at) FROM comments WHERE site_key = $1 AND ip_hash = $6) AS last, \
       (SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE site_key = $1 AND ip_hash = $6 \
         AND created_at > $3 LIMIT $7) capped) AS last_hour, \
       (SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE site_key = $1 AND net_hash = $8 \
         AND $8 <> '' AND created_at > $3 LIMIT $9) capped_net) AS net_last_hour) i";

/// The columns of `article_newcomers`: on site $1 and article $2, the other
/// first-time addresses since $4 (counted up to $5), and whether address $3
/// was seen before $4.
const NEWCOMERS_COLUMNS: &str = "(SELECT COUNT(*) FROM (SELECT DISTINCT c.ip_hash FROM comments c \
       JOIN articles a ON a.id = c.article_id \
       WHERE a.site_key = $1 AND a.article_key = $2 AND c.created_at >= $4 \
         AND c.ip_hash <> '' AND c.ip_hash <> $3 \
         AND NOT EXISTS (SELECT 1 FROM comments o WHERE o.site_key = $1 \
           AND o.ip_hash = c.ip_hash AND o.created_at < $4) \
       LIMIT $5) n) AS newcomers, \
     (SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE site_key = $1 \
       AND ip_hash = $3 AND created_at < $4 LIMIT 1) s) AS seen";

impl Store {
    /// The version of a site's stored policy, if it has one. Asked on every
    /// submission: on SQLite (one process, every write goes through this
    /// store) it is remembered until this store changes it.
    pub async fn policy_version(&self, site_key: &str) -> Result<Option<i64>, StorageError> {
        if let Some(memo) = &self.rules_memo
            && let Some(v) = memo.version(site_key)
        {
            return Ok(v);
        }
        let generation = self.rules_memo.as_ref().map(|m| m.generation());
        let version: Option<i64> =
            sqlx::query_scalar("SELECT version FROM site_policies WHERE site_key = $1")
                .bind(site_key)
                .fetch_optional(&self.reader)
                .await?;
        if let (Some(memo), Some(g)) = (&self.rules_memo, generation) {
            memo.put_version(site_key, version, g);
        }
        Ok(version)
    }

    /// (version, JSON document) of a site's stored policy.
    pub async fn site_policy(&self, site_key: &str) -> Result<Option<(i64, String)>, StorageError> {
        let row = sqlx::query("SELECT version, config FROM site_policies WHERE site_key = $1")
            .bind(site_key)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| Ok((r.try_get("version")?, r.try_get("config")?)))
            .transpose()
    }

    /// Store a new policy document if the stored version is still `expected`
    /// (0 = none stored yet). Returns the new version, or `Conflict` when
    /// someone else saved first.
    pub async fn save_site_policy(
        &self,
        site_key: &str,
        config: &str,
        expected: i64,
        now: i64,
    ) -> Result<i64, StorageError> {
        let mut conn = self.writer.acquire().await?;
        let saved = save_policy(&mut conn, site_key, config, expected, now).await;
        self.forget_rules(site_key);
        saved
    }

    /// Blocks of a site that have not expired. Asked on every submission;
    /// remembered on SQLite like `policy_version`.
    pub async fn active_blocks(
        &self,
        site_key: &str,
        now: i64,
    ) -> Result<Vec<BlockEntry>, StorageError> {
        let active = |b: &BlockEntry| b.expires_at.is_none_or(|t| t > now);
        if let Some(memo) = &self.rules_memo
            && let Some(blocks) = memo.blocks(site_key)
        {
            return Ok(blocks.iter().filter(|b| active(b)).cloned().collect());
        }
        let generation = self.rules_memo.as_ref().map(|m| m.generation());
        let blocks: Vec<BlockEntry> = sqlx::query_as(
            "SELECT id, kind, value, reason, expires_at, created_at FROM blocklist_entries \
             WHERE site_key = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY created_at, id",
        )
        .bind(site_key)
        .bind(now)
        .fetch_all(&self.reader)
        .await?;
        if let (Some(memo), Some(g)) = (&self.rules_memo, generation) {
            memo.put_blocks(site_key, blocks.clone(), g);
        }
        Ok(blocks)
    }

    /// History and recent activity of an author (by email and by IP hash) and
    /// copies of the same body, for the posting rules.
    pub async fn author_facts(&self, q: &AuthorQuery<'_>) -> Result<AuthorFacts, StorageError> {
        let AuthorQuery {
            site_key,
            email,
            ip_hash,
            net_hash,
            fingerprint,
            hour_ago,
            window_start,
            ip_count_cap,
            net_count_cap,
        } = *q;
        // One round trip: the author's history by email, recent activity by
        // address hash and copies of the body, each from its own index. The
        // address's count stops at `ip_count_cap` (the rules only ask whether
        // it reached the hourly cap): many readers behind one address must
        // not make every submission count all of their comments.
        let sql = format!("SELECT {AUTHOR_FACTS_COLUMNS} {AUTHOR_FACTS_FROM}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(email)
            .bind(hour_ago)
            .bind(window_start)
            .bind(fingerprint)
            .bind(ip_hash)
            .bind(i64::from(ip_count_cap))
            .bind(net_hash)
            .bind(i64::from(net_count_cap))
            .fetch_one(&self.reader)
            .await?;
        author_facts_of(&row)
    }
}

/// Everything a submission reads before the rules decide: the author's
/// facts (`author`), the article's newcomers and the recent bodies, with the
/// site's policy version and blocks as of the same read.
#[derive(Debug, Clone, Copy)]
pub struct SubmissionQuery<'a> {
    pub author: AuthorQuery<'a>,
    pub article_key: &'a str,
    /// Newcomers: first-time addresses on the article since this instant,
    /// counted up to `newcomers_cap`.
    pub newcomers_since: i64,
    pub newcomers_cap: u32,
    /// Recent bodies since this instant, bodies marked spam since
    /// `spam_since`, at most `bodies_limit` of each.
    pub bodies_since: i64,
    pub spam_since: i64,
    pub bodies_limit: u32,
    /// Blocks that expired before this instant do not count.
    pub now: i64,
}

/// What `Store::submission_facts` read.
#[derive(Debug, Clone, Default)]
pub struct SubmissionFacts {
    /// The stored policy's version (`None`: the site has none).
    pub policy_version: Option<i64>,
    pub blocks: Vec<BlockEntry>,
    pub author: AuthorFacts,
    /// First-time addresses on the article (capped), and whether this
    /// address is a first-timer.
    pub newcomers: u32,
    pub this_address_first_time: bool,
    pub bodies: Vec<SeenBody>,
}

impl Store {
    /// The reads of one submission. On PostgreSQL they are one statement (a
    /// round trip and a snapshot); on SQLite, reads in process are cheap and
    /// the policy version and blocks are remembered, so they stay apart.
    pub async fn submission_facts(
        &self,
        q: &SubmissionQuery<'_>,
    ) -> Result<SubmissionFacts, StorageError> {
        if self.backend == Backend::Postgres {
            return self.submission_facts_pg(q).await;
        }
        let site_key = q.author.site_key;
        let policy_version = self.policy_version(site_key).await?;
        let author = self.author_facts(&q.author).await?;
        let bodies = self
            .recent_bodies(site_key, q.bodies_since, q.spam_since, q.bodies_limit)
            .await?;
        let (newcomers, this_address_first_time) = self
            .article_newcomers(
                site_key,
                q.article_key,
                q.author.ip_hash,
                q.newcomers_since,
                q.newcomers_cap,
            )
            .await?;
        let blocks = self.active_blocks(site_key, q.now).await?;
        Ok(SubmissionFacts {
            policy_version,
            blocks,
            author,
            newcomers,
            this_address_first_time,
            bodies,
        })
    }

    /// `submission_facts` in one statement: the same queries as the SQLite
    /// path as subqueries, the row sets (blocks, bodies) as JSON arrays.
    async fn submission_facts_pg(
        &self,
        q: &SubmissionQuery<'_>,
    ) -> Result<SubmissionFacts, StorageError> {
        let a = &q.author;
        let sql = format!(
            "SELECT (SELECT version FROM site_policies WHERE site_key = $1) AS policy_version, \
             (SELECT COALESCE(json_agg(json_build_object('id', id, 'kind', kind, 'value', value, \
                'reason', reason, 'expires_at', expires_at, 'created_at', created_at) \
                ORDER BY created_at, id), '[]')::text FROM blocklist_entries \
              WHERE site_key = $1 AND (expires_at IS NULL OR expires_at > $10)) AS blocks, \
             {newcomers}, \
             (SELECT COALESCE(json_agg(json_build_object('body', b.body, 'sig', b.body_sig, \
                'ip_hash', b.ip_hash, 'status', b.status, 'held_findings', b.held_findings, \
                'spam_held', b.spam_held) \
                ORDER BY b.part, b.created_at DESC), '[]')::text FROM ( \
               (SELECT 0 AS part, created_at, {RECENT_BODY_COLUMNS} \
                FROM comments WHERE site_key = $1 AND created_at > $14 AND status <> 'spam' \
                ORDER BY created_at DESC LIMIT $16) \
               UNION ALL \
               (SELECT 1 AS part, created_at, {RECENT_BODY_COLUMNS} \
                FROM comments WHERE site_key = $1 AND status = 'spam' AND created_at > $15 \
                ORDER BY created_at DESC LIMIT $16)) b) AS bodies, \
             {AUTHOR_FACTS_COLUMNS} {AUTHOR_FACTS_FROM}",
            // The newcomer query's own parameters, numbered after the facts'.
            newcomers = NEWCOMERS_COLUMNS
                .replace("$2", "$11")
                .replace("$3", "$6")
                .replace("$4", "$12")
                .replace("$5", "$13"),
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(a.site_key)
            .bind(a.email)
            .bind(a.hour_ago)
            .bind(a.window_start)
            .bind(a.fingerprint)
            .bind(a.ip_hash)
            .bind(i64::from(a.ip_count_cap))
            .bind(a.net_hash)
            .bind(i64::from(a.net_count_cap))
            .bind(q.now)
            .bind(q.article_key)
            .bind(q.newcomers_since)
            .bind(i64::from(q.newcomers_cap))
            .bind(q.bodies_since)
            .bind(q.spam_since)
            .bind(i64::from(q.bodies_limit))
            .fetch_one(&self.reader)
            .await?;
        let blocks: Vec<BlockEntry> = serde_json::from_str(&row.try_get::<String, _>("blocks")?)
            .map_err(|e| StorageError::Corrupt(format!("blocklist_entries: {e}")))?;
        let newcomers: i64 = row.try_get("newcomers")?;
        let seen: i64 = row.try_get("seen")?;
        Ok(SubmissionFacts {
            policy_version: row.try_get("policy_version")?,
            blocks,
            author: author_facts_of(&row)?,
            newcomers: u32::try_from(newcomers).unwrap_or(u32::MAX),
            this_address_first_time: seen == 0 && !a.ip_hash.is_empty(),
            bodies: seen_bodies(&row.try_get::<String, _>("bodies")?)?,
        })
    }
}

/// A recent body as `submission_facts_pg` reads it.
/// The recent bodies as the facts queries return them: one JSON array of
/// objects of the `RECENT_BODY_COLUMNS`.
fn seen_bodies(json: &str) -> Result<Vec<SeenBody>, StorageError> {
    let raw: Vec<RawBody> = serde_json::from_str(json)
        .map_err(|e| StorageError::Corrupt(format!("recent bodies: {e}")))?;
    raw.into_iter()
        .map(|b| {
            Ok(SeenBody {
                status: crate::domain::CommentStatus::parse(&b.status).ok_or_else(|| {
                    StorageError::Corrupt(format!("comment status {:?}", b.status))
                })?,
                body: b.body,
                signature: b.sig,
                ip_hash: b.ip_hash,
                held_findings: b.held_findings,
                spam_held: b.spam_held.map(|v| v != 0),
            })
        })
        .collect()
}

#[derive(serde::Deserialize)]
struct RawBody {
    body: String,
    sig: Option<String>,
    ip_hash: String,
    status: String,
    held_findings: String,
    spam_held: Option<i64>,
}

/// What the near-duplicate check reads of a recent comment: its stored
/// signature, or (none stored) its body to sign; whether the spam signals
/// held it, or (not stored) a held comment's findings to tell.
const RECENT_BODY_COLUMNS: &str = "CASE WHEN body_sig IS NULL THEN body ELSE '' END AS body, \
    body_sig, ip_hash, status, spam_held, \
    CASE WHEN status = 'held' AND spam_held IS NULL THEN findings ELSE '' END AS held_findings";

/// `AuthorFacts` from a row with the columns `author_facts` selects.
fn author_facts_of(row: &sqlx::any::AnyRow) -> Result<AuthorFacts, StorageError> {
    Ok(AuthorFacts {
        total: row.try_get("total")?,
        approved: row.try_get("approved")?,
        rejected: row.try_get("rejected")?,
        last_by_email: row.try_get("last")?,
        last_hour_by_email: row.try_get("last_hour")?,
        same_body_same_author: row.try_get("same_body")?,
        last_by_ip: row.try_get("ip_last")?,
        last_hour_by_ip: row.try_get("ip_last_hour")?,
        last_hour_by_net: row.try_get("net_last_hour")?,
        same_body_any_author: row.try_get("same_body_any")?,
    })
}

/// An earlier body, for the near-duplicate signal.
#[derive(Debug, Clone)]
pub struct SeenBody {
    /// The body, when no signature of it is stored (else empty).
    pub body: String,
    /// Its stored signature (`spam::signature_text`).
    pub signature: Option<String>,
    pub ip_hash: String,
    pub status: crate::domain::CommentStatus,
    /// Whether the spam signals held it, when stored.
    pub spam_held: Option<bool>,
    /// The findings (JSON) of a held body whose `spam_held` is not stored;
    /// empty for the others.
    pub held_findings: String,
}

impl Store {
    /// The latest `limit` bodies on a site since `since`, and the latest
    /// `limit` marked spam since `spam_since`.
    pub async fn recent_bodies(
        &self,
        site_key: &str,
        since: i64,
        spam_since: i64,
        limit: u32,
    ) -> Result<Vec<SeenBody>, StorageError> {
        // One row, the bodies as a JSON array: a row set of up to 2 × limit
        // rows would cross from the connection's thread one row at a time.
        let sql = format!(
            "SELECT COALESCE(json_group_array(json_object('body', body, 'sig', body_sig, \
               'ip_hash', ip_hash, 'status', status, 'held_findings', held_findings, \
               'spam_held', spam_held)), '[]') AS bodies FROM ( \
             SELECT * FROM (SELECT {RECENT_BODY_COLUMNS} \
               FROM comments WHERE site_key = $1 AND created_at > $2 AND status <> 'spam' \
               ORDER BY created_at DESC LIMIT $4) r \
             UNION ALL \
             SELECT * FROM (SELECT {RECENT_BODY_COLUMNS} \
               FROM comments WHERE site_key = $1 AND status = 'spam' AND created_at > $3 \
               ORDER BY created_at DESC LIMIT $4) s)"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(since)
            .bind(spam_since)
            .bind(i64::from(limit))
            .fetch_one(&self.reader)
            .await?;
        seen_bodies(&row.try_get::<String, _>("bodies")?)
    }

    /// Comments from an address and from a network (hashes; an empty one
    /// counts nothing) on a site since `since`, each counted up to `cap`:
    /// the recent volume the proof of work's difficulty follows.
    pub async fn recent_volume(
        &self,
        site_key: &str,
        ip_hash: &str,
        net_hash: &str,
        since: i64,
        cap: u32,
    ) -> Result<(u64, u64), StorageError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE site_key = $1 \
               AND ip_hash = $2 AND $2 <> '' AND created_at > $4 LIMIT $5) a) AS address, \
             (SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE site_key = $1 \
               AND net_hash = $3 AND $3 <> '' AND created_at > $4 LIMIT $5) n) AS network",
        )
        .bind(site_key)
        .bind(ip_hash)
        .bind(net_hash)
        .bind(since)
        .bind(i64::from(cap))
        .fetch_one(&self.reader)
        .await?;
        let count = |c: &str| -> Result<u64, StorageError> {
            Ok(u64::try_from(row.try_get::<i64, _>(c)?).unwrap_or(0))
        };
        Ok((count("address")?, count("network")?))
    }

    /// Newcomers on an article since `since`: the distinct other addresses
    /// (hashes) that commented on it and had no comment on the site before
    /// `since` (counted up to `cap`), and whether `ip_hash` itself had none
    /// (an empty hash counts as seen).
    pub async fn article_newcomers(
        &self,
        site_key: &str,
        article_key: &str,
        ip_hash: &str,
        since: i64,
        cap: u32,
    ) -> Result<(u32, bool), StorageError> {
        let sql = format!("SELECT {NEWCOMERS_COLUMNS}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site_key)
            .bind(article_key)
            .bind(ip_hash)
            .bind(since)
            .bind(i64::from(cap))
            .fetch_one(&self.reader)
            .await?;
        let newcomers: i64 = row.try_get("newcomers")?;
        let seen: i64 = row.try_get("seen")?;
        Ok((
            u32::try_from(newcomers).unwrap_or(u32::MAX),
            seen == 0 && !ip_hash.is_empty(),
        ))
    }
}

/// `Store::save_site_policy` on `conn` (the caller forgets the memo).
pub(super) async fn save_policy(
    conn: &mut sqlx::AnyConnection,
    site_key: &str,
    config: &str,
    expected: i64,
    now: i64,
) -> Result<i64, StorageError> {
    let next = expected + 1;
    let r = if expected == 0 {
        sqlx::query(
            "INSERT INTO site_policies (site_key, config, version, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (site_key) DO NOTHING",
        )
        .bind(site_key)
        .bind(config)
        .bind(next)
        .bind(now)
        .execute(conn)
        .await?
    } else {
        sqlx::query(
            "UPDATE site_policies SET config = $1, version = $2, updated_at = $3 \
             WHERE site_key = $4 AND version = $5",
        )
        .bind(config)
        .bind(next)
        .bind(now)
        .bind(site_key)
        .bind(expected)
        .execute(conn)
        .await?
    };
    if r.rows_affected() == 1 {
        Ok(next)
    } else {
        Err(StorageError::Conflict)
    }
}

/// Add or renew a block on `conn`.
pub(super) async fn put_block(
    conn: &mut sqlx::AnyConnection,
    site_key: &str,
    b: &BlockEntry,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO blocklist_entries (id, site_key, kind, value, reason, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (site_key, kind, value) DO UPDATE SET \
         reason = excluded.reason, expires_at = excluded.expires_at, created_at = excluded.created_at",
    )
    .bind(&b.id)
    .bind(site_key)
    .bind(&b.kind)
    .bind(&b.value)
    .bind(&b.reason)
    .bind(b.expires_at)
    .bind(b.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Remove a block on `conn`; false when the site has no block with this id.
pub(super) async fn remove_block(
    conn: &mut sqlx::AnyConnection,
    site_key: &str,
    id: &str,
) -> Result<bool, StorageError> {
    let r = sqlx::query("DELETE FROM blocklist_entries WHERE site_key = $1 AND id = $2")
        .bind(site_key)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// What `policy_version` and `active_blocks` last read per site, kept only on
/// SQLite. Every change through this store forgets the site and bumps the
/// generation; a read that started before a change does not store its
/// (possibly stale) answer.
#[derive(Debug, Default)]
pub(super) struct RulesMemo {
    generation: std::sync::atomic::AtomicU64,
    sites: std::sync::Mutex<std::collections::HashMap<String, MemoEntry>>,
}

#[derive(Debug, Default, Clone)]
struct MemoEntry {
    version: Option<Option<i64>>,
    blocks: Option<Vec<BlockEntry>>,
}

impl RulesMemo {
    fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    fn version(&self, site: &str) -> Option<Option<i64>> {
        self.sites.lock().ok()?.get(site)?.version
    }

    fn blocks(&self, site: &str) -> Option<Vec<BlockEntry>> {
        self.sites.lock().ok()?.get(site)?.blocks.clone()
    }

    fn put_version(&self, site: &str, version: Option<i64>, generation: u64) {
        if let Ok(mut sites) = self.sites.lock()
            && generation == self.generation()
        {
            sites.entry(site.to_string()).or_default().version = Some(version);
        }
    }

    fn put_blocks(&self, site: &str, blocks: Vec<BlockEntry>, generation: u64) {
        if let Ok(mut sites) = self.sites.lock()
            && generation == self.generation()
        {
            sites.entry(site.to_string()).or_default().blocks = Some(blocks);
        }
    }

    fn forget(&self, site: &str) {
        if let Ok(mut sites) = self.sites.lock() {
            self.generation
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            sites.remove(site);
        }
    }
}

impl Store {
    /// A site's policy or blocks changed.
    pub(super) fn forget_rules(&self, site_key: &str) {
        if let Some(memo) = &self.rules_memo {
            memo.forget(site_key);
        }
    }
}
