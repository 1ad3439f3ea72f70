//! A Rust port of `gen_matchmaking_instance.py` (copied to `data/`): the same population model, request
//! model and output format, seeded and deterministic.
//!
//! It does not reproduce the Python instances bit for bit: the script draws from Python's Mersenne
//! Twister, this port from ChaCha8 (`rand_chacha`), so a seed gives a different, equally distributed
//! instance. The order of the draws follows the script step by step, so the statistical shape (request
//! counts, mutual share, popularity skew, availability mix) is the same; a test compares the two on
//! seed 42. The shared `instance_*_seed42.json` files remain the reference for the baselines' figures.
//!
//! The ChaCha8 stream is value-stable, but `rand`'s range and shuffle algorithms may change between its
//! minor versions, so an upgrade of `rand` can change the instances; a test pins a fingerprint.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::instance::{Administration, AdministrationFlags, Instance, Params, Request, Vendor};
use crate::spec::{self, Distribution, ScaleSpec};

/// The four benchmark scales of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scale {
    S,
    M,
    /// The M population with 60 tables: the same instance as M for a seed, except `tables`.
    M60,
    L,
}

impl Scale {
    pub const ALL: [Scale; 4] = [Scale::S, Scale::M, Scale::M60, Scale::L];

    pub fn name(self) -> &'static str {
        match self {
            Scale::S => "S",
            Scale::M => "M",
            Scale::M60 => "M60",
            Scale::L => "L",
        }
    }

    pub fn spec(self) -> &'static ScaleSpec {
        spec::scale(self.name()).expect("every scale is in the spec")
    }
}

impl fmt::Display for Scale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scale {0:?}: expected S, M, M60 or L")]
pub struct UnknownScale(pub String);

impl FromStr for Scale {
    type Err = UnknownScale;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Scale::ALL
            .into_iter()
            .find(|scale| scale.name().eq_ignore_ascii_case(text))
            .ok_or_else(|| UnknownScale(text.to_owned()))
    }
}

/// The size of a day to generate: a spec scale or a custom one (small instances for property tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    pub scale: String,
    pub administrations: usize,
    pub vendors: usize,
    pub slots: usize,
    pub slot_minutes: u32,
    pub tables: usize,
    pub sessions: [[usize; 2]; 2],
    pub purpose: String,
    pub max_meetings_per_administration: u32,
}

impl From<Scale> for Shape {
    fn from(scale: Scale) -> Self {
        let spec = scale.spec();
        Shape {
            scale: spec.name.to_owned(),
            administrations: spec.administrations,
            vendors: spec.vendors,
            slots: spec.slots,
            slot_minutes: spec.slot_minutes,
            tables: spec.tables,
            sessions: spec.sessions,
            purpose: spec.purpose.to_owned(),
            max_meetings_per_administration: spec::MAX_MEETINGS_PER_ADMINISTRATION,
        }
    }
}

impl Shape {
    /// A custom day split into a morning and an afternoon of (nearly) equal length.
    pub fn custom(administrations: usize, vendors: usize, slots: usize, tables: usize) -> Shape {
        let noon = slots / 2;
        Shape {
            scale: "custom".to_owned(),
            administrations,
            vendors,
            slots,
            slot_minutes: 20,
            tables,
            sessions: [[0, noon], [noon, slots]],
            purpose: "generated for tests".to_owned(),
            max_meetings_per_administration: spec::MAX_MEETINGS_PER_ADMINISTRATION,
        }
    }
}

/// Generates the instance of a spec scale for a seed.
pub fn generate(scale: Scale, seed: u64) -> Instance {
    generate_shape(&Shape::from(scale), seed)
}

/// The draws the script makes, on a ChaCha8 stream.
struct Draws {
    rng: ChaCha8Rng,
    /// Box–Muller yields normals in pairs; the second one is kept, like Python's `gauss`.
    spare_normal: Option<f64>,
}

impl Draws {
    fn uniform(&mut self) -> f64 {
        self.rng.random::<f64>()
    }

    /// `random.randint(low, high)`: both ends included.
    fn integer(&mut self, [low, high]: [usize; 2]) -> usize {
        self.rng.random_range(low..=high)
    }

