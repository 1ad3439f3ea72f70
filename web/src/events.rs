//! The matchmaking-day pages (issue 4): a participant's printable agenda and the organiser's grid by
//! slot and table, `/evenements/{id}/agenda` and `/evenements/{id}/grille` (and under `/en`).
//!
//! They open with the same tokens as the API (`/api/v1/events/...`): a participant's token for its
//! agenda, the organiser's token (or an admin token) for the grid. The token never goes in a URL: the
//! GET shows a form that POSTs it in the body, and the answer is the page itself. So the token stays
//! out of the address bar, the history, bookmarks, access logs and `Referer` headers; every response
//! of these paths is also sent with `Referrer-Policy: no-referrer` and `Cache-Control: no-store`
//! (`token_pages`), so neither the page nor the links in it leave a trace of it. The pages only read.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use poem::http::{HeaderValue, StatusCode, header};
use poem::web::{Data, Form, Path};
use poem::{Endpoint, IntoResponse, Request, Response, handler};
use registre_store::events::{
    Agenda, AgendaMeeting, Event, EventRole, MeetingStatus, Participant, ParticipantKind,
    Sensitivity,
};
use serde::{Deserialize, Serialize};

use crate::Web;
use crate::errors::store;
use crate::language::Lang;
use crate::pages::{path_and_query, render_page};
use crate::render::{Html, Layout};
use crate::views::{DateView, date, label};

/// Whether `path` is one of these pages (either language).
fn is_token_page(path: &str) -> bool {
    let bare = path.strip_prefix("/en").unwrap_or(path);
    bare.starts_with("/evenements/")
}

/// Around every page: the responses of the token pages, error pages included, are neither kept by
/// caches nor followed by a `Referer`.
pub async fn token_pages<E: Endpoint>(
    endpoint: Arc<E>,
    request: Request,
) -> poem::Result<Response> {
    let private = is_token_page(request.uri().path());
    let mut response = endpoint.call(request).await?.into_response();
    if private {
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
    Ok(response)
}

/// The form's body: `token=...`.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    token: String,
}

/// Who the token speaks for at this event.
enum Access {
    Participant(Box<Participant>),
    Organiser,
    Nobody,
}

async fn access(web: &Web, event_id: i64, token: &str) -> poem::Result<Access> {
    let token = token.trim();
    if token.is_empty() {
        return Ok(Access::Nobody);
    }
    match web.store.event_role(event_id, token).await.map_err(store)? {
        Some(EventRole::Organiser) => return Ok(Access::Organiser),
        Some(EventRole::Participant(participant)) => return Ok(Access::Participant(participant)),
        None => {}
    }
    // As in the API, an admin token has the organiser's rights.
    if web
        .store
        .authenticate(token)
        .await
        .map_err(store)?
        .is_some()
    {
        return Ok(Access::Organiser);
    }
    Ok(Access::Nobody)
}

#[derive(Serialize)]
struct EventSummary {
    id: i64,
    name: String,
    date: DateView,
    venue: String,
    /// The zone the times are in: `Europe/Paris`, or `UTC+01:00`.
    zone: String,
    rules: String,
    scheduled: bool,
    seed: Option<u64>,
}

fn summary(lang: Lang, event: &Event) -> EventSummary {
    EventSummary {
        id: event.id,
        name: event.name.clone(),
        date: date(lang, event.day),
        venue: event.venue.clone(),
        zone: event.zone_name(),
        rules: event.rules.clone(),
        scheduled: event.schedule_runs > 0,
        seed: event.schedule_seed,
    }
}

#[derive(Serialize)]
struct TimeView {
    /// `09:00–09:30`.
    text: String,
    /// RFC 3339 with the venue's offset, for `<time datetime>`.
    start_iso: String,
    end_iso: String,
}

fn time_view(event: &Event, start: chrono::NaiveTime, end: chrono::NaiveTime) -> TimeView {
    TimeView {
        text: format!("{}–{}", start.format("%H:%M"), end.format("%H:%M")),
        start_iso: event.local(start).to_rfc3339(),
        end_iso: event.local(end).to_rfc3339(),
    }
}

/// Which page: the agenda (participant token) or the grid (organiser token).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Agenda,
    Grid,
}

impl Kind {
    fn segment(self) -> &'static str {
        match self {
            Kind::Agenda => "agenda",
            Kind::Grid => "grille",
        }
    }
}

