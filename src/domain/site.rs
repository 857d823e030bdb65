use serde::{Deserialize, Serialize};

use super::text::{count_chars, has_forbidden_control, has_invisible_or_bidi, normalize_text};
use super::validation::{FieldError, ValidationErrors};

pub const DEMO_SITE: &str = "demo";

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

/// When the form asks for the security code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum CaptchaMode {
    /// On every submission (the default).
    #[serde(rename = "always")]
    Always,
    /// Only when the proof of work is missing or refused, or the spam score
    /// reaches the site's threshold: the submission is then refused with
    /// `captcha_required` and the form shows the image.
    #[serde(rename = "when-suspicious")]
    WhenSuspicious,
    /// Never.
    #[serde(rename = "off")]
    Off,
}

impl CaptchaMode {
    /// `always`, `when-suspicious` or `off`; `on` is `always` (the setting
    /// was once on/off).
    pub fn parse(raw: &str) -> Option<CaptchaMode> {
        match raw {
            "always" | "on" => Some(CaptchaMode::Always),
            "when-suspicious" => Some(CaptchaMode::WhenSuspicious),
            "off" => Some(CaptchaMode::Off),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CaptchaMode::Always => "always",
            CaptchaMode::WhenSuspicious => "when-suspicious",
            CaptchaMode::Off => "off",
        }
    }

    /// The site has a security code at all (maybe only when suspicious).
    pub fn enabled(self) -> bool {
        self != CaptchaMode::Off
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
    pub captcha: CaptchaMode,
    /// Spam score at which a comment is held with `spam` suggested (0 = off).
    pub spam_threshold: u32,
    /// Close commenting this many days after an article is registered.
    pub auto_close_days: Option<u32>,
    /// The posting rules shown on the form, per language; empty = the
    /// built-in text.
    pub rules_text: RulesText,
    /// Readers may like published comments (off by default).
    pub likes: bool,
}

/// A site's own wording of its posting rules, shown above the form's submit
/// button; an empty language falls back to majlis's built-in text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RulesText {
    /// Arabic; empty = the built-in text.
    pub ar: String,
    /// English; empty = the built-in text.
    pub en: String,
}

impl RulesText {
    /// The site's text in `lang`, or `None` for the built-in one.
    pub fn get(&self, lang: Lang) -> Option<&str> {
        let t = match lang {
            Lang::Ar => &self.ar,
            Lang::En => &self.en,
        };
        (!t.is_empty()).then_some(t.as_str())
    }
}

/// Longest posting-rules text per language.
pub const RULES_TEXT_MAX: usize = 2000;

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
            captcha: CaptchaMode::Off,
            spam_threshold: crate::moderation::spam::DEFAULT_SPAM_THRESHOLD,
            auto_close_days: None,
            rules_text: RulesText::default(),
            likes: false,
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

/// Longest site name.
pub const SITE_NAME_MAX: usize = 200;
/// Longest terms-of-use URL.
pub const TERMS_URL_MAX: usize = 2000;
/// Longest terms version label.
pub const TERMS_VERSION_MAX: usize = 50;
/// Longest time after which commenting closes: ten years (0 = never).
pub const AUTO_CLOSE_DAYS_MAX: u32 = 3650;
/// Most origins a site may allow.
pub const ORIGINS_MAX: usize = 50;

/// An origin allowed to embed a site's comments: `scheme://host[:port]` with
/// nothing else (no path, query, user info, spaces or CSP syntax), or `*`
/// (any origin). It is echoed into the embed page's CSP, so this is the one
/// gate between an admin's text and a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(String);

