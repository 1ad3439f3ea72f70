//! Reading one catalogue table from page geometry: header cells, columns, rows, links and ticks.
//!
//! The catalogue's tables are drawn, not tagged. Each page of a table repeats a header band (one
//! filled rectangle per column, labels inside); the band's rectangles give the column bounds, and
//! the labels say which column is which. Body text is assigned to the column its first glyph falls
//! in, so an "X" means SaaS or IaaS by where it stands. Cells are vertically centred and wrap over
//! several lines; rows are recovered as the vertical spans over which cell blocks overlap.

use super::error::ParseError;
use super::page_layout::{FilledShape, LinkArea, PageLayout, Rect, Rgb, TextRun};
use super::sections::SectionRegion;
use super::text_lines::{
    CellLine, collapse_whitespace, is_page_footer, join_cell_lines, lines, normalize_label,
};

/// The columns a reader needs, by header label (compared after [`normalize_label`], as a prefix, so
/// "Sécurité nationale¹³" matches "Sécurité nationale").
pub(crate) struct TableSpec<'l> {
    pub section: &'static str,
    pub labels: &'l [&'static str],
}

/// One cell: its text, the URIs of links over it, and the fill colours of small shapes in it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Cell {
    pub text: String,
    pub links: Vec<String>,
    pub marks: Vec<Rgb>,
    lines: Vec<CellLine>,
    inner_width: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TableRow {
    /// Printed page number where the row starts.
    pub page: usize,
    /// One cell per label of the spec, in the spec's order.
    pub cells: Vec<Cell>,
    /// The whole row's text, for error messages.
    pub text: String,
}

impl TableRow {
    pub(crate) fn cell(&self, index: usize) -> &Cell {
        &self.cells[index]
    }

    pub(crate) fn error(&self, section: &'static str, problem: impl Into<String>) -> ParseError {
        ParseError::UnreadableRow {
            section,
            page: self.page,
            problem: problem.into(),
            text: self.text.clone(),
        }
    }
}

/// Lines of one cell closer than this many font sizes belong to the same wrapped block; the
/// producer sets lines 1.4 sizes apart and rows at least 2.3 sizes apart.
const BLOCK_LINE_PITCH: f32 = 1.8;

/// Reads every row of the table found in `region`, across its pages.
pub(crate) fn read_table(
    pages: &[PageLayout],
    region: &SectionRegion,
    spec: &TableSpec<'_>,
) -> Result<Vec<TableRow>, ParseError> {
    let mut rows: Vec<TableRow> = Vec::new();
    let mut headers_seen = 0;
    let last_page = region.last_page.min(pages.len().saturating_sub(1));
    for (index, page) in pages
        .iter()
        .enumerate()
        .take(last_page + 1)
        .skip(region.first_page)
    {
        let (bottom, top) = region.window(index);
        let mut bands = header_bands(page, spec, bottom, top);
        bands.sort_by(|a, b| b.top.total_cmp(&a.top));
        for (band_index, band) in bands.iter().enumerate() {
            headers_seen += 1;
            let columns = map_columns(page, band, spec)?;
            // A second band lower on the page starts another table: this one ends above it.
            let band_bottom = bands
                .get(band_index + 1)
                .map_or(bottom, |next| next.top.max(bottom));
            let page_rows = read_rows(page, band, &columns, band_bottom);
            let continuation = !rows.is_empty();
            for (position, row) in page_rows.into_iter().enumerate() {
                // A row cut by a page break continues at the top of the next page without its
                // first column: glue it to the row it belongs to.
                if continuation
                    && position == 0
                    && row.cells[0].text.is_empty()
                    && let Some(previous) = rows.last_mut()
                {
                    merge_row(previous, row);
                    continue;
                }
                rows.push(row);
            }
        }
        // Once a table has started, a page without a header band has left it.
        if bands.is_empty() && headers_seen > 0 {
            break;
        }
    }
    if headers_seen == 0 {
        return Err(ParseError::TableNotFound {
            section: spec.section,
            first_page: pages.get(region.first_page).map_or(0, |p| p.number),
            last_page: pages.get(region.last_page).map_or(0, |p| p.number),
        });
    }
    if rows.is_empty() {
        return Err(ParseError::EmptyTable {
            section: spec.section,
            first_page: pages.get(region.first_page).map_or(0, |p| p.number),
            last_page: pages.get(region.last_page).map_or(0, |p| p.number),
        });
    }
    Ok(rows)
}

