//! The index schema and its version.
//!
//! Every document is a supplier or an offer. Text is indexed several ways (French, English, plain
//! words for typos and prefixes, normalised exact names); what a hit shows is stored as one JSON
//! summary, so that answering a search never reads the database; sorting and faceting read fast
//! fields only.

use registre_domain::taxonomy::{
    Category, DeploymentModel, ExposureLevel, Scheme, Status, SuiteClass, SuiteTier, Vocabulary,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{IndexSettings, IndexSortByField, Order};

use super::analysis::{ENGLISH, FRENCH, PLAIN};
use super::types::DocKind;

/// Bumped whenever the schema, the analysis, the index settings or the meaning of a stored value
/// changes: an index built under another version is rebuilt on start (2: stored documents in 4 KiB
/// blocks; 3: documents sorted by their facet values; 4: the vocabulary fields keep documents only).
pub const SCHEMA_VERSION: u32 = 4;

/// The index settings: stored documents compressed in blocks of 4 KiB instead of tantivy's 16 KiB,
/// as a page of hits reads one block per hit, scattered across the index (a fifth of a search's
/// time went to reading the page at a million documents). LZ4 compresses small blocks less well:
/// at a million documents the store grows by 47% and the index by 22% (568 → 693 MiB).
///
/// Documents are sorted by `cluster` (see `facets::cluster_key`), in every segment and every merge,
/// so that the facet masks of a block of 64 documents are mostly zero (see `blocks`).
pub(crate) fn settings() -> IndexSettings {
    IndexSettings {
        docstore_blocksize: 4096,
        sort_by_field: Some(IndexSortByField {
            field: "cluster".to_owned(),
            order: Order::Asc,
        }),
        ..IndexSettings::default()
    }
}

/// The schema version with a fingerprint of every vocabulary the facet encoding numbers, so that a
/// reordered or extended vocabulary also forces a rebuild.
pub fn schema_version() -> String {
    let mut codes = String::new();
    fn add<V: Vocabulary>(codes: &mut String) {
        codes.push_str(V::NAME);
        for value in V::all() {
            codes.push(':');
            codes.push_str(value.code());
        }
        codes.push(';');
    }
    add::<DocKind>(&mut codes);
    add::<Category>(&mut codes);
    add::<SuiteClass>(&mut codes);
    add::<SuiteTier>(&mut codes);
    add::<ExposureLevel>(&mut codes);
    add::<DeploymentModel>(&mut codes);
    add::<Scheme>(&mut codes);
    add::<Status>(&mut codes);
    format!("{SCHEMA_VERSION}-{:016x}", fnv1a(codes.as_bytes()))
}

/// FNV-1a, 64 bits: a stable hash (unlike std's, which may change between Rust releases) for
/// fingerprints kept on disk or in cursors.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Handles on the schema's fields.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    /// `id * 2 + (1 for an offer)`: unique per document, the final tie-break.
    pub uid: Field,
    /// The supplier id: a supplier and its offers are re-indexed together.
    pub group: Field,
    pub key: Field,
    /// The display name (French analysis), stored for highlights.
    pub name: Field,
    /// Legal name, trade names, aliases.
    pub other_names: Field,
    /// For an offer, its supplier's names.
    pub supplier_names: Field,
    pub description_fr: Field,
    pub description_en: Field,
    /// Vocabulary labels, scheme names, roles, city, country.
    pub labels_fr: Field,
    pub labels_en: Field,
    /// What a record only inherits from its group, weighed less than its own labels: for a supplier,
    /// what its offers are and the attestations of single offers; for an offer, its supplier's
    /// whole-company attestations.
    pub context_fr: Field,
    pub context_en: Field,
    /// Names of the offers this one is an alternative to.
    pub replaces: Field,
    /// Every word of the document, unstemmed: typo tolerance and "did you mean".
    pub words: Field,
    /// The document's own names, unstemmed: prefix matching and suggestions.
    pub name_words: Field,
    /// Each own name, normalised (see `analysis::normalize`), as one term.
    pub name_exact: Field,
    /// SIREN, SIRET, VAT number, LEI of the record itself.
    pub identifiers: Field,
    /// For an offer, its supplier's identifiers.
    pub supplier_identifiers: Field,
    /// Facet values (see `facets`).
    pub facet: Field,
    /// The index's sort key, from the facet values (see `facets::cluster_key`).
    pub cluster: Field,
    /// `Qualification::rank`.
    pub qualification: Field,
    /// Days since 0001-01-01 of the latest end date of the attestations in force; 0 when none.
    pub qualified_until: Field,
    /// Normalised display name, for sorting and suggestion ranking.
    pub name_sort: Field,
    /// The first day (days since 0001-01-01) on which something computed from dates may change
    /// (an attestation ending or starting); `u64::MAX` when nothing will.
    pub recheck_on: Field,
    /// JSON `StoredHit`.
    pub summary: Field,
}

