use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use majlis::auth::{generate_api_key, hash_api_key};
use majlis::config::Settings;
use majlis::domain::{Lang, ModerationMode, Site, SiteKey, new_id};
use majlis::startup::{Application, Hooks};
use majlis::storage::{ApiKeyRecord, Backend, Store};
use serde_json::{Value, json};

static READER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

/// Which database the suite runs on.
pub fn backend() -> Backend {
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub store: Store,
    pub db_url: String,
    answers: Arc<Mutex<HashMap<String, String>>>,
    issued: Arc<Mutex<Vec<(String, String)>>>,
    _dir: tempfile::TempDir,
    _db: Arc<DropDatabase>,
}

/// Drops a test's PostgreSQL database when the last instance on it is gone,
/// so a long run of the suite does not fill the disk with test databases.
pub struct DropDatabase {
    db_url: String,
}

impl Drop for DropDatabase {
    fn drop(&mut self) {
        let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
            return;
        };
        let Some((_, name)) = self.db_url.rsplit_once('/') else {
            return;
        };
        if base.is_empty() || !name.starts_with("majlis_test_") {
            return;
        }
        let name = name.to_string();
        // A thread of its own: Drop runs inside the test's runtime, which
        // cannot be blocked on from within.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                let admin = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .connect(&base)
                    .await?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&admin)
                .await?;
                admin.close().await;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        });
        // Best effort: a database left behind is dropped by `.ci/run`.
        let _ = dropped.join();
    }
}

/// A fresh database URL: a temp SQLite file, or a new PostgreSQL database.
pub async fn fresh_database(dir: &std::path::Path) -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            let name = format!("majlis_test_{}", new_id());
            let admin = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(&base)
                .await
                .expect("TEST_DATABASE_URL must reach PostgreSQL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&admin)
                .await
                .unwrap();
            admin.close().await;
            let (prefix, _) = base.rsplit_once('/').unwrap();
            format!("{prefix}/{name}")
        }
        _ => format!("sqlite://{}/majlis.db", dir.display()),
    }
}

pub fn test_settings(db_url: &str) -> Settings {
    let toml = format!(
        r#"
        [server]
        port = 0
        workers = 2
        [database]
        url = "{db_url}"
        max_connections = 4
        # A busy test machine may keep a request waiting for the one SQLite
        # writer longer than production's 1.5 s: tests check behaviour, not
        # latency. The fault tests set production's bound themselves.
        acquire_timeout_ms = 30000
        [captcha]
        pool_size = 4
        max_per_minute_per_ip = 0
        # Tests answer a code the moment it is issued; the fill-time trap has
        # its own tests, which turn it on and back-date the code.
        min_fill_secs = 0
        [api]
        rate_limit_per_minute = 0
        [spam]
        max_codes_per_minute_per_network = 0
        # Tests solve puzzles in a debug build: keep them small.
        pow_base_maxnumber = 1000
        [log]
        level = "warn"
        "#
    );
    Settings::from_toml_over_defaults(&toml).unwrap()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db_url = fresh_database(dir.path()).await;
    let db = Arc::new(DropDatabase {
        db_url: db_url.clone(),
    });
    spawn_app_on(db, dir, tweak).await
}

/// Another majlis process on the database of `other` (PostgreSQL only:
/// SQLite is the single-process embedded backend).
pub async fn spawn_second_instance(other: &TestApp) -> TestApp {
    spawn_app_on(other._db.clone(), tempfile::tempdir().unwrap(), |_| {}).await
}

/// Another majlis process on the database of `other`, with tweaked settings.
pub async fn spawn_second_instance_with(
    other: &TestApp,
    tweak: impl FnOnce(&mut Settings),
) -> TestApp {
    spawn_app_on(other._db.clone(), tempfile::tempdir().unwrap(), tweak).await
}

async fn spawn_app_on(
    db: Arc<DropDatabase>,
    dir: tempfile::TempDir,
    tweak: impl FnOnce(&mut Settings),
) -> TestApp {
    let db_url = db.db_url.clone();
    let mut settings = test_settings(&db_url);
    tweak(&mut settings);
    let answers: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let issued: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let sink = answers.clone();
    let order = issued.clone();
    let hooks = Hooks {
        captcha_issued: Some(Arc::new(move |id: &str, answer: &str| {
            sink.lock()
                .unwrap()
                .insert(id.to_string(), answer.to_string());
            order
                .lock()
                .unwrap()
                .push((id.to_string(), answer.to_string()));
        })),
    };
    let app = Application::build_with(settings, hooks).await.unwrap();
    let port = app.port();
    let store = app.store().clone();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .pool_idle_timeout(CLIENT_IDLE)
        .build()
        .unwrap();
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client,
        store,
        db_url,
        answers,
        issued,
        _dir: dir,
        _db: db,
    }
}

