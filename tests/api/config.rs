use majlis::config::Settings;
use majlis::storage::{Backend, Store};

#[test]
fn every_file_in_config_loads() {
    // The checkout the test runs in (cargo sets it at run time), not the one
    // the binary was compiled in: a shared target dir may hold a binary built
    // from another clone.
    let root =
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
    let dir = std::path::Path::new(&root).join("config");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            Settings::load(Some(&path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            seen += 1;
        }
    }
    assert!(seen >= 2);
}

#[test]
fn unknown_keys_stop_majlis_at_start() {
    let err = Settings::from_toml_over_defaults("[server]\nprot = 8080\n").unwrap_err();
    assert!(err.to_string().contains("prot"), "{err}");
    assert!(
        Settings::from_toml_over_defaults("[database]\nsqlite_synchronous = \"off\"\n").is_err()
    );
}

#[test]
fn both_backends_have_the_same_migration_versions() {
    let sqlite = Store::migration_versions(Backend::Sqlite);
    let postgres = Store::migration_versions(Backend::Postgres);
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_the_database_created_on_first_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/data/majlis.db");
    let settings = crate::helpers::test_settings(&format!("sqlite://{}", path.display()));
    let store = Store::connect(&settings.database).await.unwrap();
    store.migrate().await.unwrap();
    store
        .insert_site(&crate::helpers::site("walcheck"), 1)
        .await
        .unwrap();
    assert!(path.exists());
    assert!(dir.path().join("nested/data/majlis.db-wal").exists());
    assert!(store.ready().await.unwrap());
}

#[tokio::test]
async fn issuing_a_security_code_or_liking_leaves_the_writer_fully_synchronous() {
    let dir = tempfile::tempdir().unwrap();
    let settings =
        crate::helpers::test_settings(&format!("sqlite://{}/m.db", dir.path().display()));
    let store = Store::connect(&settings.database).await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.writer_synchronous().await.unwrap(), Some(2));
    let challenge = majlis::storage::ChallengeRecord {
        id: "c1".into(),
        site_key: "s".into(),
        answer_hash: "00".into(),
        expires_at: i64::MAX,
        issued_at: 1,
    };
    store
        .insert_challenge(&challenge, b"png", None)
        .await
        .unwrap();
    // The code's own commit skipped the disk wait; every later commit does not.
    assert_eq!(store.writer_synchronous().await.unwrap(), Some(2));
    assert!(store.take_challenge("c1").await.unwrap().is_some());
    // So does a like's (here of no comment), and the writer is restored.
    assert_eq!(
        store.like("s", "nope", "h", 1).await.unwrap(),
        majlis::storage::LikeOutcome::NotFound
    );
    assert_eq!(store.writer_synchronous().await.unwrap(), Some(2));
}
