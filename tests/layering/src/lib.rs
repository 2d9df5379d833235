//! Import circles between the modules of a crate.
//!
//! A crate's top-level modules (`config`, `runtime`, …: the first name after `crate::`) are
//! the nodes; module `a` depends on `b` when a file of `a` names `crate::b` (in a `use` or in
//! any path) or reaches it with `super::` from a nested module. References inside one
//! top-level module do not count (a parent and its children may use each other). A circle is
//! a strongly connected component of more than one module. Test code is left out (modules
//! named `tests`, inline or in files, and items under `#[cfg(test)]`): a test may reach across
//! the layers to drive a whole; the layering is of the code that ships. Paths through the
//! crate root's re-exports (`crate::Bus` for `crate::bus::Bus`) are not followed.
//!
//! Written here rather than taken from `cargo-modules` (which has `--acyclic`): that tool
//! builds rust-analyzer's crates, minutes on two cores, while this reads the sources with
//! `syn`, already in the tree, and is enough for a check that runs with every test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// Module → the modules it names.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// The graph of the crate whose `src/` is `src`: every `.rs` file under it (build scripts,
/// tests and benches are outside `src/` and are not part of the crate's modules).
pub fn graph(src: &Path) -> Result<Graph, String> {
    let mut graph = Graph::new();
    let files = rust_files(src)?;
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| module_path(f.strip_prefix(src).ok()?).first().cloned())
        .collect();
    for file in files {
        let rel = file.strip_prefix(src).map_err(|e| e.to_string())?;
        let module = module_path(rel);
        if module.iter().any(|m| m == "tests") {
            continue;
        }
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("reading {}: {e}", file.display()))?;
        let ast = syn::parse_file(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let mut refs = Refs {
            module: module.clone(),
            found: BTreeSet::new(),
        };
        refs.visit_file(&ast);
        let Some(top) = module.first() else {
            // The crate root (lib.rs, main.rs) declares modules; it is no module's peer.
            continue;
        };
        let out = graph.entry(top.clone()).or_default();
        for target in refs.found {
            // `crate::Name` of an item the root re-exports is not a module.
            if &target != top && modules.contains(&target) {
                out.insert(target);
            }
        }
    }
    Ok(graph)
}