/// A header band: its outline and one rectangle per column, left to right.
#[derive(Debug, Clone)]
struct HeaderBand {
    top: f32,
    bottom: f32,
    cells: Vec<Rect>,
}

/// Finds the header bands of the table on this page: the filled rectangle under the first label, and
/// the rectangles of the same fill on the same band.
fn header_bands(page: &PageLayout, spec: &TableSpec<'_>, bottom: f32, top: f32) -> Vec<HeaderBand> {
    let first_label = normalize_label(spec.labels[0]);
    let mut bands: Vec<HeaderBand> = Vec::new();
    for run in &page.runs {
        if run.y <= bottom || run.y >= top {
            continue;
        }
        let text = normalize_label(&run.text);
        // The first label wraps inside its cell: its first line is a prefix of the label, or holds it.
        if text.len() < 6 || !(first_label.starts_with(&text) || text.starts_with(&first_label)) {
            continue;
        }
        let Some(anchor) = page.shapes.iter().find(|shape| {
            shape.bounds.contains(run.x + 1.0, run.y + run.size * 0.3)
                && shape.bounds.width() < 300.0
        }) else {
            continue;
        };
        if bands
            .iter()
            .any(|band| (band.top - anchor.bounds.top).abs() < 1.0)
        {
            continue;
        }
        let mut cells: Vec<Rect> = page
            .shapes
            .iter()
            .filter(|shape| same_band(shape, anchor))
            .map(|shape| shape.bounds)
            .collect();
        cells.sort_by(|a, b| a.left.total_cmp(&b.left));
        cells.dedup_by(|a, b| (a.left - b.left).abs() < 1.0);
        bands.push(HeaderBand {
            top: anchor.bounds.top,
            bottom: anchor.bounds.bottom,
            cells,
        });
    }
    bands
}

fn same_band(shape: &FilledShape, anchor: &FilledShape) -> bool {
    (shape.bounds.top - anchor.bounds.top).abs() < 1.0
        && (shape.bounds.bottom - anchor.bounds.bottom).abs() < 1.0
        && shape.fill.distance(anchor.fill) < 0.02
}

/// The text of each header cell, then the cell index of each label of the spec.
fn map_columns(
    page: &PageLayout,
    band: &HeaderBand,
    spec: &TableSpec<'_>,
) -> Result<Vec<Rect>, ParseError> {
    let header_texts: Vec<String> = band
        .cells
        .iter()
        .map(|cell| {
            let runs = page.runs.iter().filter(|run| {
                let center = (run.x + run.end_x) / 2.0;
                run.y > band.bottom
                    && run.y < band.top
                    && center >= cell.left
                    && center <= cell.right
            });
            let texts: Vec<String> = lines(runs).iter().map(|line| line.text()).collect();
            collapse_whitespace(&texts.join(" "))
        })
        .collect();
    let normalized: Vec<String> = header_texts
        .iter()
        .map(|text| normalize_label(text))
        .collect();
    spec.labels
        .iter()
        .map(|label| {
            let wanted = normalize_label(label);
            normalized
                .iter()
                .position(|text| text.starts_with(&wanted))
                .map(|index| band.cells[index])
                .ok_or_else(|| ParseError::HeaderNotRecognised {
                    section: spec.section,
                    page: page.number,
                    missing: label,
                    found: header_texts.clone(),
                })
        })
        .collect()
}

/// A run of text lines in one column, close enough to be one wrapped cell.
struct Block {
    column: usize,
    lines: Vec<(f32, f32, CellLine)>,
}

impl Block {
    /// Vertical extent: from the descenders of the last line to the ascenders of the first.
    fn extent(&self) -> (f32, f32) {
        let (first_y, first_size, _) = &self.lines[0];
        let (last_y, last_size, _) = &self.lines[self.lines.len() - 1];
        (last_y - 0.3 * last_size, first_y + 0.8 * first_size)
    }
}

