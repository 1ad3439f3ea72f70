//! The audit trail: every write leaves who, when, and the record before and after.

use chrono::{DateTime, Utc};
use registre_domain::model::Record;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use crate::Store;
use crate::codec::to_json;
use crate::entities::audit_event;
use crate::error::StoreError;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// `create`, `update` or `delete`.
    pub action: String,
    pub entity: String,
    pub entity_id: i64,
    pub entity_key: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Appends one event. For a delete, `after` is the removed record and is stored as `before` only.
pub(crate) async fn append<T: Serialize>(
    txn: &DatabaseTransaction,
    actor: &str,
    action: &str,
    entity: &str,
    record: &Record<T>,
    before: Option<&Record<T>>,
) -> Result<(), StoreError> {
    let after = (action != "delete").then(|| to_json(&record.data));
    let event = audit_event::ActiveModel {
        id: NotSet,
        at: Set(Utc::now()),
        actor: Set(actor.to_owned()),
        action: Set(action.to_owned()),
        entity: Set(entity.to_owned()),
        entity_id: Set(record.id),
        entity_key: Set(record.key.to_string()),
        before: Set(before.map(|b| to_json(&b.data))),
        after: Set(after),
    };
    audit_event::Entity::insert(event).exec(txn).await?;
    Ok(())
}

impl Store {
    /// The history of one record, oldest first.
    pub async fn audit_trail(
        &self,
        entity: &str,
        entity_id: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::Entity.eq(entity))
            .filter(audit_event::Column::EntityId.eq(entity_id))
            .order_by_asc(audit_event::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| AuditEvent {
                id: row.id,
                at: row.at,
                actor: row.actor,
                action: row.action,
                entity: row.entity,
                entity_id: row.entity_id,
                entity_key: row.entity_key,
                before: row.before.and_then(|text| serde_json::from_str(&text).ok()),
                after: row.after.and_then(|text| serde_json::from_str(&text).ok()),
            })
            .collect())
    }
}