/// The token form, alone (GET) or again after a refused token (401, 403).
async fn gate(
    web: &Web,
    lang: Lang,
    request: &Request,
    event: &Event,
    kind: Kind,
    refusal: Option<(StatusCode, &str)>,
) -> poem::Result<Html> {
    let title = match kind {
        Kind::Agenda => lang.pick("Mon agenda", "My agenda"),
        Kind::Grid => lang.pick("Grille de l'organisateur", "Organiser's grid"),
    };
    let layout = Layout::new(
        lang,
        format!("{title} — {}", event.name),
        &path_and_query(request),
    );
    let mut page = render_page(
        web,
        "event_access.html",
        &layout,
        serde_json::json!({
            "event": summary(lang, event),
            "heading": title,
            "kind": kind.segment(),
            "action": lang.path(&format!("/evenements/{}/{}", event.id, kind.segment())),
            "other": lang.path(&format!(
                "/evenements/{}/{}",
                event.id,
                match kind { Kind::Agenda => "grille", Kind::Grid => "agenda" }
            )),
            "error": refusal.map(|(_, message)| message),
        }),
    )?;
    if let Some((status, _)) = refusal {
        page.status = status;
    }
    Ok(page)
}

fn unknown_token(lang: Lang) -> (StatusCode, &'static str) {
    (
        StatusCode::UNAUTHORIZED,
        lang.pick(
            "Ce jeton n'est pas un jeton de cet événement. Vérifiez-le : il vous a été remis à l'inscription.",
            "This token is not a token of this event. Check it: it was given to you at registration.",
        ),
    )
}

#[handler]
pub async fn agenda_form(
    Path(id): Path<i64>,
    lang: Lang,
    web: Data<&Arc<Web>>,
    request: &Request,
) -> poem::Result<Html> {
    let event = web.store.event(id).await.map_err(store)?;
    gate(&web, lang, request, &event, Kind::Agenda, None).await
}

#[handler]
pub async fn grid_form(
    Path(id): Path<i64>,
    lang: Lang,
    web: Data<&Arc<Web>>,
    request: &Request,
) -> poem::Result<Html> {
    let event = web.store.event(id).await.map_err(store)?;
    gate(&web, lang, request, &event, Kind::Grid, None).await
}

/// A link to a registry record, by its key as every page links records.
#[derive(Clone, Serialize)]
struct RecordLink {
    name: String,
    url: String,
}

/// The registry records a vendor stands for: its supplier and offers, read once per page.
#[derive(Default)]
struct Records {
    suppliers: HashMap<i64, Option<RecordLink>>,
    offers: HashMap<i64, Option<RecordLink>>,
}

impl Records {
    async fn supplier(
        &mut self,
        web: &Web,
        lang: Lang,
        id: i64,
    ) -> poem::Result<Option<RecordLink>> {
        if let Entry::Vacant(slot) = self.suppliers.entry(id) {
            slot.insert(match web.store.supplier(id).await {
                Ok(record) => Some(RecordLink {
                    url: lang.path(&format!("/fournisseurs/{}", record.key.as_str())),
                    name: record
                        .data
                        .trade_names
                        .first()
                        .cloned()
                        .unwrap_or(record.data.legal_name),
                }),
                Err(registre_store::StoreError::NotFound { .. }) => None,
                Err(error) => return Err(store(error)),
            });
        }
        Ok(self.suppliers[&id].clone())
    }

    async fn offers(
        &mut self,
        web: &Web,
        lang: Lang,
        ids: &[i64],
    ) -> poem::Result<Vec<RecordLink>> {
        let mut links = Vec::new();
        for id in ids {
            if let Entry::Vacant(slot) = self.offers.entry(*id) {
                slot.insert(match web.store.offer(*id).await {
                    Ok(record) => Some(RecordLink {
                        url: lang.path(&format!("/offres/{}", record.key.as_str())),
                        name: record.data.name,
                    }),
                    Err(registre_store::StoreError::NotFound { .. }) => None,
                    Err(error) => return Err(store(error)),
                });
            }
            links.extend(self.offers[id].clone());
        }
        Ok(links)
    }
}

/// The other party of a meeting, as an agenda shows it.
#[derive(Serialize)]
struct Party {
    name: String,
    /// Vendors: their supplier record.
    supplier: Option<RecordLink>,
    /// Vendors: their offers in the registry.
    offers: Vec<RecordLink>,
    /// Administrations: what they need (category and Suite class labels).
    needs: Vec<String>,
    /// Administrations: what their data requires (`SecNumCloud`, `HDS`).
    requirement: Option<&'static str>,
    free_text: Option<String>,
}

fn requirement(lang: Lang, sensitivity: Sensitivity) -> Option<&'static str> {
    match sensitivity {
        Sensitivity::Standard => None,
        Sensitivity::Sensitive => Some(lang.pick(
            "données sensibles : SecNumCloud exigé",
            "sensitive data: SecNumCloud required",
        )),
        Sensitivity::Health => {
            Some(lang.pick("données de santé : HDS exigé", "health data: HDS required"))
        }
    }
}

