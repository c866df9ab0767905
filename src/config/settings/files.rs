//! The two settings files, each read capped (`fs::read_capped`): `.asdfrc`,
//! asdf's `key = value` lines, where bytes that are not UTF-8 break nothing
//! but a setting or hook of their own (asdf reads it with shell tools), and
//! `config.toml`, checked before it is used: sections are tables, settings
//! are not, integers fit; each refusal names the key, the file and its line.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::{DEFS, Source, former_name, known_as};
use crate::error::{Error, Result};

/// Reads `.asdfrc` into `raw` (settings) and `hooks` (`pre_…`/`post_…`).
pub(super) fn apply_asdfrc(
    path: &Path,
    raw: &mut [(Cow<'static, str>, Source)],
    hooks: &mut BTreeMap<String, String>,
) -> Result<()> {
    let Some(bytes) = read_optional(path)? else {
        return Ok(());
    };
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let text = String::from_utf8_lossy(line);
        let line = text.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        let setting = DEFS.iter().position(|d| known_as(d, key));
        let hook = key.starts_with("pre_") || key.starts_with("post_");
        if (setting.is_some() || hook) && matches!(text, Cow::Owned(_)) {
            return Err(Error::Parse {
                path: path.to_path_buf(),
                line: i + 1,
                message: format!("`{key}` has bytes that are not UTF-8: write it in UTF-8"),
            });
        }
        match setting {
            Some(i) => raw[i] = (value.to_string().into(), Source::File(path.to_path_buf())),
            None if hook => {
                hooks.insert(key.to_string(), value.to_string());
            }
            None => {}
        }
    }
    Ok(())
}

/// Reads `config.toml` into `raw`; the whole table is kept for per-tool
/// tables such as `[backends]`.
pub(super) fn apply_config_toml(
    path: &Path,
    raw: &mut [(Cow<'static, str>, Source)],
) -> Result<toml::Table> {
    let Some(bytes) = read_optional(path)? else {
        return Ok(toml::Table::new());
    };
    let bad = |line: usize, message: String| Error::Parse {
        path: path.to_path_buf(),
        line,
        message,
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = bytecount_lines(&e.as_bytes()[..at]);
        bad(line, "not valid UTF-8, as TOML must be".to_string())
    })?;
    let doc = DeTable::parse(&text).map_err(|e| {
        let line = line_of(&text, e.span().map_or(0, |s| s.start));
        bad(line, e.message().to_string())
    })?;
    check_shape(doc.get_ref(), "").map_err(|(span, why)| bad(line_of(&text, span), why))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        bad(
            line_of(&text, e.span().map_or(0, |s| s.start)),
            e.message().to_string(),
        )
    })?;
    for (i, def) in DEFS.iter().enumerate() {
        let former = former_name(def.name);
        let found = lookup(&table, def.name).or_else(|| lookup(&table, former.as_deref()?));
        if let Some(value) = found {
            raw[i] = (
                value.trim().to_string().into(),
                Source::File(path.to_path_buf()),
            );
        }
    }
    Ok(table)
}

/// The sections settings live in (`cache` of `cache.urls`, `backends`).
fn is_section(name: &str) -> bool {
    name == "backends"
        || DEFS.iter().any(|d| {
            let former = former_name(d.name);
            [Some(d.name), former.as_deref()]
                .into_iter()
                .flatten()
                .any(|n| n.split_once('.').is_some_and(|(s, _)| s == name))
        })
}

/// Whether `name` (dotted) is a setting.
fn is_setting(name: &str) -> bool {
    (DEFS.iter()).any(|d| d.name == name || former_name(d.name).is_some_and(|f| f == name))
}

