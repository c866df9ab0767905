//! `tool cache verify`: for each publish record of a bucket (or one key),
//! whether its signature is one `cache.trusted_keys` trusts and whether every
//! archive it names is there with the digest and size it says (downloaded and
//! hashed, never extracted).

use super::record::{self, Found};
use super::sign::Verdict;
use crate::error::{Error, Result};
use crate::remote::{HashReader, Remote};

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

/// The keys of every publish record in `bucket`.
pub fn record_keys(bucket: &Remote) -> Result<Vec<String>> {
    let objects = bucket.list()?;
    let keys = objects
        .into_iter()
        .filter_map(|o| o.key.strip_suffix(record::SUFFIX).map(str::to_string));
    Ok(keys.collect())
}

/// Checks `key` in `bucket` against `trusted`.
pub fn check(bucket: &Remote, key: &str, trusted: &[super::sign::PublicKey]) -> Checked {
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
        .and_then(|()| archives_hold(bucket, &found))
        .err()
        .map(|e| crate::error::chain(&e));
    out
}

/// Every archive the record names, downloaded and hashed.
fn archives_hold(bucket: &Remote, found: &Found) -> Result<()> {
    for archive in &found.record.archives {
        let bad = |why: String| Error::BadData {
            what: format!("{} in {}", archive.object, bucket.display()),
            why,
        };
        let Some(download) = bucket.download(&archive.object)? else {
            return Err(bad("is missing".into()));
        };
        let mut hashing = HashReader::new(download);
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
    }
    Ok(())
}
