//! Suppliers: reads with filters and keyset pages, and the writes of the shared aggregate path.

use registre_domain::identifiers::{CountryCode, Siren};
use registre_domain::model::{Key, Record, SupplierData, ValidationError};
use registre_domain::sovereignty::assess_supplier;
use registre_domain::taxonomy::{ExposureLevel, SupplierKind, Vocabulary};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use crate::Store;
use crate::aggregate::{self, Aggregate, Written};
use crate::codec::{supplier_from_row, supplier_to_row};
use crate::entities::{attestation, offer, supplier};
use crate::error::StoreError;
use crate::page::{Batches, Page, PageRequest};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupplierFilter {
    pub country: Option<CountryCode>,
    pub siren: Option<Siren>,
    pub kind: Option<SupplierKind>,
    pub exposure: Option<ExposureLevel>,
}

impl Aggregate for SupplierData {
    const ENTITY: &'static str = "supplier";
    type Entity = supplier::Entity;

    fn id_column() -> supplier::Column {
        supplier::Column::Id
    }
    fn key_column() -> supplier::Column {
        supplier::Column::Key
    }
    fn version_column() -> supplier::Column {
        supplier::Column::Version
    }
    fn validate(&self) -> Result<(), ValidationError> {
        SupplierData::validate(self)
    }
    fn display_name(&self) -> &str {
        self.trade_names.first().unwrap_or(&self.legal_name)
    }
    fn to_row(record: &Record<Self>) -> supplier::ActiveModel {
        supplier_to_row(record)
    }
    async fn from_row(
        _txn: &DatabaseTransaction,
        row: supplier::Model,
    ) -> Result<Record<Self>, StoreError> {
        supplier_from_row(row)
    }
    async fn check_links(
        &self,
        txn: &DatabaseTransaction,
        id: Option<i64>,
    ) -> Result<(), StoreError> {
        let Some(siren) = &self.siren else {
            return Ok(());
        };
        let holder = supplier::Entity::find()
            .filter(supplier::Column::Siren.eq(siren.as_str()))
            .one(txn)
            .await?;
        match holder {
            Some(other) if Some(other.id) != id => Err(StoreError::Conflict {
                field: "siren".into(),
                message: format!(
                    "SIREN {siren} already belongs to supplier '{}' ({})",
                    other.key, other.id
                ),
            }),
            _ => Ok(()),
        }
    }
    async fn dependents(txn: &DatabaseTransaction, id: i64) -> Result<Option<String>, StoreError> {
        let offers = offer::Entity::find()
            .filter(offer::Column::SupplierId.eq(id))
            .count(txn)
            .await?;
        let attestations = attestation::Entity::find()
            .filter(attestation::Column::SupplierId.eq(id))
            .count(txn)
            .await?;
        Ok((offers + attestations > 0)
            .then(|| format!("{offers} offer(s) and {attestations} attestation(s)")))
    }
}

fn filtered(filter: &SupplierFilter) -> Select<supplier::Entity> {
    let mut query = supplier::Entity::find();
    if let Some(country) = &filter.country {
        query = query.filter(supplier::Column::Country.eq(country.as_str()));
    }
    if let Some(siren) = &filter.siren {
        query = query.filter(supplier::Column::Siren.eq(siren.as_str()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(supplier::Column::Kind.eq(kind.code()));
    }
    query
}

struct SupplierQuery<'a> {
    store: &'a Store,
    filter: &'a SupplierFilter,
}

impl Batches for SupplierQuery<'_> {
    type Row = Record<SupplierData>;

    async fn fetch(&self, after: Option<i64>, limit: u64) -> Result<Vec<Self::Row>, StoreError> {
        let mut query = filtered(self.filter);
        if let Some(after) = after {
            query = query.filter(supplier::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(supplier::Column::Id)
            .limit(limit)
            .all(&self.store.db)
            .await?;
        rows.into_iter().map(supplier_from_row).collect()
    }

    fn id(row: &Self::Row) -> i64 {
        row.id
    }
}

impl Store {
    pub async fn list_suppliers(
        &self,
        filter: &SupplierFilter,
        page: PageRequest,
    ) -> Result<Page<Record<SupplierData>>, StoreError> {
        let query = SupplierQuery {
            store: self,
            filter,
        };
        match filter.exposure {
            None => query.page(page).await,
            Some(level) => {
                query
                    .scan(page, |record| assess_supplier(record).level == level)
                    .await
            }
        }
    }

    pub async fn supplier(&self, id: i64) -> Result<Record<SupplierData>, StoreError> {
        match supplier::Entity::find_by_id(id).one(&self.db).await? {
            Some(row) => supplier_from_row(row),
            None => Err(aggregate::not_found::<SupplierData>(id)),
        }
    }

    /// The supplier with this stable key (the key URLs of the pages).
    pub async fn supplier_by_key(&self, key: &Key) -> Result<Record<SupplierData>, StoreError> {
        match supplier::Entity::find()
            .filter(supplier::Column::Key.eq(key.as_str()))
            .one(&self.db)
            .await?
        {
            Some(row) => supplier_from_row(row),
            None => Err(StoreError::NotFound {
                entity: "supplier",
                id: key.to_string(),
            }),
        }
    }

    /// Suppliers by id, for assembling offers and attestations with their holders.
    pub async fn suppliers_by_ids(
        &self,
        ids: &[i64],
    ) -> Result<Vec<Record<SupplierData>>, StoreError> {
        supplier::Entity::find()
            .filter(supplier::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(supplier_from_row)
            .collect()
    }

    pub async fn create_supplier(
        &self,
        key: Option<Key>,
        data: SupplierData,
        actor: &str,
    ) -> Result<Record<SupplierData>, StoreError> {
        aggregate::create(&self.db, key, data, actor).await
    }

    pub async fn update_supplier(
        &self,
        id: i64,
        expected_version: Option<i32>,
        data: SupplierData,
        actor: &str,
    ) -> Result<(Record<SupplierData>, Written), StoreError> {
        aggregate::update(&self.db, id, expected_version, data, actor).await
    }

    pub async fn delete_supplier(
        &self,
        id: i64,
        expected_version: Option<i32>,
        actor: &str,
    ) -> Result<(), StoreError> {
        aggregate::delete::<SupplierData>(&self.db, id, expected_version, actor).await
    }
}
