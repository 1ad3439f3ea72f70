//! Admin API tokens. Only a SHA-256 hash is kept: a token is 256 random bits, so a fast hash is
//! enough to make a stolen table useless, and checking stays cheap on every request.

use chrono::Utc;
use rand::RngCore;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use sha2::{Digest, Sha256};

use crate::Store;
use crate::entities::api_token;
use crate::error::StoreError;

/// A token as handed out once; the store keeps only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub name: String,
    pub secret: String,
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

impl Store {
    pub async fn has_tokens(&self) -> Result<bool, StoreError> {
        Ok(api_token::Entity::find().count(&self.db).await? > 0)
    }

    /// Registers `secret` (e.g. from `REGISTRE_ADMIN_TOKEN`) under `name`, unless it is already known.
    pub async fn register_token(&self, name: &str, secret: &str) -> Result<(), StoreError> {
        let digest = hash(secret);
        let known = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(digest.as_str()))
            .one(&self.db)
            .await?;
        if known.is_none() {
            let row = api_token::ActiveModel {
                id: NotSet,
                name: Set(name.to_owned()),
                token_hash: Set(digest),
                created_at: Set(Utc::now()),
                revoked_at: Set(None),
            };
            api_token::Entity::insert(row).exec(&self.db).await?;
        }
        Ok(())
    }

    /// Creates a new random token; the caller shows the secret once.
    pub async fn issue_token(&self, name: &str) -> Result<IssuedToken, StoreError> {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret = format!("rgt_{}", hex::encode(bytes));
        self.register_token(name, &secret).await?;
        Ok(IssuedToken {
            name: name.to_owned(),
            secret,
        })
    }

    /// The name of the live token matching `secret`, if any: the actor recorded in the audit trail.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<String>, StoreError> {
        let row = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(hash(secret)))
            .filter(api_token::Column::RevokedAt.is_null())
            .one(&self.db)
            .await?;
        Ok(row.map(|token| format!("token:{}", token.name)))
    }
}
