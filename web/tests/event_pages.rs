//! The matchmaking-day pages over their real routes: a SQLite store holding a few registry records
//! and an event made, registered, asked and scheduled through the store, a real (empty) index.
//! The agenda and the grid open only with the right token, sent in a POST body, and never keep it.

use chrono::{NaiveDate, NaiveTime, Utc};
use poem::EndpointExt;
use poem::endpoint::BoxEndpoint;
use poem::http::StatusCode;
use poem::test::{TestClient, TestResponse};
use registre_domain::taxonomy::Category;
use registre_store::events::{
    Event, EventSpec, MeetingStatus, Participant, ParticipantKind, ParticipantSpec, Sensitivity,
};
use registre_store::{PageRequest, Store};
use registre_web::Web;

mod support;

use support::{indexed, official_sources, store_with};

/// Two suppliers with one offer each, in the dataset's own format.
const RECORDS: &str = r#"{"record":"reference","key":"bg","kind":"background","title":"Test background","locator":null,"version":null,"supports":"test"}
{"record":"supplier","key":"nuage","legal_name":"Nuage Souverain SAS","trade_names":["Nuage Souverain"],"aliases":[],"kind":"company","siren":null,"siret":null,"vat_number":null,"lei":null,"country":"FR","hq_city":"Lyon","website":null,"control_chain":[],"ultimate_control_country":"FR","unverified":[],"notes":null,"references":["bg"],"confidence":"medium"}
{"record":"supplier","key":"causerie","legal_name":"Causerie SAS","trade_names":[],"aliases":[],"kind":"company","siren":null,"siret":null,"vat_number":null,"lei":null,"country":"FR","hq_city":"Nantes","website":null,"control_chain":[],"ultimate_control_country":"FR","unverified":[],"notes":null,"references":["bg"],"confidence":"medium"}
{"record":"offer","key":"nuage-iaas","supplier":"nuage","name":"Nuage IaaS","category":"iaas","description_fr":null,"description_en":null,"deployment_models":["public_cloud"],"licences":[],"hosting_locations":["FR"],"suite_class":null,"suite_tier":null,"suite_role":null,"url":null,"source_repo":null,"alternative_to":[],"unverified":[],"notes":null,"references":["bg"],"confidence":"medium"}
{"record":"offer","key":"causerie-chat","supplier":"causerie","name":"Causerie Messagerie","category":"messaging","description_fr":null,"description_en":null,"deployment_models":["saas"],"licences":[],"hosting_locations":["FR"],"suite_class":null,"suite_tier":null,"suite_role":null,"url":null,"source_repo":null,"alternative_to":[],"unverified":[],"notes":null,"references":["bg"],"confidence":"medium"}
"#;

struct Day {
    _dir: tempfile::TempDir,
    store: Store,
    client: TestClient<BoxEndpoint<'static>>,
    event: Event,
    organiser: String,
    hospital: (Participant, String),
    town: (Participant, String),
    nuage: (Participant, String),
    causerie: (Participant, String),
}

fn at(text: &str) -> NaiveTime {
    NaiveTime::parse_from_str(text, "%H:%M").unwrap()
}

fn spec(kind: ParticipantKind, name: &str) -> ParticipantSpec {
    ParticipantSpec {
        kind,
        name: name.to_owned(),
        representatives: 1,
        availability: None,
        categories: vec![],
        suite_classes: vec![],
        sensitivity: Sensitivity::Standard,
        free_text: None,
        supplier_id: None,
        offer_ids: vec![],
    }
}

