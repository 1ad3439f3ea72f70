//! The `offers` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub key: String,
    pub supplier_id: i64,
    pub name: String,
    pub category: String,
    pub description_fr: Option<String>,
    pub description_en: Option<String>,
    pub deployment_models: String,
    pub licences: String,
    pub hosting_locations: String,
    pub suite_class: Option<String>,
    pub suite_tier: Option<String>,
    pub suite_role: Option<String>,
    pub url: Option<String>,
    pub source_repo: Option<String>,
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
