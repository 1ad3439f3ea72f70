//! The `event_meetings` table: the published schedule, one row per pair ever scheduled (a cancelled
//! meeting stays, so calendars learn of the cancellation).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_meetings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub event_id: i64,
    pub administration_id: i64,
    pub vendor_id: i64,
    pub slot: i32,
    pub table_number: i32,
    pub sequence: i32,
    pub status: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
