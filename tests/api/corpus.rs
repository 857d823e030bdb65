//! The bad-input corpus, swept over the JSON API and the no-JS form on one
//! site: every bad request gets its documented 4xx with a stable code and no
//! internals, nothing it carries is stored, and valid submissions sent in
//! between (some carrying markup and injection strings as plain text) are all
//! stored byte-exact. The suite runs on both backends, so the same table
//! holds on SQLite and PostgreSQL.

use serde_json::{Value, json};

use crate::helpers::{TestApp, site, spawn_app};

const API: &str = "/api/v1/sites/news/articles/a/comments";
const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

/// What a rejected request must answer.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// 422 with this code on this field (JSON API).
    Field(&'static str, &'static str),
    /// This status with this `error` code (JSON API).
    Error(u16, &'static str),
    /// 422 HTML (the no-JS form) naming this message.
    FormError(&'static str),
}

struct Case {
    label: String,
    content_type: &'static str,
    body: Vec<u8>,
    expect: Expect,
}

/// Words that would mean an internal error leaked into an answer.
const INTERNALS: &[&str] = &[
    "sqlx",
    "SQLITE",
    "sqlite3",
    "postgres",
    "panicked",
    "syntax error",
    "constraint",
    "stack backtrace",
    "src/",
];

fn json_case(label: impl Into<String>, body: &Value, expect: Expect) -> Case {
    Case {
        label: label.into(),
        content_type: JSON,
        body: body.to_string().into_bytes(),
        expect,
    }
}

fn raw_case(label: &str, content_type: &'static str, body: &[u8], expect: Expect) -> Case {
    Case {
        label: label.into(),
        content_type,
        body: body.to_vec(),
        expect,
    }
}

/// A valid submission with one field changed (`None` removes it).
async fn with(app: &TestApp, field: &str, value: Option<Value>) -> Value {
    let mut body = app.valid_comment("news").await;
    match value {
        Some(v) => body[field] = v,
        None => {
            body.as_object_mut().unwrap().remove(field);
        }
    }
    body
}

fn form_of(body: &Value) -> String {
    body.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Bool(true) => "on".into(),
                other => other.to_string(),
            };
            format!("{k}={}", urlencode(&text))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn cases(app: &TestApp) -> Vec<Case> {
    use Expect::{Error, Field, FormError};
    let mut out = Vec::new();

    // 4.1 Missing or empty, field by field.
    for field in ["name", "email", "title", "body"] {
        out.push(json_case(
            format!("{field} absent"),
            &with(app, field, None).await,
            Field(field, "required"),
        ));
        for blank in ["", "   ", "\t\n"] {
            out.push(json_case(
                format!("{field} = {blank:?}"),
                &with(app, field, Some(json!(blank))).await,
                Field(field, "required"),
            ));
        }
    }
    // 4.2 Wrong types get a per-field code, not a serde message.
    for (field, value) in [
        ("name", json!(123)),
        ("body", json!(["x"])),
        ("title", json!({"a": 1})),
        ("accept_terms", json!("yes")),
        ("name", json!(1e300)),
    ] {
        out.push(json_case(
            format!("{field} = {value}"),
            &with(app, field, Some(value)).await,
            Field(field, "invalid_type"),
        ));
    }
    out.push(json_case(
        "email = null",
        &with(app, "email", Some(Value::Null)).await,
        Field("email", "required"),
    ));
    // 4.3 Terms: only true accepts.
    out.push(json_case(
        "accept_terms absent",
        &with(app, "accept_terms", None).await,
        Field("accept_terms", "terms_not_accepted"),
    ));
    out.push(json_case(
        "accept_terms = false",
        &with(app, "accept_terms", Some(json!(false))).await,
        Field("accept_terms", "terms_not_accepted"),
    ));
    for value in [json!(0), json!(""), json!("off")] {
        out.push(json_case(
            format!("accept_terms = {value}"),
            &with(app, "accept_terms", Some(value)).await,
            Field("accept_terms", "invalid_type"),
        ));
    }
    // 4.4 Length boundaries, counted in characters, never truncated.
    out.push(json_case(
        "body of 2,001 four-byte emoji",
        &with(app, "body", Some(json!("😀".repeat(2001)))).await,
        Field("body", "too_long"),
    ));
    out.push(json_case(
        "body padded with combining marks past 2,000",
        &with(
            app,
            "body",
            Some(json!(format!("تعليق{}", "\u{0651}".repeat(2000)))),
        )
        .await,
        Field("body", "too_long"),
    ));
    out.push(json_case(
        "name of 61 characters",
        &with(app, "name", Some(json!("ن".repeat(61)))).await,
        Field("name", "too_long"),
    ));
    out.push(json_case(
        "title of 1 MB",
        &with(app, "title", Some(json!("t".repeat(1 << 20)))).await,
        Error(413, "payload_too_large"),
    ));
    // 4.5 Email syntax.
    for email in [
        "a",
        "a@",
        "@b.c",
        "a@b@c.d",
        "a b@c.d",
        "a@b..c",
        "\"a b\"@c.d",
        "a@b.c.",
    ] {
        out.push(json_case(
            format!("email {email:?}"),
            &with(app, "email", Some(json!(email))).await,
            Field("email", "invalid_email"),
        ));
    }
    // 4.6 Header and CRLF injection in the fields that reach mail headers.
    for (field, value, code) in [
        ("name", "x\r\nBcc: evil@test", "control_characters"),
        ("email", "a@b.c\r\nBcc: evil@test", "invalid_email"),
        ("title", "x\nSubject: y", "control_characters"),
        ("name", "x\ry", "control_characters"),
        ("name", "x\u{0085}y", "control_characters"),
        ("title", "x\u{2028}y", "invisible_characters"),
        ("title", "x\u{2029}y", "invisible_characters"),
    ] {
        out.push(json_case(
            format!("{field} = {value:?}"),
            &with(app, field, Some(json!(value))).await,
            Field(field, code),
        ));
    }
    // 4.8 The article URL is never fetched; only http(s) is taken.
    for url in [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html;base64,PHNjcmlwdD4=",
    ] {
        out.push(json_case(
            format!("article_url {url}"),
            &with(app, "article_url", Some(json!(url))).await,
            Field("article_url", "invalid_url"),
        ));
    }
    // 4.9 Encoding and control characters.
    let valid = app.valid_comment("news").await.to_string();
    let mut invalid_utf8 = valid.clone().into_bytes();
    let at = invalid_utf8.len() - 2;
    invalid_utf8.splice(at..at, [0xFF, 0xFE]);
    out.push(raw_case(
        "invalid UTF-8 bytes in JSON",
        JSON,
        &invalid_utf8,
        Error(400, "malformed_json"),
    ));
    out.push(raw_case(
        "overlong UTF-8 in JSON",
        JSON,
        b"{\"name\":\"\xC0\xAF\"}",
        Error(400, "malformed_json"),
    ));
    out.push(raw_case(
        "lone surrogate",
        JSON,
        br#"{"name":"\ud800"}"#,
        Error(400, "malformed_json"),
    ));
    out.push(raw_case(
        "byte-order mark before the JSON",
        JSON,
        format!("\u{feff}{valid}").as_bytes(),
        Error(400, "malformed_json"),
    ));
    for (field, value, code) in [
        ("name", "nul\u{0000}", "control_characters"),
        (
            "body",
            "bell \u{0007} in the body text",
            "control_characters",
        ),
        ("name", "del\u{007f}", "control_characters"),
        ("body", "c1 \u{009b} in the body text", "control_characters"),
        ("title", "\u{feff}title", "invisible_characters"),
    ] {
        out.push(json_case(
            format!("{field} = {value:?}"),
            &with(app, field, Some(json!(value))).await,
            Field(field, code),
        ));
    }
    // 4.10 Unicode tricks in the name.
    for (value, code) in [
        ("evil\u{202E}gnp.exe", "invisible_characters"),
        ("Mod\u{200B}erator", "invisible_characters"),
    ] {
        out.push(json_case(
            format!("name = {value:?}"),
            &with(app, "name", Some(json!(value))).await,
            Field("name", code),
        ));
    }
    out.push(json_case(
        "name of one letter and 500 combining marks",
        &with(
            app,
            "name",
            Some(json!(format!("a{}", "\u{0301}".repeat(500)))),
        )
        .await,
        Field("name", "too_long"),
    ));
    // 4.11 Structure: no mass assignment, no duplicates, no trailing bytes.
    for field in [
        "status",
        "approved",
        "id",
        "site_key",
        "created_at",
        "ip",
        "moderator",
        "thread_id",
    ] {
        out.push(json_case(
            format!("extra field {field}"),
            &with(app, field, Some(json!("published"))).await,
            Field(field, "unknown_field"),
        ));
    }
    let dup = valid.replacen('{', "{\"name\":\"first\",", 1);
    out.push(raw_case(
        "duplicate JSON key",
        JSON,
        dup.as_bytes(),
        Field("name", "duplicate_field"),
    ));
    out.push(raw_case(
        "trailing garbage after the JSON",
        JSON,
        format!("{valid} x").as_bytes(),
        Error(400, "malformed_json"),
    ));
    out.push(raw_case(
        "nested 10,000 deep",
        JSON,
        format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).as_bytes(),
        Error(400, "malformed_json"),
    ));
    out.push(raw_case(
        "a JSON array",
        JSON,
        b"[1,2,3]",
        Error(400, "malformed_json"),
    ));
    out.push(raw_case(
        "text/plain",
        "text/plain",
        valid.as_bytes(),
        Error(415, "unsupported_media_type"),
    ));
    out.push(raw_case(
        "JSON declared as ISO-8859-1",
        "application/json; charset=iso-8859-1",
        valid.as_bytes(),
        Error(415, "unsupported_media_type"),
    ));
    out.push(raw_case(
        "no body at all",
        JSON,
        b"",
        Error(400, "malformed_json"),
    ));
    // 4.12 The security code: generic, whatever is wrong with it; a blank
    // answer is a required field like the others (no attempt, code unspent).
    for (label, id, answer) in [
        ("captcha empty", Some(json!("")), Some(json!(""))),
        ("captcha null", Some(Value::Null), Some(Value::Null)),
    ] {
        let mut body = app.valid_comment("news").await;
        let obj = body.as_object_mut().unwrap();
        for (k, v) in [("captcha_id", id), ("captcha_answer", answer)] {
            if let Some(v) = v {
                obj.insert(k.into(), v);
            }
        }
        out.push(json_case(label, &body, Field("captcha_answer", "required")));
    }
    for (label, id, answer) in [
        ("captcha_id absent", None, Some(json!("abcde"))),
        (
            "forged captcha id",
            Some(json!("0193c1f2a7d84e2b9b1f6c0d3e5a7b91")),
            Some(json!("abcde")),
        ),
    ] {
        let mut body = app.valid_comment("news").await;
        let obj = body.as_object_mut().unwrap();
        for (k, v) in [("captcha_id", id), ("captcha_answer", answer)] {
            match v {
                Some(v) => obj.insert(k.into(), v),
                None => obj.remove(k),
            };
        }
        out.push(json_case(label, &body, Error(400, "captcha_invalid")));
    }
    let mut numbers = app.valid_comment("news").await;
    numbers["captcha_answer"] = json!(0);
    out.push(json_case(
        "captcha answer 0",
        &numbers,
        Field("captcha_answer", "invalid_type"),
    ));
    let mut wrong = app.valid_comment("news").await;
    wrong["captcha_answer"] = json!("#####");
    out.push(json_case(
        "wrong captcha answer",
        &wrong,
        Error(400, "captcha_invalid"),
    ));
    let (other_id, other_answer) = app.solve_captcha("other").await;
    let mut elsewhere = app.valid_comment("news").await;
    elsewhere["captcha_id"] = json!(other_id);
    elsewhere["captcha_answer"] = json!(other_answer);
    out.push(json_case(
        "another site's security code",
        &elsewhere,
        Error(400, "captcha_invalid"),
    ));
    let mut huge = app.valid_comment("news").await;
    huge["captcha_answer"] = json!("a".repeat(1 << 20));
    out.push(json_case(
        "1 MB captcha answer",
        &huge,
        Error(413, "payload_too_large"),
    ));

    // The no-JS form posts to the same address.
    let form = |label: &str, body: String, message: &'static str| Case {
        label: format!("form: {label}"),
        content_type: FORM,
        body: body.into_bytes(),
        expect: FormError(message),
    };
    for (label, field, value, extra, message) in [
        (
            "terms unticked",
            "accept_terms",
            None,
            "",
            "You must accept the terms of use.",
        ),
        (
            "terms=on&terms=off",
            "accept_terms",
            Some(json!(true)),
            "&accept_terms=off",
            "Was sent more than once.",
        ),
        (
            "blank title",
            "title",
            Some(json!("   ")),
            "",
            "This field is required.",
        ),
        (
            "invalid UTF-8 in the name",
            "name",
            None,
            "&name=%FF%FE",
            "Is not valid UTF-8 text.",
        ),
        // No input to attach it to: the form says so at the top.
        (
            "extra field status",
            "status",
            Some(json!("published")),
            "",
            "Some fields need your attention.",
        ),
    ] {
        let body = with(app, field, value).await;
        out.push(form(
            label,
            format!("{}{extra}&lang=en", form_of(&body)),
            message,
        ));
    }
    out
}

