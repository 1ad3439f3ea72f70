//! Registre's store: the catalogue kept in SQLite (default, embedded) or PostgreSQL, behind
//! functions that take and return domain types. Every write is versioned and audited in the same
//! transaction as the change itself.

mod aggregate;
mod attestations;
mod audit;
mod citations;
mod codec;
mod entities;
mod error;
pub mod events;
mod export;
pub mod import;
mod offers;
mod page;
pub mod refresh;
mod stamps;
mod suppliers;
mod tokens;

use registre_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

pub use aggregate::Written;
pub use attestations::AttestationFilter;
pub use audit::AuditEvent;
pub use citations::Citation;
pub use error::StoreError;
pub use export::{CatalogueSlice, IndexEvent};
pub use offers::{OfferContext, OfferFilter};
pub use page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, PageRequest};
pub use stamps::{RecordStamp, StampRange};
pub use suppliers::SupplierFilter;
pub use tokens::IssuedToken;

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    /// Sources with a run in progress in this process (see `refresh::SourceLock`).
    running: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

impl Store {
    /// Connects and brings the schema up to date. `url` is `sqlite://PATH?mode=rwc` or `postgres://...`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let mut options = ConnectOptions::new(url.to_owned());
        options.sqlx_logging(false);
        if url.starts_with("sqlite:") {
            // One writer at a time is SQLite's rule; a small pool avoids long lock waits.
            options.max_connections(4);
        } else {
            options.max_connections(16);
        }
        let db = Database::connect(options).await?;
        if db.get_database_backend() == DbBackend::Sqlite {
            // WAL lets readers go on while a write is in progress; foreign keys are off by default in SQLite.
            db.execute_unprepared("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;")
                .await?;
        }
        Migrator::up(&db, None).await?;
        Ok(Self {
            db,
            running: Default::default(),
        })
    }

    /// Whether the database answers; used by `/readyz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await.map_err(StoreError::from)
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await.map_err(StoreError::from)
    }
}
