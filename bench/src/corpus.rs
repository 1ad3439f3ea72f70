//! The synthetic corpus: suppliers, their offers and attestations, in Registre's import format
//! (`dataset/README.md`), deterministic for a seed.
//!
//! The shape follows the shared kit's `gen_corpus.py` (ported, see `words`): ~60% French suppliers
//! and 20 other European countries with their real cities (accents included), names built from
//! syllables, surnames and common words, French descriptions of 30 to 80 words assembled from
//! category-specific and generic templates so that the vocabulary has a realistic head and a long
//! tail. On top of it, what Registre holds and the kit did not: offers (1 to 3 per supplier, named
//! after the supplier and their kind of tool) with an English description, Suite classes and tiers,
//! deployment models, licences; attestations (SecNumCloud with ANSSI decisions and milestones, HDS,
//! ISO 27001, whole-company or per offer, qualified, in progress, expired or withdrawn, with dates);
//! control chains (a share of parents outside the EU); SIRENs that pass Luhn, and the French VAT
//! numbers derived from them.
//!
//! "Records" counts index documents: suppliers plus offers. Every supplier group is generated from
//! its own seeded stream, so the first K records of a larger corpus are the K-record corpus (the
//! last group may be cut short).

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate};
use registre_domain::identifiers::{Siren, VatNumber};
use serde::{Deserialize, Serialize};

use crate::rng::Rng;
use crate::words::{
    ADJECTIVES, ADJECTIVES_EN, BENEFITS, CATEGORIES, CATEGORY_SENTENCES, COUNTRIES, CategorySpec,
    CountrySpec, ENGLISH_SENTENCES, GENERIC, LICENCES, NAME_WORDS, PARENTS, SECTORS, SECTORS_EN,
    SUPPORT, SURNAMES_EU, SURNAMES_FR, SYLLABLES_A, SYLLABLES_B, TOOLS,
};

/// The day the corpus's dates are drawn around (the bundled dataset's compilation day).
pub fn anchor() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).expect("a valid date")
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ControlLinkLine {
    pub name: String,
    pub country: Option<String>,
    pub relation: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SupplierLine {
    pub key: String,
    pub legal_name: String,
    pub trade_names: Vec<String>,
    pub aliases: Vec<String>,
    pub kind: String,
    pub siren: Option<String>,
    pub siret: Option<String>,
    pub vat_number: Option<String>,
    pub lei: Option<String>,
    pub country: String,
    pub hq_city: Option<String>,
    pub website: Option<String>,
    pub control_chain: Vec<ControlLinkLine>,
    pub ultimate_control_country: Option<String>,
    pub unverified: Vec<String>,
    pub notes: Option<String>,
    pub references: Vec<String>,
    pub confidence: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OfferLine {
    pub key: String,
    pub supplier: String,
    pub name: String,
    pub category: String,
    pub description_fr: Option<String>,
    pub description_en: Option<String>,
    pub deployment_models: Vec<String>,
    pub licences: Vec<String>,
    pub hosting_locations: Vec<String>,
    pub suite_class: Option<String>,
    pub suite_tier: Option<String>,
    pub suite_role: Option<String>,
    pub url: Option<String>,
    pub source_repo: Option<String>,
    pub alternative_to: Vec<String>,
    pub unverified: Vec<String>,
    pub notes: Option<String>,
    pub references: Vec<String>,
    pub confidence: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecisionLine {
    pub year: i32,
    pub number: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProvenanceLine {
    pub source: String,
    pub source_reference: Option<String>,
    pub first_seen: NaiveDate,
    pub last_seen: NaiveDate,
    pub verification: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttestationLine {
    pub key: String,
    pub supplier: String,
    pub offer: Option<String>,
    pub scheme: String,
    pub status: String,
    pub milestone: Option<String>,
    pub level: Option<String>,
    pub service_models: Vec<String>,
    pub scope: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub decision: Option<DecisionLine>,
    pub recommendation: Option<String>,
    pub provenance: ProvenanceLine,
    pub unverified: Vec<String>,
    pub notes: Option<String>,
    pub references: Vec<String>,
    pub confidence: String,
}

/// One line of the file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Line {
    Supplier(SupplierLine),
    Offer(OfferLine),
    Attestation(AttestationLine),
}

/// A supplier with its offers and attestations.
#[derive(Debug, Clone)]
pub struct Group {
    pub supplier: SupplierLine,
    pub offers: Vec<OfferLine>,
    pub attestations: Vec<AttestationLine>,
}

/// What a generated file holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CorpusCounts {
    pub suppliers: usize,
    pub offers: usize,
    pub attestations: usize,
}

impl CorpusCounts {
    pub fn records(&self) -> usize {
        self.suppliers + self.offers
    }
}

/// Seeded generator of supplier groups.
pub struct Generator {
    seed: u64,
    country_weights: Vec<u32>,
    category_weights: Vec<u32>,
}

/// A SIREN (9 digits, valid Luhn) unique to the supplier index: a bijection of the index onto
/// 8-digit bodies, then the Luhn check digit.
pub fn siren_for(index: u64) -> String {
    let body = (index.wrapping_mul(7_919_773) % 90_000_000) + 10_000_000;
    let digits = format!("{body:08}");
    for check in 0..10 {
        let candidate = format!("{digits}{check}");
        if luhn_valid(&candidate) {
            return candidate;
        }
    }
    unreachable!("one of ten check digits always satisfies Luhn")
}

fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Lowercase ASCII slug: accents folded, other characters turned into single dashes.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in registre_indexer::search::normalize(text).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Fills `{placeholders}` from `value`.
fn fill(template: &str, value: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() + 40);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e);
        out.push_str(&value(&rest[start + 1..end]));
        rest = &rest[(end + 1).min(rest.len())..];
    }
    out.push_str(rest);
    out
}

