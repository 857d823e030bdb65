//! The benchmarks' seeding: what `seed_articles` and `seed_thread` store is
//! what readers and moderators then see.

use crate::helpers::{site, spawn_app};

#[tokio::test]
async fn seeded_articles_have_their_published_and_pending_comments() {
    let app = spawn_app().await;
    app.add_site(site("seeded")).await;
    let now = majlis::service::now_ms();
    app.store
        .seed_articles("seeded", "a-", 2, 3, 2, now)
        .await
        .unwrap();
    for article in ["a-1", "a-2"] {
        let list = app.published("seeded", article).await;
        assert_eq!(list["comments"].as_array().unwrap().len(), 3, "{list}");
    }
    let key = app.api_key("seeded", "moderator").await;
    let queue = app.queue(&key, "seeded", "pending").await;
    assert_eq!(queue["items"].as_array().unwrap().len(), 4, "{queue}");
    let stamped = app
        .scalar(
            "SELECT COUNT(*) FROM comments WHERE site_key = 'seeded' AND updated_at = created_at \
             AND ((status = 'published' AND published_at = created_at) \
               OR (status = 'pending' AND published_at IS NULL)) \
             AND thread_id IS NULL AND parent_id IS NULL",
        )
        .await;
    assert_eq!(stamped, Some(10));
}

#[tokio::test]
async fn a_seeded_thread_has_its_replies_under_its_top_level_comments() {
    let app = spawn_app().await;
    app.add_site(site("seeded")).await;
    let now = majlis::service::now_ms();
    let ids = app
        .store
        .seed_thread("seeded", "long", 2, 4, now)
        .await
        .unwrap();
    assert_eq!(ids.len(), 6);
    let list = app.published("seeded", "long").await;
    let comments = list["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2, "{list}");
    let in_threads = app
        .scalar(
            "SELECT COUNT(*) FROM comments WHERE site_key = 'seeded' AND status = 'published' \
             AND thread_id IS NOT NULL AND published_at = created_at",
        )
        .await;
    assert_eq!(in_threads, Some(4));
    // The fourth reply answers the second, the others their thread.
    let answering_a_reply = app
        .scalar(
            "SELECT COUNT(*) FROM comments WHERE site_key = 'seeded' AND parent_id <> thread_id",
        )
        .await;
    assert_eq!(answering_a_reply, Some(1));
}
