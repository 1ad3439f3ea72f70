//! The query set: 1,000 searches shaped like real use, seeded, and the search-box prefixes for
//! `/api/v1/suggest`.
//!
//! Ported from the shared kit's `gen_queries.py` (its word lists, its typo model — one deletion,
//! transposition or substitution in a word of 6 letters or more — and its mix of single, two- and
//! three-word, unaccented, name, city and typo queries, ~35% with one or two facet filters), with
//! what Registre is also asked: SIRENs, "alternative à X", a few English queries, and filters on
//! Registre's own facets (country, category, an attestation scheme valid today, open source, kind).
//! Names, cities and SIRENs come from the first 10,000 records, which every corpus size shares, so
//! the same queries apply to 10k, 100k and 1M.

use serde::{Deserialize, Serialize};

use crate::corpus::{Generator, siren_for};
use crate::rng::Rng;
use crate::words::CATEGORIES;

const SINGLE: &[&str] = &[
    "visioconférence",
    "hébergement",
    "souverain",
    "chiffrement",
    "messagerie",
    "sauvegarde",
    "tableur",
    "kanban",
    "webinaires",
    "courriel",
    "webmail",
    "Kubernetes",
    "SecNumCloud",
    "HDS",
    "RGPD",
    "SSO",
    "Nextcloud",
    "OnlyOffice",
    "Jitsi",
    "Matrix",
    "PostgreSQL",
    "wiki",
    "ticketing",
    "signature",
    "eIDAS",
    "horodatage",
    "parapheur",
    "sondages",
    "formulaires",
    "agenda",
    "CDN",
    "WordPress",
    "pare-feu",
    "SIEM",
    "EDR",
    "archivage",
    "synchronisation",
    "co-édition",
    "Gantt",
    "CRM",
    "prospects",
    "santé",
    "collectivités",
    "universités",
    "hôpitaux",
    "notaires",
    "télétravail",
    "réversibilité",
    "interopérable",
    "écoresponsable",
    "datacenter",
    "serveurs",
    "stockage",
    "authentification",
    "identité",
    "FranceConnect",
    "LDAP",
    "SAML",
    "OpenID",
    "Keycloak",
    "anti-spam",
    "antivirus",
    "IMAP",
    "téléversement",
    "transfert",
    "présentations",
    "réunions",
    "enregistrement",
    "sous-titrage",
    "GPU",
    "bare metal",
    "DDoS",
    "TLS",
    "serverless",
    "conteneurs",
    "Redis",
    "MySQL",
    "API",
    "Grafana",
    "Matomo",
    "chatbot",
    "ITSM",
    "BigBlueButton",
    "Collabora",
    "Tchap",
    "Zimbra",
    "BlueMind",
    "Proxmox",
    "OpenStack",
    "Veeam",
    "Ceph",
    "MinIO",
    "Passbolt",
    "Wazuh",
    "GLPI",
    "Moodle",
    "Pronote",
    "Odoo",
    "Dolibarr",
    "Sage",
    "open source",
    "libre",
    "AGPL",
    "ISO 27001",
    "ministères",
    "associations",
    "banques",
    "mutuelles",
    "PME",
    "startups",
    "industriels",
    "phishing",
    "vulnérabilités",
    "intrusion",
    "audit",
    "restauration",
    "réplication",
    "versionnage",
    "corbeille",
    "segmentation",
    "devis",
    "factures",
    "emailing",
    "feuilles",
    "formules",
    "graphiques",
    "CSV",
    "jalons",
    "sprints",
    "planification",
    "roadmap",
    "cloud",
    "IaaS",
    "PaaS",
    "SaaS",
];
const TWO: &[&str] = &[
    "messagerie sécurisée",
    "stockage objet",
    "cloud souverain",
    "hébergement santé",
    "visioconférence sécurisée",
    "suite bureautique",
    "gestion projet",
    "transfert fichiers",
    "partage documents",
    "signature électronique",
    "authentification multifacteur",
    "fédération identité",
    "sauvegarde externalisée",
    "plan reprise",
    "machines virtuelles",
    "serveurs dédiés",
    "réseau privé",
    "haute disponibilité",
    "Kubernetes managé",
    "PostgreSQL managé",
    "traitement texte",
    "feuilles calcul",
    "tableaux croisés",
    "diagramme Gantt",
    "suivi temps",
    "classes virtuelles",
    "partage écran",
    "réunions ligne",
    "boîtes lettres",
    "nom domaine",
    "filtrage anti-spam",
    "archivage courriels",
    "tests intrusion",
    "détection intrusion",
    "gestion vulnérabilités",
    "réponse incident",
    "relation client",
    "pipeline commercial",
    "base connaissances",
    "réseau social",
    "mesure audience",
    "tableaux bord",
    "prise rendez-vous",
    "formulaires ligne",
    "hébergement mutualisé",
    "certificats TLS",
    "protection DDoS",
    "données santé",
    "collectivités territoriales",
    "établissements santé",
    "lois extraterritoriales",
    "centres données",
    "chiffrement bout",
    "logiciel libre",
    "open source",
    "alternative Teams",
    "alternative Zoom",
    "alternative Slack",
    "migration Microsoft",
    "Nextcloud hébergé",
    "OnlyOffice co-édition",
    "Jitsi hébergé",
    "Matrix messagerie",
    "Keycloak SSO",
    "conforme RGPD",
    "support français",
    "assistance 24h/24",
    "tarification transparente",
    "période essai",
    "coffre-fort numérique",
    "cachet serveur",
    "workflow validation",
    "registre images",
    "déploiement continu",
    "fonctions serverless",
    "instances GPU",
    "stockage bloc",
    "équilibreurs charge",
    "cloud privé",
    "gestion accès",
    "annuaire LDAP",
    "clés FIDO2",
    "dépôt fichiers",
    "lien sécurisé",
    "accusé réception",
];
const THREE: &[&str] = &[
    "hébergement données santé",
    "cloud souverain SecNumCloud",
    "messagerie chiffrée bout",
    "visioconférence classes virtuelles",
    "suite bureautique collaborative",
    "gestion projet kanban",
    "sauvegarde plan reprise",
    "signature électronique eIDAS",
    "stockage objet S3",
    "authentification unique SSO",
    "transfert fichiers volumineux",
    "partage documents Nextcloud",
    "serveurs dédiés bare metal",
    "Kubernetes managé France",
    "alternative Microsoft 365",
    "webmail anti-spam antivirus",
    "tableur formules graphiques",
    "détection intrusion SIEM",
    "mesure audience RGPD",
    "prise rendez-vous en ligne",
];
const TYPO_SOURCES: &[&str] = &[
    "visioconférence",
    "hébergement",
    "messagerie",
    "sauvegarde",
    "chiffrement",
    "authentification",
    "synchronisation",
    "collectivités",
    "souverain",
    "webinaires",
    "formulaires",
    "archivage",
    "planification",
    "restauration",
    "stockage",
    "serveurs",
    "signature",
    "horodatage",
    "télétravail",
    "transfert",
    "Kubernetes",
    "Nextcloud",
    "OnlyOffice",
    "Keycloak",
    "PostgreSQL",
    "présentations",
];
const ALTERNATIVES: &[&str] = &[
    "alternative à Teams",
    "alternative à Zoom",
    "alternative à Slack",
    "alternative à WeTransfer",
    "alternative à Google Docs",
    "alternative à Microsoft 365",
    "alternative à Dropbox",
    "alternative to AWS",
    "remplacer Gmail",
    "alternative à Trello",
    "alternative européenne à Zoom",
    "alternative open source à Slack",
    "alternative à Google Drive",
    "alternative to Notion",
    "remplacement Outlook",
    "alternative française à Azure",
];
const ENGLISH: &[&str] = &[
    "video conferencing",
    "secure messaging",
    "file transfer",
    "managed Kubernetes",
    "single sign-on",
    "object storage",
    "electronic signature",
    "knowledge base",
    "health data",
    "sovereign cloud",
    "email archiving",
    "project management",
];
const COUNTRIES: &[&str] = &[
    "FR", "FR", "FR", "FR", "FR", "FR", "FR", "FR", "FR", "FR", "FR", "FR", "FR", "FR", "DE", "DE",
    "NL", "BE", "BE", "ES", "IT", "PL", "SE", "CH", "LU",
];
const SUGGEST_TOPICS: &[&str] = &[
    "vi", "visio", "héb", "heberg", "clou", "cloud", "mess", "sauv", "stock", "nua", "data",
    "cyber", "ser", "web", "sécu", "secu", "numé", "tél", "groupe", "cabinet",
];

