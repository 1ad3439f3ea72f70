//! The generated OpenAPI document is snapshotted: every API change shows as a reviewed diff.
//! Run with `UPDATE_SNAPSHOTS=1` to accept a change, then review `api/openapi.snapshot.json`.

use crate::support::{Engine, store};

#[tokio::test]
async fn the_openapi_document_matches_its_reviewed_snapshot() {
    let (store, _db) = store(Engine::Sqlite)
        .await
        .expect("SQLite is always available");
    let spec: serde_json::Value = serde_json::from_str(&registre_api::spec_json(&store)).unwrap();
    let rendered = serde_json::to_string_pretty(&spec).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("api/openapi.snapshot.json");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &rendered).unwrap();
    }
    let snapshot = std::fs::read_to_string(&path)
        .expect("api/openapi.snapshot.json exists (UPDATE_SNAPSHOTS=1 writes it)");
    assert!(
        snapshot == rendered,
        "the OpenAPI document changed; review it and run with UPDATE_SNAPSHOTS=1"
    );
    for path in [
        "/suppliers",
        "/suppliers/{id}",
        "/offers",
        "/offers/{id}",
        "/attestations",
        "/attestations/{id}",
        "/taxonomy",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} is documented");
    }
}
