//! Offers: reads with filters (including on attestations and the computed exposure), keyset pages,
//! and the writes of the shared aggregate path, with their "alternative to" links.

use std::collections::HashMap;

use chrono::NaiveDate;
use registre_domain::identifiers::CountryCode;
use registre_domain::model::{
    AttestationData, Key, OfferData, Record, SupplierData, ValidationError,
};
use registre_domain::sovereignty::{Assessment, assess_offer};
use registre_domain::taxonomy::{
    Category, ExposureLevel, Scheme, Status, SuiteClass, SuiteTier, Vocabulary,
};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};

use crate::Store;
use crate::aggregate::{self, Aggregate, Written};
use crate::attestations::status_condition;
use crate::codec::{offer_from_row, offer_to_row};
use crate::entities::{attestation, offer, offer_alternative, supplier};
use crate::error::StoreError;
use crate::page::{Batches, Page, PageRequest};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfferFilter {
    pub supplier_id: Option<i64>,
    /// The supplier's head-office country.
    pub country: Option<CountryCode>,
    pub category: Option<Category>,
    pub suite_class: Option<SuiteClass>,
    pub suite_tier: Option<SuiteTier>,
    /// Offers holding an attestation of this scheme (and `status`, when given).
    pub scheme: Option<Scheme>,
    pub status: Option<Status>,
    pub exposure: Option<ExposureLevel>,
}

async fn alternatives_of(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<i64>>, StoreError> {
    let rows = offer_alternative::Entity::find()
        .filter(offer_alternative::Column::OfferId.is_in(ids.iter().copied()))
        .order_by_asc(offer_alternative::Column::AlternativeToId)
        .all(db)
        .await?;
    let mut links: HashMap<i64, Vec<i64>> = HashMap::new();
    for row in rows {
        links
            .entry(row.offer_id)
            .or_default()
            .push(row.alternative_to_id);
    }
    Ok(links)
}

async fn assemble(
    db: &impl ConnectionTrait,
    rows: Vec<offer::Model>,
) -> Result<Vec<Record<OfferData>>, StoreError> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut links = alternatives_of(db, &ids).await?;
    rows.into_iter()
        .map(|row| {
            let alternatives = links.remove(&row.id).unwrap_or_default();
            offer_from_row(row, alternatives)
        })
        .collect()
}

impl Aggregate for OfferData {
    const ENTITY: &'static str = "offer";
    type Entity = offer::Entity;

    fn id_column() -> offer::Column {
        offer::Column::Id
    }
    fn key_column() -> offer::Column {
        offer::Column::Key
    }
    fn version_column() -> offer::Column {
        offer::Column::Version
    }
    fn validate(&self) -> Result<(), ValidationError> {
        OfferData::validate(self)
    }
    fn display_name(&self) -> &str {
        &self.name
    }
    fn to_row(record: &Record<Self>) -> offer::ActiveModel {
        offer_to_row(record)
    }
    async fn from_row(
        txn: &DatabaseTransaction,
        row: offer::Model,
    ) -> Result<Record<Self>, StoreError> {
        let mut records = assemble(txn, vec![row]).await?;
        Ok(records.remove(0))
    }
    async fn check_links(
        &self,
        txn: &DatabaseTransaction,
        id: Option<i64>,
    ) -> Result<(), StoreError> {
        if supplier::Entity::find_by_id(self.supplier_id)
            .one(txn)
            .await?
            .is_none()
        {
            return Err(ValidationError::new(
                "supplier_id",
                "unknown_supplier",
                format!("no supplier has id {}", self.supplier_id),
            )
            .into());
        }
        if id.is_some_and(|own| self.alternative_to.contains(&own)) {
            return Err(ValidationError::new(
                "alternative_to",
                "self_reference",
                "an offer cannot be an alternative to itself",
            )
            .into());
        }
        let found = offer::Entity::find()
            .filter(offer::Column::Id.is_in(self.alternative_to.iter().copied()))
            .count(txn)
            .await?;
        let mut wanted = self.alternative_to.clone();
        wanted.sort_unstable();
        wanted.dedup();
        if found != wanted.len() as u64 || wanted.len() != self.alternative_to.len() {
            return Err(ValidationError::new(
                "alternative_to",
                "unknown_offer",
                "alternative_to must list existing offer ids, each once",
            )
            .into());
        }
        Ok(())
    }
    async fn after_write(
        txn: &DatabaseTransaction,
        record: &Record<Self>,
    ) -> Result<(), StoreError> {
        offer_alternative::Entity::delete_many()
            .filter(offer_alternative::Column::OfferId.eq(record.id))
            .exec(txn)
            .await?;
        if record.data.alternative_to.is_empty() {
            return Ok(());
        }
        let links =
            record
                .data
                .alternative_to
                .iter()
                .map(|target| offer_alternative::ActiveModel {
                    offer_id: sea_orm::ActiveValue::Set(record.id),
                    alternative_to_id: sea_orm::ActiveValue::Set(*target),
                });
        offer_alternative::Entity::insert_many(links)
            .exec(txn)
            .await?;
        Ok(())
    }
    async fn dependents(txn: &DatabaseTransaction, id: i64) -> Result<Option<String>, StoreError> {
        let attestations = attestation::Entity::find()
            .filter(attestation::Column::OfferId.eq(id))
            .count(txn)
            .await?;
        Ok((attestations > 0).then(|| format!("{attestations} attestation(s)")))
    }
}