async fn party(
    web: &Web,
    lang: Lang,
    records: &mut Records,
    participant: Option<&Participant>,
    fallback: &str,
) -> poem::Result<Party> {
    let Some(participant) = participant else {
        return Ok(Party {
            name: fallback.to_owned(),
            supplier: None,
            offers: vec![],
            needs: vec![],
            requirement: None,
            free_text: None,
        });
    };
    let mut party = Party {
        name: participant.name.clone(),
        supplier: None,
        offers: vec![],
        needs: vec![],
        requirement: None,
        free_text: participant.free_text.clone(),
    };
    match participant.kind {
        ParticipantKind::Vendor => {
            if let Some(id) = participant.supplier_id {
                party.supplier = records.supplier(web, lang, id).await?;
            }
            party.offers = records.offers(web, lang, &participant.offer_ids).await?;
        }
        ParticipantKind::Administration => {
            party.needs = participant
                .categories
                .iter()
                .map(|c| label(lang, *c))
                .chain(participant.suite_classes.iter().map(|c| label(lang, *c)))
                .collect();
            party.requirement = requirement(lang, participant.sensitivity);
        }
    }
    Ok(party)
}

#[derive(Serialize)]
struct AgendaRow {
    time: TimeView,
    table: Option<usize>,
    with: Option<Party>,
    /// Why the slot is empty: free, or not available.
    empty: Option<&'static str>,
}

#[derive(Serialize)]
struct CancelledView {
    time: TimeView,
    table: usize,
    with: String,
}

#[derive(Serialize)]
struct DecisionView {
    stage: String,
    message: String,
}

#[handler]
pub async fn agenda_page(
    Path(id): Path<i64>,
    lang: Lang,
    web: Data<&Arc<Web>>,
    request: &Request,
    Form(form): Form<TokenForm>,
) -> poem::Result<Html> {
    let event = web.store.event(id).await.map_err(store)?;
    let participant = match access(&web, id, &form.token).await? {
        Access::Participant(participant) => participant,
        Access::Organiser => {
            let refusal = (
                StatusCode::FORBIDDEN,
                lang.pick(
                    "Ce jeton est celui de l'organisateur : il ouvre la grille de l'événement, pas l'agenda d'un participant. Saisissez le jeton du participant.",
                    "This is the organiser's token: it opens the event's grid, not a participant's agenda. Enter the participant's token.",
                ),
            );
            return gate(&web, lang, request, &event, Kind::Agenda, Some(refusal)).await;
        }
        Access::Nobody => {
            return gate(
                &web,
                lang,
                request,
                &event,
                Kind::Agenda,
                Some(unknown_token(lang)),
            )
            .await;
        }
    };
    let agenda = web
        .store
        .agenda(id, Some(&participant))
        .await
        .map_err(store)?;
    let people: HashMap<i64, Participant> = web
        .store
        .participants(id)
        .await
        .map_err(store)?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut records = Records::default();
    let other = |meeting: &AgendaMeeting| match participant.kind {
        ParticipantKind::Administration => (meeting.vendor_id, meeting.vendor_name.clone()),
        ParticipantKind::Vendor => (
            meeting.administration_id,
            meeting.administration_name.clone(),
        ),
    };
    let mut rows = Vec::new();
    for (index, slot) in event.slots.iter().enumerate() {
        let meeting = agenda
            .meetings
            .iter()
            .find(|m| m.slot == index && m.status == MeetingStatus::Confirmed);
        let row = match meeting {
            Some(meeting) => {
                let (other_id, other_name) = other(meeting);
                AgendaRow {
                    time: time_view(&event, slot.start, slot.end),
                    table: Some(meeting.table),
                    with: Some(
                        party(&web, lang, &mut records, people.get(&other_id), &other_name).await?,
                    ),
                    empty: None,
                }
            }
            None => AgendaRow {
                time: time_view(&event, slot.start, slot.end),
                table: None,
                with: None,
                empty: Some(if participant.availability.contains(&index) {
                    lang.pick("Libre", "Free")
                } else {
                    lang.pick("Indisponible", "Not available")
                }),
            },
        };
        rows.push(row);
    }
    let cancelled: Vec<CancelledView> = agenda
        .meetings
        .iter()
        .filter(|m| m.status == MeetingStatus::Cancelled)
        .map(|m| CancelledView {
            time: time_view(&event, m.time.start, m.time.end),
            table: m.table,
            with: other(m).1,
        })
        .collect();
    let confirmed = agenda
        .meetings
        .iter()
        .filter(|m| m.status == MeetingStatus::Confirmed)
        .count();
    let layout = Layout::new(
        lang,
        format!("{} — {}", participant.name, event.name),
        &path_and_query(request),
    );
    render_page(
        &web,
        "event_agenda.html",
        &layout,
        serde_json::json!({
            "event": summary(lang, &event),
            "participant": {
                "name": participant.name,
                "kind": match participant.kind {
                    ParticipantKind::Administration => "Administration",
                    ParticipantKind::Vendor => lang.pick("Éditeur ou fournisseur", "Vendor"),
                },
            },
            "rows": rows,
            "meetings": confirmed,
            "cancelled": cancelled,
            "decisions": decisions(&agenda),
        }),
    )
}

