//! Typed messages: what each event mails, rendered in the site's language
//! (plain text plus auto-escaped HTML), and the lettre `Message` built from a
//! stored outbox row with lettre's typed header builders only.

use askama::Template;
use lettre::Message;
use lettre::message::header::{
    ContentTransferEncoding, ContentType, Header, HeaderName, HeaderValue,
};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};

use super::EmailError;
use super::links::{LinkAction, LinkSigner};
use crate::domain::{Lang, Site, new_id};
use crate::i18n::{Code, label, t, tf};
use crate::storage::{ModeratorRecord, NewOutboxMessage, QueueItem, SiteEmailSettings};

pub const KIND_ALERT: &str = "moderator_alert";
pub const KIND_DIGEST: &str = "moderator_digest";
pub const KIND_PUBLISHED: &str = "comment_published";
pub const KIND_REJECTED: &str = "comment_rejected";
pub const KIND_REPLIES: &str = "comment_replies";

/// Characters of a comment body quoted in mail.
const EXCERPT_CHARS: usize = 400;
/// Characters of user text allowed in a Subject.
const SUBJECT_CHARS: usize = 150;

/// The parts of a comment a mail talks about.
#[derive(Debug, Clone)]
pub struct MailComment {
    pub id: String,
    pub name: String,
    pub email: String,
    pub title: String,
    pub body: String,
    pub article_key: String,
    pub article_title: Option<String>,
    pub article_url: Option<String>,
    /// JSON array of rule findings.
    pub findings: String,
}

impl From<&QueueItem> for MailComment {
    fn from(q: &QueueItem) -> MailComment {
        MailComment {
            id: q.id.clone(),
            name: q.name.clone(),
            email: q.email.clone(),
            title: q.title.clone(),
            body: q.body.clone(),
            article_key: q.article_key.clone(),
            article_title: q.article_title.clone(),
            article_url: q.article_url.clone(),
            findings: serde_json::to_string(&q.findings).unwrap_or_else(|_| "[]".into()),
        }
    }
}

impl MailComment {
    fn article(&self) -> &str {
        self.article_title.as_deref().unwrap_or(&self.article_key)
    }

    fn excerpt(&self) -> String {
        crate::domain::excerpt(&self.body, EXCERPT_CHARS)
    }

    fn findings(&self, lang: Lang) -> Vec<String> {
        let list: Vec<serde_json::Value> = serde_json::from_str(&self.findings).unwrap_or_default();
        let field = match lang {
            Lang::Ar => "explanation_ar",
            Lang::En => "explanation_en",
        };
        list.iter()
            .filter_map(|f| {
                f.get(field)
                    .and_then(|v| v.as_str())
                    .filter(|s| !s.is_empty())
                    .or_else(|| f.get("code").and_then(|v| v.as_str()))
                    .map(str::to_string)
            })
            .collect()
    }
}

/// Text safe for a header: no control or line-separator characters, bounded.
pub fn header_text(raw: &str, max_chars: usize) -> String {
    raw.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') {
                ' '
            } else {
                c
            }
        })
        .take(max_chars)
        .collect::<String>()
        .trim()
        .to_string()
}

struct ItemView {
    title: String,
    by: String,
    excerpt: String,
    article: String,
    article_url: Option<String>,
    findings: Vec<String>,
    approve_url: String,
    reject_url: String,
}

#[derive(Template)]
#[template(path = "email/moderator.html")]
struct ModeratorHtml<'a> {
    lang: &'static str,
    dir: &'static str,
    align: &'static str,
    subject: &'a str,
    intro: &'a str,
    items: &'a [ItemView],
    label_article: &'static str,
    label_findings: &'static str,
    label_approve: &'static str,
    label_reject: &'static str,
    note: &'a str,
}

