//! The browser harness: Debian's chromedriver on a free port, one headless Chromium session for the
//! whole run, and what scenarios need (open a page, read it, click, type, press keys), full-page
//! screenshots and axe-core.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Debian's packages `chromium` and `chromium-driver`; `./scripts/test` installs them when missing.
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The folder the run writes its screenshots into (README, "Tests").
pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots")
}

/// The browser and its driver, or `None` when the browser tests are knowingly skipped
/// (`REGISTRE_TEST_SKIP_BROWSER=1`). Missing otherwise, the test fails: a browser test that passes
/// without a browser would prove nothing.
pub fn locate() -> Option<(PathBuf, PathBuf)> {
    let chromium = PathBuf::from(
        std::env::var("REGISTRE_TEST_CHROMIUM").unwrap_or_else(|_| CHROMIUM.to_owned()),
    );
    let chromedriver = PathBuf::from(
        std::env::var("REGISTRE_TEST_CHROMEDRIVER").unwrap_or_else(|_| CHROMEDRIVER.to_owned()),
    );
    let missing: Vec<String> = [&chromium, &chromedriver]
        .into_iter()
        .filter(|path| !path.is_file())
        .map(|path| path.display().to_string())
        .collect();
    if missing.is_empty() {
        return Some((chromium, chromedriver));
    }
    if std::env::var("REGISTRE_TEST_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("browser tests skipped (REGISTRE_TEST_SKIP_BROWSER=1)");
        return None;
    }
    panic!(
        "the browser tests need Debian's chromium and chromium-driver, and {} is missing: \
         ./scripts/test installs them (apt-get install chromium chromium-driver); set \
         REGISTRE_TEST_SKIP_BROWSER=1 to skip the browser tests knowingly",
        missing.join(" and ")
    );
}

/// chromedriver, killed when dropped (also when a test panics).
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // A Chromium whose session was not closed (a panic) outlives a killed chromedriver: end the
        // browser processes it started first, by their ids.
        for pid in children_of(self.child.id()) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The processes whose parent is `parent`, read from `/proc`.
fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            // `pid (name) state ppid …`: the name may hold spaces, so read after its last ')'.
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| {
                    let ppid = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?;
                    ppid.parse::<u32>().ok()
                })
                == Some(parent)
        })
        .collect()
}

