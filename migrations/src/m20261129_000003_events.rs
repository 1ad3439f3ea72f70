//! Matchmaking days (issue 4): events, their participants (administrations and vendors), the requests
//! to meet, and the meetings of the published schedule with the run that produced them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, boolean, date, integer, string, string_len,
    string_len_uniq, text, text_null, timestamp_with_time_zone, timestamp_with_time_zone_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    Name,
    Day,
    Venue,
    UtcOffset,
    Slots,
    Tables,
    MaxMeetings,
    RegistrationOpens,
    RegistrationCloses,
    Rules,
    OrganiserTokenHash,
    CreatedAt,
    ScheduleSeed,
    ScheduleLog,
    ScheduledAt,
    ScheduleRuns,
}

#[derive(DeriveIden)]
enum EventParticipants {
    Table,
    Id,
    EventId,
    Kind,
    Name,
    TokenHash,
    Representatives,
    Availability,
    Categories,
    SuiteClasses,
    Sensitivity,
    FreeText,
    SupplierId,
    OfferIds,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EventRequests {
    Table,
    Id,
    EventId,
    AdministrationId,
    VendorId,
    AskedByAdministration,
    AskedByVendor,
    Status,
    CreatedAt,
    AnsweredAt,
}

#[derive(DeriveIden)]
enum EventMeetings {
    Table,
    Id,
    EventId,
    AdministrationId,
    VendorId,
    Slot,
    TableNumber,
    Sequence,
    Status,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(big_pk_auto(Events::Id))
                    .col(string(Events::Name))
                    .col(date(Events::Day))
                    .col(string(Events::Venue))
                    .col(string_len(Events::UtcOffset, 6))
                    .col(text(Events::Slots))
                    .col(integer(Events::Tables))
                    .col(integer(Events::MaxMeetings))
                    .col(timestamp_with_time_zone(Events::RegistrationOpens))
                    .col(timestamp_with_time_zone(Events::RegistrationCloses))
                    .col(text(Events::Rules))
                    .col(string_len_uniq(Events::OrganiserTokenHash, 64))
                    .col(timestamp_with_time_zone(Events::CreatedAt))
                    .col(big_integer_null(Events::ScheduleSeed))
                    .col(text_null(Events::ScheduleLog))
                    .col(timestamp_with_time_zone_null(Events::ScheduledAt))
                    .col(integer(Events::ScheduleRuns).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EventParticipants::Table)
                    .col(big_pk_auto(EventParticipants::Id))
                    .col(big_integer(EventParticipants::EventId))
                    .col(string_len(EventParticipants::Kind, 20))
                    .col(string(EventParticipants::Name))
                    .col(string_len_uniq(EventParticipants::TokenHash, 64))
                    .col(integer(EventParticipants::Representatives))
                    .col(text(EventParticipants::Availability))
                    .col(text(EventParticipants::Categories))
                    .col(text(EventParticipants::SuiteClasses))
                    .col(string_len(EventParticipants::Sensitivity, 20))
                    .col(text_null(EventParticipants::FreeText))
                    .col(big_integer_null(EventParticipants::SupplierId))
                    .col(text(EventParticipants::OfferIds))
                    .col(timestamp_with_time_zone(EventParticipants::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("event_participants_event_fk")
                            .from(EventParticipants::Table, EventParticipants::EventId)
                            .to(Events::Table, Events::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("event_participants_event_idx")
                    .table(EventParticipants::Table)
                    .col(EventParticipants::EventId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EventRequests::Table)
                    .col(big_pk_auto(EventRequests::Id))
                    .col(big_integer(EventRequests::EventId))
                    .col(big_integer(EventRequests::AdministrationId))
                    .col(big_integer(EventRequests::VendorId))
                    .col(boolean(EventRequests::AskedByAdministration))
                    .col(boolean(EventRequests::AskedByVendor))
                    .col(string_len(EventRequests::Status, 20))
                    .col(timestamp_with_time_zone(EventRequests::CreatedAt))
                    .col(timestamp_with_time_zone_null(EventRequests::AnsweredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("event_requests_event_fk")
                            .from(EventRequests::Table, EventRequests::EventId)
                            .to(Events::Table, Events::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("event_requests_administration_fk")
                            .from(EventRequests::Table, EventRequests::AdministrationId)
                            .to(EventParticipants::Table, EventParticipants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("event_requests_vendor_fk")
                            .from(EventRequests::Table, EventRequests::VendorId)
                            .to(EventParticipants::Table, EventParticipants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("event_requests_pair_idx")
                    .table(EventRequests::Table)
                    .col(EventRequests::EventId)
                    .col(EventRequests::AdministrationId)
                    .col(EventRequests::VendorId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EventMeetings::Table)
                    .col(big_pk_auto(EventMeetings::Id))
                    .col(big_integer(EventMeetings::EventId))
                    .col(big_integer(EventMeetings::AdministrationId))
                    .col(big_integer(EventMeetings::VendorId))
                    .col(integer(EventMeetings::Slot))
                    .col(integer(EventMeetings::TableNumber))
                    .col(integer(EventMeetings::Sequence))
                    .col(string_len(EventMeetings::Status, 20))
                    .col(timestamp_with_time_zone(EventMeetings::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("event_meetings_event_fk")
                            .from(EventMeetings::Table, EventMeetings::EventId)
                            .to(Events::Table, Events::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("event_meetings_pair_idx")
                    .table(EventMeetings::Table)
                    .col(EventMeetings::EventId)
                    .col(EventMeetings::AdministrationId)
                    .col(EventMeetings::VendorId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            EventMeetings::Table.into_iden(),
            EventRequests::Table.into_iden(),
            EventParticipants::Table.into_iden(),
            Events::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