impl Origin {
    pub fn parse(raw: &str) -> Result<Origin, FieldError> {
        let raw = raw.trim();
        if raw == "*" {
            return Ok(Origin(raw.to_string()));
        }
        let invalid = || FieldError::new("invalid_origin");
        let (scheme, rest) = raw.split_once("://").ok_or_else(invalid)?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(invalid());
        }
        let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
            let (addr, after) = v6.split_once(']').ok_or_else(invalid)?;
            if addr.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(invalid());
            }
            let port = match after {
                "" => None,
                a => Some(a.strip_prefix(':').ok_or_else(invalid)?),
            };
            (format!("[{addr}]"), port)
        } else {
            let (h, p) = match rest.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (rest, None),
            };
            let ok = !h.is_empty()
                && h.len() <= 253
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
                && !h.starts_with(['-', '.'])
                && !h.ends_with(['-', '.']);
            if !ok {
                return Err(invalid());
            }
            (h.to_string(), p)
        };
        let port_ok = port.is_none_or(|p| {
            !p.is_empty()
                && p.len() <= 5
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|n| n > 0)
        });
        if !port_ok {
            return Err(invalid());
        }
        let host = host.to_ascii_lowercase();
        Ok(Origin(match port {
            Some(p) => format!("{scheme}://{host}:{p}"),
            None => format!("{scheme}://{host}"),
        }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A site's settings as a front door received them: plain text, `None` for
/// "leave as it is".
#[derive(Debug, Clone, Default)]
pub struct SiteSettingsDto {
    pub name: Option<String>,
    pub origins: Option<Vec<String>>,
    pub lang: Option<String>,
    /// `pre` or `post`.
    pub moderation: Option<String>,
    pub max_body: Option<String>,
    pub terms_url: Option<String>,
    pub terms_version: Option<String>,
    /// `always` (or `on`), `when-suspicious` or `off`.
    pub captcha: Option<String>,
    /// A whole number; 0 turns the spam score's hold off.
    pub spam_threshold: Option<String>,
    /// Days; empty or `0` = never.
    pub auto_close_days: Option<String>,
    /// The posting rules shown on the form; empty = the built-in text.
    pub rules_text_ar: Option<String>,
    pub rules_text_en: Option<String>,
    /// Readers may like comments: `on` / `off` (also `true`/`false`, `1`/`0`).
    pub likes: Option<String>,
}

/// The highest spam threshold a site may set.
pub const SPAM_THRESHOLD_MAX: u32 = 1000;

/// A valid change of a site's settings: each field `Some` is set.
#[derive(Debug, Clone, Default)]
pub struct SiteChange {
    name: Option<String>,
    origins: Option<Vec<Origin>>,
    lang: Option<Lang>,
    moderation: Option<ModerationMode>,
    max_body: Option<usize>,
    terms_url: Option<String>,
    terms_version: Option<String>,
    captcha: Option<CaptchaMode>,
    spam_threshold: Option<u32>,
    auto_close_days: Option<Option<u32>>,
    rules_text_ar: Option<String>,
    rules_text_en: Option<String>,
    likes: Option<bool>,
}

/// `on` / `off` and their usual spellings, as a form, the CLI or JSON send them.
fn parse_switch(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "1" | "yes" => Some(true),
        "off" | "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

impl SiteChange {
    /// Every field checked; all problems reported at once.
    pub fn parse(dto: SiteSettingsDto) -> Result<SiteChange, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut out = SiteChange::default();
        let mut field = |name: &str, r: Result<(), FieldError>| {
            if let Err(e) = r {
                errors.add(name, e);
            }
        };
        if let Some(name) = dto.name {
            let name = normalize_text(&name);
            field(
                "name",
                if name.is_empty() {
                    Err(FieldError::new("required"))
                } else if has_forbidden_control(&name, false) || has_invisible_or_bidi(&name) {
                    Err(FieldError::new("control_characters"))
                } else if count_chars(&name) > SITE_NAME_MAX {
                    Err(FieldError::new("too_long").with("max", SITE_NAME_MAX))
                } else {
                    out.name = Some(name);
                    Ok(())
                },
            );
        }
        if let Some(list) = dto.origins {
            let parsed: Result<Vec<Origin>, FieldError> = list
                .iter()
                .map(|o| o.trim())
                .filter(|o| !o.is_empty())
                .map(Origin::parse)
                .collect();
            field(
                "origins",
                match parsed {
                    Ok(o) if o.len() > ORIGINS_MAX => {
                        Err(FieldError::new("too_many").with("max", ORIGINS_MAX))
                    }
                    Ok(o) => {
                        out.origins = Some(o);
                        Ok(())
                    }
                    Err(e) => Err(e),
                },
            );
        }
        if let Some(l) = dto.lang {
            field(
                "lang",
                Lang::parse(&l)
                    .map(|l| out.lang = Some(l))
                    .ok_or_else(|| FieldError::new("invalid_choice")),
            );
        }
        if let Some(m) = dto.moderation {
            field(
                "moderation",
                ModerationMode::parse(m.trim())
                    .map(|m| out.moderation = Some(m))
                    .ok_or_else(|| FieldError::new("invalid_choice")),
            );
        }
        if let Some(n) = dto.max_body {
            field(
                "max_body",
                n.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (5..=Site::MAX_BODY_CHARS_LIMIT).contains(n))
                    .map(|n| out.max_body = Some(n))
                    .ok_or_else(|| {
                        FieldError::new("out_of_range")
                            .with("min", 5)
                            .with("max", Site::MAX_BODY_CHARS_LIMIT)
                    }),
            );
        }
        if let Some(u) = dto.terms_url {
            let u = u.trim().to_string();
            let l = u.to_ascii_lowercase();
            let ok = (u.is_empty() || l.starts_with("https://") || l.starts_with("http://"))
                && u.len() <= TERMS_URL_MAX
                && !u.chars().any(|c| c.is_whitespace() || c.is_control());
            field(
                "terms_url",
                if ok {
                    out.terms_url = Some(u);
                    Ok(())
                } else {
                    Err(FieldError::new("invalid_url"))
                },
            );
        }
        if let Some(v) = dto.terms_version {
            let v = v.trim().to_string();
            let ok = !v.is_empty()
                && v.len() <= TERMS_VERSION_MAX
                && !has_forbidden_control(&v, false)
                && !has_invisible_or_bidi(&v);
            field(
                "terms_version",
                if ok {
                    out.terms_version = Some(v);
                    Ok(())
                } else {
                    Err(FieldError::new("invalid_value"))
                },
            );
        }
        if let Some(c) = dto.captcha {
            field(
                "captcha",
                CaptchaMode::parse(c.trim())
                    .ok_or_else(|| FieldError::new("invalid_choice"))
                    .map(|c| out.captcha = Some(c)),
            );
        }
        if let Some(t) = dto.spam_threshold {
            field(
                "spam_threshold",
                t.trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|t| *t <= SPAM_THRESHOLD_MAX)
                    .ok_or_else(|| {
                        FieldError::new("out_of_range")
                            .with("min", 0)
                            .with("max", SPAM_THRESHOLD_MAX)
                    })
                    .map(|t| out.spam_threshold = Some(t)),
            );
        }
        if let Some(d) = dto.auto_close_days {
            field(
                "auto_close_days",
                match d.trim() {
                    "" | "0" => Ok(None),
                    d => d
                        .parse::<u32>()
                        .ok()
                        .filter(|d| *d <= AUTO_CLOSE_DAYS_MAX)
                        .map(Some)
                        .ok_or_else(|| {
                            FieldError::new("out_of_range")
                                .with("min", 0)
                                .with("max", AUTO_CLOSE_DAYS_MAX)
                        }),
                }
                .map(|d| out.auto_close_days = Some(d)),
            );
        }
        for (name, raw, slot) in [
            ("rules_text_ar", dto.rules_text_ar, &mut out.rules_text_ar),
            ("rules_text_en", dto.rules_text_en, &mut out.rules_text_en),
        ] {
            let Some(raw) = raw else { continue };
            // Paragraphs may be kept: line breaks are the one control allowed.
            let text = normalize_text(&raw.replace("\r\n", "\n"));
            field(
                name,
                if has_forbidden_control(&text, true) || has_invisible_or_bidi(&text) {
                    Err(FieldError::new("control_characters"))
                } else if count_chars(&text) > RULES_TEXT_MAX {
                    Err(FieldError::new("too_long").with("max", RULES_TEXT_MAX))
                } else {
                    *slot = Some(text);
                    Ok(())
                },
            );
        }
        if let Some(l) = dto.likes {
            field(
                "likes",
                parse_switch(&l)
                    .map(|l| out.likes = Some(l))
                    .ok_or_else(|| FieldError::new("invalid_choice")),
            );
        }
        errors.into_result().map(|()| out)
    }

    /// `site` with this change applied.
    pub fn apply(&self, mut site: Site) -> Site {
        if let Some(n) = &self.name {
            site.name = n.clone();
        }
        if let Some(o) = &self.origins {
            site.allowed_origins = o.iter().map(|o| o.as_str().to_string()).collect();
        }
        if let Some(l) = self.lang {
            site.default_lang = l;
        }
        if let Some(m) = self.moderation {
            site.moderation_mode = m;
        }
        if let Some(n) = self.max_body {
            site.max_body_chars = n;
        }
        if let Some(u) = &self.terms_url {
            site.terms_url = u.clone();
        }
        if let Some(v) = &self.terms_version {
            site.terms_version = v.clone();
        }
        if let Some(t) = &self.rules_text_ar {
            site.rules_text.ar = t.clone();
        }
        if let Some(t) = &self.rules_text_en {
            site.rules_text.en = t.clone();
        }
        if let Some(c) = self.captcha {
            site.captcha = c;
        }
        if let Some(t) = self.spam_threshold {
            site.spam_threshold = t;
        }
        if let Some(d) = self.auto_close_days {
            site.auto_close_days = d;
        }
        if let Some(l) = self.likes {
            site.likes = l;
        }
        site
    }
}