/// Valid comments that look like attacks: stored as the text they are.
fn valid_but_hostile(n: usize) -> String {
    const TEXTS: &[&str] = &[
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "' onmouseover='alert(1)",
        "</textarea><img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "[x](javascript:alert(1)) and [y](JaVaScRiPt:alert(1))",
        "</script><script>alert(1)</script>",
        "{{7*7}} ${7*7} ' OR 1=1-- %s%n ${jndi:ldap://x}",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and 👨‍👩‍👧 family",
    ];
    format!("{} — comment {n}", TEXTS[n % TEXTS.len()])
}

#[tokio::test]
async fn the_bad_input_corpus_gets_clear_4xx_and_stores_nothing_while_valid_comments_between_are_kept()
 {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    app.add_site(site("other")).await;
    let cases = cases(&app).await;
    assert!(cases.len() >= 85, "{} cases", cases.len());

    let mut kept: Vec<(String, String)> = Vec::new();
    let mut wrong: Vec<String> = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let resp = app
            .client
            .post(app.url(API))
            .header("Content-Type", case.content_type)
            .header("Accept-Language", "en")
            .body(case.body.clone())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let label = &case.label;
        for word in INTERNALS {
            if text.contains(word) {
                wrong.push(format!("{label}: the answer shows {word:?}: {text}"));
            }
        }
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let got = match case.expect {
            Expect::Field(field, code) => (status == 422
                && v["error"] == "validation_failed"
                && v["fields"][field][0]["code"] == code)
                .then_some(())
                .ok_or(format!("422 {field}: {code}")),
            Expect::Error(want, code) => (status == want && v["error"] == code)
                .then_some(())
                .ok_or(format!("{want} {code}")),
            // The form comes back with the message and a fresh security code.
            Expect::FormError(message) => {
                (status == 422 && text.contains(message) && text.contains("name=\"captcha_id\""))
                    .then_some(())
                    .ok_or(format!("422 HTML with {message:?}"))
            }
        };
        if let Err(expected) = got {
            let shown: String = text.chars().take(300).collect();
            wrong.push(format!(
                "{label}: expected {expected}, got {status} {shown}"
            ));
        }

        // Every few bad requests, a valid comment: it must get through.
        if i % 4 == 3 {
            let mut body = app.valid_comment("news").await;
            let text = valid_but_hostile(kept.len());
            body["body"] = json!(text);
            let resp = app.post_comment("news", "a", &body).await;
            assert_eq!(resp.status(), 202, "valid comment after {label}");
            let v: Value = resp.json().await.unwrap();
            kept.push((v["id"].as_str().unwrap().to_string(), text));
        }
    }

    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Nothing of the bad requests was stored; every valid one was, exactly.
    assert_eq!(app.stored_count("news").await, kept.len());
    assert_eq!(app.stored_count("other").await, 0);
    let stored = app.stored("news").await;
    for (id, text) in &kept {
        let comment = stored.iter().find(|c| &c.id == id);
        assert_eq!(
            comment.map(|c| c.body.as_str()),
            Some(text.as_str()),
            "{id}"
        );
    }
    eprintln!(
        "bad-input corpus on {}: {} requests refused with their 4xx, {} valid comments between them all kept",
        crate::helpers::backend().name(),
        cases.len(),
        kept.len()
    );
}

