//! `/api/v1/events`: matchmaking days. An admin token creates an event and receives the event's
//! organiser token once; the organiser registers participants (each receives its own token once),
//! triggers the schedule and reads the grid; a participant asks, answers, and reads its own
//! suggestions and agenda. The admin token is accepted wherever the organiser token is.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use poem::http::StatusCode;
use poem::{Request, RequestBody};
use poem_openapi::auth::Bearer;
use poem_openapi::impl_apirequest_for_payload;
use poem_openapi::param::Path;
use poem_openapi::payload::{Json, ParsePayload, Payload, PlainText};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::{ApiResponse, Object, OpenApi, SecurityScheme};
use registre_domain::taxonomy::{Category, SuiteClass, Vocabulary};
use registre_store::Store;
use registre_store::events::{
    Agenda, AgendaMeeting, Event, EventReport, EventRole, EventSpec, ImportReport, LoggedDecision,
    MeetingRequest, Participant, ParticipantKind, ParticipantSpec, RecordLink, ScheduleReport,
    Sensitivity, Slot, Suggestions, agenda_ics, schedule_csv,
};
use serde::{Deserialize, Serialize};

use crate::ApiTags;
use crate::body::{JsonBody, MAX_BODY_BYTES};
use crate::problem::ApiError;

/// An event token: the organiser's, a participant's, or an admin token (organiser rights).
#[derive(SecurityScheme)]
#[oai(ty = "bearer")]
pub struct EventToken(Bearer);

pub struct EventsApi {
    pub store: Store,
}

// ---- inputs ----------------------------------------------------------------------------------

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[oai(deny_unknown_fields)]
pub struct BreakInput {
    /// Local time, `HH:MM`.
    pub start: String,
    pub end: String,
}

/// A matchmaking day. Slots run from `start` to `end`, `slot_minutes` each, skipping the breaks.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[oai(deny_unknown_fields)]
pub struct EventInput {
    pub name: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub venue: String,
    /// The venue's IANA time zone (`Europe/Paris`): slot times are local to it, daylight saving
    /// included. Default `UTC`, unless `utc_offset` is given.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// A fixed offset from UTC (`+01:00`) for a venue given no `time_zone`; beside a `time_zone` it
    /// must be that zone's offset on the day.
    #[serde(default)]
    pub utc_offset: Option<String>,
    /// Local time of the first slot, `HH:MM`.
    pub start: String,
    /// Local time by which the last slot ends, `HH:MM`.
    pub end: String,
    pub slot_minutes: u32,
    #[serde(default)]
    #[oai(default)]
    pub breaks: Vec<BreakInput>,
    pub tables: u32,
    /// The most meetings an administration is given over the day (vendors are bounded by their
    /// representatives and the slots).
    pub max_meetings_per_participant: u32,
    /// RFC 3339 instants.
    pub registration_opens: DateTime<Utc>,
    pub registration_closes: DateTime<Utc>,
    /// The published matching rules, shown to every participant.
    #[serde(default)]
    #[oai(default)]
    pub rules: String,
}