impl Site {
    /// A new site with the default settings.
    pub fn new(key: SiteKey) -> Site {
        Site {
            name: key.as_str().to_string(),
            key,
            allowed_origins: Vec::new(),
            default_lang: Lang::Ar,
            moderation_mode: ModerationMode::Pre,
            max_body_chars: Site::DEFAULT_MAX_BODY_CHARS,
            terms_url: String::new(),
            terms_version: "1".into(),
            captcha: CaptchaMode::Always,
            spam_threshold: crate::moderation::spam::DEFAULT_SPAM_THRESHOLD,
            auto_close_days: None,
            rules_text: RulesText::default(),
            likes: false,
        }
    }
}

#[cfg(test)]
mod origin_tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        for ok in [
            "https://news.example",
            "http://localhost:8080",
            "HTTPS://News.Example",
            "https://[::1]:8443",
            "*",
        ] {
            assert!(Origin::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://beta.example *; script-src * 'unsafe-inline'",
            "https://news.example/",
            "https://news.example/path",
            "https://news.example?x=1",
            "https://user@news.example",
            "ftp://news.example",
            "news.example",
            "https://",
            "https://news.example:",
            "https://news.example:99999",
            "https://news example",
            "https://news.example;",
            "https://*.example",
            "javascript://x",
        ] {
            assert!(Origin::parse(bad).is_err(), "{bad}");
        }
    }
}
