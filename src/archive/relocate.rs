//! Relocation of a build prefix: rewrites the old install path in text files
//! (scripts' shebangs, sysconfig data, Makefiles, .pc files), never in
//! binaries.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::error::Result;

/// Replaces `old` with `new` in text data (no NUL byte in its first 8 KiB).
pub fn rewrite_prefix(data: &mut Vec<u8>, old: &[u8], new: &[u8]) -> bool {
    let head = &data[..data.len().min(8192)];
    if head.contains(&0) || old.is_empty() {
        return false;
    }
    let finder = memchr::memmem::Finder::new(old);
    let mut hits = finder.find_iter(data).peekable();
    if hits.peek().is_none() {
        return false;
    }
    let mut out = Vec::with_capacity(data.len());
    let mut last = 0;
    for i in hits {
        out.extend_from_slice(&data[last..i]);
        out.extend_from_slice(new);
        last = i + old.len();
    }
    out.extend_from_slice(&data[last..]);
    *data = out;
    true
}

/// Rewrites `old` to `new` in every text file below `root` (symlinks are left
/// alone); returns how many files changed.
pub fn relocate_tree(root: &Path, old: &str, new: &str) -> Result<u64> {
    let mut changed = 0;
    let entries = fs_err::read_dir(root)?;
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            changed += relocate_tree(&path, old, new)?;
        } else if meta.is_file() && meta.len() <= 16 << 20 {
            let mut data = fs_err::read(&path)?;
            if rewrite_prefix(&mut data, old.as_bytes(), new.as_bytes()) {
                fs_err::write(&path, &data)?;
                fs_err::set_permissions(
                    &path,
                    std::fs::Permissions::from_mode(meta.permissions().mode()),
                )?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_text_but_not_binaries() {
        let mut text = b"#!/old/prefix/bin/python3\nprefix=/old/prefix\n".to_vec();
        assert!(rewrite_prefix(
            &mut text,
            b"/old/prefix",
            b"/new/longer/prefix"
        ));
        assert_eq!(
            text,
            b"#!/new/longer/prefix/bin/python3\nprefix=/new/longer/prefix\n"
        );
        let mut binary = b"\x7fELF\x00\x00/old/prefix".to_vec();
        assert!(!rewrite_prefix(&mut binary, b"/old/prefix", b"/new"));
    }
}
