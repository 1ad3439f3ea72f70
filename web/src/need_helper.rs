//! The need helper, `/besoin?besoin=…&sensibilite=…`: the buyer states a need and how sensitive the data
//! is; the page lists the State's own tool first, then the market offers meeting the sovereignty
//! requirement, then the others with why. The rule is `registre_domain::need`; this module only loads
//! the offers and lays the answer out.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, handler};
use registre_domain::model::{AttestationData, OfferData, Record};
use registre_domain::need::{self, Candidate, Need, Sensitivity, Verdict};
use registre_domain::taxonomy::{Category, SuiteClass, Vocabulary};
use registre_store::{MAX_PAGE_SIZE, OfferFilter, PageRequest};
use serde::Serialize;

use crate::Web;
use crate::errors::{internal, store};
use crate::language::Lang;
use crate::pages::{path_and_query, render_page};
use crate::records::{display_name, offer_url, supplier_url};
use crate::render::{Html, Layout};
use crate::views::{Badge, exposure_badge, label};

/// Most offers one need can list (the catalogue holds a few per kind; this bounds a page's work).
const MAX_CANDIDATES: usize = 2_000;

#[derive(Serialize)]
struct Choice {
    code: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct SensitivityChoice {
    code: &'static str,
    label: &'static str,
    hint: &'static str,
    checked: bool,
}

#[derive(Serialize)]
struct VerdictView {
    name: String,
    url: String,
    supplier: String,
    supplier_url: String,
    category: String,
    exposure: Badge,
    reasons: Vec<String>,
}

fn verdict(lang: Lang, verdict: &Verdict) -> VerdictView {
    let offer = verdict.candidate.offer;
    let mut exposure = exposure_badge(lang, verdict.assessment.level);
    exposure.text = format!(
        "{} {}",
        lang.pick("Exposition :", "Exposure:"),
        exposure.text
    );
    VerdictView {
        name: offer.data.name.clone(),
        url: offer_url(lang, offer),
        supplier: display_name(&verdict.candidate.supplier.data),
        supplier_url: supplier_url(lang, verdict.candidate.supplier),
        category: label(lang, offer.data.category),
        exposure,
        reasons: verdict
            .reasons
            .iter()
            .map(|r| lang.pick(&r.text_fr, &r.text_en).to_owned())
            .collect(),
    }
}

fn need_choices(lang: Lang, selected: Option<Need>) -> (Vec<Choice>, Vec<Choice>) {
    let choice = |need: Need| Choice {
        code: need.code(),
        label: lang.pick(need.label_fr(), need.label_en()).to_owned(),
        selected: selected == Some(need),
    };
    (
        SuiteClass::all()
            .iter()
            .map(|c| choice(Need::SuiteClass(*c)))
            .collect(),
        Category::all()
            .iter()
            .map(|c| choice(Need::Category(*c)))
            .collect(),
    )
}

/// Every offer answering `need`, page after page.
async fn offers_for(web: &Web, need: Need) -> poem::Result<Vec<Record<OfferData>>> {
    let filter = match need {
        Need::SuiteClass(class) => OfferFilter {
            suite_class: Some(class),
            ..OfferFilter::default()
        },
        Need::Category(category) => OfferFilter {
            category: Some(category),
            ..OfferFilter::default()
        },
    };
    let mut offers = Vec::new();
    let mut after = None;
    loop {
        let page = web
            .store
            .list_offers(
                &filter,
                PageRequest {
                    after,
                    limit: MAX_PAGE_SIZE,
                },
                web.today(),
            )
            .await
            .map_err(store)?;
        offers.extend(page.items);
        match page.next_after {
            Some(next) if offers.len() < MAX_CANDIDATES => after = Some(next),
            _ => return Ok(offers),
        }
    }
}

#[handler]
pub async fn need_page(lang: Lang, web: Data<&Arc<Web>>, request: &Request) -> poem::Result<Html> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(request.uri().query().unwrap_or_default()).unwrap_or_default();
    let first = |name: &str| {
        pairs
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
    };
    let need_code = first("besoin");
    let sensitivity_code = first("sensibilite");
    let need = need_code.as_deref().and_then(Need::parse);
    let sensitivity = sensitivity_code.as_deref().and_then(Sensitivity::parse);
    let mut errors = Vec::new();
    if need_code.is_some() && need.is_none() {
        errors.push(
            lang.pick(
                "Ce besoin n'est pas dans la liste : choisissez un type d'outil ou une catégorie.",
                "This need is not in the list: choose a kind of tool or a category.",
            )
            .to_owned(),
        );
    }
    if sensitivity_code.is_some() && sensitivity.is_none() {
        errors.push(
            lang.pick(
                "Cette sensibilité n'existe pas : choisissez données standard, sensibles ou de santé.",
                "This sensitivity does not exist: choose standard, sensitive or health data.",
            )
            .to_owned(),
        );
    }
    let sensitivity_or_default = sensitivity.unwrap_or(Sensitivity::Standard);
    let (classes, categories) = need_choices(lang, need);
    let sensitivities: Vec<SensitivityChoice> = Sensitivity::ALL
        .iter()
        .map(|s| SensitivityChoice {
            code: s.code(),
            label: lang.pick(s.label_fr(), s.label_en()),
            hint: lang.pick(s.requirement_fr(), s.requirement_en()),
            checked: *s == sensitivity_or_default,
        })
        .collect();