/// A participant. Codes come from `GET /api/v1/taxonomy`.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[oai(deny_unknown_fields)]
pub struct ParticipantInput {
    /// `administration` or `vendor`.
    pub kind: String,
    pub name: String,
    /// People able to hold meetings in parallel (default 1).
    #[serde(default)]
    pub representatives: Option<u32>,
    /// 0-based slot indices the participant is free in; absent means every slot.
    #[serde(default)]
    pub availability: Option<Vec<u32>>,
    /// Administrations: the categories they need.
    #[serde(default)]
    #[oai(default)]
    pub categories: Vec<String>,
    /// Administrations: the Suite classes they need.
    #[serde(default)]
    #[oai(default)]
    pub suite_classes: Vec<String>,
    /// Administrations: `standard` (default), `sensitive` (needs SecNumCloud), `health` (needs HDS).
    #[serde(default)]
    pub sensitivity: Option<String>,
    #[serde(default)]
    pub free_text: Option<String>,
    /// Vendors: their supplier record.
    #[serde(default)]
    pub supplier_id: Option<i64>,
    /// Vendors: their offers in the registry.
    #[serde(default)]
    #[oai(default)]
    pub offer_ids: Vec<i64>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[oai(deny_unknown_fields)]
pub struct AskInput {
    /// The participant of the other side to meet.
    pub with: i64,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[oai(deny_unknown_fields)]
pub struct AnswerInput {
    /// `false` also cancels an accepted request.
    pub accept: bool,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[oai(deny_unknown_fields)]
pub struct AvailabilityInput {
    /// 0-based slot indices the participant is free in.
    pub slots: Vec<u32>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[oai(deny_unknown_fields)]
pub struct ScheduleInput {
    /// The published seed: the same requests and seed give the same schedule.
    pub seed: u64,
}

fn time(field: &str, value: &str) -> Result<NaiveTime, ApiError> {
    NaiveTime::parse_from_str(value.trim(), "%H:%M")
        .map_err(|_| ApiError::invalid(field, "invalid_time", "expected a local time HH:MM"))
}

impl EventInput {
    fn into_spec(self) -> Result<EventSpec, ApiError> {
        let day = NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d")
            .map_err(|_| ApiError::invalid("date", "invalid_date", "expected YYYY-MM-DD"))?;
        let breaks = self
            .breaks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                Ok((
                    time(&format!("breaks[{i}].start"), &b.start)?,
                    time(&format!("breaks[{i}].end"), &b.end)?,
                ))
            })
            .collect::<Result<_, ApiError>>()?;
        Ok(EventSpec {
            name: self.name,
            day,
            venue: self.venue,
            time_zone: self.time_zone,
            utc_offset: self.utc_offset,
            start: time("start", &self.start)?,
            end: time("end", &self.end)?,
            slot_minutes: self.slot_minutes,
            breaks,
            tables: self.tables,
            max_meetings: self.max_meetings_per_participant,
            registration_opens: self.registration_opens,
            registration_closes: self.registration_closes,
            rules: self.rules,
        })
    }
}

impl ParticipantInput {
    fn into_spec(self) -> Result<ParticipantSpec, ApiError> {
        let kind = ParticipantKind::parse(&self.kind).ok_or_else(|| {
            ApiError::invalid("kind", "unknown_code", "expected administration or vendor")
        })?;
        let sensitivity = Sensitivity::parse_or_standard(self.sensitivity.as_deref().unwrap_or(""))
            .ok_or_else(|| {
                ApiError::invalid(
                    "sensitivity",
                    "unknown_code",
                    "expected standard, sensitive or health",
                )
            })?;
        let categories = self
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| {
                Category::parse(c)
                    .map_err(|e| ApiError::vocabulary(&format!("categories[{i}]"), &e))
            })
            .collect::<Result<_, _>>()?;
        let suite_classes = self
            .suite_classes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                SuiteClass::parse(c)
                    .map_err(|e| ApiError::vocabulary(&format!("suite_classes[{i}]"), &e))
            })
            .collect::<Result<_, _>>()?;
        Ok(ParticipantSpec {
            kind,
            name: self.name,
            representatives: self.representatives.unwrap_or(1),
            availability: self
                .availability
                .map(|slots| slots.into_iter().map(|s| s as usize).collect()),
            categories,
            suite_classes,
            sensitivity,
            free_text: self.free_text,
            supplier_id: self.supplier_id,
            offer_ids: self.offer_ids,
        })
    }
}

// ---- views -----------------------------------------------------------------------------------

#[derive(Debug, Clone, Object)]
pub struct SlotView {
    /// 0-based.
    pub index: u32,
    /// Local time `HH:MM`.
    pub start: String,
    pub end: String,
    /// The slot's start as an instant with the venue's offset then (RFC 3339).
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, Object)]
pub struct EventView {
    pub id: i64,
    pub name: String,
    pub date: NaiveDate,
    pub venue: String,
    /// The IANA time zone the slots are local to; `null` for an event given a fixed offset only.
    pub time_zone: Option<String>,
    /// The venue's offset from UTC at the first slot.
    pub utc_offset: String,
    pub slots: Vec<SlotView>,
    pub tables: u32,
    pub max_meetings_per_participant: u32,
    pub registration_opens: DateTime<Utc>,
    pub registration_closes: DateTime<Utc>,
    pub rules: String,
    /// The published seed of the last schedule run.
    pub schedule_seed: Option<u64>,
    pub scheduled_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Object)]
pub struct CreatedEvent {
    pub event: EventView,
    /// Shown once: only its hash is kept.
    pub organiser_token: String,
}

#[derive(Debug, Clone, Object)]
pub struct ParticipantView {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub representatives: u32,
    pub availability: Vec<u32>,
    pub categories: Vec<String>,
    pub suite_classes: Vec<String>,
    pub sensitivity: String,
    /// What the sensitivity requires of an offer: `secnumcloud`, `hds`.
    pub requirements: Vec<String>,
    pub free_text: Option<String>,
    pub supplier_id: Option<i64>,
    pub offer_ids: Vec<i64>,
}

