//! The `changes` table: the history of what official sources changed, edition by edition.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub seen_at: DateTimeUtc,
    pub source_id: String,
    pub edition: Option<String>,
    pub kind: String,
    pub attestation_id: Option<i64>,
    pub offer_id: Option<i64>,
    pub supplier_id: Option<i64>,
    pub summary_fr: String,
    pub summary_en: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
