//! `/api/v1/events`: a matchmaking day through the API, from the event's creation to the agendas:
//! registration (JSON and CSV), requests and answers, suggestions from the registry, the schedule
//! checked by the independent checker, the grid, the iCalendar feeds parsed back by a library and
//! the CSV export, and the tokens that open only their own records.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use icalendar::{Calendar, CalendarComponent, Component, EventStatus};
use registre_matchmaking::instance::{
    Administration, AdministrationFlags, Instance, Meeting, Params, Request, Schedule, Vendor,
};
use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_engines;
use crate::support::{Engine, TestApp, spawn_app};

async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn text(request: reqwest::RequestBuilder) -> (u16, String, String) {
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, response.text().await.unwrap())
}

fn with_token(app: &TestApp, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
    app.client.request(method, app.url(path)).bearer_auth(token)
}

async fn created(app: &TestApp, path: &str, body: Value) -> Value {
    let (status, body) = send(app.admin(Method::POST, path).json(&body)).await;
    assert_eq!(status, 201, "POST {path}: {body}");
    body
}

/// The registry the suggestions read: a qualified sovereign host, a host controlled from outside the
/// EU without qualification, and a messaging vendor.
struct Registry {
    sovereign: Value,
    sovereign_offer: Value,
    foreign: Value,
    foreign_offer: Value,
    chat: Value,
    chat_offer: Value,
}

async fn registry(app: &TestApp) -> Registry {
    let sovereign = created(
        app,
        "/api/v1/suppliers",
        json!({"legal_name": "Nuage Souverain SAS", "country": "FR", "ultimate_control_country": "FR"}),
    )
    .await;
    let sovereign_offer = created(
        app,
        "/api/v1/offers",
        json!({"supplier_id": sovereign["id"], "name": "Nuage IaaS", "category": "iaas", "deployment_models": ["public_cloud"], "hosting_locations": ["FR"]}),
    )
    .await;
    created(
        app,
        "/api/v1/attestations",
        json!({
            "supplier_id": sovereign["id"], "offer_id": sovereign_offer["id"], "scheme": "secnumcloud", "status": "qualified",
            "service_models": ["iaas"], "valid_from": "2023-11-30", "valid_until": "2099-11-30",
            "decision": {"year": 2023, "number": "2118", "url": "https://example.invalid/visas/2023_2118_np.pdf"},
            "provenance": {"source": "anssi-catalogue", "source_reference": "édition du 04/03/2026", "first_seen": "2025-12-05", "last_seen": "2026-03-04", "verification": "verified"}
        }),
    )
    .await;
    let foreign = created(
        app,
        "/api/v1/suppliers",
        json!({"legal_name": "Big Cloud France SAS", "country": "FR", "control_chain": [{"name": "Big Cloud Inc.", "country": "US", "relation": "parent"}], "ultimate_control_country": "US"}),
    )
    .await;
    let foreign_offer = created(
        app,
        "/api/v1/offers",
        json!({"supplier_id": foreign["id"], "name": "Big IaaS", "category": "iaas", "deployment_models": ["public_cloud"], "hosting_locations": ["FR"]}),
    )
    .await;
    let chat = created(
        app,
        "/api/v1/suppliers",
        json!({"legal_name": "Causerie SAS", "country": "FR", "ultimate_control_country": "FR"}),
    )
    .await;
    let chat_offer = created(
        app,
        "/api/v1/offers",
        json!({"supplier_id": chat["id"], "name": "Causerie", "category": "messaging", "suite_class": "tchap", "deployment_models": ["public_cloud"], "hosting_locations": ["FR"]}),
    )
    .await;
    Registry {
        sovereign,
        sovereign_offer,
        foreign,
        foreign_offer,
        chat,
        chat_offer,
    }
}

/// 09:00–12:30 in 30-minute slots with a break 10:30–11:00: six slots; two tables.
async fn event(app: &TestApp) -> (i64, String) {
    let now = Utc::now();
    let body = created(
        app,
        "/api/v1/events",
        json!({
            "name": "Journée Alternatives, Bercy", "date": "2026-03-27", "venue": "Bercy, salle Pierre Mendès France",
            "utc_offset": "+01:00", "start": "09:00", "end": "12:30", "slot_minutes": 30,
            "breaks": [{"start": "10:30", "end": "11:00"}], "tables": 2, "max_meetings_per_participant": 3,
            "registration_opens": (now - Duration::hours(1)).to_rfc3339(),
            "registration_closes": (now + Duration::days(1)).to_rfc3339(),
            "rules": "Une demande réciproque pèse 3, une demande de l'administration 2, une demande de l'éditeur 1."
        }),
    )
    .await;
    let slots: Vec<(&str, &str)> = body["event"]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["start"].as_str().unwrap(), s["end"].as_str().unwrap()))
        .collect();
    assert_eq!(
        slots,
        [
            ("09:00", "09:30"),
            ("09:30", "10:00"),
            ("10:00", "10:30"),
            ("11:00", "11:30"),
            ("11:30", "12:00"),
            ("12:00", "12:30")
        ],
        "slots skip the break"
    );
    let token = body["organiser_token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("rgo_"));
    (body["event"]["id"].as_i64().unwrap(), token)
}

struct Who {
    id: i64,
    token: String,
}

