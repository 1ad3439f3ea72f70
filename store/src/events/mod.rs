//! Matchmaking days (issue 4): events, their participants, the requests to meet and the schedule.
//!
//! Organisers hold a per-event token, each participant its own; only SHA-256 hashes are kept, as for
//! admin tokens (`tokens.rs`). The scheduler itself is the pure `registre-matchmaking` crate: this
//! module builds its instance from the accepted requests, checks its answer with the independent
//! checker before anything is stored, and keeps each meeting's identity across re-schedules so that
//! calendars receive moves and cancellations (`calendar.rs`).

mod calendar;
mod import;
mod report;
mod roster;
mod schedule;
mod suggestions;
mod zone;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rand::RngCore;
use registre_domain::model::ValidationError;
use registre_domain::taxonomy::{Category, SuiteClass, Vocabulary};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Store;
use crate::entities::{event, event_participant, event_request};
use crate::error::StoreError;

pub use calendar::{agenda_ics, schedule_csv};
pub use import::{ImportReport, RowError};
pub use report::{EventReport, RecordLink, ReportedMeeting};
pub use roster::PARTICIPANT_COLUMNS;
pub use schedule::{
    Agenda, AgendaMeeting, LoggedDecision, MeetingStatus, ScheduleReport, instance_of,
};
pub use suggestions::{Exclusion, Reason, Suggestion, Suggestions};
pub use zone::Tz;

/// How an event's day is cut into slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSpec {
    pub name: String,
    pub day: NaiveDate,
    pub venue: String,
    /// The venue's IANA time zone (`Europe/Paris`): slot times are local to it, daylight saving
    /// included. Without it, `utc_offset`; without either, UTC.
    pub time_zone: Option<String>,
    /// A fixed offset from UTC (`+01:00`), for a venue given no zone; beside a zone it must agree
    /// with the zone's offset that day.
    pub utc_offset: Option<String>,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub slot_minutes: u32,
    /// `[start, end)` pauses: no slot overlaps one.
    pub breaks: Vec<(NaiveTime, NaiveTime)>,
    pub tables: u32,
    pub max_meetings: u32,
    pub registration_opens: DateTime<Utc>,
    pub registration_closes: DateTime<Utc>,
    pub rules: String,
}

/// One time slot of the day, local to the venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub name: String,
    pub day: NaiveDate,
    pub venue: String,
    /// The offset of the first slot (`+01:00`); with a named zone, later slots may differ.
    pub utc_offset: String,
    /// The IANA zone slots are local to; `None` for an event with a fixed offset only.
    pub time_zone: Option<Tz>,
    pub slots: Vec<Slot>,
    pub tables: u32,
    pub max_meetings: u32,
    pub registration_opens: DateTime<Utc>,
    pub registration_closes: DateTime<Utc>,
    pub rules: String,
    /// The published seed of the last schedule run, if any.
    pub schedule_seed: Option<u64>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub schedule_runs: u32,
}

impl Event {
    /// The offset in seconds east of UTC.
    pub fn offset_seconds(&self) -> i32 {
        parse_offset(&self.utc_offset).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantKind {
    Administration,
    Vendor,
}

impl ParticipantKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Administration => "administration",
            Self::Vendor => "vendor",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code.trim() {
            "administration" => Some(Self::Administration),
            "vendor" => Some(Self::Vendor),
            _ => None,
        }
    }
}

pub use registre_domain::need::Sensitivity;

/// A registration, as sent by the organiser or read from a CSV row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantSpec {
    pub kind: ParticipantKind,
    pub name: String,
    pub representatives: u32,
    /// Slot indices the participant is free in; `None` is every slot.
    pub availability: Option<Vec<usize>>,
    pub categories: Vec<Category>,
    pub suite_classes: Vec<SuiteClass>,
    pub sensitivity: Sensitivity,
    pub free_text: Option<String>,
    pub supplier_id: Option<i64>,
    pub offer_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub id: i64,
    pub event_id: i64,
    pub kind: ParticipantKind,
    pub name: String,
    pub representatives: u32,
    pub availability: Vec<usize>,
    pub categories: Vec<Category>,
    pub suite_classes: Vec<SuiteClass>,
    pub sensitivity: Sensitivity,
    pub free_text: Option<String>,
    pub supplier_id: Option<i64>,
    pub offer_ids: Vec<i64>,
}

