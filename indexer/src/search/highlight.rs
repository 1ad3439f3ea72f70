//! Highlights: the best fragment of a hit's name and descriptions, with the query's terms marked.
//!
//! The fragments are chosen as tantivy's `SnippetGenerator` chooses them (a fragment grows token by
//! token until the next token would end past `max_bytes` from its start; the fragment holding the
//! most matched tokens wins, the earliest among equals), and written the same way (HTML escaped by
//! `htmlescape`, matches in `<mark>`). It is written here because the generator's own loop cost
//! more than the analysis: a lowercased copy of every token and a look-up in an ordered map of the
//! terms, for every word of twenty hits' names and descriptions (a tenth of a search's time in a
//! sampled profile of the 1M bench's single-word queries). Here a token is looked up as it is (the
//! analyzers lowercase) in a hash set.

use rustc_hash::FxHashSet;
use tantivy::TantivyDocument;
use tantivy::schema::Field;
use tantivy::schema::document::Value;
use tantivy::tokenizer::TextAnalyzer;

use super::types::{Highlight, HighlightField};

/// Marks `terms` (index terms, as the field's analyzer makes them) in one stored field.
pub(crate) struct FieldMarks {
    kind: HighlightField,
    field: Field,
    analyzer: TextAnalyzer,
    terms: FxHashSet<String>,
    /// Longest fragment, in bytes.
    max_bytes: usize,
}

/// A run of tokens: its bytes in the text and the matches in it.
struct Fragment {
    start: usize,
    stop: usize,
    matches: Vec<(usize, usize)>,
}

impl FieldMarks {
    pub(crate) fn new<'a>(
        kind: HighlightField,
        field: Field,
        analyzer: &TextAnalyzer,
        terms: impl IntoIterator<Item = &'a String>,
        max_bytes: usize,
    ) -> Self {
        Self {
            kind,
            field,
            analyzer: analyzer.clone(),
            terms: terms.into_iter().cloned().collect(),
            max_bytes,
        }
    }

    /// The highlight of the field in `doc`, when one of the terms is in it.
    pub(crate) fn highlight(&self, doc: &TantivyDocument) -> Option<Highlight> {
        let text = doc.get_first(self.field).and_then(|v| v.as_str())?;
        let best = self.best_fragment(text)?;
        let fragment = &text[best.start..best.stop];
        let chars = |byte: usize| fragment[..byte].chars().count();
        let mut html = String::with_capacity(fragment.len() + 16 * best.matches.len());
        let mut from = 0;
        let mut ranges = Vec::with_capacity(best.matches.len());
        for &(start, end) in &best.matches {
            let (start, end) = (start - best.start, end - best.start);
            html.push_str(&htmlescape::encode_minimal(&fragment[from..start]));
            html.push_str("<mark>");
            html.push_str(&htmlescape::encode_minimal(&fragment[start..end]));
            html.push_str("</mark>");
            from = end;
            ranges.push((chars(start), chars(end)));
        }
        html.push_str(&htmlescape::encode_minimal(&fragment[from..]));
        Some(Highlight {
            field: self.kind,
            text: fragment.to_owned(),
            html,
            ranges,
        })
    }

    /// The fragment with the most matches, the earliest among equals; `None` without a match.
    fn best_fragment(&self, text: &str) -> Option<Fragment> {
        let mut analyzer = self.analyzer.clone();
        let mut stream = analyzer.token_stream(text);
        let mut best: Option<Fragment> = None;
        let mut current = Fragment {
            start: 0,
            stop: 0,
            matches: Vec::new(),
        };
        let keep = |fragment: Fragment, best: &mut Option<Fragment>| {
            if fragment.matches.len() > best.as_ref().map_or(0, |b| b.matches.len()) {
                *best = Some(fragment);
            }
        };
        while let Some(token) = stream.next() {
            if token.offset_to - current.start > self.max_bytes {
                let next = Fragment {
                    start: token.offset_from,
                    stop: token.offset_from,
                    matches: Vec::new(),
                };
                keep(std::mem::replace(&mut current, next), &mut best);
            }
            current.stop = token.offset_to;
            if self.terms.contains(token.text.as_str()) {
                current.matches.push((token.offset_from, token.offset_to));
            }
        }
        keep(current, &mut best);
        best
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use tantivy::doc;
    use tantivy::schema::{STORED, Schema, TEXT};
    use tantivy::snippet::SnippetGenerator;

    use super::super::analysis::{french, terms};
    use super::*;

    /// What tantivy's generator gives for the same text, terms and length, marked as the searcher
    /// marked it before this module.
    fn tantivy_highlight(text: &str, marked: &[String], max: usize) -> Option<(String, String)> {
        let weights: BTreeMap<String, f32> = marked.iter().map(|t| (t.clone(), 1.0)).collect();
        let field = Field::from_field_id(0);
        let generator = SnippetGenerator::new(weights, french(), field, max);
        let mut snippet = generator.snippet(text);
        if snippet.highlighted().is_empty() {
            return None;
        }
        snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
        Some((snippet.fragment().to_owned(), snippet.to_html()))
    }

    #[test]
    fn fragments_and_marks_are_the_ones_tantivys_generator_gives() {
        let mut builder = Schema::builder();
        let field = builder.add_text_field("text", TEXT | STORED);
        let texts = [
            "Hébergement de données de santé (HDS) certifié, hébergement souverain <qualifié> & sûr.",
            "Messagerie chiffrée pour les agents : messagerie instantanée, visio et partage de fichiers l'hébergement étant en France. Une messagerie, deux messageries, trois messageries sécurisées pour l'État et les hôpitaux du territoire.",
            "Rien à voir ici.",
            "Plateforme d'hébergement",
        ];
        for max in [20, 60, 180, 300] {
            for text in texts {
                for words in [
                    &["hébergement"][..],
                    &["messagerie", "santé"],
                    &["visio", "etat"],
                    &["rien"],
                ] {
                    let marked: Vec<String> = words
                        .iter()
                        .flat_map(|w| terms(&french(), w).into_iter().map(|(_, t)| t))
                        .collect();
                    let marks = FieldMarks::new(
                        HighlightField::DescriptionFr,
                        field,
                        &french(),
                        &marked,
                        max,
                    );
                    let ours = marks
                        .highlight(&doc!(field => text))
                        .map(|h| (h.text, h.html));
                    assert_eq!(
                        ours,
                        tantivy_highlight(text, &marked, max),
                        "{text:?} {words:?} {max}"
                    );
                }
            }
        }
    }

    #[test]
    fn ranges_count_characters_not_bytes() {
        let mut builder = Schema::builder();
        let field = builder.add_text_field("text", TEXT | STORED);
        let marked = terms(&french(), "santé")
            .into_iter()
            .map(|(_, t)| t)
            .collect::<Vec<_>>();
        let marks = FieldMarks::new(HighlightField::Name, field, &french(), &marked, 300);
        let highlight = marks.highlight(&doc!(field => "Données de santé")).unwrap();
        assert_eq!(highlight.ranges, vec![(11, 16)]);
        assert_eq!(highlight.html, "Données de <mark>santé</mark>");
        assert!(marks.highlight(&doc!(field => "Rien")).is_none());
    }
}
