//! `cache list`: what the buckets hold, one row per key — a publish record
//! (its build and archive size) or an archive of the layout before records
//! (its sidecar manifest, when it has one); archives named by digest and
//! checksum files are no keys.

use super::{Cache, record};
use crate::archive::{Format, Manifest};
use crate::error::{Error, Result};
use crate::remote::Remote;

/// One key of a bucket (its fields in the order `--json` has always
/// printed them).
#[derive(Debug, serde::Serialize)]
pub struct Row {
    pub bucket: String,
    /// The archive's size (the first a record names).
    pub bytes: u64,
    /// `YYYY-MM-DD HH:MM` (UTC).
    pub date: String,
    pub key: String,
    /// `os/arch` of its build, `-` when nothing says.
    pub platform: String,
}

/// The keys of every bucket read (of `tool`'s archives only, when given),
/// and the errors of buckets that could not be listed.
pub fn list(cache: &Cache, tool: Option<&str>) -> Result<(Vec<Row>, Vec<Error>)> {
    let mut rows = Vec::new();
    let mut unreadable = Vec::new();
    for b in cache.buckets()? {
        let objects = match b.list() {
            Ok(o) => o,
            Err(e) => {
                unreadable.push(Error::from(e));
                continue;
            }
        };
        for object in objects {
            let key = object.key;
            if tool.is_some_and(|t| !cache.template.is_archive_of(t, &key)) {
                continue;
            }
            let Some((manifest, bytes)) = describe(&b, &key, object.size) else {
                continue;
            };
            let platform =
                manifest.map_or_else(|| "-".to_string(), |m| format!("{}/{}", m.os, m.arch));
            rows.push(Row {
                key,
                bytes,
                date: object.modified,
                platform,
                bucket: b.display().to_string(),
            });
        }
    }
    Ok((rows, unreadable))
}

/// What a listed object is: a publish record (its build and archive size),
/// an archive of the layout before records (its sidecar manifest), or
/// neither (`None`: an archive named by digest, a checksum file).
fn describe(b: &Remote, key: &str, size: u64) -> Option<(Option<Manifest>, u64)> {
    if let Some(base) = key.strip_suffix(record::SUFFIX) {
        let found = record::read(b, base, &[]).ok().flatten()?;
        let bytes = found.record.archives.first().map_or(0, |a| a.size);
        return Some((Some(found.record.build), bytes));
    }
    let format = Format::of_name(key).filter(|_| !key.starts_with("sha256/"))?;
    let base = &key[..key.len() - format.extension().len()];
    Some((super::manifest_beside(b, base).ok().flatten(), size))
}
