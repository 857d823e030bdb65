//! Turning raw requests into plain values: client address, language, the
//! submission body (JSON or form), the API key. No domain rules here.

use std::collections::BTreeSet;
use std::net::IpAddr;

use actix_web::http::header;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;

use super::error::{ApiError, ErrorCode};
use crate::domain::{FieldError, Lang, Site, SubmissionDto, ValidationErrors};
use crate::i18n::negotiate;

/// A header's value, when it is there and is visible ASCII.
pub fn header_text(headers: &header::HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A request that asks for JSON (`Accept: application/json`), as the
/// dashboard's page script does.
pub fn wants_json(req: &HttpRequest) -> bool {
    header_text(req.headers(), header::ACCEPT).is_some_and(|v| v.contains("application/json"))
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the
/// right-most address of `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip())?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .or(Some(peer))
}

/// `Accept-Language`, else the site's default, else Arabic.
pub fn request_lang(req: &HttpRequest, site: Option<&Site>) -> Lang {
    negotiate(header_text(req.headers(), header::ACCEPT_LANGUAGE))
        .or(site.map(|s| s.default_lang))
        .unwrap_or(Lang::Ar)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Form,
}

/// Which submission format the Content-Type announces; anything else is 415,
/// and so is a declared charset other than UTF-8 (majlis reads UTF-8 only,
/// and would misread the text rather than refuse it) and a compressed body
/// (a submission is small; the bytes are read as sent).
pub fn body_kind(req: &HttpRequest) -> Option<BodyKind> {
    if let Some(coding) = req.headers().get(header::CONTENT_ENCODING)
        && !coding.as_bytes().eq_ignore_ascii_case(b"identity")
    {
        return None;
    }
    let ct = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mut parts = ct.split(';');
    let essence = parts.next()?.trim().to_ascii_lowercase();
    for param in parts {
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"');
        if name.trim().eq_ignore_ascii_case("charset")
            && !value.eq_ignore_ascii_case("utf-8")
            && !value.eq_ignore_ascii_case("utf8")
        {
            return None;
        }
    }
    match essence.as_str() {
        "application/json" => Some(BodyKind::Json),
        "application/x-www-form-urlencoded" => Some(BodyKind::Form),
        _ => None,
    }
}

/// Read at most `limit` bytes of body within `timeout`; 413 beyond the
/// limit (without reading the rest), 408 past the time.
pub async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
    timeout: std::time::Duration,
    lang: Lang,
) -> Result<web::Bytes, ApiError> {
    let declared =
        header_text(req.headers(), header::CONTENT_LENGTH).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::new(ErrorCode::PayloadTooLarge, lang));
    }
    let read = async {
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|_| ApiError::new(ErrorCode::MalformedJson, lang))?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::new(ErrorCode::PayloadTooLarge, lang));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    };
    // A client dribbling its body cannot hold the request open forever.
    tokio::time::timeout(timeout, read)
        .await
        .unwrap_or_else(|_| Err(ApiError::new(ErrorCode::RequestTimeout, lang)))
}

const STRING_FIELDS: [&str; 11] = [
    "name",
    "email",
    "title",
    "body",
    "captcha_id",
    "captcha_answer",
    "article_url",
    "article_title",
    "website",
    "pow",
    "parent_id",
];

fn set_string(dto: &mut SubmissionDto, field: &str, value: String) {
    let slot = match field {
        "name" => &mut dto.name,
        "email" => &mut dto.email,
        "title" => &mut dto.title,
        "body" => &mut dto.body,
        "captcha_id" => &mut dto.captcha_id,
        "captcha_answer" => &mut dto.captcha_answer,
        "article_url" => &mut dto.article_url,
        "article_title" => &mut dto.article_title,
        "website" => &mut dto.website,
        "pow" => &mut dto.pow,
        "parent_id" => &mut dto.parent_id,
        _ => return,
    };
    *slot = Some(value);
}

/// The submission's checkbox named `key`, if it is one.
fn bool_field<'a>(dto: &'a mut SubmissionDto, key: &str) -> Option<&'a mut Option<bool>> {
    match key {
        "accept_terms" => Some(&mut dto.accept_terms),
        "notify_replies" => Some(&mut dto.notify_replies),
        _ => None,
    }
}

/// A JSON submission: an object of the documented fields only. Wrong types
/// and unknown fields become field errors (422) so every problem is reported
/// at once; a body that is not a JSON object is 400 `malformed_json`.
pub fn parse_json_submission(
    bytes: &[u8],
    lang: Lang,
) -> Result<(SubmissionDto, ValidationErrors), ApiError> {
    let Members(members) =
        serde_json::from_slice(bytes).map_err(|_| ApiError::new(ErrorCode::MalformedJson, lang))?;
    let mut dto = SubmissionDto::default();
    let mut errors = ValidationErrors::default();
    let mut seen = BTreeSet::new();
    for (key, value) in members {
        // `{"name":"a","name":"b"}`: refused, never "the last one wins".
        if !seen.insert(key.clone()) {
            errors.add(&key, FieldError::new("duplicate_field"));
            continue;
        }
        if let Some(slot) = bool_field(&mut dto, &key) {
            match value {
                serde_json::Value::Bool(b) => *slot = Some(b),
                serde_json::Value::Null => {}
                _ => errors.add(&key, FieldError::new("invalid_type")),
            }
        } else if STRING_FIELDS.contains(&key.as_str()) {
            match value {
                serde_json::Value::String(s) => set_string(&mut dto, &key, s),
                serde_json::Value::Null => {}
                _ => errors.add(&key, FieldError::new("invalid_type")),
            }
        } else {
            errors.add(&key, FieldError::new("unknown_field"));
        }
    }
    Ok((dto, errors))
}

