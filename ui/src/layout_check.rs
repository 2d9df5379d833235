//! The layout check: on a screen as drawn, every text is whole and readable where it stands.
//!
//! It reads the element tree (positions and sizes, through Slint's testing API) and the pixels
//! of the same frame, and reports each text that
//!
//! - runs out of the panel it sits in (a button, a picture card, the header or footer, the
//!   live view, a card), so part of it is cut off or drawn over;
//! - overlaps another panel, a picture or the footer (a last line under the footer);
//! - has its ink (the drawn glyphs, found in the pixels) within [`MARGIN`] px of its panel's
//!   edge, the screen's edge, or the footer;
//! - overlaps another text's ink;
//! - breaks badly: a Chinese line left with one or two characters, a big Chinese title (a
//!   heading) broken over lines where its text has no space to break at, or an English
//!   paragraph ending in an orphan (one short word alone on its last line).
//!
//! Where a Chinese body text breaks is Slint's line breaker's (UAX #14): it never starts a line
//! with closing punctuation, and breaking between any two Han characters is normal Chinese
//! typesetting, so the check does not judge it.
//!
//! A text's box in a Slint layout is as tall as its wrapped lines (Slint gives wrapped text
//! its full height as minimum), so an overflowing screen shows up as boxes crossing panels;
//! the ink is measured from the frame because a text's box may be taller than its glyphs.

use i_slint_backend_testing::{ElementHandle, ElementQuery};
use image::RgbImage;
use serde::Serialize;

use crate::KioskWindow;

/// Clear space between a text's ink and its panel's edge, the screen's edge or the footer, px.
pub const MARGIN: f32 = 8.0;

/// Components that are panels: a text inside one must stay inside it.
const PANELS: &[&str] = &[
    "KButton",
    "PictureCard",
    "SeatStatus",
    "LiveView",
    "Panel",
    "Header",
    "Footer",
    "CountdownDisc",
    "Banner",
];

/// Panels that hide the picture under them: a text on one is read on the panel, and its ink
/// is measured there.
const OPAQUE: &[&str] = &["Banner"];

/// Dialogs drawn over the whole screen.
const MODALS: &[&str] = &["IdleWarning", "ExitDialog"];

/// Elements no text may overlap unless it sits inside them.
const OBSTACLES: &[&str] = &["Image"];

/// One problem found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Problem {
    /// The text concerned (its accessible label, i.e. what it says).
    pub text: String,
    /// What is wrong, in words, with the figures.
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.text, self.what)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Rect {
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
}

impl Rect {
    fn of(e: &ElementHandle) -> Self {
        let (p, s) = (e.absolute_position(), e.size());
        Rect {
            x0: p.x,
            y0: p.y,
            x1: p.x + s.width,
            y1: p.y + s.height,
        }
    }
    fn area(&self) -> f32 {
        (self.x1 - self.x0).max(0.0) * (self.y1 - self.y0).max(0.0)
    }
    fn contains_point(&self, x: f32, y: f32) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }
    /// Wholly inside `o`, to half a pixel.
    fn inside(&self, o: &Rect) -> bool {
        self.x0 >= o.x0 - 0.5
            && self.y0 >= o.y0 - 0.5
            && self.x1 <= o.x1 + 0.5
            && self.y1 <= o.y1 + 0.5
    }
    /// Overlap by more than a pixel each way.
    fn overlaps(&self, o: &Rect) -> bool {
        self.x0.max(o.x0) + 1.0 < self.x1.min(o.x1) && self.y0.max(o.y0) + 1.0 < self.y1.min(o.y1)
    }
    fn centre(&self) -> (f32, f32) {
        ((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0)
    }
    /// Distance from this (inner) rectangle to each edge of `outer`: the smallest.
    fn clearance_in(&self, outer: &Rect) -> f32 {
        (self.x0 - outer.x0)
            .min(self.y0 - outer.y0)
            .min(outer.x1 - self.x1)
            .min(outer.y1 - self.y1)
    }
}

