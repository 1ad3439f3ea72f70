//! The comparison page, `/comparer?offre=…&offre=…`: two to four offers side by side (supplier, kind,
//! La Suite numérique, qualifications in force with their dates and provenance, exposure with its
//! reasons, deployment, licences, country). Offers are named by key (the links' form) or by id.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, handler};
use registre_domain::model::{OfferData, Record};
use registre_domain::taxonomy::{Scheme, Vocabulary};
use serde::Serialize;

use crate::Web;
use crate::errors::store;
use crate::language::Lang;
use crate::pages::{path_and_query, render_page};
use crate::records::{RecordName, display_name, offer_url, supplier_url};
use crate::render::{Html, Layout};
use crate::views::{AssessmentView, AttestationView, assessment, attestation, country, label};

/// Fewest and most offers a comparison holds.
pub const MIN_OFFERS: usize = 2;
pub const MAX_OFFERS: usize = 4;

#[derive(Serialize)]
struct Column {
    name: String,
    url: String,
    supplier: String,
    supplier_url: String,
    category: String,
    suite_class: Option<String>,
    suite_tier: Option<String>,
    exposure: AssessmentView,
    deployment: String,
    open_source: String,
    country: String,
    hosting: String,
}

#[derive(Serialize)]
struct SchemeRow {
    label: String,
    /// Per offer, in column order: its attestations of this scheme in force today.
    cells: Vec<Vec<AttestationView>>,
}

/// A comparison that cannot be drawn: an HTML page saying why, with its status.
fn refusal(
    web: &Web,
    lang: Lang,
    request: &Request,
    status: StatusCode,
    message: String,
) -> poem::Result<Html> {
    let heading = lang.pick("Comparaison impossible", "Cannot compare");
    let layout = Layout::new(lang, heading, &path_and_query(request));
    let mut page = render_page(
        web,
        "error.html",
        &layout,
        serde_json::json!({
            "heading": heading,
            "message": message,
            "status": status.as_u16(),
        }),
    )?;
    page.status = status;
    Ok(page)
}

/// The `offre` values of a query string, trimmed, empty ones dropped, each once in first-seen order.
fn requested(query: &str) -> Vec<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let mut names: Vec<String> = Vec::new();
    for (key, value) in pairs {
        let value = value.trim();
        if key == "offre" && !value.is_empty() && !names.iter().any(|n| n == value) {
            names.push(value.to_owned());
        }
    }
    names
}

fn count_message(lang: Lang, count: usize) -> String {
    match (lang, count) {
        (Lang::Fr, 0) => "Aucune offre n'est choisie. Cochez de 2 à 4 offres dans les résultats de recherche, puis « Comparer les offres cochées ».".to_owned(),
        (Lang::En, 0) => "No offer is chosen. Tick 2 to 4 offers in the search results, then “Compare the ticked offers”.".to_owned(),
        (Lang::Fr, 1) => "Une seule offre est choisie : il en faut au moins 2 (et au plus 4) pour une comparaison.".to_owned(),
        (Lang::En, 1) => "Only one offer is chosen: a comparison needs at least 2 (and at most 4).".to_owned(),
        (Lang::Fr, n) => format!("{n} offres sont choisies : une comparaison en montre au plus {MAX_OFFERS}. Retirez-en {}.", n - MAX_OFFERS),
        (Lang::En, n) => format!("{n} offers are chosen: a comparison shows at most {MAX_OFFERS}. Remove {}.", n - MAX_OFFERS),
    }
}

