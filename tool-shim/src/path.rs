//! Paths as bytes, joined as std's `Path::join` joins them (one `/`
//! between, none doubled), so every path and variable the fast path builds
//! is byte for byte what the std path builds.

use alloc::ffi::CString;
use alloc::vec::Vec;

/// `base` joined with each of `parts`, as `Path::join` would.
pub fn join(base: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(base.len() + parts.iter().map(|p| p.len() + 1).sum::<usize>());
    out.extend_from_slice(base);
    for part in parts {
        push(&mut out, part);
    }
    out
}

/// Appends `part` (relative) as `PathBuf::push` does.
pub fn push(path: &mut Vec<u8>, part: &[u8]) {
    if !path.is_empty() && !path.ends_with(b"/") {
        path.push(b'/');
    }
    path.extend_from_slice(part);
}

/// `path` made absolute against `cwd`, as `env::absolute` does.
pub fn absolute(cwd: &[u8], path: &[u8]) -> Vec<u8> {
    match path.starts_with(b"/") {
        true => path.to_vec(),
        false => join(cwd, &[path]),
    }
}

/// The C string of `bytes`; `None` when it holds a NUL.
pub fn c(bytes: Vec<u8>) -> Option<CString> {
    CString::new(bytes).ok()
}

/// How many folders `cwd` (absolute, from getcwd) is below `/`.
pub fn depth(cwd: &[u8]) -> usize {
    cwd.split(|b| *b == b'/').filter(|c| !c.is_empty()).count()
}

/// Whether `dir` is `cwd` or a folder above it, as `Path::ancestors` of
/// `cwd` (absolute and normal, from getcwd) names them: one trailing `/` of
/// `dir` aside, a prefix that ends where a component does.
pub fn is_within(cwd: &[u8], dir: &[u8]) -> bool {
    let dir = match dir.strip_suffix(b"/") {
        Some(b"") | None => dir,
        Some(trimmed) => trimmed,
    };
    dir == b"/"
        || cwd
            .strip_prefix(dir)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(b"/"))
}
