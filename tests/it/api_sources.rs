//! The official sources through the API: refresh, freshness, history, feed and review queue.

use std::time::Duration;

use registre_indexer::sources::anssi_catalogue::fixture::{
    Breakage, FixtureEdition, render_fixture,
};
use registre_indexer::sources::contract::SourceConfig;
use reqwest::Method;
use serde_json::json;

use crate::on_both_engines;
use crate::support::{Engine, FixtureServer, spawn_app_with_sources};

async fn a_refresh_through_the_api_applies_the_edition_and_tells_its_story(engine: Engine) {
    let server = FixtureServer::start(render_fixture(&FixtureEdition::december_2025())).await;
    let config = SourceConfig {
        id: "anssi-catalogue",
        url: server.url.clone(),
        interval: Duration::from_secs(3600),
    };
    let Some(app) = spawn_app_with_sources(engine, true, vec![config]).await else {
        return;
    };

    let anonymous = app
        .client
        .post(app.url("/api/v1/sources/anssi-catalogue/refresh"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let unknown = app
        .admin(Method::POST, "/api/v1/sources/nowhere/refresh")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.json::<serde_json::Value>().await.unwrap()["code"],
        "unknown_source"
    );

    let december = app
        .admin(Method::POST, "/api/v1/sources/anssi-catalogue/refresh")
        .send()
        .await
        .unwrap();
    assert_eq!(december.status(), 200);
    let december: serde_json::Value = december.json().await.unwrap();
    assert_eq!(december["outcome"], "applied", "{december}");

    server.serve(
        render_fixture(&FixtureEdition::march_2026()),
        Duration::ZERO,
    );
    let march: serde_json::Value = app
        .admin(Method::POST, "/api/v1/sources/anssi-catalogue/refresh")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(march["outcome"], "applied", "{march}");

    let sources = app.get_json("/api/v1/sources").await;
    let catalogue = &sources["items"][0];
    assert_eq!(catalogue["id"], "anssi-catalogue");
    assert_eq!(catalogue["edition"], "04/03/2026 15:34:17");
    assert_eq!(catalogue["stale"], false);
    assert_eq!(catalogue["last_success"]["outcome"], "applied");

    let changes = app.get_json("/api/v1/changes?limit=200").await;
    let items = changes["items"].as_array().unwrap();
    // December's edition renames bundled offers to the catalogue's service names; March renames Outscale's.
    let rename = items
        .iter()
        .find(|c| {
            c["kind"] == "renamed"
                && c["summary_fr"]
                    .as_str()
                    .unwrap()
                    .contains("IaaS Cloud on Demand")
        })
        .expect("the Outscale rename");
    let since = app
        .get_json(&format!(
            "/api/v1/changes?since={}",
            urlencode(rename["seen_at"].as_str().unwrap())
        ))
        .await;
    assert!(
        since["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["seen_at"].as_str() >= rename["seen_at"].as_str())
    );

    let offer = app
        .get_json(&format!("/api/v1/offers/{}", rename["offer_id"]))
        .await;
    assert_eq!(offer["name"], "IaaS Cloud on Demand");
    let timeline = offer["timeline"].as_array().unwrap();
    assert!(timeline.iter().any(|c| c["kind"] == "renamed"));
    let attestation = offer["attestations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["scheme"] == "secnumcloud")
        .unwrap()
        .clone();
    assert_eq!(attestation["verification"], "verified");

    let feed = app.get("/api/v1/changes.atom").await;
    assert_eq!(feed.status(), 200);
    assert!(
        feed.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let xml = feed.text().await.unwrap();
    assert!(
        xml.contains("<feed") && xml.contains("urn:registre:change:"),
        "{}",
        &xml[..xml.len().min(300)]
    );
    assert!(xml.contains("IaaS Cloud on Demand"));

    // A broken edition fails, is recorded, and changes nothing.
    let before = app.get_json("/api/v1/attestations?limit=200").await;
    server.serve(
        render_fixture(&FixtureEdition::march_2026().broken(Breakage::EmptyTable)),
        Duration::ZERO,
    );
    let failed: serde_json::Value = app
        .admin(Method::POST, "/api/v1/sources/anssi-catalogue/refresh")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(failed["outcome"], "failed");
    assert!(!failed["error"].as_str().unwrap().is_empty());
    assert_eq!(app.get_json("/api/v1/attestations?limit=200").await, before);
    let sources = app.get_json("/api/v1/sources").await;
    assert_eq!(sources["items"][0]["last_attempt"]["outcome"], "failed");
    assert_eq!(
        sources["items"][0]["edition"], "04/03/2026 15:34:17",
        "the applied edition is still the one served"
    );
    app.stop().await;
}

async fn one_run_per_source_at_a_time(engine: Engine) {
    let server = FixtureServer::start(render_fixture(&FixtureEdition::march_2026())).await;
    server.serve(
        render_fixture(&FixtureEdition::march_2026()),
        Duration::from_millis(1500),
    );
    let config = SourceConfig {
        id: "anssi-catalogue",
        url: server.url.clone(),
        interval: Duration::from_secs(3600),
    };
    let Some(app) = spawn_app_with_sources(engine, true, vec![config]).await else {
        return;
    };
    // Two refreshes at once: whichever reaches the server first runs (the source answers after 1.5 s),
    // the other is refused. Which one comes first is up to the scheduler (on a loaded machine the
    // first request sent was seen to arrive second), so only the pair is checked.
    let refresh = || async {
        let response = app
            .admin(Method::POST, "/api/v1/sources/anssi-catalogue/refresh")
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    };
    let (first, second) = tokio::join!(refresh(), refresh());
    let (ran, refused) = if first.0 == 200 {
        (first, second)
    } else {
        (second, first)
    };
    assert_eq!((ran.0, refused.0), (200, 409), "{ran:?} {refused:?}");
    let refused: serde_json::Value = serde_json::from_str(&refused.1).unwrap();
    assert_eq!(refused["code"], "already_running");
    app.stop().await;
}

async fn unknown_suppliers_wait_in_the_review_queue_until_linked(engine: Engine) {
    let mut edition = FixtureEdition::march_2026();
    let mut row = edition.secnumcloud[0].clone();
    row.supplier = "Nuage Inconnu".into();
    row.service = "Nuage souverain".into();
    let old = format!("_{}_", row.decision.number);
    row.decision.number = 9999;
    row.decision.url = row.decision.url.replace(&old, "_9999_");
    edition.secnumcloud.push(row);
    let server = FixtureServer::start(render_fixture(&edition)).await;
    let config = SourceConfig {
        id: "anssi-catalogue",
        url: server.url.clone(),
        interval: Duration::from_secs(3600),
    };
    let Some(app) = spawn_app_with_sources(engine, true, vec![config]).await else {
        return;
    };
    let run: serde_json::Value = app
        .admin(Method::POST, "/api/v1/sources/anssi-catalogue/refresh")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(run["queued_for_review"], 1, "{run}");
    let queue = app.get_json("/api/v1/review-queue").await;
    let item = queue["items"][0].clone();
    assert_eq!(item["supplier_name"], "Nuage Inconnu");
    assert_eq!(item["identity"], "secnumcloud-2024-9999");
    let created = app
        .admin(
            Method::POST,
            &format!("/api/v1/review-queue/{}/create", item["id"]),
        )
        .json(&json!({"legal_name": "Nuage Inconnu SAS", "country": "FR"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);
    assert_eq!(
        created.json::<serde_json::Value>().await.unwrap()["status"],
        "created"
    );
    assert!(
        app.get_json("/api/v1/review-queue").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let again = app
        .admin(
            Method::POST,
            &format!("/api/v1/review-queue/{}/link", item["id"]),
        )
        .json(&json!({"supplier_id": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409, "a resolved item is not resolved twice");
    app.stop().await;
}

fn urlencode(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}

on_both_engines!(
    a_refresh_through_the_api_applies_the_edition_and_tells_its_story,
    one_run_per_source_at_a_time,
    unknown_suppliers_wait_in_the_review_queue_until_linked,
);
