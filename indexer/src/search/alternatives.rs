//! "Alternative to X": well-known products and the kind of tool they are, kept as data in
//! `indexer/data/alternatives.json`, and the reading of a query as asking for one.

use std::ops::Range;
use std::sync::LazyLock;

use registre_domain::taxonomy::{Category, SuiteClass, Vocabulary};
use serde::Deserialize;

use super::analysis::words;

#[derive(Deserialize)]
struct Table {
    products: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    product: String,
    names: Vec<String>,
    suite_classes: Vec<String>,
    categories: Vec<String>,
}

/// A product from the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Product {
    pub product: String,
    /// Each name as its plain words.
    pub names: Vec<Vec<String>>,
    pub suite_classes: Vec<SuiteClass>,
    pub categories: Vec<Category>,
}

/// Words that make a query ask for an alternative.
const INTENT: &[&str] = &[
    "alternative",
    "alternatives",
    "alternativ",
    "remplacer",
    "remplacant",
    "remplacement",
    "replace",
    "replacement",
    "instead",
    "equivalent",
    "equivalents",
    "substitut",
];

/// Words around the product name that carry nothing once the intent is known.
const CONNECTORS: &[&str] = &[
    "a",
    "au",
    "aux",
    "to",
    "de",
    "du",
    "des",
    "d",
    "for",
    "pour",
    "of",
    "la",
    "le",
    "les",
    "l",
    "un",
    "une",
    "an",
    "the",
    "europeenne",
    "europeen",
    "europeennes",
    "francaise",
    "francais",
    "souveraine",
    "souverain",
    "european",
    "french",
    "sovereign",
    "eu",
    "ue",
    "qui",
    "peut",
    "can",
    "that",
];

fn parse_codes<V: Vocabulary>(product: &str, codes: &[String]) -> Result<Vec<V>, String> {
    codes
        .iter()
        .map(|code| V::parse(code).map_err(|e| format!("{product}: {e}")))
        .collect()
}

fn load(json: &str) -> Result<Vec<Product>, String> {
    let table: Table = serde_json::from_str(json).map_err(|e| e.to_string())?;
    table
        .products
        .into_iter()
        .map(|entry| {
            let names: Vec<Vec<String>> = entry.names.iter().map(|n| words(n)).collect();
            if names.iter().any(Vec::is_empty) || names.is_empty() {
                return Err(format!("{}: a name has no words", entry.product));
            }
            Ok(Product {
                suite_classes: parse_codes(&entry.product, &entry.suite_classes)?,
                categories: parse_codes(&entry.product, &entry.categories)?,
                product: entry.product,
                names,
            })
        })
        .collect()
}

static PRODUCTS: LazyLock<Vec<Product>> = LazyLock::new(|| {
    load(include_str!("../../data/alternatives.json"))
        .expect("indexer/data/alternatives.json is valid (checked by its unit test)")
});

/// The longest product name found as consecutive words of `query_words`.
pub(crate) fn find_product(query_words: &[String]) -> Option<(&'static Product, Range<usize>)> {
    let mut best: Option<(&Product, Range<usize>)> = None;
    for product in PRODUCTS.iter() {
        for name in &product.names {
            if name.len() > query_words.len() {
                continue;
            }
            for start in 0..=query_words.len() - name.len() {
                if query_words[start..start + name.len()] == name[..]
                    && best.as_ref().is_none_or(|(_, r)| r.len() < name.len())
                {
                    best = Some((product, start..start + name.len()));
                }
            }
        }
    }
    best
}

/// Whether the query asks for an alternative ("alternative à", "remplacer", "instead of" ...).
pub(crate) fn asks_for_alternative(query_words: &[String]) -> bool {
    query_words.iter().any(|w| INTENT.contains(&w.as_str()))
}

/// Whether `word` only frames an "alternative to" question.
pub(crate) fn is_framing(word: &str) -> bool {
    INTENT.contains(&word) || CONNECTORS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_table_is_valid() {
        let products = load(include_str!("../../data/alternatives.json")).unwrap();
        assert!(products.len() >= 30);
        assert!(
            products
                .iter()
                .all(|p| !p.suite_classes.is_empty() || !p.categories.is_empty())
        );
    }

    #[test]
    fn the_longest_name_wins_wherever_it_is_in_the_query() {
        let query = words("alternative française à Google Docs");
        let (product, range) = find_product(&query).unwrap();
        assert_eq!(product.product, "Google Docs");
        assert_eq!(range, 3..5);
        assert!(asks_for_alternative(&query));
        assert!(find_product(&words("hébergement santé")).is_none());
    }
}
