use serde::{Deserialize, Serialize};

/// The key of a site, as used in URLs (`demo`, `alwatan-news`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SiteKey(String);

impl SiteKey {
    /// 1–64 characters of lowercase ASCII letters, digits, `-` and `_`.
    pub fn parse(raw: &str) -> Result<SiteKey, String> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(SiteKey(raw.to_string()))
        } else {
            Err(format!(
                "site key {raw:?} must be 1-64 characters of a-z, 0-9, '-' or '_'"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SiteKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ar,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ar, Lang::En];

    pub fn parse(raw: &str) -> Option<Lang> {
        let primary = raw.split(['-', '_']).next().unwrap_or("").trim();
        match primary.to_ascii_lowercase().as_str() {
            "ar" => Some(Lang::Ar),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::En => "en",
        }
    }

    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            Lang::En => "ltr",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ModerationMode {
    /// Every comment waits for a moderator (the default).
    Pre,
    /// Comments the rules let through are published at once.
    Post,
}

impl ModerationMode {
    pub fn parse(raw: &str) -> Option<ModerationMode> {
        match raw {
            "pre" => Some(ModerationMode::Pre),
            "post" => Some(ModerationMode::Post),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ModerationMode::Pre => "pre",
            ModerationMode::Post => "post",
        }
    }
}

/// A site served by this majlis, with its settings.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    pub key: SiteKey,
    pub name: String,
    pub allowed_origins: Vec<String>,
    pub default_lang: Lang,
    pub moderation_mode: ModerationMode,
    pub max_body_chars: usize,
    pub terms_url: String,
    pub terms_version: String,
    pub captcha_enabled: bool,
    /// Close commenting this many days after an article is registered.
    pub auto_close_days: Option<u32>,
}

impl Site {
    pub const DEFAULT_MAX_BODY_CHARS: usize = 2000;
    /// Upper bound an operator may configure for `max_body_chars`.
    pub const MAX_BODY_CHARS_LIMIT: usize = 20_000;

    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins
            .iter()
            .any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
    }

    /// Whether `url` is a page of this site: its scheme, host and port are
    /// one of the site's named origins. `*` names no origin, so a site that
    /// allows every embedder owns no URL a commenter may claim.
    pub fn owns_url(&self, url: &str) -> bool {
        let Ok(parsed) = url::Url::parse(url) else {
            return false;
        };
        let origin = parsed.origin();
        if !origin.is_tuple() {
            return false;
        }
        let origin = origin.ascii_serialization();
        self.allowed_origins.iter().any(|o| {
            url::Url::parse(o)
                .map(|u| u.origin().ascii_serialization() == origin)
                .unwrap_or(false)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(origins: &[&str]) -> Site {
        Site {
            key: SiteKey("news".into()),
            name: "News".into(),
            allowed_origins: origins.iter().map(|o| o.to_string()).collect(),
            default_lang: Lang::Ar,
            moderation_mode: ModerationMode::Pre,
            max_body_chars: 2000,
            terms_url: String::new(),
            terms_version: "1".into(),
            captcha_enabled: false,
            auto_close_days: None,
        }
    }

    #[test]
    fn a_site_owns_only_urls_on_its_named_origins() {
        let s = site(&["https://news.example", "http://localhost:8080"]);
        for ok in [
            "https://news.example/2026/rain",
            "https://NEWS.example:443/a?b#c",
            "http://localhost:8080/x",
        ] {
            assert!(s.owns_url(ok), "{ok}");
        }
        for bad in [
            "https://evil.example/login",
            "https://news.example.evil.example/",
            "https://news.example@evil.example/",
            "http://news.example/",
            "https://news.example:8443/",
            "http://localhost/x",
            "javascript:alert(1)",
            "not a url",
        ] {
            assert!(!s.owns_url(bad), "{bad}");
        }
        assert!(!site(&["*"]).owns_url("https://news.example/"));
    }
}
