//! Cursor pagination walks every list to the end without duplicates or gaps, even while records are added.

use std::collections::BTreeSet;

use reqwest::Method;

use crate::on_both_engines;
use crate::support::{Engine, TestApp, spawn_app, supplier_body};

async fn walk(app: &TestApp, path: &str, limit: u32) -> Vec<i64> {
    walk_from(app, path, limit, None).await
}

async fn walk_from(app: &TestApp, path: &str, limit: u32, start: Option<String>) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut cursor = start;
    loop {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{path}{separator}limit={limit}");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let page = app.get_json(&url).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit as usize);
        ids.extend(items.iter().map(|item| item["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(next) => {
                assert!(
                    !items.is_empty(),
                    "a page with a next cursor is never empty"
                );
                cursor = Some(next.to_owned());
            }
            None => return ids,
        }
    }
}

async fn every_list_pages_to_the_end_without_duplicates_or_gaps(engine: Engine) {
    let Some(app) = spawn_app(engine, true).await else {
        return;
    };
    for (path, total) in [
        (
            "/api/v1/suppliers",
            app.store
                .list_suppliers(
                    &Default::default(),
                    registre_store::PageRequest {
                        after: None,
                        limit: 200,
                    },
                )
                .await
                .unwrap()
                .items
                .len(),
        ),
        (
            "/api/v1/offers",
            app.store
                .list_offers(
                    &Default::default(),
                    registre_store::PageRequest {
                        after: None,
                        limit: 200,
                    },
                    chrono_today(),
                )
                .await
                .unwrap()
                .items
                .len(),
        ),
        (
            "/api/v1/attestations",
            app.store
                .list_attestations(
                    &Default::default(),
                    registre_store::PageRequest {
                        after: None,
                        limit: 200,
                    },
                    chrono_today(),
                )
                .await
                .unwrap()
                .items
                .len(),
        ),
    ] {
        assert!(total > 7, "{path} has enough records to page through");
        for limit in [1, 7, 200] {
            let ids = walk(&app, path, limit).await;
            let unique: BTreeSet<i64> = ids.iter().copied().collect();
            assert_eq!(ids.len(), unique.len(), "{path} limit {limit}: duplicates");
            assert_eq!(ids.len(), total, "{path} limit {limit}: gaps");
            assert!(ids.windows(2).all(|w| w[0] < w[1]), "{path}: stable order");
        }
    }
    // A filtered list computed after reading (exposure) pages the same way.
    let filtered = walk(&app, "/api/v1/offers?exposure=none", 3).await;
    let all_none = app.get_json("/api/v1/offers?exposure=none&limit=200").await;
    assert_eq!(filtered.len(), all_none["items"].as_array().unwrap().len());

    // Records created while paging appear after the cursor, never twice.
    let first = app.get_json("/api/v1/suppliers?limit=5").await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    app.admin(Method::POST, "/api/v1/suppliers")
        .json(&supplier_body("Late Arrival"))
        .send()
        .await
        .unwrap();
    let rest = walk_from(&app, "/api/v1/suppliers", 50, Some(cursor)).await;
    let seen: BTreeSet<i64> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert!(rest.iter().all(|id| !seen.contains(id)));
    app.stop().await;
}

fn chrono_today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

on_both_engines!(every_list_pages_to_the_end_without_duplicates_or_gaps);
