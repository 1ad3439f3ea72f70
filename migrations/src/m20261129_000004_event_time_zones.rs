//! Named time zones for matchmaking days (issue 4): an event's slots are local to the venue's IANA
//! zone (`Europe/Paris`), so a day that crosses a daylight-saving change is placed correctly. Events
//! created before keep `time_zone` NULL and their fixed `utc_offset`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::string_len_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    TimeZone,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Events::Table)
                    // IANA names are at most 32 characters today (`America/Argentina/ComodRivadavia`).
                    .add_column(string_len_null(Events::TimeZone, 64))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Events::Table)
                    .drop_column(Events::TimeZone)
                    .to_owned(),
            )
            .await
    }
}
