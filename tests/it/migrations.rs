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

on_both_engines!(migrations_go_up_down_and_up_again);
