//! Where an event's local times are: the venue's IANA time zone (`Europe/Paris`), or a fixed offset
//! for events created before zones existed. A slot is a local time of the event's day; this module
//! turns it into an instant, checks at creation that every slot names exactly one instant (none falls
//! in a daylight-saving gap or overlap), and describes the zone for iCalendar (`VTIMEZONE`).

use chrono::{
    DateTime, Duration, FixedOffset, LocalResult, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::{OffsetComponents, OffsetName};

pub use chrono_tz::Tz;

use super::{Event, EventSpec, Slot, invalid, parse_offset};
use crate::error::StoreError;

/// `+01:00` from seconds east of UTC.
fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.abs();
    format!("{sign}{:02}:{:02}", seconds / 3600, seconds % 3600 / 60)
}

/// The event's zone and the offset stored beside it (the offset of its first slot), from the spec.
/// A named zone wins; a fixed offset alone is kept as it is; neither means UTC.
pub(crate) fn resolve(
    spec: &EventSpec,
    slots: &[Slot],
) -> Result<(Option<Tz>, String), StoreError> {
    let fixed = match &spec.utc_offset {
        Some(text) => Some(parse_offset(text.trim()).ok_or_else(|| {
            invalid(
                "utc_offset",
                "invalid_offset",
                "expected an offset such as +01:00",
            )
        })?),
        None => None,
    };
    let zone = match (&spec.time_zone, fixed) {
        (Some(name), _) => name.trim().parse::<Tz>().map_err(|_| {
            invalid(
                "time_zone",
                "unknown_time_zone",
                format!(
                    "'{}' is not an IANA time zone name (e.g. Europe/Paris, America/Cayenne, UTC)",
                    name.trim()
                ),
            )
        })?,
        (None, Some(seconds)) => return Ok((None, offset_text(seconds))),
        (None, None) => Tz::UTC,
    };
    for (index, slot) in slots.iter().enumerate() {
        for time in [slot.start, slot.end] {
            let local = NaiveDateTime::new(spec.day, time);
            match zone.from_local_datetime(&local) {
                LocalResult::Single(_) => {}
                LocalResult::None => {
                    return Err(invalid(
                        "time_zone",
                        "nonexistent_local_time",
                        format!(
                            "slot {index} ({}) does not exist in {} that day (clocks go forward): move the day's hours or add a break",
                            time.format("%H:%M"),
                            zone.name()
                        ),
                    ));
                }
                LocalResult::Ambiguous(_, _) => {
                    return Err(invalid(
                        "time_zone",
                        "ambiguous_local_time",
                        format!(
                            "slot {index} ({}) happens twice in {} that day (clocks go back): move the day's hours or add a break",
                            time.format("%H:%M"),
                            zone.name()
                        ),
                    ));
                }
            }
        }
    }
    let first = NaiveDateTime::new(spec.day, slots[0].start);
    let offset = zone
        .from_local_datetime(&first)
        .single()
        .map(|at| at.offset().fix().local_minus_utc())
        .unwrap_or_default();
    if let Some(seconds) = fixed
        && seconds != offset
    {
        return Err(invalid(
            "utc_offset",
            "offset_mismatch",
            format!(
                "{} is {} on that day, not {}: send the time zone alone",
                zone.name(),
                offset_text(offset),
                offset_text(seconds)
            ),
        ));
    }
    Ok((Some(zone), offset_text(offset)))
}

impl Event {
    /// The zone's IANA name, or `UTC+01:00` for an event with a fixed offset only.
    pub fn zone_name(&self) -> String {
        match self.time_zone {
            Some(zone) => zone.name().to_owned(),
            None => format!("UTC{}", self.utc_offset),
        }
    }

    /// A local time of the event's day, with the offset in force then.
    pub fn local(&self, time: NaiveTime) -> DateTime<FixedOffset> {
        let local = NaiveDateTime::new(self.day, time);
        let fixed = || {
            let offset = FixedOffset::east_opt(self.offset_seconds()).unwrap_or_else(|| Utc.fix());
            offset
                .from_local_datetime(&local)
                .single()
                .unwrap_or_else(|| local.and_utc().fixed_offset())
        };
        match self.time_zone {
            // Slots were checked at creation to name one instant; `earliest` only guards old rows.
            Some(zone) => zone
                .from_local_datetime(&local)
                .earliest()
                .map_or_else(fixed, |at| at.fixed_offset()),
            None => fixed(),
        }
    }

    /// A local time of the event's day, in UTC.
    pub fn instant(&self, time: NaiveTime) -> DateTime<Utc> {
        self.local(time).with_timezone(&Utc)
    }
}

/// One observance of a zone: from `start` (UTC) on, the offset is `to` (it was `from` before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Observance {
    pub start: DateTime<Utc>,
    pub from: i32,
    pub to: i32,
    pub daylight: bool,
    pub abbreviation: Option<String>,
}

fn total(zone: Tz, at: DateTime<Utc>) -> (i32, bool) {
    let offset = zone.offset_from_utc_datetime(&at.naive_utc());
    (
        offset.fix().local_minus_utc(),
        !offset.dst_offset().is_zero(),
    )
}

