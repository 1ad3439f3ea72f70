//! Text analysis: how names, descriptions and queries become index terms.
//!
//! Four analyzers, registered under fixed names in every index:
//! - `fr`: words (French elisions removed) → lowercase → accent folding → French stop words → French
//!   stemming. Folding comes before stemming so that "donnees" and "données" meet (shared/STACK.md).
//! - `en`: the same with English stop words and the English stemmer, for English labels and descriptions.
//! - `plain`: words → lowercase → accent folding, no stemming: the vocabulary used for typo tolerance,
//!   prefixes and "did you mean", where a stem would hide the word the user typed.
//! - `raw` (tantivy's own) for values normalised in Rust with [`normalize`]: exact names and identifiers.

use std::cell::RefCell;
use std::sync::LazyLock;

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, Stemmer,
    StopWordFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer, TokenizerManager,
};

pub(crate) const FRENCH: &str = "fr";
pub(crate) const ENGLISH: &str = "en";
pub(crate) const PLAIN: &str = "plain";

/// Words longer than this are noise (hashes, URLs) and are dropped.
const LONGEST_WORD: usize = 40;

/// Articles and pronouns that French elides before a vowel: "l'hébergement", "d'identité", "qu'il".
const ELIDED: &[&str] = &[
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
];

/// The Snowball French stop words, accent-folded because the filter runs after folding (so that
/// "meme" is dropped like "même"). "eu" and "ai" are left out on purpose: in this catalogue they are
/// far more often "EU" and "AI" than forms of "avoir".
const FRENCH_STOP_WORDS: &[&str] = &[
    "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "elle", "en", "et", "eux", "il",
    "je", "la", "le", "leur", "lui", "ma", "mais", "me", "meme", "mes", "moi", "mon", "ne", "nos",
    "notre", "nous", "on", "ou", "par", "pas", "pour", "qu", "que", "qui", "sa", "se", "ses",
    "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre", "vous", "c", "d",
    "j", "l", "a", "m", "n", "s", "t", "y", "etee", "etees", "etant", "suis", "es", "etes", "sont",
    "serai", "seras", "sera", "serons", "serez", "seront", "serais", "serait", "serions", "seriez",
    "seraient", "etais", "etait", "etions", "etiez", "etaient", "fus", "fut", "fumes", "futes",
    "furent", "sois", "soit", "soyons", "soyez", "soient", "fusse", "fusses", "fussions",
    "fussiez", "fussent", "ayant", "eue", "eues", "eus", "avons", "avez", "ont", "aurai", "aurons",
    "aurez", "auront", "aurais", "aurait", "aurions", "auriez", "auraient", "avais", "avait",
    "aviez", "avaient", "eut", "eumes", "eutes", "eurent", "aie", "aies", "ait", "ayons", "ayez",
    "aient", "eusse", "eusses", "eussions", "eussiez", "eussent", "ceci", "cela", "cet", "cette",
    "ici", "ils", "les", "leurs", "quel", "quels", "quelle", "quelles", "sans", "soi",
];

/// Splits text into words at every character that is not a letter or a digit, and drops French
/// elided words ("l", "qu", ...) written just before an apostrophe. Elided words take no position,
/// so "l'hébergement" and "hébergement" index alike and phrases keep their word distances.
#[derive(Clone, Default)]
pub(crate) struct WordTokenizer {
    token: Token,
}

pub(crate) struct WordTokenStream<'a> {
    text: &'a str,
    offset: usize,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.token.reset();
        WordTokenStream {
            text,
            offset: 0,
            token: &mut self.token,
        }
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ')
}

