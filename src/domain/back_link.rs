//! Where the "back" link of the no-JavaScript result page may point: a path
//! on this origin, or a page on one of the site's own origins. Anything a
//! browser could read as another host (`//evil`, `/\evil`, `/%2F%2Fevil`,
//! tabs or newlines a browser drops) is refused.

use super::Site;

/// Longest back link kept (longer ones are dropped, not cut).
pub const BACK_LINK_MAX: usize = 2048;

/// A link that leads back to this origin or to one of the site's origins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackLink(String);

impl BackLink {
    /// A path on this origin or an http(s) URL on one of `site`'s origins
    /// (a `*` origin admits none: only origins named by the site count).
    pub fn parse(raw: &str, site: &Site) -> Option<BackLink> {
        if raw.starts_with('/') {
            return BackLink::local(raw);
        }
        if raw.len() > BACK_LINK_MAX || unsafe_chars(raw) {
            return None;
        }
        let url = url::Url::parse(raw).ok()?;
        if !matches!(url.scheme(), "http" | "https")
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return None;
        }
        site.owns_url(url.as_str()).then(|| BackLink(url.into()))
    }

    /// An absolute path on this origin: starts with one `/`, and neither it
    /// nor its percent-decoded form has `//` at the start, a `\` or a
    /// control character anywhere.
    pub fn local(raw: &str) -> Option<BackLink> {
        if raw.len() > BACK_LINK_MAX {
            return None;
        }
        let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
        [raw, decoded.as_ref()]
            .iter()
            .all(|s| s.starts_with('/') && !s.starts_with("//") && !unsafe_chars(s))
            .then(|| BackLink(raw.to_string()))
    }

    /// A path on this origin (the comment section's own page, inside the
    /// iframe) rather than a page of the site.
    pub fn is_local(&self) -> bool {
        self.0.starts_with('/')
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Characters browsers drop or turn into `/` while parsing a URL.
fn unsafe_chars(s: &str) -> bool {
    s.chars().any(|c| c == '\\' || c.is_control())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::SiteKey;

    fn site() -> Site {
        Site {
            name: "News".into(),
            allowed_origins: vec!["https://news.example".into(), "*".into()],
            ..Site::new(SiteKey::parse("news").unwrap())
        }
    }

    #[test]
    fn hostile_back_links_are_refused() {
        for raw in [
            "/\\evil.example/x",
            "\\\\evil.example/x",
            "//evil.example/x",
            "/%2Fevil.example/x",
            "/%2f/evil.example",
            "/%5Cevil.example/x",
            "/%5cevil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/%09/evil.example",
            "/%0d%0a/evil.example",
            "/\u{0}x",
            "https://evil.example/x",
            "https://news.example.evil.example/x",
            "https://news.example@evil.example/x",
            "https://user:pw@news.example/x",
            "http://news.example/x",
            "https://news.example:8443/x",
            "javascript:alert(1)",
            "JavaScript://news.example/%0aalert(1)",
            "data:text/html,<script>alert(1)</script>",
            "https:\\\\evil.example",
            "evil.example/x",
            "",
        ] {
            assert_eq!(BackLink::parse(raw, &site()), None, "{raw:?}");
        }
        let long = format!("/{}", "a".repeat(BACK_LINK_MAX));
        assert_eq!(BackLink::parse(&long, &site()), None);
    }

    #[test]
    fn paths_here_and_pages_of_the_site_are_kept() {
        for (raw, kept) in [
            ("/embed/news/a-1?lang=ar", "/embed/news/a-1?lang=ar"),
            ("/", "/"),
            ("/a%20b", "/a%20b"),
            ("https://news.example/a", "https://news.example/a"),
            (
                "https://NEWS.example/a?b=c#d",
                "https://news.example/a?b=c#d",
            ),
            ("https://news.example:443/a", "https://news.example/a"),
        ] {
            assert_eq!(
                BackLink::parse(raw, &site()).as_ref().map(BackLink::as_str),
                Some(kept),
                "{raw:?}"
            );
        }
    }
}
