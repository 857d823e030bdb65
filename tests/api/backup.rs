//! `majlis backup` under a submission load and `majlis restore` into an
//! empty database: every comment acknowledged before the backup started is
//! in the copy. On PostgreSQL `majlis backup` refuses with the pointer to
//! `pg_dump`.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use majlis::storage::Backend;
use serde_json::{Value, json};
use tokio::sync::{Mutex, Notify};

use crate::helpers::{backend, spawn_app_with, test_settings};

fn majlis(args: &[&str], db_url: &str, file: &Path) -> std::process::Output {
    crate::helpers::majlis_cli(db_url)
        .args(args)
        .arg(file)
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_backup_under_load_restores_every_comment_acknowledged_before_it() {
    // The load comes from one address on one network: no per-network cap.
    let app = spawn_app_with(|s| s.spam.max_per_hour_per_network = 0).await;
    app.add_open_site("news").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("majlis-backup.db");

    if backend() == Backend::Postgres {
        let out = majlis(&["backup", "--output"], &app.db_url, &file);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("pg_dump"), "{err}");
        assert!(!file.exists());
        return;
    }

    // Four writers post until told to stop.
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let progress = Arc::new(Notify::new());
    let mut writers = Vec::new();
    for w in 0..4 {
        let (client, base) = (app.client.clone(), app.address.clone());
        let (acked, stop, progress) = (acked.clone(), stop.clone(), progress.clone());
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Acquire) {
                i += 1;
                let body = json!({
                    "name": "Writer", "email": format!("b{w}-{i}@example.com"),
                    "title": "Backup load", "accept_terms": true,
                    "body": format!("comment {w}-{i} written while a backup runs"),
                });
                let resp = client
                    .post(format!(
                        "{base}/api/v1/sites/news/articles/a{}/comments",
                        i % 7
                    ))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                // While the backup holds the database a writer may be told to come back
                // (503 with Retry-After): that comment was not acknowledged.
                if resp.status() == 503 {
                    continue;
                }
                assert_eq!(resp.status(), 202);
                let v: Value = resp.json().await.unwrap();
                acked
                    .lock()
                    .await
                    .push(v["id"].as_str().unwrap().to_string());
                progress.notify_one();
            }
        }));
    }
    // The backup starts once 200 comments are acknowledged, writers going on.
    loop {
        if acked.lock().await.len() >= 200 {
            break;
        }
        progress.notified().await;
    }
    let before = acked.lock().await.clone();
    let (url, out_file) = (app.db_url.clone(), file.clone());
    let out = tokio::task::spawn_blocking(move || majlis(&["backup", "--output"], &url, &out_file))
        .await
        .unwrap();
    stop.store(true, Ordering::Release);
    for w in writers {
        w.await.unwrap();
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("checked"), "{said}");

    // A second backup to the same file is refused: nothing is overwritten.
    let again = majlis(&["backup", "--output"], &app.db_url, &file);
    assert!(!again.status.success());

    // Restore into a new, empty database and look for every comment.
    let restored_url = format!("sqlite://{}/restored.db", dir.path().display());
    let out = majlis(&["restore"], &restored_url, &file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = majlis::storage::Store::connect(&test_settings(&restored_url).database)
        .await
        .unwrap();
    let mut missing = Vec::new();
    for id in &before {
        if store.comment("news", id).await.unwrap().is_none() {
            missing.push(id.clone());
        }
    }
    store.close().await;
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged comments missing from the backup",
        missing.len(),
        before.len()
    );

    // Restoring over a database that holds comments is refused.
    let out = majlis(&["restore"], &app.db_url, &file);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
}