fn decisions(agenda: &Agenda) -> Vec<DecisionView> {
    agenda
        .decisions
        .iter()
        .map(|d| DecisionView {
            stage: d.stage.clone(),
            message: d.message.clone(),
        })
        .collect()
}

#[derive(Serialize)]
struct Cell {
    administration: String,
    vendor: String,
    /// The vendor's supplier record.
    vendor_url: Option<String>,
    weight: u32,
}

#[derive(Serialize)]
struct GridRow {
    time: TimeView,
    cells: Vec<Option<Cell>>,
}

#[handler]
pub async fn grid_page(
    Path(id): Path<i64>,
    lang: Lang,
    web: Data<&Arc<Web>>,
    request: &Request,
    Form(form): Form<TokenForm>,
) -> poem::Result<Html> {
    let event = web.store.event(id).await.map_err(store)?;
    match access(&web, id, &form.token).await? {
        Access::Organiser => {}
        Access::Participant(_) => {
            let refusal = (
                StatusCode::FORBIDDEN,
                lang.pick(
                    "Ce jeton est celui d'un participant : il ouvre son agenda, pas la grille de l'organisateur.",
                    "This is a participant's token: it opens its agenda, not the organiser's grid.",
                ),
            );
            return gate(&web, lang, request, &event, Kind::Grid, Some(refusal)).await;
        }
        Access::Nobody => {
            return gate(
                &web,
                lang,
                request,
                &event,
                Kind::Grid,
                Some(unknown_token(lang)),
            )
            .await;
        }
    }
    let agenda = web.store.agenda(id, None).await.map_err(store)?;
    let people = web.store.participants(id).await.map_err(store)?;
    let by_id: HashMap<i64, &Participant> = people.iter().map(|p| (p.id, p)).collect();
    let mut records = Records::default();
    let tables = event.tables as usize;
    let mut rows: Vec<GridRow> = event
        .slots
        .iter()
        .map(|slot| GridRow {
            time: time_view(&event, slot.start, slot.end),
            cells: (0..tables).map(|_| None).collect(),
        })
        .collect();
    let mut cancelled = Vec::new();
    let mut met: HashMap<i64, usize> = HashMap::new();
    for meeting in &agenda.meetings {
        if meeting.status == MeetingStatus::Cancelled {
            cancelled.push(CancelledView {
                time: time_view(&event, meeting.time.start, meeting.time.end),
                table: meeting.table,
                with: format!("{} — {}", meeting.administration_name, meeting.vendor_name),
            });
            continue;
        }
        *met.entry(meeting.administration_id).or_default() += 1;
        *met.entry(meeting.vendor_id).or_default() += 1;
        let supplier = by_id
            .get(&meeting.vendor_id)
            .and_then(|vendor| vendor.supplier_id);
        let vendor_url = match supplier {
            Some(supplier) => records
                .supplier(&web, lang, supplier)
                .await?
                .map(|link| link.url),
            None => None,
        };
        if let Some(cell) = rows
            .get_mut(meeting.slot)
            .and_then(|row| row.cells.get_mut(meeting.table.saturating_sub(1)))
        {
            *cell = Some(Cell {
                administration: meeting.administration_name.clone(),
                vendor: meeting.vendor_name.clone(),
                vendor_url,
                weight: meeting.weight,
            });
        }
    }
    let without: Vec<String> = people
        .iter()
        .filter(|p| !met.contains_key(&p.id))
        .map(|p| p.name.clone())
        .collect();
    let confirmed = agenda
        .meetings
        .iter()
        .filter(|m| m.status == MeetingStatus::Confirmed)
        .count();
    let layout = Layout::new(
        lang,
        format!(
            "{} — {}",
            lang.pick("Grille de l'organisateur", "Organiser's grid"),
            event.name
        ),
        &path_and_query(request),
    );
    render_page(
        &web,
        "event_grid.html",
        &layout,
        serde_json::json!({
            "event": summary(lang, &event),
            "tables": (1..=tables).collect::<Vec<_>>(),
            "rows": rows,
            "meetings": confirmed,
            "participants": people.len(),
            "without": without,
            "cancelled": cancelled,
            "decisions": decisions(&agenda),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_event_paths_are_token_pages() {
        assert!(is_token_page("/evenements/3/agenda"));
        assert!(is_token_page("/en/evenements/3/grille"));
        assert!(!is_token_page("/recherche"));
        assert!(!is_token_page("/en/offres/2"));
    }
}
