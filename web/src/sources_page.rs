//! The sources and freshness page, `/sources`: each official source with its last edition, its last
//! attempt (when, how it ended, why it failed) and whether it is stale, then what changed lately with
//! links to the records, and the Atom feed of changes.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem::{Request, handler};
use registre_indexer::sources::service::SourceStatus;
use registre_store::refresh::SourceRun;
use serde::Serialize;

use crate::Web;
use crate::errors::{internal, store};
use crate::language::Lang;
use crate::pages::{path_and_query, render_page};
use crate::records::{display_name, offer_url, supplier_url};
use crate::render::{Html, Layout};
use crate::views::{Badge, DateView, change};

/// How many changes the page lists.
const RECENT_CHANGES: u64 = 30;

/// A source's name and what it lists, in French and English.
fn describe(id: &str) -> (&'static str, &'static str, &'static str, &'static str) {
    match id {
        "anssi-catalogue" => (
            "Catalogue de l'ANSSI",
            "ANSSI catalogue",
            "Le catalogue mensuel (PDF) des produits et services qualifiés par l'ANSSI : SecNumCloud, PASSI, PRIS, PDIS, PVID, PAMS, CSPN.",
            "ANSSI's monthly catalogue (PDF) of qualified products and services: SecNumCloud, PASSI, PRIS, PDIS, PVID, PAMS, CSPN.",
        ),
        "anssi-in-qualification" => (
            "Services en cours de qualification (ANSSI)",
            "Services under qualification (ANSSI)",
            "Les services en cours d'évaluation SecNumCloud.",
            "The services under SecNumCloud evaluation.",
        ),
        "ans-hds" => (
            "Hébergeurs de données de santé (ANS)",
            "Health-data hosts (ANS)",
            "La liste des hébergeurs certifiés HDS de l'Agence du numérique en santé.",
            "The French digital health agency's list of HDS-certified hosts.",
        ),
        "acn-cloud" => (
            "Catalogue cloud de l'ACN (Italie)",
            "ACN cloud catalogue (Italy)",
            "Le catalogue des services cloud qualifiés de l'Agence italienne pour la cybersécurité nationale.",
            "The Italian National Cybersecurity Agency's catalogue of qualified cloud services.",
        ),
        "eu-cloud-coc" => (
            "Code de conduite européen du cloud",
            "EU Cloud Code of Conduct",
            "Le registre public des services déclarés conformes au code de conduite européen du cloud.",
            "The public register of services declared compliant with the EU Cloud Code of Conduct.",
        ),
        _ => ("", "", "", ""),
    }
}

fn moment(lang: Lang, at: DateTime<Utc>) -> DateView {
    DateView {
        iso: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        text: match lang {
            Lang::Fr => at.format("%d/%m/%Y à %H:%M UTC").to_string(),
            Lang::En => at.format("%Y-%m-%d at %H:%M UTC").to_string(),
        },
    }
}

fn outcome(lang: Lang, outcome: &str) -> Badge {
    match outcome {
        "applied" => Badge::new(
            lang.pick("Nouvelle édition appliquée", "New edition applied"),
            Some("success"),
        ),
        "unchanged" => Badge::new(lang.pick("Rien de nouveau", "Nothing new"), Some("success")),
        "failed" => Badge::new(lang.pick("Échec", "Failed"), Some("error")),
        "running" => Badge::new(lang.pick("En cours", "Running"), Some("info")),
        other => Badge::new(other, None),
    }
}

#[derive(Serialize)]
struct RunView {
    outcome: Badge,
    started: DateView,
    finished: Option<DateView>,
    edition: Option<String>,
    rows: Option<i32>,
    changes: Option<i32>,
    error: Option<String>,
}

fn run(lang: Lang, run: &SourceRun) -> RunView {
    RunView {
        outcome: outcome(lang, &run.outcome),
        started: moment(lang, run.started_at),
        finished: run.finished_at.map(|at| moment(lang, at)),
        edition: run.edition.clone(),
        rows: run.rows,
        changes: run.changes,
        error: run.error.clone(),
    }
}