/// Filters of a query, on Registre's facets; every harness applies them as exact matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryFilters {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// A Registre category code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// An attestation scheme with an attestation valid today.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_source: Option<bool>,
    /// `supplier` or `offer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenchQuery {
    pub qid: usize,
    pub q: String,
    pub kind: String,
    pub filters: QueryFilters,
}

fn strip_accents(text: &str) -> String {
    registre_indexer::search::normalize(text)
}

fn typo(rng: &mut Rng, word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let i = 1 + rng.below(chars.len() - 2);
    let k = rng.unit();
    let mut out = chars.clone();
    if k < 0.4 {
        out.remove(i);
    } else if k < 0.7 {
        out.swap(i, i + 1);
    } else {
        out[i] = *rng.pick(&['a', 'e', 'i', 'o', 'u', 'r', 's', 't', 'n', 'l']);
    }
    out.into_iter().collect()
}

/// Names, cities and SIRENs of the 10,000-record prefix.
struct Borrowed {
    names: Vec<String>,
    cities: Vec<String>,
    sirens: Vec<String>,
}

fn borrowed(seed: u64) -> Borrowed {
    let generator = Generator::new(seed);
    let mut names = Vec::new();
    let mut cities = std::collections::BTreeSet::new();
    let mut sirens = Vec::new();
    let mut index = 0u64;
    let _ = generator.for_each_group(10_000, |group| {
        names.push(group.supplier.trade_names[0].clone());
        names.extend(group.offers.iter().map(|o| o.name.clone()));
        cities.extend(group.supplier.hq_city.clone());
        if group.supplier.siren.is_some() {
            sirens.push(siren_for(index));
        }
        index += 1;
        Ok(())
    });
    Borrowed {
        names,
        cities: cities.into_iter().collect(),
        sirens,
    }
}