struct Panel {
    kind: String,
    rect: Rect,
}

/// A text's ink: its bounding box and the vertical extent of each line.
struct Ink {
    rect: Rect,
    lines: Vec<(u32, u32, u32, u32)>, // (y0, y1, x0, x1) per line band
    /// Runs of ink on the last line split by gaps a word space wide: its words, for Latin text.
    last_line_words: usize,
}

/// Check the screen `window` shows, drawn as `frame` (the same frame, at the window's size).
pub fn check(window: &KioskWindow, frame: &RgbImage) -> Vec<Problem> {
    let (fw, fh) = (frame.width() as f32, frame.height() as f32);
    let screen = Rect {
        x0: 0.0,
        y0: 0.0,
        x1: fw,
        y1: fh,
    };
    let kind_of = |e: &ElementHandle| e.type_name().map(|t| t.to_string()).unwrap_or_default();
    let mut all = ElementQuery::from_root(window).find_all();
    // A dialog over the screen (the idle warning) is all the graduate can read: check it alone.
    if let Some(modal) = all.iter().find(|e| MODALS.contains(&kind_of(e).as_str())) {
        all = modal.query_descendants().find_all();
    }
    let mut panels = Vec::new();
    let mut obstacles = Vec::new();
    let mut texts = Vec::new();
    for e in &all {
        let kind = kind_of(e);
        let rect = Rect::of(e);
        if rect.area() <= 0.0 {
            continue;
        }
        if PANELS.contains(&kind.as_str()) {
            panels.push(Panel { kind, rect });
        } else if OBSTACLES.contains(&kind.as_str()) {
            obstacles.push(Panel { kind, rect });
        } else if e.bases().is_some_and(|mut b| b.any(|t| t == "Text")) || kind == "Text" {
            let label = e.accessible_label().unwrap_or_default().to_string();
            if !label.trim().is_empty() {
                texts.push((label, rect));
            }
        }
    }

    let mut problems = Vec::new();
    let mut inks: Vec<(String, Option<Ink>)> = Vec::new();
    for (label, rect) in &texts {
        let mut say = |what: String| {
            problems.push(Problem {
                text: label.clone(),
                what,
            })
        };
        if !rect.inside(&screen) {
            say(format!("runs off the screen ({})", show(rect)));
            continue;
        }
        let (cx, cy) = rect.centre();
        // The innermost panel holding the text's centre is its own.
        let own = panels
            .iter()
            .filter(|p| p.rect.contains_point(cx, cy))
            .min_by(|a, b| a.rect.area().total_cmp(&b.rect.area()));
        let (own_kind, own_rect) = own.map_or(("screen", screen), |p| (p.kind.as_str(), p.rect));
        if !rect.inside(&own_rect) {
            say(format!(
                "is cut off: its box {} runs out of its {own_kind} {}",
                show(rect),
                show(&own_rect)
            ));
        }
        // Any other panel or picture it crosses, unless that one holds its own panel.
        for other in panels.iter().chain(obstacles.iter()) {
            if other.rect == own_rect || own_rect.inside(&other.rect) {
                continue;
            }
            if rect.overlaps(&other.rect) {
                say(format!(
                    "overlaps the {} at {} (its box {})",
                    other.kind,
                    show(&other.rect),
                    show(rect)
                ));
            }
        }
        // Over a picture (live view, photo) the pixels are not the text's: no ink checks,
        // unless the text stands on an opaque panel of its own.
        let over_picture = !OPAQUE.contains(&own_kind)
            && obstacles
                .iter()
                .chain(panels.iter().filter(|p| p.kind == "LiveView"))
                .any(|o| o.rect.contains_point(cx, cy));
        let ink = if over_picture {
            None
        } else {
            ink(frame, &inset_from(rect, &own_rect))
        };
        if let Some(ink) = &ink {
            let clearance = ink.rect.clearance_in(&own_rect);
            if clearance < MARGIN {
                say(format!(
                    "its ink {} comes within {clearance:.0} px of its {own_kind}'s edge {} (at least {MARGIN} px)",
                    show(&ink.rect),
                    show(&own_rect)
                ));
            }
            if own_kind != "Footer" {
                for footer in panels.iter().filter(|p| p.kind == "Footer") {
                    let gap = footer.rect.y0 - ink.rect.y1;
                    if own_rect != footer.rect
                        && !own_rect.inside(&footer.rect)
                        && ink.rect.x1 > footer.rect.x0
                        && ink.rect.x0 < footer.rect.x1
                        && gap < MARGIN
                        && ink.rect.y0 < footer.rect.y0
                    {
                        say(format!(
                            "its ink ends {gap:.0} px above the footer (at least {MARGIN} px)"
                        ));
                    }
                }
            }
            if let Some(what) = bad_break(label, ink) {
                say(what);
            }
        }
        inks.push((label.clone(), ink));
    }
    for (i, (a, ia)) in inks.iter().enumerate() {
        for (b, ib) in &inks[i + 1..] {
            if let (Some(ia), Some(ib)) = (ia, ib)
                && ia.rect.overlaps(&ib.rect)
            {
                problems.push(Problem {
                    text: a.clone(),
                    what: format!("its ink overlaps the text {b:?}"),
                });
            }
        }
    }
    problems
}

