//! A camera's configuration tree as data, and the settings the booth needs from it.
//!
//! Real bodies differ in what they offer: Canon EOS bodies have `autopoweroff` and (from about
//! 2016) a `viewfinder` toggle, older ones call that toggle `eosviewfinder`, and Nikon bodies
//! have no auto-power-off setting at all in libgphoto2. [`startup_settings`] decides, from the
//! tree a camera reports, what the kiosk sets when it opens it; [`viewfinder_key`] which toggle
//! leaves live view. Both are pure, so they are tested on the trees of real cameras:
//! [`parse_list_all_config`] reads `gphoto2 --list-all-config` output, the form in which users
//! and libgphoto2's maintainers collect them (camera-driver/tests/fixtures/config-trees), and
//! [`dump`] writes a tree back in that form.

use std::fmt::Write as _;

/// The kind of a setting, as libgphoto2 names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WidgetKind {
    /// Free text (some bodies report numbers as text, e.g. the EOS 90D's `autopoweroff`).
    Text,
    /// A number within a range.
    Range,
    /// On or off (2 when unknown).
    Toggle,
    /// One of listed choices.
    Radio,
    /// One of listed choices, shown as a menu.
    Menu,
    /// A Unix time.
    Date,
    /// An action.
    Button,
}

impl WidgetKind {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "TEXT" => Self::Text,
            "RANGE" => Self::Range,
            "TOGGLE" => Self::Toggle,
            "RADIO" => Self::Radio,
            "MENU" => Self::Menu,
            "DATE" => Self::Date,
            "BUTTON" => Self::Button,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Text => "TEXT",
            Self::Range => "RANGE",
            Self::Toggle => "TOGGLE",
            Self::Radio => "RADIO",
            Self::Menu => "MENU",
            Self::Date => "DATE",
            Self::Button => "BUTTON",
        }
    }
}

/// One setting of a camera.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigEntry {
    /// Full path, e.g. "/main/settings/capturetarget".
    pub path: String,
    /// Human label, in the camera's or the host's language.
    pub label: String,
    /// Read-only.
    pub readonly: bool,
    /// Kind.
    pub kind: WidgetKind,
    /// Current value as text.
    pub current: String,
    /// The choices of a radio or menu setting, in the camera's order.
    pub choices: Vec<String>,
}

impl ConfigEntry {
    /// The key libgphoto2 finds it by: the last part of the path.
    pub fn key(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

/// Why a dump could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("config dump line {line}: {why}")]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What was wrong.
    pub why: String,
}

/// Read `gphoto2 --list-all-config` output. Both of its forms are read: the current one (each
/// entry has `Readonly:` and ends with `END`) and the one before 2.5.20 or so (neither; an
/// entry ends where the next path starts). Lines before the first path are skipped; so are
/// `Printable:`, `Help:`, `Bottom:`/`Top:`/`Step:` lines and blank lines. A value on the line
/// after an empty `Current:` belongs to it (the EOS 90D's focus info). Trailing spaces and
/// no-break spaces after a path (progress-bar residue in real reports) are trimmed.
pub fn parse_list_all_config(text: &str) -> Result<Vec<ConfigEntry>, ParseError> {
    struct Open {
        path: String,
        line: usize,
        label: String,
        readonly: bool,
        kind: Option<WidgetKind>,
        current: Option<String>,
        choices: Vec<String>,
    }
    fn close(open: Open) -> Result<ConfigEntry, ParseError> {
        let Some(kind) = open.kind else {
            return Err(ParseError {
                line: open.line,
                why: format!("{} has no Type:", open.path),
            });
        };
        Ok(ConfigEntry {
            path: open.path,
            label: open.label,
            readonly: open.readonly,
            kind,
            current: open.current.unwrap_or_default(),
            choices: open.choices,
        })
    }
    let mut out = Vec::new();
    let mut open: Option<Open> = None;
    let mut value_follows = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches([' ', '\u{a0}', '\r']);
        let n = i + 1;
        if line.starts_with("/main/") || line == "/main" {
            if let Some(o) = open.take() {
                out.push(close(o)?);
            }
            open = Some(Open {
                path: line.to_owned(),
                line: n,
                label: String::new(),
                readonly: false,
                kind: None,
                current: None,
                choices: Vec::new(),
            });
            value_follows = false;
            continue;
        }
        let Some(o) = open.as_mut() else {
            continue; // prose before the dump
        };
        let field = |name: &str| line.strip_prefix(name).map(str::trim_start);
        if line == "END" {
            out.push(close(open.take().expect("open"))?);
        } else if let Some(v) = field("Label:") {
            o.label = v.to_owned();
        } else if let Some(v) = field("Readonly:") {
            o.readonly = match v {
                "0" => false,
                "1" => true,
                _ => {
                    return Err(ParseError {
                        line: n,
                        why: format!("Readonly: {v:?} is neither 0 nor 1"),
                    });
                }
            };
        } else if let Some(v) = field("Type:") {
            o.kind = Some(WidgetKind::parse(v).ok_or_else(|| ParseError {
                line: n,
                why: format!("unknown Type: {v:?}"),
            })?);
        } else if let Some(v) = field("Current:") {
            value_follows = v.is_empty();
            o.current = Some(v.to_owned());
            continue;
        } else if let Some(v) = field("Choice:") {
            // "Choice: 3 Memory card": an index, then the choice.
            let choice = v.split_once(' ').map_or("", |(_, c)| c);
            o.choices.push(choice.to_owned());
        } else if value_follows && !line.is_empty() && !line.contains(": ") {
            o.current = Some(line.to_owned());
        }
        value_follows = false;
    }
    if let Some(o) = open.take() {
        out.push(close(o)?);
    }
    Ok(out)
}