#[derive(Serialize)]
struct SourceView {
    id: &'static str,
    name: String,
    description: String,
    url: Option<String>,
    interval: String,
    edition: Option<String>,
    last_attempt: Option<RunView>,
    last_success: Option<RunView>,
    freshness: Badge,
}

fn source(lang: Lang, status: &SourceStatus) -> SourceView {
    let (name_fr, name_en, about_fr, about_en) = describe(status.id);
    let hours = status.interval.as_secs_f64() / 3600.0;
    SourceView {
        id: status.id,
        name: if name_fr.is_empty() {
            status.id.to_owned()
        } else {
            lang.pick(name_fr, name_en).to_owned()
        },
        description: lang.pick(about_fr, about_en).to_owned(),
        url: crate::views::web_address(Some(&status.url)),
        interval: match lang {
            Lang::Fr => format!("toutes les {hours:.0} heures"),
            Lang::En => format!("every {hours:.0} hours"),
        },
        edition: status.last_success.as_ref().and_then(|r| r.edition.clone()),
        last_attempt: status.last_attempt.as_ref().map(|r| run(lang, r)),
        last_success: status.last_success.as_ref().map(|r| run(lang, r)),
        freshness: if status.stale {
            Badge::new(
                lang.pick(
                    "Pas à jour : aucun succès récent",
                    "Stale: no recent success",
                ),
                Some("warning"),
            )
        } else {
            Badge::new(lang.pick("À jour", "Up to date"), Some("success"))
        },
    }
}

#[derive(Serialize)]
struct ChangeLine {
    change: crate::views::ChangeView,
    kind: String,
    record: Option<String>,
    record_url: Option<String>,
}

#[handler]
pub async fn sources_page(
    lang: Lang,
    web: Data<&Arc<Web>>,
    request: &Request,
) -> poem::Result<Html> {
    let statuses = web.sources.status().await.map_err(internal)?;
    let changes = web
        .store
        .recent_changes(RECENT_CHANGES)
        .await
        .map_err(store)?;
    // The records the changes name, each loaded once.
    let mut offers = HashMap::new();
    for id in changes.iter().filter_map(|c| c.offer_id) {
        if let std::collections::hash_map::Entry::Vacant(slot) = offers.entry(id) {
            match web.store.offer(id).await {
                Ok(offer) => {
                    slot.insert(offer);
                }
                Err(registre_store::StoreError::NotFound { .. }) => {}
                Err(error) => return Err(store(error)),
            }
        }
    }
    let mut supplier_ids: Vec<i64> = changes.iter().filter_map(|c| c.supplier_id).collect();
    supplier_ids.sort_unstable();
    supplier_ids.dedup();
    let suppliers: HashMap<i64, _> = web
        .store
        .suppliers_by_ids(&supplier_ids)
        .await
        .map_err(store)?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let lines: Vec<ChangeLine> = changes
        .iter()
        .map(|c| {
            let offer = c.offer_id.and_then(|id| offers.get(&id));
            let supplier = c.supplier_id.and_then(|id| suppliers.get(&id));
            let (record, record_url) = match (offer, supplier) {
                (Some(offer), Some(supplier)) => (
                    Some(format!(
                        "{} ({})",
                        offer.data.name,
                        display_name(&supplier.data)
                    )),
                    Some(offer_url(lang, offer)),
                ),
                (Some(offer), None) => {
                    (Some(offer.data.name.clone()), Some(offer_url(lang, offer)))
                }
                (None, Some(supplier)) => (
                    Some(display_name(&supplier.data)),
                    Some(supplier_url(lang, supplier)),
                ),
                (None, None) => (None, None),
            };
            ChangeLine {
                change: change(lang, c),
                kind: c.kind.clone(),
                record,
                record_url,
            }
        })
        .collect();
    let title = lang.pick("Sources et fraîcheur des données", "Sources and freshness");
    let layout = Layout::new(lang, title, &path_and_query(request));
    render_page(
        &web,
        "sources.html",
        &layout,
        serde_json::json!({
            "heading": title,
            "sources": statuses.iter().map(|s| source(lang, s)).collect::<Vec<_>>(),
            "changes": lines,
        }),
    )
}