/// What a sentence template may name.
struct SentenceContext<'a> {
    name: &'a str,
    founded: i64,
    country: &'a CountrySpec,
    hosting_country: &'a str,
    employees: u64,
    city: &'a str,
}

impl Generator {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            country_weights: COUNTRIES.iter().map(|c| c.weight).collect(),
            category_weights: CATEGORIES.iter().map(|c| c.weight).collect(),
        }
    }

    fn company_name(rng: &mut Rng, country: &CountrySpec) -> String {
        let x = rng.unit();
        if x < 0.55 {
            let mut name = format!("{}{}", rng.pick(SYLLABLES_A), rng.pick(SYLLABLES_B));
            if rng.chance(0.5) {
                name = format!("{name} {}", rng.pick(NAME_WORDS));
            }
            name
        } else if x < 0.8 {
            let surnames = if matches!(country.code, "FR" | "BE" | "LU" | "CH") {
                SURNAMES_FR
            } else {
                SURNAMES_EU
            };
            let surname = rng.pick(surnames);
            let word = rng.pick(NAME_WORDS);
            match rng.below(5) {
                0 => format!("Groupe {surname}"),
                1 | 3 => format!("{surname} {word}"),
                2 => format!("{surname} & Associés"),
                _ => format!("Cabinet {surname}"),
            }
        } else {
            format!(
                "{} {}{}",
                rng.pick(NAME_WORDS),
                rng.pick(SYLLABLES_A),
                rng.pick(SYLLABLES_B)
            )
        }
    }

    fn sentence(
        rng: &mut Rng,
        template: &str,
        context: &SentenceContext,
        keywords: &[&str],
        english: bool,
    ) -> String {
        let (sectors, adjectives) = if english {
            (SECTORS_EN, ADJECTIVES_EN)
        } else {
            (SECTORS, ADJECTIVES)
        };
        let sector = rng.sample(sectors, 2);
        let adjective = rng.sample(adjectives, 2);
        let tool = rng.sample(TOOLS, 2);
        let benefit = rng.pick(BENEFITS);
        let support = rng.pick(SUPPORT);
        let sla = *rng.pick(&["99,9", "99,95", "99,99", "99,5"]);
        let customers = *rng.pick(&[50, 100, 200, 500, 1000, 2000, 5000, 10000]);
        let kw = rng.sample(keywords, 3);
        let kw_at = |i: usize| kw.get(i).or(kw.first()).map_or("", |k| **k).to_owned();
        fill(template, |slot| match slot {
            "name" => context.name.to_owned(),
            "founded" => context.founded.to_string(),
            "nat" => context.country.nationality_fr.to_owned(),
            "hosting_country" => context.hosting_country.to_owned(),
            "lang_label" => context.country.language_fr.to_owned(),
            "employees" => context.employees.to_string(),
            "city" => context.city.to_owned(),
            "sector" => (*sector[0]).to_owned(),
            "sector2" => (*sector[1]).to_owned(),
            "adj" => (*adjective[0]).to_owned(),
            "adj2" => (*adjective[1]).to_owned(),
            "tool" => (*tool[0]).to_owned(),
            "tool2" => (*tool[1]).to_owned(),
            "benefit" => (*benefit).to_owned(),
            "support" => (*support).to_owned(),
            "sla" => sla.to_owned(),
            "customers" => customers.to_string(),
            "kw" => kw_at(0),
            "kw2" => kw_at(1),
            "kw3" => kw_at(2),
            _ => String::new(),
        })
    }

    /// A French description of 30 to 80 words, as the kit builds them.
    fn description_fr(
        rng: &mut Rng,
        context: &SentenceContext,
        category: &CategorySpec,
        flags: (bool, bool, bool, bool),
    ) -> String {
        let (secnumcloud, hds, iso, open_source) = flags;
        let target = rng.between(30, 80) as usize;
        let mut sentences = Vec::new();
        let template = *rng.pick(CATEGORY_SENTENCES);
        sentences.push(Self::sentence(
            rng,
            template,
            context,
            category.keywords_fr,
            false,
        ));
        if secnumcloud {
            sentences.push("Offre qualifiée SecNumCloud par l'ANSSI.".to_owned());
        }
        if hds {
            sentences.push("Certifié hébergeur de données de santé (HDS).".to_owned());
        }
        if iso && rng.chance(0.6) {
            sentences.push("Certification ISO 27001 pour la sécurité de l'information.".to_owned());
        }
        if open_source && rng.chance(0.7) {
            let s = *rng.pick(&[
                "Logiciel libre sous licence AGPL.",
                "Solution open source et auditable.",
                "Code source ouvert publié sur une forge publique.",
            ]);
            sentences.push(s.to_owned());
        }
        let mut total: usize = sentences.iter().map(|s| s.split_whitespace().count()).sum();
        let mut guard = 0;
        while total < target && guard < 20 {
            guard += 1;
            let template = if rng.chance(0.4) {
                *rng.pick(CATEGORY_SENTENCES)
            } else {
                *rng.pick(GENERIC)
            };
            let s = Self::sentence(rng, template, context, category.keywords_fr, false);
            let n = s.split_whitespace().count();
            if total + n > 80 && total >= 30 {
                break;
            }
            total += n;
            sentences.push(s);
        }
        let text = sentences.join(" ");
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.len() > 80 {
            format!(
                "{}.",
                words[..80].join(" ").trim_end_matches([',', ';', ':'])
            )
        } else {
            text
        }
    }

    fn description_en(rng: &mut Rng, context: &SentenceContext, category: &CategorySpec) -> String {
        let count = rng.between(2, 3) as usize;
        (0..count)
            .map(|_| {
                let template = *rng.pick(ENGLISH_SENTENCES);
                Self::sentence(rng, template, context, category.keywords_en, true)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Supplier group number `index` (0-based).
    pub fn group(&self, index: u64) -> Group {
        let rng = &mut Rng::for_record(self.seed, index);
        let country = &COUNTRIES[rng.weighted(&self.country_weights)];
        let city_weights: Vec<u32> = country.cities.iter().map(|c| c.1).collect();
        let city = country.cities[rng.weighted(&city_weights)].0;
        let name = Self::company_name(rng, country);
        let legal_form = *rng.pick(country.legal_forms);
        let tier = rng.weighted(&[8, 32, 60]) as i64 + 1;
        let employees = rng.lognormal(3.2 + (3 - tier) as f64 * 1.2, 1.0) as u64 + 1;
        let founded = rng.between(1985, 2025);
        let base_slug = slug(&name);
        let key = format!("{}-{}", truncate(&base_slug, 60), index + 1);
        let french = country.code == "FR";
        let siren = french.then(|| siren_for(index));
        let vat_number = siren.as_ref().map(|s| {
            VatNumber::french_from_siren(&Siren::parse(s).expect("a generated SIREN is valid"))
                .as_str()
                .to_owned()
        });
        let mut aliases = Vec::new();
        if rng.chance(0.1) {
            let initials: String = name
                .split_whitespace()
                .filter_map(|w| w.chars().next())
                .collect::<String>()
                .to_uppercase();
            if initials.chars().count() >= 2 && initials != name {
                aliases.push(initials);
            } else {
                aliases.push(format!("{name} {}", country.code));
            }
        }
        let (control_chain, ultimate) = if rng.chance(0.12) {
            let parent_weights: Vec<u32> = PARENTS.iter().map(|p| p.2).collect();
            let (pattern, parent_country, _) = PARENTS[rng.weighted(&parent_weights)];
            let surname = rng.pick(SURNAMES_EU);
            let relation = *rng.pick(&[
                "parent",
                "parent",
                "controlling_shareholder",
                "minority_shareholder",
            ]);
            let confers = relation != "minority_shareholder";
            (
                vec![ControlLinkLine {
                    name: pattern.replace("{s}", surname),
                    country: Some(parent_country.to_owned()),
                    relation: relation.to_owned(),
                }],
                Some(
                    if confers {
                        parent_country
                    } else {
                        country.code
                    }
                    .to_owned(),
                ),
            )
        } else if rng.chance(0.05) {
            (Vec::new(), None)
        } else {
            (Vec::new(), Some(country.code.to_owned()))
        };
        let supplier = SupplierLine {
            key: key.clone(),
            legal_name: format!("{name} {legal_form}"),
            trade_names: vec![name.clone()],
            aliases,
            kind: "company".to_owned(),
            siren,
            siret: None,
            vat_number,
            lei: None,
            country: country.code.to_owned(),
            hq_city: Some(city.to_owned()),
            website: Some(format!("https://www.{base_slug}.{}", country.tld)),
            control_chain,
            ultimate_control_country: ultimate,
            unverified: Vec::new(),
            notes: None,
            references: Vec::new(),
            confidence: (*rng.pick(&["high", "medium", "medium", "low"])).to_owned(),
        };

        let offer_count = rng.weighted(&[50, 35, 15]) + 1;
        let mut offers = Vec::with_capacity(offer_count);
        let mut attestations = Vec::new();
        let mut categories: Vec<usize> = Vec::new();
        while categories.len() < offer_count {
            let c = rng.weighted(&self.category_weights);
            if !categories.contains(&c) {
                categories.push(c);
            }
        }
        let hosting_country = if rng.chance(0.85) {
            country.name_fr
        } else {
            *rng.pick(&["France", "Allemagne", "Pays-Bas", "Union européenne"])
        };
        let context = SentenceContext {
            name: &name,
            founded,
            country,
            hosting_country,
            employees,
            city,
        };
        // Whole-company ISO 27001, sometimes.
        let mut attestation_index = 0;
        let mut attest = |offer: Option<&str>, scheme: &str, rng: &mut Rng, infra: bool| {
            attestation_index += 1;
            let line = attestation(rng, &key, offer, scheme, (index, attestation_index), infra);
            attestations.push(line);
        };
        if rng.chance(0.12) {
            attest(None, "iso27001", rng, false);
        }
        if rng.chance(0.04) {
            attest(None, "hds", rng, true);
        }
        for (position, &category_index) in categories.iter().enumerate() {
            let category = &CATEGORIES[category_index];
            let infra = category.infra;
            let secnumcloud = french && rng.chance(if infra { 0.10 } else { 0.01 });
            let hds = rng.chance(if infra { 0.18 } else { 0.05 });
            let iso = secnumcloud || rng.chance(if infra { 0.30 } else { 0.15 });
            let open_source = rng.chance(0.3);
            let product = rng.pick(category.product_words);
            let offer_name = format!("{name} {product}");
            let offer_key = format!("{}-o{}", truncate(&key, 74), position + 1);
            let suite_class = category
                .suite_class
                .filter(|_| rng.chance(0.6))
                .map(str::to_owned);
            let suite_tier = suite_class
                .as_ref()
                .filter(|_| rng.chance(0.01))
                .map(|_| (*rng.pick(&["socle", "complementary", "innovation"])).to_owned());
            let mut deployment = vec!["saas".to_owned()];
            if open_source {
                deployment.push("self_hosted".to_owned());
            }
            if infra {
                deployment =
                    vec![(*rng.pick(&["public_cloud", "private_cloud", "hybrid"])).to_owned()];
            } else if rng.chance(0.1) {
                deployment.push("on_premises".to_owned());
            }
            let description_fr = Self::description_fr(
                rng,
                &context,
                category,
                (secnumcloud, hds, iso, open_source),
            );
            let description_en = Self::description_en(rng, &context, category);
            let licences = if open_source {
                vec![(*rng.pick(LICENCES)).to_owned()]
            } else {
                Vec::new()
            };
            offers.push(OfferLine {
                key: offer_key.clone(),
                supplier: key.clone(),
                name: offer_name,
                category: category.code.to_owned(),
                description_fr: Some(description_fr),
                description_en: Some(description_en),
                deployment_models: deployment,
                licences,
                hosting_locations: vec![
                    if rng.chance(0.85) { country.code } else { "FR" }.to_owned(),
                ],
                suite_class,
                suite_tier,
                suite_role: None,
                url: Some(format!(
                    "https://www.{base_slug}.{}/{}",
                    country.tld,
                    slug(product)
                )),
                source_repo: None,
                alternative_to: Vec::new(),
                unverified: Vec::new(),
                notes: None,
                references: Vec::new(),
                confidence: "medium".to_owned(),
            });
            if secnumcloud {
                attest(Some(&offer_key), "secnumcloud", rng, infra);
            }
            if hds {
                attest(Some(&offer_key), "hds", rng, infra);
            }
            if iso && !secnumcloud {
                attest(Some(&offer_key), "iso27001", rng, infra);
            }
        }
        Group {
            supplier,
            offers,
            attestations,
        }
    }

    /// Generates the groups holding the first `records` documents (the last group cut short).
    pub fn for_each_group(
        &self,
        records: usize,
        mut each: impl FnMut(Group) -> anyhow::Result<()>,
    ) -> anyhow::Result<CorpusCounts> {
        let mut counts = CorpusCounts::default();
        let mut index = 0u64;
        while counts.records() < records {
            let mut group = self.group(index);
            index += 1;
            let room = records - counts.records() - 1;
            if group.offers.len() > room {
                group.offers.truncate(room);
                let kept: Vec<String> = group.offers.iter().map(|o| o.key.clone()).collect();
                group
                    .attestations
                    .retain(|a| a.offer.as_ref().is_none_or(|o| kept.contains(o)));
            }
            counts.suppliers += 1;
            counts.offers += group.offers.len();
            counts.attestations += group.attestations.len();
            each(group)?;
        }
        Ok(counts)
    }

    /// Writes the corpus as JSON Lines: suppliers, then offers, then attestations (the order of the
    /// bundled dataset).
    pub fn write(&self, records: usize, path: &Path) -> anyhow::Result<CorpusCounts> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let part = |name: &str| dir.join(format!(".{name}.part"));
        let mut offers_file = BufWriter::new(std::fs::File::create(part("offers"))?);
        let mut attestations_file = BufWriter::new(std::fs::File::create(part("attestations"))?);
        let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
        let counts = self.for_each_group(records, |group| {
            serde_json::to_writer(&mut out, &Line::Supplier(group.supplier))?;
            out.write_all(b"\n")?;
            for offer in group.offers {
                serde_json::to_writer(&mut offers_file, &Line::Offer(offer))?;
                offers_file.write_all(b"\n")?;
            }
            for attestation in group.attestations {
                serde_json::to_writer(&mut attestations_file, &Line::Attestation(attestation))?;
                attestations_file.write_all(b"\n")?;
            }
            Ok(())
        })?;
        offers_file.flush()?;
        attestations_file.flush()?;
        drop((offers_file, attestations_file));
        for name in ["offers", "attestations"] {
            let mut part_file = std::fs::File::open(part(name))?;
            std::io::copy(&mut part_file, &mut out)?;
            std::fs::remove_file(part(name))?;
        }
        out.flush()?;
        Ok(counts)
    }
}

fn truncate(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].trim_end_matches('-')
}