impl Participant {
    /// The id the scheduler and its decision log use: `A12`, `V40`.
    pub fn schedule_id(&self) -> String {
        schedule_id(self.kind, self.id)
    }
}

pub(crate) fn schedule_id(kind: ParticipantKind, id: i64) -> String {
    match kind {
        ParticipantKind::Administration => format!("A{id}"),
        ParticipantKind::Vendor => format!("V{id}"),
    }
}

/// Who holds a token for an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventRole {
    Organiser,
    Participant(Box<Participant>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Asked by one side, waiting for the other.
    Pending,
    /// Accepted by the side that was asked, or asked by both.
    Accepted,
    Declined,
}

impl RequestStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
        }
    }

    fn parse(code: &str) -> Self {
        match code {
            "accepted" => Self::Accepted,
            "declined" => Self::Declined,
            _ => Self::Pending,
        }
    }
}

/// A wish to meet between one administration and one vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRequest {
    pub id: i64,
    pub event_id: i64,
    pub administration_id: i64,
    pub vendor_id: i64,
    pub asked_by_administration: bool,
    pub asked_by_vendor: bool,
    pub status: RequestStatus,
}

impl MeetingRequest {
    pub fn mutual(&self) -> bool {
        self.asked_by_administration && self.asked_by_vendor
    }

    /// The benchmark's weights: 3 when both sides asked, 2 when the administration did, 1 when the vendor did.
    pub fn weight(&self) -> u32 {
        match (self.asked_by_administration, self.asked_by_vendor) {
            (true, true) => 3,
            (true, false) => 2,
            _ => 1,
        }
    }
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}_{}", hex::encode(bytes))
}

pub(crate) fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(ValidationError::new(field, code, message))
}

fn parse_offset(text: &str) -> Option<i32> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':')?;
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    if rest.len() != 5 || hours > 14 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60))
}

/// Cuts `[start, end)` into slots of `minutes`, skipping the breaks.
pub fn slots_of(spec: &EventSpec) -> Result<Vec<Slot>, StoreError> {
    if spec.slot_minutes == 0 || spec.slot_minutes > 24 * 60 {
        return Err(invalid(
            "slot_minutes",
            "invalid_slot_length",
            "a slot lasts between 1 minute and a day",
        ));
    }
    if spec.end <= spec.start {
        return Err(invalid(
            "end",
            "invalid_time_range",
            "the day ends after it starts",
        ));
    }
    for (index, (from, to)) in spec.breaks.iter().enumerate() {
        if to <= from {
            return Err(invalid(
                &format!("breaks[{index}]"),
                "invalid_time_range",
                "a break ends after it starts",
            ));
        }
    }
    let length = chrono::Duration::minutes(i64::from(spec.slot_minutes));
    let mut slots = Vec::new();
    let mut at = spec.start;
    while at + length <= spec.end && at + length > at {
        let end = at + length;
        if let Some((_, break_end)) = spec
            .breaks
            .iter()
            .find(|(from, to)| at < *to && end > *from)
        {
            at = *break_end;
            continue;
        }
        slots.push(Slot { start: at, end });
        at = end;
    }
    if slots.is_empty() {
        return Err(invalid(
            "slot_minutes",
            "no_slots",
            "no slot fits between the start, the end and the breaks",
        ));
    }
    Ok(slots)
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain values always serialise")
}

fn from_json<T: serde::de::DeserializeOwned>(
    entity: &'static str,
    id: i64,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|error| StoreError::corrupt(entity, id, error))
}

fn event_from_row(row: event::Model) -> Result<Event, StoreError> {
    Ok(Event {
        id: row.id,
        slots: from_json("event", row.id, &row.slots)?,
        name: row.name,
        day: row.day,
        venue: row.venue,
        time_zone: match row.time_zone {
            Some(name) => Some(
                name.parse::<Tz>()
                    .map_err(|_| StoreError::corrupt("event", row.id, "unknown time zone"))?,
            ),
            None => None,
        },
        utc_offset: row.utc_offset,
        tables: row.tables as u32,
        max_meetings: row.max_meetings as u32,
        registration_opens: row.registration_opens,
        registration_closes: row.registration_closes,
        rules: row.rules,
        schedule_seed: row.schedule_seed.map(|seed| seed as u64),
        scheduled_at: row.scheduled_at,
        schedule_runs: row.schedule_runs as u32,
    })
}