fn observance_at(zone: Tz, start: DateTime<Utc>, from: i32) -> Observance {
    let offset = zone.offset_from_utc_datetime(&start.naive_utc());
    Observance {
        start,
        from,
        to: offset.fix().local_minus_utc(),
        daylight: !offset.dst_offset().is_zero(),
        abbreviation: offset.abbreviation().map(str::to_owned),
    }
}

/// The first whole second in `(before, after]` at which the zone's offset is the one at `after`.
fn onset(zone: Tz, before: DateTime<Utc>, after: DateTime<Utc>) -> DateTime<Utc> {
    let at = |seconds: i64| DateTime::<Utc>::from_timestamp(seconds, 0).unwrap_or(after);
    let target = total(zone, after);
    let (mut low, mut high) = (before.timestamp(), after.timestamp());
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if total(zone, at(middle)) == target {
            high = middle;
        } else {
            low = middle;
        }
    }
    at(high)
}

/// The observances in force between `from` and `to`: the one already in force at `from` (its onset
/// found up to two years back, else a fixed origin) and every change until `to`.
pub(crate) fn observances(zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Observance> {
    let step = Duration::hours(6);
    let current = total(zone, from);
    let mut probe = from;
    let mut first = None;
    while from - probe < Duration::days(2 * 366) {
        let earlier = probe - step;
        if total(zone, earlier) != current {
            let start = onset(zone, earlier, probe);
            first = Some(observance_at(zone, start, total(zone, earlier).0));
            break;
        }
        probe = earlier;
    }
    let mut list = vec![first.unwrap_or_else(|| {
        // No change in two years: one observance from a fixed origin, with the same offset on both sides.
        let origin = DateTime::<Utc>::from_timestamp(0, 0).unwrap_or(from);
        let mut observance = observance_at(zone, from, current.0);
        observance.start = origin;
        observance
    })];
    let mut probe = from;
    while probe < to {
        let later = (probe + step).min(to);
        let before = total(zone, probe);
        if total(zone, later) != before {
            let start = onset(zone, probe, later);
            list.push(observance_at(zone, start, before.0));
        }
        probe = later;
    }
    list
}

/// `+0100`, or `+013045` when seconds are needed (RFC 5545 UTC-OFFSET).
pub(crate) fn ics_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.abs();
    let (hours, minutes, rest) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    if rest == 0 {
        format!("{sign}{hours:02}{minutes:02}")
    } else {
        format!("{sign}{hours:02}{minutes:02}{rest:02}")
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn paris_in_march_starts_its_winter_observance_the_previous_october() {
        let list = observances(
            Tz::Europe__Paris,
            utc("2026-03-27T08:00:00Z"),
            utc("2026-03-27T12:00:00Z"),
        );
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0].start, utc("2025-10-26T01:00:00Z"));
        assert_eq!((list[0].from, list[0].to), (7200, 3600));
        assert!(!list[0].daylight);
        assert_eq!(list[0].abbreviation.as_deref(), Some("CET"));
    }

    #[test]
    fn a_day_across_the_spring_change_has_both_observances() {
        let list = observances(
            Tz::Europe__Paris,
            utc("2026-03-28T23:00:00Z"),
            utc("2026-03-29T03:00:00Z"),
        );
        assert_eq!(list.len(), 2, "{list:?}");
        assert_eq!(list[1].start, utc("2026-03-29T01:00:00Z"));
        assert_eq!((list[1].from, list[1].to), (3600, 7200));
        assert!(list[1].daylight);
        assert_eq!(list[1].abbreviation.as_deref(), Some("CEST"));
    }

    #[test]
    fn a_zone_without_changes_has_one_fixed_observance() {
        let list = observances(
            Tz::America__Cayenne,
            utc("2026-03-27T12:00:00Z"),
            utc("2026-03-27T16:00:00Z"),
        );
        assert_eq!(list.len(), 1);
        assert_eq!((list[0].from, list[0].to), (-3 * 3600, -3 * 3600));
    }

    #[test]
    fn local_times_follow_the_zone_across_a_change() {
        let event = Event {
            id: 1,
            name: String::new(),
            day: NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(),
            venue: String::new(),
            utc_offset: "+01:00".to_owned(),
            time_zone: Some(Tz::Europe__Paris),
            slots: vec![],
            tables: 1,
            max_meetings: 1,
            registration_opens: Utc::now(),
            registration_closes: Utc::now(),
            rules: String::new(),
            schedule_seed: None,
            scheduled_at: None,
            schedule_runs: 0,
        };
        let at = |text| NaiveTime::parse_from_str(text, "%H:%M").unwrap();
        assert_eq!(event.instant(at("01:00")), utc("2026-03-29T00:00:00Z"));
        assert_eq!(event.instant(at("09:00")), utc("2026-03-29T07:00:00Z"));
        assert_eq!(
            event.local(at("09:00")).to_rfc3339(),
            "2026-03-29T09:00:00+02:00"
        );
        assert_eq!(event.zone_name(), "Europe/Paris");
    }

    #[test]
    fn offsets_print_as_rfc_5545_and_rfc_3339_want_them() {
        assert_eq!(ics_offset(3600), "+0100");
        assert_eq!(ics_offset(-(9 * 3600 + 30 * 60)), "-0930");
        assert_eq!(ics_offset(561), "+000921");
        assert_eq!(offset_text(-3 * 3600), "-03:00");
    }
}
