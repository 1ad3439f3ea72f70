//! The need helper's rule: the State's February 2026 doctrine made usable. A buyer states a need (a kind
//! of tool of La Suite numérique, or a category of the taxonomy) and how sensitive the data is; the answer
//! lists, in this order:
//!
//! 1. **the State's own tools** for that need (*sobriety*): the offers the State uses in La Suite
//!    numérique, i.e. those with a `suite_tier` (the dataset sets it only there), core tier first;
//! 2. **market offers meeting the sovereignty requirement** of that sensitivity (*sovereignty*):
//!    - standard data: no qualification required; every offer meets it, ranked by exposure;
//!    - sensitive data: an ANSSI SecNumCloud qualification in force today (held by the offer or by its
//!      supplier as a whole, as in the exposure assessment);
//!    - health data: an HDS certificate in force today (required by law to host health data); since
//!      health data are sensitive data too and the doctrine makes SecNumCloud the standard for those,
//!      offers also qualified SecNumCloud today come first and say so;
//!
//!    then by exposure to extra-EU law (none, not applicable, low, unknown, medium, high), then by name;
//! 3. **the others**, each with why it does not meet the requirement, in plain words. Software the buyer
//!    runs itself is among them for sensitive and health data: the qualification is then the hosting's,
//!    which the buyer chooses, so the offer alone cannot meet it.
//!
//! Pure: the caller passes the offers with their supplier and attestations, and the day.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{AttestationData, OfferData, Record, SupplierData};
use crate::sovereignty::{Assessment, assess_offer};
use crate::taxonomy::{Category, ExposureLevel, Scheme, Status, SuiteClass, Vocabulary};

/// What the buyer needs: a kind of tool in La Suite numérique's terms, or a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Need {
    SuiteClass(SuiteClass),
    Category(Category),
}

impl Need {
    /// `suite_class:visio` or `category:iaas` (the two vocabularies share some codes).
    pub fn code(self) -> String {
        match self {
            Need::SuiteClass(class) => format!("suite_class:{}", class.code()),
            Need::Category(category) => format!("category:{}", category.code()),
        }
    }

    pub fn parse(code: &str) -> Option<Need> {
        let (vocabulary, value) = code.trim().split_once(':')?;
        match vocabulary {
            "suite_class" => SuiteClass::parse(value).ok().map(Need::SuiteClass),
            "category" => Category::parse(value).ok().map(Need::Category),
            _ => None,
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            Need::SuiteClass(class) => class.label_fr(),
            Need::Category(category) => category.label_fr(),
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Need::SuiteClass(class) => class.label_en(),
            Need::Category(category) => category.label_en(),
        }
    }

    /// Whether `offer` answers this need.
    pub fn fits(self, offer: &OfferData) -> bool {
        match self {
            Need::SuiteClass(class) => offer.suite_class == Some(class),
            Need::Category(category) => offer.category == category,
        }
    }
}

/// How sensitive the data is that a buyer (or an administration at a matchmaking event) would
/// entrust; it sets the requirements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    /// No particular requirement.
    Standard,
    /// Sensitive data: a SecNumCloud qualification valid today (State doctrine).
    Sensitive,
    /// Health data: an HDS certificate valid today.
    Health,
}

