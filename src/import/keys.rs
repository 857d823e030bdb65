//! Which majlis article a source thread becomes. A thread is known by its
//! page address; majlis knows articles by the key the site's embed passes
//! (`data-article`), which newsrooms take from the page's slug. So the key is
//! the last segment of the address's path (`/2024/05/budget-vote/` is
//! `budget-vote`), or what a `--url-map` file says for that address: a new
//! address (for pages that moved; its slug is the key) or a key of its own.

use std::collections::HashMap;

use percent_encoding::percent_decode_str;

use super::model::ImportError;
use crate::domain::ArticleRef;

/// What an address of the source maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Url(String),
    Key(String),
}

/// The `--url-map` file: one `OLD NEW` pair a line (separated by spaces or a
/// tab), `#` comments and blank lines ignored. `NEW` is an address
/// (`http://` or `https://`) or an article key.
#[derive(Debug, Clone, Default)]
pub struct UrlMap(HashMap<String, Target>);

impl UrlMap {
    pub fn parse(text: &str) -> Result<UrlMap, ImportError> {
        let mut map = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |m: &str| ImportError::UrlMap {
                line: i + 1,
                message: m.to_string(),
            };
            let mut parts = line.split_whitespace();
            let (Some(old), Some(new), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(bad("expected two fields: OLD_URL NEW_URL_OR_KEY"));
            };
            let target = if is_url(new) {
                Target::Url(new.to_string())
            } else {
                Target::Key(
                    ArticleRef::parse_key(new)
                        .map_err(|e| bad(&format!("not an article key ({})", e.code)))?,
                )
            };
            map.insert(comparable(old), target);
        }
        Ok(UrlMap(map))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn get(&self, url: &str) -> Option<&Target> {
        self.0.get(&comparable(url))
    }
}

fn is_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// An address as compared with the map: without fragment and trailing
/// slash, scheme and host lower-cased.
fn comparable(url: &str) -> String {
    let no_fragment = url.split('#').next().unwrap_or(url);
    let trimmed = no_fragment.trim_end_matches('/');
    match url::Url::parse(trimmed) {
        Ok(u) => u.as_str().trim_end_matches('/').to_string(),
        Err(_) => trimmed.to_string(),
    }
}

/// The article a thread becomes: its key and the address to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleTarget {
    pub key: String,
    pub url: Option<String>,
}

/// Why a thread cannot become an article.
pub type Unmapped = &'static str;

/// Map a thread's address (absolute, or a path as Isso keeps it, completed
/// with `base` when given) to an article.
pub fn article_for(
    url: Option<&str>,
    base: Option<&str>,
    map: &UrlMap,
) -> Result<ArticleTarget, Unmapped> {
    let Some(raw) = url.map(str::trim).filter(|u| !u.is_empty()) else {
        return Err("thread has no address");
    };
    let absolute = if is_url(raw) {
        raw.to_string()
    } else {
        match base {
            Some(b) => format!(
                "{}/{}",
                b.trim_end_matches('/'),
                raw.trim_start_matches('/')
            ),
            None => raw.to_string(),
        }
    };
    let mapped = map.get(&absolute).or_else(|| map.get(raw));
    match mapped {
        Some(Target::Key(k)) => Ok(ArticleTarget {
            key: k.clone(),
            url: is_url(&absolute).then_some(absolute),
        }),
        Some(Target::Url(u)) => Ok(ArticleTarget {
            key: key_from_url(u)?,
            url: Some(u.clone()),
        }),
        None => Ok(ArticleTarget {
            key: key_from_url(&absolute)?,
            url: is_url(&absolute).then_some(absolute),
        }),
    }
}

/// The last non-empty path segment, percent-decoded; for addresses whose
/// path says nothing (`/?p=12`), the query (`p-12`).
pub fn key_from_url(url: &str) -> Result<String, Unmapped> {
    let parsed = if is_url(url) {
        url::Url::parse(url)
    } else {
        url::Url::parse("http://path.invalid/").and_then(|b| b.join(url))
    }
    .map_err(|_| "thread address is not a URL")?;
    let segment = parsed
        .path_segments()
        .and_then(|mut s| s.rfind(|seg| !seg.is_empty()))
        .map(|seg| percent_decode_str(seg).decode_utf8_lossy().into_owned());
    let key = match (segment, parsed.query()) {
        (Some(seg), _) => seg,
        (None, Some(q)) if !q.is_empty() => q.replace(['=', '&'], "-"),
        _ => return Err("thread address has no path to take a key from (map it with --url-map)"),
    };
    ArticleRef::parse_key(&key)
        .map_err(|_| "the key taken from the thread address is not valid (map it with --url-map)")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn keys_are_the_slug_of_the_address() {
        let cases = [
            ("https://news.example/2024/05/budget-vote/", "budget-vote"),
            ("https://news.example/2024/05/budget-vote", "budget-vote"),
            ("https://news.example/a/story.html?utm=x#c12", "story.html"),
            (
                "https://news.example/%D8%A7%D9%84%D9%85%D9%8A%D8%B2%D8%A7%D9%86%D9%8A%D8%A9/",
                "الميزانية",
            ),
            ("https://news.example/?p=12", "p-12"),
            ("/2013/hello-world/", "hello-world"),
        ];
        for (url, key) in cases {
            assert_eq!(key_from_url(url).unwrap(), key, "{url}");
        }
        assert!(key_from_url("https://news.example/").is_err());
    }

    #[test]
    fn the_map_moves_addresses_and_names_keys() {
        let map = UrlMap::parse(
            "# moved in 2020\nhttp://old.example/a/one  https://news.example/2020/one-new/\nhttps://news.example/?p=7\tseven\n",
        )
        .unwrap();
        assert_eq!(map.len(), 2);
        let moved = article_for(Some("http://old.example/a/one/#x"), None, &map).unwrap();
        assert_eq!(moved.key, "one-new");
        assert_eq!(
            moved.url.as_deref(),
            Some("https://news.example/2020/one-new/")
        );
        let named = article_for(Some("https://news.example/?p=7"), None, &map).unwrap();
        assert_eq!(named.key, "seven");
        let isso = article_for(Some("/2013/x/"), Some("https://blog.example"), &map).unwrap();
        assert_eq!(isso.url.as_deref(), Some("https://blog.example/2013/x/"));
        let err = UrlMap::parse("only-one-field\n").unwrap_err();
        assert!(err.to_string().contains("url map line 1"), "{err}");
    }
}