impl Driver {
    async fn start(chromedriver: &Path) -> Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", chromedriver.display()))?;
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = client
                .get(format!("{}/status", driver.url))
                .send()
                .await
                .ok()
                .filter(|r| r.status().is_success());
            if ready.is_some() {
                return Ok(driver);
            }
            if Instant::now() > deadline {
                bail!("chromedriver did not answer on {} within 20 s", driver.url);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A Chrome DevTools Protocol command sent through chromedriver (`goog/cdp/execute`): device
/// metrics for the mobile width and full-page screenshots, which WebDriver itself lacks.
#[derive(Debug)]
struct DevTools {
    method: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.method, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}

/// One browser session on the application at `base`, shared by every scenario of the run.
pub struct Browser {
    client: Client,
    base: String,
    _driver: Driver,
    _profile: tempfile::TempDir,
    downloads: tempfile::TempDir,
}

/// What the page shows of the element that has the keyboard focus.
#[derive(Debug)]
pub struct Focus {
    pub tag: String,
    pub id: String,
    pub text: String,
    pub href: String,
    /// Whether it is drawn: a focused element nobody can see fails the keyboard user.
    pub visible: bool,
}

impl Browser {
    pub async fn start(chromium: &Path, chromedriver: &Path, base: &str) -> Result<Self> {
        let driver = Driver::start(chromedriver).await?;
        let profile = tempfile::tempdir()?;
        let downloads = tempfile::tempdir()?;
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--hide-scrollbars".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({"binary": chromium, "args": args, "prefs": {
                "download.default_directory": downloads.path(),
                "download.prompt_for_download": false,
            }}),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .context("opening a Chromium session through chromedriver")?;
        let browser = Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
            _driver: driver,
            _profile: profile,
            downloads,
        };
        browser.viewport(1280, 900).await?;
        Ok(browser)
    }

    /// Ends the session (Chromium exits); chromedriver is killed when the value drops.
    pub async fn close(self) {
        let Self {
            client, _driver, ..
        } = self;
        let _ = client.close().await;
    }

    /// The page at `path` (`/recherche?q=…`) on the application.
    pub async fn open(&self, path: &str) -> Result<()> {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .with_context(|| format!("opening {path}"))
    }

    /// The current path with its query, as a reader of the address bar sees it.
    pub async fn path(&self) -> Result<String> {
        let url = self.client.current_url().await?;
        Ok(match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        })
    }

    /// Waits (up to 20 s: CI's two cores also run the other tests) for a navigation to a path that
    /// satisfies `expected`.
    pub async fn wait_for_path(
        &self,
        what: &str,
        expected: impl Fn(&str) -> bool,
    ) -> Result<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let path = self.path().await?;
            let loaded = self
                .script("return document.readyState", vec![])
                .await?
                .as_str()
                == Some("complete");
            if loaded && expected(&path) {
                return Ok(path);
            }
            if Instant::now() > deadline {
                bail!("expected to reach {what}, still on {path}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks `css` and waits (up to 20 s) for the page it loads, even at the same address (a form
    /// posted to its own URL): the current document is marked first, and a complete document
    /// without the mark is the new one.
    pub async fn click_for_new_page(&self, css: &str) -> Result<()> {
        self.script("window.registreOldPage = true", vec![]).await?;
        self.click(css).await?;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            // While the page changes, the script may find no document to run in: not loaded yet.
            let loaded = self
                .script(
                    "return document.readyState === 'complete' && !window.registreOldPage",
                    vec![],
                )
                .await
                .is_ok_and(|ready| ready == Value::Bool(true));
            if loaded {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "clicking `{css}` loaded no new page (still on {})",
                    self.path().await.unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn find(&self, css: &str) -> Result<Element> {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => Ok(element),
            Err(error) => Err(anyhow!(
                "no element matches `{css}` on {}: {error}",
                self.path().await.unwrap_or_default()
            )),
        }
    }

    /// The link whose text is `text`.
    pub async fn find_link(&self, text: &str) -> Result<Element> {
        self.client
            .find(Locator::LinkText(text))
            .await
            .with_context(|| format!("no link {text:?} on {}", "the page"))
    }

    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        Ok(self.client.find_all(Locator::Css(css)).await?)
    }

    /// The text the page shows for the first element matching `css`.
    pub async fn text(&self, css: &str) -> Result<String> {
        Ok(self.find(css).await?.text().await?)
    }

    /// The texts of every element matching `css`.
    pub async fn texts(&self, css: &str) -> Result<Vec<String>> {
        let mut texts = Vec::new();
        for element in self.find_all(css).await? {
            texts.push(element.text().await?);
        }
        Ok(texts)
    }

    pub async fn click(&self, css: &str) -> Result<()> {
        self.find(css)
            .await?
            .click()
            .await
            .with_context(|| format!("clicking `{css}`"))
    }

    pub async fn script(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        Ok(self.client.execute(script, args).await?)
    }

    /// Runs `script` with a callback as its last argument; the result is what it passes to it.
    pub async fn script_async(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        Ok(self.client.execute_async(script, args).await?)
    }

    /// `<html lang>` of the current page.
    pub async fn lang(&self) -> Result<String> {
        let lang = self
            .script("return document.documentElement.lang", vec![])
            .await?;
        Ok(lang.as_str().unwrap_or_default().to_owned())
    }

    /// Presses and releases keys on the keyboard (not on an element): what a keyboard user does.
    pub async fn keys(&self, keys: &[char]) -> Result<()> {
        let mut actions = KeyActions::new("keyboard".to_owned());
        for &key in keys {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.client.perform_actions(actions).await?;
        Ok(())
    }

    pub async fn press(&self, key: Key) -> Result<()> {
        self.keys(&[key.into()]).await
    }

    pub async fn type_text(&self, text: &str) -> Result<()> {
        self.keys(&text.chars().collect::<Vec<_>>()).await
    }

    /// The element that has the keyboard focus.
    pub async fn focus(&self) -> Result<Focus> {
        let value = self
            .script(
                "const e = document.activeElement;
                 if (!e || e === document.body) return {tag: 'body', id: '', text: '', href: '', visible: true};
                 // DSFR hides the native box of a checkbox or radio and draws its label instead.
                 const drawn = (e.type === 'checkbox' || e.type === 'radio') && e.labels && e.labels[0] ? e.labels[0] : e;
                 const r = drawn.getBoundingClientRect();
                 const s = getComputedStyle(drawn);
                 return {tag: e.tagName.toLowerCase(), id: e.id, text: (e.innerText || e.value || '').trim(),
                         href: e.getAttribute('href') || '',
                         visible: r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && s.opacity !== '0'};",
                vec![],
            )
            .await?;
        let text = |key: &str| value[key].as_str().unwrap_or_default().to_owned();
        Ok(Focus {
            tag: text("tag"),
            id: text("id"),
            text: text("text"),
            href: text("href"),
            visible: value["visible"].as_bool().unwrap_or(false),
        })
    }

    /// Presses Tab until the focused element satisfies `wanted`, at most `limit` times; the focus
    /// path must stay visible all the way.
    pub async fn tab_until(
        &self,
        what: &str,
        limit: usize,
        wanted: impl Fn(&Focus) -> bool,
    ) -> Result<Focus> {
        for _ in 0..limit {
            self.press(Key::Tab).await?;
            let focus = self.focus().await?;
            if !focus.visible {
                bail!(
                    "Tab reached an element that is not visible: <{} id={:?}> {:?}",
                    focus.tag,
                    focus.id,
                    focus.text
                );
            }
            if wanted(&focus) {
                return Ok(focus);
            }
        }
        bail!("{what} was not reached in {limit} presses of Tab")
    }

    /// Waits (up to 20 s) for a finished download whose name ends with `suffix`, and takes it out of
    /// the downloads folder.
    pub async fn downloaded(&self, suffix: &str) -> Result<Vec<u8>> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            for entry in std::fs::read_dir(self.downloads.path())? {
                let path = entry?.path();
                if path.to_string_lossy().ends_with(suffix) {
                    let bytes = std::fs::read(&path)?;
                    std::fs::remove_file(&path)?;
                    return Ok(bytes);
                }
            }
            if Instant::now() > deadline {
                bail!("no *{suffix} file was downloaded within 20 s");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The elements that stick out past the right edge of the viewport, when the page is wider than it
    /// (content that does not reflow makes a phone user scroll sideways, WCAG 1.4.10).
    pub async fn overflow(&self) -> Result<Option<String>> {
        let found = self
            .script(
                "const width = document.documentElement.clientWidth;
                 if (document.documentElement.scrollWidth <= width) return null;
                 const out = [];
                 for (const e of document.querySelectorAll('body *')) {
                   const r = e.getBoundingClientRect();
                   if (r.width > 0 && r.right > width + 0.5) {
                     let inside = false;
                     for (let p = e.parentElement; p; p = p.parentElement) {
                       const x = getComputedStyle(p).overflowX;
                       if (x === 'auto' || x === 'scroll' || x === 'hidden') { inside = true; break; }
                     }
                     if (!inside) out.push(e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).trim().split(/\\s+/).join('.') : '') + ' (' + Math.round(r.right) + ' px)');
                   }
                 }
                 return document.documentElement.scrollWidth + ' px wide for ' + width + ': ' + out.slice(0, 8).join(', ');",
                vec![],
            )
            .await?;
        Ok(found.as_str().map(str::to_owned))
    }

    async fn devtools(&self, method: &'static str, params: Value) -> Result<Value> {
        self.client
            .issue_cmd(DevTools { method, params })
            .await
            .with_context(|| format!("DevTools {method}"))
    }

    /// The layout viewport, as a device of that width (mobile below 768 px).
    pub async fn viewport(&self, width: u32, height: u32) -> Result<()> {
        self.devtools(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 768}),
        )
        .await?;
        Ok(())
    }

    /// Writes a PNG of the whole page (not only the viewport) to `file`.
    pub async fn screenshot(&self, file: &Path) -> Result<()> {
        let size = self
            .script(
                "const d = document.documentElement;
                 return [Math.max(d.scrollWidth, window.innerWidth), Math.max(d.scrollHeight, document.body.scrollHeight)];",
                vec![],
            )
            .await?;
        let (width, height) = (
            size[0].as_f64().unwrap_or(0.0),
            size[1].as_f64().unwrap_or(0.0),
        );
        let shot = self
            .devtools(
                "Page.captureScreenshot",
                json!({"format": "png", "captureBeyondViewport": true,
                       "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}}),
            )
            .await?;
        let data = shot["data"]
            .as_str()
            .context("Page.captureScreenshot returned no data")?;
        let png = base64::engine::general_purpose::STANDARD.decode(data)?;
        if let Some(folder) = file.parent() {
            std::fs::create_dir_all(folder)?;
        }
        std::fs::write(file, png).with_context(|| format!("writing {}", file.display()))
    }
}
