//! The open-data dump in the running application: written at start, equal to the database, written
//! again after a source refresh that changed something, left as it was after a failed one.

use std::time::{Duration, Instant};

use registre_indexer::sources::anssi_catalogue::fixture::{
    Breakage, FixtureEdition, render_fixture,
};
use registre_indexer::sources::contract::SourceConfig;
use registre_store::PageRequest;
use reqwest::Method;

use crate::on_both_engines;
use crate::support::{Engine, FixtureServer, TestApp, spawn_app_with_sources};

/// The published manifest, waiting up to 60 s for one that `accept`s.
async fn manifest_when(
    app: &TestApp,
    accept: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let response = app.get("/donnees/manifest.json").await;
        if response.status() == 200 {
            let manifest: serde_json::Value = response.json().await.unwrap();
            if accept(&manifest) {
                return manifest;
            }
        }
        assert!(Instant::now() < deadline, "no such dump within 60 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn records(manifest: &serde_json::Value, record_type: &str) -> u64 {
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["record_type"] == record_type)
        .unwrap_or_else(|| panic!("no {record_type} file in {manifest}"))["records"]
        .as_u64()
        .unwrap()
}

/// `(suppliers, offers, attestations, changes)` as the database holds them.
async fn database_counts(app: &TestApp) -> (u64, u64, u64, u64) {
    let (suppliers, offers) = app.store.catalogue_counts().await.unwrap();
    let today = chrono::Utc::now().date_naive();
    let mut attestations = 0;
    let mut after = None;
    loop {
        let page = app
            .store
            .list_attestations(
                &Default::default(),
                PageRequest { after, limit: 200 },
                today,
            )
            .await
            .unwrap();
        attestations += page.items.len() as u64;
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut changes = 0;
    let mut after = None;
    loop {
        let page = app
            .store
            .list_changes(None, PageRequest { after, limit: 200 })
            .await
            .unwrap();
        changes += page.items.len() as u64;
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    (suppliers, offers, attestations, changes)
}

fn dump_counts(manifest: &serde_json::Value) -> (u64, u64, u64, u64) {
    (
        records(manifest, "supplier"),
        records(manifest, "offer"),
        records(manifest, "attestation"),
        records(manifest, "change"),
    )
}

async fn refresh(app: &TestApp) -> serde_json::Value {
    app.admin(Method::POST, "/api/v1/sources/anssi-catalogue/refresh")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn the_dump_follows_successful_refreshes_only(engine: Engine) {
    let server = FixtureServer::start(render_fixture(
        &FixtureEdition::december_2025().broken(Breakage::EmptyTable),
    ))
    .await;
    let config = SourceConfig {
        id: "anssi-catalogue",
        url: server.url.clone(),
        interval: Duration::from_secs(3600),
    };
    let Some(app) = spawn_app_with_sources(engine, true, vec![config]).await else {
        return;
    };

    // Written at start, equal to the database.
    let first = manifest_when(&app, |_| true).await;
    let counts = database_counts(&app).await;
    assert_eq!(dump_counts(&first), counts);
    assert!(counts.0 > 0 && counts.1 > 0 && counts.2 > 0);
    assert_eq!(counts.3, 0, "no source has run yet");
    assert!(
        first["licence"]["name"]
            .as_str()
            .unwrap()
            .contains("Licence Ouverte")
    );
    let suppliers = app.get("/donnees/suppliers.jsonl.gz").await;
    assert_eq!(suppliers.status(), 200);
    let bytes = suppliers.bytes().await.unwrap();
    assert_eq!(
        bytes.len() as u64,
        first["files"][0]["bytes"].as_u64().unwrap()
    );
    let page = app.get("/donnees").await.text().await.unwrap();
    assert!(page.contains("href=\"/donnees/suppliers.jsonl.gz\""));

    // A failed refresh leaves the published dump as it was.
    let failed = refresh(&app).await;
    assert_eq!(failed["outcome"], "failed", "{failed}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after_failure = manifest_when(&app, |_| true).await;
    assert_eq!(after_failure, first, "a failed run wrote a new dump");

    // A refresh that applies an edition is followed by a new dump holding its changes.
    server.serve(
        render_fixture(&FixtureEdition::december_2025()),
        Duration::ZERO,
    );
    let applied = refresh(&app).await;
    assert_eq!(applied["outcome"], "applied", "{applied}");
    let second = manifest_when(&app, |m| m["generated_at"] != first["generated_at"]).await;
    let counts = database_counts(&app).await;
    assert!(counts.3 > 0, "the edition brought changes");
    assert_eq!(dump_counts(&second), counts);
    assert_ne!(
        second["files"][2]["sha256"], first["files"][2]["sha256"],
        "the attestations file changed with the edition"
    );
    assert!(second["last_event_id"].as_i64() > first["last_event_id"].as_i64());
    app.stop().await;
}

on_both_engines!(the_dump_follows_successful_refreshes_only);
