//! The supplier and offer pages: identity, identifiers, control chain, exposure with its reasons,
//! attestations with their validity, source and last sighting, history, alternatives.

use std::collections::HashMap;
use std::sync::Arc;

use poem::web::{Data, Path};
use poem::{Request, handler};
use registre_domain::model::{Key, OfferData, Record, SupplierData};
use registre_domain::sovereignty::assess_supplier;
use registre_domain::taxonomy::Vocabulary;
use registre_store::{MAX_PAGE_SIZE, OfferContext, OfferFilter, PageRequest};
use serde::Serialize;

use crate::Web;
use crate::errors::{not_found, store};
use crate::language::Lang;
use crate::pages::{path_and_query, render_page};
use crate::render::{Html, Layout};
use crate::views::{
    Badge, assessment, attestation, change, country, in_force_badge, instant, label, tier_badge,
    unverified_map, web_address,
};

/// Most offers listed on a supplier page.
const MAX_OFFERS: usize = 1_000;

#[derive(Serialize)]
struct OfferLine {
    url: String,
    name: String,
    supplier: String,
    category: String,
    facts: Vec<Badge>,
}

/// How a page names a record: its numeric id (as in the API) or its stable key (the links' form).
pub(crate) enum RecordName {
    Id(i64),
    Key(Key),
}

impl RecordName {
    /// Digits are an id; anything else must be a valid key, or names nothing.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            text.parse().ok().map(RecordName::Id)
        } else {
            Key::parse(text).ok().map(RecordName::Key)
        }
    }
}

/// The path of a supplier's page, in the key form.
pub(crate) fn supplier_url(lang: Lang, supplier: &Record<SupplierData>) -> String {
    lang.path(&format!("/fournisseurs/{}", supplier.key))
}

/// The path of an offer's page, in the key form.
pub(crate) fn offer_url(lang: Lang, offer: &Record<OfferData>) -> String {
    lang.path(&format!("/offres/{}", offer.key))
}

/// The offer an id or a key names; a 404 when none does.
pub(crate) async fn find_offer(web: &Web, name: &str) -> poem::Result<Record<OfferData>> {
    match RecordName::parse(name).ok_or_else(not_found)? {
        RecordName::Id(id) => web.store.offer(id).await,
        RecordName::Key(key) => web.store.offer_by_key(&key).await,
    }
    .map_err(store)
}

async fn find_supplier(web: &Web, name: &str) -> poem::Result<Record<SupplierData>> {
    match RecordName::parse(name).ok_or_else(not_found)? {
        RecordName::Id(id) => web.store.supplier(id).await,
        RecordName::Key(key) => web.store.supplier_by_key(&key).await,
    }
    .map_err(store)
}

/// An offer's deciding facts as badges: qualifications in force, exposure, La Suite numérique tier.
pub(crate) fn offer_facts(
    lang: Lang,
    web: &Web,
    context: &OfferContext,
    offer: &Record<OfferData>,
) -> Vec<Badge> {
    let today = web.today();
    let mut facts: Vec<Badge> = context
        .attestations_of(offer)
        .filter(|a| a.data.is_valid_on(today))
        .map(|a| in_force_badge(lang, a.data.scheme, a.data.valid_until))
        .collect();
    let mut exposure = crate::views::exposure_badge(lang, context.assess(offer, today).level);
    exposure.text = format!(
        "{} {}",
        lang.pick("Exposition :", "Exposure:"),
        exposure.text
    );
    facts.push(exposure);
    if let Some(tier) = offer.data.suite_tier {
        facts.push(tier_badge(lang, tier));
    }
    facts
}

fn offer_line(
    lang: Lang,
    web: &Web,
    context: &OfferContext,
    offer: &Record<OfferData>,
) -> OfferLine {
    OfferLine {
        url: offer_url(lang, offer),
        name: offer.data.name.clone(),
        supplier: context
            .supplier(offer)
            .map(|s| display_name(&s.data))
            .unwrap_or_default(),
        category: label(lang, offer.data.category),
        facts: offer_facts(lang, web, context, offer),
    }
}