#[handler]
pub async fn compare_page(
    lang: Lang,
    web: Data<&Arc<Web>>,
    request: &Request,
) -> poem::Result<Html> {
    let names = requested(request.uri().query().unwrap_or_default());
    if !(MIN_OFFERS..=MAX_OFFERS).contains(&names.len()) {
        let message = count_message(lang, names.len());
        return refusal(&web, lang, request, StatusCode::BAD_REQUEST, message);
    }
    let mut offers: Vec<Record<OfferData>> = Vec::new();
    let mut unknown = Vec::new();
    for name in &names {
        let found = match RecordName::parse(name) {
            None => None,
            Some(RecordName::Id(id)) => optional(web.store.offer(id).await)?,
            Some(RecordName::Key(key)) => optional(web.store.offer_by_key(&key).await)?,
        };
        match found {
            Some(offer) if offers.iter().any(|o| o.id == offer.id) => {}
            Some(offer) => offers.push(offer),
            None => unknown.push(name.as_str()),
        }
    }
    if !unknown.is_empty() {
        let message = match lang {
            Lang::Fr => format!(
                "Aucune offre n'a l'identifiant « {} ». Elle a peut-être été supprimée, ou l'adresse est mal recopiée.",
                unknown.join(" », « ")
            ),
            Lang::En => format!(
                "No offer has the identifier “{}”. It may have been deleted, or the address is mistyped.",
                unknown.join("”, “")
            ),
        };
        return refusal(&web, lang, request, StatusCode::NOT_FOUND, message);
    }
    if offers.len() < MIN_OFFERS {
        let message = match lang {
            Lang::Fr => "Ces adresses désignent toutes la même offre : choisissez-en au moins 2 différentes.".to_owned(),
            Lang::En => "These identifiers all name the same offer: choose at least 2 different ones.".to_owned(),
        };
        return refusal(&web, lang, request, StatusCode::BAD_REQUEST, message);
    }

    let today = web.today();
    let context = web.store.offer_context(&offers).await.map_err(store)?;
    let none = "—";
    let mut columns = Vec::new();
    for offer in &offers {
        let supplier = context.supplier(offer).ok_or_else(|| {
            crate::errors::internal(format!("offer {} has no supplier loaded", offer.id))
        })?;
        let data = &offer.data;
        let join = |items: Vec<String>| {
            if items.is_empty() {
                none.to_owned()
            } else {
                items.join(", ")
            }
        };
        columns.push(Column {
            name: data.name.clone(),
            url: offer_url(lang, offer),
            supplier: display_name(&supplier.data),
            supplier_url: supplier_url(lang, supplier),
            category: label(lang, data.category),
            suite_class: data.suite_class.map(|c| label(lang, c)),
            suite_tier: data.suite_tier.map(|t| label(lang, t)),
            exposure: assessment(lang, &context.assess(offer, today)),
            deployment: join(
                data.deployment_models
                    .iter()
                    .map(|m| label(lang, *m))
                    .collect(),
            ),
            open_source: if data.licences.is_empty() {
                lang.pick(
                    "Non (aucune licence libre enregistrée)",
                    "No (no open-source licence recorded)",
                )
                .to_owned()
            } else {
                format!("{} ({})", lang.pick("Oui", "Yes"), data.licences.join(", "))
            },
            country: country(lang, &supplier.data.country),
            hosting: join(
                data.hosting_locations
                    .iter()
                    .map(|c| country(lang, c))
                    .collect(),
            ),
        });
    }
    // One row per scheme some offer holds in force today, in the vocabulary's order.
    let scheme_rows: Vec<SchemeRow> = Scheme::all()
        .iter()
        .filter_map(|scheme| {
            let cells: Vec<Vec<AttestationView>> = offers
                .iter()
                .map(|offer| {
                    context
                        .attestations_of(offer)
                        .filter(|a| a.data.scheme == *scheme && a.data.is_valid_on(today))
                        .map(|a| attestation(lang, a, None, today))
                        .collect()
                })
                .collect();
            cells.iter().any(|c| !c.is_empty()).then(|| SchemeRow {
                label: label(lang, *scheme),
                cells,
            })
        })
        .collect();
    let names: Vec<&str> = offers.iter().map(|o| o.data.name.as_str()).collect();
    let heading = match lang {
        Lang::Fr => format!("Comparer : {}", names.join(", ")),
        Lang::En => format!("Compare: {}", names.join(", ")),
    };
    let layout = Layout::new(lang, heading.clone(), &path_and_query(request));
    render_page(
        &web,
        "compare.html",
        &layout,
        serde_json::json!({
            "heading": heading,
            "columns": columns,
            "scheme_rows": scheme_rows,
        }),
    )
}

/// A store read where a missing record is an answer, not an error.
fn optional(
    result: Result<Record<OfferData>, registre_store::StoreError>,
) -> poem::Result<Option<Record<OfferData>>> {
    match result {
        Ok(offer) => Ok(Some(offer)),
        Err(registre_store::StoreError::NotFound { .. }) => Ok(None),
        Err(error) => Err(store(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_requested_offers_are_read_once_each_in_order() {
        assert_eq!(
            requested("offre=b&offre=a&offre=b&offre=%20&q=x&offre=c"),
            ["b", "a", "c"]
        );
        assert!(requested("").is_empty());
    }
}