fn read_rows(
    page: &PageLayout,
    band: &HeaderBand,
    columns: &[Rect],
    window_bottom: f32,
) -> Vec<TableRow> {
    let body_bottom = body_end(page, band, window_bottom);
    let body: Vec<&TextRun> = page
        .runs
        .iter()
        .filter(|run| run.y < band.bottom && run.y > body_bottom && !run.text.trim().is_empty())
        .collect();

    // Column of each run: the one its first glyph falls in, else the nearest.
    let column_of = |run: &TextRun| -> usize {
        let x = run.x + 0.5;
        columns
            .iter()
            .position(|column| x >= column.left - 1.0 && x <= column.right + 1.0)
            .unwrap_or_else(|| {
                let center = (run.x + run.end_x) / 2.0;
                (0..columns.len())
                    .min_by(|&a, &b| {
                        (columns[a].center_x() - center)
                            .abs()
                            .total_cmp(&(columns[b].center_x() - center).abs())
                    })
                    .unwrap_or(0)
            })
    };
    // Runs outside every wanted column (the PRIS contact column, say) only feed the row's text.
    let in_wanted_column = |run: &TextRun| {
        let x = run.x + 0.5;
        columns
            .iter()
            .any(|column| x >= column.left - 1.0 && x <= column.right + 1.0)
    };

    let mut blocks: Vec<Block> = Vec::new();
    let mut all_lines = Vec::new();
    for column in 0..columns.len() {
        let column_runs = body
            .iter()
            .copied()
            .filter(|run| in_wanted_column(run) && column_of(run) == column);
        let mut column_blocks: Vec<Block> = Vec::new();
        for line in lines(column_runs) {
            match column_blocks.last_mut() {
                Some(block)
                    if block.lines.last().is_some_and(|(y, size, _)| {
                        y - line.y <= BLOCK_LINE_PITCH * size.max(line.size)
                    }) =>
                {
                    block.lines.push((line.y, line.size, line.cell_line()));
                }
                _ => column_blocks.push(Block {
                    column,
                    lines: vec![(line.y, line.size, line.cell_line())],
                }),
            }
        }
        blocks.extend(column_blocks);
    }
    // Blocks outside the wanted columns still separate rows correctly, but are not cells.
    let other_runs: Vec<&TextRun> = body
        .iter()
        .copied()
        .filter(|run| !in_wanted_column(run))
        .collect();
    for line in lines(other_runs.iter().copied()) {
        all_lines.push((line.y, line.text()));
    }

    // Cell padding, for the width text may take: the closest any text comes to its column's left edge.
    let padding = body
        .iter()
        .filter(|run| in_wanted_column(run))
        .map(|run| run.x - columns[column_of(run)].left)
        .fold(f32::INFINITY, f32::min)
        .clamp(0.0, 6.0);

    // Rows: spans where blocks overlap vertically.
    blocks.sort_by(|a, b| b.extent().1.total_cmp(&a.extent().1));
    let mut spans: Vec<(f32, f32, Vec<usize>)> = Vec::new();
    for (index, block) in blocks.iter().enumerate() {
        let (low, high) = block.extent();
        match spans.last_mut() {
            Some((span_low, _, members)) if high > *span_low => {
                *span_low = span_low.min(low);
                members.push(index);
            }
            _ => spans.push((low, high, vec![index])),
        }
    }

    let links: Vec<&LinkArea> = page
        .links
        .iter()
        .filter(|link| link.rect.center_y() < band.bottom)
        .collect();
    let marks: Vec<&FilledShape> = page
        .shapes
        .iter()
        .filter(|shape| {
            shape.bounds.center_y() < band.bottom && shape.bounds.center_y() > body_bottom
        })
        .collect();

    let span_centers: Vec<f32> = spans
        .iter()
        .map(|(low, high, _)| (low + high) / 2.0)
        .collect();
    let nearest_span = |y: f32| -> Option<usize> {
        let containing = spans
            .iter()
            .position(|(low, high, _)| y >= low - 2.0 && y <= high + 2.0);
        containing.or_else(|| {
            (0..spans.len())
                .filter(|&i| (span_centers[i] - y).abs() < 12.0)
                .min_by(|&a, &b| {
                    (span_centers[a] - y)
                        .abs()
                        .total_cmp(&(span_centers[b] - y).abs())
                })
        })
    };

    let mut rows: Vec<TableRow> = spans
        .iter()
        .map(|(_, _, members)| {
            let mut cells = vec![Cell::default(); columns.len()];
            let mut members = members.clone();
            members.sort_by(|&a, &b| blocks[b].lines[0].0.total_cmp(&blocks[a].lines[0].0));
            for member in members {
                let block = &blocks[member];
                let cell = &mut cells[block.column];
                cell.inner_width = columns[block.column].width() - 2.0 * padding;
                cell.lines
                    .extend(block.lines.iter().map(|(_, _, line)| line.clone()));
                cell.text = join_cell_lines(&cell.lines, cell.inner_width);
            }
            TableRow {
                page: page.number,
                cells,
                text: String::new(),
            }
        })
        .collect();

    for link in links {
        let Some(column) = columns
            .iter()
            .position(|c| c.left <= link.rect.center_x() && link.rect.center_x() <= c.right)
        else {
            continue;
        };
        if let Some(span) = nearest_span(link.rect.center_y()) {
            // A link wrapped over several lines is one annotation per line.
            let links = &mut rows[span].cells[column].links;
            if !links.contains(&link.uri) {
                links.push(link.uri.clone());
            }
        }
    }
    for mark in marks {
        let Some(column) = columns
            .iter()
            .position(|c| c.left <= mark.bounds.center_x() && mark.bounds.center_x() <= c.right)
        else {
            continue;
        };
        // Cell backgrounds fill their cell; a tick is a small glyph-sized shape inside it.
        if mark.bounds.width() >= 0.8 * columns[column].width() || mark.bounds.height() > 30.0 {
            continue;
        }
        if let Some(span) = nearest_span(mark.bounds.center_y()) {
            rows[span].cells[column].marks.push(mark.fill);
        }
    }

    for (span_index, row) in rows.iter_mut().enumerate() {
        let (low, high, _) = spans[span_index];
        let mut parts: Vec<String> = row.cells.iter().map(|cell| cell.text.clone()).collect();
        parts.extend(
            all_lines
                .iter()
                .filter(|(y, _)| *y >= low && *y <= high)
                .map(|(_, text)| text.clone()),
        );
        row.text = parts
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" | ");
    }
    rows
}

