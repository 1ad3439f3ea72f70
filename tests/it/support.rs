//! Test support: a real database per test (SQLite file or PostgreSQL database), the real
//! application on port 0, and a client that speaks to it over HTTP.

use std::time::Duration;

use registre::{Application, Settings};
use registre_store::Store;
use sea_orm::{ConnectionTrait, Database};

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A database that exists for one test and is dropped after it.
pub struct TestDatabase {
    pub url: String,
    pub dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop runs outside async code; a short-lived runtime on its own thread does the cleanup.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                runtime.block_on(async {
                    let admin = Database::connect(&admin_url).await.ok()?;
                    admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await
                        .ok()?;
                    admin.close().await.ok()
                })
            })
            .join();
        }
    }
}

/// `None` when PostgreSQL tests are knowingly skipped (`REGISTRE_TEST_SKIP_POSTGRES=1`).
pub async fn database(engine: Engine) -> Option<TestDatabase> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    match engine {
        Engine::Sqlite => Some(TestDatabase {
            url: format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("registre.db").display()
            ),
            dir,
            postgres: None,
        }),
        Engine::Postgres => {
            let Ok(admin_url) = std::env::var("REGISTRE_TEST_POSTGRES_URL") else {
                if std::env::var("REGISTRE_TEST_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
                    eprintln!("PostgreSQL test skipped (REGISTRE_TEST_SKIP_POSTGRES=1)");
                    return None;
                }
                panic!(
                    "PostgreSQL tests need REGISTRE_TEST_POSTGRES_URL (the README's test command sets it); \
                     set REGISTRE_TEST_SKIP_POSTGRES=1 to skip them knowingly"
                );
            };
            let name = format!("registre_test_{:016x}", rand::random::<u64>());
            let admin = Database::connect(&admin_url)
                .await
                .expect("the PostgreSQL server answers");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("a test database can be created");
            admin.close().await.ok();
            let url = match admin_url.rsplit_once('/') {
                Some((server, _)) => format!("{server}/{name}"),
                None => panic!("REGISTRE_TEST_POSTGRES_URL must end with a database name"),
            };
            Some(TestDatabase {
                url,
                dir,
                postgres: Some((admin_url, name)),
            })
        }
    }
}

pub async fn store(engine: Engine) -> Option<(Store, TestDatabase)> {
    let db = database(engine).await?;
    let store = Store::connect(&db.url)
        .await
        .expect("the store opens and migrates");
    Some((store, db))
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Store,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    _db: TestDatabase,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET answers")
    }

    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("a JSON body")
    }

    pub fn admin(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(ADMIN_TOKEN)
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

/// Starts the real application; `seeded` loads the bundled dataset as on a first start.
pub async fn spawn_app(engine: Engine, seeded: bool) -> Option<TestApp> {
    spawn_app_with_sources(engine, seeded, vec![]).await
}

/// Starts the real application with its official sources pointed at `sources` (local servers).
pub async fn spawn_app_with_sources(
    engine: Engine,
    seeded: bool,
    sources: Vec<registre_indexer::sources::contract::SourceConfig>,
) -> Option<TestApp> {
    // reqwest is built without a default TLS provider: every process installs ring once.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = database(engine).await?;
    let settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: db.dir.path().to_path_buf(),
        database_url: db.url.clone(),
        admin_token: Some(ADMIN_TOKEN.to_owned()),
        load_bundled_dataset: seeded,
        sources: registre::SourcesSetting::Explicit(sources),
        schedule_sources: false,
        public_url: "http://127.0.0.1".to_owned(),
    };
    let app = Application::build(settings)
        .await
        .expect("the application starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let store = app.store().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        app.run_until(async {
            let _ = stopped.await;
        })
        .await
        .expect("the server runs");
    });
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client");
    Some(TestApp {
        base,
        client,
        store,
        stop: Some(stop),
        server: Some(server),
        _db: db,
    })
}

/// Declares a test that runs once on SQLite and once on PostgreSQL: `on_both_engines!(name, ...)`
/// expects `async fn name(engine: Engine)` in the same module.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn on_sqlite() {
                    super::$name($crate::support::Engine::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn on_postgres() {
                    super::$name($crate::support::Engine::Postgres).await
                }
            }
        )*
    };
}

/// A minimal valid supplier body.
pub fn supplier_body(name: &str) -> serde_json::Value {
    serde_json::json!({"legal_name": name, "country": "FR"})
}

/// A local HTTP server answering every request with `body` after `delay`: an official source
/// stand-in for the application's real reqwest client.
pub struct FixtureServer {
    pub url: String,
    body: std::sync::Arc<std::sync::Mutex<(Vec<u8>, Duration)>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl FixtureServer {
    pub async fn start(body: Vec<u8>) -> Self {
        use poem::listener::{Acceptor, Listener, TcpListener};
        let state = std::sync::Arc::new(std::sync::Mutex::new((body, Duration::ZERO)));
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .unwrap();
        let port = acceptor.local_addr()[0].as_socket_addr().unwrap().port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shared = state.clone();
        let endpoint = poem::endpoint::make(move |_| {
            let shared = shared.clone();
            async move {
                let (body, delay) = shared.lock().unwrap().clone();
                tokio::time::sleep(delay).await;
                poem::Response::builder()
                    .header("content-type", "application/pdf")
                    .body(body)
            }
        });
        tokio::spawn(async move {
            poem::Server::new_with_acceptor(acceptor)
                .run_with_graceful_shutdown(
                    endpoint,
                    async {
                        let _ = stopped.await;
                    },
                    None,
                )
                .await
                .ok();
        });
        Self {
            url: format!("http://127.0.0.1:{port}/catalogue.pdf"),
            body: state,
            _stop: stop,
        }
    }

    pub fn serve(&self, body: Vec<u8>, delay: Duration) {
        *self.body.lock().unwrap() = (body, delay);
    }
}