/// 09:00–11:00 in Paris, 30-minute slots, two tables; the hospital meets Nuage and the town meets
/// Causerie; a third administration asks nobody.
async fn day() -> Day {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with(dir.path(), RECORDS).await;
    let offers = store
        .list_offers(
            &Default::default(),
            PageRequest {
                after: None,
                limit: 10,
            },
            Utc::now().date_naive(),
        )
        .await
        .unwrap()
        .items;
    let offer = |name: &str| {
        let offer = offers.iter().find(|o| o.data.name == name).unwrap();
        (offer.data.supplier_id, offer.id)
    };
    let (nuage_supplier, nuage_offer) = offer("Nuage IaaS");
    let (causerie_supplier, causerie_offer) = offer("Causerie Messagerie");

    let now = Utc::now();
    let (event, organiser) = store
        .create_event(EventSpec {
            name: "Journée Alternatives, Bercy".to_owned(),
            day: NaiveDate::from_ymd_opt(2026, 3, 27).unwrap(),
            venue: "Bercy, salle Pierre Mendès France".to_owned(),
            time_zone: Some("Europe/Paris".to_owned()),
            utc_offset: None,
            start: at("09:00"),
            end: at("11:00"),
            slot_minutes: 30,
            breaks: vec![],
            tables: 2,
            max_meetings: 3,
            registration_opens: now - chrono::Duration::hours(1),
            registration_closes: now + chrono::Duration::days(1),
            rules: "Une demande réciproque pèse 3.".to_owned(),
        })
        .await
        .unwrap();
    let mut hospital = spec(ParticipantKind::Administration, "CHU de Lille");
    hospital.categories = vec![Category::Iaas];
    hospital.sensitivity = Sensitivity::Sensitive;
    hospital.free_text = Some("Hébergement du DPI".to_owned());
    let hospital = store
        .register_participant(event.id, hospital, now)
        .await
        .unwrap();
    let mut town = spec(ParticipantKind::Administration, "Ville de Roubaix");
    town.categories = vec![Category::Messaging];
    town.availability = Some(vec![2, 3]);
    let town = store
        .register_participant(event.id, town, now)
        .await
        .unwrap();
    let mut alone = spec(ParticipantKind::Administration, "Préfecture du Nord");
    alone.categories = vec![Category::Iaas];
    store
        .register_participant(event.id, alone, now)
        .await
        .unwrap();
    let mut nuage = spec(ParticipantKind::Vendor, "Nuage Souverain");
    nuage.supplier_id = Some(nuage_supplier);
    nuage.offer_ids = vec![nuage_offer];
    let nuage = store
        .register_participant(event.id, nuage, now)
        .await
        .unwrap();
    let mut causerie = spec(ParticipantKind::Vendor, "Causerie");
    causerie.supplier_id = Some(causerie_supplier);
    causerie.offer_ids = vec![causerie_offer];
    let causerie = store
        .register_participant(event.id, causerie, now)
        .await
        .unwrap();
    let request = store.ask_to_meet(&hospital.0, nuage.0.id).await.unwrap();
    store.ask_to_meet(&nuage.0, hospital.0.id).await.unwrap();
    assert!(
        store.requests(event.id, None).await.unwrap()[0].mutual(),
        "{request:?}"
    );
    let request = store.ask_to_meet(&town.0, causerie.0.id).await.unwrap();
    store
        .answer_request(&causerie.0, request.id, true)
        .await
        .unwrap();
    let report = store.schedule_event(event.id, 42).await.unwrap();
    assert_eq!(report.meetings, 2);
    let event = store.event(event.id).await.unwrap();

    let searcher = indexed(&store, dir.path(), None).await;
    let routes = Web::new(store.clone(), searcher, official_sources(&store)).routes();
    Day {
        _dir: dir,
        client: TestClient::new(routes.map_to_response().boxed()),
        store,
        event,
        organiser,
        hospital,
        town,
        nuage,
        causerie,
    }
}

struct Page {
    status: StatusCode,
    headers: poem::http::HeaderMap,
    body: String,
}

async fn read(response: TestResponse) -> Page {
    let status = response.0.status();
    let headers = response.0.headers().clone();
    let body = response.0.into_body().into_string().await.unwrap();
    Page {
        status,
        headers,
        body,
    }
}

impl Day {
    async fn get(&self, uri: &str) -> Page {
        read(self.client.get(uri).send().await).await
    }

    /// Posts the form as a browser does: `token=...`, URL-encoded, in the body.
    async fn post(&self, uri: &str, token: &str) -> Page {
        let body = format!("token={}", token.replace('+', "%2B"));
        read(
            self.client
                .post(uri)
                .content_type("application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await,
        )
        .await
    }

    fn path(&self, lang: &str, page: &str) -> String {
        format!("{lang}/evenements/{}/{page}", self.event.id)
    }
}

fn header<'a>(page: &'a Page, name: &str) -> &'a str {
    page.headers
        .get(name)
        .map(|value| value.to_str().unwrap())
        .unwrap_or("")
}

/// The token pages are never cached and never followed by a `Referer`.
fn assert_private(page: &Page) {
    assert_eq!(header(page, "cache-control"), "no-store");
    assert_eq!(header(page, "referrer-policy"), "no-referrer");
}