    /// The script's `pick`: walk the cumulative probabilities in order; the last outcome absorbs
    /// rounding.
    fn pick(&mut self, distribution: Distribution) -> &'static str {
        let draw = self.uniform();
        let mut cumulative = 0.0;
        for (outcome, probability) in distribution {
            cumulative += probability;
            if draw <= cumulative {
                return outcome;
            }
        }
        distribution.last().expect("distributions are not empty").0
    }

    /// `random.choices(population, weights, k)`: with replacement, by bisecting the cumulative weights.
    fn choices(&mut self, distribution: Distribution, count: usize) -> Vec<&'static str> {
        let cumulative: Vec<f64> = distribution
            .iter()
            .scan(0.0, |sum, (_, weight)| {
                *sum += weight;
                Some(*sum)
            })
            .collect();
        let total = *cumulative.last().expect("distributions are not empty");
        (0..count)
            .map(|_| {
                let target = self.uniform() * total;
                let index = cumulative.partition_point(|&sum| sum <= target);
                distribution[index.min(distribution.len() - 1)].0
            })
            .collect()
    }

    /// A normal draw with mean 0 (Box–Muller).
    fn normal(&mut self, sigma: f64) -> f64 {
        if let Some(spare) = self.spare_normal.take() {
            return spare * sigma;
        }
        // 1 - u is in (0, 1], so the logarithm is finite.
        let radius = (-2.0 * (1.0 - self.uniform()).ln()).sqrt();
        let angle = std::f64::consts::TAU * self.uniform();
        self.spare_normal = Some(radius * angle.sin());
        radius * angle.cos() * sigma
    }

    fn availability(&mut self, slots: usize, sessions: [[usize; 2]; 2]) -> Vec<u8> {
        let mut free = vec![1u8; slots];
        let noon = sessions[1][0].min(slots);
        match self.pick(spec::AVAILABILITY) {
            "morning_only" => free[noon..].fill(0),
            "afternoon_only" => free[..noon].fill(0),
            "random_2_3_blocked_slots" => {
                let blocked = self.integer([2, 3]).min(slots);
                for slot in rand::seq::index::sample(&mut self.rng, slots, blocked) {
                    free[slot] = 0;
                }
            }
            _ => {}
        }
        free
    }
}

fn probability_for(kind: &str, by_type: Distribution, default: f64) -> f64 {
    by_type
        .iter()
        .find(|(name, _)| *name == kind)
        .map_or(default, |(_, probability)| *probability)
}

/// A vendor while generating: the popularity is dropped from the output, as in the script.
struct DraftVendor {
    vendor: Vendor,
    popularity: f64,
}

/// Generates an instance of any shape for a seed.
pub fn generate_shape(shape: &Shape, seed: u64) -> Instance {
    let mut draws = Draws {
        rng: ChaCha8Rng::seed_from_u64(seed),
        spare_normal: None,
    };
    let slots = shape.slots;

    let mut administrations = Vec::with_capacity(shape.administrations);
    for index in 0..shape.administrations {
        let kind = draws.pick(spec::ADMINISTRATION_TYPES);
        let requires_secnumcloud = draws.uniform()
            < probability_for(
                kind,
                spec::REQUIRES_SECNUMCLOUD_BY_TYPE,
                spec::REQUIRES_SECNUMCLOUD_DEFAULT,
            );
        let requires_hds = draws.uniform()
            < probability_for(kind, spec::REQUIRES_HDS_BY_TYPE, spec::REQUIRES_HDS_DEFAULT);
        let requires_no_extra_eu_exposure = draws.uniform() < spec::REQUIRES_NO_EXTRA_EU_EXPOSURE;
        let count = draws.integer(spec::NEED_CATEGORIES_PER_ADMINISTRATION);
        let needs: BTreeSet<&str> = draws.choices(spec::CATEGORIES, count).into_iter().collect();
        let reps = draws.pick(spec::ADMINISTRATION_REPRESENTATIVES);
        let availability = draws.availability(slots, shape.sessions);
        administrations.push(Administration {
            id: format!("A{index:04}"),
            kind: kind.to_owned(),
            flags: AdministrationFlags {
                requires_secnumcloud,
                requires_hds,
                requires_no_extra_eu_exposure,
            },
            needs: needs.into_iter().map(str::to_owned).collect(),
            reps: reps.parse().expect("representative counts are numbers"),
            availability,
        });
    }

    let mut vendors = Vec::with_capacity(shape.vendors);
    for index in 0..shape.vendors {
        let count = draws.integer(spec::CATEGORIES_PER_VENDOR);
        let categories: BTreeSet<&str> =
            draws.choices(spec::CATEGORIES, count).into_iter().collect();
        let hosting = categories.contains("iaas_paas");
        let country = draws.pick(spec::VENDOR_COUNTRIES);
        let exposure = draws.pick(spec::VENDOR_EXPOSURE);
        // Drawn only for hosting vendors, as the script's `hosting and rng.random() < p` does.
        let secnumcloud = hosting && draws.uniform() < spec::SECNUMCLOUD_GIVEN_IAAS_PAAS;
        let hds = hosting && draws.uniform() < spec::HDS_GIVEN_HOSTING;
        let reps = draws.pick(spec::VENDOR_REPRESENTATIVES);
        let availability = draws.availability(slots, shape.sessions);
        vendors.push(DraftVendor {
            vendor: Vendor {
                id: format!("V{index:04}"),
                country: country.to_owned(),
                exposure: exposure.to_owned(),
                categories: categories.into_iter().map(str::to_owned).collect(),
                secnumcloud,
                hds,
                reps: reps.parse().expect("representative counts are numbers"),
                availability,
            },
            popularity: 1.0 / ((index + 1) as f64).powf(spec::POPULARITY_ZIPF_EXPONENT),
        });
    }
    // Decouples id order from popularity rank.
    vendors.shuffle(&mut draws.rng);
    let most_popular = vendors
        .iter()
        .map(|draft| draft.popularity)
        .fold(0.0, f64::max);

    #[derive(Default)]
    struct Asked {
        by_admin: bool,
        by_vendor: bool,
    }
    let mut asked: BTreeMap<(String, String), Asked> = BTreeMap::new();
    for admin in &administrations {
        let mut scored: Vec<(f64, &str)> = Vec::new();
        for draft in &vendors {
            let overlap = admissible(admin, &draft.vendor);
            if overlap > 0.0 {
                let score = overlap
                    + spec::POPULARITY_BONUS * draft.popularity / most_popular
                    + draws.normal(spec::INTEREST_NOISE_SIGMA);
                scored.push((score, &draft.vendor.id));
            }
        }
        sort_descending(&mut scored);
        let count = draws.integer(spec::ADMINISTRATION_REQUESTS_PER_ADMIN);
        for (_, vendor) in scored.into_iter().take(count) {
            asked
                .entry((admin.id.clone(), vendor.to_owned()))
                .or_default()
                .by_admin = true;
        }
    }
    for draft in &vendors {
        let count = draws.integer(spec::VENDOR_REQUESTS_PER_VENDOR);
        let mut candidates: Vec<(f64, &str)> = Vec::new();
        for admin in &administrations {
            let overlap = admissible(admin, &draft.vendor);
            if overlap > 0.0 {
                candidates.push((
                    overlap + draws.normal(spec::INTEREST_NOISE_SIGMA),
                    &admin.id,
                ));
            }
        }
        sort_descending(&mut candidates);
        for (_, admin) in candidates.into_iter().take(count) {
            asked
                .entry((admin.to_owned(), draft.vendor.id.clone()))
                .or_default()
                .by_vendor = true;
        }
    }
    let requests = asked
        .into_iter()
        .map(|((admin, vendor), asked)| {
            let mutual = asked.by_admin && asked.by_vendor;
            let weight = if mutual {
                spec::WEIGHT_MUTUAL
            } else if asked.by_admin {
                spec::WEIGHT_ADMINISTRATION_ONLY
            } else {
                spec::WEIGHT_VENDOR_ONLY
            };
            Request {
                admin,
                vendor,
                weight,
                mutual,
            }
        })
        .collect();

    let mut vendors: Vec<Vendor> = vendors.into_iter().map(|draft| draft.vendor).collect();
    vendors.sort_by(|left, right| left.id.cmp(&right.id));
    Instance {
        params: Params {
            scale: shape.scale.clone(),
            seed,
            administrations: shape.administrations,
            vendors: shape.vendors,
            slots,
            slot_minutes: shape.slot_minutes,
            tables: shape.tables,
            sessions: shape.sessions.to_vec(),
            purpose: shape.purpose.clone(),
            max_meetings_per_administration: shape.max_meetings_per_administration,
        },
        administrations,
        vendors,
        requests,
    }
}