/// `count` queries from `seed` (the corpus seed gives the borrowed names).
pub fn generate(corpus_seed: u64, seed: u64, count: usize) -> Vec<BenchQuery> {
    let borrowed = borrowed(corpus_seed);
    let rng = &mut Rng::new(seed);
    // Shares per 100: single 30, two 22, unaccented 10, name 8, city 5, typo 7, three 7, SIREN 3,
    // alternative 5, English 3.
    let kinds = [
        ("single", 30),
        ("two", 22),
        ("unacc", 10),
        ("name", 8),
        ("city", 5),
        ("typo", 7),
        ("three", 7),
        ("siren", 3),
        ("alternative", 5),
        ("english", 3),
    ];
    let weights: Vec<u32> = kinds.iter().map(|k| k.1).collect();
    let category_weights: Vec<u32> = CATEGORIES.iter().map(|c| c.weight).collect();
    let mut queries = Vec::with_capacity(count);
    for qid in 0..count {
        let kind = kinds[rng.weighted(&weights)].0;
        let q = match kind {
            "single" => (*rng.pick(SINGLE)).to_owned(),
            "two" => (*rng.pick(TWO)).to_owned(),
            "three" => (*rng.pick(THREE)).to_owned(),
            "unacc" => {
                let source = if rng.below(SINGLE.len() + TWO.len()) < SINGLE.len() {
                    rng.pick(SINGLE)
                } else {
                    rng.pick(TWO)
                };
                strip_accents(source).to_lowercase()
            }
            "name" => {
                let name = rng.pick(&borrowed.names);
                let parts: Vec<&str> = name.split_whitespace().filter(|p| *p != "&").collect();
                let take = *rng.pick(&[1, 1, 2]);
                parts[..take.min(parts.len())].join(" ")
            }
            "city" => {
                let city = rng.pick(&borrowed.cities).clone();
                if rng.chance(0.5) {
                    format!("{} {}", city.to_lowercase(), rng.pick(SINGLE))
                } else {
                    city
                }
            }
            "siren" => {
                let siren = rng.pick(&borrowed.sirens).clone();
                if rng.chance(0.5) {
                    format!("{} {} {}", &siren[..3], &siren[3..6], &siren[6..])
                } else {
                    siren
                }
            }
            "alternative" => (*rng.pick(ALTERNATIVES)).to_owned(),
            "english" => (*rng.pick(ENGLISH)).to_owned(),
            _ => {
                let source = *rng.pick(TYPO_SOURCES);
                let word = typo(rng, source);
                if rng.chance(0.3) {
                    format!(
                        "{} {word}",
                        rng.pick(&["cloud", "offre", "service", "solution"])
                    )
                } else {
                    word
                }
            }
        };
        let mut filters = QueryFilters::default();
        if rng.chance(0.35) {
            for _ in 0..*rng.pick(&[1, 1, 2]) {
                match rng.weighted(&[35, 30, 18, 10, 7]) {
                    0 => filters.country = Some((*rng.pick(COUNTRIES)).to_owned()),
                    1 => {
                        filters.category =
                            Some(CATEGORIES[rng.weighted(&category_weights)].code.to_owned())
                    }
                    2 => {
                        filters.scheme = Some(
                            (*rng.pick(&["secnumcloud", "hds", "iso27001", "iso27001"])).to_owned(),
                        )
                    }
                    3 => filters.open_source = Some(true),
                    _ => filters.kind = Some("offer".to_owned()),
                }
            }
        }
        queries.push(BenchQuery {
            qid,
            q,
            kind: kind.to_owned(),
            filters,
        });
    }
    queries
}

/// What a person has typed in the search box: 2 to 8 letters of a name's first word, or of a topic.
pub fn suggestions(corpus_seed: u64, seed: u64, count: usize) -> Vec<String> {
    let borrowed = borrowed(corpus_seed);
    let rng = &mut Rng::new(seed ^ 0xA5A5);
    (0..count)
        .map(|_| {
            if rng.chance(0.2) {
                return (*rng.pick(SUGGEST_TOPICS)).to_owned();
            }
            let name = rng.pick(&borrowed.names);
            let first: Vec<char> = name
                .split_whitespace()
                .next()
                .unwrap_or("ab")
                .chars()
                .collect();
            let take = (2 + rng.below(7)).min(first.len()).max(2.min(first.len()));
            let typed: String = first[..take].iter().collect();
            if rng.chance(0.5) {
                typed.to_lowercase()
            } else {
                typed
            }
        })
        .collect()
}
