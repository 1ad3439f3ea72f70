//! The pages' own words (not the data's), in French and English: `t('key')` in templates. A missing
//! key fails the render, and a test checks that every key the templates use is here.

/// `(key, French, English)`.
const MESSAGES: &[(&str, &str, &str)] = &[
    (
        "site.description",
        "Registre public des fournisseurs numériques français et européens : offres, qualifications (SecNumCloud, HDS…), contrôle et exposition aux lois extra-européennes.",
        "Public registry of French and European digital suppliers: offers, qualifications (SecNumCloud, HDS…), control and exposure to extra-EU law.",
    ),
    ("skip.label", "Accès rapide", "Quick access"),
    ("skip.content", "Contenu", "Content"),
    ("skip.search", "Recherche", "Search"),
    ("skip.footer", "Pied de page", "Footer"),
    ("header.home_title", "Accueil — Registre", "Home — Registre"),
    (
        "header.tagline",
        "Fournisseurs numériques français et européens, leurs qualifications et leur exposition",
        "French and European digital suppliers, their qualifications and their exposure",
    ),
    ("lang.switch", "English", "Français"),
    (
        "footer.description",
        "Registre recense les fournisseurs numériques français et européens, leurs offres, les qualifications de chaque offre avec leur provenance, la chaîne de contrôle de chaque entreprise et l'exposition de chaque offre aux lois extra-européennes.",
        "Registre lists French and European digital suppliers, their offers, each offer's qualifications with their provenance, who controls each company and each offer's exposure to extra-EU law.",
    ),
    (
        "footer.accessibility",
        "Accessibilité : non conforme",
        "Accessibility: not compliant",
    ),
    ("footer.legal", "Mentions légales", "Legal notice"),
    ("footer.api", "API ouverte", "Open API"),
    (
        "footer.licence",
        "Données sous Licence Ouverte 2.0 ; code sous EUPL-1.2.",
        "Data under the Licence Ouverte 2.0; code under the EUPL-1.2.",
    ),
    ("search.title", "Recherche", "Search"),
    (
        "search.label",
        "Rechercher un fournisseur, une offre, une qualification",
        "Search for a supplier, an offer, a qualification",
    ),
    (
        "search.placeholder",
        "ex. hébergement HDS, alternative à Teams, 424761419",
        "e.g. HDS hosting, alternative to Teams, 424761419",
    ),
    ("search.button", "Rechercher", "Search"),
    ("search.filters", "Filtres", "Filters"),
    ("search.apply", "Appliquer les filtres", "Apply the filters"),
    (
        "search.clear",
        "Retirer tous les filtres",
        "Remove every filter",
    ),
    ("search.sort", "Trier par", "Sort by"),
    ("search.sort_apply", "Trier", "Sort"),
    (
        "search.did_you_mean",
        "Vouliez-vous dire :",
        "Did you mean:",
    ),
    ("breadcrumb.label", "vous êtes ici :", "you are here:"),
    ("breadcrumb.home", "Accueil", "Home"),
    ("breadcrumb.suppliers", "Fournisseurs", "Suppliers"),
    ("pagination.label", "Pagination", "Pages"),
    ("pagination.first", "Première page", "First page"),
    ("pagination.page", "Page", "Page"),
    ("pagination.next", "Page suivante", "Next page"),
    ("hit.by", "par", "by"),
    (
        "home.title",
        "Qui peut fournir ce service numérique, et avec quelles garanties ?",
        "Who can provide this digital service, and with what guarantees?",
    ),
    (
        "home.lead",
        "Les fournisseurs français et européens, leurs offres, leurs qualifications en vigueur (SecNumCloud, HDS…), qui les contrôle et si l'État a déjà un outil pour ce besoin.",
        "French and European suppliers, their offers, their qualifications in force (SecNumCloud, HDS…), who controls them and whether the State already has a tool for the need.",
    ),
    ("home.needs", "Partir d'un besoin", "Start from a need"),
    (
        "home.alternatives",
        "Une alternative à…",
        "An alternative to…",
    ),
    (
        "home.doctrine_title",
        "Sobriété et souveraineté",
        "Sobriety and sovereignty",
    ),
    (
        "home.doctrine",
        "La doctrine de l'État de février 2026 demande d'utiliser d'abord les outils que l'État possède déjà (La Suite numérique) et, pour les données sensibles, seulement des services hors de portée des lois extra-européennes, SecNumCloud étant la référence.",
        "The State's February 2026 doctrine asks buyers to use the tools the State already has first (La Suite numérique) and, for sensitive data, only services out of reach of extra-EU law, SecNumCloud being the standard.",
    ),
    ("supplier.identity", "Identité", "Identity"),
    ("supplier.legal_name", "Raison sociale", "Legal name"),
    ("supplier.trade_names", "Noms commerciaux", "Trade names"),
    ("supplier.aliases", "Autres noms", "Other names"),
    ("supplier.kind", "Nature", "Kind"),
    ("supplier.country", "Siège", "Head office"),
    ("supplier.city", "Ville du siège", "Head-office city"),
    ("supplier.website", "Site", "Website"),
    (
        "supplier.confidence",
        "Confiance dans la fiche",
        "Confidence in the record",
    ),
    ("supplier.notes", "Note :", "Note:"),
    ("supplier.identifiers", "Identifiants", "Identifiers"),
    (
        "supplier.no_identifiers",
        "Aucun identifiant enregistré.",
        "No identifier recorded.",
    ),
    ("supplier.control", "Chaîne de contrôle", "Control chain"),
    (
        "supplier.no_control_chain",
        "Aucune société au-dessus de ce fournisseur n'est enregistrée.",
        "No company above this supplier is recorded.",
    ),
    (
        "supplier.ultimate_control",
        "Pays de contrôle ultime :",
        "Country of ultimate control:",
    ),
    ("supplier.offers", "Offres", "Offers"),
    (
        "supplier.no_offers",
        "Aucune offre enregistrée.",
        "No offer recorded.",
    ),
    (
        "offer.identity",
        "Description de l'offre",
        "About the offer",
    ),
    ("offer.category", "Catégorie", "Category"),
    (
        "offer.deployment",
        "Modes de déploiement",
        "Deployment models",
    ),
    ("offer.hosting", "Lieux d'hébergement", "Hosting locations"),
    ("offer.licences", "Licences", "Licences"),
    (
        "offer.proprietary",
        "Logiciel propriétaire (aucune licence libre enregistrée)",
        "Proprietary (no open-source licence recorded)",
    ),
    ("offer.suite", "La Suite numérique", "La Suite numérique"),
    ("offer.url", "Adresse", "Address"),
    ("offer.source_repo", "Code source", "Source code"),
    ("offer.alternatives", "Alternatives", "Alternatives"),
    (
        "offer.replaced_by",
        "Offres enregistrées comme pouvant remplacer celle-ci :",
        "Offers recorded as able to replace this one:",
    ),
    (
        "offer.replaces",
        "Cette offre peut remplacer :",
        "This offer can replace:",
    ),
    (
        "offer.search_alternatives",
        "Chercher d'autres offres du même type",
        "Look for other offers of the same kind",
    ),
    (
        "exposure.title",
        "Exposition aux lois extra-européennes",
        "Exposure to extra-EU law",
    ),
    (
        "exposure.supplier_intro",
        "Calculée à partir du siège et de la chaîne de contrôle enregistrés ; chaque offre a sa propre évaluation, qui tient aussi compte de l'hébergement et des qualifications.",
        "Computed from the recorded head office and control chain; each offer has its own assessment, which also weighs hosting and qualifications.",
    ),
    (
        "exposure.offer_intro",
        "Calculée à partir des faits enregistrés (siège, contrôle, hébergement, déploiement, qualification SecNumCloud en vigueur), jamais saisie à la main.",
        "Computed from the recorded facts (head office, control, hosting, deployment, SecNumCloud qualification in force), never typed in.",
    ),
    (
        "exposure.recorded_in",
        "Fait enregistré dans",
        "Fact recorded in",
    ),
    ("exposure.references", "références :", "references:"),
    (
        "exposure.no_reason",
        "Aucun fait enregistré ne permet de conclure.",
        "No recorded fact allows a conclusion.",
    ),
    (
        "attestation.title",
        "Qualifications et certifications",
        "Qualifications and certifications",
    ),
    (
        "attestation.none",
        "Aucune qualification ni certification enregistrée.",
        "No qualification or certification recorded.",
    ),
    ("attestation.scheme", "Référentiel", "Scheme"),
    ("attestation.status", "Statut aujourd'hui", "Status today"),
    ("attestation.validity", "Validité", "Validity"),
    ("attestation.decision", "Décision", "Decision"),
    ("attestation.source", "Source", "Source"),
    ("attestation.from", "du", "from"),
    ("attestation.until", "au", "to"),
    ("attestation.milestone", "étape", "stage"),
    (
        "attestation.recommendation",
        "recommandation",
        "recommendation",
    ),
    (
        "attestation.last_seen",
        "vu pour la dernière fois le",
        "last seen on",
    ),
    (
        "attestation.absent_since",
        "absente de la source depuis le",
        "missing from the source since",
    ),
    (
        "timeline.title",
        "Historique des changements",
        "History of changes",
    ),
    (
        "timeline.empty",
        "Aucun changement relevé par les sources officielles pour l'instant.",
        "No change seen by the official sources so far.",
    ),
    (
        "record.updated",
        "Fiche mise à jour le",
        "Record updated on",
    ),
    (
        "record.json",
        "Cette fiche en JSON (API)",
        "This record as JSON (API)",
    ),
    ("common.undated", "date inconnue", "date unknown"),
    ("common.unverified", "non vérifié", "not verified"),
    ("error.code", "Erreur", "Error"),
    ("error.home", "Page d'accueil", "Home page"),
    ("error.search", "Rechercher", "Search"),
];

/// The text of `key` in French (`english == false`) or English.
pub fn message(key: &str, english: bool) -> Option<&'static str> {
    MESSAGES
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, fr, en)| if english { *en } else { *fr })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_used_by_a_template_has_both_texts() {
        for (name, source) in crate::render::TEMPLATES {
            for (at, _) in source.match_indices("t('") {
                if source[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                    continue; // `asset('...')`, not `t('...')`
                }
                let key = source[at + 3..].split('\'').next().unwrap();
                assert!(message(key, false).is_some(), "{name}: no message {key}");
            }
        }
    }

    #[test]
    fn keys_are_unique_and_texts_present() {
        let mut keys: Vec<_> = MESSAGES.iter().map(|m| m.0).collect();
        keys.sort_unstable();
        let count = keys.len();
        keys.dedup();
        assert_eq!(count, keys.len(), "a key is listed twice");
        assert!(MESSAGES.iter().all(|m| !m.1.is_empty() && !m.2.is_empty()));
    }
}
