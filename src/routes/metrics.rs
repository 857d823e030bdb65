//! Prometheus metrics: requests by method, route and status, latency
//! histograms per route, moderation queue depth per site, captcha pool, mail
//! and webhook backlogs. Exposed by `prometheus-client` (OpenMetrics text).
//!
//! Every label comes from a known, bounded set: the method from the standard
//! methods (`OTHER` for the rest), the route from the route table
//! (`unmatched` for the rest), the status from the three digits HTTP allows.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::routes::AppState;
use crate::routes::extract::header_text;

const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SiteStatusLabels {
    site: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SiteLabels {
    site: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The request metrics of one process, kept for its lifetime.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
}

impl Default for Metrics {
    fn default() -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: LatencyFamily =
            Family::new_with_constructor(|| Histogram::new(BUCKETS.iter().copied()));
        let mut registry = Registry::default();
        registry.register(
            "majlis_http_requests",
            "HTTP requests by method, route and status",
            requests.clone(),
        );
        registry.register(
            "majlis_http_request_duration_seconds",
            "Time to answer, by route",
            latency.clone(),
        );
        Metrics {
            registry: Arc::new(registry),
            requests,
            latency,
        }
    }
}

/// The method as a label: one of the standard methods, else `OTHER`.
pub fn method_label(method: &Method) -> &'static str {
    const KNOWN: [(Method, &str); 9] = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::CONNECT, "CONNECT"),
        (Method::TRACE, "TRACE"),
    ];
    KNOWN
        .iter()
        .find(|(m, _)| m == method)
        .map_or("OTHER", |(_, label)| label)
}

impl Metrics {
    fn observe(&self, method: &'static str, route: String, status: u16, secs: f64) {
        self.latency
            .get_or_create(&RouteLabels {
                route: route.clone(),
            })
            .observe(secs);
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route,
                status,
            })
            .inc();
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
    let method = method_label(req.method());
    let res = next.call(req).await?;
    if let Some(m) = metrics {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        m.observe(
            method,
            route,
            res.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(res)
}

/// Whether `/metrics` may answer this request: with a token configured,
/// only to its bearer; without, only to a loopback peer that is not one of
/// the trusted proxies (a proxy on the same host forwards outside clients).
/// Forwarding headers are never read: they are the client's to invent.
fn may_scrape(req: &HttpRequest, state: &AppState) -> bool {
    let token = state.settings.server.metrics_token.as_str();
    if !token.is_empty() {
        return header_text(req.headers(), actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|b| subtle::ConstantTimeEq::ct_eq(b.as_bytes(), token.as_bytes()).into());
    }
    req.peer_addr().is_some_and(|a| {
        let ip = a.ip();
        ip.is_loopback() && !state.trusted_proxies.contains(&ip)
    })
}

/// A gauge per (site, status) from rows of counts.
fn by_site_and_status(rows: Vec<(String, String, i64)>) -> Family<SiteStatusLabels, Gauge> {
    let family = Family::<SiteStatusLabels, Gauge>::default();
    for (site, status, n) in rows {
        family
            .get_or_create(&SiteStatusLabels { site, status })
            .set(n);
    }
    family
}

/// `GET /metrics`: for a Prometheus scraper. Served to loopback clients that
/// are not a trusted proxy, or to anyone with the configured token.
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if !may_scrape(&req, &state) {
        return HttpResponse::NotFound().finish();
    }
    // Gauges read from the database at each scrape, in a registry of their
    // own so a site or status that is gone leaves no stale series.
    let mut now = Registry::default();
    let pool = Gauge::<i64>::default();
    pool.set(i64::try_from(state.captcha.pool_len()).unwrap_or(i64::MAX));
    now.register(
        "majlis_captcha_pool_images",
        "Pre-rendered security codes ready to hand out",
        pool,
    );
    let up = Gauge::<i64>::default();
    match state.store.queue_depths().await {
        Ok(depths) => {
            now.register(
                "majlis_queue_depth",
                "Comments waiting for a moderator, by site and status",
                by_site_and_status(depths),
            );
            up.set(1);
        }
        Err(_) => {
            up.set(0);
        }
    }
    now.register(
        "majlis_database_up",
        "Whether the database answered this scrape",
        up,
    );
    if let Ok(backlog) = state.store.webhook_backlog().await {
        let family = Family::<SiteLabels, Gauge>::default();
        for (site, n) in backlog {
            family.get_or_create(&SiteLabels { site }).set(n);
        }
        now.register(
            "majlis_webhook_backlog",
            "Webhook deliveries not yet made (pending), by site",
            family,
        );
    }
    if let Ok(backlog) = state.store.mail_backlog().await {
        now.register(
            "majlis_mail_outbox",
            "Mail not yet delivered, by site and status \
             (pending: waiting or retried; failed: given up)",
            by_site_and_status(backlog),
        );
    }
    let mut out = String::with_capacity(16 * 1024);
    let encoded = encode_registry(&mut out, &state.metrics.registry)
        .and_then(|()| encode_registry(&mut out, &now))
        .and_then(|()| encode_eof(&mut out));
    if let Err(e) = encoded {
        tracing::error!(error = %e, "could not encode the metrics");
        return HttpResponse::InternalServerError().finish();
    }
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(out)
}