fn show(r: &Rect) -> String {
    format!("({:.0}, {:.0})–({:.0}, {:.0})", r.x0, r.y0, r.x1, r.y1)
}

fn is_cjk(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// A Chinese line left with a single character; a big Chinese heading broken where its text
/// has no space (titles are written to fit one line, or to break at a space).
fn bad_break(label: &str, ink: &Ink) -> Option<String> {
    if ink.lines.len() < 2 {
        return None;
    }
    if !label.chars().any(is_cjk) {
        return orphan(label, ink);
    }
    let (y0, y1, x0, x1) = *ink.lines.last()?;
    let band = (y1 - y0).max(1) as f32;
    // Taller than a CJK glyph of about 50 px: heading size.
    let big = ink.lines.iter().all(|l| (l.1 - l.0) as f32 >= 42.0);
    let breaks = label.matches([' ', '\n']).count() + 1;
    if big && ink.lines.len() > breaks {
        return Some(format!(
            "a heading broken over {} lines where its text gives {breaks} (it must fit the width)",
            ink.lines.len()
        ));
    }
    // A glyph is about as wide as the band is tall: one or two ("约 5 / 分钟") alone on the
    // last line read as a broken line.
    if ((x1 - x0) as f32) < band * 2.5 {
        return Some(format!(
            "its last line holds only one or two characters ({} lines)",
            ink.lines.len()
        ));
    }
    None
}

/// An English paragraph whose last line is one word, and short (under a quarter of its widest
/// line, and of at most 12 letters: a path wrapping whole is a figure, not a stray): the eye
/// reads it as a stray. Typesetters call it an orphan (or a runt) and reword or rewrap to
/// avoid it.
fn orphan(label: &str, ink: &Ink) -> Option<String> {
    let &(_, _, x0, x1) = ink.lines.last()?;
    let widest = ink.lines.iter().map(|l| l.3 - l.2).max()?;
    let mut words = label.split_whitespace();
    let word = words.next_back()?;
    if ink.last_line_words == 1
        && (x1 - x0) * 4 < widest
        && words.next().is_some()
        && word.chars().count() <= 12
    {
        return Some(format!(
            "its last line is one short word alone ({word:?} of {} lines): an orphan",
            ink.lines.len()
        ));
    }
    None
}

/// Runs of ink along the band `line` (y0, y1, x0, x1) separated by a gap of at least `space`
/// px: its words.
fn words_on(line: (u32, u32, u32, u32), space: u32, far: impl Fn(u32, u32) -> bool) -> usize {
    let (y0, y1, x0, x1) = line;
    let (mut words, mut gap, mut inked) = (0, 0, false);
    for x in x0..x1 {
        if (y0..y1).any(|y| far(x, y)) {
            if !inked || gap >= space {
                words += 1;
            }
            inked = true;
            gap = 0;
        } else {
            gap += 1;
        }
    }
    words
}

/// `rect` without the few pixels along any side that lies on its panel's edge: there the
/// panel's border, not the text, is drawn.
fn inset_from(rect: &Rect, panel: &Rect) -> Rect {
    const BORDER: f32 = 4.0;
    let near = |a: f32, b: f32| (a - b).abs() < BORDER;
    Rect {
        x0: rect.x0 + if near(rect.x0, panel.x0) { BORDER } else { 0.0 },
        y0: rect.y0 + if near(rect.y0, panel.y0) { BORDER } else { 0.0 },
        x1: rect.x1 - if near(rect.x1, panel.x1) { BORDER } else { 0.0 },
        y1: rect.y1 - if near(rect.y1, panel.y1) { BORDER } else { 0.0 },
    }
}

/// The glyphs drawn in `rect`: pixels far from the box's background (the commonest colour on
/// its border), with the rows that hold them grouped into line bands.
fn ink(frame: &RgbImage, rect: &Rect) -> Option<Ink> {
    let x0 = rect.x0.floor().max(0.0) as u32;
    let y0 = rect.y0.floor().max(0.0) as u32;
    let x1 = (rect.x1.ceil() as u32).min(frame.width());
    let y1 = (rect.y1.ceil() as u32).min(frame.height());
    if x1 <= x0 + 1 || y1 <= y0 + 1 {
        return None;
    }
    let mut counts = std::collections::HashMap::<[u8; 3], u32>::new();
    for x in x0..x1 {
        *counts.entry(frame.get_pixel(x, y0).0).or_default() += 1;
        *counts.entry(frame.get_pixel(x, y1 - 1).0).or_default() += 1;
    }
    for y in y0..y1 {
        *counts.entry(frame.get_pixel(x0, y).0).or_default() += 1;
        *counts.entry(frame.get_pixel(x1 - 1, y).0).or_default() += 1;
    }
    let bg = counts.into_iter().max_by_key(|(_, n)| *n)?.0;
    let far = |p: [u8; 3]| {
        p.iter()
            .zip(bg)
            .map(|(a, b)| (i32::from(*a) - i32::from(b)).abs())
            .sum::<i32>()
            > 90
    };
    let mut lines: Vec<(u32, u32, u32, u32)> = Vec::new();
    let mut open: Option<(u32, u32, u32)> = None; // y0, x0, x1 of the band being read
    for y in y0..y1 {
        let mut row: Option<(u32, u32)> = None;
        for x in x0..x1 {
            if far(frame.get_pixel(x, y).0) {
                row = Some(row.map_or((x, x), |(a, _)| (a, x)));
            }
        }
        match (row, open) {
            (Some((a, b)), None) => open = Some((y, a, b)),
            (Some((a, b)), Some((oy, oa, ob))) => open = Some((oy, oa.min(a), ob.max(b))),
            (None, Some((oy, oa, ob))) => {
                lines.push((oy, y, oa, ob + 1));
                open = None;
            }
            (None, None) => {}
        }
    }
    if let Some((oy, oa, ob)) = open {
        lines.push((oy, y1, oa, ob + 1));
    }
    // Accents and dots a few px tall belong to the line below or above: fold bands thinner
    // than 4 px into their neighbour.
    let mut merged: Vec<(u32, u32, u32, u32)> = Vec::new();
    for l in lines {
        match merged.last_mut() {
            Some(m) if l.1 - l.0 < 4 || m.1 - m.0 < 4 || l.0 <= m.1 + 1 => {
                *m = (m.0, l.1, m.2.min(l.2), m.3.max(l.3));
            }
            _ => merged.push(l),
        }
    }
    let first = merged.first()?;
    let last = merged.last()?;
    let (ix0, ix1) = merged
        .iter()
        .fold((u32::MAX, 0), |(a, b), l| (a.min(l.2), b.max(l.3)));
    // A word space: measured on the booth's Latin text (its tallest line band, ascender to
    // descender, 35 px), spaces leave 9–13 px between inks and letters at most 6 (antialiased
    // edges are not ink), so 0.22 of the tallest band; a line's own band is no measure, as a
    // line without ascenders ("square") is a quarter shorter.
    let tallest = merged.iter().map(|l| l.1 - l.0).max().unwrap_or(0);
    let space = ((tallest as f32 * 0.22).ceil() as u32).max(4);
    let last_line_words = words_on(*last, space, |x, y| far(frame.get_pixel(x, y).0));
    Some(Ink {
        rect: Rect {
            x0: ix0 as f32,
            y0: first.0 as f32,
            x1: ix1 as f32,
            y1: last.1 as f32,
        },
        lines: merged,
        last_line_words,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line band 30 px tall drawn as blocks: `spec` gives each glyph's width, 0 for a word
    /// space. Letters stand 6 px apart (the widest letter gap measured), a space 9 px (the
    /// narrowest).
    fn line(spec: &[u32]) -> (RgbImage, (u32, u32, u32, u32)) {
        let mut img = RgbImage::from_pixel(400, 40, image::Rgb([255, 255, 255]));
        let mut x = 10;
        for &w in spec {
            if w == 0 {
                x += 9 - 6;
                continue;
            }
            for dx in 0..w {
                for y in 5..35 {
                    img.put_pixel(x + dx, y, image::Rgb([0, 0, 0]));
                }
            }
            x += w + 6;
        }
        (img, (5, 35, 10, x))
    }

    fn words(spec: &[u32]) -> usize {
        let (img, band) = line(spec);
        words_on(band, 7, |x, y| img.get_pixel(x, y).0[0] < 128)
    }

    #[test]
    fn words_are_told_apart_by_spaces_not_letter_gaps() {
        assert_eq!(words(&[12, 10, 14, 9]), 1);
        assert_eq!(words(&[12, 10, 0, 14, 9]), 2);
        assert_eq!(words(&[12, 0, 10, 0, 14, 9, 0, 3]), 4);
    }

    fn ink(lines: &[(u32, u32)], last_line_words: usize) -> Ink {
        let lines: Vec<_> = lines
            .iter()
            .enumerate()
            .map(|(i, &(x0, x1))| (i as u32 * 40, i as u32 * 40 + 30, x0, x1))
            .collect();
        Ink {
            rect: Rect {
                x0: 0.0,
                y0: 0.0,
                x1: 800.0,
                y1: 40.0 * lines.len() as f32,
            },
            lines,
            last_line_words,
        }
    }

    #[test]
    fn an_english_orphan_is_a_bad_break_and_a_short_last_phrase_is_not() {
        let text = "Scan the code on your phone with the camera at the top of the screen";
        let found = bad_break(text, &ink(&[(0, 800), (0, 90)], 1)).unwrap();
        assert!(found.contains("\"screen\""), "{found}");
        // Two words, or one long enough to balance the line: fine.
        assert_eq!(bad_break(text, &ink(&[(0, 800), (0, 90)], 2)), None);
        assert_eq!(bad_break(text, &ink(&[(0, 800), (0, 300)], 1)), None);
        // One line, or a single word that wraps: nothing to judge.
        assert_eq!(bad_break(text, &ink(&[(0, 800)], 1)), None);
        assert_eq!(
            bad_break("Photographing", &ink(&[(0, 800), (0, 90)], 1)),
            None
        );
        // A path wrapping whole onto its own line is a figure, not a stray word.
        let disk = "37.6 GiB / 252.0 GiB · /var/lib/photo-kiosk/sessions";
        assert_eq!(bad_break(disk, &ink(&[(0, 800), (0, 190)], 1)), None);
    }

    #[test]
    fn a_chinese_last_line_of_one_character_is_a_bad_break() {
        let found = bad_break("请站在屏幕前面拍摄", &ink(&[(0, 800), (0, 40)], 1)).unwrap();
        assert!(found.contains("one or two characters"), "{found}");
    }
}