async fn register(app: &TestApp, event: i64, organiser: &str, body: Value) -> Who {
    let (status, body) = send(
        with_token(
            app,
            Method::POST,
            &format!("/api/v1/events/{event}/participants"),
            organiser,
        )
        .json(&body),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    Who {
        id: body["participant"]["id"].as_i64().unwrap(),
        token: body["token"].as_str().unwrap().to_owned(),
    }
}

async fn ask(app: &TestApp, event: i64, by: &Who, with: &Who) -> Value {
    let (status, body) = send(
        with_token(
            app,
            Method::POST,
            &format!("/api/v1/events/{event}/requests"),
            &by.token,
        )
        .json(&json!({"with": with.id})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

async fn answer(
    app: &TestApp,
    event: i64,
    by: &Who,
    request: &Value,
    accept: bool,
) -> (u16, Value) {
    send(
        with_token(
            app,
            Method::POST,
            &format!("/api/v1/events/{event}/requests/{}/answer", request["id"]),
            &by.token,
        )
        .json(&json!({"accept": accept})),
    )
    .await
}

/// The instance rebuilt from what the API shows (participants, accepted requests, the event), so
/// that the checker judges the published grid independently of the store.
async fn instance_from_api(app: &TestApp, event: i64, organiser: &str) -> Instance {
    let (_, info) = send(app.client.get(app.url(&format!("/api/v1/events/{event}")))).await;
    let (_, participants) = send(with_token(
        app,
        Method::GET,
        &format!("/api/v1/events/{event}/participants"),
        organiser,
    ))
    .await;
    let (_, requests) = send(with_token(
        app,
        Method::GET,
        &format!("/api/v1/events/{event}/requests"),
        organiser,
    ))
    .await;
    let slots = info["slots"].as_array().unwrap().len();
    let free = |p: &Value| {
        let mut vector = vec![0u8; slots];
        for slot in p["availability"].as_array().unwrap() {
            vector[slot.as_u64().unwrap() as usize] = 1;
        }
        vector
    };
    let mut administrations = Vec::new();
    let mut vendors = Vec::new();
    for p in participants["items"].as_array().unwrap() {
        let reps = p["representatives"].as_u64().unwrap() as u32;
        if p["kind"] == "administration" {
            administrations.push(Administration {
                id: format!("A{}", p["id"]),
                kind: String::new(),
                flags: AdministrationFlags::default(),
                needs: vec![],
                reps,
                availability: free(p),
            });
        } else {
            vendors.push(Vendor {
                id: format!("V{}", p["id"]),
                country: String::new(),
                exposure: String::new(),
                categories: vec![],
                secnumcloud: false,
                hds: false,
                reps,
                availability: free(p),
            });
        }
    }
    let requests = requests["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "accepted")
        .map(|r| Request {
            admin: format!("A{}", r["administration_id"]),
            vendor: format!("V{}", r["vendor_id"]),
            weight: r["weight"].as_u64().unwrap() as u32,
            mutual: r["mutual"].as_bool().unwrap(),
        })
        .collect();
    Instance {
        params: Params {
            scale: String::new(),
            seed: 0,
            administrations: administrations.len(),
            vendors: vendors.len(),
            slots,
            slot_minutes: 30,
            tables: info["tables"].as_u64().unwrap() as usize,
            sessions: vec![],
            purpose: String::new(),
            max_meetings_per_administration: info["max_meetings_per_participant"].as_u64().unwrap()
                as u32,
        },
        administrations,
        vendors,
        requests,
    }
}

fn schedule_of(grid: &Value) -> Schedule {
    let mut meetings = Vec::new();
    for slot in grid["slots"].as_array().unwrap() {
        for (table, cell) in slot["tables"].as_array().unwrap().iter().enumerate() {
            if !cell.is_null() {
                assert_eq!(cell["table"].as_u64().unwrap() as usize, table + 1);
                meetings.push(Meeting {
                    admin: format!("A{}", cell["administration_id"]),
                    vendor: format!("V{}", cell["vendor_id"]),
                    slot: slot["slot"]["index"].as_u64().unwrap() as usize,
                    table,
                });
            }
        }
    }
    Schedule::new(meetings)
}

/// UID → (status, sequence, start) of each VEVENT, read by an iCalendar library.
fn calendar_events(text: &str) -> HashMap<String, (Option<EventStatus>, u32, String)> {
    let calendar: Calendar = text.parse().expect("a valid iCalendar document");
    calendar
        .components
        .iter()
        .filter_map(|component| match component {
            CalendarComponent::Event(event) => Some((
                event.get_uid().expect("every meeting has a UID").to_owned(),
                (
                    event.get_status(),
                    event.get_sequence().unwrap_or(0),
                    event
                        .property_value("DTSTART")
                        .unwrap_or_default()
                        .to_owned(),
                ),
            )),
            _ => None,
        })
        .collect()
}

async fn agenda_ics(app: &TestApp, event: i64, who: &Who) -> String {
    let (status, kind, body) = text(with_token(
        app,
        Method::GET,
        &format!("/api/v1/events/{event}/participants/{}/agenda.ics", who.id),
        &who.token,
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(kind.starts_with("text/calendar"), "{kind}");
    body
}

async fn grid(app: &TestApp, event: i64, organiser: &str) -> Value {
    let (status, grid) = send(with_token(
        app,
        Method::GET,
        &format!("/api/v1/events/{event}/schedule"),
        organiser,
    ))
    .await;
    assert_eq!(status, 200, "{grid}");
    grid
}

async fn a_matchmaking_day_runs_from_registration_to_agendas(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    let registry = registry(&app).await;
    let (event, organiser) = event(&app).await;

    let hospital = register(
        &app,
        event,
        &organiser,
        json!({"kind": "administration", "name": "CHU de Lille", "categories": ["iaas"], "sensitivity": "sensitive",
               "free_text": "Hébergement du DPI", "representatives": 1}),
    )
    .await;
    let ministry = register(
        &app,
        event,
        &organiser,
        json!({"kind": "administration", "name": "Ministère A", "categories": ["iaas"], "suite_classes": ["tchap"]}),
    )
    .await;
    let town = register(
        &app,
        event,
        &organiser,
        json!({"kind": "administration", "name": "Ville B", "categories": ["iaas"], "availability": [0, 1, 2]}),
    )
    .await;
    let nuage = register(
        &app,
        event,
        &organiser,
        json!({"kind": "vendor", "name": "Nuage Souverain", "supplier_id": registry.sovereign["id"], "offer_ids": [registry.sovereign_offer["id"]]}),
    )
    .await;
    let big = register(
        &app,
        event,
        &organiser,
        json!({"kind": "vendor", "name": "Big Cloud", "supplier_id": registry.foreign["id"], "offer_ids": [registry.foreign_offer["id"]]}),
    )
    .await;
    let causerie = register(
        &app,
        event,
        &organiser,
        json!({"kind": "vendor", "name": "Causerie", "supplier_id": registry.chat["id"], "offer_ids": [registry.chat_offer["id"]]}),
    )
    .await;

    // Registration needs the organiser, and a vendor's offers must be its supplier's.
    let (status, body) = send(
        with_token(
            &app,
            Method::POST,
            &format!("/api/v1/events/{event}/participants"),
            &hospital.token,
        )
        .json(&json!({"kind": "administration", "name": "X", "categories": ["iaas"]})),
    )
    .await;
    assert_eq!(status, 403, "a known token without the right: {body}");
    assert_eq!(body["code"], "organiser_token_required");
    let (status, body) = send(
        with_token(&app, Method::POST, &format!("/api/v1/events/{event}/participants"), &organiser)
            .json(&json!({"kind": "vendor", "name": "X", "supplier_id": registry.chat["id"], "offer_ids": [registry.foreign_offer["id"]]})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["code"], "offer_of_another_supplier");
    assert_eq!(body["field"], "offer_ids[0]");

    // Suggestions: the qualified sovereign host for the sensitive hospital; the other one excluded.
    let (status, suggestions) = send(with_token(
        &app,
        Method::GET,
        &format!(
            "/api/v1/events/{event}/participants/{}/suggestions",
            hospital.id
        ),
        &hospital.token,
    ))
    .await;
    assert_eq!(status, 200, "{suggestions}");
    assert_eq!(suggestions["requirements"], json!(["secnumcloud"]));
    let suggested = suggestions["suggested"].as_array().unwrap();
    assert_eq!(suggested.len(), 1, "{suggestions}");
    assert_eq!(suggested[0]["offer_id"], registry.sovereign_offer["id"]);
    assert_eq!(suggested[0]["vendor_participant_id"], nuage.id);
    let codes: Vec<&str> = suggested[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "matching_category",
            "valid_secnumcloud",
            "exposure",
            "vendor_registered"
        ]
    );
    let excluded = suggestions["excluded"].as_array().unwrap();
    assert_eq!(excluded.len(), 1);
    assert_eq!(excluded[0]["offer_id"], registry.foreign_offer["id"]);
    let why: Vec<&str> = excluded[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(why, ["no_valid_secnumcloud", "exposed_to_extra_eu_law"]);
    // The ministry (standard data) sees both hosts and the messaging tool, the Suite class first.
    let (_, suggestions) = send(with_token(
        &app,
        Method::GET,
        &format!(
            "/api/v1/events/{event}/participants/{}/suggestions",
            ministry.id
        ),
        &organiser,
    ))
    .await;
    let suggested: Vec<&Value> = suggestions["suggested"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(suggested.len(), 3, "{suggestions}");
    assert_eq!(suggested[0]["offer_id"], registry.chat_offer["id"]);
    assert_eq!(suggested[0]["reasons"][0]["code"], "matching_suite_class");
    assert!(suggestions["excluded"].as_array().unwrap().is_empty());
    // Another participant's suggestions stay closed.
    let (status, body) = send(with_token(
        &app,
        Method::GET,
        &format!(
            "/api/v1/events/{event}/participants/{}/suggestions",
            hospital.id
        ),
        &ministry.token,
    ))
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "not_this_participant");

    // Participants find each other in the event's directory.
    let (status, directory) = send(with_token(
        &app,
        Method::GET,
        &format!("/api/v1/events/{event}/participants"),
        &causerie.token,
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(directory["items"].as_array().unwrap().len(), 6);
    assert_eq!(
        directory["items"][0]["requirements"],
        json!(["secnumcloud"])
    );

    // Requests: mutual, administration-only, vendor-only; a decline; answers only by the asked side.
    let first = ask(&app, event, &hospital, &nuage).await;
    assert_eq!(first["status"], "pending");
    assert_eq!(first["weight"], 2);
    let mutual = ask(&app, event, &nuage, &hospital).await;
    assert_eq!(
        mutual["id"], first["id"],
        "asking back joins the same request"
    );
    assert_eq!(mutual["status"], "accepted");
    assert_eq!(mutual["mutual"], true);
    assert_eq!(mutual["weight"], 3);
    let refused = ask(&app, event, &hospital, &big).await;
    let (status, body) = answer(&app, event, &hospital, &refused, true).await;
    assert_eq!(status, 409, "the asking side cannot answer: {body}");
    let (status, body) = answer(&app, event, &big, &refused, false).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("declined")));
    let ministry_chat = ask(&app, event, &ministry, &causerie).await;
    let (status, body) = answer(&app, event, &causerie, &ministry_chat, true).await;
    assert_eq!((status, body["weight"].as_u64()), (200, Some(2)));
    let big_ministry = ask(&app, event, &big, &ministry).await;
    let (status, body) = answer(&app, event, &ministry, &big_ministry, true).await;
    assert_eq!((status, body["weight"].as_u64()), (200, Some(1)));
    let nuage_town = ask(&app, event, &nuage, &town).await;
    answer(&app, event, &town, &nuage_town, true).await;
    let town_chat = ask(&app, event, &town, &causerie).await;
    answer(&app, event, &causerie, &town_chat, true).await;
    let (status, _) = answer(&app, event, &town, &ministry_chat, false).await;
    assert_eq!(status, 404, "a request of others is not found");
    let (status, body) = send(
        with_token(
            &app,
            Method::POST,
            &format!("/api/v1/events/{event}/requests"),
            &hospital.token,
        )
        .json(&json!({"with": town.id})),
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (422, Some("same_side")));
    let (_, own) = send(with_token(
        &app,
        Method::GET,
        &format!("/api/v1/events/{event}/requests"),
        &causerie.token,
    ))
    .await;
    assert_eq!(
        own["items"].as_array().unwrap().len(),
        2,
        "a participant sees its own requests"
    );

    // Scheduling: only the organiser, with a published seed; the grid passes the checker.
    let (status, _) = send(
        with_token(
            &app,
            Method::POST,
            &format!("/api/v1/events/{event}/schedule"),
            &hospital.token,
        )
        .json(&json!({"seed": 42})),
    )
    .await;
    assert_eq!(status, 403);
    let (status, report) = send(
        with_token(
            &app,
            Method::POST,
            &format!("/api/v1/events/{event}/schedule"),
            &organiser,
        )
        .json(&json!({"seed": 42})),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["meetings"], 5,
        "every accepted request meets: {report}"
    );
    let (status, body) = send(
        with_token(
            &app,
            Method::POST,
            &format!("/api/v1/events/{event}/schedule"),
            &organiser,
        )
        .json(&json!({"seed": 42})),
    )
    .await;
    assert_eq!(
        status, 409,
        "a published schedule is re-scheduled, not replaced: {body}"
    );
    let first_grid = grid(&app, event, &organiser).await;
    assert_eq!(first_grid["schedule_seed"], 42);
    let instance = instance_from_api(&app, event, &organiser).await;
    let schedule = schedule_of(&first_grid);
    assert_eq!(schedule.len(), 5);
    assert_eq!(registre_matchmaking::check(&instance, &schedule), vec![]);
    assert!(
        schedule
            .meetings
            .iter()
            .filter(|m| m.admin == format!("A{}", town.id))
            .all(|m| m.slot <= 2),
        "the town is met only when it is free"
    );
    assert!(!first_grid["decisions"].as_array().unwrap().is_empty());

    // The agenda, as JSON and as iCalendar.
    let (status, agenda) = send(with_token(
        &app,
        Method::GET,
        &format!("/api/v1/events/{event}/participants/{}/agenda", hospital.id),
        &hospital.token,
    ))
    .await;
    assert_eq!(status, 200, "{agenda}");
    let meetings = agenda["meetings"].as_array().unwrap();
    assert_eq!(meetings.len(), 1);
    assert_eq!(meetings[0]["vendor"], "Nuage Souverain");
    assert_eq!(meetings[0]["weight"], 3);
    let uid = format!("meeting-{event}-{}-{}@registre", hospital.id, nuage.id);
    assert_eq!(meetings[0]["uid"], uid);
    assert!(!agenda["decisions"].as_array().unwrap().is_empty());
    let calendar = calendar_events(&agenda_ics(&app, event, &hospital).await);
    assert_eq!(calendar.len(), 1);
    let (status, sequence, start) = &calendar[&uid];
    assert_eq!((status, *sequence), (&Some(EventStatus::Confirmed), 0));
    assert!(start.starts_with("20260327T"), "{start}");
    assert!(start.ends_with('Z'), "times are given in UTC: {start}");

    // Another participant's agenda is refused, in both forms; no token at all too.
    for path in ["agenda", "agenda.ics"] {
        let (status, _, body) = text(with_token(
            &app,
            Method::GET,
            &format!("/api/v1/events/{event}/participants/{}/{path}", hospital.id),
            &big.token,
        ))
        .await;
        assert_eq!(status, 403, "{body}");
        assert!(body.contains("not_this_participant"), "{body}");
        let (status, _, _) = text(app.client.get(app.url(&format!(
            "/api/v1/events/{event}/participants/{}/{path}",
            hospital.id
        ))))
        .await;
        assert_eq!(status, 401);
    }

    let (status, body) = send(
        with_token(
            &app,
            Method::PUT,
            &format!(
                "/api/v1/events/{event}/participants/{}/availability",
                hospital.id
            ),
            &big.token,
        )
        .json(&json!({"slots": [0]})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("not_this_participant"))
    );

    // A cancellation and a new request, then a re-schedule: UIDs stay, the cancelled meeting is sent
    // as cancelled with a higher sequence.
    let ministry_before = calendar_events(&agenda_ics(&app, event, &ministry).await);
    assert_eq!(ministry_before.len(), 2);
    let (status, body) = answer(&app, event, &causerie, &ministry_chat, false).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("declined")));
    let hospital_slot = meetings[0]["slot"].as_u64().unwrap();
    let free: Vec<u64> = (0..6).filter(|slot| *slot != hospital_slot).collect();
    let (status, body) = send(
        with_token(
            &app,
            Method::PUT,
            &format!(
                "/api/v1/events/{event}/participants/{}/availability",
                hospital.id
            ),
            &hospital.token,
        )
        .json(&json!({"slots": free})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["availability"], json!(free));
    let late = ask(&app, event, &hospital, &causerie).await;
    answer(&app, event, &causerie, &late, true).await;
    let (status, report) = send(
        with_token(
            &app,
            Method::POST,
            &format!("/api/v1/events/{event}/reschedule"),
            &organiser,
        )
        .json(&json!({"seed": 7})),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["cancelled"], 1, "{report}");
    assert_eq!(report["added"], 1, "{report}");
    assert_eq!(report["meetings"], 5, "{report}");
    let ministry_after = calendar_events(&agenda_ics(&app, event, &ministry).await);
    let cancelled_uid = format!("meeting-{event}-{}-{}@registre", ministry.id, causerie.id);
    assert_eq!(
        ministry_after
            .keys()
            .collect::<std::collections::BTreeSet<_>>(),
        ministry_before.keys().collect(),
        "the same UIDs across the re-schedule"
    );
    let (status, sequence, _) = &ministry_after[&cancelled_uid];
    assert_eq!(status, &Some(EventStatus::Cancelled));
    assert_eq!(*sequence, 1);
    for (uid, (status, sequence, start)) in &ministry_after {
        if uid != &cancelled_uid {
            assert_eq!(status, &Some(EventStatus::Confirmed));
            let (_, before_sequence, before_start) = &ministry_before[uid];
            assert_eq!(
                start != before_start,
                sequence > before_sequence,
                "the sequence grows exactly when the meeting moves"
            );
        }
    }
    assert!(report["moved"].as_u64().unwrap() >= 1, "{report}");
    let hospital_after = calendar_events(&agenda_ics(&app, event, &hospital).await);
    let (status, sequence, start_after) = &hospital_after[&uid];
    assert_eq!(
        status,
        &Some(EventStatus::Confirmed),
        "the meeting moved, same UID"
    );
    assert_eq!(*sequence, 1, "a moved meeting's sequence is bumped");
    assert_ne!(start_after, start, "{start_after}");
    let second_grid = grid(&app, event, &organiser).await;
    assert_eq!(second_grid["cancelled"].as_array().unwrap().len(), 1);
    let instance = instance_from_api(&app, event, &organiser).await;
    assert_eq!(
        registre_matchmaking::check(&instance, &schedule_of(&second_grid)),
        vec![]
    );

    // The report after the day links each meeting to the registry's records.
    let (status, _) = send(with_token(
        &app,
        Method::GET,
        &format!("/api/v1/events/{event}/report"),
        &nuage.token,
    ))
    .await;
    assert_eq!(status, 403);
    let (status, report) = send(with_token(
        &app,
        Method::GET,
        &format!("/api/v1/events/{event}/report"),
        &organiser,
    ))
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["cancelled"], 1);
    assert_eq!(report["without_meeting"], json!([]));
    let held = report["meetings"].as_array().unwrap();
    assert_eq!(held.len(), 5);
    let with_nuage = held
        .iter()
        .find(|m| m["uid"] == uid)
        .expect("the hospital still meets Nuage Souverain");
    assert_eq!(with_nuage["supplier"]["id"], registry.sovereign["id"]);
    assert_eq!(
        with_nuage["supplier"]["href"],
        format!("/api/v1/suppliers/{}", registry.sovereign["id"])
    );
    assert_eq!(with_nuage["offers"][0]["name"], "Nuage IaaS");
    let held_weight: u64 = held.iter().map(|m| m["weight"].as_u64().unwrap()).sum();
    assert_eq!(report["total_weight"], held_weight);

    // The CSV export lists every meeting, the cancelled one included.
    let (status, kind, body) = text(with_token(
        &app,
        Method::GET,
        &format!("/api/v1/events/{event}/schedule.csv"),
        &organiser,
    ))
    .await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/csv"), "{kind}");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "slot");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6);
    let status_column = headers.iter().position(|h| h == "status").unwrap();
    assert_eq!(
        rows.iter()
            .filter(|r| &r[status_column] == "cancelled")
            .count(),
        1
    );
    app.stop().await;
}

async fn a_csv_import_keeps_good_rows_and_reports_bad_ones_by_line(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    let registry = registry(&app).await;
    let (event, organiser) = event(&app).await;
    let csv = format!(
        "kind,name,representatives,availability,categories,suite_classes,sensitivity,free_text,supplier_id,offer_ids\n\
         administration,CHU de Rouen,2,0;1;2,iaas,,health,\"Hébergement, santé\",,\n\
         buyer,Ville C,1,,iaas,,,,,\n\
         administration,Ville D,1,,cloud,,,,,\n\
         vendor,Inconnu,1,,,,,,999999,\n\
         vendor,Nuage Souverain,1,3;4;5,,,,,{},{}\n\
         administration,Ville E,1,0;9,iaas,,,,,\n",
        registry.sovereign["id"], registry.sovereign_offer["id"]
    );
    let (status, report) = send(
        with_token(
            &app,
            Method::POST,
            &format!("/api/v1/events/{event}/participants/import"),
            &organiser,
        )
        .header("content-type", "text/csv")
        .body(csv),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let registered = report["registered"].as_array().unwrap();
    let names: Vec<&str> = registered
        .iter()
        .map(|r| r["participant"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["CHU de Rouen", "Nuage Souverain"]);
    assert_eq!(registered[0]["participant"]["requirements"], json!(["hds"]));
    assert_eq!(
        registered[0]["participant"]["free_text"],
        "Hébergement, santé"
    );
    assert!(
        registered
            .iter()
            .all(|r| r["token"].as_str().unwrap().starts_with("rgp_"))
    );
    let errors: Vec<(u64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            (3, "kind"),
            (4, "categories"),
            (5, "supplier_id"),
            (7, "availability")
        ]
    );
    assert!(
        report["errors"][1]["reason"]
            .as_str()
            .unwrap()
            .contains("cloud")
    );
    // The imported participant's token opens its own agenda (empty before any schedule).
    let token = registered[0]["token"].as_str().unwrap();
    let id = registered[0]["participant"]["id"].as_i64().unwrap();
    let (status, agenda) = send(with_token(
        &app,
        Method::GET,
        &format!("/api/v1/events/{event}/participants/{id}/agenda"),
        token,
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(agenda["meetings"], json!([]));
    // A file without the required columns is refused whole; JSON is not CSV.
    let (status, body) = send(
        with_token(
            &app,
            Method::POST,
            &format!("/api/v1/events/{event}/participants/import"),
            &organiser,
        )
        .header("content-type", "text/csv")
        .body("name\nVille F\n"),
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("kind")));
    let (status, _) = send(
        with_token(
            &app,
            Method::POST,
            &format!("/api/v1/events/{event}/participants/import"),
            &organiser,
        )
        .json(&json!({})),
    )
    .await;
    assert_eq!(status, 415);
    app.stop().await;
}

async fn events_refuse_bad_input_and_foreign_tokens(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    let now = Utc::now();
    let base = json!({
        "name": "Journée", "date": "2026-03-27", "venue": "Bercy", "start": "09:00", "end": "10:00",
        "slot_minutes": 20, "tables": 1, "max_meetings_per_participant": 2,
        "registration_opens": (now - Duration::hours(2)).to_rfc3339(),
        "registration_closes": (now - Duration::hours(1)).to_rfc3339()
    });
    // Only an admin token creates an event.
    let (status, _) =
        send(with_token(&app, Method::POST, "/api/v1/events", "not-a-token").json(&base)).await;
    assert_eq!(status, 401);
    let mut bad = base.clone();
    bad["start"] = json!("9h");
    let (status, body) = send(app.admin(Method::POST, "/api/v1/events").json(&bad)).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("start")));
    let mut bad = base.clone();
    bad["breaks"] = json!([{"start": "09:00", "end": "10:00"}]);
    let (status, body) = send(app.admin(Method::POST, "/api/v1/events").json(&bad)).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("no_slots")));
    // Registration is closed: refused.
    let body = created(&app, "/api/v1/events", base).await;
    let event = body["event"]["id"].as_i64().unwrap();
    assert_eq!(body["event"]["slots"].as_array().unwrap().len(), 3);
    let organiser = body["organiser_token"].as_str().unwrap();
    let (status, body) = send(
        with_token(
            &app,
            Method::POST,
            &format!("/api/v1/events/{event}/participants"),
            organiser,
        )
        .json(&json!({"kind": "administration", "name": "Ville", "categories": ["iaas"]})),
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (409, Some("registration"))
    );
    // Another event's organiser token opens nothing here.
    let (_, other) = event_pair(&app).await;
    let (status, _) = send(with_token(
        &app,
        Method::GET,
        &format!("/api/v1/events/{event}/participants"),
        &other,
    ))
    .await;
    assert_eq!(status, 401);
    let (status, body) = send(app.client.get(app.url("/api/v1/events/999999"))).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
    app.stop().await;
}

async fn event_pair(app: &TestApp) -> (i64, String) {
    event(app).await
}

/// Sends `copies` identical requests at the same moment and returns their statuses and bodies.
async fn all_at_once(requests: Vec<reqwest::RequestBuilder>) -> Vec<(u16, Value)> {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(requests.len()));
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|request| {
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                send(request).await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("the request task ends"));
    }
    answers
}

async fn simultaneous_identical_requests_get_one_success_and_conflicts_never_a_500(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    let registry = registry(&app).await;
    let (event, organiser) = event(&app).await;
    let path = format!("/api/v1/events/{event}/requests");
    for round in 0..4 {
        let administration = register(
            &app,
            event,
            &organiser,
            json!({"kind": "administration", "name": format!("Ville {round}"), "categories": ["iaas"]}),
        )
        .await;
        let vendor = register(
            &app,
            event,
            &organiser,
            json!({"kind": "vendor", "name": format!("Nuage {round}"), "supplier_id": registry.sovereign["id"]}),
        )
        .await;
        // The same request, posted six times at once by the same administration.
        let copies = (0..6)
            .map(|_| {
                with_token(&app, Method::POST, &path, &administration.token)
                    .json(&json!({"with": vendor.id}))
            })
            .collect();
        let answers = all_at_once(copies).await;
        let created: Vec<_> = answers
            .iter()
            .filter(|(status, _)| *status == 201)
            .collect();
        assert_eq!(created.len(), 1, "exactly one is created: {answers:?}");
        for (status, body) in answers.iter().filter(|(status, _)| *status != 201) {
            assert_eq!(
                *status, 409,
                "a duplicate is a conflict, never a 500: {body}"
            );
            assert_eq!(body["code"], "already_exists", "{body}");
        }
        // Asking again afterwards is the same conflict, with the field at fault.
        let (status, body) = send(
            with_token(&app, Method::POST, &path, &administration.token)
                .json(&json!({"with": vendor.id})),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str(), body["field"].as_str()),
            (409, Some("already_exists"), Some("with")),
            "{body}"
        );
        // Both sides asking at the same moment make one mutual, accepted wish.
        let other = register(
            &app,
            event,
            &organiser,
            json!({"kind": "vendor", "name": format!("Causerie {round}"), "supplier_id": registry.chat["id"]}),
        )
        .await;
        let answers = all_at_once(vec![
            with_token(&app, Method::POST, &path, &administration.token)
                .json(&json!({"with": other.id})),
            with_token(&app, Method::POST, &path, &other.token)
                .json(&json!({"with": administration.id})),
        ])
        .await;
        for (status, body) in &answers {
            assert_eq!(
                *status, 201,
                "asking back at the same time is no conflict: {answers:?}"
            );
            assert_eq!(body["id"], answers[0].1["id"], "one request for the pair");
        }
        let (_, own) = send(with_token(&app, Method::GET, &path, &administration.token)).await;
        let items = own["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "one request per pair: {own}");
        let mutual = items.iter().find(|r| r["vendor_id"] == other.id).unwrap();
        assert_eq!(
            (
                mutual["status"].as_str(),
                mutual["mutual"].as_bool(),
                mutual["weight"].as_u64()
            ),
            (Some("accepted"), Some(true), Some(3)),
            "{mutual}"
        );
    }
    app.stop().await;
}

async fn a_unique_index_violation_is_a_duplicate_on_both_engines(engine: Engine) {
    let Some((store, db)) = crate::support::store(engine).await else {
        return;
    };
    let raw = sea_orm::Database::connect(&db.url).await.unwrap();
    use sea_orm::ConnectionTrait;
    let insert = "INSERT INTO api_tokens (name, token_hash, created_at) VALUES ('twice', 'ab', '2026-11-29T00:00:00Z')";
    let columns = match engine {
        Engine::Sqlite => "SELECT name FROM pragma_table_info('api_tokens')",
        Engine::Postgres => {
            "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'api_tokens'"
        }
    };
    let names: Vec<String> = raw
        .query_all_raw(sea_orm::Statement::from_string(
            raw.get_database_backend(),
            columns,
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "name").unwrap())
        .collect();
    assert!(
        names.iter().any(|n| n == "token_hash"),
        "the unique column this test relies on: {names:?}"
    );
    raw.execute_unprepared(insert).await.unwrap();
    let error = raw.execute_unprepared(insert).await.unwrap_err();
    let error = registre_store::StoreError::from(error);
    assert!(
        matches!(error, registre_store::StoreError::Duplicate { .. }),
        "{error:?}"
    );
    // Any other database error stays one.
    let error = raw
        .execute_unprepared("SELECT * FROM no_such_table")
        .await
        .unwrap_err();
    assert!(matches!(
        registre_store::StoreError::from(error),
        registre_store::StoreError::Database(_)
    ));
    raw.close().await.unwrap();
    drop(store);
}

/// A Europe/Paris event on 29 March 2026, when clocks go forward at 02:00: three slots before the
/// change (+01:00), a break over it, three after (+02:00).
fn spring_forward_event(now: chrono::DateTime<Utc>) -> Value {
    json!({
        "name": "Nuit du changement d'heure", "date": "2026-03-29", "venue": "Paris",
        "time_zone": "Europe/Paris", "start": "00:00", "end": "05:00", "slot_minutes": 30,
        "breaks": [{"start": "01:30", "end": "03:30"}], "tables": 1, "max_meetings_per_participant": 3,
        "registration_opens": (now - Duration::hours(1)).to_rfc3339(),
        "registration_closes": (now + Duration::days(1)).to_rfc3339()
    })
}

fn property<'a>(
    component: &'a icalendar::parser::Component<'a>,
    name: &str,
) -> Option<&'a icalendar::parser::Property<'a>> {
    component
        .properties
        .iter()
        .find(|p| p.name.as_str() == name)
}

async fn an_event_in_a_named_time_zone_places_its_slots_and_calendars_in_it(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    let registry = registry(&app).await;
    let now = Utc::now();
    // An unknown zone, a slot in the hour that does not exist, an offset that contradicts the zone.
    let mut bad = spring_forward_event(now);
    bad["time_zone"] = json!("Europe/Pariss");
    let (status, body) = send(app.admin(Method::POST, "/api/v1/events").json(&bad)).await;
    assert_eq!(
        (status, body["code"].as_str(), body["field"].as_str()),
        (422, Some("unknown_time_zone"), Some("time_zone")),
        "{body}"
    );
    assert!(
        body["detail"].as_str().unwrap().contains("Europe/Pariss"),
        "{body}"
    );
    let mut bad = spring_forward_event(now);
    bad["breaks"] = json!([]);
    let (status, body) = send(app.admin(Method::POST, "/api/v1/events").json(&bad)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("nonexistent_local_time")),
        "02:00–02:30 does not exist that night: {body}"
    );
    let mut bad = spring_forward_event(now);
    bad["date"] = json!("2026-10-25");
    bad["breaks"] = json!([]);
    let (status, body) = send(app.admin(Method::POST, "/api/v1/events").json(&bad)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("ambiguous_local_time")),
        "02:00–03:00 happens twice that night: {body}"
    );
    let mut bad = spring_forward_event(now);
    bad["utc_offset"] = json!("+02:00");
    let (status, body) = send(app.admin(Method::POST, "/api/v1/events").json(&bad)).await;
    assert_eq!(
        (status, body["code"].as_str(), body["field"].as_str()),
        (422, Some("offset_mismatch"), Some("utc_offset")),
        "{body}"
    );

    // Summer and winter: the same zone, the offset of the day.
    let mut summer = spring_forward_event(now);
    summer["date"] = json!("2026-06-10");
    summer["breaks"] = json!([]);
    let summer = created(&app, "/api/v1/events", summer).await;
    assert_eq!(summer["event"]["time_zone"], "Europe/Paris");
    assert_eq!(summer["event"]["utc_offset"], "+02:00");
    assert_eq!(
        summer["event"]["slots"][0]["starts_at"],
        "2026-06-10T00:00:00+02:00"
    );

    let body = created(&app, "/api/v1/events", spring_forward_event(now)).await;
    let event = body["event"]["id"].as_i64().unwrap();
    let organiser = body["organiser_token"].as_str().unwrap().to_owned();
    assert_eq!(
        body["event"]["utc_offset"], "+01:00",
        "the offset of the first slot"
    );
    let starts: Vec<&str> = body["event"]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["starts_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        [
            "2026-03-29T00:00:00+01:00",
            "2026-03-29T00:30:00+01:00",
            "2026-03-29T01:00:00+01:00",
            "2026-03-29T03:30:00+02:00",
            "2026-03-29T04:00:00+02:00",
            "2026-03-29T04:30:00+02:00"
        ]
    );
    // Meetings only after the change: the administration is free in the last three slots.
    let town = register(
        &app,
        event,
        &organiser,
        json!({"kind": "administration", "name": "Ville de Paris", "categories": ["iaas"], "availability": [3, 4, 5]}),
    )
    .await;
    let nuage = register(
        &app,
        event,
        &organiser,
        json!({"kind": "vendor", "name": "Nuage Souverain", "supplier_id": registry.sovereign["id"]}),
    )
    .await;
    let request = ask(&app, event, &town, &nuage).await;
    let (status, _) = answer(&app, event, &nuage, &request, true).await;
    assert_eq!(status, 200);
    let (status, report) = send(
        with_token(
            &app,
            Method::POST,
            &format!("/api/v1/events/{event}/schedule"),
            &organiser,
        )
        .json(&json!({"seed": 1})),
    )
    .await;
    assert_eq!(
        (status, report["meetings"].as_u64()),
        (200, Some(1)),
        "{report}"
    );
    let grid = grid(&app, event, &organiser).await;
    let slot = grid["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| !s["tables"][0].is_null())
        .expect("the meeting is in the grid");
    let starts_at =
        chrono::DateTime::parse_from_rfc3339(slot["slot"]["starts_at"].as_str().unwrap())
            .unwrap()
            .to_utc();

    // The feed, read by an iCalendar parser: local times with TZID, and the VTIMEZONE that defines it.
    let text = agenda_ics(&app, event, &town).await;
    let unfolded = icalendar::parser::unfold(&text);
    let calendar = icalendar::parser::read_calendar(&unfolded).expect("a valid iCalendar document");
    let zone = calendar
        .components
        .iter()
        .find(|c| c.name.as_str() == "VTIMEZONE")
        .expect("a VTIMEZONE for the TZID used");
    assert_eq!(property(zone, "TZID").unwrap().val.as_str(), "Europe/Paris");
    let observances: Vec<(String, String, String, String)> = zone
        .components
        .iter()
        .map(|o| {
            (
                o.name.as_str().to_owned(),
                property(o, "DTSTART").unwrap().val.as_str().to_owned(),
                property(o, "TZOFFSETFROM").unwrap().val.as_str().to_owned(),
                property(o, "TZOFFSETTO").unwrap().val.as_str().to_owned(),
            )
        })
        .collect();
    let owned = |a: &str, b: &str, c: &str, d: &str| {
        (a.to_owned(), b.to_owned(), c.to_owned(), d.to_owned())
    };
    assert_eq!(
        observances,
        [
            owned("STANDARD", "20251026T030000", "+0200", "+0100"),
            owned("DAYLIGHT", "20260329T020000", "+0100", "+0200"),
        ],
        "winter time since October, summer time from 02:00 that night"
    );
    let meeting = calendar
        .components
        .iter()
        .find(|c| c.name.as_str() == "VEVENT")
        .expect("the meeting");
    let start = property(meeting, "DTSTART").unwrap();
    let tzid = start
        .params
        .iter()
        .find(|p| p.key.as_str() == "TZID")
        .and_then(|p| p.val.as_ref())
        .map(|v| v.as_str().to_owned());
    assert_eq!(tzid.as_deref(), Some("Europe/Paris"));
    // Resolve the local time with the VTIMEZONE alone: the last observance begun before it.
    let local = chrono::NaiveDateTime::parse_from_str(start.val.as_str(), "%Y%m%dT%H%M%S").unwrap();
    let (_, _, _, offset) = observances
        .iter()
        .rfind(|(_, onset, _, _)| {
            chrono::NaiveDateTime::parse_from_str(onset, "%Y%m%dT%H%M%S").unwrap() <= local
        })
        .unwrap();
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let seconds = sign
        * (offset[1..3].parse::<i64>().unwrap() * 3600 + offset[3..5].parse::<i64>().unwrap() * 60);
    let instant = (local - Duration::seconds(seconds)).and_utc();
    assert_eq!(
        instant, starts_at,
        "the calendar and the API name the same instant"
    );
    assert!(
        instant
            >= chrono::DateTime::parse_from_rfc3339("2026-03-29T01:30:00Z")
                .unwrap()
                .to_utc(),
        "after the change, in summer time: {instant}"
    );
    // The same document also reads as events with a zone reference.
    let parsed: Calendar = text.parse().unwrap();
    let event_start = parsed
        .components
        .iter()
        .find_map(|c| c.as_event())
        .unwrap()
        .get_start();
    assert!(
        matches!(
            event_start,
            Some(icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone { ref tzid, .. })) if tzid == "Europe/Paris"
        ),
        "{event_start:?}"
    );
    app.stop().await;
}

