//! The `registre` process: wires the store, the API (and, as they land, search and pages) into one
//! server. Tests start it exactly as `main` does, on port 0.

pub mod settings;

use std::future::Future;
use std::time::Duration;

use anyhow::Context;
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use poem::middleware::Tracing;
use poem::{EndpointExt, Server};
use registre_store::Store;
use registre_store::import::ImportReport;

pub use settings::{Settings, SettingsArgs};

/// The dataset shipped with Registre (see `dataset/README.md`), loaded into an empty database.
pub const BUNDLED_DATASET: &str = include_str!("../dataset/registre.jsonl");

pub struct Application {
    acceptor: TcpAcceptor,
    port: u16,
    store: Store,
}

impl Application {
    /// Connects the store (migrating it), fills an empty one, makes sure an admin token exists, and
    /// binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let store = open_store(&settings).await?;
        if settings.load_bundled_dataset
            && store
                .list_suppliers(&Default::default(), Default::default())
                .await?
                .items
                .is_empty()
        {
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
        ensure_admin_token(&store, settings.admin_token.as_deref()).await?;
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
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish (up to 10 s).
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        let app = registre_api::routes(self.store.clone()).with(Tracing);
        Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(app, shutdown, Some(Duration::from_secs(10)))
            .await?;
        self.store.close().await?;
        Ok(())
    }
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