/// The byte offset of the first character at or after `from` that is (`letter_or_digit`) or is not
/// a letter or a digit, or the text's length. ASCII bytes are judged without decoding a character:
/// this scan runs over every word of every indexed text, and decoding each character was the
/// largest single cost of the indexing threads (a rebuild's profile, eighteenth round).
fn scan(text: &str, from: usize, letter_or_digit: bool) -> usize {
    let bytes = text.as_bytes();
    let mut at = from;
    while let Some(&byte) = bytes.get(at) {
        let (is, width) = if byte.is_ascii() {
            (byte.is_ascii_alphanumeric(), 1)
        } else {
            let c = text[at..].chars().next().expect("a character starts here");
            (c.is_alphanumeric(), c.len_utf8())
        };
        if is == letter_or_digit {
            return at;
        }
        at += width;
    }
    bytes.len()
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            let from = scan(self.text, self.offset, true);
            if from == self.text.len() {
                self.offset = from;
                return false;
            }
            let to = scan(self.text, from, false);
            self.offset = to;
            let word = &self.text[from..to];
            let mut after = self.text[to..].chars();
            let elided = after.next().is_some_and(is_apostrophe)
                && after.next().is_some_and(char::is_alphanumeric)
                && ELIDED.iter().any(|e| word.eq_ignore_ascii_case(e));
            if elided {
                continue;
            }
            self.token.text.clear();
            self.token.text.push_str(word);
            self.token.offset_from = from;
            self.token.offset_to = to;
            self.token.position = self.token.position.wrapping_add(1);
            return true;
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

fn french_stop_words() -> StopWordFilter {
    StopWordFilter::remove(FRENCH_STOP_WORDS.iter().map(|w| (*w).to_owned()))
}

fn english_stop_words() -> StopWordFilter {
    StopWordFilter::new(Language::English).expect("tantivy ships English stop words")
}

/// Lowercasing, accent folding, `stop_words` and `language`'s stemming of one word (see
/// [`Remembered`]).
fn one_word(stop_words: StopWordFilter, language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(stop_words)
        .filter(Stemmer::new(language))
        .build()
}

/// Words, overlong ones dropped, each analysed by [`one_word`] and remembered in `memory`.
fn remembering(memory: Memory, stop_words: StopWordFilter, language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(Remembered::new(memory, one_word(stop_words, language)))
        .build()
}

pub(crate) fn french() -> TextAnalyzer {
    remembering(Memory::French, french_stop_words(), Language::French)
}

pub(crate) fn english() -> TextAnalyzer {
    remembering(Memory::English, english_stop_words(), Language::English)
}

/// Which words a [`Remembered`] filter remembers.
#[derive(Clone, Copy)]
enum Memory {
    French = 0,
    English = 1,
}

/// Words remembered per thread and language before the memory starts again (about 2 MB each).
const REMEMBERED_WORDS: usize = 20_000;

thread_local! {
    /// Per language, words already analysed: their term, or `None` for a stop word.
    static WORDS: RefCell<[FxHashMap<String, Option<String>>; 2]> = RefCell::default();
}

/// Lowercasing, accent folding, stop words and stemming of each word, by a one-word analyzer, with
/// the result remembered by the thread: a catalogue's texts use the same words again and again, and
/// stemming was most of the time spent highlighting a page of hits (and of indexing). The terms are
/// those of the one-word analyzer's filters applied to the word, as if they were chained here.
#[derive(Clone)]
struct Remembered {
    memory: Memory,
    word: TextAnalyzer,
}

impl Remembered {
    fn new(memory: Memory, word: TextAnalyzer) -> Self {
        Self { memory, word }
    }
}

impl TokenFilter for Remembered {
    type Tokenizer<T: Tokenizer> = RememberedFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> RememberedFilter<T> {
        RememberedFilter {
            inner,
            memory: self.memory,
            word: self.word,
        }
    }
}

#[derive(Clone)]
pub(crate) struct RememberedFilter<T> {
    inner: T,
    memory: Memory,
    word: TextAnalyzer,
}

impl<T: Tokenizer> Tokenizer for RememberedFilter<T> {
    type TokenStream<'a> = RememberedStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        RememberedStream {
            tail: self.inner.token_stream(text),
            memory: self.memory,
            word: &mut self.word,
        }
    }
}

pub(crate) struct RememberedStream<'a, S> {
    tail: S,
    memory: Memory,
    word: &'a mut TextAnalyzer,
}

