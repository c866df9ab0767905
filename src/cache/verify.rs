//! `tool cache verify`: for each publish record of a bucket (or one key),
//! whether its signature is one `cache.trusted_keys` trusts and whether every
//! archive it names is there with the digest and size it says and would be
//! installed: downloaded, hashed and extracted under the extractor's rules
//! into a scratch folder that is then removed.

use std::path::{Path, PathBuf};

use super::record::{self, ArchiveRef, Found};
use super::sign::Verdict;
use crate::archive::{Format, unpack};
use crate::error::{Error, Result};
use crate::remote::{HashReader, Remote};

/// Where and how far archives are extracted to check them.
pub struct Scratch {
    /// The folder scratch folders are made in (the data dir's `tmp`).
    pub parent: PathBuf,
    /// `cache.max_unpacked_size`, as readers apply it.
    pub max_bytes: u64,
}

/// What one key's check found.
#[derive(Debug, serde::Serialize)]
pub struct Checked {
    pub key: String,
    pub bucket: String,
    /// `None` when everything holds; else what does not.
    pub problem: Option<String>,
    /// The trusted key that signed it, when one did.
    pub signed_by: Option<String>,
}

/// Checks the record of `tool` `version` (else every record) in `bucket`
/// (else every bucket read), handing each result to `each` as it comes;
/// whether all were good.
pub fn check_buckets(
    cache: &super::Cache<'_>,
    key_of: Option<(&str, &str)>,
    bucket: Option<&str>,
    mut each: impl FnMut(&Checked),
) -> Result<bool> {
    let buckets = match bucket {
        Some(url) => vec![cache.open_url(url)?],
        None => cache.buckets()?,
    };
    let scratch = Scratch {
        parent: cache.ctx.env.layout.tmp_dir(),
        max_bytes: cache.ctx.installs.cache.max_unpacked_size,
    };
    let mut all_good = true;
    for b in &buckets {
        let keys = match key_of {
            Some((tool, version)) => vec![cache.key(tool, version)],
            None => record_keys(b)?,
        };
        for key in keys {
            let checked = check(b, &key, &cache.trusted, &scratch);
            all_good &= checked.problem.is_none();
            each(&checked);
        }
    }
    Ok(all_good)
}

/// The keys of every publish record in `bucket`.
pub fn record_keys(bucket: &Remote) -> Result<Vec<String>> {
    let objects = bucket.list()?;
    let keys = objects
        .into_iter()
        .filter_map(|o| o.key.strip_suffix(record::SUFFIX).map(str::to_string));
    Ok(keys.collect())
}

/// Checks `key` in `bucket` against `trusted`, extracting its archives in
/// `scratch`.
pub fn check(
    bucket: &Remote,
    key: &str,
    trusted: &[super::sign::PublicKey],
    scratch: &Scratch,
) -> Checked {
    let mut out = Checked {
        key: key.to_string(),
        bucket: bucket.display().to_string(),
        problem: None,
        signed_by: None,
    };
    let found = match record::read(bucket, key, trusted) {
        Ok(Some(found)) => found,
        Ok(None) => {
            out.problem = Some(format!("no publish record {key}{}", record::SUFFIX));
            return out;
        }
        Err(e) => {
            out.problem = Some(crate::error::chain(&e));
            return out;
        }
    };
    if let Verdict::Trusted(name) = &found.verdict {
        out.signed_by = Some(name.clone());
    }
    let object = format!("{key}{}", record::SUFFIX);
    out.problem = record::require_trust(&found.verdict, trusted, &object, bucket)
        .and_then(|()| archives_hold(bucket, &found, scratch))
        .err()
        .map(|e| crate::error::chain(&e));
    out
}

/// Every archive the record names, downloaded, hashed and extracted.
fn archives_hold(bucket: &Remote, found: &Found, scratch: &Scratch) -> Result<()> {
    for archive in &found.record.archives {
        let bad = |why: String| Error::BadData {
            what: format!("{} in {}", archive.object, bucket.display()),
            why,
        };
        let Some(download) = bucket.download(&archive.object)? else {
            return Err(bad("is missing".into()));
        };
        let mut hashing = HashReader::new(download);
        let extracted = extract(&mut hashing, archive, found, scratch);
        hashing
            .drain()
            .map_err(|e| bad(format!("cannot be read: {e}")))?;
        let (bytes, sha256) = hashing.finish();
        if sha256 != archive.sha256 || bytes != archive.size {
            return Err(bad(format!(
                "is {bytes} bytes with sha256 {sha256}, but its record says {} bytes with sha256 {}",
                archive.size, archive.sha256
            )));
        }
        if let Some(why) = extracted? {
            return Err(bad(format!("would be refused by every reader: {why}")));
        }
    }
    Ok(())
}

/// Extracts `archive` from `reader` as an install would, into a scratch
/// folder removed afterwards: `Some(why)` when every reader would refuse it.
/// Failing to write the scratch folder is an error of this check, not the
/// archive's.
fn extract(
    reader: &mut impl std::io::Read,
    archive: &ArchiveRef,
    found: &Found,
    scratch: &Scratch,
) -> Result<Option<String>> {
    let build = &found.record.build;
    let Some(format) = (Format::ALL.into_iter()).find(|f| f.name() == archive.format) else {
        return Ok(Some(format!(
            "its format `{}` is not one tool reads",
            archive.format
        )));
    };
    // A folder a killed `cache verify` left is swept by the next one.
    crate::fs::sweep_scratch(&scratch.parent, "verify-");
    let dir =
        crate::fs::scratch_in(&scratch.parent, "verify-").map_err(crate::archive::Error::Io)?;
    let opts = unpack::Options {
        dest: dir.path(),
        final_path: Path::new(&build.build_prefix),
        top: &build.version,
        default_prefix: Some(build.build_prefix.clone()),
        max_bytes: scratch.max_bytes,
        check: None,
    };
    let unpacked = format
        .decoder(reader)
        .map_err(crate::archive::Error::corrupt)
        .and_then(|decoder| unpack::unpack(decoder, &opts));
    match unpacked {
        Ok(_) => Ok(None),
        Err(crate::archive::Error::Io(e)) => Err(crate::archive::Error::Io(e).into()),
        Err(refused) => Ok(Some(refused.to_string())),
    }
}
