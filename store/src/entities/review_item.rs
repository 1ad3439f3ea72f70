//! The `review_items` table: source rows naming a supplier the registry cannot resolve.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source_id: String,
    pub edition: Option<String>,
    pub supplier_name: String,
    pub identity: String,
    pub row: String,
    pub status: String,
    pub supplier_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
