//! `/api/v1/attestations`: provenance, the status that holds today and decision identity.

use reqwest::Method;
use serde_json::json;

use crate::on_both_engines;
use crate::support::{Engine, spawn_app};

async fn an_attestation_past_its_end_date_is_expired_whatever_was_recorded(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    let supplier: serde_json::Value = app
        .admin(Method::POST, "/api/v1/suppliers")
        .json(&json!({"legal_name": "3DS Outscale", "country": "FR", "siren": "527594493", "ultimate_control_country": "FR"}))
        .send().await.unwrap().json().await.unwrap();
    let offer: serde_json::Value = app
        .admin(Method::POST, "/api/v1/offers")
        .json(&json!({"supplier_id": supplier["id"], "name": "IaaS", "category": "iaas", "deployment_models": ["public_cloud"]}))
        .send().await.unwrap().json().await.unwrap();
    let body = |number: &str, until: &str| {
        json!({
            "supplier_id": supplier["id"], "offer_id": offer["id"], "scheme": "secnumcloud", "status": "qualified",
            "service_models": ["iaas"], "valid_from": "2023-11-30", "valid_until": until,
            "decision": {"year": 2023, "number": number, "url": format!("https://example.invalid/visas/2023_{number}_np.pdf")},
            "recommendation": "modere",
            "provenance": {"source": "anssi-catalogue", "source_reference": "édition du 04/03/2026", "first_seen": "2025-12-05", "last_seen": "2026-03-04", "verification": "verified"}
        })
    };
    let current = app
        .admin(Method::POST, "/api/v1/attestations")
        .json(&body("2118", "2099-11-30"))
        .send()
        .await
        .unwrap();
    assert_eq!(current.status(), 201);
    let current: serde_json::Value = current.json().await.unwrap();
    assert_eq!(current["status"], "qualified");
    assert_eq!(current["valid_today"], true);
    assert_eq!(current["provenance"]["source"], "anssi-catalogue");
    assert_eq!(current["provenance"]["first_seen"], "2025-12-05");
    assert_eq!(current["provenance"]["verification"], "verified");
    assert_eq!(current["decision"]["year"], 2023);

    let past = app
        .admin(Method::POST, "/api/v1/attestations")
        .json(&body("2119", "2024-01-01"))
        .send()
        .await
        .unwrap();
    let past: serde_json::Value = past.json().await.unwrap();
    assert_eq!(past["recorded_status"], "qualified");
    assert_eq!(past["status"], "expired");
    assert_eq!(past["valid_today"], false);

    let expired = app.get_json("/api/v1/attestations?status=expired").await;
    assert_eq!(expired["items"].as_array().unwrap().len(), 1);
    assert_eq!(expired["items"][0]["id"], past["id"]);
    let qualified = app
        .get_json("/api/v1/attestations?scheme=secnumcloud&status=qualified")
        .await;
    assert_eq!(qualified["items"].as_array().unwrap().len(), 1);
    assert_eq!(qualified["items"][0]["id"], current["id"]);

    let duplicate = app
        .admin(Method::POST, "/api/v1/attestations")
        .json(&body("2118", "2099-11-30"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        duplicate.status(),
        409,
        "a decision identifies one qualification"
    );
    assert_eq!(
        duplicate.json::<serde_json::Value>().await.unwrap()["field"],
        "decision"
    );

    let path = format!("/api/v1/attestations/{}", current["id"]);
    let patched = app
        .admin(Method::PATCH, &path)
        .header("If-Match", "\"1\"")
        .json(&json!({"recommendation": "critique"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    assert_eq!(
        patched.json::<serde_json::Value>().await.unwrap()["recommendation"],
        "critique"
    );

    let with_offer = app
        .get_json(&format!("/api/v1/offers/{}", offer["id"]))
        .await;
    assert_eq!(with_offer["attestations"].as_array().unwrap().len(), 2);
    assert!(
        with_offer["exposure"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "secnumcloud_immunity")
    );

    let refused = app
        .admin(Method::DELETE, &format!("/api/v1/offers/{}", offer["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        409,
        "an offer with attestations is not deleted silently"
    );
    assert_eq!(
        app.admin(Method::DELETE, &path)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    app.stop().await;
}

async fn attestation_rules_are_enforced(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    let a: serde_json::Value = app
        .admin(Method::POST, "/api/v1/suppliers")
        .json(&json!({"legal_name": "A", "country": "FR"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let b: serde_json::Value = app
        .admin(Method::POST, "/api/v1/suppliers")
        .json(&json!({"legal_name": "B", "country": "FR"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let offer_of_b: serde_json::Value = app
        .admin(Method::POST, "/api/v1/offers")
        .json(&json!({"supplier_id": b["id"], "name": "B cloud", "category": "iaas"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let provenance = json!({"source": "vendor"});
    let cases = [
        (
            json!({"supplier_id": a["id"], "offer_id": offer_of_b["id"], "scheme": "hds", "status": "qualified", "provenance": provenance}),
            "offer_id",
            "offer_of_another_supplier",
        ),
        (
            json!({"supplier_id": a["id"], "scheme": "hds", "status": "qualified", "valid_from": "2026-01-01", "valid_until": "2025-01-01", "provenance": provenance}),
            "valid_until",
            "end_before_start",
        ),
        (
            json!({"supplier_id": a["id"], "scheme": "secnumcloud", "status": "qualified", "milestone": "J1", "provenance": provenance}),
            "milestone",
            "milestone_without_progress",
        ),
        (
            json!({"supplier_id": a["id"], "scheme": "soc2", "status": "qualified", "provenance": provenance}),
            "scheme",
            "unknown_code",
        ),
        (
            json!({"supplier_id": a["id"], "scheme": "hds", "status": "qualified", "provenance": {"source": "vendor", "verification": "trusted"}}),
            "provenance.verification",
            "unknown_code",
        ),
        (
            json!({"supplier_id": a["id"], "scheme": "hds", "status": "qualified", "provenance": {"source": " "}}),
            "provenance.source",
            "required",
        ),
    ];
    for (body, field, code) in cases {
        let response = app
            .admin(Method::POST, "/api/v1/attestations")
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
    let in_progress = app
        .admin(Method::POST, "/api/v1/attestations")
        .json(&json!({"supplier_id": a["id"], "scheme": "secnumcloud", "status": "in_progress", "milestone": "J1", "provenance": provenance}))
        .send().await.unwrap();
    assert_eq!(in_progress.status(), 201);
    let in_progress: serde_json::Value = in_progress.json().await.unwrap();
    assert_eq!(
        in_progress["provenance"]["verification"], "declared",
        "facts are declared unless said otherwise"
    );
    assert_eq!(in_progress["milestone"], "J1");
    app.stop().await;
}

on_both_engines!(
    an_attestation_past_its_end_date_is_expired_whatever_was_recorded,
    attestation_rules_are_enforced,
);