/// Eight words picked for reader `n` from a list of forty: every reader's
/// comment has its own wording, so no two look like near-duplicates
/// (the spam signals compare 5-letter shingles across addresses).
pub fn own_words(n: usize) -> String {
    const WORDS: [&str; 40] = [
        "الاقتصاد",
        "السياسة",
        "التعليم",
        "المستشفيات",
        "الرياضة",
        "الثقافة",
        "البيئة",
        "الزراعة",
        "الصناعة",
        "السياحة",
        "الطاقة",
        "المياه",
        "الإسكان",
        "المواصلات",
        "الشباب",
        "المتقاعدين",
        "الضرائب",
        "الموازنة",
        "البلديات",
        "الانتخابات",
        "القضاء",
        "الإعلام",
        "الجامعات",
        "المدارس",
        "الأسعار",
        "الرواتب",
        "التجارة",
        "الصادرات",
        "الكهرباء",
        "الطرقات",
        "الحدائق",
        "المكتبات",
        "المسارح",
        "الموانئ",
        "المطارات",
        "الأسواق",
        "المصارف",
        "النقابات",
        "الجمعيات",
        "المتاحف",
    ];
    let mut z = n as u64;
    (0..8)
        .map(|_| {
            // splitmix64: a different, well-spread pick per word.
            z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            WORDS[((x ^ (x >> 31)) % 40) as usize]
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn site(key: &str) -> Site {
    Site {
        key: SiteKey::parse(key).unwrap(),
        name: format!("Site {key}"),
        allowed_origins: vec!["https://news.example".into()],
        default_lang: Lang::Ar,
        moderation_mode: ModerationMode::Pre,
        max_body_chars: 2000,
        terms_url: "https://news.example/terms".into(),
        terms_version: "3".into(),
        captcha: majlis::domain::CaptchaMode::Always,
        spam_threshold: majlis::moderation::spam::DEFAULT_SPAM_THRESHOLD,
        auto_close_days: None,
        rules_text: Default::default(),
        likes: false,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn add_site(&self, site: Site) {
        self.store
            .insert_site(&site, majlis::service::now_ms())
            .await
            .unwrap();
    }

    /// A site that takes comments without a security code and without the
    /// per-address hourly cap (every writer of a test is one address).
    pub async fn add_open_site(&self, key: &str) {
        let mut s = site(key);
        s.captcha = majlis::domain::CaptchaMode::Off;
        self.add_site(s).await;
        let mut policy = majlis::moderation::PolicyConfig::seed();
        policy.rate.max_per_hour_ip = 0;
        self.store
            .save_site_policy(key, &serde_json::to_string(&policy).unwrap(), 0, 1)
            .await
            .unwrap();
    }

    /// A plain GET, with `If-None-Match` when `etag` is given.
    pub async fn get_with_etag(&self, path: &str, etag: Option<&str>) -> reqwest::Response {
        let mut req = self.client.get(self.url(path));
        if let Some(tag) = etag {
            req = req.header("If-None-Match", tag);
        }
        req.send().await.unwrap()
    }

    /// A new API key for a site, as `majlis apikey create` makes one.
    pub async fn api_key(&self, site: &str, role: &str) -> String {
        let secret = generate_api_key();
        let record = ApiKeyRecord {
            id: new_id(),
            site_key: site.into(),
            role: role.into(),
            label: "test".into(),
            created_at: majlis::service::now_ms(),
            revoked_at: None,
        };
        self.store
            .insert_api_key(&record, &hash_api_key(&secret))
            .await
            .unwrap();
        secret
    }

    /// Issue a captcha for `site` and return (id, answer) as a reader would read it.
    pub async fn solve_captcha(&self, site: &str) -> (String, String) {
        let resp = self
            .client
            .get(self.url(&format!("/api/v1/captcha?site={site}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.unwrap();
        let id = body["id"].as_str().unwrap().to_string();
        let answer = self.answers.lock().unwrap().get(&id).cloned().unwrap();
        (id, answer)
    }

    /// The answer of an issued security code.
    pub fn answer(&self, id: &str) -> String {
        self.answers.lock().unwrap().get(id).cloned().unwrap()
    }

    /// The (id, answer) of the most recently issued security code, as a
    /// reader looking at the page would read it.
    pub fn latest_captcha(&self) -> Option<(String, String)> {
        self.issued.lock().unwrap().last().cloned()
    }

    /// A valid submission for a site without a security code.
    pub fn valid_comment_without_captcha(&self) -> Value {
        let n = READER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        json!({
            "name": "قارئ",
            "email": format!("reader{n}@example.com"),
            "title": "تعليق قصير",
            "body": format!("تعليق يكتبه قارئ رقم {n} {} عن الخبر.", own_words(n)),
            "accept_terms": true,
        })
    }

    /// A valid submission with a solved captcha, from a new reader each time
    /// (its own email and wording, so the rate and duplicate rules stay quiet).
    pub async fn valid_comment(&self, site: &str) -> Value {
        let (id, answer) = self.solve_captcha(site).await;
        let n = READER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        json!({
            "name": "أحمد",
            "email": format!("reader{n}@example.com"),
            "title": "رأي في المقال",
            "body": format!("مقال ممتاز: {}. {n}", own_words(n)),
            "accept_terms": true,
            "captcha_id": id,
            "captcha_answer": answer,
        })
    }

    pub async fn post_comment(&self, site: &str, article: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/v1/sites/{site}/articles/{article}/comments")))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_comment_lang(
        &self,
        site: &str,
        article: &str,
        body: &Value,
        lang: &str,
    ) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/v1/sites/{site}/articles/{article}/comments")))
            .header("Accept-Language", lang)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Submit a valid comment and return its id.
    pub async fn submit(&self, site: &str, article: &str) -> String {
        let body = self.valid_comment(site).await;
        let resp = self.post_comment(site, article, &body).await;
        assert_eq!(resp.status(), 202);
        let v: Value = resp.json().await.unwrap();
        v["id"].as_str().unwrap().to_string()
    }

    pub async fn published(&self, site: &str, article: &str) -> Value {
        let resp = self
            .client
            .get(self.url(&format!("/api/v1/sites/{site}/articles/{article}/comments")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    }

    pub async fn decide(
        &self,
        key: &str,
        site: &str,
        id: &str,
        action: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(self.url(&format!("/api/v1/sites/{site}/comments/{id}/{action}")))
            .bearer_auth(key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    pub async fn queue(&self, key: &str, site: &str, status: &str) -> Value {
        let resp = self
            .client
            .get(self.url(&format!(
                "/api/v1/sites/{site}/moderation/queue?status={status}"
            )))
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    }

    /// GET with an API key, as JSON.
    pub async fn get_json(&self, key: &str, path: &str) -> Value {
        self.client
            .get(self.url(path))
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// `GET /metrics` as a loopback scraper sees it.
    pub async fn metrics(&self) -> String {
        let resp = self.client.get(self.url("/metrics")).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        resp.text().await.unwrap()
    }

    /// Every comment stored for a site, whatever its status.
    pub async fn stored(&self, site: &str) -> Vec<majlis::storage::QueueItem> {
        let mut all = Vec::new();
        for status in majlis::domain::CommentStatus::ALL {
            all.extend(
                self.store
                    .queue(site, status, majlis::storage::Order::Oldest, 1000, None)
                    .await
                    .unwrap(),
            );
        }
        all
    }

    /// Number of comments stored for a site, whatever their status.
    pub async fn stored_count(&self, site: &str) -> usize {
        self.stored(site).await.len()
    }
}

impl TestApp {
    /// Run one statement directly on the test database (to back-date rows).
    pub async fn exec(&self, sql: &str) {
        sqlx::any::install_default_drivers();
        let url = if self.db_url.starts_with("sqlite://") {
            format!("{}?mode=rw", self.db_url)
        } else {
            self.db_url.clone()
        };
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }

    /// The first column of every row a query returns, as text, read
    /// directly from the test database (to look at what is stored).
    pub async fn texts(&self, sql: &str) -> Vec<String> {
        sqlx::any::install_default_drivers();
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&self.db_url)
            .await
            .unwrap();
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        rows
    }
}

impl TestApp {
    /// The first column of the first row of a query on the test database
    /// (an integer), if there is a row.
    pub async fn scalar(&self, sql: &str) -> Option<i64> {
        sqlx::any::install_default_drivers();
        let url = if self.db_url.starts_with("sqlite://") {
            format!("{}?mode=ro", self.db_url)
        } else {
            self.db_url.clone()
        };
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap();
        let v: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_optional(&pool)
            .await
            .unwrap();
        pool.close().await;
        v
    }
}

/// The value of the first `name="csrf"` hidden field of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_string()
}

/// A browser-like client signed in to the dashboard.
pub struct Dashboard {
    pub client: reqwest::Client,
    pub address: String,
    pub csrf: String,
}

pub fn browser_client() -> reqwest::Client {
    majlis::webhooks::install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .pool_idle_timeout(CLIENT_IDLE)
        .build()
        .unwrap()
}

/// majlis closes a keep-alive connection left idle for 5 s (actix-web's
/// default). The tests' clients forget idle connections sooner, so a request
/// is never sent on a connection the server is closing at that very moment
/// (it would fail as `IncompleteMessage` without reaching majlis).
const CLIENT_IDLE: std::time::Duration = std::time::Duration::from_secs(2);

impl TestApp {
    /// A root key of the admin API, as `majlis rootkey create` makes one.
    pub async fn root_key(&self) -> String {
        majlis::service::create_root_key(
            &self.store,
            &majlis::domain::Actor::Cli,
            "tests",
            majlis::service::now_ms(),
        )
        .await
        .unwrap()
        .1
    }

    /// An account as `majlis moderator add` makes one; returns its id.
    pub async fn create_moderator(
        &self,
        email: &str,
        role: &str,
        sites: &[&str],
        password: &str,
    ) -> String {
        let record = majlis::storage::ModeratorRecord {
            id: new_id(),
            email: email.to_string(),
            role: role.to_string(),
            password_hash: majlis::auth::password::hash_password(password)
                .await
                .unwrap(),
            lang: "en".into(),
            disabled_at: None,
            sites: sites.iter().map(|s| s.to_string()).collect(),
            created_at: majlis::service::now_ms(),
        };
        self.store.insert_moderator(&record).await.unwrap();
        record.id
    }

    /// POST the login form from a client that first loaded it.
    pub async fn try_login(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        let page = client
            .get(self.url("/dashboard/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        client
            .post(self.url("/dashboard/login"))
            .form(&[
                ("csrf", csrf_of(&page).as_str()),
                ("email", email),
                ("password", password),
            ])
            .send()
            .await
            .unwrap()
    }

    /// Sign in and return the signed-in client with its session's CSRF token.
    pub async fn login(&self, email: &str, password: &str) -> Dashboard {
        let client = browser_client();
        let resp = self.try_login(&client, email, password).await;
        assert_eq!(resp.status(), 303, "login of {email} failed");
        let page = client
            .get(self.url("/dashboard"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        Dashboard {
            client,
            address: self.address.clone(),
            csrf: csrf_of(&page),
        }
    }
}

impl Dashboard {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap()
    }

    pub async fn page(&self, path: &str) -> String {
        let resp = self.get(path).await;
        assert_eq!(resp.status(), 200, "GET {path}");
        resp.text().await.unwrap()
    }

    /// POST a dashboard form with this session's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.post_with(path, fields, "text/html").await
    }

    /// POST a dashboard form, asking for a JSON answer (as the page script
    /// does): errors then carry their stable code.
    pub async fn post_for_json(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.post_with(path, fields, "application/json").await
    }

    async fn post_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        accept: &str,
    ) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.client
            .post(format!("{}{path}", self.address))
            .header("Accept", accept)
            .form(&form)
            .send()
            .await
            .unwrap()
    }
}

/// The `majlis` binary as a CLI on the database at `db_url`: no demo site, errors only in its
/// log, and the 30 s connection wait of [`test_settings`] (a busy machine keeps the one SQLite
/// writer longer than production's bound).
pub fn majlis_cli(db_url: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_majlis"));
    cmd.env("MAJLIS__DATABASE__URL", db_url)
        .env("MAJLIS__DATABASE__ACQUIRE_TIMEOUT_MS", "30000")
        .env("MAJLIS__DEMO__ENABLED", "false")
        .env("MAJLIS__LOG__LEVEL", "error");
    cmd
}