fn text(tokenizer: &str, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// A vocabulary: its terms and which documents hold them, no frequencies or positions. The
/// searches read these fields' dictionaries (typo corrections, completions, document frequencies)
/// and match their terms with constant scores; indexing every word of every document a second time
/// with frequencies cost the rebuild for nothing.
fn vocabulary(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::Basic),
    )
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        uid: builder.add_u64_field("uid", INDEXED | FAST | STORED),
        group: builder.add_u64_field("group", INDEXED | FAST),
        key: builder.add_text_field("key", STRING),
        name: builder.add_text_field("name", text(FRENCH, true)),
        other_names: builder.add_text_field("other_names", text(FRENCH, false)),
        supplier_names: builder.add_text_field("supplier_names", text(FRENCH, false)),
        description_fr: builder.add_text_field("description_fr", text(FRENCH, true)),
        description_en: builder.add_text_field("description_en", text(ENGLISH, true)),
        labels_fr: builder.add_text_field("labels_fr", text(FRENCH, false)),
        labels_en: builder.add_text_field("labels_en", text(ENGLISH, false)),
        context_fr: builder.add_text_field("context_fr", text(FRENCH, false)),
        context_en: builder.add_text_field("context_en", text(ENGLISH, false)),
        replaces: builder.add_text_field("replaces", text(FRENCH, false)),
        words: builder.add_text_field("words", vocabulary(PLAIN)),
        name_words: builder.add_text_field("name_words", vocabulary(PLAIN)),
        name_exact: builder.add_text_field("name_exact", STRING),
        identifiers: builder.add_text_field("identifiers", STRING),
        supplier_identifiers: builder.add_text_field("supplier_identifiers", STRING),
        facet: builder.add_u64_field("facet", INDEXED | FAST),
        cluster: builder.add_u64_field("cluster", FAST),
        qualification: builder.add_u64_field("qualification", FAST),
        qualified_until: builder.add_u64_field("qualified_until", FAST),
        name_sort: builder.add_text_field("name_sort", STRING | FAST),
        recheck_on: builder.add_u64_field("recheck_on", INDEXED | FAST),
        summary: builder.add_text_field("summary", STORED),
    };
    (builder.build(), fields)
}

/// The field handles of an opened index (same names, whatever the order they were created in).
pub(crate) fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let field = |name: &str| schema.get_field(name);
    Ok(Fields {
        uid: field("uid")?,
        group: field("group")?,
        key: field("key")?,
        name: field("name")?,
        other_names: field("other_names")?,
        supplier_names: field("supplier_names")?,
        description_fr: field("description_fr")?,
        description_en: field("description_en")?,
        labels_fr: field("labels_fr")?,
        labels_en: field("labels_en")?,
        context_fr: field("context_fr")?,
        context_en: field("context_en")?,
        replaces: field("replaces")?,
        words: field("words")?,
        name_words: field("name_words")?,
        name_exact: field("name_exact")?,
        identifiers: field("identifiers")?,
        supplier_identifiers: field("supplier_identifiers")?,
        facet: field("facet")?,
        cluster: field("cluster")?,
        qualification: field("qualification")?,
        qualified_until: field("qualified_until")?,
        name_sort: field("name_sort")?,
        recheck_on: field("recheck_on")?,
        summary: field("summary")?,
    })
}

/// The document identity of a record.
pub(crate) fn uid(kind: DocKind, id: i64) -> u64 {
    (id as u64) << 1 | u64::from(kind == DocKind::Offer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_stable_and_names_the_schema_version() {
        assert_eq!(schema_version(), schema_version());
        assert!(schema_version().starts_with(&format!("{SCHEMA_VERSION}-")));
    }

    #[test]
    fn fields_are_found_again_by_name() {
        let (schema, fields) = build();
        assert_eq!(fields_of(&schema).unwrap().summary, fields.summary);
    }
}
