#!/usr/bin/env python3
"""Build the bundled dataset `dataset/registre.jsonl` from the researched data folder.

Usage:
    python3 scripts/build_dataset.py /path/to/shared/data [--out dataset/registre.jsonl]

The data folder is a required argument: the project never depends on it at run time or test time.
The output is deterministic: same inputs, same bytes. Editorial decisions that the seed leaves open
(legal-name clean-up, control chains, offer splits, descriptions, tier assignment) are kept in the
tables below so they can be reviewed as diffs. The script fails loudly when an input row is not
covered by those tables or when the output breaks one of the format rules (see `validate`).

Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

# --------------------------------------------------------------------------------------------------
# Vocabularies of the format (the Rust importer accepts exactly these codes)
# --------------------------------------------------------------------------------------------------

REFERENCE_KINDS = {"repo", "web", "code_search", "dataset", "background", "official"}
SUPPLIER_KINDS = {"company", "public_operator", "foundation", "oss_project"}
RELATIONS = {"parent", "controlling_shareholder", "joint_venture_partner", "minority_shareholder",
             "technology_licensor", "historic_holding"}
CONFIDENCE = {"high", "medium", "low"}
CATEGORIES = {"iaas", "paas", "caas", "messaging", "video_conferencing", "audio_conferencing",
              "file_transfer", "email_groupware", "coediting", "office_suite", "file_storage",
              "collaborative_platform", "wiki_knowledge", "project_management", "spreadsheet_data",
              "identity", "ai_assistant", "transcription", "search", "encryption", "calendar",
              "forms_workflows", "appointments", "education"}
SUITE_CLASSES = {"tchap", "visio", "france_transfert", "email", "coediting", "drive", "spreadsheet",
                 "project_management", "calendar", "identity", "ai_assistant", "hosting"}
SUITE_TIERS = {"socle", "complementary", "innovation"}
DEPLOYMENTS = {"saas", "saas_state", "self_hosted", "on_premises", "public_cloud", "private_cloud",
               "hybrid", "desktop", "library"}
SCHEMES = {"secnumcloud", "passi", "pris", "pdis", "pvid", "pams", "cspn", "hds", "iso27001",
           "bsi_c5", "ens", "acn", "eu_cloud_coc"}
STATUSES = {"qualified", "in_progress", "expired", "withdrawn", "not_maintained"}
SERVICE_MODELS = ["saas", "paas", "caas", "iaas"]
RECOMMENDATIONS = {"optimal", "modere", "critique"}
VERIFICATIONS = {"declared", "verified"}
PROVENANCE_SOURCES = {"anssi-catalogue", "ans-hds", "anssi-in-qualification", "vendor", "press",
                      "research"}
# SPDX identifiers that may appear in `licences` (deprecated ids such as "GPL-3.0" are kept when
# the source does not say "-only" or "-or-later": narrowing them would invent a fact).
SPDX_IDS = {"MIT", "Apache-2.0", "AGPL-3.0", "AGPL-3.0-or-later", "GPL-3.0", "GPL-3.0-or-later",
            "GPL-2.0", "LGPL-2.1", "LGPL-3.0", "MPL-2.0"}

SUPPLIER_FIELDS = ["record", "key", "legal_name", "trade_names", "aliases", "kind", "siren", "siret",
                   "vat_number", "lei", "country", "hq_city", "website", "control_chain",
                   "ultimate_control_country", "unverified", "notes", "references", "confidence"]
OFFER_FIELDS = ["record", "key", "supplier", "name", "category", "description_fr", "description_en",
                "deployment_models", "licences", "hosting_locations", "suite_class", "suite_tier",
                "suite_role", "url", "source_repo", "alternative_to", "unverified", "notes",
                "references", "confidence"]
ATTESTATION_FIELDS = ["record", "key", "supplier", "offer", "scheme", "status", "milestone", "level",
                      "service_models", "scope", "valid_from", "valid_until", "decision",
                      "recommendation", "provenance", "unverified", "notes", "references",
                      "confidence"]
REFERENCE_FIELDS = ["record", "key", "kind", "title", "locator", "version", "supports"]

KEY_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
# Fields that may be named in `unverified` (the importer's lists: identity and bookkeeping fields
# such as key, supplier, offer, notes or references cannot be "unverified").
UNVERIFIABLE = {
    "supplier": ["legal_name", "trade_names", "aliases", "kind", "siren", "siret", "vat_number", "lei",
                 "country", "hq_city", "website", "control_chain", "ultimate_control_country"],
    "offer": ["name", "category", "description_fr", "description_en", "deployment_models", "licences",
              "hosting_locations", "suite_class", "suite_tier", "suite_role", "url", "source_repo",
              "alternative_to"],
    "attestation": ["scheme", "status", "milestone", "level", "service_models", "scope", "valid_from",
                    "valid_until", "decision", "recommendation"],
}
MAX_NAME, MAX_TEXT, MAX_LIST = 300, 5000, 50
URL_RE = re.compile(r"^https?://\S+$")
DECISION_NUMBER_RE = re.compile(r"^[A-Za-z0-9-]{1,20}$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")

# --------------------------------------------------------------------------------------------------
# Constants about the sources
# --------------------------------------------------------------------------------------------------

ANSSI_PDF_URL = ("https://messervices.cyber.gouv.fr/visas/"
                 "catalogue-produits-services-profils-de-protection-sites-certifies-qualifies-agrees-anssi.pdf")
EDITION_2025 = ("anssi-catalogue-2025-12-05", "05/12/2025 13:08:19", "2025-12-05")
EDITION_2026 = ("anssi-catalogue-2026-03-04", "04/03/2026 15:34:17", "2026-03-04")
SNC_SOURCE_REFERENCE = "Catalogue ANSSI, édition du 04/03/2026 15:34:17, tableau 3.3.1"
SECONDARY_EDITION_DATE = "2026-09-15"  # stamp of the later edition, as transcribed by third parties
HDS_READING_DATE = "2026-07-24"  # date of the third-party reading of the ANS list (H3)
# Date used as first_seen/last_seen when the source of a claim is undated (background knowledge,
# undated vendor pages): the day the research seed was compiled into this dataset.
SEED_SNAPSHOT_DATE = "2026-11-29"

# Sources of the seed that no record of the dataset cites are left out (listed in the README).
# S19 is cited by the DINUM supplier note (La Suite is not homologated for health data).

# --------------------------------------------------------------------------------------------------
# Curated supplier facts: legal name clean-up, trade names, aliases, control chain
# (name, country, relation) and per-field doubts. Derived from the seed's own fields.
# --------------------------------------------------------------------------------------------------

S = "parent"
CS = "controlling_shareholder"
JV = "joint_venture_partner"
MS = "minority_shareholder"
TL = "technology_licensor"
HH = "historic_holding"

SUPPLIERS = {
    # key: (legal_name, trade_names, aliases, control_chain, extra_unverified, extra_note)
    "dinum": ("Direction interministérielle du numérique", ["La Suite numérique"], ["DINUM", "LaSuite"],
              [("Services du Premier ministre", "FR", S)], [],
              "La Suite numérique is not yet homologated for health data; hospitals are told to deploy "
              "their own instance (S19)."),
    "anct": ("Agence nationale de la cohésion des territoires", ["La Suite territoriale"], ["ANCT"],
             [("French State", "FR", S)], [], None),
    "min-culture": ("Ministère de la Culture", [], [], [("French State", "FR", S)], [], None),
    "zendis": ("ZenDiS GmbH", ["ZenDiS", "openDesk"],
               ["Zentrum für Digitale Souveränität der Öffentlichen Verwaltung"],
               [("German Federal Government", "DE", CS)], ["control_chain"], None),
    "ovhcloud": ("OVH SAS", ["OVHcloud"], ["OVH"], [("OVH Groupe SA", "FR", S)], [],
                 "Operating company; the group parent OVH Groupe SA is listed on Euronext Paris, with "
                 "founder-family control according to a third-party card (S34)."),
    "scaleway": ("Scaleway SAS", ["Scaleway"], [], [("Iliad group", "FR", S)], [], None),
    "outscale": ("3DS Outscale SAS", ["Outscale"], ["3DS Outscale"], [("Dassault Systèmes SE", "FR", S)],
                 [], None),
    "cloud-temple": ("Cloud Temple SAS", ["Cloud Temple"], [], [], [],
                     "Shareholding not verified."),
    "numspot": ("NumSpot SAS", ["NumSpot"], ["Numspot"],
                [("Docaposte (La Poste group)", "FR", JV),
                 ("Banque des Territoires (Caisse des Dépôts)", "FR", JV),
                 ("Dassault Systèmes", "FR", JV), ("Bouygues Telecom", "FR", JV)], [], None),
    "s3ns": ("S3NS SAS", ["S3NS"], ["Thales Cloud Sécurisé"],
             [("Thales SA", "FR", CS), ("Google", "US", MS), ("Google", "US", TL)], ["legal_name"],
             "The ANSSI catalogue names the provider of the S3NS offer 'Thales Cloud Sécurisé'; whether "
             "this is the registered name of the same legal entity is not verified. Google's stake is "
             "described as a capped minority."),
    "bleu": ("Bleu SAS", ["Bleu"], [],
             [("Orange SA", "FR", JV), ("Capgemini SE", "FR", JV), ("Microsoft", "US", TL)], [], None),
    "orange-business": ("Orange Business Services SA", ["Orange Business"], ["Orange Business Services"],
                        [("Orange SA", "FR", S)], ["control_chain"], None),
    "docaposte": ("Docaposte SAS", ["Docaposte"], [], [("La Poste group", "FR", S)], [],
                  "La Poste is owned by the State and the Caisse des Dépôts."),
    "clever-cloud": ("Clever Cloud SAS", ["Clever Cloud"], [], [], [],
                     "Independent, bootstrapped, EU capital according to a third-party card (S34)."),
    "scalingo": ("Scalingo SAS", ["Scalingo"], [], [], [],
                 "Independent, French/EU investors according to a third-party card (S34)."),
    "ionos": ("IONOS SE", ["IONOS"], [], [("United Internet AG", "DE", S)], ["control_chain"], None),
    "stackit": ("STACKIT GmbH & Co. KG", ["STACKIT"], [], [("Schwarz Gruppe", "DE", S)],
                ["control_chain"], None),
    "infomaniak": ("Infomaniak Network SA", ["Infomaniak"], [], [], [], None),
    "element": ("New Vector Ltd", ["Element"], [], [], [], "VC-backed."),
    "olvid": ("Olvid SAS", ["Olvid"], [], [("Phi Square Holdings", "LU", MS)], [], None),
    "wire": ("Wire Swiss GmbH", ["Wire"], [],
             [("Wire holding company (moved from Luxembourg to the US in 2019)", "US", HH),
              ("Schwarz Gruppe", "DE", MS)], ["control_chain"],
             "The size of the Schwarz Gruppe stake is not known."),
    "rocketchat": ("Rocket.Chat Technologies Corp.", ["Rocket.Chat"], [], [], [], "VC-backed."),
    "mattermost": ("Mattermost, Inc.", ["Mattermost"], [], [], [], "VC-backed."),
    "jamespot": ("Jamespot SAS", ["Jamespot"], [], [], [], None),
    "whaller": ("Whaller SAS", ["Whaller"], [], [], [], None),
    "wimi": ("Wimi SAS", ["Wimi"], ["Cloud Solutions"], [], ["legal_name"],
             "The ANSSI catalogue lists Wimi under the provider name 'Cloud Solutions'; the registered "
             "name of the legal entity is not verified."),
    "livekit": ("LiveKit, Inc.", ["LiveKit"], [], [], [], "VC-backed."),
    "tixeo": ("Tixeo SAS", ["Tixeo"], [], [], [], "Founded 2003 (S30)."),
    "8x8-jitsi": ("8x8, Inc.", ["8x8", "Jitsi"], [], [], [], "Listed company; publisher of Jitsi."),
    "blindside": ("Blindside Networks Inc.", ["Blindside Networks", "BigBlueButton"], [], [], [], None),
    "whereby": ("Whereby AS", ["Whereby"], [], [], [], "Ownership not verified."),
    "ale": ("ALE International SAS", ["Alcatel-Lucent Enterprise"], ["ALE"],
            [("China Huaxin Post & Telecommunication Economy Development Center", "CN", CS)],
            ["control_chain"], None),
    "oodrive": ("Oodrive SAS", ["Oodrive"], [],
                [("Oodrive founders", None, CS), ("Tikehau Capital", "FR", MS)], [], None),
    "smash": ("Smash", ["Smash"], [], [], ["legal_name"], None),
    "wetransfer": ("WeTransfer B.V.", ["WeTransfer"], [], [("Bending Spoons S.p.A.", "IT", S)],
                   ["control_chain"], "Acquired by Bending Spoons in 2024 (reported)."),
    "open-xchange": ("Open-Xchange GmbH", ["Open-Xchange"], ["OX"], [], [],
                     "Reported to be private-equity backed; ownership not verified."),
    "bluemind": ("BlueMind SAS", ["BlueMind"], [], [], [], None),
    "linagora": ("Linagora SA", ["Linagora", "Twake"], [], [], [], None),
    "synacor-zimbra": ("Synacor, Inc.", ["Synacor", "Zimbra"], [],
                       [("Centre Lane Partners", "US", CS)], ["control_chain"], None),
    "alinto": ("Alinto SAS", ["Alinto"], [], [], [], None),
    "proton": ("Proton AG", ["Proton"], [], [("Proton Foundation", "CH", CS)], ["control_chain"], None),
    "collabora": ("Collabora Productivity Ltd", ["Collabora", "Collabora Online"], [],
                  [("Collabora Ltd", "GB", S)], ["control_chain"], None),
    "onlyoffice": ("Ascensio System SIA", ["ONLYOFFICE"], [], [], [], "Ownership not verified."),
    "nextcloud": ("Nextcloud GmbH", ["Nextcloud"], [], [], [], None),
    "xwiki": ("XWiki SAS", ["XWiki"], [], [], [], None),
    "tdf": ("The Document Foundation", [], ["TDF"], [], [], "German foundation (Stiftung); publishes LibreOffice."),
    "interstis": ("Interstis", ["Interstis"], [], [], ["legal_name"], "Legal form not verified."),
    "openproject": ("OpenProject GmbH", ["OpenProject"], [], [], [], None),
    "planka": ("PLANKA Software GmbH", ["Planka"], [], [], [], "Ownership not verified."),
    "enalean": ("Enalean SAS", ["Enalean"], [], [], [], "Publisher of Tuleap."),
    "grist-labs": ("Grist Labs, Inc.", ["Grist"], [], [], [], None),
    "ironcalc": None,  # dropped: country 'unverified' in the seed and no source states one
    "baserow": ("Baserow B.V.", ["Baserow"], [], [], [], None),
    "keycloak-cncf": ("Keycloak project", ["Keycloak"], [], [("CNCF / Linux Foundation", "US", S)], [],
                      "Originally developed by Red Hat (IBM); open-source project, not a company."),
    "ow2-lemonldap": ("LemonLDAP::NG project", ["LemonLDAP::NG"], [], [("OW2 consortium", "FR", S)], [],
                      "Open-source project, not a company."),
    "mistral": ("Mistral AI SAS", ["Mistral AI"], [], [], [],
                "VC-backed; some non-EU investors (not verified)."),
    "tsystems": ("T-Systems International GmbH", ["T-Systems"], [], [("Deutsche Telekom AG", "DE", S)],
                 ["control_chain"], None),
    "worldline": ("Worldline SA", ["Worldline"], [], [], ["legal_name"], "Listed on Euronext Paris."),
    "cegedim": ("Cegedim SA", ["Cegedim", "cegedim.cloud"], [], [], ["legal_name"],
                "Listed company. The SecNumCloud service is operated under the cegedim.cloud brand; the "
                "contracting entity is not verified."),
    "index-education": ("Index Education", ["Index Éducation"], [], [("Docaposte SAS", "FR", S)],
                        ["control_chain"],
                        "Acquired by Docaposte (La Poste group) in 2020 according to a Docaposte CEO "
                        "interview (Le Monde Informatique), a source not stored in this dataset."),
}

# Seed notes made stale by the ANSSI catalogue.
SUPPLIER_NOTE_OVERRIDE = {
    "whaller": "The ANSSI catalogue lists 'Whaller Donjon SaaS' as SecNumCloud-qualified.",
    "orange-business": "Cloud Avenue SecNum is SecNumCloud-qualified (ANSSI catalogue). Reported on the Health "
                       "Data Hub shortlist (S26).",
}

# Suppliers created from the ANSSI catalogue samples (security service providers and CSPN
# developers). Country FR is the convention for catalogue entries when nothing else is known.
NEW_SUPPLIERS = {
    # catalogue name: (key, note)
    "Advens": ("advens", None),
    "Intrinsec Sécurité": ("intrinsec-securite", None),
    "Lexfo": ("lexfo", None),
    "Orange Cyberdefense": ("orange-cyberdefense",
                            "The name suggests the Orange group (not verified)."),
    "Wavestone": ("wavestone", None),
    "Airbus Protect": ("airbus-protect",
                       "The name suggests the Airbus group (not verified)."),
    "BT France": ("bt-france",
                  "The name suggests the British BT group (not verified)."),
    "Capgemini Technology Services": ("capgemini-technology-services",
                                      "The name suggests the Capgemini group "
                                      "(not verified)."),
    "Eviden France": ("eviden-france",
                      "The name suggests the Eviden/Atos group (not verified)."),
    "I-Tracing": ("i-tracing", None),
    "Idnow": ("idnow",
              "Qualified service 'IDCheck.io Identity Proofing Service'. The IDnow group is German "
              "(background knowledge); the qualified entity is presumably a French subsidiary (not verified)."),
    "NJF Vision": ("njf-vision", "Qualified service branded 'Checkout IDV (ex Ubble)' in the catalogue."),
    "Namirial": ("namirial",
                 "Qualified service 'Service PVID Netheos'. The Namirial group is Italian (background "
                 "knowledge); the qualified entity is presumably its French subsidiary (not verified)."),
    "Almond": ("almond", None),
    "Apixit": ("apixit", None),
    "APIZEE": ("apizee", "Developer of a CSPN-certified secure communication product."),
}
NEW_SUPPLIER_COUNTRY_DOUBT = {"idnow", "namirial"}

# --------------------------------------------------------------------------------------------------
# Curated offer facts
# --------------------------------------------------------------------------------------------------

CATEGORY_MAP = {
    "iaas_paas": "iaas", "paas": "paas", "messaging_chat": "messaging",
    "video_conferencing": "video_conferencing", "audio_conferencing": "audio_conferencing",
    "file_transfer": "file_transfer", "file_storage_sync": "file_storage",
    "email_groupware": "email_groupware", "office_coediting": "coediting",
    "office_desktop": "office_suite", "collaborative_platform": "collaborative_platform",
    "wiki_knowledge": "wiki_knowledge", "project_management": "project_management",
    "spreadsheet_data": "spreadsheet_data", "identity": "identity", "identity_admin": "identity",
    "ai_assistant": "ai_assistant", "transcription": "transcription", "search": "search",
    "e2e_encryption": "encryption", "calendar": "calendar", "forms_processes": "forms_workflows",
    "appointments": "appointments", "education_saas": "education",
}
# Seed classes that are not "classes of tool" are derived from the category when one fits.
SUITE_CLASS_DIRECT = {"tchap": "tchap", "visio": "visio", "france_transfert": "france_transfert",
                      "email": "email", "coediting": "coediting", "drive": "drive",
                      "spreadsheet": "spreadsheet", "project_mgmt": "project_management",
                      "identity": "identity", "cloud": "hosting", "calendar": "calendar"}
CLASS_FROM_CATEGORY = {"iaas": "hosting", "paas": "hosting", "caas": "hosting",
                       "messaging": "tchap", "video_conferencing": "visio", "audio_conferencing": "visio",
                       "file_transfer": "france_transfert", "email_groupware": "email",
                       "coediting": "coediting", "file_storage": "drive",
                       "project_management": "project_management", "spreadsheet_data": "spreadsheet",
                       "identity": "identity", "ai_assistant": "ai_assistant", "calendar": "calendar"}
DEPLOYMENT_MAP = {"on_prem": "on_premises"}
# No transcription class exists; the product is branded as part of the Assistant family.
SUITE_CLASS_OVERRIDE = {"lasuite-transcripts": "ai_assistant"}

# Seed licence strings -> (SPDX ids, unverified?, note). Every seed string must be listed here.
LICENCE_MAP = {
    None: ([], False, None),
    "MIT": (["MIT"], False, None),
    "Apache-2.0": (["Apache-2.0"], False, None),
    "MPL-2.0": (["MPL-2.0"], False, None),
    ("AGPL-3.0-or-later", "GPL-3.0-or-later"): (["AGPL-3.0-or-later", "GPL-3.0-or-later"], False,
                                                "Licence of the Tchap web client (S20): AGPL-3.0-or-later, GPL-3.0-or-later or an Element "
                                                "commercial licence."),
    ("AGPL-3.0-or-later", "commercial"): (["AGPL-3.0-or-later"], False, "Also sold under a commercial licence."),
    "AGPL-3.0 (background)": (["AGPL-3.0"], True, None),
    "MIT (ANCT code) on Planka upstream": (["MIT"], False,
                                           "MIT covers ANCT's code; the Planka upstream licence is not verified."),
    "GPL-3.0 (background)": (["GPL-3.0"], True, None),
    "MIT (community, background)": (["MIT"], True, "The stated licence covers the community edition."),
    "MIT/AGPL-3.0 (background)": (["MIT", "AGPL-3.0"], True, None),
    "Apache-2.0 (background)": (["Apache-2.0"], True, None),
    "LGPL-3.0 (background)": (["LGPL-3.0"], True, None),
    "GPL-2.0/AGPL-3.0 mix (background)": (["GPL-2.0", "AGPL-3.0"], True, "Licences vary across components."),
    "GPL-2.0/LGPL (background)": (["GPL-2.0"], True, "Some components are under an LGPL version that is not stated."),
    "GPL-3.0 clients (background)": (["GPL-3.0"], True, "The stated licence covers the client applications only."),
    "AGPL-3.0 with additional Section 7 terms": (["AGPL-3.0"], False,
                                                 "AGPL with additional Section 7 terms added by the publisher."),
    "AGPL-3.0 (without ONLYOFFICE additional terms, per coalition)": (
        ["AGPL-3.0"], False, "AGPL without ONLYOFFICE's additional terms, according to the coalition; disputed."),
    "LGPL-2.1 (background)": (["LGPL-2.1"], True, None),
    "licence of current versions not verified": ([], True, "Licence of current Planka versions not verified."),
    "GPL-2.0 (background)": (["GPL-2.0"], True, None),
    "Apache-2.0 for some open-weight models (background)": (["Apache-2.0"], True,
                                                            "The stated licence covers some open-weight models only."),
    "MIT core (background)": (["MIT"], True, "The stated licence covers the core only."),
    "MIT/Apache-2.0 (background)": (["MIT", "Apache-2.0"], True, None),
}

# Offers whose category the seed's "iaas_paas" would misstate.
CATEGORY_OVERRIDE = {}

# Tier placement for offers the State uses in La Suite numérique (article model), with the notes
# required where the article and the seed basis differ.
TIER_DECISIONS = {
    "lasuite-tchap": ("socle", None),
    "lasuite-visio": ("socle", None),
    "lasuite-francetransfert": ("socle", None),
    "lasuite-fichiers": ("socle", "The article's socle names Tchap, Visio and France Transfert; DINUM's "
                                  "'cœur de suite' (S18) also includes Fichiers, so it is placed in the socle."),
    "lasuite-docs": ("complementary", "Placed in the complementary tier following the article's model "
                                      "(co-editing); the La Suite landing page lists Docs under 'Nouveaux "
                                      "usages' (S17), which the seed read as the innovation tier."),
    "lasuite-grist": ("innovation", None),
    "lasuite-calc": ("innovation", None),
    "lasuite-messagerie": ("complementary", None),
    "lasuite-assistant": ("innovation", "The article's tiers do not name AI; the landing page groups the "
                                        "assistant under 'Nouveaux usages' (S17), read as innovation."),
    "lasuite-transcripts": ("innovation", "No source states its tier; innovation is the seed's inference "
                                          "for a new DINUM product."),
    "lasuite-resana-legacy": ("complementary", "Market solution for workspaces and co-editing, i.e. the "
                                               "article's complementary tier; DINUM funding ends 31/12/2026 "
                                               "(S18)."),
    "ox-appsuite": ("complementary", "Counted in the complementary tier as the market software behind the "
                                     "State's webmail (Messagerie)."),
}

# Split or relabel seed offers so that each SecNumCloud-qualified service is one offer.
OFFER_RENAMES = {
    "cloudtemple-iaas": "Cloud Temple Secure Temple (IaaS)",
    "pronote": "Pronote",
    "oodrive-share": "Oodrive Work Share (secure file sharing)",
}

NEW_OFFERS = {
    # key: dict of fields (supplier, name, category, deployment_models, suite_class, unverified, notes,
    #                       confidence, references)
    "cloudtemple-paas-openshift": dict(
        supplier="cloud-temple", name="Cloud Temple PaaS OpenShift", category="paas",
        deployment_models=["private_cloud", "public_cloud"], unverified=[],
        notes="Split from the seed offer 'Cloud Temple Secure IaaS / PaaS (OpenShift)', which covered two "
              "separately qualified services.",
        confidence="medium", references=["s53", "s62"]),
    "pronote-primaire": dict(
        supplier="index-education", name="Pronote Primaire", category="education",
        deployment_models=["saas"], unverified=[],
        notes="Split from the seed offer 'Pronote (and Pronote Primaire, Hyperplanning, EDT)'.",
        confidence="medium", references=["s62"]),
    "hyperplanning": dict(
        supplier="index-education", name="Hyperplanning", category="education",
        deployment_models=["saas"], unverified=[],
        notes="Split from the seed offer 'Pronote (and Pronote Primaire, Hyperplanning, EDT)'.",
        confidence="medium", references=["s62"]),
    "index-edt": dict(
        supplier="index-education", name="EDT", category="education",
        deployment_models=["saas"], unverified=[],
        notes="Split from the seed offer 'Pronote (and Pronote Primaire, Hyperplanning, EDT)'.",
        confidence="medium", references=["s62"]),
    "ovh-bare-metal-pod": dict(
        supplier="ovhcloud", name="OVHcloud Bare Metal Pod", category="iaas",
        deployment_models=[], unverified=[],
        notes="Created from the ANSSI catalogue; the seed only mentioned it in a note of the Hosted "
              "Private Cloud offer.",
        confidence="high", references=["s62"]),
    "ovh-snc-cloud-platform": dict(
        supplier="ovhcloud", name="OVHcloud SNC Cloud Platform", category="iaas",
        deployment_models=[], unverified=[],
        notes="Known only from a secondary transcription of the 15/09/2026 ANSSI catalogue and from "
              "third-party readings of the 'in qualification' page (July-August 2026), which still listed it.",
        confidence="medium", references=["s62"]),
    "oodrive-work": dict(
        supplier="oodrive", name="Oodrive Work", category="collaborative_platform",
        deployment_models=["saas"], unverified=["category"],
        notes="Split from the seed offer 'Oodrive Work / Share'. The catalogue gives no description; the "
              "category is an assumption.",
        confidence="medium", references=["s62"]),
    "whaller-donjon": dict(
        supplier="whaller", name="Whaller Donjon (SaaS)", category="collaborative_platform",
        deployment_models=["saas"], unverified=[],
        notes="The SecNumCloud qualification covers this dedicated offer, not the standard Whaller platform.",
        confidence="high", references=["s62"]),
    "apizee": dict(
        supplier="apizee", name="APIZEE", category="video_conferencing",
        deployment_models=[], unverified=["category", "deployment_models"],
        notes="Created from the ANSSI CSPN catalogue (product type 'Communication sécurisée', version 5.2). "
              "Classified as video conferencing from background knowledge of the publisher.",
        confidence="medium", references=[]),
}

DESCRIPTIONS = {
    # key: (fr, en)
    "lasuite-tchap": (
        "Messagerie instantanée des agents publics, fondée sur le protocole Matrix et sur une version dérivée des clients Element, opérée par la DINUM.",
        "Instant messaging for French public agents, based on the Matrix protocol and a fork of the Element clients, operated by DINUM."),
    "lasuite-visio": (
        "Service de visioconférence des agents publics (La Suite Meet) reposant sur le serveur média LiveKit, avec enregistrement, transcription et sous-titrage en direct ; opéré par la DINUM.",
        "Video conferencing for public agents (La Suite Meet) built on the LiveKit media server, with recording, transcription and live subtitles; operated by DINUM."),
    "lasuite-francetransfert": (
        "Service de l'État pour envoyer des fichiers volumineux non sensibles (20 Go par envoi, 2 Go par fichier), conçu par le ministère de la Culture et opéré par la DINUM.",
        "State service for sending large non-sensitive files (20 GB per transfer, 2 GB per file), designed by the Ministry of Culture and operated by DINUM."),
    "lasuite-fichiers": (
        "Service de stockage et de partage de fichiers de La Suite numérique (La Suite Drive), logiciel libre opéré par la DINUM.",
        "File storage and sharing service of La Suite numérique (La Suite Drive), open-source software operated by DINUM."),
    "lasuite-docs": (
        "Éditeur de texte collaboratif en temps réel faisant aussi office de wiki (BlockNote, Yjs), développé par la DINUM avec le ZenDiS allemand.",
        "Real-time collaborative text editor that also serves as a wiki (BlockNote, Yjs), developed by DINUM with Germany's ZenDiS."),
    "lasuite-grist": (
        "Tableur collaboratif relationnel : instance du logiciel libre grist-core hébergée par la DINUM.",
        "Collaborative relational spreadsheet: an instance of the open-source grist-core software hosted by DINUM."),
    "lasuite-messagerie": (
        "Webmail de l'État pour les agents, construit sur Open-Xchange App Suite et d'autres logiciels libres, opéré par la DINUM.",
        "The State's webmail for agents, built on Open-Xchange App Suite and other free software, operated by DINUM."),
    "lasuite-assistant": (
        "Assistant d'IA générative (agent conversationnel) de La Suite numérique, dont le fournisseur de modèle de langage est configurable ; projet à un stade précoce.",
        "Generative AI assistant (chatbot) of La Suite numérique with a configurable language-model provider; early-stage project."),
    "lasuite-transcripts": (
        "Service de transcription de réunions reposant sur une chaîne WhisperX, développé et opéré par la DINUM.",
        "Meeting transcription service based on a WhisperX pipeline, developed and operated by DINUM."),
    "lasuite-calc": (
        "Tableur collaboratif expérimental dérivé de Docs et utilisant le moteur de calcul IronCalc.",
        "Experimental collaborative spreadsheet derived from Docs and using the IronCalc calculation engine."),
    "lasuite-find": (
        "Composant de recherche transversale aux applications de La Suite, qui respecte les droits d'accès de chaque utilisateur via la fédération OIDC.",
        "Search component spanning La Suite applications that respects each user's access rights through the OIDC federation."),
    "lasuite-people": (
        "Administration des utilisateurs, des équipes, des droits et des domaines de messagerie de La Suite (La Régie).",
        "Administration of users, teams, permissions and mail domains for La Suite (La Régie)."),
    "lasuite-encryption": (
        "Service partagé de chiffrement de bout en bout (coffre de clés) pour Docs, Fichiers et Visio, fondé sur libsodium.",
        "Shared end-to-end encryption service (key vault) for Docs, Fichiers and Visio, based on libsodium."),
    "lasuite-hub": (
        "Espace de travail intégrant Matrix, en développement et pas encore prêt pour la production.",
        "Workspace hub with Matrix integration, under development and not yet production-ready."),
    "lasuite-resana-legacy": (
        "Espaces de travail collaboratifs avec partage et coédition de documents, édités par Interstis et proposés aux agents de l'État.",
        "Collaborative workspaces with document sharing and co-editing, published by Interstis and offered to State agents."),
    "lasuite-webinaire": (
        "Ancien service de webinaire de l'État, désactivé dans la liste des services de La Suite de 2026.",
        "Legacy State webinar service, disabled in the 2026 La Suite service list."),
    "lasuite-webconf": (
        "Ancien service de webconférence de l'État, absent de la liste des services de 2026.",
        "Legacy State web-conferencing service, absent from the 2026 service list."),
    "lasuite-audioconf": (
        "Ancien service d'audioconférence de l'État, désactivé dans la liste des services de 2026.",
        "Legacy State audio-conferencing service, disabled in the 2026 service list."),
    "lasuite-pad": (
        "Ancien bloc-notes collaboratif en markdown de l'État, désactivé dans la liste des services de 2026.",
        "Legacy State collaborative markdown pad, disabled in the 2026 service list."),
    "gouv-proconnect": (
        "Fédération d'identité OpenID Connect des agents publics et des professionnels (ex-AgentConnect), utilisée pour l'authentification unique de La Suite.",
        "OpenID Connect identity federation for public agents and professionals (formerly AgentConnect), used for single sign-on across La Suite."),
    "gouv-demarche": (
        "Plateforme de l'État pour créer des formulaires administratifs en ligne et instruire les démarches (ex-Démarches simplifiées).",
        "State platform for building online administrative forms and processing the resulting procedures (formerly Démarches simplifiées)."),
    "gouv-rdv": (
        "Service de prise de rendez-vous pour les services publics, opéré par l'ANCT.",
        "Appointment-booking service for public services, operated by ANCT."),
    "st-messages": (
        "Messagerie collaborative partagée de La Suite territoriale (collectivités locales), avec ses propres agents de transfert et de distribution du courrier.",
        "Collaborative shared inbox for La Suite territoriale (local authorities), with its own mail transfer and delivery agents."),
    "st-projets": (
        "Gestion de projets en kanban pour La Suite territoriale, version dérivée de Planka maintenue par l'ANCT.",
        "Kanban project management for La Suite territoriale, a fork of Planka maintained by ANCT."),
    "st-calendars": (
        "Service d'agendas partagés (CalDAV via SabreDAV) développé pour La Suite territoriale.",
        "Shared calendar service (CalDAV through SabreDAV) developed for La Suite territoriale."),
    "st-transferts": (
        "Service de transfert de fichiers pour les collectivités, avec chiffrement de bout en bout optionnel côté client, développé par l'ANCT.",
        "File transfer service for local authorities with optional client-side end-to-end encryption, developed by ANCT."),
    "ovh-publiccloud": (
        "Services d'infrastructure de cloud public d'OVHcloud (calcul, stockage, réseau).",
        "OVHcloud's public cloud infrastructure services (compute, storage, network)."),
    "ovh-hpc-snc": (
        "Cloud privé dédié d'OVHcloud fondé sur VMware, dans sa version qualifiée SecNumCloud.",
        "OVHcloud's dedicated VMware-based private cloud, in its SecNumCloud-qualified version."),
    "ovh-bare-metal-pod": (
        "Offre d'infrastructure sur serveurs physiques (bare metal) d'OVHcloud, inscrite au catalogue ANSSI comme service IaaS qualifié SecNumCloud.",
        "OVHcloud bare-metal infrastructure offer, listed in the ANSSI catalogue as a SecNumCloud-qualified IaaS service."),
    "ovh-snc-cloud-platform": (
        "Plateforme cloud SecNumCloud d'OVHcloud (IaaS), signalée comme qualifiée en juillet 2026 par des sources secondaires.",
        "OVHcloud SecNumCloud cloud platform (IaaS), reported as qualified in July 2026 by secondary sources."),
    "scw-cloud": (
        "Services d'infrastructure et de plateforme du cloud public de Scaleway.",
        "Scaleway's public cloud infrastructure and platform services."),
    "outscale-iaas": (
        "Cloud IaaS d'Outscale reposant sur sa propre pile TINA OS ; héberge notamment France Transfert et ProConnect.",
        "Outscale's IaaS cloud running on its own TINA OS stack; among others it hosts France Transfert and ProConnect."),
    "cloudtemple-iaas": (
        "IaaS Secure Temple de Cloud Temple : IaaS VMware et open source, stockage objet S3, brique HSM-KMS et serveurs bare metal.",
        "Cloud Temple's Secure Temple IaaS: VMware and open-source IaaS, S3 object storage, an HSM-KMS component and bare-metal servers."),
    "cloudtemple-paas-openshift": (
        "Plateforme de conteneurs (PaaS) de Cloud Temple fondée sur Red Hat OpenShift.",
        "Cloud Temple's container platform (PaaS) based on Red Hat OpenShift."),
    "numspot-platform": (
        "Plateforme cloud de NumSpot destinée au secteur public, bâtie sur l'IaaS d'Outscale puis repositionnée fin 2025 en plateforme hybride déployable sur d'autres clouds.",
        "NumSpot's cloud platform for the public sector, built on Outscale IaaS and repositioned in late 2025 as a hybrid platform deployable on other clouds."),
    "s3ns-premi3ns": (
        "Offre cloud opérée en France par S3NS avec la technologie Google Cloud, qualifiée SecNumCloud pour les modèles PaaS, CaaS et IaaS.",
        "Cloud offer operated in France by S3NS with Google Cloud technology, SecNumCloud-qualified for the PaaS, CaaS and IaaS models."),
    "bleu-cloud": (
        "Offre cloud de Bleu, coentreprise d'Orange et de Capgemini, qui distribue les technologies Microsoft Azure et Microsoft 365.",
        "Cloud offer of Bleu, a joint venture of Orange and Capgemini that distributes Microsoft Azure and Microsoft 365 technology."),
    "orange-cloudavenue": (
        "Offre IaaS d'Orange Business ; son service « Cloud Avenue SecNum » est qualifié SecNumCloud.",
        "Orange Business IaaS offer; its 'Cloud Avenue SecNum' service is SecNumCloud-qualified."),
    "docaposte-cloud": (
        "Offre d'hébergement en cloud privé « de confiance » de Docaposte.",
        "Docaposte's 'trusted' private cloud hosting offer."),
    "clevercloud-paas": (
        "Plateforme applicative (PaaS) de Clever Cloud reposant sur son propre orchestrateur, en cloud public ou sur site.",
        "Clever Cloud's application platform (PaaS) running on its own orchestrator, in the public cloud or on premises."),
    "scalingo-paas": (
        "Plateforme applicative (PaaS) de Scalingo, utilisée par de nombreux services numériques de l'État.",
        "Scalingo's application platform (PaaS), used by many French State digital services."),
    "ionos-cloud": (
        "Infrastructure de cloud public d'IONOS.",
        "IONOS public cloud infrastructure."),
    "stackit-cloud": (
        "Infrastructure de cloud public de STACKIT.",
        "STACKIT public cloud infrastructure."),
    "tsystems-otc": (
        "Cloud public de T-Systems (Open Telekom Cloud, devenu T Cloud Public).",
        "T-Systems' public cloud (Open Telekom Cloud, now T Cloud Public)."),
    "element-ess": (
        "Messagerie fondée sur Matrix : clients Element et Element Server Suite, auto-hébergés ou en SaaS ; base logicielle de Tchap.",
        "Matrix-based messaging: Element clients and the Element Server Suite, self-hosted or as SaaS; the code base Tchap derives from."),
    "olvid-app": (
        "Messagerie chiffrée de bout en bout avec un protocole propre et sans annuaire central, disponible en SaaS ou sur site.",
        "End-to-end encrypted messaging with its own protocol and no central directory, available as SaaS or on premises."),
    "wire-app": (
        "Messagerie et collaboration chiffrées de bout en bout (protocoles MLS et Proteus).",
        "End-to-end encrypted messaging and collaboration (MLS and Proteus protocols)."),
    "rocketchat": (
        "Plateforme de discussion d'équipe, auto-hébergée ou en SaaS, éditée par une société américaine.",
        "Team chat platform, self-hosted or SaaS, published by a US company."),
    "mattermost": (
        "Plateforme de discussion d'équipe, auto-hébergée ou en SaaS, éditée par une société américaine.",
        "Team chat platform, self-hosted or SaaS, published by a US company."),
    "jamespot-suite": (
        "Suite collaborative (environnement de travail numérique) de Jamespot, soutenue par France 2030.",
        "Jamespot's collaborative suite (digital workplace), supported by France 2030 funding."),
    "whaller-app": (
        "Plateforme collaborative et réseau social privé pour les organisations, proposée en SaaS.",
        "Collaborative platform and private social network for organisations, offered as SaaS."),
    "whaller-donjon": (
        "Version SaaS dédiée et renforcée de Whaller, qualifiée SecNumCloud.",
        "Dedicated, hardened SaaS version of Whaller, SecNumCloud-qualified."),
    "wimi-app": (
        "Suite collaborative de Wimi (espaces de travail en ligne), soutenue par France 2030.",
        "Wimi's collaborative suite (online workspaces), supported by France 2030 funding."),
    "nextcloud-talk": (
        "Messagerie et appels vidéo intégrés à Nextcloud, auto-hébergés.",
        "Chat and video calls integrated into Nextcloud, self-hosted."),
    "livekit-server": (
        "Serveur média WebRTC libre (SFU) écrit en Go ; couche média de Visio.",
        "Open-source WebRTC media server (SFU) written in Go; the media layer of Visio."),
    "tixeo-meeting": (
        "Visioconférence chiffrée de bout en bout, en service cloud ou en serveur installé sur site.",
        "End-to-end encrypted video conferencing, as a cloud service or an on-premises server."),
    "jitsi-meet": (
        "Visioconférence WebRTC libre, très souvent auto-hébergée.",
        "Open-source WebRTC video conferencing, widely self-hosted."),
    "bigbluebutton": (
        "Système libre de classe virtuelle et de webconférence, généralement auto-hébergé.",
        "Open-source virtual classroom and web conferencing system, usually self-hosted."),
    "whereby": (
        "Service SaaS norvégien de réunions vidéo dans le navigateur.",
        "Norwegian SaaS for video meetings in the browser."),
    "ale-rainbow": (
        "Service SaaS de communications unifiées (messagerie, audio, vidéo) d'Alcatel-Lucent Enterprise.",
        "Unified communications SaaS (messaging, audio and video) from Alcatel-Lucent Enterprise."),
    "oodrive-meet": (
        "Service d'Oodrive pour dématérialiser les réunions de gouvernance (portail de conseil d'administration), en SaaS.",
        "Oodrive service for running board and governance meetings digitally (board portal), as SaaS."),
    "oodrive-share": (
        "Service SaaS d'Oodrive pour le partage sécurisé de fichiers.",
        "Oodrive SaaS service for secure file sharing."),
    "oodrive-work": (
        "Service SaaS « Oodrive Work » inscrit au catalogue ANSSI ; son périmètre fonctionnel n'y est pas décrit.",
        "Oodrive Work SaaS service listed in the ANSSI catalogue, which does not describe its functional scope."),
    "smash-transfer": (
        "Service SaaS de transfert de fichiers présenté comme une alternative française à WeTransfer.",
        "File transfer SaaS presented as a French alternative to WeTransfer."),
    "wetransfer": (
        "Service SaaS de transfert de fichiers.",
        "File transfer SaaS."),
    "swisstransfer": (
        "Service SaaS de transfert de fichiers d'Infomaniak.",
        "File transfer SaaS from Infomaniak."),
    "nextcloud-hub": (
        "Plateforme auto-hébergée de synchronisation et de partage de fichiers (Nextcloud Files) avec des applications collaboratives.",
        "Self-hosted file sync and share platform (Nextcloud Files) with collaboration apps."),
    "linshare": (
        "Logiciel libre de partage sécurisé de fichiers de Linagora, auto-hébergé.",
        "Linagora's open-source secure file-sharing software, self-hosted."),
    "kdrive": (
        "Stockage en ligne (kDrive) et suite collaborative (kSuite) d'Infomaniak, en SaaS.",
        "Infomaniak's online storage (kDrive) and collaborative suite (kSuite), as SaaS."),
    "ox-appsuite": (
        "Suite de messagerie et de travail collaboratif (webmail, agenda, contacts) ; moteur du webmail de l'État.",
        "Email and groupware suite (webmail, calendar, contacts); the engine of the State's webmail."),
    "bluemind": (
        "Serveur de messagerie et de travail collaboratif, sur site ou en SaaS.",
        "Email and groupware server, on premises or as SaaS."),
    "twake-workplace": (
        "Suite collaborative de Linagora incluant la messagerie Twake Mail, auto-hébergée ou en SaaS.",
        "Linagora's collaboration suite including Twake Mail, self-hosted or as SaaS."),
    "zimbra": (
        "Serveur de messagerie et de travail collaboratif installé sur site.",
        "Email and collaboration server deployed on premises."),
    "sogo": (
        "Logiciel libre de travail collaboratif (webmail, agenda, contacts) maintenu par Alinto.",
        "Open-source groupware (webmail, calendar, contacts) maintained by Alinto."),
    "proton-business": (
        "Services de messagerie et de stockage chiffrés de bout en bout (Proton Mail, Proton Drive) pour les organisations.",
        "End-to-end encrypted email and storage services (Proton Mail, Proton Drive) for organisations."),
    "collabora-online": (
        "Suite bureautique en ligne fondée sur LibreOffice, auto-hébergée ou en SaaS.",
        "Online office suite built on LibreOffice technology, self-hosted or as SaaS."),
    "onlyoffice-docs": (
        "Éditeurs bureautiques en ligne (textes, tableurs, présentations), auto-hébergés ou en SaaS.",
        "Online office editors (documents, spreadsheets, presentations), self-hosted or as SaaS."),
    "euro-office": (
        "Version dérivée européenne des éditeurs en ligne d'ONLYOFFICE, annoncée en 2026 par une coalition comprenant IONOS, Nextcloud, XWiki, OpenProject et Proton.",
        "European fork of ONLYOFFICE's online editors, announced in 2026 by a coalition including IONOS, Nextcloud, XWiki, OpenProject and Proton."),
    "cryptpad": (
        "Suite d'édition collaborative chiffrée de bout en bout, auto-hébergée ou en SaaS.",
        "End-to-end encrypted collaborative editing suite, self-hosted or as SaaS."),
    "xwiki-platform": (
        "Plateforme libre de wiki et de gestion des connaissances.",
        "Open-source wiki and knowledge-management platform."),
    "libreoffice": (
        "Suite bureautique libre pour poste de travail.",
        "Open-source desktop office suite."),
    "openproject": (
        "Logiciel libre de gestion de projets, auto-hébergé ou en SaaS.",
        "Open-source project management software, self-hosted or as SaaS."),
    "planka": (
        "Tableau kanban libre, base logicielle de l'outil Projets de l'ANCT.",
        "Open-source kanban board, the code base of ANCT's Projets."),
    "tuleap": (
        "Logiciel libre de gestion de projets et du cycle de vie des applications.",
        "Open-source project and application lifecycle management software."),
    "grist-core": (
        "Tableur relationnel (logiciel libre grist-core et service SaaS Grist Cloud) ; base logicielle de l'instance Grist de l'État.",
        "Relational spreadsheet software (open-source grist-core and the Grist Cloud SaaS); the code base of the State's Grist instance."),
    "baserow": (
        "Base de données sans code, libre, auto-hébergée ou en SaaS.",
        "Open-source no-code database, self-hosted or as SaaS."),
    "keycloak": (
        "Serveur libre de gestion des identités et des accès ; remplace ProConnect dans les environnements de développement de La Suite.",
        "Open-source identity and access management server; stands in for ProConnect in La Suite development stacks."),
    "lemonldap": (
        "Logiciel libre d'authentification unique web et de gestion des accès.",
        "Open-source web single sign-on and access management software."),
    "mistral-le-chat": (
        "Grands modèles de langage et assistant Le Chat Enterprise de Mistral AI, en SaaS ou auto-hébergés.",
        "Large language models and the Le Chat Enterprise assistant from Mistral AI, as SaaS or self-hosted."),
    "worldline-iaas": (
        "Offre IaaS sécurisée de Worldline, qualifiée SecNumCloud.",
        "Worldline's secured IaaS offer, SecNumCloud-qualified."),
    "cegedim-iaas": (
        "Offre IaaS sécurisée de Cegedim (CegNumCloud), qualifiée SecNumCloud.",
        "Cegedim's secured IaaS offer (CegNumCloud), SecNumCloud-qualified."),
    "pronote": (
        "Logiciel de vie scolaire (notes, cahier de textes, communication avec les familles) d'Index Éducation, proposé en SaaS.",
        "School-life management software (marks, homework, communication with families) from Index Education, offered as SaaS."),
    "pronote-primaire": (
        "Déclinaison de Pronote pour les écoles primaires, proposée en SaaS.",
        "Version of Pronote for primary schools, offered as SaaS."),
    "hyperplanning": (
        "Logiciel de planification et d'emplois du temps pour l'enseignement supérieur, d'Index Éducation, proposé en SaaS.",
        "Scheduling and timetabling software for higher education from Index Education, offered as SaaS."),
    "index-edt": (
        "Logiciel de construction des emplois du temps des établissements scolaires (EDT), d'Index Éducation, proposé en SaaS.",
        "Timetable-building software for schools (EDT) from Index Education, offered as SaaS."),
    "apizee": (
        "Produit de communication sécurisée de l'éditeur APIZEE (version 5.2 certifiée CSPN).",
        "Secure communication product from APIZEE (version 5.2 is CSPN-certified)."),
}

# Directed links "X is a sovereign/State alternative to Y" (same suite_class, target controlled
# outside the EU or a market product a State service replaces). Kept deliberately short.
ALTERNATIVES = {
    "lasuite-visio": ["ale-rainbow", "whereby"],
    "tixeo-meeting": ["ale-rainbow", "whereby"],
    "lasuite-tchap": ["mattermost", "rocketchat"],
    "lasuite-francetransfert": ["swisstransfer", "wetransfer"],
    "smash-transfer": ["wetransfer"],
    "euro-office": ["onlyoffice-docs"],
}

# Countries a source states for the hosting of an offer.
HOSTING = {"s3ns-premi3ns": ["FR"]}  # "operated by S3NS in France" (S24)

# Seed offer notes made stale by the offer splits.
OFFER_NOTE_OVERRIDE = {
    "ovh-hpc-snc": "Reported shortlisted with Docaposte for the Health Data Hub.",
}
# Fields the seed says are unknown although it leaves them empty.
OFFER_EXTRA_UNVERIFIED = {"lasuite-francetransfert": ["licences"], "olvid-app": ["licences"]}

# Extra notes for offers (facts moved out of the seed's qualification lists, etc.).
OFFER_EXTRA_NOTES = {
    "lasuite-visio": ["Operated in a SecNumCloud-qualified hosting environment whose provider is not named (S17)."],
    "gouv-proconnect": ["ProConnect's legal notice names Outscale as its host (S33)."],
    "lasuite-francetransfert": ["Licence of the published code not verified."],
    "scw-cloud": ["A secondary SIREN list (S63) describes Scaleway as not SecNumCloud-qualified as of 09/2026."],
    "numspot-platform": ["2025 press described its own SecNumCloud qualification as 'expected' while the "
                         "platform inherited Outscale's qualified IaaS (S23)."],
    "orange-cloudavenue": ["Earlier material described the SecNumCloud qualification as expected; the ANSSI "
                           "catalogue lists the qualified service as 'Cloud Avenue SecNum'."],
    "clevercloud-paas": ["SecNumCloud status unknown (background only, not confirmed)."],
    "lasuite-transcripts": ["Class 'ai_assistant': the product is branded 'Assistant Transcripts' and the "
                            "classes have no transcription entry."],
    "lasuite-calc": ["The IronCalc engine's publisher is not a record of this dataset (country not documented)."],
    "whaller-app": ["The SecNumCloud qualification covers the separate 'Whaller Donjon' offer."],
    "oodrive-share": ["Split from the seed offer 'Oodrive Work / Share'; Oodrive Work is a separate offer."],
    "pronote": ["Pronote Primaire, Hyperplanning and EDT are separate offers, each qualified by its own decision."],
    "cloudtemple-iaas": ["The PaaS OpenShift service is a separate offer."],
    "bigbluebutton": ["The seed suggests it may run behind 'Webinaire de l'État' (unverified)."],
}

# Seed qualification entries: every one must be handled. Value = disposition:
#   ("anssi", "YYYY_N", ...)  -> merged into the catalogue attestation(s) (sources added)
#   ("cspn", "ANSSI-CSPN-..", ...) -> merged into the CSPN attestation(s)
#   ("attest", key) -> becomes / merges into that attestation
#   ("note",) -> not an attestation; the fact lives in the offer's notes
QUAL_DISPOSITION = {
    ("lasuite-visio", "SecNumCloud", "hosted_on_qualified_infra"): ("note",),
    ("gouv-proconnect", "hosting", "hosted_by"): ("note",),
    ("ovh-publiccloud", "HDS", "claimed"): ("attest", "hds-ovhcloud"),
    ("ovh-publiccloud", "ISO27001", "claimed"): ("attest", "iso27001-ovh-publiccloud"),
    ("ovh-hpc-snc", "SecNumCloud", "qualified"): ("anssi", "2023_2279"),
    ("ovh-hpc-snc", "SecNumCloud", "qualified_per_S62"): ("anssi", "2023_2279"),
    ("scw-cloud", "SecNumCloud", "in_progress"): ("attest", "secnumcloud-scw-cloud"),
    ("scw-cloud", "HDS", "claimed"): ("attest", "hds-scaleway"),
    ("scw-cloud", "SecNumCloud", "not_qualified_as_of_2026-09_per_S63"): ("note",),
    ("outscale-iaas", "SecNumCloud", "qualified"): ("anssi", "2023_2118"),
    ("outscale-iaas", "HDS", "claimed"): ("attest", "hds-outscale"),
    ("outscale-iaas", "SecNumCloud", "qualified_per_S62"): ("anssi", "2023_2118"),
    ("cloudtemple-iaas", "SecNumCloud", "qualified"): ("anssi", "2025_918"),
    ("cloudtemple-iaas", "SecNumCloud", "qualified_per_S62"): ("anssi", "2025_918", "2025_919"),
    ("numspot-platform", "SecNumCloud", "unclear"): ("note",),
    ("numspot-platform", "SecNumCloud", "qualified_per_S62_partial_secondary"): ("attest", "secnumcloud-numspot-platform"),
    ("s3ns-premi3ns", "SecNumCloud", "qualified"): ("anssi", "2025_2057"),
    ("s3ns-premi3ns", "SecNumCloud", "qualified_per_S62"): ("anssi", "2025_2057"),
    ("bleu-cloud", "SecNumCloud", "in_progress"): ("attest", "secnumcloud-bleu-cloud"),
    ("orange-cloudavenue", "SecNumCloud", "in_progress"): ("note",),
    ("orange-cloudavenue", "SecNumCloud", "qualified_per_S62"): ("anssi", "2025_1147"),
    ("docaposte-cloud", "SecNumCloud", "reported"): ("attest", "secnumcloud-docaposte-cloud"),
    ("docaposte-cloud", "HDS", "claimed"): ("attest", "hds-docaposte"),
    ("clevercloud-paas", "SecNumCloud", "unverified"): ("note",),
    ("scalingo-paas", "SecNumCloud", "reported_third_party"): ("attest", "secnumcloud-scalingo-paas"),
    ("scalingo-paas", "HDS", "claimed"): ("attest", "hds-scalingo"),
    ("ionos-cloud", "C5", "claimed"): ("attest", "bsi-c5-ionos-cloud"),
    ("stackit-cloud", "C5", "claimed"): ("attest", "bsi-c5-stackit-cloud"),
    ("olvid-app", "CSPN", "certified"): ("cspn", "ANSSI-CSPN-2020-30", "ANSSI-CSPN-2021-12"),
    ("olvid-app", "CSPN", "certificate_not_maintained_per_S62"): ("cspn", "ANSSI-CSPN-2020-30", "ANSSI-CSPN-2021-12"),
    ("whaller-app", "SecNumCloud", "claimed_unverified"): ("anssi", "2024_1369"),
    ("whaller-app", "SecNumCloud", "qualified_per_S62"): ("anssi", "2024_1369"),
    ("tixeo-meeting", "CSPN", "certified"): ("cspn", "ANSSI-CSPN-2022-12"),
    ("tixeo-meeting", "CSPN", "expired_archived_per_S62"): ("cspn", "ANSSI-CSPN-2022-12"),
    ("ale-rainbow", "HDS", "claimed_unverified"): ("attest", "hds-ale"),
    ("oodrive-meet", "SecNumCloud", "qualified_per_S62"): ("anssi", "2025_242"),
    ("oodrive-share", "SecNumCloud", "qualified"): ("anssi", "2025_241", "2025_243"),
    ("oodrive-share", "SecNumCloud", "qualified_per_S62"): ("anssi", "2025_241", "2025_243"),
    ("worldline-iaas", "SecNumCloud", "qualified_per_S62"): ("anssi", "2025_561"),
    ("cegedim-iaas", "SecNumCloud", "qualified_per_S62"): ("anssi", "2024_1951"),
    ("pronote", "SecNumCloud", "qualified_per_S62"): ("anssi", "2025_795", "2025_796", "2025_797", "2025_798"),
}

# SecNumCloud catalogue rows (2026-03-04) -> offer key, by (year, number).
SNC_OFFER = {
    "2024_1951": "cegedim-iaas", "2025_918": "cloudtemple-iaas", "2025_919": "cloudtemple-paas-openshift",
    "2025_795": "pronote", "2025_796": "pronote-primaire", "2025_797": "hyperplanning",
    "2025_798": "index-edt", "2023_2279": "ovh-hpc-snc", "2025_559": "ovh-bare-metal-pod",
    "2025_242": "oodrive-meet", "2025_243": "oodrive-work", "2025_241": "oodrive-share",
    "2025_1147": "orange-cloudavenue", "2023_2118": "outscale-iaas", "2025_2057": "s3ns-premi3ns",
    "2024_1369": "whaller-donjon", "2025_561": "worldline-iaas",
}
SNC_EXTRA_NOTES = {
    "2023_2118": ["Service named 'IaaS' in the 05/12/2025 edition, renamed 'IaaS Cloud on Demand' in the "
                  "04/03/2026 edition (same decision).",
                  "Recommendation 'modéré' although the end date was more than six months away: a manual "
                  "ANSSI override, seen in both editions."],
    "2025_918": ["Press reports a first SecNumCloud IaaS qualification in 2022 (S53).",
                 "A secondary transcription of the 15/09/2026 edition shows a new decision (3389, from "
                 "31/07/2026) for this service: see attestation secnumcloud-cloudtemple-iaas."],
    "2025_2057": ["Press reports SecNumCloud version 3.2 for the PREMI3NS offer (S24); the catalogue has no "
                  "version column."],
    "2024_1369": ["Listed for the dedicated 'Whaller Donjon' offer only."],
}
CSPN_OFFER = {"ANSSI-CSPN-2025-13": "apizee", "ANSSI-CSPN-2021-12": "olvid-app",
              "ANSSI-CSPN-2020-30": "olvid-app", "ANSSI-CSPN-2022-12": "tixeo-meeting"}
CSPN_DEVELOPER = {"APIZEE": "apizee", "OLVID": "olvid", "TIXEO": "tixeo"}

# Rows of the secondary 15/09/2026 list that are new decisions (not in the 04/03/2026 edition).
SECONDARY_NEW = {
    ("Cloud Temple", "IaaS Secure Temple"): ("secnumcloud-cloudtemple-iaas", "cloudtemple-iaas"),
    ("Numspot", "Plateforme des services cloud"): ("secnumcloud-numspot-platform", "numspot-platform"),
    ("OVH", "SNC Cloud Platform"): ("secnumcloud-ovh-snc-cloud-platform", "ovh-snc-cloud-platform"),
}

# ANS HDS rows (raison sociale) -> supplier key; rows for suppliers absent from the dataset are skipped.
HDS_HOLDER = {"CLEVER CLOUD": "clever-cloud", "SCALINGO": "scalingo", "OUTSCALE": "outscale",
              "SCALEWAY": "scaleway", "OVH": "ovhcloud", "NUMSPOT": "numspot"}
HDS_SKIPPED = {"GOOGLE", "AMAZON WEB SERVICES", "MICROSOFT"}
HDS_SOURCE_LABELS = {
    "H1": "H1 (Clever Cloud developer documentation)",
    "H2": "H2 (third-party audit)",
    "H3": "H3 (third-party reading of the ANS list, 24/07/2026)",
    "H4": "H4 (third-party note)",
    "H5": "H5 (third-party note, October 2026)",
    "H6": "H6 (numspot.com HDS page)",
}
HDS_ACTIVITIES = ["physical sites", "hardware infrastructure", "virtual infrastructure",
                  "application hosting platform", "administration and operation", "backup"]

# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


class BuildError(Exception):
    pass


def fail(message: str) -> None:
    raise BuildError(message)


def luhn_ok(siren: str) -> bool:
    if siren == "356000000":  # La Poste: the one SIREN that does not pass Luhn
        return True
    if not re.fullmatch(r"\d{9}", siren):
        return False
    total = 0
    for i, ch in enumerate(reversed(siren)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def french_vat(siren: str) -> str:
    key = (12 + 3 * (int(siren) % 97)) % 97
    return f"FR{key:02d}{siren}"


def fr_date(value: str) -> str:
    day, month, year = value.strip().split("/")
    return date(int(year), int(month), int(day)).isoformat()


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    fail(f"{path}:{n}: invalid JSON ({exc})")
    return rows


def read_csv(path: Path, delimiter: str = ",") -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def ref_key(source_id: str) -> str:
    return source_id.lower()


def strip_marker(value: str | None) -> tuple[str | None, bool]:
    """Remove a trailing '(unverified)'-type marker; return (clean, was_marked)."""
    if value is None:
        return None, False
    m = re.match(r"^(.*?)\s*\((unverified|not verified|inferred[^)]*)\)\s*$", value)
    if m:
        return m.group(1).strip(), True
    return value, False


def join_notes(parts: list[str | None]) -> str | None:
    parts = [p.strip() for p in parts if p and p.strip()]
    if not parts:
        return None
    return " ".join(p if p.endswith((".", "!", "?")) else p + "." for p in parts)


def decision_from_url(url: str) -> tuple[int, str]:
    m = re.search(r"/(\d{4})_(\d+)_np\.pdf$", url)
    if not m:
        fail(f"decision URL without <YEAR>_<NUMBER>: {url}")
    return int(m.group(1)), m.group(2)


def dedupe(seq):
    out = []
    for x in seq:
        if x not in out:
            out.append(x)
    return out


# --------------------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------------------


def build(data: Path) -> dict[str, list[dict]]:
    cat = data / "catalogue"
    anssi = data / "anssi"
    seed_suppliers = read_jsonl(cat / "suppliers.jsonl")
    seed_offers = read_jsonl(cat / "offers.jsonl")
    seed_sources = read_jsonl(cat / "sources.jsonl")
    repos = {r["repo"]: r for r in read_jsonl(cat / "lasuite_repos.jsonl")}
    snc_2025 = read_csv(anssi / "catalogue-2025-12-05_secnumcloud.csv")
    snc_2026 = read_csv(anssi / "catalogue-2026-03-04_secnumcloud.csv")
    snc_secondary = read_csv(anssi / "catalogue-2026-09-15_secnumcloud_partial_SECONDARY.csv")
    cspn_rows = read_csv(anssi / "catalogue-2026-03-04_cspn_sample.csv")
    other_rows = read_csv(anssi / "catalogue-2026-03-04_other-services_sample.csv")
    siren_secondary = read_csv(data / "suppliers" / "suppliers_siren_SECONDARY.csv", delimiter=";")
    hds_rows = read_csv(data / "ans-hds" / "liste-hebergeurs-certifies_SYNTH.csv", delimiter=";")

    if len(snc_2026) != 17:
        fail(f"expected 17 SecNumCloud rows in the 2026-03-04 edition, found {len(snc_2026)}")

    # ---- suppliers ---------------------------------------------------------------------------
    secondary_siren = {r["siren"]: r for r in siren_secondary}
    suppliers: dict[str, dict] = {}
    dropped_suppliers = []
    seed_supplier_ids = [s["supplier_id"] for s in seed_suppliers]
    missing = sorted(set(seed_supplier_ids) - set(SUPPLIERS))
    if missing:
        fail(f"seed suppliers without a curated entry: {missing}")
    for s in seed_suppliers:
        sid = s["supplier_id"]
        curated = SUPPLIERS[sid]
        if s["country_hq"] == "unverified" or curated is None:
            if curated is not None:
                fail(f"{sid}: country 'unverified' in the seed but a curated entry exists")
            dropped_suppliers.append(sid)
            continue
        legal_name, trade_names, aliases, chain, extra_unv, extra_note = curated
        unverified = list(extra_unv)
        if re.search(r"not verified", s["legal_name"]) and "legal_name" not in unverified:
            unverified.append("legal_name")
        siren = s["siren"]
        vat = None
        refs = [ref_key(x) for x in s["sources"]]
        if siren:
            if not luhn_ok(siren):
                fail(f"{sid}: SIREN {siren} fails the Luhn check")
            src = s["siren_source"] or ""
            if src.startswith("S63"):
                unverified += ["siren", "vat_number"]
                if siren not in secondary_siren:
                    fail(f"{sid}: SIREN {siren} said to come from S63 but absent from the secondary list")
                if "s63" not in refs:
                    refs.append("s63")
            elif src != "S33":
                fail(f"{sid}: unknown SIREN source {src!r}")
            if s["country_hq"] == "FR":
                vat = french_vat(siren)
        hq_city, city_marked = strip_marker(s["hq_city"])
        city_note = None
        if hq_city and "/" in hq_city:  # two candidate cities: keep none
            city_note = f"Head office reported as {hq_city.replace('/', ' or ')} (not verified)"
            hq_city = None
        elif city_marked:
            unverified.append("hq_city")
        website, web_marked = strip_marker(s["website_domain"])
        if web_marked:
            unverified.append("website")
        country = s["country_hq"]
        ucc = s["ultimate_control_country"]
        ucc = None if ucc in (None, "unclear", "unknown") else ucc
        exposure_note = SUPPLIER_NOTE_OVERRIDE.get(sid, s["extraterritorial_exposure"]["notes"])
        record = {
            "record": "supplier", "key": sid, "legal_name": legal_name,
            "trade_names": trade_names, "aliases": aliases, "kind": s["kind"],
            "siren": siren, "siret": None, "vat_number": vat, "lei": None,
            "country": country, "hq_city": hq_city,
            "website": f"https://{website}" if website else None,
            "control_chain": [{"name": n, "country": c, "relation": r} for n, c, r in chain],
            "ultimate_control_country": ucc,
            "unverified": dedupe(unverified),
            "notes": join_notes([exposure_note, extra_note, city_note]),
            "references": dedupe(refs + (["s19"] if sid == "dinum" else [])),
            "confidence": s["confidence"],
        }
        suppliers[sid] = record

    # Aliases from the seed's anssi_catalogue_name must be present.
    for s in seed_suppliers:
        name = s.get("anssi_catalogue_name")
        if name and s["supplier_id"] in suppliers:
            short = name.split(" (")[0]
            if short not in suppliers[s["supplier_id"]]["aliases"]:
                fail(f"{s['supplier_id']}: ANSSI catalogue name {short!r} missing from aliases")

    def create_supplier(catalogue_name: str, ref: str) -> str:
        key, note = NEW_SUPPLIERS[catalogue_name]
        if key in suppliers:
            return key
        unverified = ["legal_name", "country"] if key in NEW_SUPPLIER_COUNTRY_DOUBT else ["legal_name"]
        suppliers[key] = {
            "record": "supplier", "key": key, "legal_name": catalogue_name, "trade_names": [],
            "aliases": [], "kind": "company", "siren": None, "siret": None, "vat_number": None,
            "lei": None, "country": "FR", "hq_city": None, "website": None, "control_chain": [],
            "ultimate_control_country": None, "unverified": unverified,
            "notes": join_notes(["Created from the ANSSI catalogue, where it appears under this short name; "
                                 "legal entity, SIREN and ownership not researched", note]),
            "references": [ref], "confidence": "medium",
        }
        return key

    # ---- offers ------------------------------------------------------------------------------
    offers: dict[str, dict] = {}
    dropped_offers = []
    for o in seed_offers:
        oid = o["offer_id"]
        if o["supplier_id"] not in suppliers:
            dropped_offers.append(oid)
            continue
        if oid not in DESCRIPTIONS:
            fail(f"offer {oid}: no description")
        category = CATEGORY_OVERRIDE.get(oid) or CATEGORY_MAP.get(o["category"])
        if category is None:
            fail(f"offer {oid}: unmapped seed category {o['category']!r}")
        seed_class = o["suite_class"]
        if oid in SUITE_CLASS_OVERRIDE:
            suite_class = SUITE_CLASS_OVERRIDE[oid]
        elif seed_class in SUITE_CLASS_DIRECT:
            suite_class = SUITE_CLASS_DIRECT[seed_class]
        elif seed_class in ("innovation", "platform", "complementary", "other"):
            suite_class = CLASS_FROM_CATEGORY.get(category)
        else:
            fail(f"offer {oid}: unmapped seed suite_class {seed_class!r}")
        lic_key = tuple(o["open_source_licence"]) if isinstance(o["open_source_licence"], list) \
            else o["open_source_licence"]
        if lic_key not in LICENCE_MAP:
            fail(f"offer {oid}: unmapped licence {lic_key!r}")
        licences, lic_unverified, lic_note = LICENCE_MAP[lic_key]
        unverified = dedupe((["licences"] if lic_unverified else []) + OFFER_EXTRA_UNVERIFIED.get(oid, []))
        ls = o["la_suite"]
        suite_tier, tier_note = None, None
        if ls["used"] and ls["tier"] in SUITE_TIERS:
            if oid not in TIER_DECISIONS:
                fail(f"offer {oid}: used in La Suite with tier {ls['tier']} but no tier decision")
        if oid in TIER_DECISIONS:
            if not ls["used"]:
                fail(f"offer {oid}: tier decision for an offer the State does not use")
            suite_tier, tier_note = TIER_DECISIONS[oid]
        suite_role = None
        if ls["used"]:
            parts = []
            if ls.get("role"):
                parts.append(ls["role"])
            if ls.get("operator"):
                parts.append(f"operator: {ls['operator']}")
            parts.append(f"seed tier '{ls['tier']}' ({ls['tier_basis']})")
            suite_role = "; ".join(parts)
        repo = o["source_repo"]
        repo_note = None
        if repo:
            short = repo.removeprefix("github.com/")
            status = repos.get(short, {}).get("status")
            if status and status.lower() not in (o["notes"] or "").lower():
                repo_note = f"Repository status: {status}"
            repo = "https://" + repo if repo.startswith("github.com/") else repo
        tech_note = None
        if "background" in (o["underlying_tech"] or "") or "unverified" in (o["underlying_tech"] or ""):
            tech_note = f"Underlying technology: {o['underlying_tech']}"
        fr, en = DESCRIPTIONS[oid]
        offers[oid] = {
            "record": "offer", "key": oid, "supplier": o["supplier_id"],
            "name": OFFER_RENAMES.get(oid, o["name"]), "category": category,
            "description_fr": fr, "description_en": en,
            "deployment_models": dedupe([DEPLOYMENT_MAP.get(d, d) for d in o["deployment"]]),
            "licences": licences, "hosting_locations": HOSTING.get(oid, []),
            "suite_class": suite_class, "suite_tier": suite_tier, "suite_role": suite_role,
            "url": o["url"], "source_repo": repo,
            "alternative_to": sorted(ALTERNATIVES.get(oid, [])),
            "unverified": unverified,
            "notes": join_notes([OFFER_NOTE_OVERRIDE.get(oid, o["notes"]), lic_note, tier_note, repo_note, tech_note]
                                + OFFER_EXTRA_NOTES.get(oid, [])),
            "references": dedupe([ref_key(x) for x in o["sources"]]),
            "confidence": o["confidence"],
        }
    for oid, spec in NEW_OFFERS.items():
        if oid in offers:
            fail(f"created offer {oid} collides with a seed offer")
        category = spec["category"]
        fr, en = DESCRIPTIONS[oid]
        offers[oid] = {
            "record": "offer", "key": oid, "supplier": spec["supplier"], "name": spec["name"],
            "category": category, "description_fr": fr, "description_en": en,
            "deployment_models": spec["deployment_models"], "licences": [],
            "hosting_locations": HOSTING.get(oid, []),
            "suite_class": CLASS_FROM_CATEGORY.get(category), "suite_tier": None, "suite_role": None,
            "url": None, "source_repo": None, "alternative_to": sorted(ALTERNATIVES.get(oid, [])),
            "unverified": list(spec["unverified"]),
            "notes": join_notes([spec["notes"]] + OFFER_EXTRA_NOTES.get(oid, [])),
            "references": list(spec["references"]), "confidence": spec["confidence"],
        }

    def add_refs(rec: dict, refs) -> None:
        rec["references"] = dedupe(rec["references"] + list(refs))

    def add_note(rec: dict, note: str) -> None:
        rec["notes"] = join_notes([rec["notes"], note])

    # ---- attestations ------------------------------------------------------------------------
    attestations: dict[str, dict] = {}

    def attestation(key, supplier, offer, scheme, status, *, provenance, refs, confidence,
                    milestone=None, level=None, service_models=None, scope=None, valid_from=None,
                    valid_until=None, decision=None, recommendation=None, unverified=None, notes=None):
        if key in attestations:
            fail(f"attestation key {key} built twice")
        attestations[key] = {
            "record": "attestation", "key": key, "supplier": supplier, "offer": offer,
            "scheme": scheme, "status": status, "milestone": milestone, "level": level,
            "service_models": service_models or [], "scope": scope, "valid_from": valid_from,
            "valid_until": valid_until, "decision": decision, "recommendation": recommendation,
            "provenance": provenance, "unverified": unverified or [], "notes": notes,
            "references": dedupe(refs), "confidence": confidence,
        }
        return attestations[key]

    def prov(source, reference, first_seen, last_seen=None):
        return {"source": source, "source_reference": reference, "first_seen": first_seen,
                "last_seen": last_seen or first_seen, "verification": "declared"}

    # Supplier-name resolution against legal names, trade names and aliases.
    def resolve(name: str, exact: bool = True) -> list[str]:
        hits = []
        for k, rec in suppliers.items():
            names = [rec["legal_name"], *rec["trade_names"], *rec["aliases"]]
            if exact:
                ok = name in names
            else:
                ok = name.casefold() in {n.casefold() for n in names}
            if ok:
                hits.append(k)
        return hits

    decisions_2025 = {"{}_{}".format(*decision_from_url(r["decision_url"])) for r in snc_2025}
    secondary_by_decision = {}
    for r in snc_secondary:
        url = r["decision_url_if_seen_in_2026-03_edition"]
        if url:
            secondary_by_decision["{}_{}".format(*decision_from_url(url))] = r

    # SecNumCloud, catalogue of 04/03/2026 (one attestation per row).
    for r in snc_2026:
        year, number = decision_from_url(r["decision_url"])
        if number != r["decision_numero"].strip():
            fail(f"decision number {r['decision_numero']} does not match URL {r['decision_url']}")
        dk = f"{year}_{number}"
        hits = resolve(r["nom_du_fournisseur"])
        if len(hits) != 1:
            fail(f"SecNumCloud provider {r['nom_du_fournisseur']!r} matches {hits}")
        supplier = hits[0]
        offer = SNC_OFFER.get(dk)
        if offer is None or offers[offer]["supplier"] != supplier:
            fail(f"SecNumCloud decision {dk}: no offer of {supplier} mapped")
        models = [m for m in SERVICE_MODELS if r[m].strip().upper() == "X"]
        if not models:
            fail(f"SecNumCloud decision {dk}: no service model marked")
        rec = r["niveau_recommandation"].strip().lower().replace("é", "e")
        if rec not in RECOMMENDATIONS:
            fail(f"SecNumCloud decision {dk}: unknown recommendation {r['niveau_recommandation']!r}")
        first_seen = EDITION_2025[2] if dk in decisions_2025 else EDITION_2026[2]
        refs = [EDITION_2026[0]] + ([EDITION_2025[0]] if dk in decisions_2025 else [])
        notes = [f"Catalogue provider name: '{r['nom_du_fournisseur']}'"] + SNC_EXTRA_NOTES.get(dk, [])
        if dk in secondary_by_decision:
            notes.append("Still listed in a secondary transcription of the 15/09/2026 edition (S62)")
        attestation(
            f"secnumcloud-{year}-{number}", supplier, offer, "secnumcloud", "qualified",
            service_models=models, scope=r["nom_du_service"],
            valid_from=fr_date(r["date_debut_qualification"]),
            valid_until=fr_date(r["date_fin_qualification"]),
            decision={"year": year, "number": number, "url": r["decision_url"]},
            recommendation=rec,
            provenance=prov("anssi-catalogue", SNC_SOURCE_REFERENCE, first_seen, EDITION_2026[2]),
            refs=refs, confidence="high", notes=join_notes(notes))
        add_refs(offers[offer], refs)
        add_refs(suppliers[supplier], [EDITION_2026[0]])

    # Every provider name of the SecNumCloud tables must resolve to exactly one supplier.
    for label, rows, exact in (("2025-12-05", snc_2025, True), ("2026-03-04", snc_2026, True),
                               ("2026-09-15 secondary", snc_secondary, False)):
        for r in rows:
            name = re.sub(r"\s*\(.*\)$", "", r["nom_du_fournisseur"])
            hits = resolve(name, exact=exact)
            if len(hits) != 1:
                fail(f"{label}: SecNumCloud provider {r['nom_du_fournisseur']!r} resolves to {hits}")

    # SecNumCloud: secondary list of 15/09/2026 (new decisions only).
    secondary_ref = ("S62: secondary transcription of the ANSSI catalogue edition of 15/09/2026 by "
                     "third-party research notes, not seen in the PDF itself")
    seen_secondary = set()
    for r in snc_secondary:
        ident = (r["nom_du_fournisseur"], r["nom_du_service"])
        if ident not in SECONDARY_NEW:
            continue
        key, offer = SECONDARY_NEW[ident]
        seen_secondary.add(ident)
        supplier = offers[offer]["supplier"]
        valid_from = fr_date(r["date_debut_qualification"])
        models = [m for m in SERVICE_MODELS if r[m].strip().upper() == "X"]
        extra = {
            "secnumcloud-cloudtemple-iaas": "New decision for the Secure Temple IaaS, replacing decision "
                                            "2025_918 according to the transcription.",
            "secnumcloud-ovh-snc-cloud-platform": "Third-party readings of ANSSI's 'in qualification' page "
                                                  "(July-August 2026) still listed this service: the page was "
                                                  "stale.",
            "secnumcloud-numspot-platform": None,
        }[key]
        attestation(
            key, supplier, offer, "secnumcloud", "qualified", service_models=models,
            scope=r["nom_du_service"], valid_from=valid_from,
            valid_until=fr_date(r["date_fin_qualification"]),
            decision={"year": int(valid_from[:4]), "number": r["decision_numero"].strip(), "url": None},
            provenance=prov("research", secondary_ref, SECONDARY_EDITION_DATE),
            refs=["s62"], confidence="medium",
            unverified=["decision", "valid_from", "valid_until"],
            notes=join_notes([extra, "Decision year inferred from the start date; no decision link seen",
                              "Reported by both third-party notes" if r["sources"].count(",") == 1
                              else "Reported by one third-party note"]))
        add_refs(offers[offer], ["s62"])
    if seen_secondary != set(SECONDARY_NEW):
        fail(f"secondary SecNumCloud rows not found: {set(SECONDARY_NEW) - seen_secondary}")
    wimi_rows = [r for r in snc_secondary if r["nom_du_fournisseur"].startswith("Cloud Solutions")]
    if len(wimi_rows) != 1:
        fail("expected one 'Cloud Solutions (Wimi)' row in the secondary SecNumCloud list")
    attestation(
        "secnumcloud-wimi", "wimi", None, "secnumcloud", "qualified",
        provenance=prov("research", secondary_ref, SECONDARY_EDITION_DATE), refs=["s62"],
        confidence="low", unverified=["status"],
        notes="Listed by name only ('Cloud Solutions (Wimi)') in the secondary transcription; service, "
              "service model, dates and decision unknown. Third-party readings of ANSSI's 'in "
              "qualification' page in July-August 2026 still listed Wimi as being evaluated.")

    # CSPN certificates (sample of the 04/03/2026 edition).
    for r in cspn_rows:
        m = re.fullmatch(r"ANSSI-CSPN-(\d{4})-(\d+)", r["reference_certificat"].strip())
        if not m:
            fail(f"unexpected CSPN reference {r['reference_certificat']!r}")
        key = f"cspn-{m.group(1)}-{m.group(2)}"
        dev = r["nom_du_developpeur"]
        if dev not in CSPN_DEVELOPER:
            fail(f"CSPN developer {dev!r} not mapped")
        supplier = CSPN_DEVELOPER[dev]
        if supplier not in suppliers:
            create_supplier(dev, EDITION_2026[0])
        if len(resolve(dev, exact=False)) != 1:
            fail(f"CSPN developer {dev!r} does not resolve to exactly one supplier")
        offer = CSPN_OFFER[r["reference_certificat"]]
        end = r["date_fin_certification"].strip()
        archived = "archiv" in r["section"]
        if end.lower() == "non maintenu":
            status, valid_until = "not_maintained", None
        else:
            valid_until = fr_date(end)
            status = "expired" if archived else "qualified"
        section = r["section"].strip()
        attestation(
            key, supplier, offer, "cspn", status,
            scope=f"{r['nom_du_produit']} ({r['type_de_produit']})",
            valid_from=fr_date(r["date_debut_certification"]), valid_until=valid_until,
            provenance=prov("anssi-catalogue",
                            f"Catalogue ANSSI, édition du 04/03/2026 15:34:17, section {section}, "
                            f"certificat {r['reference_certificat']}", EDITION_2026[2]),
            refs=[EDITION_2026[0]], confidence="high",
            notes=join_notes([f"Certificate: {r['url_certificat']}",
                              f"Evaluation centre (CESTI): {r['centre_evaluation_cesti']}; sponsor: "
                              f"{r['nom_du_commanditaire']}",
                              "Listed in the archived section of the catalogue" if archived else None]))
        add_refs(offers[offer], [EDITION_2026[0]])
        add_refs(suppliers[supplier], [EDITION_2026[0]])

    # PASSI / PRIS / PDIS / PVID / PAMS (supplier-level).
    for r in other_rows:
        scheme = r["qualification"].strip().lower()
        if scheme not in {"passi", "pris", "pdis", "pvid", "pams"}:
            fail(f"unexpected qualification {r['qualification']!r}")
        name = r["nom_du_fournisseur"].strip()
        if name not in NEW_SUPPLIERS:
            fail(f"provider {name!r} of the {scheme.upper()} sample is not mapped")
        supplier = create_supplier(name, EDITION_2026[0])
        if len(resolve(name)) != 1:
            fail(f"provider {name!r} does not resolve to exactly one supplier")
        year, number = decision_from_url(r["decision_url"])
        if number != r["decision_numero"].strip():
            fail(f"decision number {r['decision_numero']} does not match URL {r['decision_url']}")
        activities = [a.strip() for a in r["activites_ou_oid"].split(";") if a.strip()]
        service = r["nom_du_service"].strip()
        scope_parts = ([service] if service else []) + activities
        level = r["niveau"].strip() or None
        notes = []
        if level == "Sans objet":
            level = None
            notes.append("Level: 'sans objet' in the catalogue")
        if r["securite_nationale"].strip():
            notes.append(f"Catalogue column 'sécurité nationale': {r['securite_nationale'].strip()}")
        key = f"{scheme}-{supplier}"
        attestation(
            key, supplier, None, scheme, "qualified", level=level,
            scope="; ".join(scope_parts) if scope_parts else None,
            valid_from=fr_date(r["date_debut"]), valid_until=fr_date(r["date_fin"]),
            decision={"year": year, "number": number, "url": r["decision_url"]},
            provenance=prov("anssi-catalogue",
                            f"Catalogue ANSSI, édition du 04/03/2026 15:34:17, section {r['section']} "
                            f"({scheme.upper()})", EDITION_2026[2]),
            refs=[EDITION_2026[0]], confidence="high", notes=join_notes(notes))

    # ANS HDS (research transcription of third-party readings).
    hds_by_supplier = {}
    for r in hds_rows:
        holder = r["raison_sociale"].strip()
        if holder in HDS_SKIPPED:
            continue
        if holder not in HDS_HOLDER:
            fail(f"HDS holder {holder!r} not mapped")
        hds_by_supplier[HDS_HOLDER[holder]] = r
    for supplier, r in sorted(hds_by_supplier.items()):
        activities = [HDS_ACTIVITIES[i] for i in range(6)
                      if r[[c for c in r if c.startswith(f"activite_{i + 1}_")][0]].strip().upper() == "X"]
        referential = r["referentiel"].strip()
        level_note = None
        m = re.match(r"^(.*?)\s*\((.*)\)$", referential)
        if m and "disputed" in m.group(2):
            referential, level_note = m.group(1), m.group(2)
        srcs = [x.strip() for x in r["source"].split(",")]
        scope = []
        if activities:
            nums = [str(HDS_ACTIVITIES.index(a) + 1) for a in activities]
            scope.append(f"Activities {', '.join(nums)} ({', '.join(activities)})")
        if r["numero_certificat"].strip():
            cert = f"certificate {r['numero_certificat'].strip()}"
            if r["organisme_certificateur"].strip():
                cert += f" issued by {r['organisme_certificateur'].strip()}"
            scope.append(cert)
        if "H3" in srcs:
            source, seen = "ans-hds", HDS_READING_DATE
        elif srcs == ["H6"]:
            source, seen = "vendor", SEED_SNAPSHOT_DATE
        else:
            source, seen = "research", SEED_SNAPSHOT_DATE
        unverified = []
        if level_note:
            unverified.append("level")
        if srcs == ["H4"]:
            unverified += ["valid_from", "valid_until"]
        if any(x not in HDS_SOURCE_LABELS for x in srcs):
            fail(f"HDS row {holder!r}: unknown research source in {srcs}")
        confidence = "low" if srcs == ["H4"] else "medium"
        hds_by_supplier[supplier] = dict(
            scope="; ".join(scope) or None, level=referential or None,
            valid_from=fr_date(r["date_debut_validite"]) if r["date_debut_validite"].strip() else None,
            valid_until=fr_date(r["date_fin_validite"]) if r["date_fin_validite"].strip() else None,
            source=source, seen=seen, srcs=srcs, unverified=unverified, confidence=confidence,
            level_note=level_note)

    hds_seed_claims = {}  # supplier -> list of (offer, sources)
    # ---- seed qualifications: every one is handled -------------------------------------------
    used_dispositions = set()
    seed_by_id = {o["offer_id"]: o for o in seed_offers}
    for o in seed_offers:
        for q in o["qualifications"]:
            ident = (o["offer_id"], q["type"], q["status"])
            if ident not in QUAL_DISPOSITION:
                fail(f"seed qualification {ident} has no disposition")
            used_dispositions.add(ident)
            disp = QUAL_DISPOSITION[ident]
            qrefs = [ref_key(x) for x in q["sources"]]
            if disp[0] == "anssi":
                for dk in disp[1:]:
                    y, n = dk.split("_")
                    add_refs(attestations[f"secnumcloud-{y}-{n}"], qrefs)
            elif disp[0] == "cspn":
                for cref in disp[1:]:
                    y, n = cref.removeprefix("ANSSI-CSPN-").split("-")
                    add_refs(attestations[f"cspn-{y}-{n}"], qrefs)
            elif disp[0] == "attest" and disp[1].startswith("hds-"):
                hds_seed_claims.setdefault(o["supplier_id"], []).append((o["offer_id"], qrefs))
            elif disp[0] == "attest" and disp[1] in attestations:
                add_refs(attestations[disp[1]], qrefs)
    unused = set(QUAL_DISPOSITION) - used_dispositions
    if unused:
        fail(f"dispositions for seed qualifications that no longer exist: {sorted(unused)}")

    # Olvid/Tixeo press mentions of their CSPN certificates.
    add_note(attestations["cspn-2022-12"], "Press also describes TixeoServer as CSPN-certified (S30)")

    # HDS attestations (supplier-level: the certificate is issued to the legal entity).
    hds_suppliers = sorted(set(hds_by_supplier) | set(hds_seed_claims))
    for supplier in hds_suppliers:
        claims = hds_seed_claims.get(supplier, [])
        claim_refs = [x for _, refs in claims for x in refs]
        claim_note = None
        if claims:
            claim_note = "The seed attaches an HDS claim to offer(s) " + ", ".join(
                sorted({c for c, _ in claims})) + f" (sources: {', '.join(sorted({x.upper() for x in claim_refs}))})"
        key = f"hds-{supplier}"
        if supplier in hds_by_supplier:
            h = hds_by_supplier[supplier]
            notes = ["Values from " + ", ".join(HDS_SOURCE_LABELS[x] for x in h["srcs"])]
            if h["level_note"]:
                notes.append(f"Referential version {h['level_note']}")
            notes.append(claim_note)
            attestation(
                key, supplier, None, "hds", "qualified", level=h["level"], scope=h["scope"],
                valid_from=h["valid_from"], valid_until=h["valid_until"],
                provenance=prov(h["source"], "ans-hds research data: " + ", ".join(h["srcs"])
                                + ("; seed: " + ", ".join(sorted({x.upper() for x in claim_refs}))
                                   if claim_refs else ""),
                                h["seen"]),
                refs=["ans-hds-readings"] + claim_refs, confidence=h["confidence"],
                unverified=h["unverified"], notes=join_notes(notes))
        else:
            attestation(
                key, supplier, None, "hds", "qualified",
                provenance=prov("research", "seed catalogue: " + ", ".join(sorted({x.upper() for x in claim_refs})),
                                SEED_SNAPSHOT_DATE),
                refs=claim_refs, confidence="low", unverified=["status"],
                notes=join_notes(["Claim from background knowledge only; not found in the ANS list readings",
                                  claim_note]))
        add_refs(suppliers[supplier], [r for r in attestations[key]["references"]
                                       if r == "ans-hds-readings"])

    # Other seed claims.
    attestation(
        "iso27001-ovh-publiccloud", "ovhcloud", "ovh-publiccloud", "iso27001", "qualified",
        provenance=prov("research", "seed catalogue: BG", SEED_SNAPSHOT_DATE), refs=["bg"],
        confidence="low", unverified=["status"], notes="Claim from background knowledge only.")
    for offer, supplier in (("ionos-cloud", "ionos"), ("stackit-cloud", "stackit")):
        attestation(
            f"bsi-c5-{offer}", supplier, offer, "bsi_c5", "qualified",
            provenance=prov("research", "seed catalogue: BG", SEED_SNAPSHOT_DATE), refs=["bg"],
            confidence="low", unverified=["status"], notes="Claim from background knowledge only.")
    attestation(
        "secnumcloud-scw-cloud", "scaleway", "scw-cloud", "secnumcloud", "in_progress",
        provenance=prov("vendor", "seed catalogue: S58 (Scaleway blog), S54 (SFEIR guide)", SEED_SNAPSHOT_DATE),
        refs=["s58", "s54"], confidence="medium",
        notes="Milestone not stated. Third-party readings of ANSSI's 'in qualification' page (July-August "
              "2026) list a 'Scaleway SecNumCloud' service.")
    attestation(
        "secnumcloud-bleu-cloud", "bleu", "bleu-cloud", "secnumcloud", "in_progress", milestone="J0",
        provenance=prov("press", "seed catalogue: S25 (InCyber / Clubic, April 2025)", "2025-04-17"),
        refs=["s25"], confidence="high",
        notes="Milestone J0 reached on 17/04/2025; full qualification targeted for H1 2026 (not confirmed). "
              "Third-party readings of ANSSI's 'in qualification' page (July-August 2026) still list "
              "'Cloud de Confiance Bleu'.")
    attestation(
        "secnumcloud-docaposte-cloud", "docaposte", "docaposte-cloud", "secnumcloud", "qualified",
        provenance=prov("press", "seed catalogue: S52 (Clubic)", SEED_SNAPSHOT_DATE), refs=["s52"],
        confidence="low", unverified=["status", "scope"],
        notes="Press lists Docaposte among SecNumCloud holders; Docaposte does not appear in table 3.3.1 of "
              "the 04/03/2026 catalogue (which only lists suppliers that agreed to appear).")
    attestation(
        "secnumcloud-scalingo-paas", "scalingo", "scalingo-paas", "secnumcloud", "in_progress",
        provenance=prov("research", "seed catalogue: S34 (third-party card)", SEED_SNAPSHOT_DATE),
        refs=["s34"], confidence="low", unverified=["status"],
        notes="A third-party card cites an ANSSI qualification page; Scalingo is absent from table 3.3.1 of "
              "the 04/03/2026 catalogue and third-party readings of the 'in qualification' page (July-August "
              "2026) list it, so the status is recorded as in progress.")

    # ---- references --------------------------------------------------------------------------
    # Wording of a few seed sources tied to the research sessions, restated for a public registry.
    overrides = {
        "bg": {"title": "Background knowledge of the research seed, not confirmed in stored material",
               "supports": "Treat as unverified; check before publishing"},
        "s33": {"title": "Legal notices (mentions légales) found in public GitHub repositories"},
        "s51": {"title": "Copyright headers 'Grist Labs, Inc.' in the gristlabs repositories (Apache-2.0)"},
        "s62": {"title": "Research transcription of the ANSSI catalogue: edition of 04/03/2026 (SecNumCloud, CSPN "
                         "sample) and a partial, secondary list of the edition of 15/09/2026",
                "locator": None,
                "supports": "SecNumCloud decisions (provider, service, dates, decision number and link) and CSPN "
                            "certificates; cross-check only, verify on cyber.gouv.fr before publishing"},
        "s63": {"title": "Research list of SIRENs for the supplier names of the ANSSI catalogue (secondary, "
                         "taken from a third-party source file)",
                "locator": None, "version": "2026"},
    }
    kind_map = {"repo": "repo", "page": "web", "docs": "web", "code": "code_search",
                "background": "background", "sibling_data": "dataset"}
    references: dict[str, dict] = {}
    for s in seed_sources:
        kind = kind_map.get(s["kind"])
        if kind is None:
            fail(f"source {s['source_id']}: unmapped kind {s['kind']!r}")
        locator = s["locator"] or None
        if locator and locator.startswith("github.com/"):
            locator = "https://" + locator
        references[ref_key(s["source_id"])] = {
            "record": "reference", "key": ref_key(s["source_id"]), "kind": kind,
            "title": s["title"], "locator": locator, "version": s["version"] or None,
            "supports": s["supports"] or None,
        }
        references[ref_key(s["source_id"])].update(overrides.get(ref_key(s["source_id"]), {}))
    for key, stamp, _ in (EDITION_2025, EDITION_2026):
        rows = snc_2025 if key == EDITION_2025[0] else snc_2026
        if any(r["catalogue_mis_a_jour_le"] != stamp for r in rows):
            fail(f"{key}: rows carry another edition stamp than {stamp}")
        supports = (f"Table 3.3.1 (qualified SecNumCloud services): {len(rows)} rows")
        if key == EDITION_2026[0]:
            supports += ("; samples of sections 2.1.2 and 6.2 (CSPN), 3.1.2 (PASSI), 3.1.3 (PRIS), "
                         "3.1.4 (PDIS), 3.2.1 (PVID), 3.4.1 (PAMS)")
        references[key] = {
            "record": "reference", "key": key, "kind": "official",
            "title": f"ANSSI — catalogue des produits et services qualifiés, édition du {stamp}",
            "locator": ANSSI_PDF_URL, "version": stamp, "supports": supports,
        }
    references["ans-hds-readings"] = {
        "record": "reference", "key": "ans-hds-readings", "kind": "dataset",
        "title": "ANS list of certified health-data hosts (HDS): values gathered from third-party readings "
                 "and vendor pages (research notes H1-H6)",
        "locator": "https://esante.gouv.fr/offres-services/hds/liste-des-herbergeurs-certifies",
        "version": "readings from 2024 to October 2026",
        "supports": "Clever Cloud certificate FR094504 (Bureau Veritas, 20/12/2024-19/12/2027, activities "
                    "1-6); Scalingo certificate 38436-2 (LNE, valid to 11/09/2028, activities 1-6); Outscale "
                    "certificate 36741-6 (27/08/2026-27/08/2029); Scaleway activities 1-4; OVHcloud "
                    "activities 1-6 (referential version disputed); NumSpot certified under the 2024 "
                    "referential (numspot.com)",
    }

    # Keep only the references some record cites.
    cited = set()
    for group in (suppliers, offers, attestations):
        for rec in group.values():
            cited.update(rec["references"])
    dropped_refs = sorted(k for k in references if k not in cited)
    references = {k: v for k, v in references.items() if k in cited}

    return {
        "reference": [references[k] for k in sorted(references)],
        "supplier": [suppliers[k] for k in sorted(suppliers)],
        "offer": [offers[k] for k in sorted(offers)],
        "attestation": [attestations[k] for k in sorted(attestations)],
        "_dropped": {"suppliers": dropped_suppliers, "offers": dropped_offers,
                     "references": dropped_refs},
        "_snc_expected": {tuple(map(str, decision_from_url(r["decision_url"]))) for r in snc_2026},
    }


# --------------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------------


def validate(out: dict) -> None:
    errors: list[str] = []

    def err(msg):
        errors.append(msg)

    fields = {"reference": REFERENCE_FIELDS, "supplier": SUPPLIER_FIELDS, "offer": OFFER_FIELDS,
              "attestation": ATTESTATION_FIELDS}
    keys = {}
    for rtype, recs in ((t, out[t]) for t in fields):
        seen = Counter(r["key"] for r in recs)
        for k, n in seen.items():
            if n > 1:
                err(f"{rtype} key {k!r} used {n} times")
        keys[rtype] = set(seen)
        if [r["key"] for r in recs] != sorted(seen):
            err(f"{rtype} records not sorted by key")
        for r in recs:
            if list(r) != fields[rtype]:
                err(f"{rtype} {r.get('key')}: fields {list(r)} differ from the format")
            if r["record"] != rtype:
                err(f"{rtype} {r['key']}: record type {r['record']!r}")
            if not KEY_RE.match(r["key"]) or len(r["key"]) > 80:
                err(f"{rtype} key {r['key']!r} is not a slug of at most 80 characters")
            if rtype != "reference":
                if r["confidence"] not in CONFIDENCE:
                    err(f"{rtype} {r['key']}: confidence {r['confidence']!r}")
                for u in r["unverified"]:
                    if u not in UNVERIFIABLE[rtype]:
                        err(f"{rtype} {r['key']}: field {u!r} cannot be marked unverified")
                for f in ("unverified", "references"):
                    if len(r[f]) > MAX_LIST:
                        err(f"{rtype} {r['key']}: more than {MAX_LIST} entries in {f}")
            for f, v in r.items():
                if isinstance(v, str) and f not in ("record", "key"):
                    limit = MAX_TEXT if f in ("notes", "description_fr", "description_en", "scope",
                                              "supports", "title") else MAX_NAME
                    if len(v) > limit:
                        err(f"{rtype} {r['key']}: {f} longer than {limit} characters")
                    if v != v.strip() or not v.strip():
                        err(f"{rtype} {r['key']}: {f} is empty or has surrounding spaces")
                    if any(ord(c) < 32 for c in v):
                        err(f"{rtype} {r['key']}: {f} contains control characters")
            if rtype != "reference" and len(set(r["unverified"])) != len(r["unverified"]):
                err(f"{rtype} {r['key']}: duplicate entries in unverified")

    def check_refs(rtype, r):
        for ref in r["references"]:
            if ref not in keys["reference"]:
                err(f"{rtype} {r['key']}: unknown reference {ref!r}")

    def check_date(label, value):
        if value is None:
            return
        if not isinstance(value, str) or not ISO_DATE_RE.match(value):
            err(f"{label}: date {value!r} is not ISO")
            return
        try:
            date.fromisoformat(value)
        except ValueError:
            err(f"{label}: date {value!r} does not exist")

    for r in out["reference"]:
        if r["kind"] not in REFERENCE_KINDS:
            err(f"reference {r['key']}: kind {r['kind']!r}")
        if not r["title"]:
            err(f"reference {r['key']}: empty title")

    for r in out["supplier"]:
        k = r["key"]
        check_refs("supplier", r)
        if r["kind"] not in SUPPLIER_KINDS:
            err(f"supplier {k}: kind {r['kind']!r}")
        if re.search(r"\((not verified|unverified)", r["legal_name"]) or "not verified" in r["legal_name"]:
            err(f"supplier {k}: legal_name keeps a 'not verified' marker")
        if not COUNTRY_RE.match(r["country"] or ""):
            err(f"supplier {k}: country {r['country']!r}")
        if r["ultimate_control_country"] is not None and not COUNTRY_RE.match(r["ultimate_control_country"]):
            err(f"supplier {k}: ultimate_control_country {r['ultimate_control_country']!r}")
        if r["siren"] is not None:
            if not luhn_ok(r["siren"]):
                err(f"supplier {k}: SIREN {r['siren']} fails Luhn")
            if r["country"] == "FR" and r["vat_number"] != french_vat(r["siren"]):
                err(f"supplier {k}: VAT number {r['vat_number']} does not match SIREN")
            if "siren" in r["unverified"] and r["vat_number"] and "vat_number" not in r["unverified"]:
                err(f"supplier {k}: vat_number must be unverified when siren is")
        elif r["vat_number"] is not None:
            err(f"supplier {k}: VAT number without SIREN")
        if r["website"] is not None and not (r["website"].startswith("https://") and URL_RE.match(r["website"])):
            err(f"supplier {k}: website {r['website']!r}")
        for f in ("trade_names", "aliases", "control_chain"):
            if len(r[f]) > MAX_LIST:
                err(f"supplier {k}: more than {MAX_LIST} entries in {f}")
        for link in r["control_chain"]:
            if set(link) != {"name", "country", "relation"} or not link["name"]:
                err(f"supplier {k}: malformed control_chain entry {link}")
            if link["relation"] not in RELATIONS:
                err(f"supplier {k}: relation {link['relation']!r}")
            if link["country"] is not None and not COUNTRY_RE.match(link["country"]):
                err(f"supplier {k}: control_chain country {link['country']!r}")

    offers_by_key = {o["key"]: o for o in out["offer"]}
    for r in out["offer"]:
        k = r["key"]
        check_refs("offer", r)
        if r["supplier"] not in keys["supplier"]:
            err(f"offer {k}: unknown supplier {r['supplier']!r}")
        if r["category"] not in CATEGORIES:
            err(f"offer {k}: category {r['category']!r}")
        if r["suite_class"] is not None and r["suite_class"] not in SUITE_CLASSES:
            err(f"offer {k}: suite_class {r['suite_class']!r}")
        if r["suite_tier"] is not None and r["suite_tier"] not in SUITE_TIERS:
            err(f"offer {k}: suite_tier {r['suite_tier']!r}")
        if r["suite_tier"] is not None and (r["suite_role"] is None or r["suite_class"] is None):
            err(f"offer {k}: suite_tier without suite_role or suite_class")
        if r["url"] is not None and not URL_RE.match(r["url"]):
            err(f"offer {k}: url {r['url']!r}")
        for d in r["deployment_models"]:
            if d not in DEPLOYMENTS:
                err(f"offer {k}: deployment model {d!r}")
        for lic in r["licences"]:
            if lic not in SPDX_IDS:
                err(f"offer {k}: licence {lic!r} is not an allowed SPDX id")
        for c in r["hosting_locations"]:
            if not COUNTRY_RE.match(c):
                err(f"offer {k}: hosting location {c!r}")
        if not r["description_fr"] or not r["description_en"] or not r["name"]:
            err(f"offer {k}: empty name or description")
        for alt in r["alternative_to"]:
            target = offers_by_key.get(alt)
            if target is None:
                err(f"offer {k}: alternative_to unknown offer {alt!r}")
            elif target["suite_class"] != r["suite_class"] or alt == k:
                err(f"offer {k}: alternative_to {alt!r} of another class")

    snc_catalogue = set()
    for r in out["attestation"]:
        k = r["key"]
        check_refs("attestation", r)
        if r["supplier"] not in keys["supplier"]:
            err(f"attestation {k}: unknown supplier {r['supplier']!r}")
        if r["offer"] is not None:
            if r["offer"] not in offers_by_key:
                err(f"attestation {k}: unknown offer {r['offer']!r}")
            elif offers_by_key[r["offer"]]["supplier"] != r["supplier"]:
                err(f"attestation {k}: offer {r['offer']} belongs to another supplier")
        if r["scheme"] not in SCHEMES:
            err(f"attestation {k}: scheme {r['scheme']!r}")
        if r["status"] not in STATUSES:
            err(f"attestation {k}: status {r['status']!r}")
        for m in r["service_models"]:
            if m not in SERVICE_MODELS:
                err(f"attestation {k}: service model {m!r}")
        if r["milestone"] is not None and r["status"] != "in_progress":
            err(f"attestation {k}: milestone on a status other than in_progress")
        if r["recommendation"] is not None and r["recommendation"] not in RECOMMENDATIONS:
            err(f"attestation {k}: recommendation {r['recommendation']!r}")
        check_date(f"attestation {k} valid_from", r["valid_from"])
        check_date(f"attestation {k} valid_until", r["valid_until"])
        if r["valid_from"] and r["valid_until"] and r["valid_from"] > r["valid_until"]:
            err(f"attestation {k}: valid_from after valid_until")
        d = r["decision"]
        if d is not None:
            if set(d) != {"year", "number", "url"} or not isinstance(d["year"], int) \
                    or not isinstance(d["number"], str) or not DECISION_NUMBER_RE.match(d["number"]) \
                    or not 1990 <= d["year"] <= 2100 or (d["url"] is not None and not URL_RE.match(d["url"])):
                err(f"attestation {k}: malformed decision {d}")
        p = r["provenance"]
        if set(p) != {"source", "source_reference", "first_seen", "last_seen", "verification"}:
            err(f"attestation {k}: malformed provenance")
        else:
            if p["source"] not in PROVENANCE_SOURCES:
                err(f"attestation {k}: provenance source {p['source']!r}")
            if p["verification"] not in VERIFICATIONS:
                err(f"attestation {k}: verification {p['verification']!r}")
            for f in ("first_seen", "last_seen"):
                if p[f] is None:
                    err(f"attestation {k}: provenance {f} missing")
                check_date(f"attestation {k} {f}", p[f])
            if p["first_seen"] and p["last_seen"] and p["first_seen"] > p["last_seen"]:
                err(f"attestation {k}: first_seen after last_seen")
        if r["scheme"] == "secnumcloud" and p.get("source") == "anssi-catalogue":
            if d is None or not d["url"]:
                err(f"attestation {k}: catalogue SecNumCloud attestation without decision link")
            else:
                snc_catalogue.add((str(d["year"]), d["number"]))
                if k != f"secnumcloud-{d['year']}-{d['number']}":
                    err(f"attestation {k}: key does not follow secnumcloud-<year>-<number>")
    n_catalogue = sum(1 for r in out["attestation"]
                      if r["scheme"] == "secnumcloud" and r["provenance"]["source"] == "anssi-catalogue")
    if n_catalogue != 17 or snc_catalogue != out["_snc_expected"]:
        err(f"SecNumCloud catalogue attestations: {n_catalogue} records, decisions "
            f"{sorted(snc_catalogue ^ out['_snc_expected'])} differ from the 2026-03-04 edition")

    if errors:
        raise BuildError("dataset validation failed:\n  - " + "\n  - ".join(errors))


# --------------------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    repo_root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path,
                        help="the researched data folder (with catalogue/, anssi/, suppliers/, ans-hds/)")
    parser.add_argument("--out", type=Path, default=repo_root / "dataset" / "registre.jsonl",
                        help="output file (default: dataset/registre.jsonl in this repository)")
    args = parser.parse_args(argv)
    if not args.data_dir.is_dir():
        parser.error(f"{args.data_dir} is not a directory")
    try:
        out = build(args.data_dir)
        validate(out)
    except BuildError as exc:
        print(f"build_dataset: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"build_dataset: cannot read the data folder: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for rtype in ("reference", "supplier", "offer", "attestation"):
        for rec in out[rtype]:
            lines.append(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
    tmp = args.out.with_suffix(args.out.suffix + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out}")
    for rtype in ("reference", "supplier", "offer", "attestation"):
        print(f"  {rtype + 's':<13} {len(out[rtype]):>4}")
    schemes = Counter(a["scheme"] for a in out["attestation"])
    print("  attestations by scheme: " + ", ".join(f"{s} {n}" for s, n in sorted(schemes.items())))
    dropped = out["_dropped"]
    for what in ("suppliers", "offers", "references"):
        if dropped[what]:
            print(f"  dropped {what}: {', '.join(dropped[what])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
