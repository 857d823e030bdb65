//! An acknowledged comment survives `kill -9` of majlis, and SIGTERM lets
//! the request in flight finish.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::helpers::{backend, fresh_database, own_words, site, test_settings};

struct Server {
    child: Child,
    base: String,
}

fn start(db_url: &str, port: u16) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_majlis"))
        .env("MAJLIS__SERVER__PORT", port.to_string())
        .env("MAJLIS__SERVER__WORKERS", "2")
        .env("MAJLIS__DATABASE__URL", db_url)
        .env("MAJLIS__DEMO__ENABLED", "false")
        .env("MAJLIS__LOG__LEVEL", "error")
        // Every writer is one address on one network.
        .env("MAJLIS__SPAM__MAX_PER_HOUR_PER_NETWORK", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("majlis did not become ready at {base}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A migrated database with one site that takes comments without a
/// security code and without the per-address hourly cap (every writer of
/// these tests is one address).
async fn prepared_database(dir: &std::path::Path, key: &str) -> (String, majlis::config::Settings) {
    let db_url = fresh_database(dir).await;
    let settings = test_settings(&db_url);
    let store = majlis::storage::Store::connect(&settings.database)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let mut s = site(key);
    s.captcha = majlis::domain::CaptchaMode::Off;
    store.insert_site(&s, 1).await.unwrap();
    let mut policy = majlis::moderation::PolicyConfig::seed();
    policy.rate.max_per_hour_ip = 0;
    store
        .save_site_policy(key, &serde_json::to_string(&policy).unwrap(), 0, 1)
        .await
        .unwrap();
    store.close().await;
    (db_url, settings)
}

#[tokio::test]
async fn kill_9_right_after_202_loses_no_acknowledged_comment() {
    let dir = tempfile::tempdir().unwrap();
    let (db_url, settings) = prepared_database(dir.path(), "crash").await;

    let port = free_port();
    let mut server = start(&db_url, port);
    // No app in this process yet: reqwest's TLS needs the rustls provider.
    majlis::webhooks::install_crypto_provider();
    let client = reqwest::Client::new();
    wait_ready(&client, &server.base).await;

    // Eight writers post as fast as they can; the process is killed the
    // moment the 100th acknowledgement arrives, with other posts in flight.
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let (kill_tx, mut kill_rx) = tokio::sync::mpsc::channel::<()>(1);
    let mut writers = Vec::new();
    for w in 0..8 {
        let client = client.clone();
        let base = server.base.clone();
        let acked = acked.clone();
        let kill_tx = kill_tx.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..100 {
                let body = json!({
                    "name": "Writer", "email": format!("w{w}-{i}@example.com"), "title": "Load test",
                    // Each its own wording: one address sending near-copies is held.
                    "body": format!("comment {w}-{i} {}", own_words(w * 100 + i)), "accept_terms": true
                });
                let Ok(resp) = client
                    .post(format!("{base}/api/v1/sites/crash/articles/a/comments"))
                    .json(&body)
                    .send()
                    .await
                else {
                    return;
                };
                if resp.status() != 202 {
                    return;
                }
                let Ok(v) = resp.json::<Value>().await else {
                    return;
                };
                let mut acked = acked.lock().await;
                acked.push(v["id"].as_str().unwrap().to_string());
                if acked.len() == 100 {
                    let _ = kill_tx.try_send(());
                }
            }
        }));
    }
    drop(kill_tx);
    kill_rx.recv().await;
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    for w in writers {
        let _ = w.await;
    }
    let acked = acked.lock().await.clone();
    assert!(acked.len() >= 100, "only {} acknowledged", acked.len());

    // Restart on the same database and count what is there.
    let mut server = start(&db_url, port);
    wait_ready(&client, &server.base).await;
    let stored = pending_in(&settings, "crash").await;
    let stored_ids: std::collections::HashSet<String> =
        stored.iter().map(|c| c.id.clone()).collect();
    assert_eq!(stored_ids.len(), stored.len(), "a comment was stored twice");
    let lost: Vec<&String> = acked
        .iter()
        .filter(|id| !stored_ids.contains(*id))
        .collect();
    eprintln!(
        "kill -9 on {}: {} acknowledged, {} stored, {} lost",
        backend().name(),
        acked.len(),
        stored.len(),
        lost.len()
    );
    assert!(lost.is_empty(), "lost acknowledged comments: {lost:?}");
    for c in &stored {
        assert!(c.body.starts_with("comment "), "half-written row {c:?}");
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish_then_exits_cleanly() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let (db_url, settings) = prepared_database(dir.path(), "calm").await;
    let port = free_port();
    let mut server = start(&db_url, port);
    majlis::webhooks::install_crypto_provider();
    let client = reqwest::Client::new();
    wait_ready(&client, &server.base).await;

    // A submission whose body is still arriving when SIGTERM comes.
    let body = json!({
        "name": "Reader", "email": "late@example.com", "title": "Still typing",
        "body": "sent in two halves around the shutdown", "accept_terms": true
    })
    .to_string();
    let (first, second) = body.as_bytes().split_at(body.len() / 2);
    let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let head = format!(
        "POST /api/v1/sites/calm/articles/a/comments HTTP/1.1\r\nHost: x\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(first).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let pid = i32::try_from(server.child.id()).unwrap();
    // SAFETY: sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "majlis exited with a request in flight"
    );

    conn.write_all(second).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(10), conn.read_to_string(&mut answer))
        .await
        .expect("the answer to the request in flight")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");

    // Then it exits by itself, well within server.shutdown_timeout_secs.
    let stopping = std::time::Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            stopping.elapsed() < Duration::from_secs(10),
            "majlis did not exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status:?}");
    eprintln!(
        "SIGTERM on {}: the request in flight got its 202; {status}, {:?} after it",
        backend().name(),
        stopping.elapsed()
    );

    // The comment it acknowledged is stored.
    let stored = pending_in(&settings, "calm").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].email, "late@example.com");
}

/// The pending comments of a site, read straight from the database.
async fn pending_in(
    settings: &majlis::config::Settings,
    site: &str,
) -> Vec<majlis::storage::QueueItem> {
    let store = majlis::storage::Store::connect(&settings.database)
        .await
        .unwrap();
    let stored = store
        .queue(
            site,
            majlis::domain::CommentStatus::Pending,
            majlis::storage::Order::Oldest,
            10_000,
            None,
        )
        .await
        .unwrap();
    store.close().await;
    stored
}