    let mut answer_view = serde_json::Value::Null;
    if let (Some(need), true) = (need, errors.is_empty()) {
        let today = web.today();
        let offers = offers_for(&web, need).await?;
        let context = web.store.offer_context(&offers).await.map_err(store)?;
        let held: Vec<Vec<Record<AttestationData>>> = offers
            .iter()
            .map(|o| context.attestations_of(o).cloned().collect())
            .collect();
        let mut candidates = Vec::with_capacity(offers.len());
        for (offer, attestations) in offers.iter().zip(&held) {
            let supplier = context
                .supplier(offer)
                .ok_or_else(|| internal(format!("offer {} has no supplier loaded", offer.id)))?;
            candidates.push(Candidate {
                offer,
                supplier,
                attestations,
            });
        }
        let answer = need::answer(need, sensitivity_or_default, &candidates, today);
        let top: Vec<&Record<OfferData>> = answer
            .state_tools
            .iter()
            .chain(&answer.meeting)
            .take(crate::compare::MAX_OFFERS)
            .map(|v| v.candidate.offer)
            .collect();
        let compare_url = (top.len() >= crate::compare::MIN_OFFERS).then(|| {
            let pairs: Vec<(&str, &str)> = top.iter().map(|o| ("offre", o.key.as_str())).collect();
            let query = serde_urlencoded::to_string(pairs).expect("string pairs always encode");
            lang.path(&format!("/comparer?{query}"))
        });
        let need_label = lang.pick(need.label_fr(), need.label_en());
        let summary = match lang {
            Lang::Fr => format!(
                "{need_label} · {} : {} outil(s) de l'État, {} offre(s) répondant à l'exigence, {} autre(s).",
                sensitivity_or_default.label_fr(),
                answer.state_tools.len(),
                answer.meeting.len(),
                answer.others.len()
            ),
            Lang::En => format!(
                "{need_label} · {}: {} State tool(s), {} offer(s) meeting the requirement, {} other(s).",
                sensitivity_or_default.label_en(),
                answer.state_tools.len(),
                answer.meeting.len(),
                answer.others.len()
            ),
        };
        answer_view = serde_json::json!({
            "summary": summary,
            "requirement": lang.pick(sensitivity_or_default.requirement_fr(), sensitivity_or_default.requirement_en()),
            "state_tools": answer.state_tools.iter().map(|v| verdict(lang, v)).collect::<Vec<_>>(),
            "meeting": answer.meeting.iter().map(|v| verdict(lang, v)).collect::<Vec<_>>(),
            "others": answer.others.iter().map(|v| verdict(lang, v)).collect::<Vec<_>>(),
            "compare_url": compare_url,
        });
    }
    let title = lang.pick(
        "Trouver une offre selon son besoin",
        "Find an offer for your need",
    );
    let layout = Layout::new(lang, title, &path_and_query(request));
    let mut page = render_page(
        &web,
        "need.html",
        &layout,
        serde_json::json!({
            "heading": title,
            "classes": classes,
            "categories": categories,
            "sensitivities": sensitivities,
            "errors": errors,
            "answer": answer_view,
        }),
    )?;
    if !errors.is_empty() {
        page.status = StatusCode::BAD_REQUEST;
    }
    Ok(page)
}