fn attestation(
    rng: &mut Rng,
    supplier: &str,
    offer: Option<&str>,
    scheme: &str,
    (group, index): (u64, usize),
    infra: bool,
) -> AttestationLine {
    let owner = offer.unwrap_or(supplier);
    let key = format!(
        "{}-{}-{index}",
        truncate(owner, 60),
        scheme.replace('_', "-")
    );
    let anchor = anchor();
    let from = anchor - Duration::days(rng.between(30, 5 * 365));
    let three_years = from + Duration::days(3 * 365);
    let (status, valid_from, valid_until, milestone) = match scheme {
        "secnumcloud" => match rng.weighted(&[75, 20, 5]) {
            0 => ("qualified", Some(from), Some(three_years), None),
            1 => (
                "in_progress",
                None,
                None,
                Some((*rng.pick(&["J0", "J1", "J2", "J3"])).to_owned()),
            ),
            _ => ("withdrawn", Some(from), Some(three_years), None),
        },
        _ => match rng.weighted(&[85, 10, 5]) {
            0 => ("qualified", Some(from), Some(three_years), None),
            1 => (
                "expired",
                Some(from - Duration::days(3 * 365)),
                Some(from),
                None,
            ),
            _ => ("in_progress", None, None, None),
        },
    };
    let (source, decision, recommendation) = match scheme {
        "secnumcloud" if status != "in_progress" => (
            "anssi-catalogue",
            Some(DecisionLine {
                year: from.year(),
                // ANSSI numbers are unique within a year: the group and rank make them unique here.
                number: format!("{}-{index}", group + 1),
                url: None,
            }),
            Some((*rng.pick(&["optimal", "optimal", "modere", "critique"])).to_owned()),
        ),
        "secnumcloud" => ("anssi-catalogue", None, None),
        "hds" => ("ans-hds", None, None),
        _ => ("vendor", None, None),
    };
    let service_models = if scheme == "secnumcloud" {
        vec![if infra { "iaas" } else { "saas" }.to_owned()]
    } else {
        Vec::new()
    };
    let seen = anchor - Duration::days(rng.between(0, 365));
    AttestationLine {
        key,
        supplier: supplier.to_owned(),
        offer: offer.map(str::to_owned),
        scheme: scheme.to_owned(),
        status: status.to_owned(),
        milestone,
        level: None,
        service_models,
        scope: offer
            .is_none()
            .then(|| "Ensemble des activités de la société".to_owned()),
        valid_from,
        valid_until,
        decision,
        recommendation,
        provenance: ProvenanceLine {
            source: source.to_owned(),
            source_reference: None,
            first_seen: seen.min(valid_from.unwrap_or(seen)),
            last_seen: seen,
            verification: "declared".to_owned(),
        },
        unverified: Vec::new(),
        notes: None,
        references: Vec::new(),
        confidence: "medium".to_owned(),
    }
}

/// A corpus file read back.
#[derive(Debug, Default)]
pub struct Corpus {
    pub suppliers: Vec<SupplierLine>,
    pub offers: Vec<OfferLine>,
    pub attestations: Vec<AttestationLine>,
}

impl Corpus {
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let mut corpus = Corpus::default();
        for (number, line) in BufReader::with_capacity(1 << 20, file).lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str(&line)
                .with_context(|| format!("{}:{}", path.display(), number + 1))?
            {
                Line::Supplier(s) => corpus.suppliers.push(s),
                Line::Offer(o) => corpus.offers.push(o),
                Line::Attestation(a) => corpus.attestations.push(a),
            }
        }
        Ok(corpus)
    }

    pub fn counts(&self) -> CorpusCounts {
        CorpusCounts {
            suppliers: self.suppliers.len(),
            offers: self.offers.len(),
            attestations: self.attestations.len(),
        }
    }
}
