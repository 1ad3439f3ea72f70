//! Bulk reads for the search indexer: the catalogue in supplier-sized slices, and the audit trail
//! reduced to what the index depends on (which suppliers a change touches).
//!
//! The index groups every document under its supplier: a supplier and all its offers are rebuilt
//! together from one slice, so that a change anywhere in the group (the supplier, an offer, an
//! attestation) is applied by re-reading the group. Reads here never write and never lock.

use std::collections::{BTreeSet, HashMap};

use registre_domain::model::{AttestationData, OfferData, Record, SupplierData};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;

use crate::Store;
use crate::codec::{attestation_from_row, offer_from_row, supplier_from_row};
use crate::entities::{attestation, audit_event, offer, offer_alternative, supplier};
use crate::error::StoreError;

/// Suppliers with everything the index stores about them and their offers.
#[derive(Debug, Clone, Default)]
pub struct CatalogueSlice {
    /// In id order.
    pub suppliers: Vec<Record<SupplierData>>,
    /// Every offer of those suppliers, in id order.
    pub offers: Vec<Record<OfferData>>,
    /// Every attestation of those suppliers (whole-company and per-offer), in id order.
    pub attestations: Vec<Record<AttestationData>>,
    /// Names of the offers that the slice's offers list in `alternative_to`, by offer id: they may
    /// belong to suppliers outside the slice.
    pub alternative_names: HashMap<i64, String>,
}

/// One audit event, as far as the index cares: the suppliers whose group it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEvent {
    pub id: i64,
    /// `supplier`, `offer`, `attestation`, or another entity the index ignores.
    pub entity: String,
    pub entity_id: i64,
    /// The supplier named by the record before and after the change (two when an offer or an
    /// attestation moved from one supplier to another).
    pub supplier_ids: Vec<i64>,
}

/// Only `supplier_id` is read from the stored JSON: the rest of the record is skipped unparsed.
#[derive(Deserialize)]
struct OwnedBy {
    supplier_id: Option<i64>,
}

fn owner(text: Option<&str>) -> Option<i64> {
    text.and_then(|json| serde_json::from_str::<OwnedBy>(json).ok())
        .and_then(|owned| owned.supplier_id)
}

fn index_event(row: audit_event::Model) -> IndexEvent {
    let mut supplier_ids = Vec::new();
    if row.entity == "supplier" {
        supplier_ids.push(row.entity_id);
    } else {
        supplier_ids.extend(owner(row.before.as_deref()));
        supplier_ids.extend(owner(row.after.as_deref()));
        supplier_ids.sort_unstable();
        supplier_ids.dedup();
    }
    IndexEvent {
        id: row.id,
        entity: row.entity,
        entity_id: row.entity_id,
        supplier_ids,
    }
}

impl Store {
    /// The id of the latest audit event, 0 when there is none.
    pub async fn last_event_id(&self) -> Result<i64, StoreError> {
        let last = audit_event::Entity::find()
            .order_by_desc(audit_event::Column::Id)
            .one(&self.db)
            .await?;
        Ok(last.map_or(0, |row| row.id))
    }

