//! Official sources: their runs, the history of changes they bring, the review queue of rows that
//! resolve to no supplier, and the "absent from the latest edition" mark on attestations.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer_null, big_pk_auto, date_null, integer_null, string, string_len, string_null, text,
    text_null, timestamp_with_time_zone, timestamp_with_time_zone_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SourceRuns {
    Table,
    Id,
    SourceId,
    StartedAt,
    FinishedAt,
    Outcome,
    Edition,
    EditionAt,
    Rows,
    Changes,
    Error,
    Etag,
    LastModified,
}

#[derive(DeriveIden)]
enum Changes {
    Table,
    Id,
    SeenAt,
    SourceId,
    Edition,
    Kind,
    AttestationId,
    OfferId,
    SupplierId,
    SummaryFr,
    SummaryEn,
    Before,
    After,
}

#[derive(DeriveIden)]
enum ReviewItems {
    Table,
    Id,
    SourceId,
    Edition,
    SupplierName,
    Identity,
    Row,
    Status,
    SupplierId,
    CreatedAt,
    ResolvedAt,
}

#[derive(DeriveIden)]
enum Attestations {
    Table,
    AbsentSince,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SourceRuns::Table)
                    .col(big_pk_auto(SourceRuns::Id))
                    .col(string_len(SourceRuns::SourceId, 40))
                    .col(timestamp_with_time_zone(SourceRuns::StartedAt))
                    .col(timestamp_with_time_zone_null(SourceRuns::FinishedAt))
                    .col(string_len(SourceRuns::Outcome, 20))
                    .col(string_null(SourceRuns::Edition))
                    .col(timestamp_with_time_zone_null(SourceRuns::EditionAt))
                    .col(integer_null(SourceRuns::Rows))
                    .col(integer_null(SourceRuns::Changes))
                    .col(text_null(SourceRuns::Error))
                    .col(string_null(SourceRuns::Etag))
                    .col(string_null(SourceRuns::LastModified))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("source_runs_source_idx")
                    .table(SourceRuns::Table)
                    .col(SourceRuns::SourceId)
                    .col(SourceRuns::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Changes::Table)
                    .col(big_pk_auto(Changes::Id))
                    .col(timestamp_with_time_zone(Changes::SeenAt))
                    .col(string_len(Changes::SourceId, 40))
                    .col(string_null(Changes::Edition))
                    .col(string_len(Changes::Kind, 30))
                    .col(big_integer_null(Changes::AttestationId))
                    .col(big_integer_null(Changes::OfferId))
                    .col(big_integer_null(Changes::SupplierId))
                    .col(text(Changes::SummaryFr))
                    .col(text(Changes::SummaryEn))
                    .col(text_null(Changes::Before))
                    .col(text_null(Changes::After))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("changes_offer_idx")
                    .table(Changes::Table)
                    .col(Changes::OfferId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReviewItems::Table)
                    .col(big_pk_auto(ReviewItems::Id))
                    .col(string_len(ReviewItems::SourceId, 40))
                    .col(string_null(ReviewItems::Edition))
                    .col(string(ReviewItems::SupplierName))
                    .col(string(ReviewItems::Identity))
                    .col(text(ReviewItems::Row))
                    .col(string_len(ReviewItems::Status, 20))
                    .col(big_integer_null(ReviewItems::SupplierId))
                    .col(timestamp_with_time_zone(ReviewItems::CreatedAt))
                    .col(timestamp_with_time_zone_null(ReviewItems::ResolvedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Attestations::Table)
                    .add_column(date_null(Attestations::AbsentSince))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Attestations::Table)
                    .drop_column(Attestations::AbsentSince)
                    .to_owned(),
            )
            .await?;
        for table in [
            ReviewItems::Table.into_iden(),
            Changes::Table.into_iden(),
            SourceRuns::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
