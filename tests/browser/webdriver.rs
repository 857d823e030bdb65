//! A small W3C WebDriver client over reqwest, enough to drive headless
//! Chromium through chromedriver: sessions, navigation, script execution,
//! element clicks and keys, screenshots.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long any wait for the browser may take before the test fails: long
/// enough for a busy machine, and only ever spent when something is wrong.
const PATIENCE: Duration = Duration::from_secs(30);
/// Interval between two looks at a condition.
const POLL: Duration = Duration::from_millis(50);

/// Whether the browser tests can run here. When `MAJLIS_REQUIRE_BROWSER=1`
/// (set by `.ci/run`) a missing browser is a failure, otherwise a loud skip.
pub fn available(test: &str) -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        if std::env::var("MAJLIS_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("{test}: chromium and chromium-driver are required (MAJLIS_REQUIRE_BROWSER=1)");
        }
        eprintln!("SKIPPED {test}: install chromium and chromium-driver to run the browser tests");
    }
    present
}

pub struct Driver {
    process: Child,
    base: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

pub struct Browser {
    driver: Driver,
    session: String,
}

#[derive(Clone, Debug)]
pub struct Element(String);

impl Driver {
    pub async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        // reqwest's TLS needs a process-wide rustls provider (majlis uses ring).
        majlis::webhooks::install_crypto_provider();
        let http = reqwest::Client::new();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(r) = http.get(format!("{base}/status")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver never answered");
            tokio::time::sleep(POLL).await;
        }
        Driver {
            process,
            base,
            http,
            _profile: tempfile::tempdir().unwrap(),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Browser {
    /// A fresh headless Chromium; `javascript: false` turns scripts off.
    pub async fn launch(javascript: bool, width: u32, height: u32) -> Browser {
        let driver = Driver::start().await;
        let mut args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-dev-shm-usage".into(),
            "--lang=ar".into(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", driver._profile.path().display()),
        ];
        if !javascript {
            args.push("--blink-settings=scriptEnabled=false".into());
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args}
        }}});
        let r: Value = driver
            .http
            .post(format!("{}/session", driver.base))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {r}"))
            .to_string();
        Browser { driver, session }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        match self.try_call(method, path, body).await {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    async fn try_call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let url = format!("{}/session/{}{}", self.driver.base, self.session, path);
        let mut req = self.driver.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        } else {
            req = req.json(&json!({}));
        }
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        if let Some(err) = v["value"]["error"].as_str() {
            return Err(format!(
                "webdriver {path}: {err}: {}",
                v["value"]["message"]
            ));
        }
        Ok(v["value"].clone())
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    /// Run a synchronous script; `arguments[i]` are `args`.
    pub async fn exec(&self, script: &str, args: Vec<Value>) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// An element returned by a script (reaches into shadow roots).
    pub async fn element_by_script(&self, script: &str) -> Element {
        let v = self.exec(script, vec![]).await;
        Element(
            v[ELEMENT]
                .as_str()
                .unwrap_or_else(|| panic!("no element from {script}: {v}"))
                .to_string(),
        )
    }

    /// The first element matching `css`, waiting (bounded) for it to appear:
    /// after a click the next page may still be on its way.
    pub async fn find(&self, css: &str) -> Element {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let found = self
                .try_call(
                    reqwest::Method::POST,
                    "/element",
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await;
            match found {
                Ok(v) if v[ELEMENT].is_string() => {
                    return Element(v[ELEMENT].as_str().unwrap_or_default().to_string());
                }
                Ok(_) | Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(POLL).await;
                }
                other => panic!("no element {css} within {PATIENCE:?}: {other:?}"),
            }
        }
    }

    /// Whether an element matches `css` right now (no waiting).
    pub async fn has(&self, css: &str) -> bool {
        self.try_call(
            reqwest::Method::POST,
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        )
        .await
        .is_ok_and(|v| v[ELEMENT].is_string())
    }

    /// Wait (bounded) until the current URL satisfies `pred`; returns it.
    pub async fn wait_for_url(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(v) = self.try_call(reqwest::Method::GET, "/url", None).await
                && let Some(url) = v.as_str()
                && pred(url)
            {
                return url.to_string();
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(POLL).await;
        }
    }

    /// Switch into the iframe `el` (WebDriver "switch to frame").
    pub async fn enter_frame(&self, el: &Element) {
        self.call(
            reqwest::Method::POST,
            "/frame",
            Some(json!({"id": {ELEMENT: el.0}})),
        )
        .await;
    }

    pub async fn type_into(&self, el: &Element, text: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/value", el.0),
            Some(json!({"text": text})),
        )
        .await;
    }

    pub async fn click(&self, el: &Element) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/click", el.0),
            None,
        )
        .await;
    }

    /// Press keys on whatever has focus (WebDriver actions), e.g. "a" or
    /// "\u{E007}" for Enter.
    pub async fn press(&self, keys: &str) {
        let mut actions = Vec::new();
        for k in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": k.to_string()}));
            actions.push(json!({"type": "keyUp", "value": k.to_string()}));
        }
        self.call(
            reqwest::Method::POST,
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )
        .await;
    }

    pub async fn attribute(&self, el: &Element, name: &str) -> Option<String> {
        let v = self
            .call(
                reqwest::Method::GET,
                &format!("/element/{}/attribute/{name}", el.0),
                None,
            )
            .await;
        v.as_str().map(str::to_string)
    }

    /// The visible text of the page as it is now. A page still navigating
    /// (after a form post) replaces its body under our feet: read again then.
    pub async fn page_text(&self) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(text) = self.try_page_text().await {
                return text;
            }
            assert!(Instant::now() < deadline, "the page never settled");
            tokio::time::sleep(POLL).await;
        }
    }

    async fn try_page_text(&self) -> Option<String> {
        let body = self
            .try_call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": "body"})),
            )
            .await
            .ok()?;
        let id = body[ELEMENT].as_str()?;
        let v = self
            .try_call(reqwest::Method::GET, &format!("/element/{id}/text"), None)
            .await
            .ok()?;
        Some(v.as_str().unwrap_or_default().to_string())
    }

    /// Wait (bounded) until the page's visible text contains `needle`, and
    /// return that text: the page we expect, not the one we left.
    pub async fn wait_for_text(&self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        let mut last = String::new();
        loop {
            if let Some(text) = self.try_page_text().await {
                if text.contains(needle) {
                    return text;
                }
                last = text;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?} on the page; it shows: {last}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Poll a script until it returns something truthy (bounded). A script
    /// that fails because the page is being replaced counts as not yet.
    pub async fn wait_for(&self, script: &str, what: &str) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let v = self
                .try_call(
                    reqwest::Method::POST,
                    "/execute/sync",
                    Some(json!({"script": script, "args": []})),
                )
                .await
                .unwrap_or(Value::Null);
            let truthy = match &v {
                Value::Null | Value::Bool(false) => false,
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return v;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(POLL).await;
        }
    }

    /// Save a PNG screenshot under `screenshots/` (not committed).
    pub async fn screenshot(&self, name: &str) {
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    pub async fn close(self) {
        let url = format!("{}/session/{}", self.driver.base, self.session);
        let _ = self.driver.http.delete(url).send().await;
    }
}