/// The members of a JSON object in the order sent, repeated keys kept (a
/// `serde_json::Map` would silently keep only the last).
struct Members(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Members, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// Fields a plain HTML form may send besides the submission itself.
/// `new_code` is the no-JavaScript form's "new code" button: the form comes
/// back with its input kept and a fresh code, nothing submitted.
pub const FORM_ONLY_FIELDS: [&str; 3] = ["lang", "return_to", "new_code"];

/// An `application/x-www-form-urlencoded` submission. Invalid UTF-8 after
/// percent-decoding and repeated fields are field errors, never replaced or
/// silently merged.
pub fn parse_form_submission(
    bytes: &[u8],
) -> (SubmissionDto, Vec<(String, String)>, ValidationErrors) {
    let mut dto = SubmissionDto::default();
    let mut errors = ValidationErrors::default();
    let mut extras = Vec::new();
    let mut seen = BTreeSet::new();
    for pair in bytes.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        let Some(key) = decode_component(k) else {
            continue;
        };
        let Some(value) = decode_component(v) else {
            errors.add(&key, FieldError::new("invalid_encoding"));
            continue;
        };
        if !seen.insert(key.clone()) {
            errors.add(&key, FieldError::new("duplicate_field"));
            continue;
        }
        if let Some(slot) = bool_field(&mut dto, &key) {
            *slot = Some(matches!(value.as_str(), "on" | "true" | "1"));
        } else if STRING_FIELDS.contains(&key.as_str()) {
            set_string(&mut dto, &key, value);
        } else if FORM_ONLY_FIELDS.contains(&key.as_str()) {
            extras.push((key, value));
        } else {
            errors.add(&key, FieldError::new("unknown_field"));
        }
    }
    (dto, extras, errors)
}

fn decode_component(raw: &[u8]) -> Option<String> {
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    let bytes: Vec<u8> = percent_encoding::percent_decode(&plus_as_space).collect();
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_json_key_is_a_field_error_not_the_last_value() {
        let (dto, errs) =
            parse_json_submission(br#"{"name":"a","title":"t","name":"b"}"#, Lang::En).unwrap();
        assert!(errs.has("name"));
        assert!(!errs.has("title"));
        assert_eq!(dto.name.as_deref(), Some("a"));
        assert!(parse_json_submission(b"[1]", Lang::En).is_err());
        assert!(parse_json_submission(b"\"x\"", Lang::En).is_err());
    }

    #[test]
    fn a_charset_other_than_utf8_is_not_a_submission_format() {
        use actix_web::test::TestRequest;
        let kind = |ct: &str| {
            body_kind(
                &TestRequest::default()
                    .insert_header(("content-type", ct))
                    .to_http_request(),
            )
        };
        assert_eq!(kind("application/json"), Some(BodyKind::Json));
        assert_eq!(kind("application/json;"), Some(BodyKind::Json));
        assert_eq!(
            kind("application/json; charset=UTF-8"),
            Some(BodyKind::Json)
        );
        assert_eq!(
            kind("application/x-www-form-urlencoded; charset=\"utf-8\""),
            Some(BodyKind::Form)
        );
        assert_eq!(kind("application/json; charset=iso-8859-1"), None);
        let gzipped = TestRequest::default()
            .insert_header(("content-type", "application/json"))
            .insert_header(("content-encoding", "gzip"))
            .to_http_request();
        assert_eq!(body_kind(&gzipped), None);
        assert_eq!(
            kind("application/x-www-form-urlencoded; charset=windows-1256"),
            None
        );
    }

    #[test]
    fn form_decoding_rejects_invalid_utf8_and_duplicates() {
        let (dto, _, errs) = parse_form_submission(b"name=%FF%FE&title=a&title=b&body=x+y");
        assert!(errs.has("name"));
        assert!(errs.has("title"));
        assert_eq!(dto.body.as_deref(), Some("x y"));
    }

    #[test]
    fn form_decoding_reads_arabic_and_the_checkbox() {
        let (dto, extras, errs) = parse_form_submission(
            "name=%D8%A3%D8%AD%D9%85%D8%AF&accept_terms=on&lang=ar".as_bytes(),
        );
        assert!(errs.is_empty());
        assert_eq!(dto.name.as_deref(), Some("أحمد"));
        assert_eq!(dto.accept_terms, Some(true));
        assert_eq!(extras, vec![("lang".to_string(), "ar".to_string())]);
    }

    #[test]
    fn json_reports_wrong_types_and_unknown_fields_per_field() {
        let (_, errs) = parse_json_submission(
            br#"{"name":123,"status":"published","accept_terms":"yes"}"#,
            Lang::En,
        )
        .unwrap();
        assert!(errs.has("name"));
        assert!(errs.has("status"));
        assert!(errs.has("accept_terms"));
    }

    #[test]
    fn json_that_is_not_an_object_is_malformed() {
        assert!(parse_json_submission(b"[1,2]", Lang::En).is_err());
        assert!(parse_json_submission(b"{\"name\": \"\\ud800\"}", Lang::En).is_err());
    }
}

/// The request's language (`Accept-Language`, else Arabic) as an extractor.
#[derive(Debug, Clone, Copy)]
pub struct RequestLang(pub Lang);

impl actix_web::FromRequest for RequestLang {
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<RequestLang, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Ok(RequestLang(request_lang(req, None))))
    }
}