#[derive(Debug, Clone, Object)]
pub struct RegisteredParticipant {
    pub participant: ParticipantView,
    /// Shown once: only its hash is kept.
    pub token: String,
}

#[derive(Debug, Clone, Object)]
pub struct ParticipantList {
    pub items: Vec<ParticipantView>,
}

#[derive(Debug, Clone, Object)]
pub struct RowErrorView {
    /// Line in the file; the header is line 1.
    pub line: u64,
    pub field: String,
    pub reason: String,
}

#[derive(Debug, Clone, Object)]
pub struct ImportView {
    pub registered: Vec<RegisteredParticipant>,
    pub errors: Vec<RowErrorView>,
}

#[derive(Debug, Clone, Object)]
pub struct RequestView {
    pub id: i64,
    pub administration_id: i64,
    pub vendor_id: i64,
    pub asked_by_administration: bool,
    pub asked_by_vendor: bool,
    pub mutual: bool,
    /// 3 mutual, 2 asked by the administration, 1 asked by the vendor.
    pub weight: u32,
    /// `pending`, `accepted`, `declined`.
    pub status: String,
}

#[derive(Debug, Clone, Object)]
pub struct RequestList {
    pub items: Vec<RequestView>,
}

#[derive(Debug, Clone, Object)]
pub struct SuggestionReason {
    pub code: String,
    pub detail: String,
}

#[derive(Debug, Clone, Object)]
pub struct OfferSuggestion {
    pub offer_id: i64,
    pub offer_name: String,
    pub supplier_id: i64,
    pub supplier_name: String,
    pub exposure: String,
    pub score: u32,
    pub reasons: Vec<SuggestionReason>,
    /// The supplier's vendor participant at this event, to ask for a meeting.
    pub vendor_participant_id: Option<i64>,
}

#[derive(Debug, Clone, Object)]
pub struct OfferExclusion {
    pub offer_id: i64,
    pub offer_name: String,
    pub supplier_name: String,
    pub reasons: Vec<SuggestionReason>,
}

#[derive(Debug, Clone, Object)]
pub struct OfferSuggestions {
    pub requirements: Vec<String>,
    /// Best first.
    pub suggested: Vec<OfferSuggestion>,
    /// Offers that fit the needs but fail a requirement.
    pub excluded: Vec<OfferExclusion>,
}

#[derive(Debug, Clone, Object)]
pub struct ScheduleReportView {
    pub seed: u64,
    pub meetings: u32,
    pub kept: u32,
    pub moved: u32,
    pub cancelled: u32,
    pub added: u32,
    pub decisions: u32,
}

#[derive(Debug, Clone, Object)]
pub struct MeetingView {
    /// Stable across re-schedules: `meeting-<event>-<administration>-<vendor>@registre`.
    pub uid: String,
    pub administration_id: i64,
    pub administration: String,
    pub vendor_id: i64,
    pub vendor: String,
    /// 0-based slot.
    pub slot: u32,
    pub start: String,
    pub end: String,
    /// 1-based table.
    pub table: u32,
    pub weight: u32,
    /// `confirmed` or `cancelled`.
    pub status: String,
    pub sequence: u32,
}

#[derive(Debug, Clone, Object)]
pub struct ScheduleDecision {
    pub stage: String,
    pub participants: Vec<String>,
    pub message: String,
}

#[derive(Debug, Clone, Object)]
pub struct AgendaView {
    pub event_id: i64,
    pub participant_id: i64,
    pub meetings: Vec<MeetingView>,
    /// Why the schedule is what it is, for this participant (scheduler ids `A<id>`, `V<id>`).
    pub decisions: Vec<ScheduleDecision>,
}

#[derive(Debug, Clone, Object)]
pub struct GridSlot {
    pub slot: SlotView,
    /// One entry per table, `null` when the table is free.
    pub tables: Vec<Option<MeetingView>>,
}

#[derive(Debug, Clone, Object)]
pub struct GridView {
    pub event_id: i64,
    pub schedule_seed: Option<u64>,
    pub slots: Vec<GridSlot>,
    /// Meetings that no longer take place.
    pub cancelled: Vec<MeetingView>,
    pub decisions: Vec<ScheduleDecision>,
}

/// A registry record a meeting was about.
#[derive(Debug, Clone, Object)]
pub struct RecordLinkView {
    pub id: i64,
    pub name: String,
    /// The record in the API: `/api/v1/suppliers/{id}` or `/api/v1/offers/{id}`.
    pub href: String,
}