pub(crate) fn display_name(supplier: &SupplierData) -> String {
    supplier
        .trade_names
        .first()
        .cloned()
        .unwrap_or_else(|| supplier.legal_name.clone())
}

#[derive(Serialize)]
struct IdentifierView {
    label: &'static str,
    value: String,
    unverified: bool,
}

#[handler]
pub async fn supplier_page(
    Path(name): Path<String>,
    lang: Lang,
    web: Data<&Arc<Web>>,
    request: &Request,
) -> poem::Result<Html> {
    let today = web.today();
    let record = find_supplier(&web, &name).await?;
    let id = record.id;
    let mut offers = Vec::new();
    let mut after = None;
    loop {
        let filter = OfferFilter {
            supplier_id: Some(id),
            ..OfferFilter::default()
        };
        let batch = web
            .store
            .list_offers(
                &filter,
                PageRequest {
                    after,
                    limit: MAX_PAGE_SIZE,
                },
                today,
            )
            .await
            .map_err(store)?;
        offers.extend(batch.items);
        match batch.next_after {
            Some(next) if offers.len() < MAX_OFFERS => after = Some(next),
            _ => break,
        }
    }
    let context = web.store.offer_context(&offers).await.map_err(store)?;
    let attestations = web
        .store
        .attestations_of_suppliers(&[id])
        .await
        .map_err(store)?;
    let offer_names: HashMap<i64, &str> = offers
        .iter()
        .map(|o| (o.id, o.data.name.as_str()))
        .collect();
    let mut timeline = Vec::new();
    for offer in &offers {
        timeline.extend(web.store.offer_timeline(offer.id).await.map_err(store)?);
    }
    timeline.sort_by_key(|c| (c.seen_at, c.id));

    let data = &record.data;
    let unverified = unverified_map(&data.unverified);
    let flag = |field: &str| unverified.contains_key(field);
    let mut identifiers = Vec::new();
    if let Some(siren) = &data.siren {
        identifiers.push(IdentifierView {
            label: "SIREN",
            value: siren.to_string(),
            unverified: flag("siren"),
        });
    }
    if let Some(siret) = &data.siret {
        identifiers.push(IdentifierView {
            label: lang.pick("SIRET (siège)", "SIRET (head office)"),
            value: siret.to_string(),
            unverified: flag("siret"),
        });
    }
    if let Some(vat) = &data.vat_number {
        identifiers.push(IdentifierView {
            label: lang.pick("Numéro de TVA", "VAT number"),
            value: vat.to_string(),
            unverified: flag("vat_number"),
        });
    }
    if let Some(lei) = &data.lei {
        identifiers.push(IdentifierView {
            label: "LEI",
            value: lei.to_string(),
            unverified: flag("lei"),
        });
    }
    let unknown_country = lang.pick("pays inconnu", "country unknown");
    let control_chain: Vec<_> = data
        .control_chain
        .iter()
        .map(|link| {
            serde_json::json!({
                "name": link.name,
                "relation": label(lang, link.relation),
                "country": link.country.as_ref().map_or_else(|| unknown_country.to_owned(), |c| country(lang, c)),
            })
        })
        .collect();
    let name = display_name(data);
    let view = serde_json::json!({
        "id": record.id,
        "name": name,
        "legal_name": data.legal_name,
        "trade_names": data.trade_names.join(", "),
        "aliases": data.aliases.join(", "),
        "kind": label(lang, data.kind),
        "country": country(lang, &data.country),
        "city": data.hq_city,
        "website": web_address(data.website.as_deref()),
        "confidence": label(lang, data.confidence),
        "notes": data.notes,
        "identifiers": identifiers,
        "control_chain": control_chain,
        "ultimate_control": data.ultimate_control_country.as_ref().map_or_else(
            || lang.pick("inconnu", "unknown").to_owned(),
            |c| country(lang, c),
        ),
        "exposure": assessment(lang, &assess_supplier(&record)),
        "unverified": unverified,
        "updated": instant(lang, record.updated_at),
    });
    let whole = lang.pick("Fournisseur entier", "Whole supplier");
    let attestation_views: Vec<_> = attestations
        .iter()
        .map(|a| {
            let holder = match a.data.offer_id {
                Some(offer) => offer_names.get(&offer).map(|n| (*n).to_owned()),
                None => Some(whole.to_owned()),
            };
            attestation(lang, a, holder, today)
        })
        .collect();
    let offer_lines: Vec<_> = offers
        .iter()
        .map(|o| offer_line(lang, &web, &context, o))
        .collect();
    let page_url = format!("{}{}", web.public_url, supplier_url(lang, &record));
    let json_ld = crate::structured_data::script_safe(&crate::structured_data::organization(
        lang,
        &web.public_url,
        &page_url,
        &record,
        &offers,
    ));
    let layout = Layout::new(lang, name, &path_and_query(request));
    render_page(
        &web,
        "supplier.html",
        &layout,
        serde_json::json!({
            "json_ld": json_ld,
            "s": view,
            "offers": offer_lines,
            "attestations": attestation_views,
            "timeline": timeline.iter().map(|c| change(lang, c)).collect::<Vec<_>>(),
        }),
    )
}

