//! The `events` table: a matchmaking day, its slots (JSON) and its published schedule run.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub day: Date,
    pub venue: String,
    pub utc_offset: String,
    /// The IANA zone the slots are local to; `None` for events with only a fixed offset.
    pub time_zone: Option<String>,
    pub slots: String,
    pub tables: i32,
    pub max_meetings: i32,
    pub registration_opens: DateTimeUtc,
    pub registration_closes: DateTimeUtc,
    pub rules: String,
    pub organiser_token_hash: String,
    pub created_at: DateTimeUtc,
    pub schedule_seed: Option<i64>,
    pub schedule_log: Option<String>,
    pub scheduled_at: Option<DateTimeUtc>,
    pub schedule_runs: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