impl Sensitivity {
    pub const ALL: [Sensitivity; 3] = [
        Sensitivity::Standard,
        Sensitivity::Sensitive,
        Sensitivity::Health,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Sensitivity::Standard => "standard",
            Sensitivity::Sensitive => "sensitive",
            Sensitivity::Health => "health",
        }
    }

    pub fn parse(code: &str) -> Option<Sensitivity> {
        Self::ALL.into_iter().find(|s| s.code() == code.trim())
    }

    /// [`Sensitivity::parse`], an empty code (a form field or CSV cell left blank) reading as
    /// `standard`.
    pub fn parse_or_standard(code: &str) -> Option<Sensitivity> {
        if code.trim().is_empty() {
            Some(Sensitivity::Standard)
        } else {
            Self::parse(code)
        }
    }

    /// The schemes an offer must hold, valid today, for this sensitivity.
    pub fn required_schemes(self) -> &'static [Scheme] {
        match self {
            Sensitivity::Standard => &[],
            Sensitivity::Sensitive => &[Scheme::SecNumCloud],
            Sensitivity::Health => &[Scheme::Hds],
        }
    }

    /// The codes of [`Sensitivity::required_schemes`]: `secnumcloud`, `hds`.
    pub fn requirements(self) -> Vec<&'static str> {
        self.required_schemes().iter().map(|s| s.code()).collect()
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            Sensitivity::Standard => "Données standard",
            Sensitivity::Sensitive => "Données sensibles",
            Sensitivity::Health => "Données de santé",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Sensitivity::Standard => "Standard data",
            Sensitivity::Sensitive => "Sensitive data",
            Sensitivity::Health => "Health data",
        }
    }

    /// What this sensitivity requires of a market offer, in plain words.
    pub fn requirement_fr(self) -> &'static str {
        match self {
            Sensitivity::Standard => {
                "Aucune qualification particulière n'est exigée ; les offres sont classées selon leur exposition aux lois extra-européennes."
            }
            Sensitivity::Sensitive => {
                "Une qualification SecNumCloud de l'ANSSI en vigueur aujourd'hui, qui protège des lois extra-européennes."
            }
            Sensitivity::Health => {
                "Une certification d'hébergeur de données de santé (HDS) en vigueur aujourd'hui ; les offres aussi qualifiées SecNumCloud viennent en premier, la doctrine en faisant la référence pour les données sensibles."
            }
        }
    }

    pub fn requirement_en(self) -> &'static str {
        match self {
            Sensitivity::Standard => {
                "No particular qualification is required; offers are ranked by their exposure to extra-EU law."
            }
            Sensitivity::Sensitive => {
                "An ANSSI SecNumCloud qualification in force today, which protects from extra-EU law."
            }
            Sensitivity::Health => {
                "A health-data hosting (HDS) certificate in force today; offers also qualified SecNumCloud come first, the doctrine making it the standard for sensitive data."
            }
        }
    }
}

/// One offer to weigh, with what its assessment needs.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub offer: &'a Record<OfferData>,
    pub supplier: &'a Record<SupplierData>,
    /// The supplier's attestations (others' offers' are ignored, as in the exposure assessment).
    pub attestations: &'a [Record<AttestationData>],
}

/// Why an offer stands where it does, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeedReason {
    /// Stable code: `state_tool`, `requirement_unrecorded`, `no_requirement`, `valid_secnumcloud`,
    /// `valid_hds`, `also_secnumcloud`; for exclusions `run_by_buyer`, `secnumcloud_in_progress`,
    /// `secnumcloud_not_valid`, `no_secnumcloud`, `hds_not_valid`, `no_hds`, `secnumcloud_without_hds`.
    pub code: &'static str,
    pub text_fr: String,
    pub text_en: String,
}

fn reason(code: &'static str, text_fr: String, text_en: String) -> NeedReason {
    NeedReason {
        code,
        text_fr,
        text_en,
    }
}

/// Where an offer stands in the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    StateTool,
    Meets,
    Excluded,
}

#[derive(Debug, Clone)]
pub struct Verdict<'a> {
    pub candidate: Candidate<'a>,
    pub standing: Standing,
    pub assessment: Assessment,
    /// Why; for an excluded offer, what it lacks.
    pub reasons: Vec<NeedReason>,
}

/// The answer, in the doctrine's order.
#[derive(Debug, Clone, Default)]
pub struct Answer<'a> {
    pub state_tools: Vec<Verdict<'a>>,
    pub meeting: Vec<Verdict<'a>>,
    pub others: Vec<Verdict<'a>>,
}

fn day(date: Option<NaiveDate>) -> String {
    date.map_or_else(|| "?".to_owned(), |d| d.format("%d/%m/%Y").to_string())
}

fn own<'a>(
    candidate: &Candidate<'a>,
    scheme: Scheme,
) -> impl Iterator<Item = &'a Record<AttestationData>> {
    let offer_id = candidate.offer.id;
    let supplier_id = candidate.supplier.id;
    candidate.attestations.iter().filter(move |a| {
        a.data.scheme == scheme
            && a.data.supplier_id == supplier_id
            && a.data.offer_id.is_none_or(|id| id == offer_id)
    })
}

