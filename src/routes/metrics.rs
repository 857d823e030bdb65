//! Prometheus metrics: requests by route and status, latency histograms per
//! route, moderation queue depth per site, captcha pool, read cache.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::routes::AppState;

const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Registry {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Mutex<Registry>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, secs: f64) {
        let Ok(mut r) = self.inner.lock() else { return };
        *r.requests
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let h = r.latency.entry(route.to_string()).or_default();
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le
                && let Some(c) = h.counts.get_mut(i)
            {
                *c += 1;
            }
        }
        h.sum += secs;
        h.count += 1;
    }

    fn render(&self, out: &mut String) {
        let Ok(r) = self.inner.lock() else { return };
        out.push_str(
            "# HELP majlis_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE majlis_http_requests_total counter\n");
        for ((method, route, status), n) in &r.requests {
            let _ = writeln!(
                out,
                "majlis_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP majlis_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE majlis_http_request_duration_seconds histogram\n");
        for (route, h) in &r.latency {
            for (le, c) in BUCKETS.iter().zip(h.counts.iter()) {
                let _ = writeln!(
                    out,
                    "majlis_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {c}"
                );
            }
            let _ = writeln!(
                out,
                "majlis_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "majlis_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "majlis_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
    }
}

/// Middleware: time every request and count it under its route pattern
/// (never the raw path, so ids do not explode the label set).
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.metrics.clone());
    let method = req.method().to_string();
    let res = next.call(req).await?;
    if let Some(m) = metrics {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        m.observe(
            &method,
            &route,
            res.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(res)
}

/// `GET /metrics`: for a Prometheus scraper. Served to loopback clients that
/// did not come through a proxy, or to anyone with the configured token.
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let token = state.settings.server.metrics_token.as_str();
    let bearer = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let direct_loopback = req.peer_addr().is_some_and(|a| a.ip().is_loopback())
        && req.headers().get("x-forwarded-for").is_none();
    let allowed = if token.is_empty() {
        direct_loopback
    } else {
        bearer.is_some_and(|b| subtle::ConstantTimeEq::ct_eq(b.as_bytes(), token.as_bytes()).into())
    };
    if !allowed {
        return HttpResponse::NotFound().finish();
    }
    let mut out = String::with_capacity(8192);
    state.metrics.render(&mut out);
    out.push_str(
        "# HELP majlis_captcha_pool_images Pre-rendered security codes ready to hand out.\n",
    );
    out.push_str("# TYPE majlis_captcha_pool_images gauge\n");
    let _ = writeln!(
        out,
        "majlis_captcha_pool_images {}",
        state.captcha.pool_len()
    );
    match state.store.queue_depths().await {
        Ok(depths) => {
            out.push_str(
                "# HELP majlis_queue_depth Comments waiting for a moderator, by site and status.\n",
            );
            out.push_str("# TYPE majlis_queue_depth gauge\n");
            for (site, status, n) in depths {
                let _ = writeln!(
                    out,
                    "majlis_queue_depth{{site=\"{site}\",status=\"{status}\"}} {n}"
                );
            }
            out.push_str("majlis_database_up 1\n");
        }
        Err(_) => out.push_str("majlis_database_up 0\n"),
    }
    if let Ok(backlog) = state.store.webhook_backlog().await {
        out.push_str(
            "# HELP majlis_webhook_backlog Webhook deliveries not yet made (pending), by site.\n",
        );
        out.push_str("# TYPE majlis_webhook_backlog gauge\n");
        for (site, n) in backlog {
            let _ = writeln!(out, "majlis_webhook_backlog{{site=\"{site}\"}} {n}");
        }
    }
    if let Ok(backlog) = state.store.mail_backlog().await {
        out.push_str(
            "# HELP majlis_mail_outbox Mail not yet delivered, by site and status \
             (pending: waiting or retried; failed: given up).\n",
        );
        out.push_str("# TYPE majlis_mail_outbox gauge\n");
        for (site, status, n) in backlog {
            let _ = writeln!(
                out,
                "majlis_mail_outbox{{site=\"{site}\",status=\"{status}\"}} {n}"
            );
        }
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(out)
}