#[derive(Template)]
#[template(path = "email/commenter.html")]
struct CommenterHtml<'a> {
    lang: &'static str,
    dir: &'static str,
    align: &'static str,
    subject: &'a str,
    paragraphs: &'a [String],
    link_url: Option<&'a str>,
    link_label: &'static str,
    footer: &'a str,
    unsubscribe_url: &'a str,
    unsubscribe_label: &'static str,
}

fn align(lang: Lang) -> &'static str {
    match lang.dir() {
        "rtl" => "right",
        _ => "left",
    }
}

fn render_or_fallback(t: &impl Template, text: &str) -> String {
    t.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "email template failed; sending a plain HTML part");
        format!("<pre>{}</pre>", escape_html(text))
    })
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Renders every mail majlis sends. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Composer {
    base_url: String,
    links: LinkSigner,
    link_ttl_ms: i64,
    default_from_name: String,
}

impl Composer {
    pub fn new(
        base_url: &str,
        links: LinkSigner,
        link_ttl_hours: u64,
        default_from_name: &str,
    ) -> Composer {
        Composer {
            base_url: base_url.trim_end_matches('/').to_string(),
            links,
            link_ttl_ms: i64::try_from(link_ttl_hours)
                .unwrap_or(i64::MAX / 3_600_000)
                .saturating_mul(3_600_000),
            default_from_name: default_from_name.to_string(),
        }
    }

    pub fn links(&self) -> &LinkSigner {
        &self.links
    }

    fn sender_name(&self, site: &Site, settings: &SiteEmailSettings) -> String {
        let name = settings
            .from_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(&site.name);
        let name = header_text(name, 80);
        if name.is_empty() {
            self.default_from_name.clone()
        } else {
            name
        }
    }

    fn decision_url(
        &self,
        site: &Site,
        moderator: &ModeratorRecord,
        c: &MailComment,
        action: LinkAction,
        now: i64,
    ) -> String {
        let token = self.links.decision(
            site.key.as_str(),
            &c.id,
            &moderator.id,
            action,
            now.saturating_add(self.link_ttl_ms),
        );
        format!("{}/email/decide/{token}", self.base_url)
    }

    fn unsubscribe_url(&self, site: &Site, email: &str) -> String {
        let token = self.links.unsubscribe(site.key.as_str(), email);
        format!("{}/email/unsubscribe/{token}", self.base_url)
    }

    /// One mail to one moderator about one or more comments.
    #[allow(clippy::too_many_arguments)]
    fn moderator_mail(
        &self,
        kind: &str,
        site: &Site,
        settings: &SiteEmailSettings,
        moderator: &ModeratorRecord,
        comments: &[MailComment],
        subject: String,
        intro: String,
        now: i64,
    ) -> NewOutboxMessage {
        let lang = site.default_lang;
        let items: Vec<ItemView> = comments
            .iter()
            .map(|c| ItemView {
                title: c.title.clone(),
                by: tf(lang, "email.item.by", [("name", c.name.as_str())]),
                excerpt: c.excerpt(),
                article: c.article().to_string(),
                article_url: c.article_url.clone(),
                findings: c.findings(lang),
                approve_url: self.decision_url(site, moderator, c, LinkAction::Approve, now),
                reject_url: self.decision_url(site, moderator, c, LinkAction::Reject, now),
            })
            .collect();
        let hours = (self.link_ttl_ms / 3_600_000).to_string();
        let note = tf(lang, "email.item.links_note", [("hours", hours.as_str())]);
        let mut text = format!("{intro}\n");
        for item in &items {
            text.push_str(&format!(
                "\n----\n{}\n{}\n\n{}\n\n{}: {}{}\n",
                item.title,
                item.by,
                item.excerpt,
                t(lang, "email.item.article"),
                item.article,
                item.article_url
                    .as_deref()
                    .map(|u| format!(" <{u}>"))
                    .unwrap_or_default(),
            ));
            if !item.findings.is_empty() {
                text.push_str(&format!("{}:\n", t(lang, "email.item.findings")));
                for f in &item.findings {
                    text.push_str(&format!("- {f}\n"));
                }
            }
            text.push_str(&format!(
                "\n{}: {}\n{}: {}\n",
                t(lang, "email.item.approve"),
                item.approve_url,
                t(lang, "email.item.reject"),
                item.reject_url
            ));
        }
        text.push_str(&format!("\n----\n{note}\n"));
        let html = render_or_fallback(
            &ModeratorHtml {
                lang: lang.code(),
                dir: lang.dir(),
                align: align(lang),
                subject: &subject,
                intro: &intro,
                items: &items,
                label_article: t(lang, "email.item.article"),
                label_findings: t(lang, "email.item.findings"),
                label_approve: t(lang, "email.item.approve"),
                label_reject: t(lang, "email.item.reject"),
                note: &note,
            },
            &text,
        );
        NewOutboxMessage {
            id: new_id(),
            site_key: site.key.as_str().to_string(),
            kind: kind.to_string(),
            comment_id: (comments.len() == 1)
                .then(|| comments.first().map(|c| c.id.clone()))
                .flatten(),
            to_addr: moderator.email.clone(),
            to_name: String::new(),
            from_name: self.sender_name(site, settings),
            lang: lang.code().to_string(),
            subject,
            body_text: text,
            body_html: html,
            unsubscribe_url: None,
            created_at: now,
        }
    }