/// Loads offers by id (skipping any that went away) with what it takes to describe them.
async fn offers_by_ids(
    web: &Web,
    ids: &[i64],
) -> poem::Result<(Vec<Record<OfferData>>, OfferContext)> {
    let mut offers = Vec::new();
    for id in ids {
        match web.store.offer(*id).await {
            Ok(offer) => offers.push(offer),
            Err(registre_store::StoreError::NotFound { .. }) => {}
            Err(error) => return Err(store(error)),
        }
    }
    let context = web.store.offer_context(&offers).await.map_err(store)?;
    Ok((offers, context))
}

#[handler]
pub async fn offer_page(
    Path(name): Path<String>,
    lang: Lang,
    web: Data<&Arc<Web>>,
    request: &Request,
) -> poem::Result<Html> {
    let today = web.today();
    let record = find_offer(&web, &name).await?;
    let id = record.id;
    let context = web
        .store
        .offer_context(std::slice::from_ref(&record))
        .await
        .map_err(store)?;
    let supplier = context
        .supplier(&record)
        .ok_or_else(|| crate::errors::internal(format!("offer {id} has no supplier loaded")))?;
    let data = &record.data;
    let whole = lang.pick("Fournisseur entier", "Whole supplier");
    let attestation_views: Vec<_> = context
        .attestations_of(&record)
        .map(|a| {
            let holder = a.data.offer_id.is_none().then(|| whole.to_owned());
            attestation(lang, a, holder, today)
        })
        .collect();
    let timeline = web.store.offer_timeline(id).await.map_err(store)?;
    let replaced_by_ids = web.store.alternatives_to(id).await.map_err(store)?;
    let (replaced_by, replaced_context) = offers_by_ids(&web, &replaced_by_ids).await?;
    let (replaces, replaces_context) = offers_by_ids(&web, &data.alternative_to).await?;
    let description = match lang {
        Lang::Fr => data
            .description_fr
            .as_ref()
            .or(data.description_en.as_ref()),
        Lang::En => data
            .description_en
            .as_ref()
            .or(data.description_fr.as_ref()),
    };
    let suite = match (data.suite_class, data.suite_tier) {
        (Some(class), Some(tier)) => Some(format!(
            "{} — {}{}",
            label(lang, tier),
            label(lang, class),
            data.suite_role
                .as_ref()
                .map(|role| format!(" ({role})"))
                .unwrap_or_default()
        )),
        (Some(class), None) => Some(format!(
            "{} {}",
            label(lang, class),
            lang.pick(
                "(outil de ce type, non utilisé par l'État)",
                "(a tool of this kind, not used by the State)"
            )
        )),
        _ => None,
    };
    let view = serde_json::json!({
        "id": record.id,
        "name": data.name,
        "supplier": display_name(&supplier.data),
        "supplier_url": supplier_url(lang, supplier),
        "category": label(lang, data.category),
        "description": description,
        "deployment_models": data.deployment_models.iter().map(|m| label(lang, *m)).collect::<Vec<_>>().join(", "),
        "hosting": data.hosting_locations.iter().map(|c| country(lang, c)).collect::<Vec<_>>().join(", "),
        "licences": data.licences.join(", "),
        "suite": suite,
        "url": web_address(data.url.as_deref()),
        "source_repo": data.source_repo,
        "confidence": label(lang, data.confidence),
        "notes": data.notes,
        "facts": offer_facts(lang, &web, &context, &record),
        "exposure": assessment(lang, &context.assess(&record, today)),
        "unverified": unverified_map(&data.unverified),
        "updated": instant(lang, record.updated_at),
    });
    let search =
        serde_urlencoded::to_string([("kind", "offer"), ("category", data.category.code())])
            .expect("string pairs always encode");
    let compare_url =
        compare_with_alternatives(&web, lang, &record, &replaced_by, &replaces).await?;
    let layout = Layout::new(lang, data.name.clone(), &path_and_query(request));
    render_page(
        &web,
        "offer.html",
        &layout,
        serde_json::json!({
            "o": view,
            "attestations": attestation_views,
            "timeline": timeline.iter().map(|c| change(lang, c)).collect::<Vec<_>>(),
            "replaced_by": replaced_by.iter().map(|o| offer_line(lang, &web, &replaced_context, o)).collect::<Vec<_>>(),
            "replaces": replaces.iter().map(|o| offer_line(lang, &web, &replaces_context, o)).collect::<Vec<_>>(),
            "alternatives_search": lang.path(&format!("/recherche?{search}")),
            "compare_url": compare_url,
        }),
    )
}