fn participant_from_row(row: event_participant::Model) -> Result<Participant, StoreError> {
    let codes: Vec<String> = from_json("event participant", row.id, &row.categories)?;
    let categories = codes
        .iter()
        .map(|code| Category::parse(code))
        .collect::<Result<_, _>>()
        .map_err(|error| StoreError::corrupt("event participant", row.id, error))?;
    let codes: Vec<String> = from_json("event participant", row.id, &row.suite_classes)?;
    let suite_classes = codes
        .iter()
        .map(|code| SuiteClass::parse(code))
        .collect::<Result<_, _>>()
        .map_err(|error| StoreError::corrupt("event participant", row.id, error))?;
    Ok(Participant {
        id: row.id,
        event_id: row.event_id,
        kind: ParticipantKind::parse(&row.kind)
            .ok_or_else(|| StoreError::corrupt("event participant", row.id, "unknown kind"))?,
        name: row.name,
        representatives: row.representatives as u32,
        availability: from_json("event participant", row.id, &row.availability)?,
        categories,
        suite_classes,
        sensitivity: Sensitivity::parse_or_standard(&row.sensitivity).ok_or_else(|| {
            StoreError::corrupt("event participant", row.id, "unknown sensitivity")
        })?,
        free_text: row.free_text,
        supplier_id: row.supplier_id,
        offer_ids: from_json("event participant", row.id, &row.offer_ids)?,
    })
}

fn request_from_row(row: event_request::Model) -> MeetingRequest {
    MeetingRequest {
        id: row.id,
        event_id: row.event_id,
        administration_id: row.administration_id,
        vendor_id: row.vendor_id,
        asked_by_administration: row.asked_by_administration,
        asked_by_vendor: row.asked_by_vendor,
        status: RequestStatus::parse(&row.status),
    }
}

fn not_found(entity: &'static str, id: i64) -> StoreError {
    StoreError::NotFound {
        entity,
        id: id.to_string(),
    }
}

impl Store {
    /// Creates an event; the organiser token is returned once and only its hash is kept.
    pub async fn create_event(&self, spec: EventSpec) -> Result<(Event, String), StoreError> {
        if spec.name.trim().is_empty() {
            return Err(invalid("name", "empty", "an event needs a name"));
        }
        if spec.tables == 0 {
            return Err(invalid(
                "tables",
                "invalid_count",
                "an event needs at least one table",
            ));
        }
        if spec.max_meetings == 0 {
            return Err(invalid(
                "max_meetings",
                "invalid_count",
                "each participant may have at least one meeting",
            ));
        }
        if spec.registration_closes <= spec.registration_opens {
            return Err(invalid(
                "registration_closes",
                "invalid_time_range",
                "registration closes after it opens",
            ));
        }
        let slots = slots_of(&spec)?;
        let (time_zone, utc_offset) = zone::resolve(&spec, &slots)?;
        let secret = new_secret("rgo");
        let row = event::ActiveModel {
            id: NotSet,
            name: Set(spec.name.trim().to_owned()),
            day: Set(spec.day),
            venue: Set(spec.venue),
            utc_offset: Set(utc_offset),
            time_zone: Set(time_zone.map(|zone| zone.name().to_owned())),
            slots: Set(to_json(&slots)),
            tables: Set(spec.tables as i32),
            max_meetings: Set(spec.max_meetings as i32),
            registration_opens: Set(spec.registration_opens),
            registration_closes: Set(spec.registration_closes),
            rules: Set(spec.rules),
            organiser_token_hash: Set(hash(&secret)),
            created_at: Set(Utc::now()),
            schedule_seed: Set(None),
            schedule_log: Set(None),
            scheduled_at: Set(None),
            schedule_runs: Set(0),
        }
        .insert(&self.db)
        .await?;
        Ok((event_from_row(row)?, secret))
    }