#[derive(Debug, Clone, Object)]
pub struct ReportedMeetingView {
    pub uid: String,
    pub administration_id: i64,
    pub administration: String,
    pub vendor_id: i64,
    pub vendor: String,
    /// 0-based slot.
    pub slot: u32,
    /// 1-based table.
    pub table: u32,
    pub weight: u32,
    pub supplier: Option<RecordLinkView>,
    pub offers: Vec<RecordLinkView>,
}

/// After the day: the meetings held, linked to the registry records, and who had none.
#[derive(Debug, Clone, Object)]
pub struct EventReportView {
    pub event_id: i64,
    pub schedule_seed: Option<u64>,
    pub meetings: Vec<ReportedMeetingView>,
    pub cancelled: u32,
    pub total_weight: u32,
    /// Participants without a meeting, administrations first.
    pub without_meeting: Vec<i64>,
}

fn report_of(report: EventReport) -> EventReportView {
    let link = |kind: &str, link: RecordLink| RecordLinkView {
        href: format!("/api/v1/{kind}/{}", link.id),
        id: link.id,
        name: link.name,
    };
    EventReportView {
        event_id: report.event_id,
        schedule_seed: report.schedule_seed,
        meetings: report
            .meetings
            .into_iter()
            .map(|m| ReportedMeetingView {
                uid: m.uid,
                administration_id: m.administration_id,
                administration: m.administration,
                vendor_id: m.vendor_id,
                vendor: m.vendor,
                slot: m.slot as u32,
                table: m.table as u32,
                weight: m.weight,
                supplier: m.supplier.map(|s| link("suppliers", s)),
                offers: m.offers.into_iter().map(|o| link("offers", o)).collect(),
            })
            .collect(),
        cancelled: report.cancelled as u32,
        total_weight: report.total_weight,
        without_meeting: report.without_meeting,
    }
}

fn hhmm(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

fn slot_view(event: &Event, index: usize, slot: &Slot) -> SlotView {
    SlotView {
        index: index as u32,
        start: hhmm(slot.start),
        end: hhmm(slot.end),
        starts_at: event.local(slot.start),
        ends_at: event.local(slot.end),
    }
}

fn event_view(event: Event) -> EventView {
    EventView {
        id: event.id,
        slots: event
            .slots
            .iter()
            .enumerate()
            .map(|(index, slot)| slot_view(&event, index, slot))
            .collect(),
        time_zone: event.time_zone.map(|zone| zone.name().to_owned()),
        name: event.name,
        date: event.day,
        venue: event.venue,
        utc_offset: event.utc_offset,
        tables: event.tables,
        max_meetings_per_participant: event.max_meetings,
        registration_opens: event.registration_opens,
        registration_closes: event.registration_closes,
        rules: event.rules,
        schedule_seed: event.schedule_seed,
        scheduled_at: event.scheduled_at,
    }
}

fn participant_view(participant: Participant) -> ParticipantView {
    ParticipantView {
        id: participant.id,
        kind: participant.kind.code().to_owned(),
        name: participant.name,
        representatives: participant.representatives,
        availability: participant.availability.iter().map(|s| *s as u32).collect(),
        categories: participant
            .categories
            .iter()
            .map(|c| c.code().to_owned())
            .collect(),
        suite_classes: participant
            .suite_classes
            .iter()
            .map(|c| c.code().to_owned())
            .collect(),
        sensitivity: participant.sensitivity.code().to_owned(),
        requirements: participant
            .sensitivity
            .requirements()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        free_text: participant.free_text,
        supplier_id: participant.supplier_id,
        offer_ids: participant.offer_ids,
    }
}

fn registered((participant, token): (Participant, String)) -> RegisteredParticipant {
    RegisteredParticipant {
        participant: participant_view(participant),
        token,
    }
}

fn request_view(request: MeetingRequest) -> RequestView {
    RequestView {
        id: request.id,
        administration_id: request.administration_id,
        vendor_id: request.vendor_id,
        asked_by_administration: request.asked_by_administration,
        asked_by_vendor: request.asked_by_vendor,
        mutual: request.mutual(),
        weight: request.weight(),
        status: request.status.code().to_owned(),
    }
}

fn meeting_view(event_id: i64, meeting: &AgendaMeeting) -> MeetingView {
    MeetingView {
        uid: meeting.uid(event_id),
        administration_id: meeting.administration_id,
        administration: meeting.administration_name.clone(),
        vendor_id: meeting.vendor_id,
        vendor: meeting.vendor_name.clone(),
        slot: meeting.slot as u32,
        start: hhmm(meeting.time.start),
        end: hhmm(meeting.time.end),
        table: meeting.table as u32,
        weight: meeting.weight,
        status: meeting.status.code().to_owned(),
        sequence: meeting.sequence,
    }
}

fn decision_view(decision: LoggedDecision) -> ScheduleDecision {
    ScheduleDecision {
        stage: decision.stage,
        participants: decision.participants,
        message: decision.message,
    }
}

fn report_view(report: ScheduleReport) -> ScheduleReportView {
    ScheduleReportView {
        seed: report.seed,
        meetings: report.meetings as u32,
        kept: report.kept as u32,
        moved: report.moved as u32,
        cancelled: report.cancelled as u32,
        added: report.added as u32,
        decisions: report.decisions as u32,
    }
}

fn reasons(reasons: Vec<registre_store::events::Reason>) -> Vec<SuggestionReason> {
    reasons
        .into_iter()
        .map(|r| SuggestionReason {
            code: r.code.to_owned(),
            detail: r.detail,
        })
        .collect()
}

fn suggestions_view(suggestions: Suggestions) -> OfferSuggestions {
    OfferSuggestions {
        requirements: suggestions
            .requirements
            .into_iter()
            .map(str::to_owned)
            .collect(),
        suggested: suggestions
            .suggested
            .into_iter()
            .map(|s| OfferSuggestion {
                offer_id: s.offer_id,
                offer_name: s.offer_name,
                supplier_id: s.supplier_id,
                supplier_name: s.supplier_name,
                exposure: s.exposure.code().to_owned(),
                score: s.score,
                reasons: reasons(s.reasons),
                vendor_participant_id: s.vendor_participant_id,
            })
            .collect(),
        excluded: suggestions
            .excluded
            .into_iter()
            .map(|e| OfferExclusion {
                offer_id: e.offer_id,
                offer_name: e.offer_name,
                supplier_name: e.supplier_name,
                reasons: reasons(e.reasons),
            })
            .collect(),
    }
}

fn import_view(report: ImportReport) -> ImportView {
    ImportView {
        registered: report.registered.into_iter().map(registered).collect(),
        errors: report
            .errors
            .into_iter()
            .map(|e| RowErrorView {
                line: e.line,
                field: e.field,
                reason: e.reason,
            })
            .collect(),
    }
}

// ---- payloads and responses -------------------------------------------------------------------

/// A `text/csv` request body (UTF-8).
pub struct CsvBody(pub String);

impl Payload for CsvBody {
    const CONTENT_TYPE: &'static str = "text/csv";

    fn check_content_type(content_type: &str) -> bool {
        matches!(content_type.parse::<mime::Mime>(), Ok(mime)
            if mime.type_() == "text" && mime.subtype() == "csv")
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new("string")))
    }
}