/// Where the table body ends on this page: at the first line below the header that is a footer, a
/// numbered heading, or set in a larger type than the body (headings, prose, footnotes).
fn body_end(page: &PageLayout, band: &HeaderBand, window_bottom: f32) -> f32 {
    let below = lines(
        page.runs
            .iter()
            .filter(|run| run.y < band.bottom && run.y > window_bottom),
    );
    // Body text is set at about one and a half times the header labels' size (6 pt under 4 pt);
    // footnotes (7 pt), prose and headings are larger. This ends even a table without rows.
    let header_size = page
        .runs
        .iter()
        .filter(|run| run.y > band.bottom && run.y < band.top)
        .map(|run| run.size)
        .fold(0.0, f32::max);
    let largest_body = if header_size > 0.0 {
        header_size * 1.6
    } else {
        f32::INFINITY
    };
    let mut body_size: Option<f32> = None;
    for line in &below {
        let text = line.text();
        if text.trim().is_empty() {
            continue;
        }
        let first = line.runs[0].text.trim().trim_end_matches('.');
        let numbered_heading = line.size >= 9.0
            && !first.is_empty()
            && first.contains('.')
            && first
                .split('.')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
        let oversized = line
            .runs
            .iter()
            .any(|run| run.size > largest_body && run.text.trim().len() > 3);
        if is_page_footer(&text) || numbered_heading || oversized {
            return line.y + 0.1;
        }
        match body_size {
            None => body_size = Some(line.size),
            Some(size)
                if line.size > size * 1.1
                    && line
                        .runs
                        .iter()
                        .any(|run| run.size > size * 1.1 && run.text.trim().len() > 3) =>
            {
                return line.y + 0.1;
            }
            Some(_) => {}
        }
    }
    window_bottom
}

fn merge_row(previous: &mut TableRow, next: TableRow) {
    for (cell, addition) in previous.cells.iter_mut().zip(next.cells) {
        cell.lines.extend(addition.lines);
        cell.inner_width = cell.inner_width.max(addition.inner_width);
        cell.text = join_cell_lines(&cell.lines, cell.inner_width);
        cell.links.extend(addition.links);
        cell.marks.extend(addition.marks);
    }
    previous.text = format!("{} | {}", previous.text, next.text);
}