    /// Audit events with an id above `after`, oldest first, at most `limit`.
    pub async fn index_events_after(
        &self,
        after: i64,
        limit: u64,
    ) -> Result<Vec<IndexEvent>, StoreError> {
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::Id.gt(after))
            .order_by_asc(audit_event::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(index_event).collect())
    }

    /// The audit events among `ids` that exist (late commits filling a gap in the id sequence).
    pub async fn index_events_among(&self, ids: &[i64]) -> Result<Vec<IndexEvent>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::Id.is_in(ids.iter().copied()))
            .order_by_asc(audit_event::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(index_event).collect())
    }

    /// Suppliers of the offers that name any of `offer_ids` as what they replace: their documents
    /// carry the replaced offers' names.
    pub async fn suppliers_of_offers_replacing(
        &self,
        offer_ids: &[i64],
    ) -> Result<Vec<i64>, StoreError> {
        if offer_ids.is_empty() {
            return Ok(Vec::new());
        }
        let replacing: Vec<i64> = offer_alternative::Entity::find()
            .filter(offer_alternative::Column::AlternativeToId.is_in(offer_ids.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| row.offer_id)
            .collect();
        if replacing.is_empty() {
            return Ok(Vec::new());
        }
        let suppliers: BTreeSet<i64> = offer::Entity::find()
            .select_only()
            .column(offer::Column::SupplierId)
            .filter(offer::Column::Id.is_in(replacing))
            .into_tuple::<i64>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        Ok(suppliers.into_iter().collect())
    }

    /// How many suppliers and offers the database holds.
    pub async fn catalogue_counts(&self) -> Result<(u64, u64), StoreError> {
        let suppliers = supplier::Entity::find().count(&self.db).await?;
        let offers = offer::Entity::find().count(&self.db).await?;
        Ok((suppliers, offers))
    }

    /// The next `limit` suppliers after `after` (in id order) with their offers and attestations:
    /// a full rebuild reads the catalogue this way, one bounded slice at a time.
    pub async fn catalogue_slice(
        &self,
        after: Option<i64>,
        limit: u64,
    ) -> Result<CatalogueSlice, StoreError> {
        let mut query = supplier::Entity::find();
        if let Some(after) = after {
            query = query.filter(supplier::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(supplier::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        self.slice_of(rows).await
    }

    /// The given suppliers (those that still exist) with their offers and attestations.
    pub async fn catalogue_of_suppliers(&self, ids: &[i64]) -> Result<CatalogueSlice, StoreError> {
        if ids.is_empty() {
            return Ok(CatalogueSlice::default());
        }
        let rows = supplier::Entity::find()
            .filter(supplier::Column::Id.is_in(ids.iter().copied()))
            .order_by_asc(supplier::Column::Id)
            .all(&self.db)
            .await?;
        self.slice_of(rows).await
    }

    async fn slice_of(&self, rows: Vec<supplier::Model>) -> Result<CatalogueSlice, StoreError> {
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        let suppliers = rows
            .into_iter()
            .map(supplier_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        if ids.is_empty() {
            return Ok(CatalogueSlice::default());
        }
        let offer_rows = offer::Entity::find()
            .filter(offer::Column::SupplierId.is_in(ids.iter().copied()))
            .order_by_asc(offer::Column::Id)
            .all(&self.db)
            .await?;
        let offer_ids: Vec<i64> = offer_rows.iter().map(|row| row.id).collect();
        let mut links: HashMap<i64, Vec<i64>> = HashMap::new();
        if !offer_ids.is_empty() {
            let rows = offer_alternative::Entity::find()
                .filter(offer_alternative::Column::OfferId.is_in(offer_ids.iter().copied()))
                .order_by_asc(offer_alternative::Column::AlternativeToId)
                .all(&self.db)
                .await?;
            for row in rows {
                links
                    .entry(row.offer_id)
                    .or_default()
                    .push(row.alternative_to_id);
            }
        }
        let offers = offer_rows
            .into_iter()
            .map(|row| {
                let alternatives = links.remove(&row.id).unwrap_or_default();
                offer_from_row(row, alternatives)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let attestations = attestation::Entity::find()
            .filter(attestation::Column::SupplierId.is_in(ids.iter().copied()))
            .order_by_asc(attestation::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(attestation_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let targets: BTreeSet<i64> = offers
            .iter()
            .flat_map(|offer| offer.data.alternative_to.iter().copied())
            .collect();
        let alternative_names = if targets.is_empty() {
            HashMap::new()
        } else {
            offer::Entity::find()
                .select_only()
                .column(offer::Column::Id)
                .column(offer::Column::Name)
                .filter(offer::Column::Id.is_in(targets))
                .into_tuple::<(i64, String)>()
                .all(&self.db)
                .await?
                .into_iter()
                .collect()
        };
        Ok(CatalogueSlice {
            suppliers,
            offers,
            attestations,
            alternative_names,
        })
    }
}