fn valid<'a>(
    candidate: &Candidate<'a>,
    scheme: Scheme,
    today: NaiveDate,
) -> Option<&'a Record<AttestationData>> {
    own(candidate, scheme).find(|a| a.data.is_valid_on(today))
}

fn exposure_rank(level: ExposureLevel) -> u8 {
    match level {
        ExposureLevel::None => 0,
        ExposureLevel::NotApplicable => 1,
        ExposureLevel::Low => 2,
        ExposureLevel::Unknown => 3,
        ExposureLevel::Medium => 4,
        ExposureLevel::High => 5,
    }
}

/// Why `candidate` lacks `scheme` (SecNumCloud or HDS) today, in plain words.
fn missing(candidate: &Candidate, scheme: Scheme, today: NaiveDate) -> NeedReason {
    let held: Vec<&Record<AttestationData>> = own(candidate, scheme).collect();
    let (name_fr, name_en) = match scheme {
        Scheme::Hds => ("certification HDS", "HDS certificate"),
        _ => ("qualification SecNumCloud", "SecNumCloud qualification"),
    };
    let (in_progress, not_valid, none) = match scheme {
        Scheme::Hds => ("hds_in_progress", "hds_not_valid", "no_hds"),
        _ => (
            "secnumcloud_in_progress",
            "secnumcloud_not_valid",
            "no_secnumcloud",
        ),
    };
    if held
        .iter()
        .any(|a| a.data.effective_status(today) == Status::InProgress)
    {
        return reason(
            in_progress,
            format!("La {name_fr} est en cours, pas encore obtenue : elle ne compte pas encore."),
            format!("The {name_en} is in progress, not granted yet: it does not count yet."),
        );
    }
    if let Some(past) = held.iter().find(|a| !a.data.is_valid_on(today)) {
        let status = past.data.effective_status(today);
        let (fr, en) = match status {
            Status::Expired => (
                format!("expirée le {}", day(past.data.valid_until)),
                format!("expired on {}", day(past.data.valid_until)),
            ),
            Status::Qualified => (
                format!(
                    "valable seulement à partir du {}",
                    day(past.data.valid_from)
                ),
                format!("valid only from {}", day(past.data.valid_from)),
            ),
            other => (
                other.label_fr().to_lowercase(),
                other.label_en().to_lowercase(),
            ),
        };
        return reason(
            not_valid,
            format!("La {name_fr} enregistrée n'est pas en vigueur aujourd'hui ({fr})."),
            format!("The recorded {name_en} is not in force today ({en})."),
        );
    }
    match scheme {
        Scheme::Hds => reason(
            none,
            "Aucune certification HDS en vigueur : l'hébergement de données de santé l'exige.".into(),
            "No HDS certificate in force: hosting health data requires one.".into(),
        ),
        _ => reason(
            none,
            "Aucune qualification SecNumCloud en vigueur : la doctrine la demande pour les données sensibles.".into(),
            "No SecNumCloud qualification in force: the doctrine requires one for sensitive data.".into(),
        ),
    }
}

fn holds(scheme: Scheme, attestation: &Record<AttestationData>) -> NeedReason {
    let until_fr = attestation
        .data
        .valid_until
        .map(|d| format!(" jusqu'au {}", day(Some(d))))
        .unwrap_or_default();
    let until_en = attestation
        .data
        .valid_until
        .map(|d| format!(" until {}", day(Some(d))))
        .unwrap_or_default();
    match scheme {
        Scheme::Hds => reason(
            "valid_hds",
            format!("Certification HDS en vigueur{until_fr}."),
            format!("HDS certificate in force{until_en}."),
        ),
        _ => reason(
            "valid_secnumcloud",
            format!("Qualification SecNumCloud en vigueur{until_fr}."),
            format!("SecNumCloud qualification in force{until_en}."),
        ),
    }
}

