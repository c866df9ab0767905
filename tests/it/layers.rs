//! The dependency order of `docs/architecture.md`, checked over the source:
//! a module may name (`crate::…`) only modules of a lower layer, so a lower
//! layer never imports a higher one. A new module must be given a layer here.

use std::path::Path;

/// Layers from the bottom; a module may use modules of lower layers only.
const LAYERS: &[&[&str]] = &[
    &["fs", "layout", "platform", "progress", "version::order"],
    &["archive", "remote"],
    &["error"],
    &["version", "env", "process", "provenance"],
    &["tool_name", "fetch"],
    &["config", "installed", "lockfile"],
    &["hooks", "context"],
    &["cache"],
    &["job"],
    &["compile"],
    &["plugin", "upstream"],
    &["tools"],
    &["shim", "backend"],
    &["install"],
    &["cli"],
    &["lib", "main", "bin"],
];

/// The layer of a module path (`cache::fetch` → `cache`'s).
fn layer(module: &str) -> Option<(usize, &'static str)> {
    LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, names)| names.iter().map(move |n| (i, *n)))
        .filter(|(_, n)| module == *n || module.starts_with(&format!("{n}::")))
        .max_by_key(|(_, n)| n.len())
}

/// `src/cache/fetch.rs` → `cache::fetch`; `src/version/mod.rs` → `version`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .filter(|c| c != "mod")
        .collect();
    parts.join("::")
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::a::b` path named in code (comments left out), with
/// `crate::{a, b::c}` groups read as `a` and `b::c`.
fn crate_paths(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ");
    let is_path = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    let mut out = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            for item in inner.split(',') {
                let path: String = item.trim().chars().take_while(|c| is_path(*c)).collect();
                if !path.is_empty() && path != "self" {
                    out.push(path.trim_end_matches(':').to_string());
                }
            }
        } else {
            let path: String = rest.chars().take_while(|c| is_path(*c)).collect();
            out.push(path.trim_end_matches(':').to_string());
        }
    }
    out
}

#[test]
fn no_module_imports_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        let Some((mine, own)) = layer(&module) else {
            wrong.push(format!("{module} has no layer in tests/it/layers.rs"));
            continue;
        };
        for used in crate_paths(&std::fs::read_to_string(file).unwrap()) {
            match layer(&used) {
                Some((_, name)) if name == own => {}
                Some((theirs, _)) if theirs < mine => {}
                Some(_) => wrong.push(format!("{module} uses crate::{used}")),
                None => wrong.push(format!("{module} uses crate::{used}, which has no layer")),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_an_upward_import() {
    assert_eq!(layer("cache::fetch").map(|l| l.1), Some("cache"));
    assert_eq!(layer("version::order").map(|l| l.1), Some("version::order"));
    assert_eq!(layer("version").map(|l| l.1), Some("version"));
    assert_eq!(
        crate_paths(
            "use crate::install::lock; // crate::cli::x\nuse crate::{hooks, cache::Cache};"
        ),
        vec!["install::lock", "hooks", "cache::Cache"]
    );
    let (archive, install) = (layer("archive").unwrap().0, layer("install").unwrap().0);
    assert!(archive < install);
}
