//! The event codes: one table in the code (`kiosk_core::ops::CODES`), one in the docs
//! (`docs/operations.md`), and every code the sources log is in both.

use kiosk_core::flow::Device;
use kiosk_core::ops::{CODES, FAULT_KINDS, fault_code};

fn docs() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/operations.md"
    ))
    .unwrap()
}

#[test]
fn every_code_is_documented() {
    let docs = docs();
    for c in CODES {
        assert!(
            docs.contains(&format!("| `{}` |", c.code)),
            "{} is not in docs/operations.md's table",
            c.code
        );
    }
    for kind in FAULT_KINDS {
        let suffix = fault_code(Device::Camera, kind).replacen("CAMERA", "", 1);
        assert!(
            docs.contains(&format!("| `{suffix}` |")),
            "the fault kind {suffix} is not in docs/operations.md"
        );
    }
}

/// `code = "X"` written as a literal anywhere in the sources must be a defined code (the
/// `code::X` constants are checked by the compiler).
#[test]
fn every_code_the_sources_log_is_defined() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut files = vec![];
    for dir in [
        "kiosk-app/src",
        "camera-driver/src",
        "chair-control/src",
        "kiosk-core/src",
    ] {
        let mut stack = vec![std::path::Path::new(root).join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    files.push(p);
                }
            }
        }
    }
    assert!(files.len() > 20, "found only {} source files", files.len());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, _) in text.match_indices("code = \"") {
            let rest = &text[i + 8..];
            let name = &rest[..rest.find('"').unwrap()];
            if name.chars().all(|c| c.is_ascii_uppercase() || c == '_') && !name.is_empty() {
                assert!(
                    CODES.iter().any(|c| c.code == name),
                    "{} logs code {name}, which kiosk_core::ops::CODES does not define",
                    f.display()
                );
            }
        }
    }
}
