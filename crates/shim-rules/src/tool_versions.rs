//! `.tool-versions` as the fast path reads it: the grammar of the main
//! crate's parser (`config::tool_versions`) for the files it accepts, and
//! "hand over" for every file it is not sure of (an error to report, a
//! non-ASCII field, a version form it does not run), so the std path
//! answers those. Core only: the main crate's tests compile this file too
//! and check it against the real parser.

/// Lines longer than this are an error in the std parser.
pub const MAX_LINE_LEN: usize = 4096;

/// What a whole, valid file says about one tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found<'a> {
    /// The tool's first line names this version first, a plain folder name.
    Version(&'a [u8]),
    /// No line for the tool.
    Absent,
}

/// `text` read for `tool`; `None` when the std parser must decide (the file
/// is an error, or the tool's first version is not a plain folder name).
/// A UTF-8 byte order mark first is read past, as the std parser does.
pub fn lookup<'a>(text: &'a [u8], tool: &[u8]) -> Option<Found<'a>> {
    let text = text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(text);
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    let mut found: Option<Option<&'a [u8]>> = None;
    if text.is_empty() {
        return Some(Found::Absent);
    }
    for raw in body.split(|b| *b == b'\n') {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.len() > MAX_LINE_LEN || raw.contains(&0) || core::str::from_utf8(raw).is_err() {
            return None;
        }
        let content = match raw.iter().position(|b| *b == b'#') {
            Some(i) => &raw[..i],
            None => raw,
        };
        if !content.is_ascii() {
            return None;
        }
        let mut fields = content.split(|b| is_space(*b)).filter(|f| !f.is_empty());
        let Some(name) = fields.next().filter(|n| is_tool_name(n)) else {
            continue;
        };
        let mut first = None;
        for field in fields {
            if !is_version(field) {
                return None;
            }
            first.get_or_insert(field);
        }
        if let Some(first) = first
            && name == tool
            && found.is_none()
        {
            found = Some(is_folder_version(first).then_some(first));
        }
    }
    match found {
        None => Some(Found::Absent),
        Some(Some(version)) => Some(Found::Version(version)),
        Some(None) => None,
    }
}

/// `char::is_whitespace` on ASCII, as `split_whitespace` splits.
fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// asdf's plugin-name rule (`tool_name::check`).
pub fn is_tool_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && (name.iter())
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'))
}

/// Letters, digits and `. _ - +`, never `..` (`version::is_plain`).
fn is_plain(s: &[u8]) -> bool {
    !s.is_empty()
        && (s.iter()).all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'))
        && !s.windows(2).any(|w| w == b"..")
}

/// Whether `VersionSpec::parse_set` accepts this ASCII field.
fn is_version(raw: &[u8]) -> bool {
    if raw.is_empty() || raw.len() > 255 || raw.iter().any(|b| b.is_ascii_control()) {
        return false;
    }
    let Some(colon) = raw.iter().position(|b| *b == b':') else {
        // `.1.0` is an error there: a name beginning with `.` is never a folder.
        return is_plain(raw) && raw[0] != b'.';
    };
    let (kind, rest) = (&raw[..colon], &raw[colon + 1..]);
    match kind {
        b"latest" | b"ref" => is_plain(rest),
        b"path" => !rest.is_empty(),
        _ => false,
    }
}

/// A version that is its own folder under `installs/<tool>/` (not `system`,
/// `ref:`, `path:` or `latest:<p>`).
fn is_folder_version(raw: &[u8]) -> bool {
    is_plain(raw) && raw != b"system" && !raw.starts_with(b".")
}
