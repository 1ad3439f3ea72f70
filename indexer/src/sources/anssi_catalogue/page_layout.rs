//! What a catalogue page shows, read from the PDF: positioned text runs, link areas and filled shapes.
//!
//! The catalogue's tables cannot be read from a text layer alone: the SaaS/PaaS/CaaS/IaaS marks are a
//! bare "X" whose meaning is its x position, the decision cell shows a number whose year is only in
//! the link target, and the recommendation level is the fill colour of a vector tick. So this module
//! interprets the content-stream operators that matter (graphics state, text positioning and showing,
//! path construction and filling, form XObjects) into page-space geometry, and leaves every table
//! rule to the modules above it.

use std::collections::HashMap;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Encoding, Object, ObjectId};

/// A colour as read from a fill operator, in RGB components between 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rgb(pub f32, pub f32, pub f32);

impl Rgb {
    pub(crate) const BLACK: Rgb = Rgb(0.0, 0.0, 0.0);

    /// Largest per-component difference: the tolerance test used for the tick colours.
    pub(crate) fn distance(self, other: Rgb) -> f32 {
        (self.0 - other.0)
            .abs()
            .max((self.1 - other.1).abs())
            .max((self.2 - other.2).abs())
    }
}

/// An axis-aligned rectangle in page space (points, origin bottom-left as in PDF).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub left: f32,
    pub bottom: f32,
    pub right: f32,
    pub top: f32,
}

impl Rect {
    fn from_point(x: f32, y: f32) -> Rect {
        Rect {
            left: x,
            bottom: y,
            right: x,
            top: y,
        }
    }

    fn include(&mut self, x: f32, y: f32) {
        self.left = self.left.min(x);
        self.right = self.right.max(x);
        self.bottom = self.bottom.min(y);
        self.top = self.top.max(y);
    }

    pub(crate) fn center_x(&self) -> f32 {
        (self.left + self.right) / 2.0
    }

    pub(crate) fn center_y(&self) -> f32 {
        (self.bottom + self.top) / 2.0
    }

    pub(crate) fn width(&self) -> f32 {
        self.right - self.left
    }

    pub(crate) fn height(&self) -> f32 {
        self.top - self.bottom
    }

    pub(crate) fn contains(&self, x: f32, y: f32) -> bool {
        x >= self.left && x <= self.right && y >= self.bottom && y <= self.top
    }
}

/// One string shown by a text operator (`Tj`, `TJ`, `'`, `"`), already decoded to Unicode.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextRun {
    /// Start of the baseline in page space.
    pub x: f32,
    pub y: f32,
    /// Where the pen stood after the last glyph: lets lines be joined without guessing widths.
    pub end_x: f32,
    /// Advance of the first glyph: tells whether a wrapped line's first letter would have fitted on
    /// the line before (a word cut mid-way) or not (a break at a space).
    pub first_advance: f32,
    /// Effective font size in page space.
    pub size: f32,
    pub fill: Rgb,
    pub text: String,
}

/// A link annotation whose action opens a URI.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LinkArea {
    pub rect: Rect,
    pub uri: String,
}

/// A filled path: cell backgrounds and the recommendation ticks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FilledShape {
    pub bounds: Rect,
    pub fill: Rgb,
}

/// Everything the table readers need from one page.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageLayout {
    /// 1-based page number, as printed in the footers.
    pub number: usize,
    pub runs: Vec<TextRun>,
    pub links: Vec<LinkArea>,
    pub shapes: Vec<FilledShape>,
}

/// Reads every page of the document.
pub(crate) fn read_pages(document: &Document) -> Vec<PageLayout> {
    let mut fonts = FontCache::default();
    document
        .get_pages()
        .into_iter()
        .map(|(number, page_id)| read_page(document, number as usize, page_id, &mut fonts))
        .collect()
}

