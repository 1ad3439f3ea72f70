//! The `event_participants` table: administrations and vendors registered for an event.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_participants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub event_id: i64,
    pub kind: String,
    pub name: String,
    pub token_hash: String,
    pub representatives: i32,
    pub availability: String,
    pub categories: String,
    pub suite_classes: String,
    pub sensitivity: String,
    pub free_text: Option<String>,
    pub supplier_id: Option<i64>,
    pub offer_ids: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