/// Refuses a section that is not a table, a setting that is one, and an
/// integer no TOML reader holds: the offset of the key or value, and why.
fn check_shape(table: &DeTable<'_>, within: &str) -> std::result::Result<(), (usize, String)> {
    for (key, value) in table {
        let name = match within {
            "" => key.get_ref().to_string(),
            _ => format!("{within}.{}", key.get_ref()),
        };
        let at = key.span().start;
        match value.get_ref() {
            DeValue::Table(_) if is_setting(&name) => {
                return Err((
                    at,
                    format!("`{name}` is a setting, not a table: write `{name} = …`"),
                ));
            }
            DeValue::Table(inner) => check_shape(inner, &name)?,
            _ if within.is_empty() && is_section(&name) => {
                let why = format!("`{name}` must be a table of settings (`[{name}]`), not a value");
                return Err((at, why));
            }
            other => check_integers(other, &name).map_err(|why| (value.span().start, why))?,
        }
    }
    Ok(())
}

/// An integer (in an array too) must fit a signed 64-bit number.
fn check_integers(value: &DeValue<'_>, name: &str) -> std::result::Result<(), String> {
    match value {
        DeValue::Integer(i) if i64::from_str_radix(i.as_str(), i.radix()).is_err() => {
            let shown: String = i.as_str().chars().take(40).collect();
            Err(format!(
                "`{name}`: {shown} is out of range; expected a whole number that fits 64 bits"
            ))
        }
        DeValue::Array(items) => (items.iter()).try_for_each(|v| check_integers(v.get_ref(), name)),
        _ => Ok(()),
    }
}

/// The file's bytes; `None` when it does not exist. `/dev/null`, which
/// asdf's users name to read no settings, reads as empty.
fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    if path == Path::new("/dev/null") {
        return Ok(Some(Vec::new()));
    }
    match crate::fs::read_capped(path, crate::fs::MAX_CONFIG_LEN) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("cannot read settings", path, e)),
    }
}

/// A dotted key (`cache.urls`) in a TOML table, as text (arrays space-joined).
pub(super) fn lookup(table: &toml::Table, key: &str) -> Option<String> {
    let mut parts = key.split('.');
    let mut value = table.get(parts.next()?)?;
    for part in parts {
        value = value.as_table()?.get(part)?;
    }
    Some(match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Boolean(b) => if *b { "yes" } else { "no" }.to_string(),
        toml::Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    })
}

fn line_of(text: &str, offset: usize) -> usize {
    bytecount_lines(&text.as_bytes()[..offset.min(text.len())])
}

/// The 1-based line a text ending here is on.
fn bytecount_lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_error(text: &str) -> String {
        config_error_bytes(text.as_bytes())
    }

    fn config_error_bytes(text: &[u8]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        let mut raw = super::super::defaults();
        apply_config_toml(&path, &mut raw).unwrap_err().to_string()
    }

    #[test]
    fn config_toml_of_the_wrong_shape_is_refused_at_its_line() {
        let err = config_error("# c\ncache = \"s3://b\"\n");
        assert!(
            err.contains("config.toml:2: `cache` must be a table"),
            "{err}"
        );
        let err = config_error("[cache]\nretries = 3\n[concurrency]\nx = 1\n");
        assert!(
            err.contains(":3: `concurrency` is a setting, not a table"),
            "{err}"
        );
        let err = config_error("[cache]\nretries = 99999999999999999999\n");
        assert!(
            err.contains(":2: `cache.retries`: 99999999999999999999 is out of range"),
            "{err}"
        );
        let err = config_error("backends = 1\n");
        assert!(err.contains("`backends` must be a table"), "{err}");
        let err = config_error_bytes(b"a = 1\n\xff = 2\n");
        assert!(err.contains(":2: not valid UTF-8"), "{err}");
    }

    #[test]
    fn asdfrc_bytes_that_are_not_utf8_matter_only_in_settings_and_hooks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".asdfrc");
        let read = |bytes: &[u8]| {
            std::fs::write(&path, bytes).unwrap();
            let mut raw = super::super::defaults();
            let mut hooks = BTreeMap::new();
            apply_asdfrc(&path, &mut raw, &mut hooks).map(|()| (raw, hooks))
        };
        let (raw, _) = read(b"# caf\xe9\nother = \xe9\nlegacy_version_file = yes\n").unwrap();
        assert_eq!(raw[0].0, "yes");
        let err = read(b"# x\npre_python_pip = echo \xe9\n").unwrap_err();
        assert!(
            err.to_string().contains(".asdfrc:2: `pre_python_pip`"),
            "{err}"
        );
    }
}