/// Python's `list.sort(reverse=True)` on `(score, id)` tuples: score first, then id, both descending.
fn sort_descending(scored: &mut [(f64, &str)]) {
    scored.sort_by(|left, right| right.0.total_cmp(&left.0).then(right.1.cmp(left.1)));
}

/// The script's `admissible`: the share of the administration's needs the vendor covers, or 0 when a
/// hard flag rules the vendor out.
fn admissible(admin: &Administration, vendor: &Vendor) -> f64 {
    let common: BTreeSet<&str> = admin
        .needs
        .iter()
        .filter(|need| vendor.categories.contains(need))
        .map(String::as_str)
        .collect();
    if common.is_empty() {
        return 0.0;
    }
    if admin.flags.requires_no_extra_eu_exposure
        && matches!(vendor.exposure.as_str(), "medium" | "high")
    {
        return 0.0;
    }
    if common.len() == 1 && common.contains("iaas_paas") {
        if admin.flags.requires_secnumcloud && !vendor.secnumcloud {
            return 0.0;
        }
        if admin.flags.requires_hds && !vendor.hds {
            return 0.0;
        }
    }
    common.len() as f64 / admin.needs.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_instance() {
        assert_eq!(generate(Scale::S, 7), generate(Scale::S, 7));
        assert_ne!(generate(Scale::S, 7), generate(Scale::S, 8));
    }

    #[test]
    fn m60_is_the_m_population_with_sixty_tables() {
        let m = generate(Scale::M, 42);
        let m60 = generate(Scale::M60, 42);
        assert_eq!(m.administrations, m60.administrations);
        assert_eq!(m.vendors, m60.vendors);
        assert_eq!(m.requests, m60.requests);
        assert_eq!((m.params.tables, m60.params.tables), (40, 60));
    }

    #[test]
    fn scales_parse_by_name() {
        assert_eq!("m60".parse::<Scale>(), Ok(Scale::M60));
        assert!("XL".parse::<Scale>().is_err());
    }
}