/// Write a tree in `gphoto2 --list-all-config`'s current form.
pub fn dump(tree: &[ConfigEntry]) -> String {
    let mut s = String::new();
    for e in tree {
        let _ = writeln!(
            s,
            "{}\nLabel: {}\nReadonly: {}\nType: {}\nCurrent: {}",
            e.path,
            e.label,
            u8::from(e.readonly),
            e.kind.name(),
            e.current
        );
        for (i, c) in e.choices.iter().enumerate() {
            let _ = writeln!(s, "Choice: {i} {c}");
        }
        s.push_str("END\n");
    }
    s
}

/// A setting the kiosk makes on a camera, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The setting's key.
    pub key: String,
    /// The value to set.
    pub value: String,
    /// Why the booth needs it.
    pub why: &'static str,
}

fn find<'a>(tree: &'a [ConfigEntry], key: &str) -> Option<&'a ConfigEntry> {
    tree.iter().find(|e| e.key() == key && !e.readonly)
}

/// What the kiosk sets when it opens a camera with this tree, in order:
/// - `capturetarget` to the camera's RAM, so photos never pile up on a card between sessions
///   (and the shot is not lost to a full or missing card);
/// - `autopoweroff` off, where the body has it (Canon), so the camera does not sleep during a
///   quiet hour with the booth still open. A text or range setting gets 0 (Canon's "never"), a
///   list its "off" choice. Nikon bodies have no such setting; the actor's keepalive (a summary
///   every few seconds) keeps them awake;
/// - a smaller JPEG ([`capture_size`]): the photo is 480 × 640, and a 24 MP JPEG costs four
///   times the transfer and decode of one a quarter its size, for pixels the photo never uses.
///
/// Settings a body does not have, or has read-only, are left out.
pub fn startup_settings(tree: &[ConfigEntry]) -> Vec<Setting> {
    let mut out = Vec::new();
    if let Some(e) = find(tree, "capturetarget")
        && let Some(ram) = e.choices.iter().find(|c| c.as_str() == "Internal RAM")
    {
        out.push(Setting {
            key: e.key().to_owned(),
            value: ram.clone(),
            why: "photos go to the camera's RAM, not a card",
        });
    }
    if let Some(e) = find(tree, "autopoweroff") {
        let value = match e.kind {
            WidgetKind::Text | WidgetKind::Range => Some("0".to_owned()),
            WidgetKind::Radio | WidgetKind::Menu => e
                .choices
                .iter()
                .find(|c| {
                    let c = c.to_lowercase();
                    c == "0" || c == "off" || c.contains("disable") || c == "never"
                })
                .cloned(),
            _ => None,
        };
        if let Some(value) = value {
            out.push(Setting {
                key: e.key().to_owned(),
                value,
                why: "the camera must not go to sleep while the booth is open",
            });
        }
    }
    out.extend(capture_size(tree));
    out
}

/// Rows a capture needs: the face's 3:4 window must keep at least twice the photo's pixels
/// (640 × √2 ≈ 906 rows of the window for the photo's 640), and in the booth the window is 0.6
/// to 0.85 of the frame's height (a graduate sitting high or far back makes it smaller).
pub const MIN_CAPTURE_ROWS: u32 = 1510;

/// Canon's JPEG-only formats, smallest first, that keep [`MIN_CAPTURE_ROWS`] on every EOS body
/// libgphoto2 drives: Small Fine (S1) is 2592 × 1728 on an 18 MP body, 2976 × 1984 on a 24 MP
/// one. "Smaller" (S2, 1920 × 1280) and "Tiny" (S3, 720 × 480) are too small; "Normal" is
/// coarser compression, RAW no JPEG at all.
const CANON_FORMATS: [&str; 3] = ["Small Fine JPEG", "Medium Fine JPEG", "Large Fine JPEG"];