    pub async fn event(&self, id: i64) -> Result<Event, StoreError> {
        let row = event::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("event", id))?;
        event_from_row(row)
    }

    /// Who `secret` speaks for at this event, if anyone. Admin tokens are checked by the caller.
    pub async fn event_role(
        &self,
        event_id: i64,
        secret: &str,
    ) -> Result<Option<EventRole>, StoreError> {
        let digest = hash(secret);
        let organiser = event::Entity::find_by_id(event_id)
            .filter(event::Column::OrganiserTokenHash.eq(digest.as_str()))
            .one(&self.db)
            .await?;
        if organiser.is_some() {
            return Ok(Some(EventRole::Organiser));
        }
        let participant = event_participant::Entity::find()
            .filter(event_participant::Column::EventId.eq(event_id))
            .filter(event_participant::Column::TokenHash.eq(digest))
            .one(&self.db)
            .await?;
        participant
            .map(|row| participant_from_row(row).map(|p| EventRole::Participant(Box::new(p))))
            .transpose()
    }

    fn check_participant(&self, event: &Event, spec: &ParticipantSpec) -> Result<(), StoreError> {
        if spec.name.trim().is_empty() {
            return Err(invalid("name", "empty", "a participant needs a name"));
        }
        if spec.representatives == 0 || spec.representatives > event.tables {
            return Err(invalid(
                "representatives",
                "invalid_count",
                format!(
                    "between 1 and the event's {} tables of representatives",
                    event.tables
                ),
            ));
        }
        if let Some(slots) = &spec.availability
            && let Some(slot) = slots.iter().find(|slot| **slot >= event.slots.len())
        {
            return Err(invalid(
                "availability",
                "unknown_slot",
                format!(
                    "slot {slot} is past the event's {} slots",
                    event.slots.len()
                ),
            ));
        }
        match spec.kind {
            ParticipantKind::Administration => {
                if spec.categories.is_empty() && spec.suite_classes.is_empty() {
                    return Err(invalid(
                        "categories",
                        "no_needs",
                        "an administration states its needs: categories or Suite classes",
                    ));
                }
                if spec.supplier_id.is_some() || !spec.offer_ids.is_empty() {
                    return Err(invalid(
                        "supplier_id",
                        "not_a_vendor",
                        "only vendors are linked to a supplier and offers",
                    ));
                }
            }
            ParticipantKind::Vendor => {
                if spec.supplier_id.is_none() {
                    return Err(invalid(
                        "supplier_id",
                        "missing_supplier",
                        "a vendor is linked to its supplier record",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Checks the registry links of a vendor: the supplier exists and the offers are its own.
    async fn check_links(&self, spec: &ParticipantSpec) -> Result<(), StoreError> {
        let Some(supplier_id) = spec.supplier_id else {
            return Ok(());
        };
        if self.supplier(supplier_id).await.is_err() {
            return Err(invalid(
                "supplier_id",
                "unknown_supplier",
                format!("no supplier has id {supplier_id}"),
            ));
        }
        for (index, offer_id) in spec.offer_ids.iter().enumerate() {
            match self.offer(*offer_id).await {
                Ok(offer) if offer.data.supplier_id == supplier_id => {}
                Ok(_) => {
                    return Err(invalid(
                        &format!("offer_ids[{index}]"),
                        "offer_of_another_supplier",
                        format!("offer {offer_id} is not supplier {supplier_id}'s"),
                    ));
                }
                Err(_) => {
                    return Err(invalid(
                        &format!("offer_ids[{index}]"),
                        "unknown_offer",
                        format!("no offer has id {offer_id}"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Registers a participant while registration is open; its token is returned once.
    pub async fn register_participant(
        &self,
        event_id: i64,
        spec: ParticipantSpec,
        now: DateTime<Utc>,
    ) -> Result<(Participant, String), StoreError> {
        let event = self.event(event_id).await?;
        if now < event.registration_opens || now >= event.registration_closes {
            return Err(StoreError::Conflict {
                field: "registration".to_owned(),
                message: format!(
                    "registration is open from {} to {}",
                    event.registration_opens, event.registration_closes
                ),
            });
        }
        self.check_participant(&event, &spec)?;
        self.check_links(&spec).await?;
        self.insert_participant(&event, spec).await
    }

    async fn insert_participant(
        &self,
        event: &Event,
        spec: ParticipantSpec,
    ) -> Result<(Participant, String), StoreError> {
        let secret = new_secret("rgp");
        let availability = spec
            .availability
            .map(|mut slots| {
                slots.sort_unstable();
                slots.dedup();
                slots
            })
            .unwrap_or_else(|| (0..event.slots.len()).collect());
        let codes = |values: Vec<&'static str>| to_json(&values);
        let row = event_participant::ActiveModel {
            id: NotSet,
            event_id: Set(event.id),
            kind: Set(spec.kind.code().to_owned()),
            name: Set(spec.name.trim().to_owned()),
            token_hash: Set(hash(&secret)),
            representatives: Set(spec.representatives as i32),
            availability: Set(to_json(&availability)),
            categories: Set(codes(spec.categories.iter().map(|c| c.code()).collect())),
            suite_classes: Set(codes(spec.suite_classes.iter().map(|c| c.code()).collect())),
            sensitivity: Set(spec.sensitivity.code().to_owned()),
            free_text: Set(spec.free_text.filter(|text| !text.trim().is_empty())),
            supplier_id: Set(spec.supplier_id),
            offer_ids: Set(to_json(&spec.offer_ids)),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await?;
        Ok((participant_from_row(row)?, secret))
    }

    pub async fn participants(&self, event_id: i64) -> Result<Vec<Participant>, StoreError> {
        event_participant::Entity::find()
            .filter(event_participant::Column::EventId.eq(event_id))
            .order_by_asc(event_participant::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(participant_from_row)
            .collect()
    }

    pub async fn participant(
        &self,
        event_id: i64,
        participant_id: i64,
    ) -> Result<Participant, StoreError> {
        let row = event_participant::Entity::find_by_id(participant_id)
            .filter(event_participant::Column::EventId.eq(event_id))
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("participant", participant_id))?;
        participant_from_row(row)
    }

    /// Replaces a participant's availability (a late change); the next re-schedule moves or cancels
    /// the meetings it no longer allows.
    pub async fn set_availability(
        &self,
        event_id: i64,
        participant_id: i64,
        mut slots: Vec<usize>,
    ) -> Result<Participant, StoreError> {
        let event = self.event(event_id).await?;
        let participant = self.participant(event_id, participant_id).await?;
        if let Some(slot) = slots.iter().find(|slot| **slot >= event.slots.len()) {
            return Err(invalid(
                "slots",
                "unknown_slot",
                format!(
                    "slot {slot} is past the event's {} slots",
                    event.slots.len()
                ),
            ));
        }
        slots.sort_unstable();
        slots.dedup();
        let row = event_participant::Entity::find_by_id(participant.id)
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("participant", participant_id))?;
        let mut change: event_participant::ActiveModel = row.into();
        change.availability = Set(to_json(&slots));
        participant_from_row(change.update(&self.db).await?)
    }

    /// `by` asks to meet `other` (of the other kind). When `other` had already asked, the wish is
    /// mutual and accepted at once.
    pub async fn ask_to_meet(
        &self,
        by: &Participant,
        other_id: i64,
    ) -> Result<MeetingRequest, StoreError> {
        let other = self.participant(by.event_id, other_id).await.map_err(|_| {
            invalid(
                "with",
                "unknown_participant",
                format!("no participant {other_id} at this event"),
            )
        })?;
        if other.kind == by.kind {
            return Err(invalid(
                "with",
                "same_side",
                "administrations ask vendors and vendors ask administrations",
            ));
        }
        let (administration_id, vendor_id) = match by.kind {
            ParticipantKind::Administration => (by.id, other.id),
            ParticipantKind::Vendor => (other.id, by.id),
        };
        let by_administration = by.kind == ParticipantKind::Administration;
        // Two requests for the same pair at once both find no row: the unique index on the pair
        // lets one insert, and the other goes round again as a request that now exists (a duplicate
        // if it was the same side, the wish made mutual if it was the other).
        let mut attempts = 0;
        loop {
            attempts += 1;
            let existing = event_request::Entity::find()
                .filter(event_request::Column::EventId.eq(by.event_id))
                .filter(event_request::Column::AdministrationId.eq(administration_id))
                .filter(event_request::Column::VendorId.eq(vendor_id))
                .one(&self.db)
                .await?;
            let outcome = match existing {
                None => event_request::ActiveModel {
                    id: NotSet,
                    event_id: Set(by.event_id),
                    administration_id: Set(administration_id),
                    vendor_id: Set(vendor_id),
                    asked_by_administration: Set(by_administration),
                    asked_by_vendor: Set(!by_administration),
                    status: Set(RequestStatus::Pending.code().to_owned()),
                    created_at: Set(Utc::now()),
                    answered_at: Set(None),
                }
                .insert(&self.db)
                .await
                .map_err(StoreError::from),
                Some(row) => self.ask_back(row, by_administration).await,
            };
            match outcome {
                Err(StoreError::Duplicate { .. }) if attempts == 1 => continue,
                outcome => return outcome.map(request_from_row),
            }
        }
    }

    /// The other side of an existing request asks too: the wish becomes mutual and accepted. The
    /// update applies only to the row as it was read, so a concurrent identical ask is a duplicate.
    async fn ask_back(
        &self,
        row: event_request::Model,
        by_administration: bool,
    ) -> Result<event_request::Model, StoreError> {
        let already = if by_administration {
            row.asked_by_administration
        } else {
            row.asked_by_vendor
        };
        let duplicate = |status: &str| StoreError::Duplicate {
            field: Some("with".to_owned()),
            message: format!("a request between these participants already exists ({status})"),
        };
        if already || row.status == RequestStatus::Declined.code() {
            return Err(duplicate(&row.status));
        }
        let flag = if by_administration {
            event_request::Column::AskedByAdministration
        } else {
            event_request::Column::AskedByVendor
        };
        let updated = event_request::Entity::update_many()
            .col_expr(flag, Expr::value(true))
            .col_expr(
                event_request::Column::Status,
                Expr::value(RequestStatus::Accepted.code()),
            )
            .col_expr(event_request::Column::AnsweredAt, Expr::value(Utc::now()))
            .filter(event_request::Column::Id.eq(row.id))
            .filter(flag.eq(false))
            .filter(event_request::Column::Status.eq(row.status.as_str()))
            .exec(&self.db)
            .await?;
        if updated.rows_affected != 1 {
            return Err(duplicate("changed meanwhile"));
        }
        event_request::Entity::find_by_id(row.id)
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("request", row.id))
    }

    /// The asked side accepts or declines a pending request; either side may later decline an
    /// accepted one (a cancellation, which the next re-schedule turns into a cancelled meeting).
    pub async fn answer_request(
        &self,
        by: &Participant,
        request_id: i64,
        accept: bool,
    ) -> Result<MeetingRequest, StoreError> {
        let row = event_request::Entity::find_by_id(request_id)
            .filter(event_request::Column::EventId.eq(by.event_id))
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("request", request_id))?;
        let party = match by.kind {
            ParticipantKind::Administration => row.administration_id == by.id,
            ParticipantKind::Vendor => row.vendor_id == by.id,
        };
        if !party {
            return Err(not_found("request", request_id));
        }
        let asked_side = match by.kind {
            ParticipantKind::Administration => !row.asked_by_administration,
            ParticipantKind::Vendor => !row.asked_by_vendor,
        };
        let status = RequestStatus::parse(&row.status);
        let next = match (status, accept) {
            (RequestStatus::Pending, _) if !asked_side => {
                return Err(StoreError::Conflict {
                    field: "accept".to_owned(),
                    message: "the side that was asked answers a request".to_owned(),
                });
            }
            (RequestStatus::Pending, true) => RequestStatus::Accepted,
            (RequestStatus::Pending | RequestStatus::Accepted, false) => RequestStatus::Declined,
            (current, _) => {
                return Err(StoreError::Conflict {
                    field: "accept".to_owned(),
                    message: format!("the request is already {}", current.code()),
                });
            }
        };
        let mut change: event_request::ActiveModel = row.into();
        change.status = Set(next.code().to_owned());
        change.answered_at = Set(Some(Utc::now()));
        Ok(request_from_row(change.update(&self.db).await?))
    }

    /// The event's requests, or those of one participant.
    pub async fn requests(
        &self,
        event_id: i64,
        participant: Option<&Participant>,
    ) -> Result<Vec<MeetingRequest>, StoreError> {
        let mut query =
            event_request::Entity::find().filter(event_request::Column::EventId.eq(event_id));
        if let Some(participant) = participant {
            query = match participant.kind {
                ParticipantKind::Administration => {
                    query.filter(event_request::Column::AdministrationId.eq(participant.id))
                }
                ParticipantKind::Vendor => {
                    query.filter(event_request::Column::VendorId.eq(participant.id))
                }
            };
        }
        Ok(query
            .order_by_asc(event_request::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(request_from_row)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveTime {
        NaiveTime::parse_from_str(text, "%H:%M").unwrap()
    }

    fn spec(breaks: Vec<(NaiveTime, NaiveTime)>) -> EventSpec {
        EventSpec {
            name: "Journée".to_owned(),
            day: NaiveDate::from_ymd_opt(2026, 3, 27).unwrap(),
            venue: "Bercy".to_owned(),
            time_zone: Some("Europe/Paris".to_owned()),
            utc_offset: None,
            start: at("09:00"),
            end: at("12:00"),
            slot_minutes: 40,
            breaks,
            tables: 2,
            max_meetings: 3,
            registration_opens: Utc::now(),
            registration_closes: Utc::now(),
            rules: String::new(),
        }
    }

    #[test]
    fn slots_fill_the_day_and_resume_after_each_break() {
        let slots = slots_of(&spec(vec![(at("10:00"), at("10:15"))])).unwrap();
        let starts: Vec<String> = slots
            .iter()
            .map(|s| s.start.format("%H:%M").to_string())
            .collect();
        // 09:40–10:20 would overlap the break: the next slot starts when it ends.
        assert_eq!(starts, ["09:00", "10:15", "10:55"]);
        assert_eq!(slots[2].end, at("11:35"));
    }

    #[test]
    fn a_day_with_no_room_for_a_slot_is_refused() {
        let error = slots_of(&spec(vec![(at("08:00"), at("12:00"))])).unwrap_err();
        assert!(matches!(error, StoreError::Invalid(e) if e.code == "no_slots"));
    }

    #[test]
    fn offsets_read_as_seconds_east_of_utc() {
        assert_eq!(parse_offset("+01:00"), Some(3600));
        assert_eq!(parse_offset("-09:30"), Some(-(9 * 3600 + 30 * 60)));
        assert_eq!(parse_offset("01:00"), None);
        assert_eq!(parse_offset("+1:00"), None);
    }

    #[test]
    fn the_instance_weighs_requests_and_cuts_sessions_at_breaks() {
        let event = Event {
            id: 1,
            name: "Journée".to_owned(),
            day: NaiveDate::from_ymd_opt(2026, 3, 27).unwrap(),
            venue: "Bercy".to_owned(),
            utc_offset: "+01:00".to_owned(),
            time_zone: Some(Tz::Europe__Paris),
            slots: slots_of(&spec(vec![(at("10:00"), at("10:15"))])).unwrap(),
            tables: 2,
            max_meetings: 3,
            registration_opens: Utc::now(),
            registration_closes: Utc::now(),
            rules: String::new(),
            schedule_seed: None,
            scheduled_at: None,
            schedule_runs: 0,
        };
        let participant = |id, kind| Participant {
            id,
            event_id: 1,
            kind,
            name: format!("P{id}"),
            representatives: 1,
            availability: vec![0, 2],
            categories: vec![Category::Iaas],
            suite_classes: vec![],
            sensitivity: Sensitivity::Health,
            free_text: None,
            supplier_id: None,
            offer_ids: vec![],
        };
        let request = |id, by_admin, by_vendor, status| MeetingRequest {
            id,
            event_id: 1,
            administration_id: 1,
            vendor_id: 2,
            asked_by_administration: by_admin,
            asked_by_vendor: by_vendor,
            status,
        };
        let instance = instance_of(
            &event,
            &[
                participant(1, ParticipantKind::Administration),
                participant(2, ParticipantKind::Vendor),
            ],
            &[
                request(1, true, true, RequestStatus::Accepted),
                request(2, false, true, RequestStatus::Declined),
            ],
        );
        assert_eq!(instance.params.sessions, vec![[0, 1], [1, 3]]);
        assert_eq!(instance.administrations[0].id, "A1");
        assert_eq!(instance.administrations[0].availability, vec![1, 0, 1]);
        assert!(instance.administrations[0].flags.requires_hds);
        assert_eq!(instance.vendors[0].id, "V2");
        assert_eq!(
            instance.requests.len(),
            1,
            "only accepted requests are scheduled"
        );
        assert_eq!(instance.requests[0].weight, 3);
        assert!(instance.requests[0].mutual);
    }
}
