//! The migrations run up, down and up again on both engines, and the schema is what the store expects.

use registre_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, Statement};

use crate::on_both_engines;
use crate::support::{Engine, database};

async fn table_count(db: &sea_orm::DatabaseConnection, engine: Engine) -> i64 {
    let sql = match engine {
        Engine::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('suppliers','offers','offer_alternatives','attestations','citations','audit_events','api_tokens')"
        }
        Engine::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('suppliers','offers','offer_alternatives','attestations','citations','audit_events','api_tokens')"
        }
    };
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn migrations_go_up_down_and_up_again(engine: Engine) {
    let Some(test_db) = database(engine).await else {
        return;
    };
    let db = Database::connect(&test_db.url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(table_count(&db, engine).await, 7);
    Migrator::down(&db, None).await.unwrap();
    assert_eq!(table_count(&db, engine).await, 0);
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(table_count(&db, engine).await, 7);
    db.close().await.unwrap();
    // The store opens the migrated database and finds it up to date.
    let store = registre_store::Store::connect(&test_db.url).await.unwrap();
    store.ping().await.unwrap();
}

async fn has_time_zone_column(db: &sea_orm::DatabaseConnection, engine: Engine) -> bool {
    let sql = match engine {
        Engine::Sqlite => {
            "SELECT COUNT(*) AS n FROM pragma_table_info('events') WHERE name = 'time_zone'"
        }
        Engine::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_name = 'events' AND column_name = 'time_zone'"
        }
    };
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap() == 1
}

/// The event time-zone migration (the fourth) on a database holding an event made before it: the
/// event keeps its fixed offset, and the migration goes down and up again.
async fn events_made_before_time_zones_keep_their_fixed_offset(engine: Engine) {
    let Some(test_db) = database(engine).await else {
        return;
    };
    let db = Database::connect(&test_db.url).await.unwrap();
    Migrator::up(&db, Some(3)).await.unwrap();
    assert!(!has_time_zone_column(&db, engine).await);
    db.execute_unprepared(
        "INSERT INTO events (name, day, venue, utc_offset, slots, tables, max_meetings, registration_opens, \
         registration_closes, rules, organiser_token_hash, created_at, schedule_runs) VALUES ('Journée', '2026-03-27', \
         'Bercy', '+01:00', '[{\"start\":\"09:00:00\",\"end\":\"09:30:00\"}]', 2, 3, '2026-03-01T00:00:00Z', \
         '2026-03-20T00:00:00Z', '', 'hash', '2026-03-01T00:00:00Z', 0)",
    )
    .await
    .unwrap();
    Migrator::up(&db, None).await.unwrap();
    assert!(has_time_zone_column(&db, engine).await);
    Migrator::down(&db, Some(1)).await.unwrap();
    assert!(
        !has_time_zone_column(&db, engine).await,
        "down drops the column"
    );
    Migrator::up(&db, None).await.unwrap();
    assert!(has_time_zone_column(&db, engine).await);
    db.close().await.unwrap();
    let store = registre_store::Store::connect(&test_db.url).await.unwrap();
    let event = store.event(1).await.unwrap();
    assert_eq!(event.time_zone, None);
    assert_eq!(event.zone_name(), "UTC+01:00");
    assert_eq!(
        event.instant(event.slots[0].start).to_rfc3339(),
        "2026-03-27T08:00:00+00:00",
        "09:00 at +01:00"
    );
}

on_both_engines!(
    migrations_go_up_down_and_up_again,
    events_made_before_time_zones_keep_their_fixed_offset
);
