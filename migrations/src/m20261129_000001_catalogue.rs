//! The catalogue: suppliers, offers, attestations, the references they cite, the audit trail and API tokens.
//!
//! Lists and structured values (names, control chain, deployment models) are JSON text columns: they
//! are read and written whole with their record, never queried inside, and JSON text behaves the same
//! on both engines.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, date, date_null, integer, integer_null, string,
    string_len, string_len_null, string_len_uniq, string_null, text, text_null,
    timestamp_with_time_zone, timestamp_with_time_zone_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Suppliers {
    Table,
    Id,
    Key,
    LegalName,
    TradeNames,
    Aliases,
    Kind,
    Siren,
    Siret,
    VatNumber,
    Lei,
    Country,
    HqCity,
    Website,
    ControlChain,
    UltimateControlCountry,
    Unverified,
    Notes,
    References,
    Confidence,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    Id,
    Key,
    SupplierId,
    Name,
    Category,
    DescriptionFr,
    DescriptionEn,
    DeploymentModels,
    Licences,
    HostingLocations,
    SuiteClass,
    SuiteTier,
    SuiteRole,
    Url,
    SourceRepo,
    Unverified,
    Notes,
    References,
    Confidence,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OfferAlternatives {
    Table,
    OfferId,
    AlternativeToId,
}

#[derive(DeriveIden)]
enum Attestations {
    Table,
    Id,
    Key,
    SupplierId,
    OfferId,
    Scheme,
    Status,
    Milestone,
    Level,
    ServiceModels,
    Scope,
    ValidFrom,
    ValidUntil,
    DecisionYear,
    DecisionNumber,
    DecisionUrl,
    Recommendation,
    Source,
    SourceReference,
    FirstSeen,
    LastSeen,
    Verification,
    Unverified,
    Notes,
    References,
    Confidence,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Citations {
    Table,
    Key,
    Kind,
    Title,
    Locator,
    Version,
    Supports,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    At,
    Actor,
    Action,
    Entity,
    EntityId,
    EntityKey,
    Before,
    After,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    Name,
    TokenHash,
    CreatedAt,
    RevokedAt,
}

fn index(name: &str, table: impl IntoIden, columns: &[&'static str]) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement.name(name).table(table);
    for column in columns {
        statement.col(Alias::new(*column));
    }
    statement.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Suppliers::Table)
                    .col(big_pk_auto(Suppliers::Id))
                    .col(string_len_uniq(Suppliers::Key, 80))
                    .col(string_len(Suppliers::LegalName, 300))
                    .col(text(Suppliers::TradeNames))
                    .col(text(Suppliers::Aliases))
                    .col(string_len(Suppliers::Kind, 40))
                    .col(string_len_null(Suppliers::Siren, 9))
                    .col(string_len_null(Suppliers::Siret, 14))
                    .col(string_len_null(Suppliers::VatNumber, 16))
                    .col(string_len_null(Suppliers::Lei, 20))
                    .col(string_len(Suppliers::Country, 2))
                    .col(string_null(Suppliers::HqCity))
                    .col(string_len_null(Suppliers::Website, 500))
                    .col(text(Suppliers::ControlChain))
                    .col(string_len_null(Suppliers::UltimateControlCountry, 2))
                    .col(text(Suppliers::Unverified))
                    .col(text_null(Suppliers::Notes))
                    .col(text(Suppliers::References))
                    .col(string_len(Suppliers::Confidence, 10))
                    .col(integer(Suppliers::Version))
                    .col(timestamp_with_time_zone(Suppliers::CreatedAt))
                    .col(timestamp_with_time_zone(Suppliers::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // A SIREN names one legal entity: two suppliers cannot share it (NULLs are allowed many times).
        manager
            .create_index(
                index("suppliers_siren_key", Suppliers::Table, &["siren"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "suppliers_country_idx",
                Suppliers::Table,
                &["country"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Offers::Table)
                    .col(big_pk_auto(Offers::Id))
                    .col(string_len_uniq(Offers::Key, 80))
                    .col(big_integer(Offers::SupplierId))
                    .col(string_len(Offers::Name, 300))
                    .col(string_len(Offers::Category, 40))
                    .col(text_null(Offers::DescriptionFr))
                    .col(text_null(Offers::DescriptionEn))
                    .col(text(Offers::DeploymentModels))
                    .col(text(Offers::Licences))
                    .col(text(Offers::HostingLocations))
                    .col(string_len_null(Offers::SuiteClass, 40))
                    .col(string_len_null(Offers::SuiteTier, 40))
                    .col(string_null(Offers::SuiteRole))
                    .col(string_len_null(Offers::Url, 500))
                    .col(string_null(Offers::SourceRepo))
                    .col(text(Offers::Unverified))
                    .col(text_null(Offers::Notes))
                    .col(text(Offers::References))
                    .col(string_len(Offers::Confidence, 10))
                    .col(integer(Offers::Version))
                    .col(timestamp_with_time_zone(Offers::CreatedAt))
                    .col(timestamp_with_time_zone(Offers::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("offers_supplier_fk")
                            .from(Offers::Table, Offers::SupplierId)
                            .to(Suppliers::Table, Suppliers::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("offers_supplier_idx", "supplier_id"),
            ("offers_category_idx", "category"),
            ("offers_suite_class_idx", "suite_class"),
        ] {
            manager
                .create_index(index(name, Offers::Table, &[column]))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(OfferAlternatives::Table)
                    .col(big_integer(OfferAlternatives::OfferId))
                    .col(big_integer(OfferAlternatives::AlternativeToId))
                    .primary_key(
                        Index::create()
                            .col(OfferAlternatives::OfferId)
                            .col(OfferAlternatives::AlternativeToId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("offer_alternatives_offer_fk")
                            .from(OfferAlternatives::Table, OfferAlternatives::OfferId)
                            .to(Offers::Table, Offers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("offer_alternatives_target_fk")
                            .from(OfferAlternatives::Table, OfferAlternatives::AlternativeToId)
                            .to(Offers::Table, Offers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "offer_alternatives_target_idx",
                OfferAlternatives::Table,
                &["alternative_to_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Attestations::Table)
                    .col(big_pk_auto(Attestations::Id))
                    .col(string_len_uniq(Attestations::Key, 80))
                    .col(big_integer(Attestations::SupplierId))
                    .col(big_integer_null(Attestations::OfferId))
                    .col(string_len(Attestations::Scheme, 40))
                    .col(string_len(Attestations::Status, 40))
                    .col(string_null(Attestations::Milestone))
                    .col(string_null(Attestations::Level))
                    .col(text(Attestations::ServiceModels))
                    .col(text_null(Attestations::Scope))
                    .col(date_null(Attestations::ValidFrom))
                    .col(date_null(Attestations::ValidUntil))
                    .col(integer_null(Attestations::DecisionYear))
                    .col(string_len_null(Attestations::DecisionNumber, 20))
                    .col(string_len_null(Attestations::DecisionUrl, 500))
                    .col(string_len_null(Attestations::Recommendation, 20))
                    .col(string_len(Attestations::Source, 80))
                    .col(string_null(Attestations::SourceReference))
                    .col(date(Attestations::FirstSeen))
                    .col(date(Attestations::LastSeen))
                    .col(string_len(Attestations::Verification, 20))
                    .col(text(Attestations::Unverified))
                    .col(text_null(Attestations::Notes))
                    .col(text(Attestations::References))
                    .col(string_len(Attestations::Confidence, 10))
                    .col(integer(Attestations::Version))
                    .col(timestamp_with_time_zone(Attestations::CreatedAt))
                    .col(timestamp_with_time_zone(Attestations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("attestations_supplier_fk")
                            .from(Attestations::Table, Attestations::SupplierId)
                            .to(Suppliers::Table, Suppliers::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("attestations_offer_fk")
                            .from(Attestations::Table, Attestations::OfferId)
                            .to(Offers::Table, Offers::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // A decision identifies one qualification across catalogue editions (numbers restart every year).
        manager
            .create_index(
                index(
                    "attestations_decision_key",
                    Attestations::Table,
                    &["scheme", "decision_year", "decision_number"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("attestations_supplier_idx", "supplier_id"),
            ("attestations_offer_idx", "offer_id"),
            ("attestations_scheme_idx", "scheme"),
        ] {
            manager
                .create_index(index(name, Attestations::Table, &[column]))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Citations::Table)
                    .col(string_len(Citations::Key, 80).primary_key())
                    .col(string_len(Citations::Kind, 40))
                    .col(text(Citations::Title))
                    .col(text_null(Citations::Locator))
                    .col(string_null(Citations::Version))
                    .col(text_null(Citations::Supports))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(big_pk_auto(AuditEvents::Id))
                    .col(timestamp_with_time_zone(AuditEvents::At))
                    .col(string(AuditEvents::Actor))
                    .col(string_len(AuditEvents::Action, 20))
                    .col(string_len(AuditEvents::Entity, 40))
                    .col(big_integer(AuditEvents::EntityId))
                    .col(string_len(AuditEvents::EntityKey, 80))
                    .col(text_null(AuditEvents::Before))
                    .col(text_null(AuditEvents::After))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "audit_events_entity_idx",
                AuditEvents::Table,
                &["entity", "entity_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(big_pk_auto(ApiTokens::Id))
                    .col(string(ApiTokens::Name))
                    .col(string_len_uniq(ApiTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Dependents first, so that foreign keys never block the drop.
        for table in [
            ApiTokens::Table.into_iden(),
            AuditEvents::Table.into_iden(),
            Citations::Table.into_iden(),
            Attestations::Table.into_iden(),
            OfferAlternatives::Table.into_iden(),
            Offers::Table.into_iden(),
            Suppliers::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
