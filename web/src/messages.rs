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
    (
        "search.download",
        "Télécharger tous ces résultats :",
        "Download all these results:",
    ),
    ("search.download_csv", "au format CSV", "as CSV"),
    ("search.download_json", "au format JSON", "as JSON"),
    ("footer.open_data", "Données ouvertes", "Open data"),
    (
        "open_data.files",
        "Fichiers de l'export",
        "Files of the export",
    ),
    (
        "open_data.generated",
        "Export généré le",
        "Export generated on",
    ),
    ("open_data.file", "Fichier", "File"),
    ("open_data.content", "Contenu", "Content"),
    ("open_data.records", "Fiches", "Records"),
    ("open_data.size", "Taille", "Size"),
    (
        "open_data.manifest",
        "Le manifeste de l'export (JSON)",
        "The export's manifest (JSON)",
    ),
    (
        "open_data.pending",
        "L'export est en cours de préparation : revenez dans quelques minutes.",
        "The export is being prepared: come back in a few minutes.",
    ),
    ("open_data.other_ways", "Autres accès", "Other ways in"),
    (
        "open_data.search_downloads",
        "Toute recherche se télécharge en CSV ou en JSON, avec ses filtres",
        "Any search can be downloaded as CSV or JSON, with its filters",
    ),
    // Compare, need helper, sources and freshness (issue 3).
    ("compare.title", "Comparer des offres", "Compare offers"),
    (
        "compare.lead",
        "Les offres côte à côte : qualifications en vigueur aujourd'hui avec leur provenance, exposition aux lois extra-européennes et ses raisons, déploiement, licence et pays.",
        "The offers side by side: qualifications in force today with their provenance, exposure to extra-EU law and its reasons, deployment, licence and country.",
    ),
    (
        "compare.caption",
        "Comparaison des offres choisies, critère par critère",
        "The chosen offers compared, criterion by criterion",
    ),
    ("compare.criterion", "Critère", "Criterion"),
    ("compare.supplier", "Fournisseur", "Supplier"),
    (
        "compare.suite",
        "La Suite numérique (type d'outil, place)",
        "La Suite numérique (kind of tool, place)",
    ),
    (
        "compare.state_uses",
        "Utilisé par l'État :",
        "Used by the State:",
    ),
    (
        "compare.state_does_not_use",
        "Non utilisé par l'État",
        "Not used by the State",
    ),
    (
        "compare.in_force_today",
        "en vigueur aujourd'hui",
        "in force today",
    ),
    (
        "compare.none_in_force",
        "Aucune en vigueur",
        "None in force",
    ),
    ("compare.open_source", "Logiciel libre", "Open source"),
    (
        "compare.undated",
        "Dates non enregistrées",
        "Dates not recorded",
    ),
    (
        "compare.need_link",
        "Partir plutôt de votre besoin et de la sensibilité de vos données",
        "Start from your need and how sensitive your data are instead",
    ),
    ("compare.pick", "Comparer", "Compare"),
    (
        "compare.form_hint",
        "Cochez « Comparer » sur 2 à 4 offres de cette page, puis :",
        "Tick “Compare” on 2 to 4 offers of this page, then:",
    ),
    (
        "compare.submit",
        "Comparer les offres cochées",
        "Compare the ticked offers",
    ),
    (
        "offer.compare_alternatives",
        "Comparer avec des alternatives",
        "Compare with alternatives",
    ),
    ("pagination.previous", "Page précédente", "Previous page"),
    (
        "need.lead",
        "Indiquez votre besoin et la sensibilité de vos données : Registre montre d'abord l'outil de l'État s'il en existe un, puis les offres du marché qui répondent à l'exigence de souveraineté, puis les autres, en disant pourquoi elles ne conviennent pas.",
        "State your need and how sensitive your data are: Registre shows the State's own tool first if there is one, then the market offers meeting the sovereignty requirement, then the others, saying why they do not fit.",
    ),
    (
        "need.errors",
        "Le formulaire contient une erreur",
        "The form has an error",
    ),
    ("need.need_label", "Votre besoin", "Your need"),
    (
        "need.need_hint",
        "Un type d'outil de La Suite numérique, ou une catégorie d'offres",
        "A kind of tool of La Suite numérique, or a category of offers",
    ),
    ("need.choose", "Choisir un besoin", "Choose a need"),
    (
        "need.classes",
        "Types d'outils (La Suite numérique)",
        "Kinds of tools (La Suite numérique)",
    ),
    (
        "need.categories",
        "Catégories d'offres",
        "Categories of offers",
    ),
    (
        "need.sensitivity_legend",
        "Sensibilité des données",
        "How sensitive the data are",
    ),
    ("need.submit", "Voir les offres", "Show the offers"),
    ("need.answer", "Réponse", "Answer"),
    (
        "need.compare_first",
        "Comparer les premières offres de la liste",
        "Compare the first offers of the list",
    ),
    (
        "need.state_tools",
        "1. L'outil de l'État",
        "1. The State's own tool",
    ),
    (
        "need.no_state_tool",
        "L'État n'a pas d'outil enregistré pour ce besoin dans La Suite numérique.",
        "The State has no tool recorded for this need in La Suite numérique.",
    ),
    (
        "need.meeting",
        "2. Les offres qui répondent à l'exigence",
        "2. Offers meeting the requirement",
    ),
    ("need.requirement", "Exigence :", "Requirement:"),
    (
        "need.none_meeting",
        "Aucune offre enregistrée ne répond à cette exigence aujourd'hui.",
        "No recorded offer meets this requirement today.",
    ),
    (
        "need.others",
        "3. Les autres offres, et pourquoi elles ne conviennent pas",
        "3. The other offers, and why they do not fit",
    ),
    (
        "need.no_others",
        "Aucune autre offre n'est écartée.",
        "No other offer is left out.",
    ),
    (
        "need.rule",
        "La règle appliquée : l'outil de l'État vient en premier (sobriété) ; pour des données sensibles, une qualification SecNumCloud en vigueur aujourd'hui est exigée ; pour des données de santé, une certification HDS en vigueur, les offres aussi qualifiées SecNumCloud passant en tête ; un logiciel que l'acheteur exploite lui-même dépend de l'hébergement choisi. Les qualifications sont lues telles qu'enregistrées, avec leurs dates.",
        "The rule applied: the State's own tool comes first (sobriety); for sensitive data, a SecNumCloud qualification in force today is required; for health data, an HDS certificate in force, offers also qualified SecNumCloud first; software the buyer runs itself depends on the hosting chosen. Qualifications are read as recorded, with their dates.",
    ),
    (
        "sources.lead",
        "Registre relit lui-même les sources officielles des qualifications. Pour chacune : l'édition reflétée, la dernière tentative (et pourquoi elle a échoué le cas échéant), le dernier succès ; puis ce qui a changé récemment.",
        "Registre reads the official sources of qualifications itself. For each: the edition reflected, the last attempt (and why it failed, if it did), the last success; then what changed lately.",
    ),
    (
        "sources.feed",
        "Flux Atom des changements",
        "Atom feed of the changes",
    ),
    (
        "sources.json",
        "L'état des sources en JSON (API)",
        "The sources' status as JSON (API)",
    ),
    (
        "sources.list",
        "Les sources officielles",
        "The official sources",
    ),
    (
        "sources.caption",
        "Sources officielles : édition, dernière tentative, dernier succès et fraîcheur",
        "Official sources: edition, last attempt, last success and freshness",
    ),
    ("sources.source", "Source", "Source"),
    ("sources.edition", "Édition reflétée", "Edition reflected"),
    ("sources.edition_of", "édition", "edition"),
    ("sources.last_attempt", "Dernière tentative", "Last attempt"),
    ("sources.last_success", "Dernier succès", "Last success"),
    ("sources.freshness", "Fraîcheur", "Freshness"),
    (
        "sources.official_address",
        "Adresse officielle",
        "Official address",
    ),
    ("sources.checked", "Relue", "Read"),
    (
        "sources.no_edition",
        "Aucune édition appliquée pour l'instant",
        "No edition applied so far",
    ),
    ("sources.started", "le", "on"),
    ("sources.rows", "lignes", "rows"),
    ("sources.changes", "changements", "changes"),
    ("sources.why", "Cause :", "Cause:"),
    ("sources.never", "Jamais relue", "Never read"),
    (
        "sources.never_succeeded",
        "Aucun succès pour l'instant",
        "No success so far",
    ),
    (
        "sources.recent",
        "Ce qui a changé récemment",
        "What changed lately",
    ),
    ("nav.need", "Trouver selon son besoin", "Find by need"),
    (
        "nav.sources",
        "Sources et fraîcheur",
        "Sources and freshness",
    ),
    (
        "feed.title",
        "Changements des qualifications (Atom)",
        "Qualification changes (Atom)",
    ),
    ("common.undated", "date inconnue", "date unknown"),
    ("common.unverified", "non vérifié", "not verified"),
    ("error.code", "Erreur", "Error"),
    ("error.home", "Page d'accueil", "Home page"),
    ("error.search", "Rechercher", "Search"),
    // Matchmaking days (issue 4): the agenda and the organiser's grid.
    ("event.refused", "Accès refusé", "Access refused"),
    (
        "event.token_participant",
        "Jeton du participant",
        "Participant's token",
    ),
    (
        "event.token_organiser",
        "Jeton de l'organisateur",
        "Organiser's token",
    ),
    (
        "event.token_hint",
        "Remis une seule fois à l'inscription ; c'est le même que pour l'API.",
        "Given once at registration; the same as for the API.",
    ),
    ("event.open_agenda", "Afficher l'agenda", "Show the agenda"),
    ("event.open_grid", "Afficher la grille", "Show the grid"),
    (
        "event.token_privacy",
        "Le jeton est envoyé dans le corps du formulaire, jamais dans l'adresse : il ne reste ni dans l'historique, ni dans les journaux, ni dans les liens suivis, et la page n'est pas gardée en cache.",
        "The token is sent in the form's body, never in the address: it stays out of the history, the logs and the links followed, and the page is not cached.",
    ),
    (
        "event.organiser_instead",
        "Vous organisez l'événement ?",
        "Organising the event?",
    ),
    (
        "event.grid_link",
        "La grille de l'organisateur",
        "The organiser's grid",
    ),
    (
        "event.participant_instead",
        "Vous participez à l'événement ?",
        "Taking part in the event?",
    ),
    ("event.agenda_link", "Votre agenda", "Your agenda"),
    (
        "event.agenda_of",
        "Agenda de la journée",
        "Agenda of the day",
    ),
    ("event.venue", "Lieu", "Venue"),
    ("event.participant_kind", "Participant", "Participant"),
    ("event.times", "Horaires", "Times"),
    (
        "event.local_time",
        "heure locale du lieu",
        "local time at the venue",
    ),
    ("event.meeting_count", "Rendez-vous", "Meetings"),
    ("event.participant_count", "Participants", "Participants"),
    (
        "event.not_scheduled",
        "Le planning n'est pas encore publié : les rendez-vous apparaîtront ici une fois la journée planifiée.",
        "The schedule is not published yet: meetings will appear here once the day is scheduled.",
    ),
    (
        "event.print_hint",
        "Pour l'emporter, imprimez cette page (la version imprimée ne garde que l'agenda).",
        "To take it with you, print this page (the printed version keeps only the agenda).",
    ),
    (
        "event.agenda_caption",
        "Rendez-vous par créneau",
        "Meetings by slot",
    ),
    ("event.time", "Créneau", "Slot"),
    ("event.table", "Table", "Table"),
    ("event.with", "Avec", "With"),
    ("event.about", "Offres et besoins", "Offers and needs"),
    ("event.needs", "Besoins :", "Needs:"),
    (
        "event.cancelled",
        "Rendez-vous annulés",
        "Cancelled meetings",
    ),
    (
        "event.rules",
        "Règles de mise en relation",
        "Matching rules",
    ),
    ("event.why", "Pourquoi ce planning", "Why this schedule"),
    (
        "event.why_intro",
        "Le journal des décisions de l'optimiseur qui vous concernent (en anglais).",
        "The optimiser's decisions that concern you.",
    ),
    ("event.seed", "Graine publiée :", "Published seed:"),
    (
        "event.grid_title",
        "Grille de l'organisateur",
        "Organiser's grid",
    ),
    (
        "event.grid_caption",
        "Rendez-vous par créneau et par table",
        "Meetings by slot and table",
    ),
    ("event.free_table", "table libre", "free table"),
    (
        "event.without_meeting",
        "Participants sans rendez-vous",
        "Participants without a meeting",
    ),
    (
        "event.everyone_meets",
        "Chaque participant a au moins un rendez-vous.",
        "Every participant has at least one meeting.",
    ),
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
