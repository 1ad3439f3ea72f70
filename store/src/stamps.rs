//! Light listings of the catalogue for publication (the sitemap): each record's id and last change,
//! read in keyset pages by id range, without reading or decoding the records themselves.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::Store;
use crate::entities::{offer, supplier};
use crate::error::StoreError;

/// A record's id, key and when it last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordStamp {
    pub id: i64,
    pub key: String,
    pub updated_at: DateTime<Utc>,
}

/// Which records to list: ids above `after`, up to and including `until`, at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StampRange {
    pub after: i64,
    pub until: i64,
    pub limit: u64,
}

fn stamps(rows: Vec<(i64, String, DateTime<Utc>)>) -> Vec<RecordStamp> {
    rows.into_iter()
        .map(|(id, key, updated_at)| RecordStamp {
            id,
            key,
            updated_at,
        })
        .collect()
}

impl Store {
    /// The highest supplier id and the highest offer id (0 when there is none).
    pub async fn last_record_ids(&self) -> Result<(i64, i64), StoreError> {
        let supplier: Option<i64> = supplier::Entity::find()
            .select_only()
            .column(supplier::Column::Id)
            .order_by_desc(supplier::Column::Id)
            .into_tuple()
            .one(&self.db)
            .await?;
        let offer: Option<i64> = offer::Entity::find()
            .select_only()
            .column(offer::Column::Id)
            .order_by_desc(offer::Column::Id)
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok((supplier.unwrap_or(0), offer.unwrap_or(0)))
    }

    /// Suppliers in `range`, in id order.
    pub async fn supplier_stamps(&self, range: StampRange) -> Result<Vec<RecordStamp>, StoreError> {
        let rows = supplier::Entity::find()
            .select_only()
            .column(supplier::Column::Id)
            .column(supplier::Column::Key)
            .column(supplier::Column::UpdatedAt)
            .filter(supplier::Column::Id.gt(range.after))
            .filter(supplier::Column::Id.lte(range.until))
            .order_by_asc(supplier::Column::Id)
            .limit(range.limit)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(stamps(rows))
    }

    /// Offers in `range`, in id order.
    pub async fn offer_stamps(&self, range: StampRange) -> Result<Vec<RecordStamp>, StoreError> {
        let rows = offer::Entity::find()
            .select_only()
            .column(offer::Column::Id)
            .column(offer::Column::Key)
            .column(offer::Column::UpdatedAt)
            .filter(offer::Column::Id.gt(range.after))
            .filter(offer::Column::Id.lte(range.until))
            .order_by_asc(offer::Column::Id)
            .limit(range.limit)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(stamps(rows))
    }
}