/// The rows of the first table's body, one string per `<tr>`.
fn body_rows(html: &str) -> Vec<&str> {
    let start = html.find("<tbody>").expect("a table body");
    let end = html[start..].find("</tbody>").unwrap() + start;
    html[start..end].split("<tr>").skip(1).collect()
}

/// The text of the `<td>` and `<th>` cells of a row, tags replaced by spaces.
fn cells(row: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut rest = row;
    loop {
        let opening = ["<td", "<th"]
            .iter()
            .filter_map(|tag| {
                rest.match_indices(tag)
                    .find(|(at, _)| matches!(rest.as_bytes().get(at + 3), Some(b' ' | b'>')))
                    .map(|(at, _)| (at, *tag))
            })
            .min();
        let Some((at, tag)) = opening else {
            break;
        };
        let closing = format!("</{}>", &tag[1..]);
        let inside = &rest[at..];
        let content_start = inside.find('>').unwrap() + 1;
        let content_end = inside.find(&closing).unwrap();
        let mut text = String::new();
        let mut in_tag = false;
        for c in inside[content_start..content_end].chars() {
            match c {
                '<' => {
                    in_tag = true;
                    text.push(' ');
                }
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        cells.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
        rest = &inside[content_end + closing.len()..];
    }
    cells
}

fn slot_text(event: &Event, slot: usize) -> String {
    format!(
        "{}–{}",
        event.slots[slot].start.format("%H:%M"),
        event.slots[slot].end.format("%H:%M")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agenda_opens_with_the_participant_token_and_lists_its_meetings_by_slot() {
    let day = day().await;
    // The form: a POST with a password field, in both languages, and nothing cached.
    for (lang, words) in [("", "Jeton du participant"), ("/en", "Participant's token")] {
        let form = day.get(&day.path(lang, "agenda")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert_private(&form);
        assert!(form.body.contains(words), "{}", form.body);
        assert!(form.body.contains("method=\"post\""));
        assert!(
            form.body
                .contains(&format!("action=\"{}\"", day.path(lang, "agenda")))
        );
        assert!(
            form.body
                .contains("type=\"password\" id=\"jeton\" name=\"token\"")
        );
        assert!(
            form.body
                .contains("<label class=\"fr-label\" for=\"jeton\"")
        );
    }

    let agenda = day.post(&day.path("", "agenda"), &day.hospital.1).await;
    assert_eq!(agenda.status, StatusCode::OK, "{}", agenda.body);
    assert_private(&agenda);
    assert!(agenda.body.contains("<html lang=\"fr\""));
    assert!(agenda.body.contains("<h1>CHU de Lille</h1>"));
    assert!(agenda.body.contains("Europe/Paris"));
    assert!(
        !agenda.body.contains(&day.hospital.1),
        "the token is not written back into the page"
    );
    assert!(
        agenda
            .body
            .contains("<caption>Rendez-vous par créneau — CHU de Lille")
    );
    for column in ["Créneau", "Table", "Avec", "Offres et besoins"] {
        assert!(
            agenda
                .body
                .contains(&format!("<th scope=\"col\">{column}</th>"))
        );
    }
    // One row per slot, each headed by its time; the meeting in the slot the store has it in.
    let meeting = day
        .store
        .agenda(day.event.id, Some(&day.hospital.0))
        .await
        .unwrap()
        .meetings
        .into_iter()
        .find(|m| m.status == MeetingStatus::Confirmed)
        .unwrap();
    let rows = body_rows(&agenda.body);
    assert_eq!(rows.len(), day.event.slots.len());
    for (slot, row) in rows.iter().enumerate() {
        let cells = cells(row);
        assert_eq!(cells[0], slot_text(&day.event, slot), "{row}");
        assert!(row.contains("<th scope=\"row\">"));
        if slot == meeting.slot {
            assert_eq!(cells[1], format!("Table {}", meeting.table));
            assert_eq!(
                cells[2], "Nuage Souverain Nuage Souverain",
                "the vendor and its record"
            );
            assert!(cells[3].starts_with("Nuage IaaS"), "{cells:?}");
            assert!(
                row.contains("href=\"/fournisseurs/nuage\""),
                "by key: {row}"
            );
            assert!(row.contains("href=\"/offres/nuage-iaas\""), "{row}");
        } else {
            assert_eq!(cells[1..], ["—", "Libre"], "{row}");
        }
    }
    // The local time carries the venue's offset that day (winter time).
    let start = day.event.slots[meeting.slot].start.format("%H:%M");
    assert!(
        agenda
            .body
            .contains(&format!("datetime=\"2026-03-27T{start}:00+01:00\""))
    );

    // The vendor's agenda shows the administration's needs and requirement; links are in English
    // under /en.
    let vendor = day.post(&day.path("/en", "agenda"), &day.nuage.1).await;
    assert_eq!(vendor.status, StatusCode::OK);
    assert!(vendor.body.contains("<html lang=\"en\""));
    assert!(
        vendor
            .body
            .contains("<caption>Meetings by slot — Nuage Souverain")
    );
    let row = body_rows(&vendor.body)[meeting.slot];
    let vendor_cells = cells(row);
    assert_eq!(vendor_cells[2], "CHU de Lille");
    assert!(
        vendor_cells[3].contains("Needs: Cloud infrastructure (IaaS)"),
        "{vendor_cells:?}"
    );
    assert!(vendor_cells[3].contains("sensitive data: SecNumCloud required"));
    assert!(vendor_cells[3].contains("Hébergement du DPI"));

    // A town free only in the last two slots: the others read "not available".
    let town = day.post(&day.path("/en", "agenda"), &day.town.1).await;
    let texts: Vec<String> = body_rows(&town.body)
        .iter()
        .map(|row| cells(row).last().unwrap().clone())
        .collect();
    assert_eq!(texts[0], "Not available");
    assert_eq!(texts[1], "Not available");
    assert!(town.body.contains("Causerie"));

    // The print stylesheet the page links keeps only the agenda on paper.
    let css_url = agenda
        .body
        .match_indices("href=\"")
        .map(|(at, _)| &agenda.body[at + 6..at + 6 + agenda.body[at + 6..].find('"').unwrap()])
        .find(|href| href.ends_with("registre.css"))
        .unwrap()
        .to_owned();
    let css = day.get(&css_url).await;
    assert!(css.body.contains("@media print"));
    assert!(css.body.contains(".registre-no-print"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agenda_and_the_grid_refuse_the_wrong_tokens_without_showing_anything() {
    let day = day().await;
    let cases = [
        (
            "agenda",
            "rgp_not-a-token".to_owned(),
            StatusCode::UNAUTHORIZED,
            "n'est pas un jeton de cet événement",
        ),
        (
            "agenda",
            String::new(),
            StatusCode::UNAUTHORIZED,
            "n'est pas un jeton de cet événement",
        ),
        (
            "agenda",
            day.organiser.clone(),
            StatusCode::FORBIDDEN,
            "celui de l'organisateur",
        ),
        (
            "grille",
            day.hospital.1.clone(),
            StatusCode::FORBIDDEN,
            "celui d'un participant",
        ),
        (
            "grille",
            "rgo_not-a-token".to_owned(),
            StatusCode::UNAUTHORIZED,
            "n'est pas un jeton de cet événement",
        ),
    ];
    for (page, token, status, message) in cases {
        let answer = day.post(&day.path("", page), &token).await;
        assert_eq!(answer.status, status, "{page} with {token:?}");
        assert_private(&answer);
        assert!(answer.body.contains(message), "{}", answer.body);
        assert!(answer.body.contains("role=\"alert\""));
        assert!(answer.body.contains("aria-invalid=\"true\""));
        assert!(
            !answer.body.contains("Nuage Souverain") && !answer.body.contains("<tbody>"),
            "nothing of the schedule is shown"
        );
    }
    // Another event's organiser token opens nothing here.
    let (other, other_organiser) = day
        .store
        .create_event(EventSpec {
            name: "Autre journée".to_owned(),
            day: NaiveDate::from_ymd_opt(2026, 4, 2).unwrap(),
            venue: "Lille".to_owned(),
            time_zone: None,
            utc_offset: None,
            start: at("09:00"),
            end: at("10:00"),
            slot_minutes: 30,
            breaks: vec![],
            tables: 1,
            max_meetings: 1,
            registration_opens: Utc::now(),
            registration_closes: Utc::now() + chrono::Duration::days(1),
            rules: String::new(),
        })
        .await
        .unwrap();
    let answer = day.post(&day.path("", "grille"), &other_organiser).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    // Its own grid opens, empty, saying the schedule is not published, in UTC by default.
    let own = day
        .post(
            &format!("/evenements/{}/grille", other.id),
            &other_organiser,
        )
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("Le planning n'est pas encore publié"));
    assert!(own.body.contains("(UTC)"));
    // An unknown event is the HTML 404 page, for the form and the post alike.
    assert_eq!(
        day.get("/evenements/999999/agenda").await.status,
        StatusCode::NOT_FOUND
    );
    let missing = day.post("/evenements/999999/grille", &day.organiser).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_private(&missing);
    // The token is never accepted in the address: a GET with `?token=` shows the empty form.
    let form = day
        .get(&format!(
            "{}?token={}",
            day.path("", "grille"),
            day.organiser
        ))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.body.contains("<tbody>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grid_opens_with_the_organiser_token_by_slot_and_table() {
    let day = day().await;
    let grid = day.post(&day.path("", "grille"), &day.organiser).await;
    assert_eq!(grid.status, StatusCode::OK, "{}", grid.body);
    assert_private(&grid);
    assert!(!grid.body.contains(&day.organiser));
    assert!(grid.body.contains("<h1>Grille de l'organisateur</h1>"));
    assert!(grid.body.contains(
        "<caption>Rendez-vous par créneau et par table — Journée Alternatives, Bercy</caption>"
    ));
    let header_cells = grid.body.matches("<th scope=\"col\">").count();
    assert_eq!(
        header_cells,
        1 + day.event.tables as usize,
        "a slot column and one per table"
    );
    assert!(grid.body.contains("<th scope=\"col\">Table 2</th>"));
    assert!(grid.body.contains("Graine publiée :</dt><dd>42</dd>"));
    let agenda = day.store.agenda(day.event.id, None).await.unwrap();
    let rows = body_rows(&grid.body);
    assert_eq!(rows.len(), day.event.slots.len());
    let mut filled = 0;
    for (slot, row) in rows.iter().enumerate() {
        let cells = cells(row);
        assert_eq!(cells[0], slot_text(&day.event, slot));
        assert_eq!(cells.len(), 1 + day.event.tables as usize);
        for (table, cell) in cells.iter().enumerate().skip(1) {
            let expected = agenda.meetings.iter().find(|m| {
                m.slot == slot && m.table == table && m.status == MeetingStatus::Confirmed
            });
            match expected {
                Some(m) => {
                    filled += 1;
                    assert_eq!(
                        cell,
                        &format!("{} {}", m.administration_name, m.vendor_name),
                        "slot {slot}, table {table}"
                    );
                }
                None => assert_eq!(cell, "— table libre", "slot {slot}, table {table}"),
            }
        }
    }
    assert_eq!(filled, 2);
    assert!(
        grid.body
            .contains("<a href=\"/fournisseurs/nuage\">Nuage Souverain</a>")
    );
    // Who has no meeting, for the organiser to act on.
    let without = &grid.body[grid.body.find("Participants sans rendez-vous").unwrap()..];
    assert!(without.contains("<li>Préfecture du Nord</li>"));
    assert!(!without[..without.find("</ul>").unwrap()].contains("CHU de Lille"));

    // After a cancellation and a re-schedule, the grid lists the cancelled meeting apart.
    let request = day
        .store
        .requests(day.event.id, Some(&day.causerie.0))
        .await
        .unwrap()
        .remove(0);
    day.store
        .answer_request(&day.causerie.0, request.id, false)
        .await
        .unwrap();
    day.store.reschedule_event(day.event.id, 7).await.unwrap();
    let grid = day.post(&day.path("/en", "grille"), &day.organiser).await;
    assert_eq!(grid.status, StatusCode::OK);
    let cancelled = &grid.body[grid
        .body
        .find("<h2>Cancelled meetings</h2>")
        .expect("a cancelled list")..];
    assert!(cancelled.contains("Ville de Roubaix — Causerie"));
    assert_eq!(
        body_rows(&grid.body)
            .iter()
            .map(|row| row.matches("Causerie").count())
            .sum::<usize>(),
        0,
        "a cancelled meeting leaves the grid"
    );
    // The town's own agenda says so too.
    let town = day.post(&day.path("/en", "agenda"), &day.town.1).await;
    assert!(town.body.contains("<h2>Cancelled meetings</h2>"));
}