/// The settings that make the camera write the smallest JPEG the photo can be cut from:
/// - Canon (`imageformat`, named by size class): the first of [`CANON_FORMATS`] offered;
/// - Nikon (`imagesize`, "W×H"): the smallest size with at least [`MIN_CAPTURE_ROWS`] rows, and
///   `imagequality` "JPEG Fine" where offered (not NEF).
///
/// A body with neither is left as it is; so is one whose sizes cannot be read.
pub fn capture_size(tree: &[ConfigEntry]) -> Vec<Setting> {
    const WHY: &str = "a smaller JPEG is faster to transfer and decode, with pixels to spare";
    let mut out = Vec::new();
    if let Some(e) = find(tree, "imageformat")
        && let Some(f) = CANON_FORMATS
            .iter()
            .find(|f| e.choices.iter().any(|c| c == *f))
    {
        out.push(Setting {
            key: e.key().to_owned(),
            value: (*f).to_owned(),
            why: WHY,
        });
    }
    if let Some(e) = find(tree, "imagesize")
        && let Some(size) = e
            .choices
            .iter()
            .filter_map(|c| Some((c, rows_of(c)?)))
            .filter(|&(_, rows)| rows >= MIN_CAPTURE_ROWS)
            .min_by_key(|&(_, rows)| rows)
    {
        out.push(Setting {
            key: e.key().to_owned(),
            value: size.0.clone(),
            why: WHY,
        });
        if let Some(q) = find(tree, "imagequality")
            && let Some(fine) = q.choices.iter().find(|c| c.as_str() == "JPEG Fine")
        {
            out.push(Setting {
                key: q.key().to_owned(),
                value: fine.clone(),
                why: "a JPEG the booth can read, at the finest compression",
            });
        }
    }
    out
}

/// The rows of a size choice written "6000x4000"; `None` for anything else.
fn rows_of(choice: &str) -> Option<u32> {
    let (w, h) = choice.split_once('x')?;
    w.trim().parse::<u32>().ok()?;
    h.trim().parse().ok()
}