fn read_page<'a>(
    document: &'a Document,
    number: usize,
    page_id: ObjectId,
    fonts: &mut FontCache<'a>,
) -> PageLayout {
    let mut page = PageLayout {
        number,
        ..PageLayout::default()
    };
    let resources = page_resources(document, page_id);
    let content = document.get_page_content(page_id);
    let mut interpreter = Interpreter {
        document,
        fonts,
        page: &mut page,
        depth: 0,
    };
    interpreter.run(&content, &resources, Matrix::IDENTITY);
    page.links = read_links(document, page_id);
    page
}

/// The page's resource dictionaries, nearest first (a page may inherit them from its parents).
fn page_resources(document: &Document, page_id: ObjectId) -> Vec<&Dictionary> {
    let Ok((direct, inherited)) = document.get_page_resources(page_id) else {
        return Vec::new();
    };
    direct
        .into_iter()
        .chain(
            inherited
                .into_iter()
                .filter_map(|id| document.get_dictionary(id).ok()),
        )
        .collect()
}

fn read_links(document: &Document, page_id: ObjectId) -> Vec<LinkArea> {
    let Ok(annotations) = document.get_page_annotations(page_id) else {
        return Vec::new();
    };
    annotations
        .into_iter()
        .filter(|annotation| {
            annotation.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Link")
        })
        .filter_map(|annotation| {
            let rect = annotation
                .get(b"Rect")
                .ok()
                .and_then(|rect| rect_of(document, rect))?;
            let action = annotation
                .get_deref(b"A", document)
                .and_then(Object::as_dict)
                .ok()?;
            let uri = action.get_deref(b"URI", document).ok()?.as_str().ok()?;
            Some(LinkArea {
                rect,
                uri: String::from_utf8_lossy(uri).trim().to_string(),
            })
        })
        .collect()
}

fn rect_of(document: &Document, object: &Object) -> Option<Rect> {
    let values = deref(document, object).as_array().ok()?;
    let numbers: Vec<f32> = values
        .iter()
        .filter_map(|value| number(deref(document, value)))
        .collect();
    let [x1, y1, x2, y2] = numbers[..] else {
        return None;
    };
    Some(Rect {
        left: x1.min(x2),
        bottom: y1.min(y2),
        right: x1.max(x2),
        top: y1.max(y2),
    })
}

fn deref<'a>(document: &'a Document, object: &'a Object) -> &'a Object {
    match object {
        Object::Reference(id) => document.get_object(*id).unwrap_or(object),
        _ => object,
    }
}

fn number(object: &Object) -> Option<f32> {
    match object {
        Object::Integer(value) => Some(*value as f32),
        Object::Real(value) => Some(*value),
        _ => None,
    }
}

/// A PDF transformation matrix `[a b c d e f]`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Matrix([f32; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn translation(x: f32, y: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// `self × other`: apply `self` first, then `other` (PDF's row-vector convention).
    fn then(self, other: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    fn apply(self, x: f32, y: f32) -> (f32, f32) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    /// Length of the image of a vertical unit vector: the scale applied to font sizes.
    fn vertical_scale(self) -> f32 {
        let [_, _, c, d, _, _] = self.0;
        (c * c + d * d).sqrt()
    }
}

/// What the interpreter needs to know about a font: how to decode its codes and how wide they are.
struct FontMetrics<'a> {
    encoding: Option<Encoding<'a>>,
    /// Two-byte codes (Type0 fonts with Identity-like CMaps).
    two_byte: bool,
    first_char: u32,
    /// Glyph widths in thousandths of the font size.
    widths: Vec<f32>,
    missing_width: f32,
}

impl FontMetrics<'_> {
    fn width(&self, code: u32) -> f32 {
        code.checked_sub(self.first_char)
            .and_then(|index| self.widths.get(index as usize))
            .copied()
            .unwrap_or(self.missing_width)
    }

    fn decode(&self, bytes: &[u8]) -> String {
        match &self.encoding {
            Some(encoding) => Document::decode_text(encoding, bytes)
                .unwrap_or_else(|_| String::from_utf8_lossy(bytes).into_owned()),
            None => bytes.iter().map(|&byte| char::from(byte)).collect(),
        }
    }
}