impl ParsePayload for CsvBody {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let _ = request;
        let bytes = body
            .take()?
            .into_bytes_limit(MAX_BODY_BYTES)
            .await
            .map_err(|error| {
                poem::Error::from(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_body",
                    error.to_string(),
                    None,
                ))
            })?;
        String::from_utf8(bytes.to_vec()).map(CsvBody).map_err(|_| {
            poem::Error::from(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "a CSV body is UTF-8 text",
                None,
            ))
        })
    }
}

impl_apirequest_for_payload!(CsvBody);

#[derive(ApiResponse)]
pub enum CreatedResponse<T: poem_openapi::types::Type + poem_openapi::types::ToJSON + Send + Sync> {
    #[oai(status = 201)]
    Created(Json<T>),
}

#[derive(ApiResponse)]
pub enum CalendarResponse {
    /// The agenda as an iCalendar feed (RFC 5545).
    #[oai(status = 200, content_type = "text/calendar; charset=utf-8")]
    Ok(PlainText<String>),
}

#[derive(ApiResponse)]
pub enum CsvResponse {
    /// The schedule, one meeting per row.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(PlainText<String>),
}

#[derive(ApiResponse)]
pub enum ParticipantsCsvResponse {
    /// The participants, one per row.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(PlainText<String>),
}

// ---- authorisation ----------------------------------------------------------------------------

/// Who the token speaks for at this event (an admin token counts as the organiser).
async fn role(store: &Store, event_id: i64, token: &EventToken) -> Result<EventRole, ApiError> {
    store.event(event_id).await?;
    if store.authenticate(&token.0.token).await?.is_some() {
        return Ok(EventRole::Organiser);
    }
    store
        .event_role(event_id, &token.0.token)
        .await?
        .ok_or_else(|| {
            ApiError::unauthorized(
                "invalid_token",
                "this bearer token is not a token of this event",
            )
        })
}

async fn organiser(store: &Store, event_id: i64, token: &EventToken) -> Result<(), ApiError> {
    match role(store, event_id, token).await? {
        EventRole::Organiser => Ok(()),
        EventRole::Participant(_) => Err(ApiError::forbidden(
            "organiser_token_required",
            "this operation needs the event's organiser token",
        )),
    }
}