/// The toggle that starts and ends live view: `viewfinder` on current Canon and Nikon bodies,
/// `eosviewfinder` on Canon EOS bodies from before about 2016. None when the body has neither
/// (it leaves live view by itself when it shoots).
pub fn viewfinder_key(tree: &[ConfigEntry]) -> Option<&'static str> {
    ["viewfinder", "eosviewfinder"]
        .into_iter()
        .find(|k| find(tree, k).is_some_and(|e| e.kind == WidgetKind::Toggle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<ConfigEntry> {
        let path = format!(
            "{}/tests/fixtures/config-trees/{name}.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        parse_list_all_config(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn settings(tree: &[ConfigEntry]) -> Vec<(String, String)> {
        startup_settings(tree)
            .into_iter()
            .map(|s| (s.key, s.value))
            .collect()
    }

    fn entry<'a>(tree: &'a [ConfigEntry], key: &str) -> &'a ConfigEntry {
        tree.iter()
            .find(|e| e.key() == key)
            .unwrap_or_else(|| panic!("no {key} in the tree"))
    }

    fn pair(k: &str, v: &str) -> (String, String) {
        (k.to_owned(), v.to_owned())
    }

    #[test]
    fn canon_eos_90d_new_form_with_its_quirks() {
        let tree = fixture("canon-eos90d");
        assert_eq!(tree.len(), 60);
        // The NBSP run after the first path is not part of its name.
        assert_eq!(tree[0].path, "/main/actions/syncdatetimeutc");
        let owner = entry(&tree, "ownername");
        assert_eq!(owner.current, "");
        let focus = entry(&tree, "focusinfo");
        assert!(focus.current.starts_with("eosversion=2,"), "{focus:?}");
        let battery = tree.iter().find(|e| e.path == "/main/other/5001").unwrap();
        assert!(battery.readonly && battery.kind == WidgetKind::Menu);
        assert_eq!(battery.choices, ["100", "0", "75", "0", "50"]);
        assert_eq!(
            settings(&tree),
            [
                pair("capturetarget", "Internal RAM"),
                pair("autopoweroff", "0"),
                pair("imageformat", "Small Fine JPEG")
            ]
        );
        assert_eq!(viewfinder_key(&tree), Some("viewfinder"));
    }

    #[test]
    fn canon_eos_2000d_old_form_captures_to_the_card_until_told() {
        let tree = fixture("canon-eos2000d");
        assert_eq!(tree.len(), 63);
        let target = entry(&tree, "capturetarget");
        assert_eq!(target.current, "Memory card");
        assert_eq!(target.choices, ["Internal RAM", "Memory card"]);
        // Set to RAW + JPEG: the booth asks for the small JPEG alone.
        assert_eq!(entry(&tree, "imageformat").current, "RAW + Large Fine JPEG");
        assert_eq!(
            settings(&tree),
            [
                pair("capturetarget", "Internal RAM"),
                pair("autopoweroff", "0"),
                pair("imageformat", "Small Fine JPEG")
            ]
        );
        assert_eq!(viewfinder_key(&tree), Some("viewfinder"));
    }

    #[test]
    fn canon_eos_700d_calls_its_viewfinder_eosviewfinder() {
        let tree = fixture("canon-eos-700d");
        assert_eq!(tree.len(), 54);
        assert_eq!(viewfinder_key(&tree), Some("eosviewfinder"));
        assert_eq!(settings(&tree)[0], pair("capturetarget", "Internal RAM"));
        assert_eq!(entry(&tree, "imageformat").current, "RAW");
        assert!(settings(&tree).contains(&pair("imageformat", "Small Fine JPEG")));
    }

    #[test]
    fn nikon_d3500_has_no_auto_power_off() {
        let tree = fixture("nikon-d3500");
        assert_eq!(tree.len(), 108);
        assert!(tree.iter().any(|e| e.kind == WidgetKind::Range));
        assert!(tree.iter().filter(|e| e.readonly).count() >= 30);
        // 2992 × 2000 is the smallest of 6000 × 4000, 4496 × 3000 and 2992 × 2000 with enough
        // rows; JPEG Fine rather than the Normal it was left at.
        assert_eq!(
            settings(&tree),
            [
                pair("capturetarget", "Internal RAM"),
                pair("imagesize", "2992x2000"),
                pair("imagequality", "JPEG Fine")
            ]
        );
        assert_eq!(viewfinder_key(&tree), Some("viewfinder"));
    }

    #[test]
    fn a_dump_reads_back_as_the_same_tree() {
        for name in [
            "canon-eos90d",
            "canon-eos2000d",
            "canon-eos-700d",
            "nikon-d3500",
        ] {
            let tree = fixture(name);
            assert_eq!(parse_list_all_config(&dump(&tree)).unwrap(), tree, "{name}");
        }
    }

    #[test]
    fn settings_follow_what_the_body_offers() {
        let entry = |path: &str, kind, readonly, choices: &[&str]| ConfigEntry {
            path: path.into(),
            label: String::new(),
            readonly,
            kind,
            current: String::new(),
            choices: choices.iter().map(|c| c.to_string()).collect(),
        };
        // No RAM target offered, a read-only power setting, no viewfinder: nothing to do.
        let tree = [
            entry(
                "/main/settings/capturetarget",
                WidgetKind::Radio,
                false,
                &["Memory card"],
            ),
            entry("/main/settings/autopoweroff", WidgetKind::Text, true, &[]),
        ];
        assert!(startup_settings(&tree).is_empty());
        assert_eq!(viewfinder_key(&tree), None);
        // A list of durations with an "Off" choice.
        let tree = [entry(
            "/main/settings/autopoweroff",
            WidgetKind::Radio,
            false,
            &["1 minute", "30 minutes", "Off"],
        )];
        assert_eq!(settings(&tree), [pair("autopoweroff", "Off")]);
        // Sizes too small for the photo, or unreadable, are never chosen; nor is RAW.
        let tree = [
            entry(
                "/main/imgsettings/imagesize",
                WidgetKind::Radio,
                false,
                &["1920x1280", "3008x2000", "large", "6016x4016"],
            ),
            entry(
                "/main/imgsettings/imageformat",
                WidgetKind::Radio,
                false,
                &["RAW", "Smaller JPEG", "Tiny JPEG"],
            ),
        ];
        assert_eq!(settings(&tree), [pair("imagesize", "3008x2000")]);
        let tree = [entry(
            "/main/imgsettings/imagesize",
            WidgetKind::Radio,
            false,
            &["1920x1280", "medium"],
        )];
        assert!(settings(&tree).is_empty());
    }

    #[test]
    fn broken_dumps_say_where() {
        let e = parse_list_all_config("/main/a\nLabel: A\nCurrent: 1\nEND\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.why.contains("no Type"), "{e}");
        let e = parse_list_all_config("/main/a\nType: KNOB\nEND\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_list_all_config("/main/a\nReadonly: yes\nType: TEXT\n").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        assert!(parse_list_all_config("no dump here\n").unwrap().is_empty());
    }
}
