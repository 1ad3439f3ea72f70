//! The write path shared by suppliers, offers and attestations: validate, check links, write with
//! optimistic concurrency, audit — all in one transaction.

use std::future::Future;

use chrono::Utc;
use registre_domain::model::{Key, Record, ValidationError};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, TransactionTrait,
};
use serde::Serialize;

use crate::audit;
use crate::codec::new_record;
use crate::error::StoreError;

/// What a write did; imports report these counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Created,
    Updated,
    Unchanged,
}

type ActiveOf<A> = <<A as Aggregate>::Entity as EntityTrait>::ActiveModel;
type ModelOf<A> = <<A as Aggregate>::Entity as EntityTrait>::Model;
type ColumnOf<A> = <<A as Aggregate>::Entity as EntityTrait>::Column;

/// A kind of record the store writes: how it maps to its table and what must hold around it.
pub(crate) trait Aggregate:
    Serialize + Clone + PartialEq + Send + Sync + Sized + 'static
{
    const ENTITY: &'static str;
    type Entity: EntityTrait;

    fn id_column() -> ColumnOf<Self>;
    fn key_column() -> ColumnOf<Self>;
    fn version_column() -> ColumnOf<Self>;

    /// The rules of the record alone (the domain's `validate`).
    fn validate(&self) -> Result<(), ValidationError>;
    /// The name a key is derived from when the caller gives none.
    fn display_name(&self) -> &str;
    fn to_row(record: &Record<Self>) -> ActiveOf<Self>;
    fn from_row(
        txn: &DatabaseTransaction,
        row: ModelOf<Self>,
    ) -> impl Future<Output = Result<Record<Self>, StoreError>> + Send;
    /// Links to other records exist and fit; unique values are free. `id` is the record's own, if any.
    fn check_links(
        &self,
        txn: &DatabaseTransaction,
        id: Option<i64>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Writes what lives outside the row (offers: their alternatives).
    fn after_write(
        _txn: &DatabaseTransaction,
        _record: &Record<Self>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        async { Ok(()) }
    }
    /// A description of the records that would be orphaned by deleting this one.
    fn dependents(
        txn: &DatabaseTransaction,
        id: i64,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
}

pub(crate) async fn load<A: Aggregate>(
    txn: &DatabaseTransaction,
    id: i64,
) -> Result<Option<Record<A>>, StoreError>
where
    ModelOf<A>: Send + Sync,
{
    match A::Entity::find()
        .filter(A::id_column().eq(id))
        .one(txn)
        .await?
    {
        Some(row) => Ok(Some(A::from_row(txn, row).await?)),
        None => Ok(None),
    }
}

pub(crate) async fn load_by_key<A: Aggregate>(
    txn: &DatabaseTransaction,
    key: &Key,
) -> Result<Option<Record<A>>, StoreError>
where
    ModelOf<A>: Send + Sync,
{
    match A::Entity::find()
        .filter(A::key_column().eq(key.as_str()))
        .one(txn)
        .await?
    {
        Some(row) => Ok(Some(A::from_row(txn, row).await?)),
        None => Ok(None),
    }
}

async fn key_taken<A: Aggregate>(txn: &DatabaseTransaction, key: &str) -> Result<bool, StoreError> {
    Ok(A::Entity::find()
        .filter(A::key_column().eq(key))
        .one(txn)
        .await?
        .is_some())
}

/// The given key if free, or a key derived from the record's name with a numeric suffix if needed.
async fn choose_key<A: Aggregate>(
    txn: &DatabaseTransaction,
    key: Option<Key>,
    data: &A,
) -> Result<Key, StoreError> {
    if let Some(key) = key {
        if key_taken::<A>(txn, key.as_str()).await? {
            return Err(StoreError::Conflict {
                field: "key".into(),
                message: format!("another {} already has key '{key}'", A::ENTITY),
            });
        }
        return Ok(key);
    }
    let base = Key::from_name(data.display_name());
    let mut candidate = base.clone();
    let mut suffix = 2;
    while key_taken::<A>(txn, candidate.as_str()).await? {
        candidate = Key::parse(&format!("{base}-{suffix}")).map_err(StoreError::Invalid)?;
        suffix += 1;
    }
    Ok(candidate)
}

pub(crate) async fn create<A: Aggregate>(
    db: &DatabaseConnection,
    key: Option<Key>,
    data: A,
    actor: &str,
) -> Result<Record<A>, StoreError>
where
    ModelOf<A>: Send + Sync,
    ActiveOf<A>: ActiveModelTrait<Entity = A::Entity> + Send,
{
    data.validate()?;
    let txn = db.begin().await?;
    let record = create_in(&txn, key, data, actor).await?;
    txn.commit().await?;
    Ok(record)
}

pub(crate) async fn create_in<A: Aggregate>(
    txn: &DatabaseTransaction,
    key: Option<Key>,
    data: A,
    actor: &str,
) -> Result<Record<A>, StoreError>
where
    ModelOf<A>: Send + Sync,
    ActiveOf<A>: ActiveModelTrait<Entity = A::Entity> + Send,
{
    let key = choose_key(txn, key, &data).await?;
    data.check_links(txn, None).await?;
    let record = new_record(key.clone(), data);
    A::Entity::insert(A::to_row(&record)).exec(txn).await?;
    let mut stored = load_by_key::<A>(txn, &key)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: A::ENTITY,
            id: key.to_string(),
        })?;
    // The row is re-read for its id; what was written is exactly `record` otherwise.
    stored.data = record.data;
    A::after_write(txn, &stored).await?;
    audit::append(txn, actor, "create", A::ENTITY, &stored, None).await?;
    Ok(stored)
}