impl<S: TokenStream> RememberedStream<'_, S> {
    /// Replaces `text` by its term; false for a stop word.
    fn analyse(&mut self, text: &mut String) -> bool {
        WORDS.with_borrow_mut(|memories| {
            let memory = &mut memories[self.memory as usize];
            let term = match memory.get(text.as_str()) {
                Some(term) => term.as_deref(),
                None => {
                    let term = self.word.token_stream(text).next().map(|t| t.text.clone());
                    if memory.len() >= REMEMBERED_WORDS {
                        memory.clear();
                    }
                    memory.entry(text.clone()).or_insert(term).as_deref()
                }
            };
            match term {
                Some(term) => {
                    text.clear();
                    text.push_str(term);
                    true
                }
                None => false,
            }
        })
    }
}

impl<S: TokenStream> TokenStream for RememberedStream<'_, S> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            let mut text = std::mem::take(&mut self.tail.token_mut().text);
            let kept = self.analyse(&mut text);
            self.tail.token_mut().text = text;
            if kept {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

pub(crate) fn plain() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Registers the analyzers an index's schema refers to.
pub(crate) fn register(tokenizers: &TokenizerManager) {
    tokenizers.register(FRENCH, french());
    tokenizers.register(ENGLISH, english());
    tokenizers.register(PLAIN, plain());
}

/// The terms `analyzer` makes of `text`, with their positions.
pub(crate) fn terms(analyzer: &TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut analyzer = analyzer.clone();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push((token.position, token.text.clone()));
    }
    out
}

static PLAIN_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(plain);

/// Lowercase, accent-folded words of `text`: what the `plain` analyzer indexes.
pub(crate) fn words(text: &str) -> Vec<String> {
    terms(&PLAIN_ANALYZER, text)
        .into_iter()
        .map(|(_, word)| word)
        .collect()
}

/// `text` as its plain words joined by single spaces: "WeTransfer B.V." → "wetransfer b v". Exact name
/// matches and name sorting compare these, so that case, accents and punctuation never matter.
pub fn normalize(text: &str) -> String {
    words(text).join(" ")
}

/// The plain words of `text` with their byte spans in it, to rewrite a query word by word.
pub(crate) fn word_spans(text: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut analyzer = PLAIN_ANALYZER.clone();
    let mut stream = analyzer.token_stream(text);
    let mut spans = Vec::new();
    while let Some(token) = stream.next() {
        spans.push((token.offset_from..token.offset_to, token.text.clone()));
    }
    spans
}

static FRENCH_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(french);
static ENGLISH_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(english);

/// The French index term of one plain word, `None` for a stop word.
pub(crate) fn french_term(word: &str) -> Option<String> {
    terms(&FRENCH_ANALYZER, word)
        .into_iter()
        .next()
        .map(|(_, t)| t)
}

/// The English index term of one plain word, `None` for a stop word.
pub(crate) fn english_term(word: &str) -> Option<String> {
    terms(&ENGLISH_ANALYZER, word)
        .into_iter()
        .next()
        .map(|(_, t)| t)
}

pub(crate) fn french_analyzer() -> &'static TextAnalyzer {
    &FRENCH_ANALYZER
}

pub(crate) fn english_analyzer() -> &'static TextAnalyzer {
    &ENGLISH_ANALYZER
}

#[cfg(test)]
mod tests {
    use super::*;

