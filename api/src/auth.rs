//! Admin authentication: a bearer token checked against the stored hashes; its name is the actor
//! written in the audit trail.

use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;
use registre_store::Store;

use crate::problem::ApiError;

/// An admin token, sent as `Authorization: Bearer <token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer")]
pub struct AdminToken(Bearer);

impl AdminToken {
    /// The actor behind the token, or 401 when no live token matches.
    pub async fn actor(&self, store: &Store) -> Result<String, ApiError> {
        match store.authenticate(&self.0.token).await? {
            Some(actor) => Ok(actor),
            None => Err(ApiError::unauthorized(
                "invalid_token",
                "this bearer token is not a live admin token",
            )),
        }
    }
}
