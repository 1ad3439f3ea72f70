//! `/api/v1/suppliers`: every route, its happy path, bad input, refused auth and stale writes.

use reqwest::Method;
use serde_json::json;

use crate::on_both_engines;
use crate::support::{Engine, spawn_app, supplier_body};

async fn a_supplier_is_created_read_updated_and_deleted(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    let created = app
        .admin(Method::POST, "/api/v1/suppliers")
        .json(&json!({
            "legal_name": "OVH SAS",
            "trade_names": ["OVHcloud"],
            "aliases": ["OVH"],
            "siren": "424 761 419",
            "vat_number": "FR22424761419",
            "country": "fr",
            "hq_city": "Roubaix",
            "control_chain": [{"name": "OVH Groupe SA", "country": "FR", "relation": "parent"}],
            "ultimate_control_country": "FR"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(created.headers()["etag"], "\"1\"");
    let body: serde_json::Value = created.json().await.unwrap();
    assert_eq!(
        body["siren"], "424761419",
        "identifiers are stored normalised"
    );
    assert_eq!(body["country"], "FR");
    assert_eq!(
        body["key"], "ovhcloud",
        "the key is derived from the trade name"
    );
    assert_eq!(body["exposure"]["level"], "none");
    assert_eq!(location, format!("/api/v1/suppliers/{}", body["id"]));

    let read = app.get(&location).await;
    assert_eq!(read.status(), 200);
    assert_eq!(read.headers()["etag"], "\"1\"");

    let by_siren = app.get_json("/api/v1/suppliers?siren=424761419").await;
    assert_eq!(by_siren["items"].as_array().unwrap().len(), 1);
    assert_eq!(by_siren["items"][0]["legal_name"], "OVH SAS");
    assert_eq!(by_siren["next_cursor"], serde_json::Value::Null);

    let updated = app
        .admin(Method::PATCH, &location)
        .header("If-Match", "\"1\"")
        .json(&json!({"hq_city": "Roubaix (Nord)", "control_chain": [{"name": "Big Cloud Inc.", "country": "US", "relation": "parent"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), 200);
    assert_eq!(updated.headers()["etag"], "\"2\"");
    let body: serde_json::Value = updated.json().await.unwrap();
    assert_eq!(body["hq_city"], "Roubaix (Nord)");
    assert_eq!(
        body["legal_name"], "OVH SAS",
        "fields absent from the patch are kept"
    );
    assert_eq!(
        body["exposure"]["level"], "high",
        "the exposure follows the facts at once"
    );

    let trail = app
        .store
        .audit_trail("supplier", body["id"].as_i64().unwrap())
        .await
        .unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "update"]);
    assert_eq!(trail[1].actor, "token:configured");
    assert_eq!(trail[1].before.as_ref().unwrap()["hq_city"], "Roubaix");
    assert_eq!(
        trail[1].after.as_ref().unwrap()["hq_city"],
        "Roubaix (Nord)"
    );

    let deleted = app
        .admin(Method::DELETE, &location)
        .header("If-Match", "\"2\"")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(app.get(&location).await.status(), 404);
    let trail = app
        .store
        .audit_trail("supplier", body["id"].as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(trail.last().unwrap().action, "delete");
    app.stop().await;
}

async fn a_stale_write_gets_412_and_changes_nothing(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    let created: serde_json::Value = app
        .admin(Method::POST, "/api/v1/suppliers")
        .json(&supplier_body("Acme"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/suppliers/{}", created["id"]);
    let first = app
        .admin(Method::PATCH, &path)
        .header("If-Match", "\"1\"")
        .json(&json!({"hq_city": "Lyon"}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let second = app
        .admin(Method::PATCH, &path)
        .header("If-Match", "\"1\"")
        .json(&json!({"hq_city": "Lille"}))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 412);
    let problem: serde_json::Value = second.json().await.unwrap();
    assert_eq!(problem["code"], "version_mismatch");
    assert_eq!(app.get_json(&path).await["hq_city"], "Lyon");

    let blind = app
        .admin(Method::PATCH, &path)
        .json(&json!({"hq_city": "Lille"}))
        .send()
        .await
        .unwrap();
    assert_eq!(blind.status(), 428, "an update without If-Match is refused");
    assert_eq!(
        blind.json::<serde_json::Value>().await.unwrap()["code"],
        "if_match_required"
    );

    let stale_delete = app
        .admin(Method::DELETE, &path)
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale_delete.status(), 412);
    app.stop().await;
}

async fn writes_without_a_valid_token_are_refused(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    let anonymous = app
        .client
        .post(app.url("/api/v1/suppliers"))
        .json(&supplier_body("Acme"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        anonymous.json::<serde_json::Value>().await.unwrap()["code"],
        "missing_token"
    );
    let wrong = app
        .client
        .post(app.url("/api/v1/suppliers"))
        .bearer_auth("not-a-token-at-all-0000")
        .json(&supplier_body("Acme"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(
        wrong.json::<serde_json::Value>().await.unwrap()["code"],
        "invalid_token"
    );
    for (method, path) in [
        (Method::PATCH, "/api/v1/suppliers/1"),
        (Method::DELETE, "/api/v1/suppliers/1"),
    ] {
        let response = app
            .client
            .request(method, app.url(path))
            .header("If-Match", "\"1\"")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{path}");
    }
    assert!(
        app.store
            .list_suppliers(&Default::default(), Default::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    app.stop().await;
}

async fn bad_identifiers_are_rejected_naming_the_field_and_the_rule(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    let cases = [
        (
            json!({"legal_name": "A", "country": "FR", "siren": "424761418"}),
            "siren",
            "check_digit_mismatch",
        ),
        (
            json!({"legal_name": "A", "country": "FR", "siren": "12345"}),
            "siren",
            "invalid_length",
        ),
        (
            json!({"legal_name": "A", "country": "XX"}),
            "country",
            "unknown_country",
        ),
        (
            json!({"legal_name": "A", "country": "FR", "siren": "424761419", "vat_number": "FR99424761419"}),
            "vat_number",
            "check_digit_mismatch",
        ),
        (
            json!({"legal_name": "A", "country": "FR", "siren": "433115904", "vat_number": "FR22424761419"}),
            "vat_number",
            "vat_siren_mismatch",
        ),
        (
            json!({"legal_name": "A", "country": "FR", "lei": "529900T8BM49AURSDO56"}),
            "lei",
            "check_digit_mismatch",
        ),
        (
            json!({"legal_name": "A", "country": "FR", "siren": "424761419", "siret": "43311590400016"}),
            "siret",
            "siret_siren_mismatch",
        ),
        (
            json!({"legal_name": "A", "country": "FR", "kind": "cooperative"}),
            "kind",
            "unknown_code",
        ),
        (
            json!({"legal_name": "A", "country": "FR", "control_chain": [{"name": "X", "country": "ZZ", "relation": "parent"}]}),
            "control_chain[0].country",
            "unknown_country",
        ),
        (
            json!({"legal_name": "", "country": "FR"}),
            "legal_name",
            "required",
        ),
        (
            json!({"legal_name": "A", "country": "FR", "website": "ovh.com"}),
            "website",
            "invalid_url",
        ),
    ];
    for (body, field, code) in cases {
        let response = app
            .admin(Method::POST, "/api/v1/suppliers")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{body}");
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(problem["field"], field, "{body}");
        assert_eq!(problem["code"], code, "{body}");
        assert_eq!(problem["status"], 422);
        assert!(!problem["detail"].as_str().unwrap().is_empty());
    }
    let missing = app
        .admin(Method::POST, "/api/v1/suppliers")
        .json(&json!({"legal_name": "A"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
    assert_eq!(
        missing.json::<serde_json::Value>().await.unwrap()["field"],
        "country"
    );
    let unknown = app
        .admin(Method::POST, "/api/v1/suppliers")
        .json(&json!({"legal_name": "A", "country": "FR", "colour": "blue"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    assert_eq!(
        unknown.json::<serde_json::Value>().await.unwrap()["field"],
        "colour"
    );
    app.stop().await;
}

async fn a_siren_belongs_to_one_supplier_and_a_supplier_with_offers_stays(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    let body = json!({"legal_name": "Scaleway SAS", "country": "FR", "siren": "433115904"});
    let first = app
        .admin(Method::POST, "/api/v1/suppliers")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let supplier: serde_json::Value = first.json().await.unwrap();
    let again = app
        .admin(Method::POST, "/api/v1/suppliers")
        .json(&json!({"legal_name": "Scaleway bis", "country": "FR", "siren": "433115904"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    let problem: serde_json::Value = again.json().await.unwrap();
    assert_eq!(
        (problem["code"].as_str(), problem["field"].as_str()),
        (Some("conflict"), Some("siren"))
    );

    let offer = app
        .admin(Method::POST, "/api/v1/offers")
        .json(&json!({"supplier_id": supplier["id"], "name": "Instances", "category": "iaas"}))
        .send()
        .await
        .unwrap();
    assert_eq!(offer.status(), 201);
    let refused = app
        .admin(
            Method::DELETE,
            &format!("/api/v1/suppliers/{}", supplier["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 409);
    assert_eq!(
        refused.json::<serde_json::Value>().await.unwrap()["code"],
        "has_dependents"
    );
    app.stop().await;
}

async fn suppliers_are_filtered_by_country_kind_and_exposure(engine: Engine) {
    let Some(app) = spawn_app(engine, true).await else {
        return;
    };
    let german = app.get_json("/api/v1/suppliers?country=DE&limit=200").await;
    let items = german["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|s| s["country"] == "DE"));
    let operators = app
        .get_json("/api/v1/suppliers?kind=public_operator&limit=200")
        .await;
    assert!(
        operators["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["key"] == "dinum")
    );
    let high = app
        .get_json("/api/v1/suppliers?exposure=high&limit=200")
        .await;
    let high = high["items"].as_array().unwrap();
    assert!(!high.is_empty(), "the dataset has US-controlled suppliers");
    assert!(high.iter().all(|s| s["exposure"]["level"] == "high"));
    assert!(high.iter().all(|s| {
        s["exposure"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["effect"] == "high")
    }));
    app.stop().await;
}

on_both_engines!(
    a_supplier_is_created_read_updated_and_deleted,
    a_stale_write_gets_412_and_changes_nothing,
    writes_without_a_valid_token_are_refused,
    bad_identifiers_are_rejected_naming_the_field_and_the_rule,
    a_siren_belongs_to_one_supplier_and_a_supplier_with_offers_stays,
    suppliers_are_filtered_by_country_kind_and_exposure,
);
