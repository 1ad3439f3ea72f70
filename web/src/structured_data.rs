//! schema.org JSON-LD for supplier pages: an `Organization` (legal name, identifiers, country,
//! offers), written into a `<script type="application/ld+json">` data block. Browsers do not run
//! data blocks, so the Content-Security-Policy (no inline script) still holds; the JSON is escaped
//! so that no `<`, `>` or `&` appears in it and `</script>` cannot end the block early.

use registre_domain::model::{OfferData, Record, SupplierData};
use registre_domain::taxonomy::Vocabulary;
use serde_json::{Value, json};

use crate::language::Lang;

/// JSON text safe inside an HTML `<script>` element: `<`, `>`, `&` and the two JavaScript line
/// separators are written as `\uXXXX` escapes, which mean the same characters to a JSON reader.
pub fn script_safe(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn property(name: &str, value: &str) -> Value {
    json!({ "@type": "PropertyValue", "propertyID": name, "value": value })
}

/// The supplier as a schema.org `Organization`, its page at `page_url`, its offers' pages under
/// `base` (the public URL).
pub fn organization(
    lang: Lang,
    base: &str,
    page_url: &str,
    supplier: &Record<SupplierData>,
    offers: &[Record<OfferData>],
) -> Value {
    let data = &supplier.data;
    let mut identifiers = Vec::new();
    if let Some(siren) = &data.siren {
        identifiers.push(property("SIREN", siren.as_str()));
    }
    if let Some(siret) = &data.siret {
        identifiers.push(property("SIRET", siret.as_str()));
    }
    if let Some(vat) = &data.vat_number {
        identifiers.push(property("VAT", vat.as_str()));
    }
    if let Some(lei) = &data.lei {
        identifiers.push(property("LEI", lei.as_str()));
    }
    let name = data.trade_names.first().unwrap_or(&data.legal_name);
    let alternate: Vec<&String> = data
        .trade_names
        .iter()
        .chain(&data.aliases)
        .filter(|n| *n != name)
        .collect();
    let mut address =
        json!({ "@type": "PostalAddress", "addressCountry": data.country.to_string() });
    if let Some(city) = &data.hq_city {
        address["addressLocality"] = json!(city);
    }
    let offers: Vec<Value> = offers
        .iter()
        .map(|offer| {
            let url = format!("{base}{}", lang.path(&format!("/offres/{}", offer.key)));
            let description = match lang {
                Lang::Fr => offer.data.description_fr.as_ref(),
                Lang::En => offer.data.description_en.as_ref(),
            };
            let mut service = json!({
                "@type": "Service",
                "name": offer.data.name,
                "category": lang.pick(offer.data.category.label_fr(), offer.data.category.label_en()),
                "url": url,
            });
            if let Some(description) = description {
                service["description"] = json!(description);
            }
            json!({ "@type": "Offer", "url": url, "itemOffered": service })
        })
        .collect();
    let mut organization = json!({
        "@context": "https://schema.org",
        "@type": "Organization",
        "@id": format!("{page_url}#organisation"),
        "mainEntityOfPage": page_url,
        "name": name,
        "legalName": data.legal_name,
        "address": address,
        "makesOffer": offers,
    });
    if !alternate.is_empty() {
        organization["alternateName"] = json!(alternate);
    }
    if !identifiers.is_empty() {
        organization["identifier"] = json!(identifiers);
    }
    if let Some(vat) = &data.vat_number {
        organization["vatID"] = json!(vat.as_str());
    }
    if let Some(lei) = &data.lei {
        organization["leiCode"] = json!(lei.as_str());
    }
    if let Some(website) = &data.website {
        organization["url"] = json!(website);
    }
    organization
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closing_script_tag_cannot_appear_in_the_block() {
        let value = json!({ "name": "</script><script>alert(1)</script> & co" });
        let text = script_safe(&value);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