fn state_tool(
    candidate: &Candidate,
    sensitivity: Sensitivity,
    today: NaiveDate,
) -> Vec<NeedReason> {
    let tier = candidate
        .offer
        .data
        .suite_tier
        .expect("a State tool has a tier");
    let mut reasons = vec![reason(
        "state_tool",
        format!(
            "Outil de l'État (La Suite numérique, {}) : la doctrine demande de l'utiliser avant d'acheter.",
            tier.label_fr().to_lowercase()
        ),
        format!(
            "The State's own tool (La Suite numérique, {}): the doctrine asks to use it before buying.",
            tier.label_en().to_lowercase()
        ),
    )];
    for scheme in sensitivity.required_schemes() {
        match valid(candidate, *scheme, today) {
            Some(attestation) => reasons.push(holds(*scheme, attestation)),
            None => reasons.push(reason(
                "requirement_unrecorded",
                format!(
                    "Aucune {} n'est enregistrée pour cet outil : vérifiez auprès de son opérateur qu'il convient à ces données.",
                    if *scheme == Scheme::Hds { "certification HDS" } else { "qualification SecNumCloud" }
                ),
                format!(
                    "No {} is recorded for this tool: check with its operator that it suits these data.",
                    if *scheme == Scheme::Hds { "HDS certificate" } else { "SecNumCloud qualification" }
                ),
            )),
        }
    }
    reasons
}

/// Weighs a market offer against the sensitivity's requirement: `(meets, reasons, preferred)`, where
/// `preferred` ranks health-data offers also qualified SecNumCloud first.
fn market(
    candidate: &Candidate,
    sensitivity: Sensitivity,
    today: NaiveDate,
) -> (bool, Vec<NeedReason>, bool) {
    let run_by_buyer = candidate.offer.data.is_run_by_buyer_only();
    let secnumcloud = valid(candidate, Scheme::SecNumCloud, today);
    match sensitivity {
        Sensitivity::Standard => (
            true,
            vec![reason(
                "no_requirement",
                "Données standard : aucune qualification n'est exigée.".into(),
                "Standard data: no qualification is required.".into(),
            )],
            false,
        ),
        Sensitivity::Sensitive => match secnumcloud {
            Some(attestation) => (true, vec![holds(Scheme::SecNumCloud, attestation)], false),
            None if run_by_buyer => (
                false,
                vec![reason(
                    "run_by_buyer",
                    "Logiciel que vous exploitez vous-même : la qualification est alors celle de l'hébergement que vous choisissez ; il ne convient que sur une infrastructure qualifiée SecNumCloud.".into(),
                    "Software you run yourself: the qualification is then that of the hosting you choose; it is suitable only on SecNumCloud-qualified infrastructure.".into(),
                )],
                false,
            ),
            None => (false, vec![missing(candidate, Scheme::SecNumCloud, today)], false),
        },
        Sensitivity::Health => match valid(candidate, Scheme::Hds, today) {
            Some(hds) => {
                let mut reasons = vec![holds(Scheme::Hds, hds)];
                if let Some(attestation) = secnumcloud {
                    let mut also = holds(Scheme::SecNumCloud, attestation);
                    also.code = "also_secnumcloud";
                    also.text_fr = format!(
                        "{} Pour des données de santé également sensibles, la doctrine en fait la référence.",
                        also.text_fr
                    );
                    also.text_en = format!(
                        "{} For health data that are also sensitive, the doctrine makes it the standard.",
                        also.text_en
                    );
                    reasons.push(also);
                }
                (true, reasons, secnumcloud.is_some())
            }
            None if run_by_buyer => (
                false,
                vec![reason(
                    "run_by_buyer",
                    "Logiciel que vous exploitez vous-même : la certification est alors celle de l'hébergement que vous choisissez ; il ne convient que chez un hébergeur certifié HDS.".into(),
                    "Software you run yourself: the certificate is then that of the hosting you choose; it is suitable only with an HDS-certified host.".into(),
                )],
                false,
            ),
            None => {
                let mut reasons = vec![missing(candidate, Scheme::Hds, today)];
                if secnumcloud.is_some() {
                    reasons.push(reason(
                        "secnumcloud_without_hds",
                        "Qualifiée SecNumCloud, mais l'hébergement de données de santé exige en plus la certification HDS.".into(),
                        "SecNumCloud-qualified, but hosting health data also requires the HDS certificate.".into(),
                    ));
                }
                (false, reasons, false)
            }
        },
    }
}

