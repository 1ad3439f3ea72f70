//! The `source_runs` table: one row per attempt to refresh an official source.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "source_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source_id: String,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    pub outcome: String,
    pub edition: Option<String>,
    pub edition_at: Option<DateTimeUtc>,
    pub rows: Option<i32>,
    pub changes: Option<i32>,
    pub error: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
