//! Text contrast (WCAG 2, ui-design.md: at least 4.5:1 for all text): every text colour the
//! screens use, on every background it is drawn on, read from the theme and the screens.

use std::collections::HashMap;

fn luminance(hex: &str) -> f64 {
    let h = hex.trim_start_matches('#');
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&h[i..i + 2], 16).unwrap()) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `out property <color> name: #RRGGBB;` lines of theme.slint.
fn theme() -> HashMap<String, String> {
    let text = include_str!("../ui/theme.slint");
    text.lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("out property <color> ")?;
            let (name, value) = rest.split_once(':')?;
            Some((
                name.trim().to_owned(),
                value.trim().trim_end_matches(';').to_owned(),
            ))
        })
        .collect()
}

#[test]
fn every_text_colour_has_enough_contrast_on_its_background() {
    let t = theme();
    let c = |name: &str| {
        t.get(name)
            .unwrap_or_else(|| panic!("no colour {name}"))
            .clone()
    };
    let white = "#FFFFFF".to_owned();
    let live_view = "#0B1220".to_owned();
    // (what, text colour, background)
    let pairs = [
        ("body text", c("text"), c("background")),
        ("body text on cards", c("text"), c("card")),
        ("instructions", c("muted"), c("background")),
        ("instructions on cards", c("muted"), c("card")),
        ("button text", c("accent"), c("card")),
        (
            "pressed button text",
            c("accent-pressed"),
            "#E8F0FC".to_owned(),
        ),
        ("primary button text", white.clone(), c("accent")),
        ("pressed primary button", white.clone(), c("accent-pressed")),
        ("disabled button text", c("muted"), "#E5E6EB".to_owned()),
        ("✓ lines", c("success-text"), c("background")),
        ("✓ lines on cards", c("success-text"), c("card")),
        ("✗ lines", c("error-text"), c("background")),
        ("✗ lines on cards", c("error-text"), c("card")),
        ("warnings", c("warning-text"), c("card")),
        ("scan banner", white.clone(), c("error")),
        (
            "attract and out-of-service text",
            "#C9D6F0".to_owned(),
            c("navy"),
        ),
        ("out-of-service reference", "#8FA3C8".to_owned(), c("navy")),
        ("wrong PIN", "#FFB4B4".to_owned(), c("navy")),
        ("log lines", "#C9D6F0".to_owned(), live_view),
    ];
    for (what, fg, bg) in pairs {
        let ratio = contrast(&fg, &bg);
        assert!(
            ratio >= 4.5,
            "{what}: {fg} on {bg} is {ratio:.2}:1, under 4.5:1"
        );
    }
}

#[test]
fn the_screens_draw_text_only_in_text_colours() {
    // The raw semantic colours are for marks and fills; text uses their -text variants.
    for (file, text) in [
        ("start.slint", include_str!("../ui/start.slint")),
        ("camera.slint", include_str!("../ui/camera.slint")),
        ("after-shot.slint", include_str!("../ui/after-shot.slint")),
        ("maintenance.slint", include_str!("../ui/maintenance.slint")),
        ("widgets.slint", include_str!("../ui/widgets.slint")),
    ] {
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("color:") {
                for raw in [
                    "Theme.success;",
                    "Theme.warning;",
                    "Theme.error;",
                    "Theme.success ",
                    "Theme.warning ",
                    "Theme.error ",
                ] {
                    assert!(!line.contains(raw), "{file}:{}: text in {raw}", n + 1);
                }
            }
        }
    }
}