async fn participant(
    store: &Store,
    event_id: i64,
    token: &EventToken,
) -> Result<Participant, ApiError> {
    match role(store, event_id, token).await? {
        EventRole::Participant(participant) => Ok(*participant),
        EventRole::Organiser => Err(ApiError::forbidden(
            "participant_token_required",
            "this operation is a participant's own: use its token",
        )),
    }
}

/// The organiser, or the participant `participant_id` itself.
async fn organiser_or_self(
    store: &Store,
    event_id: i64,
    participant_id: i64,
    token: &EventToken,
) -> Result<Participant, ApiError> {
    match role(store, event_id, token).await? {
        EventRole::Organiser => Ok(store.participant(event_id, participant_id).await?),
        EventRole::Participant(participant) if participant.id == participant_id => Ok(*participant),
        EventRole::Participant(_) => Err(ApiError::forbidden(
            "not_this_participant",
            "a participant token opens only that participant's own records",
        )),
    }
}

fn today() -> NaiveDate {
    crate::today()
}

// ---- routes -----------------------------------------------------------------------------------

#[OpenApi(prefix_path = "/events", tag = "ApiTags::Events")]
impl EventsApi {
    /// Create an event (admin token). The answer holds the organiser token, shown once.
    #[oai(path = "/", method = "post", operation_id = "create_event")]
    async fn create(
        &self,
        token: EventToken,
        body: JsonBody<EventInput>,
    ) -> Result<CreatedResponse<CreatedEvent>, ApiError> {
        if self.store.authenticate(&token.0.token).await?.is_none() {
            return Err(ApiError::unauthorized(
                "invalid_token",
                "creating an event needs an admin token",
            ));
        }
        let (event, organiser_token) = self.store.create_event(body.0.into_spec()?).await?;
        Ok(CreatedResponse::Created(Json(CreatedEvent {
            event: event_view(event),
            organiser_token,
        })))
    }

    /// Read an event: its day, slots, tables and published matching rules (public).
    #[oai(path = "/:id", method = "get", operation_id = "get_event")]
    async fn get(&self, id: Path<i64>) -> Result<Json<EventView>, ApiError> {
        Ok(Json(event_view(self.store.event(id.0).await?)))
    }