/// Fonts are shared by many pages: decoding a ToUnicode CMap once per font keeps a 110-page edition fast.
#[derive(Default)]
struct FontCache<'a> {
    by_address: HashMap<usize, std::rc::Rc<FontMetrics<'a>>>,
}

impl<'a> FontCache<'a> {
    fn get(
        &mut self,
        document: &'a Document,
        font: &'a Dictionary,
    ) -> std::rc::Rc<FontMetrics<'a>> {
        // The dictionary lives as long as the document, so its address identifies it.
        let key = font as *const Dictionary as usize;
        self.by_address
            .entry(key)
            .or_insert_with(|| std::rc::Rc::new(font_metrics(document, font)))
            .clone()
    }
}

fn font_metrics<'a>(document: &'a Document, font: &'a Dictionary) -> FontMetrics<'a> {
    let subtype = font
        .get(b"Subtype")
        .and_then(Object::as_name)
        .unwrap_or(b"");
    let encoding = font.get_font_encoding(document).ok();
    if subtype == b"Type0" {
        let descendant = font
            .get_deref(b"DescendantFonts", document)
            .and_then(Object::as_array)
            .ok()
            .and_then(|fonts| fonts.first())
            .and_then(|first| deref(document, first).as_dict().ok());
        let default_width = descendant
            .and_then(|d| d.get(b"DW").ok())
            .and_then(number)
            .unwrap_or(1000.0);
        let (first_char, widths) = descendant
            .and_then(|d| d.get_deref(b"W", document).and_then(Object::as_array).ok())
            .map(|w| cid_widths(document, w, default_width))
            .unwrap_or((0, Vec::new()));
        return FontMetrics {
            encoding,
            two_byte: true,
            first_char,
            widths,
            missing_width: default_width,
        };
    }
    let first_char = font.get(b"FirstChar").ok().and_then(number).unwrap_or(0.0) as u32;
    let widths = font
        .get_deref(b"Widths", document)
        .and_then(Object::as_array)
        .map(|widths| {
            widths
                .iter()
                .map(|w| number(deref(document, w)).unwrap_or(0.0))
                .collect()
        })
        .unwrap_or_default();
    let missing_width = font
        .get_deref(b"FontDescriptor", document)
        .and_then(Object::as_dict)
        .ok()
        .and_then(|descriptor| descriptor.get(b"MissingWidth").ok())
        .and_then(number)
        // Without metrics, half an em is a fair average for Latin text.
        .unwrap_or(500.0);
    FontMetrics {
        encoding,
        two_byte: false,
        first_char,
        widths,
        missing_width,
    }
}

/// Flattens a CID font's `W` array (`c [w1 w2 …]` and `c_first c_last w` forms) into a dense table.
fn cid_widths(document: &Document, w: &[Object], default_width: f32) -> (u32, Vec<f32>) {
    let mut entries: Vec<(u32, f32)> = Vec::new();
    let mut index = 0;
    while index + 1 < w.len() {
        let Some(first) = number(deref(document, &w[index])) else {
            break;
        };
        match deref(document, &w[index + 1]) {
            Object::Array(list) => {
                for (offset, width) in list.iter().enumerate() {
                    entries.push((
                        first as u32 + offset as u32,
                        number(width).unwrap_or(default_width),
                    ));
                }
                index += 2;
            }
            last => {
                let (Some(last), Some(width)) = (number(last), w.get(index + 2).and_then(number))
                else {
                    break;
                };
                // A range wider than the 16-bit code space is damaged: stop rather than allocate.
                if last < first || last - first > 65_535.0 {
                    break;
                }
                for code in first as u32..=last as u32 {
                    entries.push((code, width));
                }
                index += 3;
            }
        }
    }
    let Some(min) = entries.iter().map(|(code, _)| *code).min() else {
        return (0, Vec::new());
    };
    let max = entries.iter().map(|(code, _)| *code).max().unwrap_or(min);
    let mut widths = vec![default_width; (max - min + 1) as usize];
    for (code, width) in entries {
        widths[(code - min) as usize] = width;
    }
    (min, widths)
}

