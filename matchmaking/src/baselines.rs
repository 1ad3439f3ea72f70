//! The two baselines of `gen_matchmaking_instance.py`, ported line by line so that they give the
//! script's figures on the shared instances: weight-first greedy (`greedy`) and round-robin fair
//! (`fair_greedy`).
//!
//! Python dictionaries are mirrored where it matters: a participant id listed twice is the last entry
//! (`{a["id"]: a for a in ...}` keeps the last), and a request naming an unknown participant, on which
//! the script would stop with a `KeyError`, is skipped.

use std::collections::{BTreeMap, HashMap};

use crate::instance::{Administration, Instance, Meeting, Request, Schedule, Vendor};

/// The room as the script tracks it: tables used per slot, meetings per participant per slot.
struct Room<'a> {
    slots: usize,
    tables: usize,
    used: Vec<usize>,
    busy_admin: HashMap<&'a str, Vec<u32>>,
    busy_vendor: HashMap<&'a str, Vec<u32>>,
    meetings: Vec<Meeting>,
}

impl<'a> Room<'a> {
    fn new(
        instance: &Instance,
        admins: &HashMap<&'a str, &'a Administration>,
        vendors: &HashMap<&'a str, &'a Vendor>,
    ) -> Self {
        let slots = instance.params.slots;
        Room {
            slots,
            tables: instance.params.tables,
            used: vec![0; slots],
            busy_admin: admins.keys().map(|&id| (id, vec![0; slots])).collect(),
            busy_vendor: vendors.keys().map(|&id| (id, vec![0; slots])).collect(),
            meetings: Vec::new(),
        }
    }

    /// The earliest slot where both are free and a table is left; books it.
    fn book_earliest(&mut self, admin: &'a Administration, vendor: &'a Vendor) -> bool {
        for slot in 0..self.slots {
            if self.used[slot] < self.tables
                && admin.is_available(slot)
                && vendor.is_available(slot)
                && self.busy_admin[admin.id.as_str()][slot] < admin.reps
                && self.busy_vendor[vendor.id.as_str()][slot] < vendor.reps
            {
                self.used[slot] += 1;
                self.busy_admin
                    .get_mut(admin.id.as_str())
                    .expect("every administration has a row")[slot] += 1;
                self.busy_vendor
                    .get_mut(vendor.id.as_str())
                    .expect("every vendor has a row")[slot] += 1;
                self.meetings.push(Meeting {
                    admin: admin.id.clone(),
                    vendor: vendor.id.clone(),
                    slot,
                    table: self.used[slot] - 1,
                });
                return true;
            }
        }
        false
    }
}

fn by_id(instance: &Instance) -> (HashMap<&str, &Administration>, HashMap<&str, &Vendor>) {
    // Later entries overwrite earlier ones, as in a Python dict comprehension.
    let admins = instance
        .administrations
        .iter()
        .map(|admin| (admin.id.as_str(), admin))
        .collect();
    let vendors = instance
        .vendors
        .iter()
        .map(|vendor| (vendor.id.as_str(), vendor))
        .collect();
    (admins, vendors)
}

/// Weight-first greedy: heaviest pairs first (then administration id, then vendor id), each at the
/// earliest feasible slot, skipping administrations at the cap.
pub fn greedy(instance: &Instance) -> Schedule {
    let (admins, vendors) = by_id(instance);
    let cap = instance.params.max_meetings_per_administration;
    let mut room = Room::new(instance, &admins, &vendors);
    let mut count: HashMap<&str, u32> = admins.keys().map(|&id| (id, 0)).collect();
    let mut order: Vec<&Request> = instance.requests.iter().collect();
    // A stable sort, like Python's `sorted`.
    order.sort_by(|left, right| {
        (std::cmp::Reverse(left.weight), &left.admin, &left.vendor).cmp(&(
            std::cmp::Reverse(right.weight),
            &right.admin,
            &right.vendor,
        ))
    });
    for request in order {
        let (Some(&admin), Some(&vendor)) = (
            admins.get(request.admin.as_str()),
            vendors.get(request.vendor.as_str()),
        ) else {
            continue;
        };
        if count[admin.id.as_str()] >= cap {
            continue;
        }
        if room.book_earliest(admin, vendor) {
            *count.get_mut(admin.id.as_str()).expect("counted") += 1;
        }
    }
    Schedule {
        meetings: room.meetings,
    }
}

/// Round-robin fair: in round `k` every administration (fewest requests first, then id) gets its best
/// remaining feasible request before anyone gets a `k+1`-th meeting; a request that finds no slot when
/// its turn comes is dropped for good, as in the script.
pub fn round_robin(instance: &Instance) -> Schedule {
    let (admins, vendors) = by_id(instance);
    let cap = instance.params.max_meetings_per_administration;
    let mut room = Room::new(instance, &admins, &vendors);
    let mut queues: BTreeMap<&str, Vec<&Request>> = admins.keys().map(|&id| (id, vec![])).collect();
    for request in &instance.requests {
        if let Some(queue) = queues.get_mut(request.admin.as_str()) {
            queue.push(request);
        }
    }
    for queue in queues.values_mut() {
        queue.sort_by(|left, right| {
            (std::cmp::Reverse(left.weight), &left.vendor)
                .cmp(&(std::cmp::Reverse(right.weight), &right.vendor))
        });
        // Popping from the front in the script; reversed here so `pop` takes the same element.
        queue.reverse();
    }
    let mut order: Vec<&str> = admins.keys().copied().collect();
    order.sort_by(|left, right| (queues[left].len(), left).cmp(&(queues[right].len(), right)));
    for _round in 0..cap {
        let mut progress = false;
        for &admin_id in &order {
            let admin = admins[admin_id];
            while let Some(request) = queues.get_mut(admin_id).expect("queued").pop() {
                let Some(&vendor) = vendors.get(request.vendor.as_str()) else {
                    continue;
                };
                if room.book_earliest(admin, vendor) {
                    progress = true;
                    break;
                }
            }
        }
        if !progress {
            break;
        }
    }
    Schedule {
        meetings: room.meetings,
    }
}