    fn french_terms(text: &str) -> Vec<String> {
        terms(&french(), text).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn accents_fold_before_stemming_so_both_spellings_meet() {
        assert_eq!(french_terms("données"), french_terms("donnees"));
        assert_eq!(french_terms("Hébergement"), french_terms("hebergement"));
        assert_eq!(french_terms("sécurisée"), french_terms("securisee"));
    }

    #[test]
    fn elided_articles_disappear_without_taking_a_position() {
        let elided = terms(&french(), "l'hébergement d'identité");
        let bare = terms(&french(), "hébergement identité");
        assert_eq!(elided, bare);
        assert_eq!(words("qu’il aujourd'hui"), vec!["il", "aujourd", "hui"]);
    }

    #[test]
    fn french_stop_words_go_with_or_without_accents() {
        assert!(french_terms("de la même").is_empty());
        assert!(french_terms("de la meme").is_empty());
        assert_eq!(
            french_terms("AI").len(),
            1,
            "AI is a word here, not a form of avoir"
        );
    }

    #[test]
    fn normalised_names_ignore_case_accents_and_punctuation() {
        assert_eq!(normalize("WeTransfer B.V."), "wetransfer b v");
        assert_eq!(normalize("  Index Éducation "), "index education");
        assert_eq!(normalize("LemonLDAP::NG"), "lemonldap ng");
    }

    /// The analyzers as tantivy's filters chained, without the remembered words.
    fn chained(stop_words: StopWordFilter, language: Language) -> TextAnalyzer {
        TextAnalyzer::builder(WordTokenizer::default())
            .filter(RemoveLongFilter::limit(LONGEST_WORD))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(stop_words)
            .filter(Stemmer::new(language))
            .build()
    }

    fn tokens(analyzer: &TextAnalyzer, text: &str) -> Vec<Token> {
        let mut analyzer = analyzer.clone();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.clone());
        }
        out
    }

    /// Words found by decoding every character, as the tokenizer did before [`scan`].
    fn words_by_characters(text: &str) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        let mut offset = 0;
        while let Some(start) = text[offset..].find(char::is_alphanumeric) {
            let from = offset + start;
            let to = text[from..]
                .find(|c: char| !c.is_alphanumeric())
                .map_or(text.len(), |length| from + length);
            spans.push((from, to));
            offset = to;
        }
        spans
    }

    #[test]
    fn the_byte_scan_finds_the_words_that_decoding_every_character_finds() {
        let samples = [
            "",
            " ",
            "a",
            "Cloud",
            "  hébergement — données de santé (HDS) ",
            "l'État d’identité qu'il ʼx",
            "x86_64, 3.14, SIREN 552 100 554!",
            "straße Ωmega 東京 データ émoji 🚀cloud🚀 e\u{301}té",
            "\u{a0}non-breaking\u{a0}space\ttab\nnewline",
            "ÉÉÉ---ééé",
        ];
        for text in samples {
            let mut scanned = Vec::new();
            let mut offset = 0;
            loop {
                let from = scan(text, offset, true);
                if from == text.len() {
                    break;
                }
                let to = scan(text, from, false);
                scanned.push((from, to));
                offset = to;
            }
            assert_eq!(scanned, words_by_characters(text), "{text:?}");
        }
        // Every position of a long mixed text, as a start.
        let mixed = "Hébergeur certifié: OVHcloud, l'opérateur 東京-データ; données…santé 2026";
        for (from, _) in mixed.char_indices() {
            let expected = mixed[from..]
                .find(char::is_alphanumeric)
                .map_or(mixed.len(), |start| from + start);
            assert_eq!(scan(mixed, from, true), expected, "from {from}");
        }
    }

    #[test]
    fn remembered_words_give_the_chained_filters_tokens() {
        let text = "L'Hébergement des DONNÉES de santé, qu'il soit certifié HDS ou SecNumCloud : \
            hébergeurs, hébergement, the hosting of services and the Services' data; même meme \
            AI eu Ωmega straße données DONNEES 2026 x86_64 l'État d’identité";
        let french_chain = chained(french_stop_words(), Language::French);
        let english_chain = chained(english_stop_words(), Language::English);
        // Twice: the first pass fills the memory, the second reads it.
        for _ in 0..2 {
            let ours = tokens(&french(), text);
            assert!(ours.len() > 20);
            assert_eq!(ours, tokens(&french_chain, text));
            assert_eq!(tokens(&english(), text), tokens(&english_chain, text));
        }
    }

    #[test]
    fn english_text_is_stemmed_in_english() {
        let terms: Vec<String> = terms(&english(), "hosting the services")
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        assert_eq!(terms, vec!["host", "servic"]);
    }
}