pub(crate) async fn update<A: Aggregate>(
    db: &DatabaseConnection,
    id: i64,
    expected_version: Option<i32>,
    data: A,
    actor: &str,
) -> Result<(Record<A>, Written), StoreError>
where
    ModelOf<A>: Send + Sync,
    ActiveOf<A>: ActiveModelTrait<Entity = A::Entity> + Send,
{
    data.validate()?;
    let txn = db.begin().await?;
    let current = load::<A>(&txn, id)
        .await?
        .ok_or_else(|| not_found::<A>(id))?;
    let result = update_in(&txn, current, expected_version, data, actor).await?;
    txn.commit().await?;
    Ok(result)
}

pub(crate) async fn update_in<A: Aggregate>(
    txn: &DatabaseTransaction,
    current: Record<A>,
    expected_version: Option<i32>,
    data: A,
    actor: &str,
) -> Result<(Record<A>, Written), StoreError>
where
    ModelOf<A>: Send + Sync,
    ActiveOf<A>: ActiveModelTrait<Entity = A::Entity> + Send,
{
    let expected = expected_version.unwrap_or(current.version);
    if current.version != expected {
        return Err(StoreError::VersionMismatch {
            entity: A::ENTITY,
            id: current.id,
            expected,
            current: current.version,
        });
    }
    if current.data == data {
        return Ok((current, Written::Unchanged));
    }
    data.check_links(txn, Some(current.id)).await?;
    let record = Record {
        version: current.version + 1,
        updated_at: Utc::now(),
        data,
        ..current.clone()
    };
    let result = A::Entity::update_many()
        .set(A::to_row(&record))
        .filter(A::id_column().eq(record.id))
        .filter(A::version_column().eq(expected))
        .exec(txn)
        .await?;
    if result.rows_affected == 0 {
        // Someone wrote between our read and our write.
        return Err(StoreError::VersionMismatch {
            entity: A::ENTITY,
            id: record.id,
            expected,
            current: expected + 1,
        });
    }
    A::after_write(txn, &record).await?;
    audit::append(txn, actor, "update", A::ENTITY, &record, Some(&current)).await?;
    Ok((record, Written::Updated))
}

/// Creates the record under `key`, or brings the existing one to `data`; no write when nothing changed.
pub(crate) async fn upsert_by_key<A: Aggregate>(
    txn: &DatabaseTransaction,
    key: Key,
    data: A,
    actor: &str,
) -> Result<(Record<A>, Written), StoreError>
where
    ModelOf<A>: Send + Sync,
    ActiveOf<A>: ActiveModelTrait<Entity = A::Entity> + Send,
{
    data.validate()?;
    match load_by_key::<A>(txn, &key).await? {
        Some(current) => update_in(txn, current, None, data, actor).await,
        None => Ok((
            create_in(txn, Some(key), data, actor).await?,
            Written::Created,
        )),
    }
}

pub(crate) async fn delete<A: Aggregate>(
    db: &DatabaseConnection,
    id: i64,
    expected_version: Option<i32>,
    actor: &str,
) -> Result<(), StoreError>
where
    ModelOf<A>: Send + Sync,
{
    let txn = db.begin().await?;
    let current = load::<A>(&txn, id)
        .await?
        .ok_or_else(|| not_found::<A>(id))?;
    if let Some(expected) = expected_version
        && expected != current.version
    {
        return Err(StoreError::VersionMismatch {
            entity: A::ENTITY,
            id,
            expected,
            current: current.version,
        });
    }
    if let Some(dependents) = A::dependents(&txn, id).await? {
        return Err(StoreError::HasDependents {
            entity: A::ENTITY,
            id,
            dependents,
        });
    }
    A::Entity::delete_many()
        .filter(A::id_column().eq(id))
        .filter(A::version_column().eq(current.version))
        .exec(&txn)
        .await?;
    audit::append(&txn, actor, "delete", A::ENTITY, &current, Some(&current)).await?;
    txn.commit().await?;
    Ok(())
}

pub(crate) fn not_found<A: Aggregate>(id: i64) -> StoreError {
    StoreError::NotFound {
        entity: A::ENTITY,
        id: id.to_string(),
    }
}
