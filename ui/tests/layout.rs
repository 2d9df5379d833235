//! Layout at the booth's two screen shapes: on every screen, in both languages, at 1920 × 1080
//! and 1080 × 1920, every button lies wholly on the screen and is at least 96 px on each side
//! (touch targets for a graduate alone at the booth, docs/ui-design.md), and the layout check
//! (`kiosk_ui::layout_check`) finds nothing: no text cut off, covered, crowding its panel's
//! edge or the footer, or broken badly.

mod common;

use common::models;
use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use kiosk_ui::model::*;
use kiosk_ui::{Ui, headless};

/// The smallest touch target on the booth's 1080p panel, px (about 26 mm on a 23.8-inch one).
const MIN_TOUCH_PX: f32 = 96.0;

#[test]
fn every_button_is_on_screen_and_big_enough_in_both_orientations() {
    // The software renderer with the real CJK font: text is measured as the booth draws it.
    let screen = headless::install(1920, 1080).unwrap();
    let ui = Ui::new().unwrap();
    screen.show(ui.window()).unwrap();
    let min_px = MIN_TOUCH_PX;
    let mut checked = 0;
    let mut problems = Vec::new();
    for (w, h) in [(1920.0f32, 1080.0f32), (1080.0, 1920.0)] {
        ui.set_portrait(h > w);
        screen.resize(w as u32, h as u32);
        for lang in [Lang::Zh, Lang::En] {
            for m in models() {
                let m = ScreenModel { lang, ..m };
                ui.render(&m);
                // Lay out as drawn; kept for a person to look at when something is off.
                let img = screen.snapshot();
                for p in kiosk_ui::layout_check::check(ui.window(), &img) {
                    problems.push(format!("{w}×{h} {:?} {}: {p}", lang, m.key()));
                }
                let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui-layout");
                std::fs::create_dir_all(&out).unwrap();
                img.save(out.join(format!("{w}x{h}-{:?}-{}.png", lang, m.key())))
                    .unwrap();
                let ctx = format!("{w}×{h} {:?} {}", lang, m.key());
                let inside = |e: &ElementHandle| {
                    let p = e.absolute_position();
                    let s = e.size();
                    p.x >= -0.5
                        && p.y >= -0.5
                        && p.x + s.width <= w + 0.5
                        && p.y + s.height <= h + 0.5
                };
                let buttons = ElementQuery::from_root(ui.window())
                    .match_accessible_role(AccessibleRole::Button)
                    .find_all();
                assert!(!buttons.is_empty(), "{ctx}: no buttons");
                for b in &buttons {
                    let label = b.accessible_label().unwrap_or_default();
                    let (p, s) = (b.absolute_position(), b.size());
                    assert!(
                        inside(b),
                        "{ctx}: button {label:?} at ({}, {}) size {}×{} is off the screen",
                        p.x,
                        p.y,
                        s.width,
                        s.height
                    );
                    assert!(
                        s.width >= min_px && s.height >= min_px,
                        "{ctx}: button {label:?} is {}×{} px, under {min_px:.0} px",
                        s.width,
                        s.height
                    );
                    checked += 1;
                }
                let texts = ElementQuery::from_root(ui.window())
                    .match_inherits("Text")
                    .find_all();
                for t in texts.iter().filter(|t| t.size().width > 0.0) {
                    assert!(
                        inside(t),
                        "{ctx}: text {:?} runs off the screen ({:?} {:?})",
                        t.accessible_label().unwrap_or_default(),
                        t.absolute_position(),
                        t.size()
                    );
                }
            }
        }
    }
    assert!(checked > 200, "checked {checked} buttons");
    assert!(
        problems.is_empty(),
        "{} layout problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
