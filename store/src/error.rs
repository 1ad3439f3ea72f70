//! What can go wrong in the store, in terms a caller can act on.

use registre_domain::model::ValidationError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// The caller's copy is stale: someone changed the record since.
    #[error("{entity} {id} is at version {current}, not {expected}")]
    VersionMismatch {
        entity: &'static str,
        id: i64,
        expected: i32,
        current: i32,
    },
    /// The value is taken by another record (a key, a SIREN, a decision).
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    /// The same thing was written twice (two identical requests at once, or again after the first):
    /// a unique index or a check refused the second. A conflict the caller can act on, not a failure.
    #[error("{message}")]
    Duplicate {
        field: Option<String>,
        message: String,
    },
    /// The record cannot go while others depend on it.
    #[error("{entity} {id} still has {dependents}")]
    HasDependents {
        entity: &'static str,
        id: i64,
        dependents: String,
    },
    /// A reference to another record that does not exist or does not fit.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// Stored content that no longer parses: a bug or a manual edit, never the caller's fault.
    #[error("stored {entity} {id} is unreadable: {message}")]
    Corrupt {
        entity: &'static str,
        id: i64,
        message: String,
    },
    #[error("database error: {0}")]
    Database(sea_orm::DbErr),
}

impl From<sea_orm::DbErr> for StoreError {
    /// A unique-index violation is a duplicate on SQLite and PostgreSQL alike (both are classified
    /// by sea-orm); any other database error stays one.
    fn from(error: sea_orm::DbErr) -> Self {
        match error.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(detail)) => {
                tracing::info!(%detail, "a unique index refused a duplicate write");
                Self::Duplicate {
                    field: None,
                    message: "the same record was written at the same time by another request"
                        .to_owned(),
                }
            }
            _ => Self::Database(error),
        }
    }
}

impl StoreError {
    pub(crate) fn corrupt(entity: &'static str, id: i64, message: impl ToString) -> Self {
        Self::Corrupt {
            entity,
            id,
            message: message.to_string(),
        }
    }
}
