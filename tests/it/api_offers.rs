//! `/api/v1/offers`: routes, links between offers, filters and the computed exposure.

use reqwest::Method;
use serde_json::json;

use crate::on_both_engines;
use crate::support::{Engine, spawn_app, supplier_body};

async fn create(
    app: &crate::support::TestApp,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let response = app
        .admin(Method::POST, path)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "POST {path} {body}");
    response.json().await.unwrap()
}

async fn an_offer_lives_its_whole_life_through_the_api(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    let supplier = create(
        &app,
        "/api/v1/suppliers",
        json!({"legal_name": "Visio SAS", "country": "FR", "ultimate_control_country": "FR"}),
    )
    .await;
    let other = create(
        &app,
        "/api/v1/suppliers",
        json!({"legal_name": "Meetings Inc.", "country": "US", "ultimate_control_country": "US"}),
    )
    .await;
    let zoomish = create(&app, "/api/v1/offers", json!({"supplier_id": other["id"], "name": "Meet Cloud", "category": "video_conferencing", "deployment_models": ["saas"]})).await;
    assert_eq!(zoomish["exposure"]["level"], "high");
    let offer = create(
        &app,
        "/api/v1/offers",
        json!({
            "supplier_id": supplier["id"],
            "name": "Visio souveraine",
            "category": "video_conferencing",
            "description_fr": "Visioconférence hébergée en France.",
            "deployment_models": ["saas"],
            "licences": ["AGPL-3.0-or-later"],
            "hosting_locations": ["FR"],
            "suite_class": "visio",
            "alternative_to": [zoomish["id"]]
        }),
    )
    .await;
    assert_eq!(offer["supplier"]["legal_name"], "Visio SAS");
    assert_eq!(offer["alternative_to"], json!([zoomish["id"]]));
    assert_eq!(offer["exposure"]["level"], "none");
    assert_eq!(offer["key"], "visio-souveraine");
    let path = format!("/api/v1/offers/{}", offer["id"]);

    let patched = app
        .admin(Method::PATCH, &path)
        .header("If-Match", "\"1\"")
        .json(&json!({"hosting_locations": ["FR", "US"], "description_fr": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    let patched: serde_json::Value = patched.json().await.unwrap();
    assert_eq!(
        patched["description_fr"],
        serde_json::Value::Null,
        "null in a merge patch clears the field"
    );
    assert_eq!(
        patched["exposure"]["level"], "medium",
        "hosting outside the EU raises the exposure"
    );
    assert!(
        patched["exposure"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "hosting_outside_eu")
    );

    let by_class = app.get_json("/api/v1/offers?suite_class=visio").await;
    assert_eq!(by_class["items"].as_array().unwrap().len(), 1);
    let by_exposure = app.get_json("/api/v1/offers?exposure=high").await;
    assert_eq!(by_exposure["items"][0]["id"], zoomish["id"]);
    let by_country = app.get_json("/api/v1/offers?country=US").await;
    assert_eq!(by_country["items"].as_array().unwrap().len(), 1);

    let key_change = app
        .admin(Method::PATCH, &path)
        .header("If-Match", "\"2\"")
        .json(&json!({"key": "renamed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(key_change.status(), 422);
    assert_eq!(
        key_change.json::<serde_json::Value>().await.unwrap()["code"],
        "immutable_field"
    );

    let self_link = app
        .admin(Method::PATCH, &path)
        .header("If-Match", "\"2\"")
        .json(&json!({"alternative_to": [offer["id"]]}))
        .send()
        .await
        .unwrap();
    assert_eq!(self_link.status(), 422);
    assert_eq!(
        self_link.json::<serde_json::Value>().await.unwrap()["field"],
        "alternative_to"
    );

    assert_eq!(
        app.admin(Method::DELETE, &path)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(app.get(&path).await.status(), 404);
    // The link disappears with the offer; the other offer stays.
    assert_eq!(
        app.get(&format!("/api/v1/offers/{}", zoomish["id"]))
            .await
            .status(),
        200
    );
    app.stop().await;
}

async fn offer_input_is_checked_field_by_field(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    let supplier = create(&app, "/api/v1/suppliers", supplier_body("Acme")).await;
    let id = supplier["id"].clone();
    let cases = [
        (
            json!({"supplier_id": id, "name": "X", "category": "teams"}),
            "category",
            "unknown_code",
        ),
        (
            json!({"supplier_id": 999_999, "name": "X", "category": "iaas"}),
            "supplier_id",
            "unknown_supplier",
        ),
        (
            json!({"supplier_id": id, "name": "X", "category": "iaas", "deployment_models": ["cloud"]}),
            "deployment_models[0]",
            "unknown_code",
        ),
        (
            json!({"supplier_id": id, "name": "X", "category": "iaas", "hosting_locations": ["FRA"]}),
            "hosting_locations[0]",
            "invalid_length",
        ),
        (
            json!({"supplier_id": id, "name": "X", "category": "iaas", "suite_tier": "socle"}),
            "suite_tier",
            "tier_without_class",
        ),
        (
            json!({"supplier_id": id, "name": "X", "category": "iaas", "licences": ["MIT License"]}),
            "licences",
            "invalid_spdx",
        ),
        (
            json!({"supplier_id": id, "name": "X", "category": "iaas", "alternative_to": [123_456]}),
            "alternative_to",
            "unknown_offer",
        ),
        (
            json!({"supplier_id": id, "name": "X", "category": "iaas", "unverified": ["colour"]}),
            "unverified",
            "unknown_field",
        ),
    ];
    for (body, field, code) in cases {
        let response = app
            .admin(Method::POST, "/api/v1/offers")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{body}");
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            (problem["field"].as_str(), problem["code"].as_str()),
            (Some(field), Some(code)),
            "{body}"
        );
    }
    app.stop().await;
}

async fn the_bundled_offers_answer_the_doctrine_questions(engine: Engine) {
    let Some(app) = spawn_app(engine, true).await else {
        return;
    };
    let socle = app
        .get_json("/api/v1/offers?suite_tier=socle&limit=200")
        .await;
    let names: Vec<&str> = socle["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Tchap"), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("Visio")), "{names:?}");
    assert!(names.contains(&"France Transfert"), "{names:?}");
    let qualified = app
        .get_json("/api/v1/offers?scheme=secnumcloud&status=qualified&limit=200")
        .await;
    let qualified = qualified["items"].as_array().unwrap();
    assert!(
        qualified.len() >= 17,
        "every catalogue row is an offer: {}",
        qualified.len()
    );
    for offer in qualified {
        assert!(
            offer["attestations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["scheme"] == "secnumcloud" && a["status"] == "qualified")
        );
        assert!(
            ["none", "low"].contains(&offer["exposure"]["level"].as_str().unwrap()),
            "{}",
            offer["name"]
        );
    }
    app.stop().await;
}

on_both_engines!(
    an_offer_lives_its_whole_life_through_the_api,
    offer_input_is_checked_field_by_field,
    the_bundled_offers_answer_the_doctrine_questions,
);