fn name_key(verdict: &Verdict) -> String {
    verdict.candidate.offer.data.name.to_lowercase()
}

/// Lists the offers fitting `need` in the doctrine's order for data of `sensitivity`, judged on `today`.
pub fn answer<'a>(
    need: Need,
    sensitivity: Sensitivity,
    candidates: &[Candidate<'a>],
    today: NaiveDate,
) -> Answer<'a> {
    let mut answer = Answer::default();
    let mut preferred = Vec::new();
    for candidate in candidates.iter().filter(|c| need.fits(&c.offer.data)) {
        let assessment = assess_offer(
            candidate.supplier,
            candidate.offer,
            candidate.attestations,
            today,
        );
        if candidate.offer.data.suite_tier.is_some() {
            answer.state_tools.push(Verdict {
                candidate: *candidate,
                standing: Standing::StateTool,
                assessment,
                reasons: state_tool(candidate, sensitivity, today),
            });
            continue;
        }
        let (meets, reasons, prefer) = market(candidate, sensitivity, today);
        let verdict = Verdict {
            candidate: *candidate,
            standing: if meets {
                Standing::Meets
            } else {
                Standing::Excluded
            },
            assessment,
            reasons,
        };
        if meets {
            if prefer {
                preferred.push(verdict.candidate.offer.id);
            }
            answer.meeting.push(verdict);
        } else {
            answer.others.push(verdict);
        }
    }
    answer.state_tools.sort_by_key(|v| {
        (
            v.candidate.offer.data.suite_tier,
            name_key(v),
            v.candidate.offer.id,
        )
    });
    answer.meeting.sort_by_key(|v| {
        (
            !preferred.contains(&v.candidate.offer.id),
            exposure_rank(v.assessment.level),
            name_key(v),
            v.candidate.offer.id,
        )
    });
    answer.others.sort_by_key(|v| {
        (
            exposure_rank(v.assessment.level),
            name_key(v),
            v.candidate.offer.id,
        )
    });
    answer
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifiers::CountryCode;
    use crate::model::{ControlLink, Key, Provenance};
    use crate::taxonomy::{
        Confidence, ControlRelation, DeploymentModel, SuiteTier, SupplierKind, Verification,
    };
    use chrono::Utc;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn record<T>(id: i64, key: &str, data: T) -> Record<T> {
        Record {
            id,
            key: Key::parse(key).unwrap(),
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            data,
        }
    }

    fn supplier(id: i64, controlled_from: &str) -> Record<SupplierData> {
        let country = |c: &str| CountryCode::parse(c).unwrap();
        let chain = if controlled_from == "FR" {
            vec![]
        } else {
            vec![ControlLink {
                name: "Parent Inc.".into(),
                country: Some(country(controlled_from)),
                relation: ControlRelation::Parent,
            }]
        };
        record(
            id,
            &format!("supplier-{id}"),
            SupplierData {
                legal_name: format!("Supplier {id}"),
                trade_names: vec![],
                aliases: vec![],
                kind: SupplierKind::Company,
                siren: None,
                siret: None,
                vat_number: None,
                lei: None,
                country: country("FR"),
                hq_city: None,
                website: None,
                control_chain: chain,
                ultimate_control_country: Some(country(controlled_from)),
                unverified: vec![],
                notes: None,
                references: vec![],
                confidence: Confidence::High,
            },
        )
    }

    fn offer(
        id: i64,
        supplier_id: i64,
        name: &str,
        category: Category,
        class: Option<SuiteClass>,
    ) -> Record<OfferData> {
        record(
            id,
            &format!("offer-{id}"),
            OfferData {
                supplier_id,
                name: name.into(),
                category,
                description_fr: None,
                description_en: None,
                deployment_models: vec![DeploymentModel::Saas],
                licences: vec![],
                hosting_locations: vec![],
                suite_class: class,
                suite_tier: None,
                suite_role: None,
                url: None,
                source_repo: None,
                alternative_to: vec![],
                unverified: vec![],
                notes: None,
                references: vec![],
                confidence: Confidence::High,
            },
        )
    }

    fn attestation(
        id: i64,
        supplier_id: i64,
        offer_id: Option<i64>,
        scheme: Scheme,
        status: Status,
        until: Option<&str>,
    ) -> Record<AttestationData> {
        record(
            id,
            &format!("attestation-{id}"),
            AttestationData {
                supplier_id,
                offer_id,
                scheme,
                status,
                milestone: None,
                level: None,
                service_models: vec![],
                scope: None,
                valid_from: Some(date("2024-01-01")),
                valid_until: until.map(date),
                decision: None,
                recommendation: None,
                provenance: Provenance {
                    source: "anssi-catalogue".into(),
                    source_reference: None,
                    first_seen: date("2026-03-04"),
                    last_seen: date("2026-03-04"),
                    verification: Verification::Verified,
                },
                absent_since: None,
                unverified: vec![],
                notes: None,
                references: vec![],
                confidence: Confidence::High,
            },
        )
    }

    /// Offers, suppliers and attestations kept together so candidates can borrow them.
    struct Catalogue {
        suppliers: Vec<Record<SupplierData>>,
        offers: Vec<Record<OfferData>>,
        attestations: Vec<Vec<Record<AttestationData>>>,
    }

    impl Catalogue {
        fn new() -> Self {
            Self {
                suppliers: vec![],
                offers: vec![],
                attestations: vec![],
            }
        }

        /// Adds an offer with its own supplier (id = offer id + 1000) and attestations.
        fn add(
            &mut self,
            mut offer: Record<OfferData>,
            controlled_from: &str,
            held: &[(Scheme, Status, Option<&str>)],
        ) -> &mut Self {
            let supplier_id = offer.id + 1000;
            offer.data.supplier_id = supplier_id;
            self.suppliers.push(supplier(supplier_id, controlled_from));
            self.attestations.push(
                held.iter()
                    .enumerate()
                    .map(|(i, (scheme, status, until))| {
                        attestation(
                            offer.id * 10 + i as i64,
                            supplier_id,
                            Some(offer.id),
                            *scheme,
                            *status,
                            *until,
                        )
                    })
                    .collect(),
            );
            self.offers.push(offer);
            self
        }

        fn candidates(&self) -> Vec<Candidate<'_>> {
            self.offers
                .iter()
                .zip(&self.suppliers)
                .zip(&self.attestations)
                .map(|((offer, supplier), attestations)| Candidate {
                    offer,
                    supplier,
                    attestations,
                })
                .collect()
        }
    }

    fn names(verdicts: &[Verdict]) -> Vec<String> {
        verdicts
            .iter()
            .map(|v| v.candidate.offer.data.name.clone())
            .collect()
    }

    fn codes(verdict: &Verdict) -> Vec<&'static str> {
        verdict.reasons.iter().map(|r| r.code).collect()
    }

    const SNC: Scheme = Scheme::SecNumCloud;
    const QUALIFIED: Status = Status::Qualified;

    fn video_market() -> Catalogue {
        let visio = Some(SuiteClass::Visio);
        let video = Category::VideoConferencing;
        let mut state = offer(1, 0, "Visio", video, visio);
        state.data.suite_tier = Some(SuiteTier::Socle);
        state.data.deployment_models = vec![DeploymentModel::SaasState];
        let mut self_hosted = offer(4, 0, "Jitsi", video, visio);
        self_hosted.data.deployment_models = vec![DeploymentModel::SelfHosted];
        let mut catalogue = Catalogue::new();
        catalogue
            .add(offer(3, 0, "Zoom", video, visio), "US", &[])
            .add(
                offer(2, 0, "Oodrive Meet", video, visio),
                "FR",
                &[(SNC, QUALIFIED, Some("2028-01-25"))],
            )
            .add(state, "FR", &[])
            .add(self_hosted, "FR", &[])
            .add(
                offer(5, 0, "Expired Meet", video, visio),
                "FR",
                &[(SNC, QUALIFIED, Some("2026-01-01"))],
            )
            .add(
                offer(6, 0, "Soon Meet", video, visio),
                "FR",
                &[(SNC, Status::InProgress, None)],
            )
            .add(
                offer(7, 0, "Cloud", Category::Iaas, Some(SuiteClass::Hosting)),
                "FR",
                &[(SNC, QUALIFIED, Some("2028-01-25"))],
            );
        catalogue
    }

    #[test]
    fn for_sensitive_data_the_state_tool_comes_first_then_secnumcloud_then_the_others_with_why() {
        let catalogue = video_market();
        let answer = answer(
            Need::SuiteClass(SuiteClass::Visio),
            Sensitivity::Sensitive,
            &catalogue.candidates(),
            today(),
        );
        assert_eq!(names(&answer.state_tools), ["Visio"]);
        assert_eq!(answer.state_tools[0].standing, Standing::StateTool);
        assert_eq!(
            codes(&answer.state_tools[0]),
            ["state_tool", "requirement_unrecorded"],
            "the State tool says no SecNumCloud is recorded for it"
        );
        assert_eq!(names(&answer.meeting), ["Oodrive Meet"]);
        assert_eq!(codes(&answer.meeting[0]), ["valid_secnumcloud"]);
        assert!(answer.meeting[0].reasons[0].text_fr.contains("25/01/2028"));
        // Others: by exposure (run by the buyer, none known, then the US-controlled one), then name.
        assert_eq!(
            names(&answer.others),
            ["Expired Meet", "Soon Meet", "Jitsi", "Zoom"]
        );
        let why = |name: &str| {
            let verdict = answer
                .others
                .iter()
                .find(|v| v.candidate.offer.data.name == name)
                .unwrap();
            assert_eq!(verdict.standing, Standing::Excluded);
            verdict.reasons[0].clone()
        };
        assert_eq!(why("Zoom").code, "no_secnumcloud");
        assert_eq!(why("Jitsi").code, "run_by_buyer");
        assert_eq!(why("Soon Meet").code, "secnumcloud_in_progress");
        let expired = why("Expired Meet");
        assert_eq!(expired.code, "secnumcloud_not_valid");
        assert!(
            expired.text_en.contains("expired on 01/01/2026"),
            "{}",
            expired.text_en
        );
        // The IaaS offer does not answer a video need, whatever it holds.
        assert!(
            answer
                .meeting
                .iter()
                .chain(&answer.others)
                .all(|v| v.candidate.offer.id != 7)
        );
    }

    #[test]
    fn a_need_by_category_matches_the_category_not_the_class() {
        let catalogue = video_market();
        let by_category = answer(
            Need::Category(Category::Iaas),
            Sensitivity::Sensitive,
            &catalogue.candidates(),
            today(),
        );
        assert!(by_category.state_tools.is_empty(), "no State tool for IaaS");
        assert_eq!(names(&by_category.meeting), ["Cloud"]);
        assert!(by_category.others.is_empty());
    }

    #[test]
    fn for_standard_data_every_market_offer_meets_ranked_by_exposure() {
        let catalogue = video_market();
        let answer = answer(
            Need::Category(Category::VideoConferencing),
            Sensitivity::Standard,
            &catalogue.candidates(),
            today(),
        );
        assert_eq!(names(&answer.state_tools), ["Visio"]);
        assert_eq!(codes(&answer.state_tools[0]), ["state_tool"]);
        assert!(answer.others.is_empty());
        let meeting = names(&answer.meeting);
        assert_eq!(meeting.len(), 5);
        assert_eq!(meeting.last().unwrap(), "Zoom", "high exposure comes last");
        assert_eq!(answer.meeting[4].assessment.level, ExposureLevel::High);
        assert!(
            answer
                .meeting
                .iter()
                .all(|v| v.standing == Standing::Meets && codes(v) == ["no_requirement"])
        );
    }

    #[test]
    fn for_health_data_hds_is_required_and_secnumcloud_too_comes_first() {
        let hds = Scheme::Hds;
        let iaas = Category::Iaas;
        let hosting = Some(SuiteClass::Hosting);
        let mut catalogue = Catalogue::new();
        catalogue
            .add(
                offer(1, 0, "A HDS only", iaas, hosting),
                "FR",
                &[(hds, QUALIFIED, None)],
            )
            .add(
                offer(2, 0, "B HDS and SecNumCloud", iaas, hosting),
                "FR",
                &[(hds, QUALIFIED, None), (SNC, QUALIFIED, Some("2027-12-04"))],
            )
            .add(
                offer(3, 0, "C SecNumCloud only", iaas, hosting),
                "FR",
                &[(SNC, QUALIFIED, Some("2027-12-04"))],
            )
            .add(
                offer(4, 0, "D HDS expired", iaas, hosting),
                "FR",
                &[(hds, QUALIFIED, Some("2025-06-30"))],
            )
            .add(
                offer(5, 0, "E US host with HDS", iaas, hosting),
                "US",
                &[(hds, QUALIFIED, None)],
            );
        let answer = answer(
            Need::SuiteClass(SuiteClass::Hosting),
            Sensitivity::Health,
            &catalogue.candidates(),
            today(),
        );
        assert!(answer.state_tools.is_empty());
        assert_eq!(
            names(&answer.meeting),
            ["B HDS and SecNumCloud", "A HDS only", "E US host with HDS"]
        );
        assert_eq!(codes(&answer.meeting[0]), ["valid_hds", "also_secnumcloud"]);
        assert_eq!(answer.meeting[2].assessment.level, ExposureLevel::High);
        assert_eq!(
            names(&answer.others),
            ["C SecNumCloud only", "D HDS expired"]
        );
        assert_eq!(
            codes(&answer.others[0]),
            ["no_hds", "secnumcloud_without_hds"]
        );
        assert_eq!(codes(&answer.others[1]), ["hds_not_valid"]);
    }

    #[test]
    fn a_supplier_wide_qualification_counts_and_another_offers_does_not() {
        let mut catalogue = Catalogue::new();
        let iaas = Category::Iaas;
        catalogue.add(offer(1, 0, "Covered", iaas, None), "FR", &[]);
        catalogue.add(offer(2, 0, "Sibling", iaas, None), "FR", &[]);
        // Supplier-wide SecNumCloud for the first; the second's supplier holds one for another offer.
        catalogue.attestations[0].push(attestation(
            90,
            1001,
            None,
            SNC,
            QUALIFIED,
            Some("2028-01-01"),
        ));
        catalogue.attestations[1].push(attestation(
            91,
            1002,
            Some(99),
            SNC,
            QUALIFIED,
            Some("2028-01-01"),
        ));
        let answer = answer(
            Need::Category(iaas),
            Sensitivity::Sensitive,
            &catalogue.candidates(),
            today(),
        );
        assert_eq!(names(&answer.meeting), ["Covered"]);
        assert_eq!(names(&answer.others), ["Sibling"]);
    }

    #[test]
    fn needs_and_sensitivities_have_stable_codes() {
        for need in [
            Need::SuiteClass(SuiteClass::Coediting),
            Need::Category(Category::Coediting),
        ] {
            assert_eq!(Need::parse(&need.code()), Some(need));
        }
        assert_eq!(
            Need::SuiteClass(SuiteClass::Visio).code(),
            "suite_class:visio"
        );
        assert_eq!(Need::parse("category:teams"), None);
        assert_eq!(Need::parse("visio"), None);
        for sensitivity in Sensitivity::ALL {
            assert_eq!(Sensitivity::parse(sensitivity.code()), Some(sensitivity));
        }
        assert_eq!(Sensitivity::parse("secret"), None);
        assert_eq!(Sensitivity::parse(""), None);
        assert_eq!(
            Sensitivity::parse_or_standard(" "),
            Some(Sensitivity::Standard)
        );
        assert_eq!(
            Sensitivity::parse_or_standard("health"),
            Some(Sensitivity::Health)
        );
        assert_eq!(Sensitivity::parse_or_standard("secret"), None);
        assert_eq!(Sensitivity::Sensitive.requirements(), vec!["secnumcloud"]);
        assert!(Sensitivity::Standard.requirements().is_empty());
    }
}
