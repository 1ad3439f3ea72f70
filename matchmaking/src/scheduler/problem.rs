//! The optimiser's indexed view of an instance: participants and pairs as dense indices, free slots as
//! bit sets, caps resolved. Requests that can never be met are set aside here, with the reason.

use std::collections::HashMap;

use crate::instance::Instance;

use super::log::{DecisionLog, Stage};

/// Slots as a bit set: the optimiser handles days of at most 64 slots (21 hours of 20-minute slots).
pub(crate) type SlotSet = u64;

pub(crate) const MAX_SLOTS: usize = 64;

/// A requested pair that has at least one slot where both sides are free.
#[derive(Debug, Clone)]
pub(crate) struct Pair {
    pub admin: usize,
    pub vendor: usize,
    pub weight: u32,
    /// Slots where both sides are free.
    pub common: SlotSet,
}

#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub slots: usize,
    pub tables: usize,
    pub admin_ids: Vec<String>,
    pub vendor_ids: Vec<String>,
    pub admin_reps: Vec<u32>,
    pub vendor_reps: Vec<u32>,
    pub admin_free: Vec<SlotSet>,
    pub vendor_free: Vec<SlotSet>,
    /// Meetings an administration may get: the instance cap, and no more than its free seats.
    pub admin_cap: Vec<u32>,
    /// `slots × reps` as in the spec, counted over the vendor's free slots only.
    pub vendor_cap: Vec<u32>,
    pub pairs: Vec<Pair>,
    pub pairs_of_admin: Vec<Vec<usize>>,
    pub pairs_of_vendor: Vec<Vec<usize>>,
    pub pair_index: HashMap<(usize, usize), usize>,
    /// The day's sessions (morning, afternoon) as slot sets, when they are disjoint.
    pub sessions: Vec<SlotSet>,
}

impl Problem {
    pub fn capacity(&self) -> usize {
        self.slots * self.tables
    }

    /// Builds the indexed view. Returns `None` when the day has more slots than the optimiser handles.
    pub fn build(instance: &Instance, log: &mut DecisionLog) -> Option<Problem> {
        let slots = instance.params.slots;
        if slots > MAX_SLOTS {
            return None;
        }
        let tables = instance.params.tables;
        let free_set = |availability: &[u8]| -> SlotSet {
            (0..slots)
                .filter(|&slot| crate::instance::is_available(availability, slot))
                .fold(0, |set, slot| set | (1 << slot))
        };

        let mut admin_index = HashMap::new();
        let (mut admin_ids, mut admin_reps, mut admin_free, mut admin_cap) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for admin in &instance.administrations {
            if admin_index.contains_key(admin.id.as_str()) {
                log.note(
                    Stage::Input,
                    vec![admin.id.clone()],
                    format!(
                        "administration {} is listed twice; the first entry counts",
                        admin.id
                    ),
                );
                continue;
            }
            admin_index.insert(admin.id.as_str(), admin_ids.len());
            let free = free_set(&admin.availability);
            let seats = admin.reps * free.count_ones();
            admin_ids.push(admin.id.clone());
            admin_reps.push(admin.reps);
            admin_free.push(free);
            admin_cap.push(seats.min(instance.params.max_meetings_per_administration));
        }
        let mut vendor_index = HashMap::new();
        let (mut vendor_ids, mut vendor_reps, mut vendor_free, mut vendor_cap) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for vendor in &instance.vendors {
            if vendor_index.contains_key(vendor.id.as_str()) {
                log.note(
                    Stage::Input,
                    vec![vendor.id.clone()],
                    format!(
                        "vendor {} is listed twice; the first entry counts",
                        vendor.id
                    ),
                );
                continue;
            }
            vendor_index.insert(vendor.id.as_str(), vendor_ids.len());
            let free = free_set(&vendor.availability);
            vendor_ids.push(vendor.id.clone());
            vendor_reps.push(vendor.reps);
            vendor_free.push(free);
            vendor_cap.push(vendor.reps * free.count_ones());
        }

        let mut pairs = Vec::new();
        let mut pair_index = HashMap::new();
        let mut pairs_of_admin = vec![Vec::new(); admin_ids.len()];
        let mut pairs_of_vendor = vec![Vec::new(); vendor_ids.len()];
        for request in &instance.requests {
            let who = vec![request.admin.clone(), request.vendor.clone()];
            let (Some(&admin), Some(&vendor)) = (
                admin_index.get(request.admin.as_str()),
                vendor_index.get(request.vendor.as_str()),
            ) else {
                log.note(
                    Stage::Input,
                    who,
                    format!(
                        "request {}–{} names a participant who is not registered; it is ignored",
                        request.admin, request.vendor
                    ),
                );
                continue;
            };
            if pair_index.contains_key(&(admin, vendor)) {
                log.note(
                    Stage::Input,
                    who,
                    format!(
                        "request {}–{} appears twice; the first one counts",
                        request.admin, request.vendor
                    ),
                );
                continue;
            }
            let common = admin_free[admin] & vendor_free[vendor];
            let unmeetable = if common == 0 {
                Some("they have no free slot in common")
            } else if admin_reps[admin] == 0 || vendor_reps[vendor] == 0 {
                Some("one side has no representative")
            } else if instance.params.max_meetings_per_administration == 0 {
                Some("the administration cap is 0")
            } else if tables == 0 {
                Some("the room has no table")
            } else {
                None
            };
            if let Some(reason) = unmeetable {
                log.note(
                    Stage::Input,
                    who,
                    format!(
                        "request {}–{} cannot be met: {reason}",
                        request.admin, request.vendor
                    ),
                );
                continue;
            }
            let index = pairs.len();
            pair_index.insert((admin, vendor), index);
            pairs_of_admin[admin].push(index);
            pairs_of_vendor[vendor].push(index);
            pairs.push(Pair {
                admin,
                vendor,
                weight: request.weight,
                common,
            });
        }
        let mut sessions: Vec<SlotSet> = Vec::new();
        for &[start, end] in &instance.params.sessions {
            let set = (start..end.min(slots)).fold(0, |set: SlotSet, slot| set | (1 << slot));
            if set != 0 && sessions.iter().all(|&other| other & set == 0) {
                sessions.push(set);
            }
        }
        Some(Problem {
            slots,
            tables,
            admin_ids,
            vendor_ids,
            admin_reps,
            vendor_reps,
            admin_free,
            vendor_free,
            admin_cap,
            vendor_cap,
            pairs,
            pairs_of_admin,
            pairs_of_vendor,
            pair_index,
            sessions,
        })
    }
}
