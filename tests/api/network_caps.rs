//! Per-network caps (IPv4 /24, IPv6 /48) beside the per-address caps,
//! counted in the database so every instance shares them (issue #14).

use serde_json::Value;

use crate::helpers::{TestApp, backend, site, spawn_app_with, spawn_second_instance_with};
use majlis::storage::Backend;

/// The status of one valid submission from `ip` (the app trusts the
/// loopback proxy, so `X-Forwarded-For` is the client).
async fn post_from(app: &TestApp, ip: &str) -> u16 {
    let body = app.valid_comment("news").await;
    app.client
        .post(app.url("/api/v1/sites/news/articles/a/comments"))
        .header("X-Forwarded-For", ip)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn behind_proxy_with_network_cap(cap: u32) -> impl FnOnce(&mut majlis::config::Settings) {
    move |s| {
        s.server.trusted_proxies = vec!["127.0.0.1".into()];
        s.spam.max_per_hour_per_network = cap;
    }
}

#[tokio::test]
async fn neighbouring_ipv4_addresses_share_their_slash_24_cap() {
    let app = spawn_app_with(behind_proxy_with_network_cap(3)).await;
    app.add_site(site("news")).await;
    let mut statuses = Vec::new();
    for ip in [
        "198.51.100.1",
        "198.51.100.2",
        "198.51.100.3",
        "198.51.100.4",
        "198.51.101.4",
    ] {
        statuses.push(post_from(&app, ip).await);
    }
    // The fourth address of the same /24 is refused; the next /24 is not.
    assert_eq!(statuses, vec![202, 202, 202, 429, 202]);
    let rows = app
        .texts("SELECT net_hash FROM comments ORDER BY created_at")
        .await;
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0], rows[2]);
    assert_ne!(rows[0], rows[3]);
    assert!(rows.iter().all(|h| h.len() == 32), "{rows:?}");
}

#[tokio::test]
async fn ipv6_addresses_share_their_slash_48_cap() {
    let app = spawn_app_with(behind_proxy_with_network_cap(2)).await;
    app.add_site(site("news")).await;
    let mut statuses = Vec::new();
    for ip in [
        "2001:db8:1:1::1",
        "2001:db8:1:ffff::2",
        "2001:db8:1:2::3",
        "2001:db8:2::1",
    ] {
        statuses.push(post_from(&app, ip).await);
    }
    assert_eq!(statuses, vec![202, 202, 429, 202]);
}

#[tokio::test]
async fn the_default_network_cap_is_far_above_the_address_cap() {
    let app = spawn_app_with(|_| {}).await;
    let defaults = majlis::config::Settings::from_toml_over_defaults("").unwrap();
    let network = defaults.spam.max_per_hour_per_network;
    let address = majlis::moderation::PolicyConfig::seed()
        .rate
        .max_per_hour_ip;
    assert!(
        address > 0 && network >= 10 * address,
        "{network} vs {address}"
    );
    assert!(
        defaults.spam.max_codes_per_minute_per_network
            >= 10 * defaults.captcha.max_per_minute_per_ip
    );
    drop(app);
}

#[tokio::test]
async fn a_network_gets_a_bounded_number_of_codes_per_minute() {
    let app = spawn_app_with(|s| {
        s.server.trusted_proxies = vec!["127.0.0.1".into()];
        s.spam.max_codes_per_minute_per_network = 2;
    })
    .await;
    app.add_site(site("news")).await;
    let issue = |ip: &'static str| {
        app.client
            .get(app.url("/api/v1/captcha?site=news"))
            .header("X-Forwarded-For", ip)
            .send()
    };
    assert_eq!(issue("203.0.113.1").await.unwrap().status(), 200);
    assert_eq!(issue("203.0.113.2").await.unwrap().status(), 200);
    let limited = issue("203.0.113.3").await.unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    let v: Value = limited.json().await.unwrap();
    assert_eq!(v["error"], "rate_limited");
    assert_eq!(issue("203.0.114.3").await.unwrap().status(), 200);
}

#[tokio::test]
async fn two_instances_on_postgresql_share_one_network_budget() {
    if backend() != Backend::Postgres {
        return;
    }
    let first = spawn_app_with(behind_proxy_with_network_cap(2)).await;
    first.add_site(site("news")).await;
    let second = spawn_second_instance_with(&first, behind_proxy_with_network_cap(2)).await;
    assert_eq!(post_from(&first, "198.51.100.10").await, 202);
    assert_eq!(post_from(&second, "198.51.100.11").await, 202);
    assert_eq!(post_from(&first, "198.51.100.12").await, 429);
    assert_eq!(post_from(&second, "198.51.100.13").await, 429);
}