fn filtered(filter: &OfferFilter, today: NaiveDate) -> Select<offer::Entity> {
    let mut query = offer::Entity::find();
    if let Some(supplier_id) = filter.supplier_id {
        query = query.filter(offer::Column::SupplierId.eq(supplier_id));
    }
    if let Some(country) = &filter.country {
        query = query.filter(
            offer::Column::SupplierId.in_subquery(
                Query::select()
                    .column(supplier::Column::Id)
                    .from(supplier::Entity)
                    .and_where(supplier::Column::Country.eq(country.as_str()))
                    .to_owned(),
            ),
        );
    }
    if let Some(category) = filter.category {
        query = query.filter(offer::Column::Category.eq(category.code()));
    }
    if let Some(class) = filter.suite_class {
        query = query.filter(offer::Column::SuiteClass.eq(class.code()));
    }
    if let Some(tier) = filter.suite_tier {
        query = query.filter(offer::Column::SuiteTier.eq(tier.code()));
    }
    if filter.scheme.is_some() || filter.status.is_some() {
        let mut held = Query::select();
        held.column(attestation::Column::OfferId)
            .from(attestation::Entity)
            .and_where(attestation::Column::OfferId.is_not_null());
        if let Some(scheme) = filter.scheme {
            held.and_where(attestation::Column::Scheme.eq(scheme.code()));
        }
        if let Some(status) = filter.status {
            held.cond_where(status_condition(status, today));
        }
        query = query.filter(offer::Column::Id.in_subquery(held.to_owned()));
    }
    query
}

/// What assessing offers needs beyond the offers: their suppliers and those suppliers' attestations.
#[derive(Debug, Default)]
pub struct OfferContext {
    pub suppliers: HashMap<i64, Record<SupplierData>>,
    pub attestations: HashMap<i64, Vec<Record<AttestationData>>>,
}

impl OfferContext {
    pub fn supplier(&self, offer: &Record<OfferData>) -> Option<&Record<SupplierData>> {
        self.suppliers.get(&offer.data.supplier_id)
    }

    /// Attestations held by this offer or by its supplier as a whole.
    pub fn attestations_of<'a>(
        &'a self,
        offer: &'a Record<OfferData>,
    ) -> impl Iterator<Item = &'a Record<AttestationData>> {
        self.attestations
            .get(&offer.data.supplier_id)
            .into_iter()
            .flatten()
            .filter(|a| a.data.offer_id.is_none_or(|id| id == offer.id))
    }

    pub fn assess(&self, offer: &Record<OfferData>, today: NaiveDate) -> Assessment {
        let supplier = self
            .supplier(offer)
            .expect("an offer's supplier is loaded with it (foreign key)");
        let attestations: Vec<_> = self.attestations_of(offer).cloned().collect();
        assess_offer(supplier, offer, &attestations, today)
    }
}

struct OfferQuery<'a> {
    store: &'a Store,
    filter: &'a OfferFilter,
    today: NaiveDate,
}

