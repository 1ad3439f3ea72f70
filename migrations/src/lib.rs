//! The database schema, one change per file. Runs unchanged on SQLite and PostgreSQL.
//! Migrations never import the store's entities: the schema is defined here and only here.

pub use sea_orm_migration::MigratorTrait;
use sea_orm_migration::prelude::*;

mod m20261129_000001_catalogue;
mod m20261129_000002_sources;
mod m20261129_000003_events;
mod m20261129_000004_event_time_zones;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_catalogue::Migration),
            Box::new(m20261129_000002_sources::Migration),
            Box::new(m20261129_000003_events::Migration),
            Box::new(m20261129_000004_event_time_zones::Migration),
        ]
    }
}
