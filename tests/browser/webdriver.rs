//! Headless Chromium through chromedriver, driven with `fantoccini` (a
//! maintained W3C WebDriver client): one chromedriver and one fresh profile
//! per browser, plus the bounded waits the tests share.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::ElementRef;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
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

/// A chromedriver process on a free port, killed on drop.
struct Driver {
    process: Child,
    url: String,
}

impl Driver {
    fn start() -> Driver {
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
        Driver {
            process,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

pub struct Browser {
    client: Client,
    // Dropped after the client: the profile outlives the browser using it.
    _driver: Driver,
    _profile: tempfile::TempDir,
}

pub type Element = fantoccini::elements::Element;

impl Browser {
    /// A fresh headless Chromium; `javascript: false` turns scripts off.
    pub async fn launch(javascript: bool, width: u32, height: u32) -> Browser {
        let driver = Driver::start();
        let profile = tempfile::tempdir().unwrap();
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
            format!("--user-data-dir={}", profile.path().display()),
        ];
        if !javascript {
            args.push("--blink-settings=scriptEnabled=false".into());
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({"binary": CHROMIUM, "args": args}),
        );
        // chromedriver takes a moment to listen: connect until it answers.
        let deadline = Instant::now() + PATIENCE;
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&driver.url)
                .await
            {
                Ok(c) => break c,
                Err(e) => {
                    assert!(Instant::now() < deadline, "no browser session: {e}");
                    tokio::time::sleep(POLL).await;
                }
            }
        };
        Browser {
            client,
            _driver: driver,
            _profile: profile,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Run a synchronous script; `arguments[i]` are `args`.
    pub async fn exec(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Run an asynchronous script: its last argument is the callback that
    /// returns the value (WebDriver "execute async script").
    pub async fn exec_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute_async(script, args)
            .await
            .unwrap_or_else(|e| panic!("async script failed: {e}"))
    }

    /// An element returned by a script (reaches into shadow roots).
    pub async fn element_by_script(&self, script: &str) -> Element {
        let v = self.exec(script, vec![]).await;
        let id = v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element from {script}: {v}"));
        Element::from_element_id(self.client.clone(), ElementRef::from(id.to_string()))
    }

    /// The first element matching `css`, waiting (bounded) for it to appear:
    /// after a click the next page may still be on its way.
    pub async fn find(&self, css: &str) -> Element {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(e) => return e,
                Err(e) if Instant::now() >= deadline => {
                    panic!("no element {css} within {PATIENCE:?}: {e}")
                }
                Err(_) => tokio::time::sleep(POLL).await,
            }
        }
    }

    /// Whether an element matches `css` right now (no waiting).
    pub async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Wait (bounded) until the current URL satisfies `pred`; returns it.
    pub async fn wait_for_url(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(url) = self.client.current_url().await
                && pred(url.as_str())
            {
                return url.to_string();
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(POLL).await;
        }
    }

    /// Switch into the iframe `el`.
    pub async fn enter_frame(&self, el: &Element) {
        el.enter_frame().await.unwrap();
    }

    /// Back to the parent of the current frame.
    pub async fn leave_frame(&self) {
        self.client.enter_parent_frame().await.unwrap();
    }

    pub async fn type_into(&self, el: &Element, text: &str) {
        el.send_keys(text).await.unwrap();
    }

    pub async fn click(&self, el: &Element) {
        el.click().await.unwrap();
    }

    /// Press keys on whatever has focus (WebDriver actions), e.g. "a" or
    /// "\u{E007}" for Enter.
    pub async fn press(&self, keys: &str) {
        let mut actions = KeyActions::new("keyboard".into());
        for value in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value });
        }
        self.client.perform_actions(actions).await.unwrap();
    }

    pub async fn attribute(&self, el: &Element, name: &str) -> Option<String> {
        el.attr(name).await.unwrap()
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
        let body = self.client.find(Locator::Css("body")).await.ok()?;
        body.text().await.ok()
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
                .client
                .execute(script, vec![])
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
        let png = self.client.screenshot().await.unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
