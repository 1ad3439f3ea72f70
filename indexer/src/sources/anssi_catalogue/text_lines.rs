//! Text runs joined into lines and cell texts, and the label normalisation used to recognise headers.

use super::page_layout::TextRun;

/// Runs sharing a baseline, left to right.
#[derive(Debug, Clone)]
pub(crate) struct Line<'p> {
    pub y: f32,
    pub size: f32,
    pub runs: Vec<&'p TextRun>,
}

impl Line<'_> {
    pub(crate) fn text(&self) -> String {
        join_runs(&self.runs)
    }

    /// The line as one wrapped line of a cell.
    pub(crate) fn cell_line(&self) -> CellLine {
        let first = self.runs.first();
        CellLine {
            text: self.text(),
            width: self.runs.last().map_or(0.0, |run| run.end_x) - first.map_or(0.0, |run| run.x),
            first_advance: first.map_or(0.0, |run| run.first_advance),
        }
    }
}

/// Groups runs into lines, top of the page first. Superscripts (footnote calls) sit a little higher
/// and smaller, so baselines are compared with a tolerance relative to the font size.
pub(crate) fn lines<'p>(runs: impl IntoIterator<Item = &'p TextRun>) -> Vec<Line<'p>> {
    let mut runs: Vec<&TextRun> = runs.into_iter().collect();
    runs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Line> = Vec::new();
    for run in runs {
        match lines.last_mut() {
            Some(line) if (line.y - run.y).abs() <= 0.3 * line.size.max(run.size) => {
                line.size = line.size.max(run.size);
                line.runs.push(run);
            }
            _ => lines.push(Line {
                y: run.y,
                size: run.size,
                runs: vec![run],
            }),
        }
    }
    for line in &mut lines {
        line.runs.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    lines
}

/// Joins runs of one line. Producers emit spaces as glyphs, but some split words into runs placed
/// apart (justified cells): a visible gap with no space glyph on either side is a word space.
pub(crate) fn join_runs(runs: &[&TextRun]) -> String {
    let mut text = String::new();
    let mut previous: Option<&TextRun> = None;
    for run in runs {
        if let Some(previous) = previous {
            let gap = run.x - previous.end_x;
            let spaced =
                text.ends_with(char::is_whitespace) || run.text.starts_with(char::is_whitespace);
            if gap > 0.15 * run.size.max(previous.size) && !spaced {
                text.push(' ');
            }
        }
        text.push_str(&run.text);
        previous = Some(run);
    }
    text
}

/// One wrapped line of a cell, with what is needed to tell how it was wrapped.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CellLine {
    pub text: String,
    pub width: f32,
    pub first_advance: f32,
}

/// Joins the wrapped lines of one cell, given the width text may take in it. A line is glued to the
/// next one, without a space, when the word was cut rather than wrapped at a space:
/// - it ends with a hyphen attached to a word ("ANSSI-CSPN-" + "2025-13", "HSM-" + "KMS");
/// - it is a single word that filled the cell, so that even the next line's first glyph could not
///   have followed it ("13/03/202" + "5", "INTERNATIO" + "NAL").
///
/// A line ending with the space it was wrapped at (the producer often keeps it) is never glued.
pub(crate) fn join_cell_lines(lines: &[CellLine], inner_width: f32) -> String {
    let mut text = String::new();
    let mut previous: Option<&CellLine> = None;
    for line in lines.iter().filter(|line| !line.text.trim().is_empty()) {
        if let Some(previous) = previous {
            let kept_space = previous.text.ends_with(char::is_whitespace);
            let word = previous.text.trim();
            let hyphenated = word.ends_with('-') && !word.ends_with(" -") && word.len() > 1;
            let single_word = !word.contains(char::is_whitespace);
            let filled = previous.width + line.first_advance > inner_width - 0.5;
            if kept_space || !(hyphenated || (single_word && filled)) {
                text = text.trim_end().to_string();
                text.push(' ');
            }
        }
        text.push_str(&line.text);
        previous = Some(line);
    }
    collapse_whitespace(&text)
}

/// Trims and turns every run of whitespace (justification, tabs, no-break spaces) into one space.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A label reduced to what survives re-wrapping, hyphenation and footnote calls: lower case, no
/// accents, no whitespace, no digits, one kind of apostrophe.
pub(crate) fn normalize_label(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !c.is_ascii_digit())
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            '’' | '‘' | '`' => '\'',
            other => other,
        })
        .collect()
}

/// True for a page footer such as "Page 68 sur 110".
pub(crate) fn is_page_footer(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    matches!(words.as_slice(), ["Page", current, "sur", total]
        if current.bytes().all(|b| b.is_ascii_digit()) && total.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, width: f32, first_advance: f32) -> CellLine {
        CellLine {
            text: text.into(),
            width,
            first_advance,
        }
    }

    #[test]
    fn wrapped_lines_are_glued_only_where_a_word_was_cut() {
        let cell = 28.8;
        assert_eq!(
            join_cell_lines(
                &[
                    line("CegNumCloud Secured ", 69.9, 3.3),
                    line("IaaS", 12.2, 1.5)
                ],
                76.0
            ),
            "CegNumCloud Secured IaaS"
        );
        assert_eq!(
            join_cell_lines(&[line("13/03/202", 28.4, 3.3), line("5", 3.6, 3.6)], cell),
            "13/03/2025"
        );
        assert_eq!(
            join_cell_lines(&[line("27/09/20", 25.7, 3.3), line("26", 7.2, 3.6)], cell),
            "27/09/2026"
        );
        assert_eq!(
            join_cell_lines(&[line("Non", 12.5, 4.0), line("maintenu", 27.6, 4.6)], cell),
            "Non maintenu"
        );
        assert_eq!(
            join_cell_lines(
                &[line("ANSSI-CSPN-", 38.5, 4.0), line("2025-13", 22.0, 3.3)],
                40.0
            ),
            "ANSSI-CSPN-2025-13"
        );
        assert_eq!(
            join_cell_lines(
                &[
                    line("Worldline Cloud Services -", 79.0, 3.0),
                    line("Secured IaaS", 40.0, 3.6)
                ],
                79.2
            ),
            "Worldline Cloud Services - Secured IaaS"
        );
    }

    #[test]
    fn labels_survive_wrapping_hyphenation_and_footnote_calls() {
        assert_eq!(
            normalize_label("Niveau de recommandati on"),
            normalize_label("Niveau de recommandation")
        );
        assert_eq!(
            normalize_label("Sécurité 14 nationale"),
            "securitenationale"
        );
    }

    #[test]
    fn footers_are_recognised() {
        assert!(is_page_footer("Page 68 sur 110"));
        assert!(!is_page_footer("Page de garde"));
    }
}
