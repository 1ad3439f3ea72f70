//! The error shape, the limits and the service routes.

use reqwest::Method;

use crate::on_both_engines;
use crate::support::{Engine, spawn_app};

async fn bad_parameters_get_a_problem_document_never_a_500(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    let cases = [
        ("/api/v1/suppliers?limit=0", "limit", "limit_out_of_range"),
        ("/api/v1/suppliers?limit=201", "limit", "limit_out_of_range"),
        ("/api/v1/suppliers?limit=ten", "limit", "invalid_parameter"),
        (
            "/api/v1/suppliers?cursor=garbage",
            "cursor",
            "invalid_cursor",
        ),
        (
            "/api/v1/suppliers?country=France",
            "country",
            "invalid_length",
        ),
        (
            "/api/v1/suppliers?siren=123456789",
            "siren",
            "check_digit_mismatch",
        ),
        ("/api/v1/offers?category=teams", "category", "unknown_code"),
        ("/api/v1/offers?exposure=some", "exposure", "unknown_code"),
        (
            "/api/v1/attestations?status=valid",
            "status",
            "unknown_code",
        ),
        ("/api/v1/offers/abc", "id", "invalid_parameter"),
    ];
    for (path, field, code) in cases {
        let response = app.get(path).await;
        assert_eq!(response.status(), 400, "{path}");
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(problem["field"], field, "{path}");
        assert_eq!(problem["code"], code, "{path}");
        assert_eq!(problem["status"], 400);
        assert_eq!(problem["type"], format!("/problems/{code}"));
    }
    let missing = app.get("/api/v1/offers/999999").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.json::<serde_json::Value>().await.unwrap()["code"],
        "not_found"
    );
    let no_route = app.get("/api/v1/unknown").await;
    assert_eq!(no_route.status(), 404);
    assert_eq!(
        no_route.json::<serde_json::Value>().await.unwrap()["code"],
        "route_not_found"
    );

    let not_json = app
        .admin(Method::POST, "/api/v1/suppliers")
        .header("content-type", "application/json")
        .body("{\"legal_name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    assert_eq!(
        not_json.json::<serde_json::Value>().await.unwrap()["code"],
        "invalid_json"
    );
    let wrong_type = app
        .admin(Method::POST, "/api/v1/suppliers")
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 415);
    assert_eq!(
        wrong_type.json::<serde_json::Value>().await.unwrap()["code"],
        "unsupported_media_type"
    );
    let huge = format!(
        "{{\"legal_name\": \"{}\", \"country\": \"FR\"}}",
        "x".repeat(300 * 1024)
    );
    let too_large = app
        .admin(Method::POST, "/api/v1/suppliers")
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(too_large.status(), 413);
    assert_eq!(
        too_large.json::<serde_json::Value>().await.unwrap()["code"],
        "payload_too_large"
    );
    app.stop().await;
}

async fn health_readiness_taxonomy_and_docs_answer(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    assert_eq!(app.get_json("/healthz").await["status"], "alive");
    assert_eq!(app.get_json("/readyz").await["database"], "ok");
    let taxonomy = app.get_json("/api/v1/taxonomy").await;
    let schemes = taxonomy["schemes"].as_array().unwrap();
    for code in [
        "secnumcloud",
        "passi",
        "pris",
        "pdis",
        "pvid",
        "pams",
        "cspn",
        "hds",
        "iso27001",
        "bsi_c5",
        "ens",
        "acn",
        "eu_cloud_coc",
    ] {
        assert!(schemes.iter().any(|s| s["code"] == code), "{code}");
    }
    let socle = taxonomy["suite_tiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "socle")
        .unwrap()
        .clone();
    assert_eq!(socle["label_fr"], "Socle stratégique");
    assert_eq!(socle["label_en"], "Strategic core");
    for key in [
        "categories",
        "suite_classes",
        "statuses",
        "exposure_levels",
        "deployment_models",
    ] {
        assert!(!taxonomy[key].as_array().unwrap().is_empty(), "{key}");
    }
    let spec = app.get_json("/api/v1/openapi.json").await;
    assert!(spec["paths"]["/suppliers"].is_object());
    let docs = app.get("/api/docs/").await;
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
    app.stop().await;
}

on_both_engines!(
    bad_parameters_get_a_problem_document_never_a_500,
    health_readiness_taxonomy_and_docs_answer,
);