/// Send raw bytes; the status code and body of the answer (0 if the
/// connection closed without one).
async fn raw(app: &TestApp, request: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.address.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = s.write_all(request).await;
    let mut buf = vec![0u8; 64 * 1024];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), s.read(&mut buf))
        .await
        .unwrap_or(Ok(0))
        .unwrap_or(0);
    let answer = String::from_utf8_lossy(&buf[..n]).to_string();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[tokio::test]
async fn transport_abuse_is_refused_and_the_server_stays_healthy() {
    let app = spawn_app().await;
    app.add_site(site("news")).await;
    let post = |headers: &str, body: &[u8]| {
        let mut r = format!(
            "POST {API} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{headers}\r\n"
        )
        .into_bytes();
        r.extend_from_slice(body);
        r
    };
    let get = |target: &str, headers: &str| {
        format!("GET {target} HTTP/1.1\r\nHost: x\r\n{headers}\r\n").into_bytes()
    };
    let many: String = (0..120).map(|i| format!("X-H{i}: v\r\n")).collect();
    let valid = app.valid_comment("news").await.to_string();
    let key = app.api_key("news", "moderator").await;
    // 4 MB of JSON, 4 KB compressed: past every JSON limit (2 MB) once inflated.
    let bomb = gzip(format!("{{\"body\":\"{}\"}}", "a".repeat(4 << 20)).as_bytes());
    let cases: Vec<(&str, Vec<u8>, u16, Option<&str>)> = vec![
        (
            "Content-Length and Transfer-Encoding both (smuggling)",
            post(
                "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                b"0\r\n\r\n",
            ),
            400,
            None,
        ),
        (
            "two different Content-Lengths",
            post("Content-Length: 2\r\nContent-Length: 4\r\n", b"{}"),
            400,
            None,
        ),
        (
            "a gzip bomb as a submission (bodies are read as sent)",
            post(
                &format!(
                    "Content-Encoding: gzip\r\nContent-Length: {}\r\n",
                    bomb.len()
                ),
                &bomb,
            ),
            415,
            Some("unsupported_media_type"),
        ),
        (
            "a gzip bomb to an endpoint that inflates, stopped at its limit",
            format!(
                "POST /api/v1/sites/news/moderation/preview HTTP/1.1\r\nHost: x\r\n\
                 Authorization: Bearer {key}\r\nContent-Type: application/json\r\n\
                 Content-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
                bomb.len()
            )
            .into_bytes()
            .into_iter()
            .chain(bomb.iter().copied())
            .collect(),
            413,
            Some("payload_too_large"),
        ),
        ("120 headers", get("/healthz", &many), 431, None),
        (
            "a 40 KB header",
            get("/healthz", &format!("X-Big: {}\r\n", "a".repeat(40_000))),
            431,
            Some("headers_too_large"),
        ),
        (
            "a 20 KB query string",
            get(
                &format!(
                    "/api/v1/sites/news/articles/a/comments?x={}",
                    "a".repeat(20_000)
                ),
                "",
            ),
            414,
            Some("uri_too_long"),
        ),
        (
            "an unknown site",
            get("/api/v1/sites/nosuch/articles/a/comments", ""),
            404,
            Some("site_not_found"),
        ),
    ];
    for (label, request, want, code) in cases {
        let (status, answer) = raw(&app, &request).await;
        assert_eq!(status, want, "{label}: {answer}");
        if let Some(code) = code {
            assert!(
                answer.contains(&format!("\"error\":\"{code}\"")),
                "{label}: {answer}"
            );
        }
    }
    // A traversal in the article key is only a key: nothing is read from disk.
    let (status, answer) = raw(
        &app,
        &get(
            "/api/v1/sites/news/articles/..%2F..%2Fetc%2Fpasswd/comments",
            "",
        ),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer.contains("\"comments\":[]") && !answer.contains("root:"),
        "{answer}"
    );

    // Nothing stored, and the server still serves a valid comment.
    assert_eq!(app.stored_count("news").await, 0);
    let ok: Value = serde_json::from_str(&valid).unwrap();
    assert_eq!(app.post_comment("news", "a", &ok).await.status(), 202);
}
