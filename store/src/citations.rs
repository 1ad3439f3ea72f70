//! Citations: the references (documents, pages, repositories, official editions) that records cite.

use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::Store;
use crate::aggregate::Written;
use crate::entities::citation;
use crate::error::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    pub key: String,
    pub kind: String,
    pub title: String,
    pub locator: Option<String>,
    pub version: Option<String>,
    pub supports: Option<String>,
}

fn from_row(row: citation::Model) -> Citation {
    Citation {
        key: row.key,
        kind: row.kind,
        title: row.title,
        locator: row.locator,
        version: row.version,
        supports: row.supports,
    }
}

pub(crate) async fn upsert(
    db: &impl ConnectionTrait,
    citation: &Citation,
) -> Result<Written, StoreError> {
    let current = citation::Entity::find_by_id(citation.key.clone())
        .one(db)
        .await?
        .map(from_row);
    let row = citation::ActiveModel {
        key: Set(citation.key.clone()),
        kind: Set(citation.kind.clone()),
        title: Set(citation.title.clone()),
        locator: Set(citation.locator.clone()),
        version: Set(citation.version.clone()),
        supports: Set(citation.supports.clone()),
    };
    match current {
        Some(existing) if existing == *citation => Ok(Written::Unchanged),
        Some(_) => {
            citation::Entity::update(row).exec(db).await?;
            Ok(Written::Updated)
        }
        None => {
            citation::Entity::insert(row).exec(db).await?;
            Ok(Written::Created)
        }
    }
}

impl Store {
    pub async fn citations(&self) -> Result<Vec<Citation>, StoreError> {
        Ok(citation::Entity::find()
            .order_by_asc(citation::Column::Key)
            .all(&self.db)
            .await?
            .into_iter()
            .map(from_row)
            .collect())
    }
}