#[derive(Clone)]
struct GraphicsState {
    ctm: Matrix,
    fill: Rgb,
    font_size: f32,
    font: Option<Vec<u8>>,
    char_spacing: f32,
    word_spacing: f32,
    horizontal_scale: f32,
    leading: f32,
    rise: f32,
}

struct Interpreter<'i, 'a> {
    document: &'a Document,
    fonts: &'i mut FontCache<'a>,
    page: &'i mut PageLayout,
    depth: usize,
}

/// Form XObjects may nest; a loop in the resource graph must not hang the parser.
const MAX_FORM_DEPTH: usize = 8;

impl<'a> Interpreter<'_, 'a> {
    fn run(&mut self, content: &[u8], resources: &[&'a Dictionary], base: Matrix) {
        let Ok(content) = Content::decode(content) else {
            return;
        };
        let mut state = GraphicsState {
            ctm: base,
            fill: Rgb::BLACK,
            font_size: 0.0,
            font: None,
            char_spacing: 0.0,
            word_spacing: 0.0,
            horizontal_scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        };
        let mut saved: Vec<GraphicsState> = Vec::new();
        let mut text_matrix = Matrix::IDENTITY;
        let mut line_matrix = Matrix::IDENTITY;
        let mut path: Option<Rect> = None;
        let mut path_start = (0.0, 0.0);

        for operation in &content.operations {
            let operands: Vec<f32> = operation.operands.iter().filter_map(number).collect();
            let op = |i: usize| operands.get(i).copied().unwrap_or(0.0);
            match operation.operator.as_str() {
                "q" => saved.push(state.clone()),
                "Q" => {
                    if let Some(previous) = saved.pop() {
                        state = previous;
                    }
                }
                "cm" if operands.len() == 6 => {
                    state.ctm = Matrix([op(0), op(1), op(2), op(3), op(4), op(5)]).then(state.ctm);
                }
                "rg" | "sc" | "scn" if operands.len() == 3 => state.fill = Rgb(op(0), op(1), op(2)),
                "g" | "sc" | "scn" if operands.len() == 1 => state.fill = Rgb(op(0), op(0), op(0)),
                "k" | "sc" | "scn" if operands.len() == 4 => {
                    state.fill = cmyk(op(0), op(1), op(2), op(3))
                }
                // Paths: only their bounds and fill colour matter (cell backgrounds, ticks).
                "m" if operands.len() == 2 => {
                    path_start = state.ctm.apply(op(0), op(1));
                    extend(&mut path, path_start);
                }
                "l" if operands.len() == 2 => extend(&mut path, state.ctm.apply(op(0), op(1))),
                "c" if operands.len() == 6 => {
                    for pair in [(op(0), op(1)), (op(2), op(3)), (op(4), op(5))] {
                        extend(&mut path, state.ctm.apply(pair.0, pair.1));
                    }
                }
                "v" | "y" if operands.len() == 4 => {
                    extend(&mut path, state.ctm.apply(op(0), op(1)));
                    extend(&mut path, state.ctm.apply(op(2), op(3)));
                }
                "h" => extend(&mut path, path_start),
                "re" if operands.len() == 4 => {
                    let (x, y, w, h) = (op(0), op(1), op(2), op(3));
                    for corner in [(x, y), (x + w, y), (x, y + h), (x + w, y + h)] {
                        extend(&mut path, state.ctm.apply(corner.0, corner.1));
                    }
                }
                "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" => {
                    if let Some(bounds) = path.take() {
                        self.page.shapes.push(FilledShape {
                            bounds,
                            fill: state.fill,
                        });
                    }
                }
                "S" | "s" | "n" => path = None,
                "BT" => {
                    text_matrix = Matrix::IDENTITY;
                    line_matrix = Matrix::IDENTITY;
                }
                "Tf" => {
                    state.font = operation
                        .operands
                        .first()
                        .and_then(|name| name.as_name().ok())
                        .map(<[u8]>::to_vec);
                    state.font_size = operands.last().copied().unwrap_or(0.0);
                }
                "Tc" => state.char_spacing = op(0),
                "Tw" => state.word_spacing = op(0),
                "Tz" => state.horizontal_scale = op(0) / 100.0,
                "TL" => state.leading = op(0),
                "Ts" => state.rise = op(0),
                "Td" => {
                    line_matrix = Matrix::translation(op(0), op(1)).then(line_matrix);
                    text_matrix = line_matrix;
                }
                "TD" => {
                    state.leading = -op(1);
                    line_matrix = Matrix::translation(op(0), op(1)).then(line_matrix);
                    text_matrix = line_matrix;
                }
                "Tm" if operands.len() == 6 => {
                    line_matrix = Matrix([op(0), op(1), op(2), op(3), op(4), op(5)]);
                    text_matrix = line_matrix;
                }
                "T*" => {
                    line_matrix = Matrix::translation(0.0, -state.leading).then(line_matrix);
                    text_matrix = line_matrix;
                }
                "Tj" | "'" | "\"" | "TJ" => {
                    if operation.operator == "'" || operation.operator == "\"" {
                        if operation.operator == "\"" {
                            state.word_spacing = op(0);
                            state.char_spacing = op(1);
                        }
                        line_matrix = Matrix::translation(0.0, -state.leading).then(line_matrix);
                        text_matrix = line_matrix;
                    }
                    let parts: Vec<&Object> = match operation.operator.as_str() {
                        "TJ" => operation
                            .operands
                            .first()
                            .and_then(|array| array.as_array().ok())
                            .map(|array| array.iter().collect())
                            .unwrap_or_default(),
                        _ => operation.operands.last().into_iter().collect(),
                    };
                    self.show_text(&state, resources, &mut text_matrix, &parts);
                }
                "Do" => {
                    if let Some(name) = operation
                        .operands
                        .first()
                        .and_then(|name| name.as_name().ok())
                    {
                        self.run_form(name, resources, state.ctm);
                    }
                }
                _ => {}
            }
        }
    }

    fn show_text(
        &mut self,
        state: &GraphicsState,
        resources: &[&'a Dictionary],
        text_matrix: &mut Matrix,
        parts: &[&Object],
    ) {
        let Some(font) = state
            .font
            .as_deref()
            .and_then(|name| self.font(resources, name))
        else {
            return;
        };
        let size = state.font_size;
        let start = Matrix([
            size * state.horizontal_scale,
            0.0,
            0.0,
            size,
            0.0,
            state.rise,
        ])
        .then(*text_matrix)
        .then(state.ctm);
        let (x, y) = start.apply(0.0, 0.0);
        let mut text = String::new();
        let mut first_advance: Option<f32> = None;
        for part in parts {
            match part {
                Object::String(bytes, _) => {
                    text.push_str(&font.decode(bytes));
                    let mut advance = 0.0;
                    let codes: Vec<u32> = if font.two_byte {
                        bytes
                            .chunks(2)
                            .map(|pair| pair.iter().fold(0u32, |code, b| code * 256 + *b as u32))
                            .collect()
                    } else {
                        bytes.iter().map(|b| *b as u32).collect()
                    };
                    for code in codes {
                        let spacing = state.char_spacing
                            + if code == 32 && !font.two_byte {
                                state.word_spacing
                            } else {
                                0.0
                            };
                        let glyph =
                            (font.width(code) / 1000.0 * size + spacing) * state.horizontal_scale;
                        first_advance.get_or_insert(glyph);
                        advance += glyph;
                    }
                    *text_matrix = Matrix::translation(advance, 0.0).then(*text_matrix);
                }
                other => {
                    let Some(adjustment) = number(other) else {
                        continue;
                    };
                    let advance = -adjustment / 1000.0 * size * state.horizontal_scale;
                    // A kerning gap wider than a fifth of an em stands for a word space some producers omit.
                    if advance > 0.2 * size && !text.is_empty() && !text.ends_with(' ') {
                        text.push(' ');
                    }
                    *text_matrix = Matrix::translation(advance, 0.0).then(*text_matrix);
                }
            }
        }
        let (end_x, _) = Matrix([
            size * state.horizontal_scale,
            0.0,
            0.0,
            size,
            0.0,
            state.rise,
        ])
        .then(*text_matrix)
        .then(state.ctm)
        .apply(0.0, 0.0);
        if text.is_empty() {
            return;
        }
        let scale = text_matrix.then(state.ctm).vertical_scale();
        let effective_size = size * scale;
        let first_advance = first_advance.unwrap_or(0.0) * scale;
        self.page.runs.push(TextRun {
            x,
            y,
            end_x,
            first_advance,
            size: effective_size,
            fill: state.fill,
            text,
        });
    }

    fn font(
        &mut self,
        resources: &[&'a Dictionary],
        name: &[u8],
    ) -> Option<std::rc::Rc<FontMetrics<'a>>> {
        let document = self.document;
        let font = resources.iter().find_map(|resources| {
            let fonts = resources
                .get_deref(b"Font", document)
                .and_then(Object::as_dict)
                .ok()?;
            fonts
                .get_deref(name, document)
                .and_then(Object::as_dict)
                .ok()
        })?;
        Some(self.fonts.get(document, font))
    }

    fn run_form(&mut self, name: &[u8], resources: &[&'a Dictionary], ctm: Matrix) {
        if self.depth >= MAX_FORM_DEPTH {
            return;
        }
        let document = self.document;
        let Some(stream) = resources.iter().find_map(|resources| {
            let objects = resources
                .get_deref(b"XObject", document)
                .and_then(Object::as_dict)
                .ok()?;
            objects
                .get_deref(name, document)
                .and_then(Object::as_stream)
                .ok()
        }) else {
            return;
        };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form") {
            return;
        }
        let matrix = stream
            .dict
            .get_deref(b"Matrix", document)
            .and_then(Object::as_array)
            .ok()
            .map(|values| values.iter().filter_map(number).collect::<Vec<_>>())
            .and_then(|values| <[f32; 6]>::try_from(values).ok())
            .map(Matrix)
            .unwrap_or(Matrix::IDENTITY);
        let mut form_resources: Vec<&'a Dictionary> = Vec::new();
        if let Ok(own) = stream
            .dict
            .get_deref(b"Resources", document)
            .and_then(Object::as_dict)
        {
            form_resources.push(own);
        }
        form_resources.extend_from_slice(resources);
        let Ok(content) = stream
            .decompressed_content()
            .or_else(|_| Ok::<_, ()>(stream.content.clone()))
        else {
            return;
        };
        self.depth += 1;
        self.run(&content, &form_resources, matrix.then(ctm));
        self.depth -= 1;
    }
}

fn extend(path: &mut Option<Rect>, (x, y): (f32, f32)) {
    match path {
        Some(rect) => rect.include(x, y),
        None => *path = Some(Rect::from_point(x, y)),
    }
}

fn cmyk(c: f32, m: f32, y: f32, k: f32) -> Rgb {
    Rgb(
        (1.0 - c) * (1.0 - k),
        (1.0 - m) * (1.0 - k),
        (1.0 - y) * (1.0 - k),
    )
}
