//! No import circle between the modules of any crate of the workspace (issue 36). When this
//! fails, `cargo run -p layering` prints the circle and the edges that close it: move what
//! both sides need into a leaf module, or the lower side's need into the lower side.

use std::path::PathBuf;

#[test]
fn no_crate_has_an_import_circle_between_its_modules() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let crates = layering::workspace_crates(&root);
    let names: Vec<String> = crates
        .iter()
        .map(|c| c.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "kiosk-app",
        "kiosk-core",
        "collection-service",
        "photo",
        "ui",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} not found in {names:?}"
        );
    }
    let mut found = Vec::new();
    for dir in &crates {
        let graph = layering::graph(&dir.join("src")).unwrap();
        for circle in layering::circles(&graph) {
            let edges: Vec<String> = layering::edges_within(&graph, &circle)
                .into_iter()
                .map(|(a, b)| format!("{a} → {b}"))
                .collect();
            found.push(format!(
                "{}: {} ({})",
                dir.display(),
                circle.join(" ↔ "),
                edges.join(", ")
            ));
        }
    }
    assert!(found.is_empty(), "import circles:\n{}", found.join("\n"));
}

/// No source file of any crate that ships holds more than 500 lines outside its tests (issue 36): past that
/// a file holds two ideas. When this fails, split the file by what it does (a folder of
/// modules, as `flow/`, `checks/` and `logs/` are).
#[test]
fn no_source_file_is_over_500_lines() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut long = Vec::new();
    // The crates under tests/ are test tooling (corpus builders, this check).
    let tooling = root.join("tests");
    for dir in layering::workspace_crates(&root) {
        if dir.starts_with(&tooling) {
            continue;
        }
        for (file, lines) in layering::long_files(&dir.join("src"), 500).unwrap() {
            long.push(format!("{} ({lines} lines)", file.display()));
        }
    }
    assert!(
        long.is_empty(),
        "files over 500 lines:\n{}",
        long.join("\n")
    );
}
