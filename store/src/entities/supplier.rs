//! The `suppliers` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "suppliers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub key: String,
    pub legal_name: String,
    pub trade_names: String,
    pub aliases: String,
    pub kind: String,
    pub siren: Option<String>,
    pub siret: Option<String>,
    pub vat_number: Option<String>,
    pub lei: Option<String>,
    pub country: String,
    pub hq_city: Option<String>,
    pub website: Option<String>,
    pub control_chain: String,
    pub ultimate_control_country: Option<String>,
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