    /// Immediate alert: a comment was held by the posting rules.
    pub fn held_alert(
        &self,
        site: &Site,
        settings: &SiteEmailSettings,
        moderator: &ModeratorRecord,
        c: &MailComment,
        now: i64,
    ) -> NewOutboxMessage {
        let lang = site.default_lang;
        let title = header_text(&c.title, SUBJECT_CHARS);
        let subject = tf(lang, "email.alert.subject", [("title", title.as_str())]);
        let intro = tf(lang, "email.alert.intro", [("site", site.name.as_str())]);
        self.moderator_mail(
            KIND_ALERT,
            site,
            settings,
            moderator,
            std::slice::from_ref(c),
            subject,
            intro,
            now,
        )
    }

    /// The periodic digest of the pending queue.
    pub fn digest(
        &self,
        site: &Site,
        settings: &SiteEmailSettings,
        moderator: &ModeratorRecord,
        comments: &[MailComment],
        now: i64,
    ) -> NewOutboxMessage {
        let lang = site.default_lang;
        let count = comments.len().to_string();
        let site_name = header_text(&site.name, 80);
        let subject = tf(
            lang,
            "email.digest.subject",
            [("count", count.as_str()), ("site", site_name.as_str())],
        );
        let intro = tf(lang, "email.digest.intro", [("site", site.name.as_str())]);
        self.moderator_mail(
            KIND_DIGEST,
            site,
            settings,
            moderator,
            comments,
            subject,
            intro,
            now,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn commenter_mail(
        &self,
        kind: &str,
        site: &Site,
        settings: &SiteEmailSettings,
        c: &MailComment,
        subject: String,
        paragraphs: Vec<String>,
        link_url: Option<String>,
        now: i64,
    ) -> NewOutboxMessage {
        let lang = site.default_lang;
        let unsubscribe_url = self.unsubscribe_url(site, &c.email);
        let footer = tf(
            lang,
            "email.unsubscribe.note",
            [("site", site.name.as_str())],
        );
        let mut text = paragraphs.join("\n\n");
        if let Some(url) = &link_url {
            text.push_str(&format!("\n\n{}: {url}", t(lang, "email.published.link")));
        }
        text.push_str(&format!(
            "\n\n--\n{footer}\n{}: {unsubscribe_url}\n",
            t(lang, "email.unsubscribe")
        ));
        let html = render_or_fallback(
            &CommenterHtml {
                lang: lang.code(),
                dir: lang.dir(),
                align: align(lang),
                subject: &subject,
                paragraphs: &paragraphs,
                link_url: link_url.as_deref(),
                link_label: t(lang, "email.published.link"),
                footer: &footer,
                unsubscribe_url: &unsubscribe_url,
                unsubscribe_label: t(lang, "email.unsubscribe"),
            },
            &text,
        );
        NewOutboxMessage {
            id: new_id(),
            site_key: site.key.as_str().to_string(),
            kind: kind.to_string(),
            comment_id: Some(c.id.clone()),
            to_addr: c.email.clone(),
            to_name: c.name.clone(),
            from_name: self.sender_name(site, settings),
            lang: lang.code().to_string(),
            subject,
            body_text: text,
            body_html: html,
            unsubscribe_url: Some(unsubscribe_url),
            created_at: now,
        }
    }

    /// "Your comment was published", with a link to the article.
    pub fn published_notice(
        &self,
        site: &Site,
        settings: &SiteEmailSettings,
        c: &MailComment,
        now: i64,
    ) -> NewOutboxMessage {
        let lang = site.default_lang;
        let title = header_text(&c.title, SUBJECT_CHARS);
        let subject = tf(lang, "email.published.subject", [("title", title.as_str())]);
        let body = tf(
            lang,
            "email.published.body",
            [
                ("name", c.name.as_str()),
                ("title", c.title.as_str()),
                ("site", site.name.as_str()),
            ],
        );
        let link = c
            .article_url
            .clone()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
        self.commenter_mail(
            KIND_PUBLISHED,
            site,
            settings,
            c,
            subject,
            vec![body],
            link,
            now,
        )
    }

    /// "New replies to your comment": each reply's author and an excerpt,
    /// with a link to the article.
    pub fn replies_notice(
        &self,
        site: &Site,
        settings: &SiteEmailSettings,
        c: &MailComment,
        replies: &[(String, String)],
        now: i64,
    ) -> NewOutboxMessage {
        let lang = site.default_lang;
        let title = header_text(&c.title, SUBJECT_CHARS);
        let count = replies.len().to_string();
        let subject = tf(lang, "email.replies.subject", [("title", title.as_str())]);
        let mut paragraphs = vec![tf(
            lang,
            "email.replies.body",
            [
                ("name", c.name.as_str()),
                ("title", c.title.as_str()),
                ("site", site.name.as_str()),
                ("count", count.as_str()),
            ],
        )];
        for (name, body) in replies {
            let excerpt = crate::domain::excerpt(body, EXCERPT_CHARS);
            paragraphs.push(tf(
                lang,
                "email.replies.item",
                [("name", name.as_str()), ("excerpt", excerpt.as_str())],
            ));
        }
        let link = c
            .article_url
            .clone()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
        self.commenter_mail(
            KIND_REPLIES,
            site,
            settings,
            c,
            subject,
            paragraphs,
            link,
            now,
        )
    }

    /// "Your comment was not published", with the reason category if given.
    pub fn rejected_notice(
        &self,
        site: &Site,
        settings: &SiteEmailSettings,
        c: &MailComment,
        reason: Option<&str>,
        now: i64,
    ) -> NewOutboxMessage {
        let lang = site.default_lang;
        let title = header_text(&c.title, SUBJECT_CHARS);
        let subject = tf(lang, "email.rejected.subject", [("title", title.as_str())]);
        let mut paragraphs = vec![tf(
            lang,
            "email.rejected.body",
            [
                ("name", c.name.as_str()),
                ("title", c.title.as_str()),
                ("site", site.name.as_str()),
            ],
        )];
        if let Some(reason) = reason.filter(|r| !r.trim().is_empty()) {
            let reason = label(lang, Code::Reason, reason);
            paragraphs.push(tf(
                lang,
                "email.rejected.reason",
                [("reason", reason.as_str())],
            ));
        }
        self.commenter_mail(
            KIND_REJECTED,
            site,
            settings,
            c,
            subject,
            paragraphs,
            None,
            now,
        )
    }
}

/// `List-Unsubscribe: <url>` (RFC 2369).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(
            s.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .into(),
        ))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".into())
    }
}

