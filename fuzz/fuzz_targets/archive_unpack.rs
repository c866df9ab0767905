//! Any byte string as a tar stream, extracted into a fresh folder: it may be
//! refused, but it must never panic, never change anything outside the
//! folder, and every symlink it leaves must resolve inside.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use tool::archive::unpack::{Options, unpack};

fn entries(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(read) = std::fs::read_dir(dir) {
        for e in read.flatten() {
            let path = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                out.extend(entries(&path));
            }
            out.push(path);
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let root = tempfile::tempdir().unwrap();
    let dest = root.path().join("dest");
    let fence = root.path().join("outside");
    std::fs::create_dir_all(&dest).unwrap();
    std::fs::create_dir_all(&fence).unwrap();
    let final_path = root.path().join("final");
    let opts = Options {
        dest: &dest,
        final_path: &final_path,
        top: "1.0",
        default_prefix: Some("/build/prefix".into()),
        max_bytes: 1 << 20,
        check: None,
    };
    let _ = unpack(data, &opts);
    // Nothing appeared beside the folder or in the fence.
    let mut beside: Vec<_> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    beside.sort();
    assert_eq!(
        beside,
        ["dest", "outside"],
        "something was written beside the folder"
    );
    assert!(entries(&fence).is_empty(), "something was written outside");
    // Every link that resolves, resolves inside (or into the final path).
    let inside = std::fs::canonicalize(&dest).unwrap();
    for path in entries(&dest) {
        let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        if let (true, Ok(real)) = (is_link, std::fs::canonicalize(&path)) {
            assert!(
                real.starts_with(&inside) || real.starts_with(&final_path),
                "{} resolves to {}",
                path.display(),
                real.display()
            );
        }
    }
});