    /// Register a participant (organiser). The answer holds its token, shown once.
    #[oai(
        path = "/:id/participants",
        method = "post",
        operation_id = "register_participant"
    )]
    async fn register(
        &self,
        token: EventToken,
        id: Path<i64>,
        body: JsonBody<ParticipantInput>,
    ) -> Result<CreatedResponse<RegisteredParticipant>, ApiError> {
        organiser(&self.store, id.0, &token).await?;
        let spec = body.0.into_spec()?;
        let created = self
            .store
            .register_participant(id.0, spec, Utc::now())
            .await?;
        Ok(CreatedResponse::Created(Json(registered(created))))
    }

    /// Register participants from CSV (organiser): header
    /// `kind,name,representatives,availability,categories,suite_classes,sensitivity,free_text,supplier_id,offer_ids`,
    /// lists separated by `;`. Good rows are registered; bad ones come back with line, field and reason.
    #[oai(
        path = "/:id/participants/import",
        method = "post",
        operation_id = "import_participants"
    )]
    async fn import(
        &self,
        token: EventToken,
        id: Path<i64>,
        body: CsvBody,
    ) -> Result<Json<ImportView>, ApiError> {
        organiser(&self.store, id.0, &token).await?;
        let report = self
            .store
            .import_participants(id.0, &body.0, Utc::now())
            .await?;
        Ok(Json(import_view(report)))
    }

    /// List the participants with their needs and offers (any token of the event: participants use
    /// it to find whom to ask).
    #[oai(
        path = "/:id/participants",
        method = "get",
        operation_id = "list_participants"
    )]
    async fn participants(
        &self,
        token: EventToken,
        id: Path<i64>,
    ) -> Result<Json<ParticipantList>, ApiError> {
        role(&self.store, id.0, &token).await?;
        let items = self.store.participants(id.0).await?;
        Ok(Json(ParticipantList {
            items: items.into_iter().map(participant_view).collect(),
        }))
    }

    /// The participants as CSV (organiser): `id,kind,name,representatives,availability,categories,
    /// suite_classes,sensitivity,requirements,free_text,supplier_id,supplier,offer_ids,
    /// requests_accepted,meetings`; lists separated by `;`, slots 0-based as in the import.
    #[oai(
        path = "/:id/participants.csv",
        method = "get",
        operation_id = "get_participants_csv"
    )]
    async fn participants_csv(
        &self,
        token: EventToken,
        id: Path<i64>,
    ) -> Result<ParticipantsCsvResponse, ApiError> {
        organiser(&self.store, id.0, &token).await?;
        let csv = self.store.participants_csv(id.0).await?;
        Ok(ParticipantsCsvResponse::Ok(PlainText(csv)))
    }

    /// Change a participant's availability (its own token, or the organiser's). Published meetings
    /// move or are cancelled at the next re-schedule.
    #[oai(
        path = "/:id/participants/:participant_id/availability",
        method = "put",
        operation_id = "set_availability"
    )]
    async fn set_availability(
        &self,
        token: EventToken,
        id: Path<i64>,
        participant_id: Path<i64>,
        body: JsonBody<AvailabilityInput>,
    ) -> Result<Json<ParticipantView>, ApiError> {
        let who = organiser_or_self(&self.store, id.0, participant_id.0, &token).await?;
        let slots = body.0.slots.into_iter().map(|s| s as usize).collect();
        let participant = self.store.set_availability(id.0, who.id, slots).await?;
        Ok(Json(participant_view(participant)))
    }

    /// Ask to meet a participant of the other side (participant token). Asking back someone who
    /// asked makes the wish mutual and accepted.
    #[oai(path = "/:id/requests", method = "post", operation_id = "ask_to_meet")]
    async fn ask(
        &self,
        token: EventToken,
        id: Path<i64>,
        body: JsonBody<AskInput>,
    ) -> Result<CreatedResponse<RequestView>, ApiError> {
        let by = participant(&self.store, id.0, &token).await?;
        let request = self.store.ask_to_meet(&by, body.0.with).await?;
        Ok(CreatedResponse::Created(Json(request_view(request))))
    }

    /// The requests: a participant sees its own, the organiser all of them.
    #[oai(path = "/:id/requests", method = "get", operation_id = "list_requests")]
    async fn requests(
        &self,
        token: EventToken,
        id: Path<i64>,
    ) -> Result<Json<RequestList>, ApiError> {
        let requests = match role(&self.store, id.0, &token).await? {
            EventRole::Organiser => self.store.requests(id.0, None).await?,
            EventRole::Participant(p) => self.store.requests(id.0, Some(&p)).await?,
        };
        Ok(Json(RequestList {
            items: requests.into_iter().map(request_view).collect(),
        }))
    }

    /// Accept or decline a request (the asked side's token); declining an accepted request cancels it.
    #[oai(
        path = "/:id/requests/:request_id/answer",
        method = "post",
        operation_id = "answer_request"
    )]
    async fn answer(
        &self,
        token: EventToken,
        id: Path<i64>,
        request_id: Path<i64>,
        body: JsonBody<AnswerInput>,
    ) -> Result<Json<RequestView>, ApiError> {
        let by = participant(&self.store, id.0, &token).await?;
        let request = self
            .store
            .answer_request(&by, request_id.0, body.0.accept)
            .await?;
        Ok(Json(request_view(request)))
    }

    /// Offers of the registry that fit an administration's needs and meet its requirements, ranked,
    /// with reasons; and those excluded, with why (the administration or the organiser).
    #[oai(
        path = "/:id/participants/:participant_id/suggestions",
        method = "get",
        operation_id = "suggestions"
    )]
    async fn suggestions(
        &self,
        token: EventToken,
        id: Path<i64>,
        participant_id: Path<i64>,
    ) -> Result<Json<OfferSuggestions>, ApiError> {
        let administration = organiser_or_self(&self.store, id.0, participant_id.0, &token).await?;
        let suggestions = self.store.suggestions(&administration, today()).await?;
        Ok(Json(suggestions_view(suggestions)))
    }

    /// Schedule the accepted requests with a published seed (organiser). The schedule is checked
    /// against every hard rule before it is published.
    #[oai(
        path = "/:id/schedule",
        method = "post",
        operation_id = "schedule_event"
    )]
    async fn schedule(
        &self,
        token: EventToken,
        id: Path<i64>,
        body: JsonBody<ScheduleInput>,
    ) -> Result<Json<ScheduleReportView>, ApiError> {
        organiser(&self.store, id.0, &token).await?;
        let report = self.store.schedule_event(id.0, body.0.seed).await?;
        Ok(Json(report_view(report)))
    }

    /// Schedule again after changes, moving as few published meetings as possible (organiser).
    #[oai(
        path = "/:id/reschedule",
        method = "post",
        operation_id = "reschedule_event"
    )]
    async fn reschedule(
        &self,
        token: EventToken,
        id: Path<i64>,
        body: JsonBody<ScheduleInput>,
    ) -> Result<Json<ScheduleReportView>, ApiError> {
        organiser(&self.store, id.0, &token).await?;
        let report = self.store.reschedule_event(id.0, body.0.seed).await?;
        Ok(Json(report_view(report)))
    }

    /// The organiser's grid: each slot with its tables, the cancelled meetings and the decision log.
    #[oai(path = "/:id/schedule", method = "get", operation_id = "get_schedule")]
    async fn grid(&self, token: EventToken, id: Path<i64>) -> Result<Json<GridView>, ApiError> {
        organiser(&self.store, id.0, &token).await?;
        let agenda = self.store.agenda(id.0, None).await?;
        Ok(Json(grid_view(agenda)))
    }

    /// The schedule as CSV (organiser).
    #[oai(
        path = "/:id/schedule.csv",
        method = "get",
        operation_id = "get_schedule_csv"
    )]
    async fn grid_csv(&self, token: EventToken, id: Path<i64>) -> Result<CsvResponse, ApiError> {
        organiser(&self.store, id.0, &token).await?;
        let agenda = self.store.agenda(id.0, None).await?;
        Ok(CsvResponse::Ok(PlainText(schedule_csv(&agenda))))
    }

    /// The report after the day (organiser): each meeting held with the supplier and offers it was
    /// about, the cancelled count, the total weight and who had no meeting.
    #[oai(
        path = "/:id/report",
        method = "get",
        operation_id = "get_event_report"
    )]
    async fn report(
        &self,
        token: EventToken,
        id: Path<i64>,
    ) -> Result<Json<EventReportView>, ApiError> {
        organiser(&self.store, id.0, &token).await?;
        Ok(Json(report_of(self.store.event_report(id.0).await?)))
    }

    /// A participant's agenda and the decisions that concern it (its own token, or the organiser's).
    #[oai(
        path = "/:id/participants/:participant_id/agenda",
        method = "get",
        operation_id = "get_agenda"
    )]
    async fn agenda(
        &self,
        token: EventToken,
        id: Path<i64>,
        participant_id: Path<i64>,
    ) -> Result<Json<AgendaView>, ApiError> {
        let who = organiser_or_self(&self.store, id.0, participant_id.0, &token).await?;
        let agenda = self.store.agenda(id.0, Some(&who)).await?;
        Ok(Json(AgendaView {
            event_id: id.0,
            participant_id: who.id,
            meetings: agenda
                .meetings
                .iter()
                .map(|m| meeting_view(id.0, m))
                .collect(),
            decisions: agenda.decisions.into_iter().map(decision_view).collect(),
        }))
    }

    /// A participant's agenda as an iCalendar feed: one stable UID per meeting, `SEQUENCE` bumped
    /// when it moves, `STATUS:CANCELLED` when it no longer takes place.
    #[oai(
        path = "/:id/participants/:participant_id/agenda.ics",
        method = "get",
        operation_id = "get_agenda_ics"
    )]
    async fn agenda_ics(
        &self,
        token: EventToken,
        id: Path<i64>,
        participant_id: Path<i64>,
    ) -> Result<CalendarResponse, ApiError> {
        let who = organiser_or_self(&self.store, id.0, participant_id.0, &token).await?;
        let agenda = self.store.agenda(id.0, Some(&who)).await?;
        Ok(CalendarResponse::Ok(PlainText(agenda_ics(
            &agenda,
            Some(who.id),
        ))))
    }
}

fn grid_view(agenda: Agenda) -> GridView {
    let event_id = agenda.event.id;
    let tables = agenda.event.tables as usize;
    let mut slots: Vec<GridSlot> = agenda
        .event
        .slots
        .iter()
        .enumerate()
        .map(|(index, slot)| GridSlot {
            slot: slot_view(&agenda.event, index, slot),
            tables: vec![None; tables],
        })
        .collect();
    let mut cancelled = Vec::new();
    for meeting in &agenda.meetings {
        let view = meeting_view(event_id, meeting);
        if meeting.status == registre_store::events::MeetingStatus::Cancelled {
            cancelled.push(view);
        } else if let Some(cell) = slots
            .get_mut(meeting.slot)
            .and_then(|slot| slot.tables.get_mut(meeting.table - 1))
        {
            *cell = Some(view);
        }
    }
    GridView {
        event_id,
        schedule_seed: agenda.event.schedule_seed,
        slots,
        cancelled,
        decisions: agenda.decisions.into_iter().map(decision_view).collect(),
    }
}