fn base64_part(content_type: ContentType, text: &str) -> Result<SinglePart, EmailError> {
    let body = Body::new_with_encoding(text.to_string(), ContentTransferEncoding::Base64)
        .map_err(|_| EmailError::Build("body encoding".into()))?;
    Ok(SinglePart::builder().header(content_type).body(body))
}

/// The lettre message of a stored outbox row. Every header comes from a
/// typed builder; user text in names and subjects is stripped of anything
/// that could end a header line.
pub fn build_message(
    m: &NewOutboxMessage,
    from_address: &str,
    domain: &str,
) -> Result<Message, EmailError> {
    let from_addr = from_address
        .parse()
        .map_err(|_| EmailError::Address("from".into()))?;
    let to_addr = m
        .to_addr
        .parse()
        .map_err(|_| EmailError::Address("to".into()))?;
    let from_name = header_text(&m.from_name, 80);
    let to_name = header_text(&m.to_name, 80);
    let from = Mailbox::new((!from_name.is_empty()).then_some(from_name), from_addr);
    let to = Mailbox::new((!to_name.is_empty()).then_some(to_name), to_addr);
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(header_text(&m.subject, 300))
        .message_id(Some(format!("<{}@{domain}>", m.id)))
        .date_now();
    if let Some(url) = &m.unsubscribe_url {
        if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(EmailError::Build("unsubscribe url".into()));
        }
        builder = builder
            .header(ListUnsubscribe(url.clone()))
            .header(ListUnsubscribePost);
    }
    let parts = MultiPart::alternative()
        .singlepart(base64_part(ContentType::TEXT_PLAIN, &m.body_text)?)
        .singlepart(base64_part(ContentType::TEXT_HTML, &m.body_html)?);
    builder
        .multipart(parts)
        .map_err(|e| EmailError::Build(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> NewOutboxMessage {
        NewOutboxMessage {
            id: "m1".into(),
            site_key: "news".into(),
            kind: KIND_PUBLISHED.into(),
            comment_id: None,
            to_addr: "reader@example.com".into(),
            to_name: "Ali\r\nBcc: evil@attacker.example".into(),
            from_name: "News\nX-Injected: 1\u{2028}Bcc: evil2@attacker.example".into(),
            lang: "ar".into(),
            subject: "مرحبا\r\nBcc: evil3@attacker.example".into(),
            body_text: "نص\r\n.\r\nBcc: not a header".into(),
            body_html: "<p>نص</p>".into(),
            unsubscribe_url: Some("https://c.example/email/unsubscribe/abc.def".into()),
            created_at: 0,
        }
    }

    #[test]
    fn user_text_never_starts_a_header_line() {
        let message = build_message(&row(), "comments@news.example", "news.example").unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        let head = raw.split("\r\n\r\n").next().unwrap();
        for line in head.split("\r\n") {
            let lower = line.to_ascii_lowercase();
            assert!(
                !lower.starts_with("bcc") && !lower.starts_with("x-injected"),
                "{line:?} in\n{head}"
            );
        }
        let to: Vec<String> = message
            .envelope()
            .to()
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(to, ["reader@example.com"]);
        assert!(head.contains("List-Unsubscribe: <https://c.example/email/unsubscribe/abc.def>"));
        assert!(head.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    }

    #[test]
    fn header_text_drops_line_breaks_of_every_kind() {
        assert_eq!(header_text("a\r\nb\u{2028}c\u{85}d", 100), "a  b c d");
        assert_eq!(header_text("abcdef", 3), "abc");
    }

    #[test]
    fn a_bad_recipient_address_is_an_error_not_a_panic() {
        let mut m = row();
        m.to_addr = "not an address".into();
        assert!(build_message(&m, "comments@news.example", "news.example").is_err());
    }
}
