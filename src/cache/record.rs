//! The publish record of one key, `<key>.manifest`: a DSSE envelope (see
//! `sign`) whose payload names the build (its `Manifest`) and its archives
//! by content (`sha256/<hex>.tar.zst`). Archives are written first and never
//! change; creating the record (a conditional create: the first publisher
//! wins) is the commit. A reader reads the record, then fetches only the
//! archives it names and checks their digests, so it never pairs one
//! publisher's archive with another's checksum.

use serde::{Deserialize, Serialize};

use super::sign::{Envelope, MAX_SIGNATURES, PublicKey, Verdict};
use crate::archive::{Format, Manifest};
use crate::error::{Error, Result};
use crate::remote::{Remote, Version};

/// The record's name beside the key.
pub const SUFFIX: &str = crate::archive::key::RECORD_SUFFIX;

/// The record's schema; older ones are refused with a clear message.
pub const SCHEMA: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveRef {
    /// `zst` or `gz`.
    pub format: String,
    /// The object's key in the bucket: `sha256/<hex>.tar.zst`.
    pub object: String,
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub schema: u32,
    /// The key this record is for: a record copied to another key is refused.
    pub key: String,
    pub build: Manifest,
    pub archives: Vec<ArchiveRef>,
}

/// Where an archive with `sha256` lives, whatever key names it.
pub fn object_for(sha256: &str, format: Format) -> String {
    format!("sha256/{sha256}{}", format.extension())
}

impl ArchiveRef {
    /// Whether it names a known format, a sha256 and the object that digest
    /// lives at (so no record can point a reader anywhere else).
    fn is_canonical(&self) -> bool {
        let hex = self.sha256.len() == 64
            && (self.sha256.bytes()).all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let format = Format::ALL.iter().find(|f| f.name() == self.format);
        hex && format.is_some_and(|f| self.object == object_for(&self.sha256, *f))
    }
}

impl Record {
    pub fn archive(&self, format: Format) -> Option<&ArchiveRef> {
        self.archives.iter().find(|a| a.format == format.name())
    }

    /// `zst sha256:<hex>` for each archive, for messages.
    pub fn digests(&self) -> String {
        let parts: Vec<String> = (self.archives.iter())
            .map(|a| format!("{} sha256:{}", a.format, a.sha256))
            .collect();
        parts.join(", ")
    }

    /// How `self` (a publish about to be made) compares with `there`.
    pub fn compare(&self, there: &Record) -> Comparison {
        let mut missing = Vec::new();
        for a in &self.archives {
            match there.archives.iter().find(|b| b.format == a.format) {
                Some(b) if b.sha256 != a.sha256 => return Comparison::OtherBytes,
                Some(_) => {}
                None => missing.push(a.format.clone()),
            }
        }
        match missing.is_empty() {
            true => Comparison::Same,
            false => Comparison::Lacks(missing),
        }
    }

    /// The envelope's bytes, signed when `key` is given.
    pub fn seal(&self, key: Option<&super::sign::SecretKey>) -> Vec<u8> {
        let payload = serde_json::to_vec_pretty(self).unwrap_or_default();
        Envelope::seal(&payload, key).to_json()
    }
}

/// A publish against the record already there.
#[derive(Debug, PartialEq, Eq)]
pub enum Comparison {
    /// Every archive of ours is there with the same digest.
    Same,
    /// The same digests where both have a format, but not these formats.
    Lacks(Vec<String>),
    /// A format whose digest differs.
    OtherBytes,
}

/// A record as read from a bucket, with what its signatures said.
pub struct Found {
    pub record: Record,
    pub verdict: Verdict,
    /// For replacing it only if it is still this one.
    pub version: Version,
}

/// The record of `key` in `bucket`, if it has one.
pub fn read(bucket: &Remote, key: &str, trusted: &[PublicKey]) -> Result<Option<Found>> {
    let object = format!("{key}{SUFFIX}");
    let Some((bytes, version)) = bucket.get_small_versioned(&object)? else {
        return Ok(None);
    };
    parse(bucket, key, &bytes, version, trusted).map(Some)
}

/// A record's bytes read, checked: envelope, signatures (a bad one by a
/// trusted key is an error), schema, archive names, key.
pub fn parse(
    bucket: &Remote,
    key: &str,
    bytes: &[u8],
    version: Version,
    trusted: &[PublicKey],
) -> Result<Found> {
    let object = format!("{key}{SUFFIX}");
    let bad = |why: String| Error::BadData {
        what: format!("the publish record {object} in {}", bucket.display()),
        why,
    };
    let envelope: Envelope =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("is not an envelope: {e}")))?;
    if envelope.signatures.len() > MAX_SIGNATURES {
        return Err(bad(format!(
            "carries {} signatures; a record carries at most {MAX_SIGNATURES}",
            envelope.signatures.len()
        )));
    }
    let payload = envelope
        .payload()
        .map_err(|why| bad(format!("cannot be read: {why}")))?;
    let verdict = envelope.verdict(&payload, trusted);
    if let Verdict::Bad(name) = &verdict {
        // Read nothing of a payload whose signature fails.
        return Err(Error::Untrusted {
            object,
            bucket: bucket.display().to_string(),
            why: format!(
                "its signature by key `{name}` does not verify: it was changed after it was signed"
            ),
        });
    }
    let record: Record =
        serde_json::from_slice(&payload).map_err(|e| bad(format!("cannot be read: {e}")))?;
    if record.schema != SCHEMA {
        return Err(bad(format!(
            "has schema {}; this tool reads schema {SCHEMA}",
            record.schema
        )));
    }
    if let Some(a) = record.archives.iter().find(|a| !a.is_canonical()) {
        return Err(bad(format!(
            "names {} for a {} archive with sha256 {}, which is not where such an archive lives",
            a.object, a.format, a.sha256
        )));
    }
    if record.key != key {
        return Err(Error::Untrusted {
            object,
            bucket: bucket.display().to_string(),
            why: format!("it is the record of {}, not of {key}", record.key),
        });
    }
    Ok(Found {
        record,
        verdict,
        version,
    })
}

/// Refuses what `trusted` does not vouch for (nothing is required when no
/// key is trusted). `object` is named in the message.
pub fn require_trust(
    verdict: &Verdict,
    trusted: &[PublicKey],
    object: &str,
    bucket: &Remote,
) -> Result<()> {
    if trusted.is_empty() {
        return Ok(());
    }
    let why = match verdict {
        Verdict::Trusted(_) => return Ok(()),
        Verdict::Unsigned => "it is not signed, and cache.trusted_keys requires a signature".into(),
        Verdict::UnknownKeys(names) => format!(
            "it is signed by {}, which cache.trusted_keys does not list",
            names.join(", ")
        ),
        Verdict::Bad(name) => format!("its signature by key `{name}` does not verify"),
        Verdict::Revoked(names) => format!(
            "it is signed only by {}, which cache.revoked_keys revokes",
            names.join(", ")
        ),
    };
    Err(Error::Untrusted {
        object: object.to_string(),
        bucket: bucket.display().to_string(),
        why,
    })
}