impl Batches for OfferQuery<'_> {
    type Row = Record<OfferData>;

    async fn fetch(&self, after: Option<i64>, limit: u64) -> Result<Vec<Self::Row>, StoreError> {
        let mut query = filtered(self.filter, self.today);
        if let Some(after) = after {
            query = query.filter(offer::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(offer::Column::Id)
            .limit(limit)
            .all(&self.store.db)
            .await?;
        assemble(&self.store.db, rows).await
    }

    fn id(row: &Self::Row) -> i64 {
        row.id
    }
}

/// Offers with their computed exposure level, for filtering on it.
struct AssessedOfferQuery<'a>(OfferQuery<'a>);

impl Batches for AssessedOfferQuery<'_> {
    type Row = (Record<OfferData>, ExposureLevel);

    async fn fetch(&self, after: Option<i64>, limit: u64) -> Result<Vec<Self::Row>, StoreError> {
        let offers = self.0.fetch(after, limit).await?;
        let context = self.0.store.offer_context(&offers).await?;
        Ok(offers
            .into_iter()
            .map(|offer| {
                let level = context.assess(&offer, self.0.today).level;
                (offer, level)
            })
            .collect())
    }

    fn id(row: &Self::Row) -> i64 {
        row.0.id
    }
}

impl Store {
    pub async fn list_offers(
        &self,
        filter: &OfferFilter,
        page: PageRequest,
        today: NaiveDate,
    ) -> Result<Page<Record<OfferData>>, StoreError> {
        let query = OfferQuery {
            store: self,
            filter,
            today,
        };
        match filter.exposure {
            None => query.page(page).await,
            Some(level) => {
                let assessed = AssessedOfferQuery(query);
                let page = assessed.scan(page, |(_, found)| *found == level).await?;
                Ok(Page {
                    items: page.items.into_iter().map(|(offer, _)| offer).collect(),
                    next_after: page.next_after,
                })
            }
        }
    }

    pub async fn offer(&self, id: i64) -> Result<Record<OfferData>, StoreError> {
        let row = offer::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| aggregate::not_found::<OfferData>(id))?;
        Ok(assemble(&self.db, vec![row]).await?.remove(0))
    }

    /// The offer with this stable key (the key URLs of the pages).
    pub async fn offer_by_key(&self, key: &Key) -> Result<Record<OfferData>, StoreError> {
        let row = offer::Entity::find()
            .filter(offer::Column::Key.eq(key.as_str()))
            .one(&self.db)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "offer",
                id: key.to_string(),
            })?;
        Ok(assemble(&self.db, vec![row]).await?.remove(0))
    }

    /// Offers that name `id` as what they can replace.
    pub async fn alternatives_to(&self, id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(offer_alternative::Entity::find()
            .filter(offer_alternative::Column::AlternativeToId.eq(id))
            .order_by_asc(offer_alternative::Column::OfferId)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| row.offer_id)
            .collect())
    }

    /// Loads the suppliers and attestations needed to assess `offers`, in two queries.
    pub async fn offer_context(
        &self,
        offers: &[Record<OfferData>],
    ) -> Result<OfferContext, StoreError> {
        let mut supplier_ids: Vec<i64> = offers.iter().map(|o| o.data.supplier_id).collect();
        supplier_ids.sort_unstable();
        supplier_ids.dedup();
        let suppliers = self.suppliers_by_ids(&supplier_ids).await?;
        let attestations = self.attestations_of_suppliers(&supplier_ids).await?;
        let mut by_supplier: HashMap<i64, Vec<Record<AttestationData>>> = HashMap::new();
        for attestation in attestations {
            by_supplier
                .entry(attestation.data.supplier_id)
                .or_default()
                .push(attestation);
        }
        Ok(OfferContext {
            suppliers: suppliers.into_iter().map(|s| (s.id, s)).collect(),
            attestations: by_supplier,
        })
    }

    pub async fn create_offer(
        &self,
        key: Option<Key>,
        data: OfferData,
        actor: &str,
    ) -> Result<Record<OfferData>, StoreError> {
        aggregate::create(&self.db, key, data, actor).await
    }

    pub async fn update_offer(
        &self,
        id: i64,
        expected_version: Option<i32>,
        data: OfferData,
        actor: &str,
    ) -> Result<(Record<OfferData>, Written), StoreError> {
        aggregate::update(&self.db, id, expected_version, data, actor).await
    }

    pub async fn delete_offer(
        &self,
        id: i64,
        expected_version: Option<i32>,
        actor: &str,
    ) -> Result<(), StoreError> {
        aggregate::delete::<OfferData>(&self.db, id, expected_version, actor).await
    }
}
