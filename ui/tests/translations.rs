//! Every `@tr("…")` string in the screens has an English translation in the bundled .po file.

use std::collections::HashMap;

fn po_entries(text: &str) -> HashMap<String, String> {
    // msgid / msgstr, each possibly continued on following "…" lines (msgmerge wraps long ones).
    let mut map = HashMap::new();
    let (mut id, mut value, mut in_str) = (String::new(), String::new(), false);
    let unquote = |s: &str| s.trim().trim_matches('"').to_owned();
    let mut flush = |id: &mut String, value: &mut String| {
        if !id.is_empty() {
            map.insert(std::mem::take(id), std::mem::take(value));
        }
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("msgid ") {
            flush(&mut id, &mut value);
            id = unquote(rest);
            in_str = false;
        } else if let Some(rest) = line.strip_prefix("msgstr ") {
            value = unquote(rest);
            in_str = true;
        } else if line.starts_with('"') {
            if in_str {
                value.push_str(&unquote(line));
            } else {
                id.push_str(&unquote(line));
            }
        }
    }
    flush(&mut id, &mut value);
    map
}

/// The source strings of every `@tr("…")` and `@tr("context" => "…")`.
fn tr_strings(slint: &str) -> Vec<String> {
    slint
        .split("@tr(\"")
        .skip(1)
        .map(|rest| {
            let (first, after) = rest.split_once('"').unwrap_or_default();
            match after.trim_start().strip_prefix("=>") {
                Some(text) => text
                    .trim_start()
                    .trim_start_matches('"')
                    .split('"')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
                None => first.to_owned(),
            }
        })
        .collect()
}

#[test]
fn every_ui_string_has_an_english_translation() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let po =
        std::fs::read_to_string(root.join("../assets/translations/en/LC_MESSAGES/kiosk-ui.po"))
            .unwrap();
    let en = po_entries(&po);
    let mut checked = 0;
    for entry in std::fs::read_dir(root.join("ui")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "slint") {
            for s in tr_strings(&std::fs::read_to_string(&path).unwrap()) {
                let t = en.get(&s).unwrap_or_else(|| {
                    panic!("{}: {s:?} is not in en/kiosk-ui.po", path.display())
                });
                assert!(!t.is_empty(), "{s:?} has an empty English translation");
                assert_eq!(
                    s.matches("{}").count(),
                    t.matches("{}").count(),
                    "placeholders differ: {s:?} / {t:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} strings found");
}