/// The circles of `graph`: its strongly connected components of two or more modules, each
/// sorted, in sorted order (Tarjan's algorithm).
pub fn circles(graph: &Graph) -> Vec<Vec<String>> {
    struct Tarjan<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    impl<'g> Tarjan<'g> {
        fn visit(&mut self, v: &'g str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if self.on_stack.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut scc = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    scc.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if scc.len() > 1 {
                    scc.sort();
                    self.out.push(scc);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out.sort();
    t.out
}

/// One edge of each circle that closes it, for the report: `a → b` where both are in it.
pub fn edges_within(graph: &Graph, circle: &[String]) -> Vec<(String, String)> {
    let set: BTreeSet<&String> = circle.iter().collect();
    let mut out = Vec::new();
    for a in circle {
        for b in graph.get(a).into_iter().flatten() {
            if set.contains(b) {
                out.push((a.clone(), b.clone()));
            }
        }
    }
    out
}

/// The workspace's crates: directories (to two levels) holding a Cargo.toml and a src/.
pub fn workspace_crates(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![(root.to_owned(), 0)];
    while let Some((d, depth)) = todo.pop() {
        if d.join("Cargo.toml").is_file() && d.join("src").is_dir() {
            out.push(d.clone());
        }
        if depth < 2 {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                let name = e.file_name();
                let hidden = name.to_string_lossy().starts_with('.');
                if p.is_dir() && !hidden && name != "target" && name != "src" {
                    todo.push((p, depth + 1));
                }
            }
        }
    }
    out.sort();
    out
}

/// The source files under `src` longer than `limit` lines, not counting tests: files named
/// `tests.rs` or `*_tests.rs`, and everything from a top-level `#[cfg(test)]` on (the inline
/// test module at a file's end). One file should hold one idea (issue 36).
pub fn long_files(src: &Path, limit: usize) -> Result<Vec<(PathBuf, usize)>, String> {
    let mut out = Vec::new();
    for file in rust_files(src)? {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "tests.rs" || name.ends_with("_tests.rs") {
            continue;
        }
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let lines = text
            .lines()
            .take_while(|l| !l.starts_with("#[cfg(test)]"))
            .count();
        if lines > limit {
            out.push((file, lines));
        }
    }
    Ok(out)
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("reading {}: {e}", d.display()))?;
        for e in entries {
            let path = e.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `runtime/mod.rs` → [runtime]; `runtime/health.rs` → [runtime, health]; `lib.rs` → [].
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    let root = parts.is_empty() && matches!(stem, "lib" | "main");
    if stem != "mod" && !root {
        parts.push(stem.to_owned());
    }
    parts
}

/// The top-level modules a file names.
struct Refs {
    /// The file's module path.
    module: Vec<String>,
    found: BTreeSet<String>,
}

impl Refs {
    /// The top-level module a path of `segments` names, if it starts at the crate or climbs
    /// with `super`.
    fn note(&mut self, segments: &[String]) {
        let Some(first) = segments.first() else {
            return;
        };
        let mut here = self.module.clone();
        let mut rest = segments;
        match first.as_str() {
            "crate" => {
                here.clear();
                rest = &segments[1..];
            }
            "super" => {
                while rest.first().is_some_and(|s| s == "super") {
                    here.pop();
                    rest = &rest[1..];
                }
            }
            _ => return,
        }
        // The top-level module: the first name below the crate root.
        let top = here.first().or(rest.first());
        if let Some(top) = top {
            self.found.insert(top.clone());
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                prefix.push(n.ident.to_string());
                self.note(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Rename(r) => {
                prefix.push(r.ident.to_string());
                self.note(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Glob(_) => self.note(&prefix.clone()),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Refs {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.note(&segments);
        syn::visit::visit_path(self, path);
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test_only(item) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if item.ident == "tests" {
            return;
        }
        // An inline module is one level deeper for its `super::`.
        self.module.push(item.ident.to_string());
        syn::visit::visit_item_mod(self, item);
        self.module.pop();
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // Paths inside macro calls (`format!("{}", crate::x::y())`) are tokens, not syntax:
        // read them as expressions where they parse.
        if let Ok(args) = mac.parse_body_with(
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
        ) {
            for e in &args {
                self.visit_expr(e);
            }
        }
        syn::visit::visit_macro(self, mac);
    }
}

/// An item under `#[cfg(test)]`.
fn is_test_only(item: &syn::Item) -> bool {
    let attrs = match item {
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        _ => return false,
    };
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && a.parse_args::<syn::Ident>().is_ok_and(|arg| arg == "test")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(edges: &[(&str, &str)]) -> Graph {
        let mut g = Graph::new();
        for (a, b) in edges {
            g.entry((*a).into()).or_default().insert((*b).into());
            g.entry((*b).into()).or_default();
        }
        g
    }

    #[test]
    fn a_circle_is_found_and_a_chain_is_not() {
        assert!(circles(&g(&[("a", "b"), ("b", "c")])).is_empty());
        assert_eq!(
            circles(&g(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])),
            [["a", "b", "c"]]
        );
    }

    #[test]
    fn crate_and_super_paths_name_top_level_modules() {
        let dir = std::env::temp_dir().join(format!("layering-{}", std::process::id()));
        let src = dir.join("src");
        std::fs::create_dir_all(src.join("runtime")).unwrap();
        std::fs::write(
            src.join("lib.rs"),
            "pub mod config; pub mod other; pub mod runtime;",
        )
        .unwrap();
        std::fs::write(src.join("other.rs"), "").unwrap();
        std::fs::write(src.join("runtime/tests.rs"), "use crate::other::Y;").unwrap();
        std::fs::write(
            src.join("config.rs"),
            "use crate::{runtime::{World, clock}, config::X};\nfn f() { let _ = format!(\"{}\", crate::runtime::now()); }",
        )
        .unwrap();
        std::fs::write(src.join("runtime/mod.rs"), "mod health;").unwrap();
        std::fs::write(
            src.join("runtime/health.rs"),
            "fn f() { super::super::config::load(); super::World::new(); }\nmod tests { use crate::other::Thing; }\n#[cfg(test)]\nfn t() { crate::other::x(); }",
        )
        .unwrap();
        let graph = graph(&src).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(graph["config"], BTreeSet::from(["runtime".to_owned()]));
        assert_eq!(
            graph["runtime"],
            BTreeSet::from(["config".to_owned()]),
            "test code is left out"
        );
        assert_eq!(circles(&graph), [["config", "runtime"]]);
    }
}
