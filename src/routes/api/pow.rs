use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::routes::AppState;
use crate::routes::error::ApiError;
use crate::service::now_ms;

#[derive(Deserialize)]
pub struct IssueQuery {
    site: Option<String>,
}

/// A proof-of-work challenge (the fields of the ALTCHA protocol). Find the
/// integer `n` in `0..=maxnumber` whose SHA-256 of `salt` followed by `n` in
/// decimal, as lower-case hex, equals `challenge`; send base64 of
/// `{"algorithm", "challenge", "number", "salt", "signature"}` as the
/// submission's `pow`.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "algorithm": "SHA-256",
    "challenge": "4be0bc1ee2b4ffd3ebc5e8e3a4df1c8f0a1d6a1e4d2b8e2a3c0c8f4e5a6b7c8d",
    "maxnumber": 100000,
    "salt": "9f2c4a1b7d3e5f60718293a4?expires=1764613800&site=demo",
    "signature": "0d6c3c1a1f1c1e7e5f0b5a0e8d9f2b4c6a8e0f2d4b6c8e0a2c4e6f8a0b2d4f6a"
}))]
struct PowChallenge {
    /// Always `SHA-256`.
    algorithm: String,
    /// 64 lower-case hex digits.
    challenge: String,
    /// The largest number to try. It grows with the recent volume of the
    /// client's address and network.
    maxnumber: u64,
    /// Carries its expiry (`expires`, unix seconds: the life of a security
    /// code) and the site; covered by the challenge, so it cannot be edited.
    salt: String,
    /// HMAC of the challenge by this server.
    signature: String,
}

/// `GET /api/v1/pow?site=KEY`: a proof-of-work challenge for that site.
#[utoipa::path(
    get, path = "/api/v1/pow", tag = "captcha",
    operation_id = "issueProofOfWork",
    summary = "Issue a proof-of-work challenge",
    description = "The invisible part of the security check: `embed.js` solves it in a Web \
        Worker while the reader types and sends the solution as `pow`. Each solution is \
        accepted once, for the site it was issued for, until it expires. A submission \
        without one (the no-JavaScript form) still posts with the image code; a failed \
        one is held for the moderators. Counts against the same per-address and \
        per-network budgets as security codes.",
    params(("site" = String, Query, description = "The site key", example = "demo")),
    responses(
        (status = 200, description = "A new challenge", body = PowChallenge),
        (status = 400, description = "`site` is missing (`invalid_parameter`)", body = super::openapi::ErrorBody),
        (status = 404, description = "No such site", body = super::openapi::ErrorBody),
        (status = 429, description = "This client address or network asked for more challenges \
            this minute than allowed (`rate_limited`)", body = super::openapi::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before retrying"))),
    )
)]
pub async fn issue(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<IssueQuery>,
) -> Result<HttpResponse, ApiError> {
    let (lang, site, client) =
        super::captcha::issue_grant(&state, &req, query.site.as_deref()).await?;
    let now = now_ms();
    let (address, network) = state
        .store
        .recent_volume(
            site.key.as_str(),
            &client.ip_hash,
            &client.net_hash,
            now - 3_600_000,
            VOLUME_CAP,
        )
        .await
        .map_err(|e| ApiError::storage(e, lang))?;
    let c = state.pow.issue(site.key.as_str(), address, network, now);
    let body = PowChallenge {
        algorithm: c.algorithm,
        challenge: c.challenge,
        maxnumber: c.maxnumber,
        salt: c.salt,
        signature: c.signature,
    };
    Ok(super::captcha::issued(&req, &site, body))
}

/// Counting recent comments stops here: the difficulty is at its maximum
/// long before.
const VOLUME_CAP: u32 = 10_000;
