//! Controlled vocabularies of the registry, each code with its French and English label.
//!
//! One macro defines every vocabulary so that the code, both labels and the parser can never drift
//! apart; the API's `/taxonomy` route and the importer read the same tables.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A code that is not part of a vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {vocabulary} code '{code}' (expected one of: {expected})")]
pub struct UnknownCode {
    pub vocabulary: &'static str,
    pub code: String,
    pub expected: String,
}

/// What every vocabulary offers, so callers can list and label them generically.
pub trait Vocabulary: Sized + Copy + 'static {
    /// The vocabulary's own name, as used in API parameters and error messages.
    const NAME: &'static str;
    fn all() -> &'static [Self];
    fn code(self) -> &'static str;
    fn label_fr(self) -> &'static str;
    fn label_en(self) -> &'static str;

    fn parse(code: &str) -> Result<Self, UnknownCode> {
        let wanted = code.trim();
        Self::all()
            .iter()
            .copied()
            .find(|value| value.code() == wanted)
            .ok_or_else(|| UnknownCode {
                vocabulary: Self::NAME,
                code: wanted.to_owned(),
                expected: Self::all()
                    .iter()
                    .map(|value| value.code())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident as $vocabulary:literal {
        $($variant:ident = $code:literal, $fr:literal, $en:literal;)+
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl Vocabulary for $name {
            const NAME: &'static str = $vocabulary;
            fn all() -> &'static [Self] { &[$($name::$variant),+] }
            fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            fn label_fr(self) -> &'static str { match self { $($name::$variant => $fr),+ } }
            fn label_en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownCode;
            fn from_str(code: &str) -> Result<Self, Self::Err> { <$name as Vocabulary>::parse(code) }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = String::deserialize(deserializer)?;
                <$name as Vocabulary>::parse(&code).map_err(serde::de::Error::custom)
            }
        }
    };
}

vocabulary! {
    /// The legal nature of a supplier.
    SupplierKind as "supplier_kind" {
        Company = "company", "Entreprise", "Company";
        PublicOperator = "public_operator", "Opérateur public", "Public operator";
        Foundation = "foundation", "Fondation ou association", "Foundation or association";
        OpenSourceProject = "oss_project", "Projet open source", "Open-source project";
    }
}

vocabulary! {
    /// What an offer is, whoever provides it.
    Category as "category" {
        Iaas = "iaas", "Infrastructure en nuage (IaaS)", "Cloud infrastructure (IaaS)";
        Paas = "paas", "Plateforme en nuage (PaaS)", "Cloud platform (PaaS)";
        Caas = "caas", "Conteneurs en nuage (CaaS)", "Cloud containers (CaaS)";
        Messaging = "messaging", "Messagerie instantanée", "Instant messaging";
        VideoConferencing = "video_conferencing", "Visioconférence", "Video conferencing";
        AudioConferencing = "audio_conferencing", "Audioconférence", "Audio conferencing";
        FileTransfer = "file_transfer", "Transfert de fichiers", "File transfer";
        EmailGroupware = "email_groupware", "Messagerie électronique et agenda", "Email and groupware";
        Coediting = "coediting", "Coédition de documents", "Document co-editing";
        OfficeSuite = "office_suite", "Suite bureautique", "Office suite";
        FileStorage = "file_storage", "Stockage et partage de fichiers", "File storage and sharing";
        CollaborativePlatform = "collaborative_platform", "Plateforme collaborative", "Collaborative platform";
        WikiKnowledge = "wiki_knowledge", "Wiki et base de connaissances", "Wiki and knowledge base";
        ProjectManagement = "project_management", "Gestion de projets", "Project management";
        SpreadsheetData = "spreadsheet_data", "Tableurs et données", "Spreadsheets and data";
        Identity = "identity", "Identité et authentification", "Identity and authentication";
        AiAssistant = "ai_assistant", "Assistant d'intelligence artificielle", "AI assistant";
        Transcription = "transcription", "Transcription", "Transcription";
        Search = "search", "Moteur de recherche", "Search engine";
        Encryption = "encryption", "Chiffrement", "Encryption";
        Calendar = "calendar", "Agenda", "Calendar";
        FormsWorkflows = "forms_workflows", "Formulaires et démarches", "Forms and workflows";
        Appointments = "appointments", "Prise de rendez-vous", "Appointment booking";
        Education = "education", "Vie scolaire et éducation", "School life and education";
    }
}

vocabulary! {
    /// The kind of tool an offer is in La Suite numérique's terms, whoever operates it.
    SuiteClass as "suite_class" {
        Tchap = "tchap", "Messagerie instantanée (classe Tchap)", "Instant messaging (Tchap class)";
        Visio = "visio", "Visioconférence (classe Visio)", "Video conferencing (Visio class)";
        FranceTransfert = "france_transfert", "Transfert de fichiers (classe France Transfert)", "File transfer (France Transfert class)";
        Email = "email", "Messagerie électronique", "Email";
        Coediting = "coediting", "Coédition", "Co-editing";
        Drive = "drive", "Espace de fichiers", "File drive";
        Spreadsheet = "spreadsheet", "Tableur", "Spreadsheet";
        ProjectManagement = "project_management", "Gestion de projets", "Project management";
        Calendar = "calendar", "Agenda", "Calendar";
        Identity = "identity", "Identité", "Identity";
        AiAssistant = "ai_assistant", "Assistant IA", "AI assistant";
        Hosting = "hosting", "Hébergement en nuage", "Cloud hosting";
    }
}

vocabulary! {
    /// The tier of La Suite numérique where the State uses an offer (February 2026 doctrine).
    SuiteTier as "suite_tier" {
        Socle = "socle", "Socle stratégique", "Strategic core";
        Complementary = "complementary", "Services complémentaires", "Complementary services";
        Innovation = "innovation", "Outils innovants", "Innovative tools";
    }
}

vocabulary! {
    /// How an offer is delivered.
    DeploymentModel as "deployment_model" {
        Saas = "saas", "Logiciel en ligne (SaaS)", "Software as a service";
        SaasState = "saas_state", "Service opéré par l'État", "Operated by a State body";
        SelfHosted = "self_hosted", "Auto-hébergé", "Self-hosted";
        OnPremises = "on_premises", "Sur site", "On premises";
        PublicCloud = "public_cloud", "Nuage public", "Public cloud";
        PrivateCloud = "private_cloud", "Nuage privé", "Private cloud";
        Hybrid = "hybrid", "Hybride", "Hybrid";
        Desktop = "desktop", "Application de bureau", "Desktop application";
        Library = "library", "Bibliothèque logicielle", "Software library";
    }
}

impl DeploymentModel {
    /// Deployments where the buyer (or the State) runs the software, so the publisher never holds the data.
    pub fn is_run_by_buyer(self) -> bool {
        matches!(
            self,
            DeploymentModel::SelfHosted
                | DeploymentModel::OnPremises
                | DeploymentModel::Desktop
                | DeploymentModel::Library
        )
    }
}

vocabulary! {
    /// The qualification, certification or label behind an attestation.
    Scheme as "scheme" {
        SecNumCloud = "secnumcloud", "ANSSI SecNumCloud", "ANSSI SecNumCloud";
        Passi = "passi", "ANSSI PASSI (audit)", "ANSSI PASSI (audit)";
        Pris = "pris", "ANSSI PRIS (réponse aux incidents)", "ANSSI PRIS (incident response)";
        Pdis = "pdis", "ANSSI PDIS (détection des incidents)", "ANSSI PDIS (incident detection)";
        Pvid = "pvid", "ANSSI PVID (vérification d'identité à distance)", "ANSSI PVID (remote identity verification)";
        Pams = "pams", "ANSSI PAMS (administration et maintenance sécurisées)", "ANSSI PAMS (secure administration and maintenance)";
        Cspn = "cspn", "ANSSI CSPN (certification de sécurité de premier niveau)", "ANSSI CSPN (first-level security certification)";
        Hds = "hds", "Hébergeur de données de santé (HDS)", "Health data hosting (HDS)";
        Iso27001 = "iso27001", "ISO/IEC 27001", "ISO/IEC 27001";
        BsiC5 = "bsi_c5", "BSI C5 (Allemagne)", "BSI C5 (Germany)";
        Ens = "ens", "ENS (Espagne)", "ENS (Spain)";
        Acn = "acn", "ACN, qualification cloud (Italie)", "ACN cloud qualification (Italy)";
        EuCloudCoc = "eu_cloud_coc", "Code de conduite européen du cloud", "EU Cloud Code of Conduct";
    }
}

vocabulary! {
    /// Where an attestation stands. `Expired` is also derived from the end date, whatever was recorded.
    Status as "status" {
        Qualified = "qualified", "Qualifié ou certifié", "Qualified or certified";
        InProgress = "in_progress", "En cours de qualification", "Qualification in progress";
        Expired = "expired", "Expiré", "Expired";
        Withdrawn = "withdrawn", "Retiré", "Withdrawn";
        NotMaintained = "not_maintained", "Non maintenu", "Not maintained";
    }
}

vocabulary! {
    /// The service models an attestation covers.
    ServiceModel as "service_model" {
        Saas = "saas", "SaaS", "SaaS";
        Paas = "paas", "PaaS", "PaaS";
        Caas = "caas", "CaaS", "CaaS";
        Iaas = "iaas", "IaaS", "IaaS";
    }
}

vocabulary! {
    /// ANSSI's recommendation level for a qualified service (a coloured tick in the catalogue).
    Recommendation as "recommendation" {
        Optimal = "optimal", "Optimal", "Optimal";
        Modere = "modere", "Modéré", "Moderate";
        Critique = "critique", "Critique", "Critical";
    }
}

vocabulary! {
    /// Whether a fact was read from an official source or declared by someone.
    Verification as "verification" {
        Verified = "verified", "Vérifié auprès d'une source officielle", "Verified from an official source";
        Declared = "declared", "Déclaré, non vérifié", "Declared, not verified";
    }
}

vocabulary! {
    /// How sure the registry is of a record as a whole.
    Confidence as "confidence" {
        High = "high", "Élevée", "High";
        Medium = "medium", "Moyenne", "Medium";
        Low = "low", "Faible", "Low";
    }
}

vocabulary! {
    /// How a company in a control chain relates to the supplier.
    ControlRelation as "control_relation" {
        Parent = "parent", "Société mère", "Parent company";
        ControllingShareholder = "controlling_shareholder", "Actionnaire de contrôle", "Controlling shareholder";
        JointVenturePartner = "joint_venture_partner", "Partenaire de coentreprise", "Joint-venture partner";
        MinorityShareholder = "minority_shareholder", "Actionnaire minoritaire", "Minority shareholder";
        TechnologyLicensor = "technology_licensor", "Fournisseur de la technologie sous licence", "Technology licensor";
        HistoricHolding = "historic_holding", "Ancien actionnaire", "Former holding";
    }
}

impl ControlRelation {
    /// Relations through which a foreign law can reach the supplier's decisions.
    pub fn confers_control(self) -> bool {
        matches!(
            self,
            ControlRelation::Parent
                | ControlRelation::ControllingShareholder
                | ControlRelation::JointVenturePartner
        )
    }
}

vocabulary! {
    /// Exposure of an offer to extra-EU law (for instance the US Cloud Act), as the registry computes it.
    ExposureLevel as "exposure_level" {
        None = "none", "Aucune exposition connue", "No known exposure";
        Low = "low", "Exposition faible", "Low exposure";
        Medium = "medium", "Exposition moyenne", "Medium exposure";
        High = "high", "Exposition forte", "High exposure";
        Unknown = "unknown", "Inconnue : faits insuffisants", "Unknown: not enough facts";
        NotApplicable = "not_applicable", "Sans objet : logiciel exploité par l'acheteur", "Not applicable: software run by the buyer";
    }
}

impl ExposureLevel {
    /// Severity order used to combine reasons; unknown and not applicable are not severities.
    pub fn severity(self) -> u8 {
        match self {
            ExposureLevel::None => 0,
            ExposureLevel::Low => 1,
            ExposureLevel::Medium => 2,
            ExposureLevel::High => 3,
            ExposureLevel::Unknown | ExposureLevel::NotApplicable => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_codes_are_unique_snake_case<V: Vocabulary>() {
        let mut seen = std::collections::HashSet::new();
        for value in V::all() {
            let code = value.code();
            assert!(seen.insert(code), "{} repeats code {code}", V::NAME);
            assert!(
                code.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{} code {code} is not snake_case",
                V::NAME
            );
            assert!(!value.label_fr().is_empty() && !value.label_en().is_empty());
            assert_eq!(V::parse(code).map(|v| v.code()), Ok(code));
        }
    }

    #[test]
    fn every_vocabulary_has_unique_snake_case_codes_and_both_labels() {
        assert_codes_are_unique_snake_case::<SupplierKind>();
        assert_codes_are_unique_snake_case::<Category>();
        assert_codes_are_unique_snake_case::<SuiteClass>();
        assert_codes_are_unique_snake_case::<SuiteTier>();
        assert_codes_are_unique_snake_case::<DeploymentModel>();
        assert_codes_are_unique_snake_case::<Scheme>();
        assert_codes_are_unique_snake_case::<Status>();
        assert_codes_are_unique_snake_case::<ServiceModel>();
        assert_codes_are_unique_snake_case::<Recommendation>();
        assert_codes_are_unique_snake_case::<Verification>();
        assert_codes_are_unique_snake_case::<Confidence>();
        assert_codes_are_unique_snake_case::<ControlRelation>();
        assert_codes_are_unique_snake_case::<ExposureLevel>();
    }

    #[test]
    fn an_unknown_code_names_the_vocabulary_and_the_expected_codes() {
        let error = Scheme::parse("soc2").unwrap_err();
        assert_eq!(error.vocabulary, "scheme");
        assert!(error.to_string().contains("secnumcloud"));
    }

    #[test]
    fn codes_round_trip_through_serde() {
        let json = serde_json::to_string(&Category::VideoConferencing).unwrap();
        assert_eq!(json, "\"video_conferencing\"");
        let back: Category = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Category::VideoConferencing);
        assert!(serde_json::from_str::<Category>("\"teams\"").is_err());
    }
}
