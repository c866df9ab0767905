//! Which settings the fast path may pass over: only those installs read
//! (`cache.*`, `upstream.*`, `python.*`, `ruby.*`, `[backends]`), which the
//! std shim path leaves unparsed too. Any other setting set in `.asdfrc`,
//! `config.toml` or the environment, or a `pre_<tool>_<command>` hook for
//! one of the shim's tools, hands the shim to the std path, which parses,
//! checks and applies it. The main crate's tests check these lists against
//! its `DEFS`, and both readers against its own.

use toml::de::{DeTable, DeValue};

/// Settings (and their former names) that the std shim path parses.
pub const SHIM_SETTINGS: &[&str] = &[
    "legacy_version_file",
    "use_release_candidates",
    "always_keep_download",
    "concurrency",
    "disable_plugin_short_name_repository",
    "plugin_repository_last_check_duration",
    "plugin_repository_url",
    "shared_installs",
    "readthedocs_config",
    "readthedocs_table",
    "os",
    "locked",
];

/// Their environment variables.
pub const SHIM_SETTING_VARS: &[&str] = &[
    "TOOL_LEGACY_VERSION_FILE",
    "TOOL_USE_RELEASE_CANDIDATES",
    "TOOL_ALWAYS_KEEP_DOWNLOAD",
    "ASDF_CONCURRENCY",
    "TOOL_CONCURRENCY",
    "TOOL_DISABLE_PLUGIN_SHORT_NAME_REPOSITORY",
    "TOOL_PLUGIN_REPOSITORY_LAST_CHECK_DURATION",
    "TOOL_PLUGIN_REPOSITORY_URL",
    "TOOL_SHARED_INSTALLS",
    "TOOL_READTHEDOCS_CONFIG",
    "TOOL_READTHEDOCS_TABLE",
    "TOOL_OS",
    "TOOL_LOCKED",
];

/// The tables settings live in (`[cache]`…): the std path refuses one
/// that is not a table.
pub const SECTIONS: &[&str] = &["backends", "cache", "python", "ruby", "upstream", "vendor"];

/// Whether `.asdfrc`'s text sets nothing the shim path reads, for a shim
/// of `command` run by one of `tools`. Read as the std path reads it
/// (lines, trimmed, `#` comments, `key = value`); a line it might read
/// differently (non-ASCII, not UTF-8) counts as setting something, but a
/// comment is a comment whatever its bytes.
pub fn asdfrc_is_silent(text: &[u8], tools: &[&[u8]], command: &[u8]) -> bool {
    for line in text.split(|b| *b == b'\n') {
        let line = trim(line);
        if line.starts_with(b"#") {
            continue;
        }
        if !line.is_ascii() {
            return false;
        }
        let Some(eq) = line.iter().position(|b| *b == b'=') else {
            continue;
        };
        let key = trim(&line[..eq]);
        if SHIM_SETTINGS.iter().any(|s| s.as_bytes() == key) || is_hook_of(key, tools, command) {
            return false;
        }
    }
    true
}

/// `str::trim` on ASCII: `char::is_whitespace` holds for `\t \n \v \f \r`
/// and space (`trim_ascii` leaves `\v`).
fn trim(mut s: &[u8]) -> &[u8] {
    let space = |b: &u8| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ');
    while let [first, rest @ ..] = s
        && space(first)
    {
        s = rest;
    }
    while let [rest @ .., last] = s
        && space(last)
    {
        s = rest;
    }
    s
}

/// `pre_<tool>_<command>` for one of `tools`.
fn is_hook_of(key: &[u8], tools: &[&[u8]], command: &[u8]) -> bool {
    let Some(rest) = key.strip_prefix(b"pre_") else {
        return false;
    };
    tools.iter().any(|tool| {
        (rest.strip_prefix(*tool))
            .and_then(|r| r.strip_prefix(b"_"))
            .is_some_and(|c| c == command)
    })
}

/// Whether `config.toml`'s text sets nothing the shim path reads, parsed
/// by the same `toml` crate the std path parses it with: a document that
/// parses, with no top-level key naming a setting shims read, each of
/// `SECTIONS` a table of values that are not tables (the std path checks
/// their shape), and values that become `toml::Value`s as they do there (an
/// integer that fits an `i64`; floats and dates are left to the std path).
pub fn config_is_silent(text: &str) -> bool {
    let Ok(doc) = DeTable::parse(text) else {
        return false;
    };
    let root = doc.get_ref();
    let names_setting = (root.keys()).any(|k| SHIM_SETTINGS.contains(&k.get_ref().as_ref()));
    let flat = |v: &DeValue<'_>| match v {
        DeValue::Table(t) => (t.values()).all(|v| !matches!(v.get_ref(), DeValue::Table(_))),
        _ => false,
    };
    let sections_are_flat =
        (root.iter()).all(|(k, v)| !SECTIONS.contains(&k.get_ref().as_ref()) || flat(v.get_ref()));
    !names_setting && sections_are_flat && root.values().all(|v| converts(v.get_ref()))
}

/// Strings, booleans, integers as `toml::Value` takes them, and arrays and
/// tables of those.
fn converts(value: &DeValue<'_>) -> bool {
    match value {
        DeValue::String(_) | DeValue::Boolean(_) => true,
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).is_ok(),
        DeValue::Array(items) => items.iter().all(|v| converts(v.get_ref())),
        DeValue::Table(table) => table.values().all(|v| converts(v.get_ref())),
        _ => false,
    }
}
