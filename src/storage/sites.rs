use sqlx::Row;
use sqlx::any::AnyRow;

use super::{StorageError, Store};
use crate::domain::{CaptchaMode, Lang, ModerationMode, RulesText, Site, SiteKey};

const SITE_COLUMNS: &str = "site_key, name, allowed_origins, default_lang, moderation_mode, \
     max_body_chars, terms_url, terms_version, captcha_mode, spam_threshold, auto_close_days, \
     rules_text_ar, rules_text_en, likes_enabled";

fn site_from_row(row: &AnyRow) -> Result<Site, StorageError> {
    let corrupt = |what: &str| StorageError::Corrupt(format!("sites.{what}"));
    let key: String = row.try_get("site_key")?;
    let origins: String = row.try_get("allowed_origins")?;
    let lang: String = row.try_get("default_lang")?;
    let mode: String = row.try_get("moderation_mode")?;
    let max_body: i64 = row.try_get("max_body_chars")?;
    let captcha: String = row.try_get("captcha_mode")?;
    let threshold: i64 = row.try_get("spam_threshold")?;
    let auto_close: Option<i64> = row.try_get("auto_close_days")?;
    Ok(Site {
        key: SiteKey::parse(&key).map_err(|_| corrupt("site_key"))?,
        name: row.try_get("name")?,
        allowed_origins: serde_json::from_str(&origins).map_err(|_| corrupt("allowed_origins"))?,
        default_lang: Lang::parse(&lang).ok_or_else(|| corrupt("default_lang"))?,
        moderation_mode: ModerationMode::parse(&mode).ok_or_else(|| corrupt("moderation_mode"))?,
        max_body_chars: usize::try_from(max_body).map_err(|_| corrupt("max_body_chars"))?,
        terms_url: row.try_get("terms_url")?,
        terms_version: row.try_get("terms_version")?,
        captcha: CaptchaMode::parse(&captcha).ok_or_else(|| corrupt("captcha_mode"))?,
        spam_threshold: u32::try_from(threshold).map_err(|_| corrupt("spam_threshold"))?,
        auto_close_days: auto_close.and_then(|d| u32::try_from(d).ok()),
        rules_text: RulesText {
            ar: row.try_get("rules_text_ar")?,
            en: row.try_get("rules_text_en")?,
        },
        likes: row.try_get::<i64, _>("likes_enabled")? != 0,
    })
}

impl Store {
    /// Create a site; `Conflict` if the key is taken.
    pub async fn insert_site(&self, site: &Site, now: i64) -> Result<(), StorageError> {
        self.write_site(site, now, false).await
    }

    /// Create or replace a site's settings.
    pub async fn upsert_site(&self, site: &Site, now: i64) -> Result<(), StorageError> {
        self.write_site(site, now, true).await
    }

    async fn write_site(&self, site: &Site, now: i64, replace: bool) -> Result<(), StorageError> {
        let mut conn = self.writer.acquire().await?;
        write(&mut conn, site, now, replace).await
    }
}

/// Insert (or with `replace`, upsert) a site on `conn`.
pub(super) async fn write(
    conn: &mut sqlx::AnyConnection,
    site: &Site,
    now: i64,
    replace: bool,
) -> Result<(), StorageError> {
    let sql = if replace {
        "INSERT INTO sites (site_key, name, allowed_origins, default_lang, moderation_mode, \
             max_body_chars, terms_url, terms_version, captcha_enabled, auto_close_days, \
             created_at, updated_at, captcha_mode, spam_threshold, rules_text_ar, rules_text_en, \
             likes_enabled) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11,$12,$13,$14,$15,$16) \
             ON CONFLICT (site_key) DO UPDATE SET name = excluded.name, \
             allowed_origins = excluded.allowed_origins, default_lang = excluded.default_lang, \
             moderation_mode = excluded.moderation_mode, max_body_chars = excluded.max_body_chars, \
             terms_url = excluded.terms_url, terms_version = excluded.terms_version, \
             captcha_enabled = excluded.captcha_enabled, auto_close_days = excluded.auto_close_days, \
             updated_at = excluded.updated_at, captcha_mode = excluded.captcha_mode, \
             spam_threshold = excluded.spam_threshold, \
             rules_text_ar = excluded.rules_text_ar, rules_text_en = excluded.rules_text_en, \
             likes_enabled = excluded.likes_enabled"
    } else {
        "INSERT INTO sites (site_key, name, allowed_origins, default_lang, moderation_mode, \
             max_body_chars, terms_url, terms_version, captcha_enabled, auto_close_days, \
             created_at, updated_at, captcha_mode, spam_threshold, rules_text_ar, rules_text_en, \
             likes_enabled) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11,$12,$13,$14,$15,$16)"
    };
    let origins = serde_json::to_string(&site.allowed_origins)
        .map_err(|e| StorageError::Corrupt(e.to_string()))?;
    sqlx::query(sql)
        .bind(site.key.as_str())
        .bind(&site.name)
        .bind(origins)
        .bind(site.default_lang.code())
        .bind(site.moderation_mode.as_str())
        .bind(site.max_body_chars as i64)
        .bind(&site.terms_url)
        .bind(&site.terms_version)
        .bind(i64::from(site.captcha.enabled()))
        .bind(site.auto_close_days.map(i64::from))
        .bind(now)
        .bind(site.captcha.as_str())
        .bind(i64::from(site.spam_threshold))
        .bind(&site.rules_text.ar)
        .bind(&site.rules_text.en)
        .bind(i64::from(site.likes))
        .execute(conn)
        .await?;
    Ok(())
}

impl Store {
    pub async fn site(&self, key: &str) -> Result<Option<Site>, StorageError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {SITE_COLUMNS} FROM sites WHERE site_key = $1"
        ));
        let row = sqlx::query(sql)
            .bind(key)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(site_from_row).transpose()
    }

    pub async fn sites(&self) -> Result<Vec<Site>, StorageError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {SITE_COLUMNS} FROM sites ORDER BY site_key"
        ));
        let rows = sqlx::query(sql).fetch_all(&self.reader).await?;
        rows.iter().map(site_from_row).collect()
    }
}
