//! Removing what a bucket no longer needs. `cache gc`: archives under
//! `sha256/` that no publish record names and that are older than
//! `cache.gc_grace` (a publisher uploads its archive before its record, so
//! a young archive may be one whose record is on its way) are listed, or
//! deleted with `--delete`; records are listed twice, before and right
//! before deleting, so one committed meanwhile keeps its archives. `cache
//! rm`: retires one key's record, only while it is still the copy read.

use std::collections::BTreeSet;

use super::record;
use super::sign::Envelope;
use super::{Cache, record::Record};
use crate::archive::Format;
use crate::error::{Error, Result};
use crate::remote::{Deleted, Object, Remote};

/// One archive no record names.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Orphan {
    pub object: String,
    pub bytes: u64,
    /// `YYYY-MM-DD HH:MM` (UTC).
    pub modified: String,
}

/// What `cache gc` found, and did.
#[derive(Debug, Default, serde::Serialize)]
pub struct Report {
    pub bucket: String,
    /// Archives under `sha256/`.
    pub archives: usize,
    pub records: usize,
    /// Archives some record names.
    pub named: usize,
    /// Archives no record names, kept as younger than the grace period.
    pub young: usize,
    /// Archives no record names, older than the grace period.
    pub orphans: Vec<Orphan>,
    pub orphan_bytes: u64,
    /// How many were deleted (none without `--delete`).
    pub deleted: usize,
    pub deleted_bytes: u64,
}

/// `cache gc` on `--bucket`, else the first writable bucket: lists, or
/// with `delete` deletes, the archives no record names past the grace.
pub fn command(cache: &Cache, bucket: Option<&str>, delete: bool) -> Result<Report> {
    let b = cache.for_writing(bucket)?;
    let grace = cache.ctx.installs.cache.gc_grace.as_secs() as i64;
    sweep(&b, super::publish::now_secs() - grace, delete)
}

/// Lists `b`, finds the archives no record names last written before
/// `cutoff` (seconds since the epoch), and deletes them when `delete`.
pub fn sweep(b: &Remote, cutoff: i64, delete: bool) -> Result<Report> {
    let objects = b.list_deep("")?;
    let mut seen: BTreeSet<Object> = BTreeSet::new();
    let mut named = BTreeSet::new();
    read_records(b, &objects, &mut seen, &mut named)?;
    let archives: Vec<&Object> = (objects.iter())
        .filter(|o| o.key.starts_with("sha256/") && Format::of_name(&o.key).is_some())
        .collect();
    let mut report = Report {
        bucket: b.display().to_string(),
        archives: archives.len(),
        ..Report::default()
    };
    let unnamed = |named: &BTreeSet<String>| -> Vec<&Object> {
        let out = archives.iter().filter(|o| !named.contains(&o.key));
        out.copied().collect()
    };
    if delete && !unnamed(&named).is_empty() {
        // Records committed while the first ones were read name theirs too.
        read_records(b, &b.list_deep("")?, &mut seen, &mut named)?;
    }
    report.records = seen.len();
    let unnamed = unnamed(&named);
    report.named = archives.len() - unnamed.len();
    for o in unnamed {
        if o.modified_at >= cutoff {
            report.young += 1;
            continue;
        }
        report.orphan_bytes += o.size;
        report.orphans.push(Orphan {
            object: o.key.clone(),
            bytes: o.size,
            modified: o.modified.clone(),
        });
    }
    if delete {
        for o in &report.orphans {
            // A publisher reusing it sends it again first: then it is young.
            let now = b.head(&o.object)?;
            if now.is_some_and(|now| now.modified_at < cutoff) {
                b.delete(&o.object)?;
                report.deleted += 1;
                report.deleted_bytes += o.bytes;
            }
        }
    }
    Ok(report)
}

/// Reads the records among `objects` not in `seen` (or changed since),
/// adding the archives they name to `named`. A record that cannot be read
/// stops the sweep: what it names is unknown.
fn read_records(
    b: &Remote,
    objects: &[Object],
    seen: &mut BTreeSet<Object>,
    named: &mut BTreeSet<String>,
) -> Result<()> {
    for o in objects.iter().filter(|o| o.key.ends_with(record::SUFFIX)) {
        if seen.contains(o) {
            continue;
        }
        let Some(bytes) = b.get_small(&o.key)? else {
            continue; // retired meanwhile: it names nothing any more
        };
        let objects = archives_named(&bytes).ok_or_else(|| {
            Error::hinted(
                format!(
                    "cannot tell which archives the record {} in {} names: it cannot be read; nothing was deleted",
                    o.key,
                    b.display()
                ),
                "retire it (`tool cache rm <tool> <version>`) or publish it again with --replace",
            )
        })?;
        named.extend(objects);
        seen.insert(o.clone());
    }
    Ok(())
}

/// The archives a record's bytes name, whatever their signatures say.
fn archives_named(bytes: &[u8]) -> Option<Vec<String>> {
    let envelope: Envelope = serde_json::from_slice(bytes).ok()?;
    let payload = envelope.payload().ok()?;
    let record: Record = serde_json::from_slice(&payload).ok()?;
    Some(record.archives.into_iter().map(|a| a.object).collect())
}

/// What `cache rm` did.
#[derive(Debug, serde::Serialize)]
pub struct Removed {
    pub bucket: String,
    /// The record retired.
    pub record: String,
    /// The archives it named, which `cache gc` removes once no other
    /// record names them and the grace period has passed.
    pub archives: Vec<String>,
}

/// Retires the record of `tool` `version` in `--bucket` (else the first
/// writable bucket), only if it is still the copy read.
pub fn remove(cache: &Cache, bucket: Option<&str>, tool: &str, version: &str) -> Result<Removed> {
    let b = cache.for_writing(bucket)?;
    let key = cache.key(tool, version);
    let object = format!("{key}{}", record::SUFFIX);
    let Some((bytes, read)) = b.get_small_versioned(&object)? else {
        return Err(Error::hinted(
            format!("no publish record {object} in {}", b.display()),
            "`tool cache list` shows the keys a bucket holds",
        ));
    };
    let archives = archives_named(&bytes).unwrap_or_default();
    match b.delete_if(&object, &read)? {
        Deleted::Deleted => Ok(Removed {
            bucket: b.display().to_string(),
            record: object,
            archives,
        }),
        Deleted::Changed => Err(Error::hinted(
            format!(
                "{object} in {} changed while it was being removed (another publish wrote it); it was left as it is",
                b.display()
            ),
            "look at it again (`tool cache verify`), then run `cache rm` again if it must go",
        )),
        Deleted::Missing => Err(Error::hinted(
            format!(
                "{object} in {} was removed by someone else meanwhile",
                b.display()
            ),
            "nothing is left to remove",
        )),
    }
}