async fn the_organiser_exports_the_participants_as_csv(engine: Engine) {
    let Some(app) = spawn_app(engine, false).await else {
        return;
    };
    let registry = registry(&app).await;
    let (event, organiser) = event(&app).await;
    let hospital = register(
        &app,
        event,
        &organiser,
        json!({"kind": "administration", "name": "CHU de Lille, pôle santé", "categories": ["iaas"], "suite_classes": ["tchap"],
               "sensitivity": "health", "free_text": "Hébergement; \"DPI\"", "availability": [0, 2], "representatives": 2}),
    )
    .await;
    let nuage = register(
        &app,
        event,
        &organiser,
        json!({"kind": "vendor", "name": "Nuage Souverain", "supplier_id": registry.sovereign["id"], "offer_ids": [registry.sovereign_offer["id"]]}),
    )
    .await;
    let causerie = register(
        &app,
        event,
        &organiser,
        json!({"kind": "vendor", "name": "Causerie", "supplier_id": registry.chat["id"], "offer_ids": [registry.chat_offer["id"]]}),
    )
    .await;
    let first = ask(&app, event, &hospital, &nuage).await;
    answer(&app, event, &nuage, &first, true).await;
    ask(&app, event, &hospital, &causerie).await; // left pending
    let (status, _) = send(
        with_token(
            &app,
            Method::POST,
            &format!("/api/v1/events/{event}/schedule"),
            &organiser,
        )
        .json(&json!({"seed": 3})),
    )
    .await;
    assert_eq!(status, 200);

    let path = format!("/api/v1/events/{event}/participants.csv");
    let (status, _, body) = text(with_token(&app, Method::GET, &path, &hospital.token)).await;
    assert_eq!(
        status, 403,
        "a participant's token does not open the list: {body}"
    );
    assert!(body.contains("organiser_token_required"), "{body}");
    let (status, _, _) = text(app.client.get(app.url(&path))).await;
    assert_eq!(status, 401);
    // The organiser using a participant's own operation is refused too, and says why.
    let (status, body) = send(
        with_token(
            &app,
            Method::POST,
            &format!("/api/v1/events/{event}/requests"),
            &organiser,
        )
        .json(&json!({"with": nuage.id})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("participant_token_required"))
    );

    let (status, kind, body) = text(with_token(&app, Method::GET, &path, &organiser)).await;
    assert_eq!(status, 200, "{body}");
    assert!(kind.starts_with("text/csv"), "{kind}");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        headers,
        [
            "id",
            "kind",
            "name",
            "representatives",
            "availability",
            "categories",
            "suite_classes",
            "sensitivity",
            "requirements",
            "free_text",
            "supplier_id",
            "supplier",
            "offer_ids",
            "requests_accepted",
            "meetings"
        ]
    );
    let rows: Vec<HashMap<String, String>> = reader
        .records()
        .map(|r| {
            headers
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 3);
    let hospital_row = &rows[0];
    assert_eq!(hospital_row["id"], hospital.id.to_string());
    assert_eq!(hospital_row["kind"], "administration");
    assert_eq!(
        hospital_row["name"], "CHU de Lille, pôle santé",
        "commas survive"
    );
    assert_eq!(
        hospital_row["free_text"], "Hébergement; \"DPI\"",
        "quotes survive"
    );
    assert_eq!(hospital_row["representatives"], "2");
    assert_eq!(hospital_row["availability"], "0;2");
    assert_eq!(hospital_row["categories"], "iaas");
    assert_eq!(hospital_row["suite_classes"], "tchap");
    assert_eq!(hospital_row["sensitivity"], "health");
    assert_eq!(hospital_row["requirements"], "hds");
    assert_eq!(hospital_row["supplier_id"], "");
    assert_eq!(
        hospital_row["requests_accepted"], "1",
        "the pending one does not count"
    );
    assert_eq!(hospital_row["meetings"], "1");
    let nuage_row = &rows[1];
    assert_eq!(nuage_row["kind"], "vendor");
    assert_eq!(
        nuage_row["supplier_id"],
        registry.sovereign["id"].to_string()
    );
    assert_eq!(nuage_row["supplier"], "Nuage Souverain SAS");
    assert_eq!(
        nuage_row["offer_ids"],
        registry.sovereign_offer["id"].to_string()
    );
    assert_eq!(
        nuage_row["availability"], "0;1;2;3;4;5",
        "every slot by default"
    );
    assert_eq!(
        (
            nuage_row["requests_accepted"].as_str(),
            nuage_row["meetings"].as_str()
        ),
        ("1", "1")
    );
    assert_eq!(
        (rows[2]["name"].as_str(), rows[2]["meetings"].as_str()),
        ("Causerie", "0")
    );
    app.stop().await;
}

on_both_engines!(
    a_matchmaking_day_runs_from_registration_to_agendas,
    a_csv_import_keeps_good_rows_and_reports_bad_ones_by_line,
    events_refuse_bad_input_and_foreign_tokens,
    simultaneous_identical_requests_get_one_success_and_conflicts_never_a_500,
    a_unique_index_violation_is_a_duplicate_on_both_engines,
    an_event_in_a_named_time_zone_places_its_slots_and_calendars_in_it,
    the_organiser_exports_the_participants_as_csv,
);
