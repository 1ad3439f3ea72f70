//! The schedule checker: every hard constraint of the spec, verified from the instance alone. It shares
//! no code with the optimiser on purpose, so a bug there cannot hide itself here.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Serialize;

use crate::instance::{Instance, Schedule};

/// One broken rule. `meeting` is the index of the meeting in the schedule's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Violation {
    UnknownAdministration {
        meeting: usize,
        admin: String,
    },
    UnknownVendor {
        meeting: usize,
        vendor: String,
    },
    NotRequested {
        meeting: usize,
        admin: String,
        vendor: String,
    },
    /// The same pair meets twice; `first` is the earlier meeting.
    PairRepeated {
        meeting: usize,
        first: usize,
        admin: String,
        vendor: String,
    },
    SlotOutOfRange {
        meeting: usize,
        slot: usize,
        slots: usize,
    },
    TableOutOfRange {
        meeting: usize,
        table: usize,
        tables: usize,
    },
    AdministrationUnavailable {
        meeting: usize,
        admin: String,
        slot: usize,
    },
    VendorUnavailable {
        meeting: usize,
        vendor: String,
        slot: usize,
    },
    /// More meetings in one slot than the administration has representatives.
    AdministrationOverbooked {
        admin: String,
        slot: usize,
        meetings: usize,
        reps: u32,
    },
    VendorOverbooked {
        vendor: String,
        slot: usize,
        meetings: usize,
        reps: u32,
    },
    /// More meetings over the day than `max_meetings_per_administration`.
    AdministrationOverCap {
        admin: String,
        meetings: usize,
        cap: u32,
    },
    /// More meetings over the day than `slots × reps`.
    VendorOverCap {
        vendor: String,
        meetings: usize,
        cap: usize,
    },
    /// Two meetings at the same table in the same slot.
    TableTaken {
        slot: usize,
        table: usize,
        meetings: Vec<usize>,
    },
    /// More meetings in a slot than there are tables.
    SlotOverfull {
        slot: usize,
        meetings: usize,
        tables: usize,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::UnknownAdministration { meeting, admin } => {
                write!(
                    f,
                    "meeting #{meeting}: administration {admin} is not registered"
                )
            }
            Violation::UnknownVendor { meeting, vendor } => {
                write!(f, "meeting #{meeting}: vendor {vendor} is not registered")
            }
            Violation::NotRequested {
                meeting,
                admin,
                vendor,
            } => write!(f, "meeting #{meeting}: nobody requested {admin}–{vendor}"),
            Violation::PairRepeated {
                meeting,
                first,
                admin,
                vendor,
            } => write!(
                f,
                "meeting #{meeting}: {admin}–{vendor} already meet in meeting #{first}"
            ),
            Violation::SlotOutOfRange {
                meeting,
                slot,
                slots,
            } => write!(
                f,
                "meeting #{meeting}: slot {slot} is past the day's {slots} slots"
            ),
            Violation::TableOutOfRange {
                meeting,
                table,
                tables,
            } => write!(
                f,
                "meeting #{meeting}: table {table} is past the room's {tables} tables"
            ),
            Violation::AdministrationUnavailable {
                meeting,
                admin,
                slot,
            } => write!(
                f,
                "meeting #{meeting}: {admin} is not available in slot {slot}"
            ),
            Violation::VendorUnavailable {
                meeting,
                vendor,
                slot,
            } => write!(
                f,
                "meeting #{meeting}: {vendor} is not available in slot {slot}"
            ),
            Violation::AdministrationOverbooked {
                admin,
                slot,
                meetings,
                reps,
            } => write!(
                f,
                "{admin} has {meetings} meetings in slot {slot} but {reps} representative(s)"
            ),
            Violation::VendorOverbooked {
                vendor,
                slot,
                meetings,
                reps,
            } => write!(
                f,
                "{vendor} has {meetings} meetings in slot {slot} but {reps} representative(s)"
            ),
            Violation::AdministrationOverCap {
                admin,
                meetings,
                cap,
            } => write!(f, "{admin} has {meetings} meetings, above its cap of {cap}"),
            Violation::VendorOverCap {
                vendor,
                meetings,
                cap,
            } => write!(
                f,
                "{vendor} has {meetings} meetings, above its cap of {cap}"
            ),
            Violation::TableTaken {
                slot,
                table,
                meetings,
            } => write!(
                f,
                "table {table} in slot {slot} holds meetings {meetings:?}"
            ),
            Violation::SlotOverfull {
                slot,
                meetings,
                tables,
            } => write!(
                f,
                "slot {slot} holds {meetings} meetings for {tables} tables"
            ),
        }
    }
}

/// A schedule that broke at least one rule, with every broken rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Violations(pub Vec<Violation>);

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} violation(s)", self.0.len())?;
        for violation in &self.0 {
            write!(f, "; {violation}")?;
        }
        Ok(())
    }
}

