//! The `registre` process: wires the store, the API, search and the public pages into one
//! server. Tests start it exactly as `main` does, on port 0.

pub mod settings;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use poem::middleware::Tracing;
use poem::{EndpointExt, Route, Server};
use registre_api::{Indexer, IndexerSettings, SearchIndex};
use registre_indexer::sources::fetch::FetchPolicy;
use registre_indexer::sources::service::Sources;
use registre_store::Store;
use registre_store::import::ImportReport;

pub use settings::{Settings, SettingsArgs, SourcesSetting};

/// The dataset shipped with Registre (see `dataset/README.md`), loaded into an empty database.
pub const BUNDLED_DATASET: &str = include_str!("../dataset/registre.jsonl");

pub struct Application {
    acceptor: TcpAcceptor,
    port: u16,
    store: Store,
    /// The search index's only writer, started by `run_until`.
    indexer: Indexer,
    search: SearchIndex,
    sources: Sources,
    schedule_sources: bool,
    /// The site's public address, for the pages' absolute URLs.
    public_url: String,
    /// Where the open-data dump is published (`<data-dir>/open-data`).
    open_data: std::path::PathBuf,
}

impl Application {
    /// Connects the store (migrating it), fills an empty one, makes sure an admin token exists, and
    /// binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let store = open_store(&settings).await?;
        if settings.load_bundled_dataset {
            load_bundled_dataset_if_empty(&store).await?;
        }
        let sources = match &settings.sources {
            SourcesSetting::FromEnvironment => {
                Sources::from_env(store.clone(), FetchPolicy::default())
            }
            SourcesSetting::Explicit(configs) => {
                Sources::with_configs(store.clone(), FetchPolicy::default(), configs.clone())
            }
        }
        .map_err(|message| anyhow::anyhow!("invalid source setting: {message}"))?;
        ensure_admin_token(&store, settings.admin_token.as_deref()).await?;
        // The search index is opened, or rebuilt (first start, schema change) and brought up to date,
        // before the API serves: search never answers from a missing index. `run_until` then keeps it
        // in step with the database.
        let index_dir = settings.data_dir.join("index");
        let (mut indexer, search) = Indexer::open(store.clone(), IndexerSettings::new(&index_dir))
            .with_context(|| format!("cannot open the search index in {}", index_dir.display()))?;
        indexer
            .prepare()
            .await
            .context("cannot build the search index")?;
        let acceptor = TcpListener::bind(settings.listen)
            .into_acceptor()
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let port = acceptor
            .local_addr()
            .first()
            .and_then(|addr| addr.as_socket_addr().map(|a| a.port()))
            .context("the listener has no TCP address")?;
        Ok(Self {
            acceptor,
            port,
            store,
            indexer,
            search,
            sources,
            schedule_sources: settings.schedule_sources,
            public_url: settings.public_url.clone(),
            open_data: open_data_dir(&settings),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The search index's read handle.
    pub fn search(&self) -> &SearchIndex {
        &self.search
    }

    /// Serves (and keeps the search index in step with the database) until `shutdown` completes,
    /// then lets requests in flight finish (up to 10 s) and the indexer commit.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        let (stop_indexer, indexer_stopped) = tokio::sync::oneshot::channel::<()>();
        let indexing = tokio::spawn(self.indexer.run(async {
            let _ = indexer_stopped.await;
        }));
        let (stop_schedule, schedule_stopped) = tokio::sync::watch::channel(false);
        // The open-data dump: written at start when missing or out of date, then after every
        // source run that applied an edition.
        let dumping = tokio::spawn(registre_web::open_data::follow(
            self.store.clone(),
            self.open_data.clone(),
            self.sources.applied_runs(),
            stop_schedule.subscribe(),
        ));
        let schedule = self
            .schedule_sources
            .then(|| self.sources.spawn_schedule(schedule_stopped));
        // The API keeps its own paths and problem-document errors (`/api/...`, `/healthz`,
        // `/readyz`); every other path is a public page, with HTML error pages.
        let api = Arc::new(registre_api::routes(
            self.store.clone(),
            self.search.clone(),
            self.sources.clone(),
        ));
        let pages = registre_web::Web::new(
            self.store.clone(),
            self.search.clone(),
            self.sources.clone(),
        )
        .with_public_url(&self.public_url)
        .with_open_data(&self.open_data)
        .routes();
        let app = Route::new()
            .nest_no_strip("/api", api.clone())
            .at("/healthz", api.clone())
            .at("/readyz", api)
            .nest_no_strip("/", pages)
            .with(Tracing);
        let served = Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(app, shutdown, Some(Duration::from_secs(10)))
            .await;
        let _ = stop_indexer.send(());
        let _ = stop_schedule.send(true);
        if let Some(schedule) = schedule {
            let _ = schedule.await;
        }
        // A dump cut short leaves the published one in place; its staging files go next time.
        dumping.abort();
        let _ = dumping.await;
        match indexing.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!(%error, "the search indexer stopped with an error"),
            Err(error) => tracing::error!(%error, "the search indexer task failed"),
        }
        served?;
        self.store.close().await?;
        Ok(())
    }
}

/// The application's runtime: one worker per core and one more, so that a search may hold each
/// core's worker for its few milliseconds of work while the last one serves the network, the timers
/// and the indexer (see `registre_indexer::search::run_search_work`). Twice as many workers as
/// cores served fewer searches: at 1M documents under two HTTP clients on two cores, alternated,
/// 456, 429, 464, 477 searches/s with four workers against 446, 506, 489, 502 with three (idle
/// workers woken to look for work take the cores the searches need).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores + 1)
        .enable_all()
        .build()
}

/// Where the open-data dump is published: `<data-dir>/open-data`.
pub fn open_data_dir(settings: &Settings) -> std::path::PathBuf {
    settings.data_dir.join("open-data")
}

/// Fills an empty database from the bundled dataset (a first start).
pub async fn load_bundled_dataset_if_empty(store: &Store) -> anyhow::Result<()> {
    let empty = store
        .list_suppliers(&Default::default(), Default::default())
        .await?
        .items
        .is_empty();
    if empty {
        let report = store
            .import(BUNDLED_DATASET, "import:bundled-dataset")
            .await?;
        tracing::info!(
            changed = report.changed(),
            rejected = report.rejected.len(),
            "bundled dataset loaded"
        );
        for rejection in &report.rejected {
            tracing::warn!(line = rejection.line, field = ?rejection.field, reason = %rejection.reason, "bundled dataset row rejected");
        }
    }
    Ok(())
}

/// Creates the data directory when needed and connects to the configured database.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    if settings.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "cannot create data directory {}",
                settings.data_dir.display()
            )
        })?;
    }
    Store::connect(&settings.database_url)
        .await
        .with_context(|| {
            format!(
                "cannot open database {}",
                settings::redact(&settings.database_url)
            )
        })
}

async fn ensure_admin_token(store: &Store, configured: Option<&str>) -> anyhow::Result<()> {
    if let Some(secret) = configured {
        store.register_token("configured", secret).await?;
    } else if !store.has_tokens().await? {
        let token = store.issue_token("first-start").await?;
        // Shown once: only its hash is kept.
        println!(
            "Registre: admin token created (shown once, keep it safe): {}",
            token.secret
        );
    }
    Ok(())
}

/// Imports a dataset file into the configured database.
pub async fn import_file(
    settings: &Settings,
    path: &std::path::Path,
) -> anyhow::Result<ImportReport> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let store = open_store(settings).await?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let report = store.import(&text, &format!("import:{name}")).await?;
    store.close().await?;
    Ok(report)
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
