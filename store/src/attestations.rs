//! Attestations: reads filtered on the status that holds today, keyset pages, and writes.

use chrono::NaiveDate;
use registre_domain::model::{AttestationData, Key, Record, ValidationError};
use registre_domain::taxonomy::{Scheme, Status, Verification, Vocabulary};
use sea_orm::sea_query::{Condition, ExprTrait};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

use crate::Store;
use crate::aggregate::{self, Aggregate, Written};
use crate::codec::{attestation_from_row, attestation_to_row};
use crate::entities::{attestation, offer, supplier};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttestationFilter {
    pub supplier_id: Option<i64>,
    pub offer_id: Option<i64>,
    pub scheme: Option<Scheme>,
    /// Matched against the status that holds on the day of the query (see `status_condition`).
    pub status: Option<Status>,
    pub verification: Option<Verification>,
}

/// SQL for "the effective status is `status` on `today`": a qualification whose end date has passed
/// counts as expired, whatever was recorded.
pub(crate) fn status_condition(status: Status, today: NaiveDate) -> Condition {
    let recorded = |s: Status| attestation::Column::Status.eq(s.code());
    let ended = attestation::Column::ValidUntil.lt(today);
    match status {
        Status::Qualified => Condition::all().add(recorded(Status::Qualified)).add(
            Condition::any()
                .add(attestation::Column::ValidUntil.is_null())
                .add(attestation::Column::ValidUntil.gte(today)),
        ),
        Status::Expired => Condition::any()
            .add(recorded(Status::Expired))
            .add(recorded(Status::Qualified).and(ended)),
        other => Condition::all().add(recorded(other)),
    }
}

impl Aggregate for AttestationData {
    const ENTITY: &'static str = "attestation";
    type Entity = attestation::Entity;

    fn id_column() -> attestation::Column {
        attestation::Column::Id
    }
    fn key_column() -> attestation::Column {
        attestation::Column::Key
    }
    fn version_column() -> attestation::Column {
        attestation::Column::Version
    }
    fn validate(&self) -> Result<(), ValidationError> {
        AttestationData::validate(self)
    }
    fn display_name(&self) -> &str {
        self.scheme.code()
    }
    fn to_row(record: &Record<Self>) -> attestation::ActiveModel {
        attestation_to_row(record)
    }
    async fn from_row(
        _txn: &DatabaseTransaction,
        row: attestation::Model,
    ) -> Result<Record<Self>, StoreError> {
        attestation_from_row(row)
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
        if let Some(offer_id) = self.offer_id {
            match offer::Entity::find_by_id(offer_id).one(txn).await? {
                None => {
                    return Err(ValidationError::new(
                        "offer_id",
                        "unknown_offer",
                        format!("no offer has id {offer_id}"),
                    )
                    .into());
                }
                Some(found) if found.supplier_id != self.supplier_id => {
                    return Err(ValidationError::new(
                        "offer_id",
                        "offer_of_another_supplier",
                        format!(
                            "offer {offer_id} belongs to supplier {}, not {}",
                            found.supplier_id, self.supplier_id
                        ),
                    )
                    .into());
                }
                Some(_) => {}
            }
        }
        if let Some(decision) = &self.decision {
            let holder = attestation::Entity::find()
                .filter(attestation::Column::Scheme.eq(self.scheme.code()))
                .filter(attestation::Column::DecisionYear.eq(decision.year))
                .filter(attestation::Column::DecisionNumber.eq(decision.number.as_str()))
                .one(txn)
                .await?;
            if let Some(other) = holder
                && Some(other.id) != id
            {
                return Err(StoreError::Conflict {
                    field: "decision".into(),
                    message: format!(
                        "decision {}_{} is already recorded as attestation '{}' ({})",
                        decision.year, decision.number, other.key, other.id
                    ),
                });
            }
        }
        Ok(())
    }
    async fn dependents(
        _txn: &DatabaseTransaction,
        _id: i64,
    ) -> Result<Option<String>, StoreError> {
        Ok(None)
    }
}

fn filtered(filter: &AttestationFilter, today: NaiveDate) -> Select<attestation::Entity> {
    let mut query = attestation::Entity::find();
    if let Some(id) = filter.supplier_id {
        query = query.filter(attestation::Column::SupplierId.eq(id));
    }
    if let Some(id) = filter.offer_id {
        query = query.filter(attestation::Column::OfferId.eq(id));
    }
    if let Some(scheme) = filter.scheme {
        query = query.filter(attestation::Column::Scheme.eq(scheme.code()));
    }
    if let Some(status) = filter.status {
        query = query.filter(status_condition(status, today));
    }
    if let Some(verification) = filter.verification {
        query = query.filter(attestation::Column::Verification.eq(verification.code()));
    }
    query
}

impl Store {
    pub async fn list_attestations(
        &self,
        filter: &AttestationFilter,
        page: PageRequest,
        today: NaiveDate,
    ) -> Result<Page<Record<AttestationData>>, StoreError> {
        let mut query = filtered(filter, today);
        if let Some(after) = page.after {
            query = query.filter(attestation::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(attestation::Column::Id)
            .limit(page.limit + 1)
            .all(&self.db)
            .await?
            .into_iter()
            .map(attestation_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(rows, page.limit, |r| r.id))
    }

    pub async fn attestation(&self, id: i64) -> Result<Record<AttestationData>, StoreError> {
        match attestation::Entity::find_by_id(id).one(&self.db).await? {
            Some(row) => attestation_from_row(row),
            None => Err(aggregate::not_found::<AttestationData>(id)),
        }
    }

    /// Every attestation held by these suppliers or their offers.
    pub async fn attestations_of_suppliers(
        &self,
        supplier_ids: &[i64],
    ) -> Result<Vec<Record<AttestationData>>, StoreError> {
        attestation::Entity::find()
            .filter(attestation::Column::SupplierId.is_in(supplier_ids.iter().copied()))
            .order_by_asc(attestation::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(attestation_from_row)
            .collect()
    }

    pub async fn create_attestation(
        &self,
        key: Option<Key>,
        data: AttestationData,
        actor: &str,
    ) -> Result<Record<AttestationData>, StoreError> {
        aggregate::create(&self.db, key, data, actor).await
    }

    pub async fn update_attestation(
        &self,
        id: i64,
        expected_version: Option<i32>,
        data: AttestationData,
        actor: &str,
    ) -> Result<(Record<AttestationData>, Written), StoreError> {
        aggregate::update(&self.db, id, expected_version, data, actor).await
    }

    pub async fn delete_attestation(
        &self,
        id: i64,
        expected_version: Option<i32>,
        actor: &str,
    ) -> Result<(), StoreError> {
        aggregate::delete::<AttestationData>(&self.db, id, expected_version, actor).await
    }
}