/// `Ok` when the schedule keeps every rule, otherwise all the violations.
pub fn verify(instance: &Instance, schedule: &Schedule) -> Result<(), Violations> {
    let violations = check(instance, schedule);
    if violations.is_empty() {
        Ok(())
    } else {
        Err(Violations(violations))
    }
}

/// Every violation, in a stable order: per meeting first, then per participant and slot.
pub fn check(instance: &Instance, schedule: &Schedule) -> Vec<Violation> {
    let params = &instance.params;
    let mut admins = HashMap::new();
    for admin in &instance.administrations {
        admins.entry(admin.id.as_str()).or_insert(admin);
    }
    let mut vendors = HashMap::new();
    for vendor in &instance.vendors {
        vendors.entry(vendor.id.as_str()).or_insert(vendor);
    }
    let requested: std::collections::HashSet<(&str, &str)> = instance
        .requests
        .iter()
        .map(|request| (request.admin.as_str(), request.vendor.as_str()))
        .collect();

    let mut violations = Vec::new();
    let mut first_of_pair: HashMap<(&str, &str), usize> = HashMap::new();
    let mut admin_slot: BTreeMap<(&str, usize), usize> = BTreeMap::new();
    let mut vendor_slot: BTreeMap<(&str, usize), usize> = BTreeMap::new();
    let mut admin_total: BTreeMap<&str, usize> = BTreeMap::new();
    let mut vendor_total: BTreeMap<&str, usize> = BTreeMap::new();
    let mut tables: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    let mut slot_count: BTreeMap<usize, usize> = BTreeMap::new();

    for (index, meeting) in schedule.meetings.iter().enumerate() {
        let (admin_id, vendor_id) = (meeting.admin.as_str(), meeting.vendor.as_str());
        let admin = admins.get(admin_id);
        let vendor = vendors.get(vendor_id);
        if admin.is_none() {
            violations.push(Violation::UnknownAdministration {
                meeting: index,
                admin: meeting.admin.clone(),
            });
        }
        if vendor.is_none() {
            violations.push(Violation::UnknownVendor {
                meeting: index,
                vendor: meeting.vendor.clone(),
            });
        }
        if admin.is_some() && vendor.is_some() && !requested.contains(&(admin_id, vendor_id)) {
            violations.push(Violation::NotRequested {
                meeting: index,
                admin: meeting.admin.clone(),
                vendor: meeting.vendor.clone(),
            });
        }
        if let Some(&first) = first_of_pair.get(&(admin_id, vendor_id)) {
            violations.push(Violation::PairRepeated {
                meeting: index,
                first,
                admin: meeting.admin.clone(),
                vendor: meeting.vendor.clone(),
            });
        } else {
            first_of_pair.insert((admin_id, vendor_id), index);
        }
        if meeting.slot >= params.slots {
            violations.push(Violation::SlotOutOfRange {
                meeting: index,
                slot: meeting.slot,
                slots: params.slots,
            });
        }
        if meeting.table >= params.tables {
            violations.push(Violation::TableOutOfRange {
                meeting: index,
                table: meeting.table,
                tables: params.tables,
            });
        }
        if admin.is_some_and(|admin| !admin.is_available(meeting.slot)) {
            violations.push(Violation::AdministrationUnavailable {
                meeting: index,
                admin: meeting.admin.clone(),
                slot: meeting.slot,
            });
        }
        if vendor.is_some_and(|vendor| !vendor.is_available(meeting.slot)) {
            violations.push(Violation::VendorUnavailable {
                meeting: index,
                vendor: meeting.vendor.clone(),
                slot: meeting.slot,
            });
        }
        *admin_slot.entry((admin_id, meeting.slot)).or_default() += 1;
        *vendor_slot.entry((vendor_id, meeting.slot)).or_default() += 1;
        *admin_total.entry(admin_id).or_default() += 1;
        *vendor_total.entry(vendor_id).or_default() += 1;
        tables
            .entry((meeting.slot, meeting.table))
            .or_default()
            .push(index);
        *slot_count.entry(meeting.slot).or_default() += 1;
    }

    for ((admin_id, slot), meetings) in admin_slot {
        if let Some(admin) = admins.get(admin_id)
            && meetings > admin.reps as usize
        {
            violations.push(Violation::AdministrationOverbooked {
                admin: admin_id.to_owned(),
                slot,
                meetings,
                reps: admin.reps,
            });
        }
    }
    for ((vendor_id, slot), meetings) in vendor_slot {
        if let Some(vendor) = vendors.get(vendor_id)
            && meetings > vendor.reps as usize
        {
            violations.push(Violation::VendorOverbooked {
                vendor: vendor_id.to_owned(),
                slot,
                meetings,
                reps: vendor.reps,
            });
        }
    }
    let admin_cap = params.max_meetings_per_administration;
    for (admin_id, meetings) in admin_total {
        if admins.contains_key(admin_id) && meetings > admin_cap as usize {
            violations.push(Violation::AdministrationOverCap {
                admin: admin_id.to_owned(),
                meetings,
                cap: admin_cap,
            });
        }
    }
    for (vendor_id, meetings) in vendor_total {
        if let Some(vendor) = vendors.get(vendor_id) {
            let cap = params.slots * vendor.reps as usize;
            if meetings > cap {
                violations.push(Violation::VendorOverCap {
                    vendor: vendor_id.to_owned(),
                    meetings,
                    cap,
                });
            }
        }
    }
    for ((slot, table), meetings) in tables {
        if meetings.len() > 1 {
            violations.push(Violation::TableTaken {
                slot,
                table,
                meetings,
            });
        }
    }
    for (slot, meetings) in slot_count {
        if meetings > params.tables {
            violations.push(Violation::SlotOverfull {
                slot,
                meetings,
                tables: params.tables,
            });
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::{Administration, Meeting, Params, Request, Vendor};

    fn tiny() -> Instance {
        let admin = |id: &str, reps, availability: Vec<u8>| Administration {
            id: id.into(),
            kind: String::new(),
            flags: Default::default(),
            needs: vec![],
            reps,
            availability,
        };
        let vendor = |id: &str, reps, availability: Vec<u8>| Vendor {
            id: id.into(),
            country: String::new(),
            exposure: String::new(),
            categories: vec![],
            secnumcloud: false,
            hds: false,
            reps,
            availability,
        };
        let request = |admin: &str, vendor: &str| Request {
            admin: admin.into(),
            vendor: vendor.into(),
            weight: 2,
            mutual: false,
        };
        Instance {
            params: Params {
                scale: "tiny".into(),
                seed: 0,
                administrations: 2,
                vendors: 2,
                slots: 2,
                slot_minutes: 20,
                tables: 1,
                sessions: vec![[0, 1], [1, 2]],
                purpose: String::new(),
                max_meetings_per_administration: 1,
            },
            administrations: vec![admin("A0", 1, vec![1, 1]), admin("A1", 1, vec![1, 0])],
            vendors: vec![vendor("V0", 1, vec![1, 1]), vendor("V1", 1, vec![0, 1])],
            requests: vec![
                request("A0", "V0"),
                request("A0", "V1"),
                request("A1", "V0"),
            ],
        }
    }

    fn meeting(admin: &str, vendor: &str, slot: usize, table: usize) -> Meeting {
        Meeting {
            admin: admin.into(),
            vendor: vendor.into(),
            slot,
            table,
        }
    }

    #[test]
    fn a_valid_schedule_has_no_violation() {
        let schedule = Schedule::new(vec![meeting("A1", "V0", 0, 0), meeting("A0", "V1", 1, 0)]);
        assert_eq!(check(&tiny(), &schedule), vec![]);
    }

    #[test]
    fn every_broken_rule_is_reported() {
        let schedule = Schedule {
            meetings: vec![
                meeting("A0", "V0", 0, 0),
                meeting("A0", "V0", 1, 0),
                meeting("A1", "V1", 1, 1),
                meeting("A9", "V0", 0, 0),
                meeting("A0", "V1", 0, 0),
                meeting("A1", "V0", 5, 0),
            ],
        };
        let violations = check(&tiny(), &schedule);
        let codes: Vec<String> = violations
            .iter()
            .map(|violation| serde_json::to_value(violation).unwrap()["code"].to_string())
            .collect();
        for expected in [
            "unknown_administration",
            "not_requested",
            "pair_repeated",
            "slot_out_of_range",
            "table_out_of_range",
            "administration_unavailable",
            "vendor_unavailable",
            "administration_overbooked",
            "administration_over_cap",
            "table_taken",
            "slot_overfull",
        ] {
            assert!(
                codes.iter().any(|code| code == &format!("\"{expected}\"")),
                "{expected} missing from {codes:?}"
            );
        }
        assert!(verify(&tiny(), &schedule).is_err());
    }

    #[test]
    fn a_vendor_above_slots_times_reps_is_over_its_cap() {
        let mut instance = tiny();
        instance.params.tables = 4;
        instance.params.max_meetings_per_administration = 9;
        instance.vendors[0].reps = 4;
        instance.administrations[0].reps = 3;
        instance.requests.push(Request {
            admin: "A1".into(),
            vendor: "V1".into(),
            weight: 1,
            mutual: false,
        });
        // V0 has 1 representative per the cap check below once reps drop back.
        let schedule = Schedule::new(vec![
            meeting("A0", "V0", 0, 0),
            meeting("A1", "V0", 0, 1),
            meeting("A0", "V0", 1, 0),
        ]);
        instance.vendors[0].reps = 1;
        let violations = check(&instance, &schedule);
        assert!(violations.contains(&Violation::VendorOverCap {
            vendor: "V0".into(),
            meetings: 3,
            cap: 2,
        }));
    }
}
