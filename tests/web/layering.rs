//! The modules of `src/` depend one way: no import cycles between them, and the domain
//! types depend on nothing else in the crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the other top-level modules its files name as `crate::…`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let reference = regex::Regex::new(r"crate::([a-z_]+)").unwrap();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut pending = vec![src.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap();
            let first = relative.components().next().unwrap().as_os_str().to_string_lossy();
            let module = first.trim_end_matches(".rs").to_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let named = graph.entry(module.clone()).or_default();
            for m in reference.captures_iter(&text) {
                if m[1] != module {
                    named.insert(m[1].to_owned());
                }
            }
        }
    }
    graph
}

/// The modules `from` reaches by following imports.
fn reachable(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut pending: Vec<&String> = graph.get(from).into_iter().flatten().collect();
    while let Some(next) = pending.pop() {
        if seen.insert(next.clone()) {
            pending.extend(graph.get(next).into_iter().flatten());
        }
    }
    seen
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = imports();
    assert!(graph.len() > 10, "the modules were read: {graph:?}");
    let cycles: Vec<&String> = graph.keys().filter(|m| reachable(&graph, m).contains(*m)).collect();
    assert!(cycles.is_empty(), "modules in an import cycle: {cycles:?}\n{graph:#?}");
}

#[test]
fn the_domain_imports_nothing_else_of_the_crate() {
    let graph = imports();
    assert_eq!(graph.get("domain"), Some(&BTreeSet::new()));
}
