//! A real browser for end-to-end tests: Debian's Chromium, driven by ChromeDriver over the W3C
//! WebDriver protocol (JSON over HTTP, spoken here with reqwest). Only what the tests use:
//! sessions, navigation, finding and clicking elements, typing and pressing keys, running
//! scripts, window sizes and screenshots.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// Where Debian puts them.
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The WebDriver key for Tab, Enter, Shift (from the W3C specification).
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";

/// A running ChromeDriver; stopped when dropped.
pub struct Driver {
    child: Child,
    pub url: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Driver {
    /// Starts ChromeDriver, or says why it cannot (no Chromium or ChromeDriver here).
    pub async fn start() -> Result<Driver, String> {
        for p in [CHROMIUM, CHROMEDRIVER] {
            if !Path::new(p).exists() {
                return Err(format!("{p} is not installed (Debian packages chromium and chromium-driver)"));
            }
        }
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting chromedriver: {e}"))?;
        let url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().map_err(|e| e.to_string())?;
        let driver = Driver { child, url, http };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = driver.http.get(format!("{}/status", driver.url)).send().await
                && r.status().is_success()
            {
                return Ok(driver);
            }
            if Instant::now() > deadline {
                return Err("chromedriver did not start within 20 s".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A new headless browser with a fresh profile, `width` × `height` pixels.
    pub async fn session(&self, width: u32, height: u32) -> Browser {
        let profile = tempfile::tempdir().expect("a profile folder");
        let args = json!([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            format!("--user-data-dir={}", profile.path().display()),
            format!("--window-size={width},{height}"),
            "--lang=en-GB",
        ]);
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            "timeouts": {"script": 30000, "pageLoad": 60000, "implicit": 0},
        }}});
        let r: Value = self
            .http
            .post(format!("{}/session", self.url))
            .json(&caps)
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("a JSON answer");
        let id = r["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {r}")).to_string();
        Browser { base: format!("{}/session/{id}", self.url), http: self.http.clone(), _profile: profile }
    }
}