/// The comparison of an offer with up to three alternatives: those recorded for it first, then offers
/// of the same kind (Suite class, else category), the State's own tools before the others; `None`
/// when there is nothing to compare it with.
async fn compare_with_alternatives(
    web: &Web,
    lang: Lang,
    offer: &Record<OfferData>,
    replaced_by: &[Record<OfferData>],
    replaces: &[Record<OfferData>],
) -> poem::Result<Option<String>> {
    const MAX_ALTERNATIVES: usize = 3;
    let mut keys: Vec<&str> = Vec::new();
    for other in replaced_by.iter().chain(replaces) {
        if other.id != offer.id && !keys.contains(&other.key.as_str()) {
            keys.push(other.key.as_str());
        }
    }
    keys.truncate(MAX_ALTERNATIVES);
    let mut same_kind = Vec::new();
    if keys.len() < MAX_ALTERNATIVES {
        let filter = match offer.data.suite_class {
            Some(class) => OfferFilter {
                suite_class: Some(class),
                ..OfferFilter::default()
            },
            None => OfferFilter {
                category: Some(offer.data.category),
                ..OfferFilter::default()
            },
        };
        let page = PageRequest {
            after: None,
            limit: MAX_PAGE_SIZE,
        };
        same_kind = web
            .store
            .list_offers(&filter, page, web.today())
            .await
            .map_err(store)?
            .items;
        same_kind.sort_by_key(|o| {
            (
                o.data.suite_tier.is_none(),
                o.data.suite_tier,
                o.data.category != offer.data.category,
                o.id,
            )
        });
    }
    for other in &same_kind {
        if keys.len() >= MAX_ALTERNATIVES {
            break;
        }
        if other.id != offer.id && !keys.contains(&other.key.as_str()) {
            keys.push(other.key.as_str());
        }
    }
    if keys.is_empty() {
        return Ok(None);
    }
    let pairs: Vec<(&str, &str)> = std::iter::once(offer.key.as_str())
        .chain(keys)
        .map(|key| ("offre", key))
        .collect();
    let query = serde_urlencoded::to_string(pairs).expect("string pairs always encode");
    Ok(Some(lang.path(&format!("/comparer?{query}"))))
}
