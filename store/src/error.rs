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
    Database(#[from] sea_orm::DbErr),
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
