//! python-build-standalone's build prefix (`/install`) rewritten for the
//! folder a build is installed in, in the files its `docs/quirks.rst` names
//! (`_sysconfigdata_*.py`, `config-*/Makefile`) and the other text files
//! that carry it (`python*-config`, `config-*/python-config.py`,
//! `lib/pkgconfig/*.pc`), so `sysconfig`, `python3-config` and a compile of a
//! C extension use the installed headers and libraries. Only whole path
//! names are rewritten (`/install`, `/install/lib`, `-L/install/lib`), never
//! `/x/install` or `/installer`. Scripts need nothing: PBS gives them a
//! `#!/bin/sh` trampoline that runs the interpreter beside them.

use std::path::{Path, PathBuf};

use crate::error::Result;

/// The prefix PBS builds are configured with on Linux.
pub const BUILD_PREFIX: &str = "/install";

/// The largest file read for the prefix (a `_sysconfigdata` is ~50 KB).
const MAX_FILE: u64 = 4 << 20;

/// Rewrites the build prefix to `final_path` in the files below `root`
/// (the staging folder) that name it; how many changed.
pub fn relocate(root: &Path, final_path: &Path) -> Result<u64> {
    let new = final_path.to_string_lossy();
    let mut changed = 0;
    for path in candidates(root)? {
        // Not every build has every one of them.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_file() || meta.len() > MAX_FILE {
            continue;
        }
        let data = fs_err::read(&path)?;
        if let Some(out) = rewrite(&data, BUILD_PREFIX.as_bytes(), new.as_bytes()) {
            // Rewritten in place: the file keeps its mode.
            fs_err::write(&path, out)?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// The files that may name the build prefix.
fn candidates(root: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let names = |dir: &Path| -> Result<Vec<(String, PathBuf)>> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Ok(Vec::new());
        };
        Ok(entries
            .flatten()
            .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
            .collect())
    };
    for (name, path) in names(&root.join("bin"))? {
        if name.starts_with("python") && name.ends_with("-config") {
            out.push(path);
        }
    }
    for (name, path) in names(&root.join("lib/pkgconfig"))? {
        if name.ends_with(".pc") {
            out.push(path);
        }
    }
    for (name, lib) in names(&root.join("lib"))? {
        if !name.starts_with("python") {
            continue;
        }
        for (name, path) in names(&lib)? {
            if name.starts_with("_sysconfigdata_") && name.ends_with(".py") {
                out.push(path);
            } else if name.starts_with("config-") {
                out.extend(["Makefile", "python-config.py"].map(|f| path.join(f)));
            }
        }
    }
    Ok(out)
}

/// `data` with every whole-path `old` made `new`; `None` when none is, or
/// the file is not text.
pub fn rewrite(data: &[u8], old: &[u8], new: &[u8]) -> Option<Vec<u8>> {
    if data[..data.len().min(8192)].contains(&0) {
        return None;
    }
    let path_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/');
    let mut out = Vec::with_capacity(data.len());
    let mut last = 0;
    for i in memchr::memmem::find_iter(data, old) {
        let before = data[..i].iter().rev().take(2).copied().collect::<Vec<u8>>();
        let starts = match before.as_slice() {
            [] => true,
            // `-L/install/lib`, `-I/install/include`.
            [b, b'-', ..] if b.is_ascii_alphabetic() => true,
            [b, ..] => !path_byte(*b),
        };
        let ends = data.get(i + old.len()).is_none_or(|b| {
            *b == b'/' || !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        });
        if starts && ends && i >= last {
            out.extend_from_slice(&data[last..i]);
            out.extend_from_slice(new);
            last = i + old.len();
        }
    }
    if last == 0 {
        return None;
    }
    out.extend_from_slice(&data[last..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_path_names_are_rewritten() {
        let text = b"prefix=\t/install\nLIBS='-L/install/lib -I/install/include'\n\
            x = '/install' y=/opt/install/lib z=/installer w=/install.d\n";
        let out = rewrite(text, b"/install", b"/d/p").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "prefix=\t/d/p\nLIBS='-L/d/p/lib -I/d/p/include'\n\
            x = '/d/p' y=/opt/install/lib z=/installer w=/install.d\n"
        );
        assert_eq!(rewrite(b"/opt/install", b"/install", b"/x"), None);
        assert_eq!(rewrite(b"\x7fELF\0/install", b"/install", b"/x"), None);
    }

    #[test]
    fn the_sysconfig_files_of_a_pbs_tree_are_relocated() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let files = [
            "lib/python3.11/_sysconfigdata__linux_x86_64-linux-gnu.py",
            "lib/python3.11/config-3.11-x86_64-linux-gnu/Makefile",
            "lib/pkgconfig/python-3.11.pc",
            "bin/python3.11-config",
            "lib/python3.11/site.py",
        ];
        for f in files {
            std::fs::create_dir_all(root.join(f).parent().unwrap()).unwrap();
            std::fs::write(root.join(f), "prefix='/install'\n").unwrap();
        }
        assert_eq!(relocate(root, Path::new("/home/u/py")).unwrap(), 4);
        let read = |f: &str| std::fs::read_to_string(root.join(f)).unwrap();
        assert_eq!(read(files[0]), "prefix='/home/u/py'\n");
        assert_eq!(read(files[4]), "prefix='/install'\n", "stdlib untouched");
    }
}