/// One browser window.
pub struct Browser {
    base: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

/// An element of the page, by its WebDriver reference.
#[derive(Clone, Debug)]
pub struct Element(String);

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.map_err(|e| e.to_string())?;
        let status = r.status();
        let v: Value = r.json().await.map_err(|e| e.to_string())?;
        if status.is_success() {
            Ok(v["value"].clone())
        } else {
            Err(format!("{path}: {} {}", v["value"]["error"], v["value"]["message"]))
        }
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await.unwrap_or_else(|e| panic!("WebDriver: {e}"))
    }

    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await.unwrap_or_else(|e| panic!("WebDriver: {e}"))
    }

    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({"url": url})).await;
    }

    pub async fn url(&self) -> String {
        self.get("/url").await.as_str().unwrap_or_default().to_string()
    }

    /// The first element matching a CSS selector, waiting up to 10 s for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(e) = self.try_find(css).await {
                return e;
            }
            assert!(Instant::now() < deadline, "no element {css:?} on {}", self.url().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn try_find(&self, css: &str) -> Option<Element> {
        let v = self
            .call(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css})))
            .await
            .ok()?;
        v[ELEMENT_KEY].as_str().map(|s| Element(s.to_string()))
    }

    /// The first link whose text contains `text`.
    pub async fn find_link(&self, text: &str) -> Element {
        let v = self.post("/element", json!({"using": "partial link text", "value": text})).await;
        Element(v[ELEMENT_KEY].as_str().unwrap_or_else(|| panic!("no link {text:?}")).to_string())
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        let v = self.post("/elements", json!({"using": "css selector", "value": css})).await;
        v.as_array()
            .map(|a| a.iter().filter_map(|e| e[ELEMENT_KEY].as_str().map(|s| Element(s.to_string()))).collect())
            .unwrap_or_default()
    }

    pub async fn click(&self, e: &Element) {
        self.post(&format!("/element/{}/click", e.0), json!({})).await;
    }

    /// Clicks the first element matching `css`.
    pub async fn click_on(&self, css: &str) {
        let e = self.find(css).await;
        self.click(&e).await;
    }

    pub async fn type_into(&self, e: &Element, text: &str) {
        self.post(&format!("/element/{}/value", e.0), json!({"text": text})).await;
    }

    pub async fn clear(&self, e: &Element) {
        self.post(&format!("/element/{}/clear", e.0), json!({})).await;
    }

    /// Types into the field matching `css`, replacing what was there.
    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.clear(&e).await;
        self.type_into(&e, text).await;
    }

    pub async fn text(&self, e: &Element) -> String {
        self.get(&format!("/element/{}/text", e.0)).await.as_str().unwrap_or_default().to_string()
    }

    pub async fn attribute(&self, e: &Element, name: &str) -> Option<String> {
        self.get(&format!("/element/{}/attribute/{name}", e.0)).await.as_str().map(str::to_string)
    }

    /// The visible text of the first element matching `css`.
    pub async fn text_of(&self, css: &str) -> String {
        let e = self.find(css).await;
        self.text(&e).await
    }

    /// Waits (up to 10 s) until the first element matching `css` contains `needle`, and returns
    /// its text: after a click that loads a page, the old page may still be there for a moment.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(e) = self.try_find(css).await
                && let Ok(v) = self.call(reqwest::Method::GET, &format!("/element/{}/text", e.0), None).await
                && let Some(t) = v.as_str()
                && t.contains(needle)
            {
                return t.to_string();
            }
            if Instant::now() > deadline {
                let now = self.try_find(css).await;
                let text = match now {
                    Some(e) => self.text(&e).await,
                    None => "(none)".into(),
                };
                panic!("{css} on {} never contained {needle:?}; it says {text:?}", self.url().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Keys pressed on whatever has the focus (as a person at a keyboard).
    pub async fn keys(&self, keys: &str) {
        let mut actions = Vec::new();
        for k in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": k.to_string()}));
            actions.push(json!({"type": "keyUp", "value": k.to_string()}));
        }
        self.post("/actions", json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})).await;
        self.call(reqwest::Method::DELETE, "/actions", None).await.ok();
    }

    /// The focused element's `id`, `name`, `value` and tag, for keyboard tests.
    pub async fn focused(&self) -> Value {
        self.script(
            "const e = document.activeElement; return {id: e.id, name: e.getAttribute('name'), \
             value: e.value === undefined ? null : e.value, tag: e.tagName.toLowerCase(), \
             text: (e.textContent || '').trim().slice(0, 80), href: e.getAttribute('href')};",
            json!([]),
        )
        .await
    }

    pub async fn script(&self, body: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({"script": body, "args": args})).await
    }

    pub async fn script_async(&self, body: &str, args: Value) -> Value {
        self.post("/execute/async", json!({"script": body, "args": args})).await
    }

    pub async fn set_size(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({"width": width, "height": height})).await;
    }

    /// A PNG of the whole page (not only the window), written to `path`.
    pub async fn screenshot(&self, path: &Path) {
        // Make the window as tall as the page, so the picture shows all of it.
        let size = self.script("return [window.innerWidth, document.documentElement.scrollHeight];", json!([])).await;
        let rect = self.get("/window/rect").await;
        let (w, h) = (rect["width"].as_u64().unwrap_or(1280), size[1].as_u64().unwrap_or(1000).min(6000));
        self.post("/window/rect", json!({"width": w, "height": h + 120})).await;
        let png = self.get("/screenshot").await;
        self.post("/window/rect", json!({"width": w, "height": rect["height"]})).await;
        let bytes =
            base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap_or_default()).expect("base64 PNG");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("a folder for screenshots");
        }
        std::fs::write(path, bytes).expect("the screenshot is written");
    }

    /// Ends the session (the browser closes).
    pub async fn quit(self) {
        self.call(reqwest::Method::DELETE, "", None).await.ok();
    }
}

/// Where the end-to-end tests put screenshots: `<target>/e2e-artifacts`.
pub fn artifacts_dir(target_tmp: &str) -> PathBuf {
    Path::new(target_tmp).parent().map_or_else(|| PathBuf::from(target_tmp), Path::to_path_buf).join("e2e-artifacts")
}
