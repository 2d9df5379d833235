//! `cargo run -p layering [CRATE_DIR…]`: prints each workspace crate's import circles between
//! top-level modules, with the edges that close them; exits 1 when there is one. With no
//! arguments, every crate directory of the workspace that has a `src/`.

use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let crates = if args.is_empty() {
        layering::workspace_crates(&root)
    } else {
        args
    };
    let mut any = false;
    for dir in crates {
        let graph = match layering::graph(&dir.join("src")) {
            Ok(g) => g,
            Err(e) => {
                eprintln!("{}: {e}", dir.display());
                std::process::exit(2);
            }
        };
        for circle in layering::circles(&graph) {
            any = true;
            println!("{}: {}", dir.display(), circle.join(" ↔ "));
            for (a, b) in layering::edges_within(&graph, &circle) {
                println!("    {a} → {b}");
            }
        }
    }
    if !any {
        println!("no import circle between the modules of any crate");
    }
    std::process::exit(i32::from(any));
}
