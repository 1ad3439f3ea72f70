//! The `attestations` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attestations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub key: String,
    pub supplier_id: i64,
    pub offer_id: Option<i64>,
    pub scheme: String,
    pub status: String,
    pub milestone: Option<String>,
    pub level: Option<String>,
    pub service_models: String,
    pub scope: Option<String>,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
    pub decision_year: Option<i32>,
    pub decision_number: Option<String>,
    pub decision_url: Option<String>,
    pub recommendation: Option<String>,
    pub source: String,
    pub source_reference: Option<String>,
    pub first_seen: Date,
    pub last_seen: Date,
    pub verification: String,
    pub absent_since: Option<Date>,
    pub unverified: String,
    pub notes: Option<String>,
    pub references: String,
    pub confidence: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
