//! `tool cache sign`: adds the signature of `cache.signing_key` to publish
//! records already in a bucket (key rotation), leaving each record's payload
//! bytes as they are; only the envelope's signature list grows. Each record
//! is written back only if it is still the copy read (`If-Match`), and read
//! again when it is not, so a racing signer never loses a signature. Also
//! what `cache sign` and `cache copy` share: which keys a command names, and
//! what it did to each.

use super::record::{self, SUFFIX};
use super::sign::{Added, Envelope, PublicKey, SecretKey};
use super::{Cache, verify};
use crate::error::{Error, Result};
use crate::remote::{Remote, Version};

/// How often a record changed by others meanwhile is read and signed again.
const TRIES: usize = 8;

/// The records a command is about: every one of a bucket, `tool`'s (any
/// os), or `tool`'s `versions`.
pub struct Select<'a> {
    pub tool: Option<&'a str>,
    pub versions: &'a [String],
}

impl Select<'_> {
    /// The keys (without suffix) of `bucket`'s records selected.
    pub fn keys(&self, cache: &Cache, bucket: &Remote) -> Result<Vec<String>> {
        let template = &cache.template;
        let wanted = |key: &String| {
            let object = format!("{key}{SUFFIX}");
            match (self.tool, self.versions) {
                (None, _) => true,
                (Some(tool), []) => template.is_archive_of(tool, &object),
                (Some(tool), versions) => {
                    (versions.iter()).any(|v| template.is_key_of(tool, v, &object))
                }
            }
        };
        let keys = verify::record_keys(bucket)?;
        Ok(keys.into_iter().filter(wanted).collect())
    }
}

/// What a command did to one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Signed,
    AlreadySigned,
    Copied,
    AlreadyCopied,
    Refused,
}

/// One key's result, as `cache sign` and `cache copy` print it.
#[derive(Debug, serde::Serialize)]
pub struct Done {
    pub key: String,
    pub bucket: String,
    pub outcome: Outcome,
    /// Why it was refused.
    pub problem: Option<String>,
}

impl Done {
    pub fn of(key: &str, bucket: &Remote, result: Result<Outcome>) -> Done {
        let (outcome, problem) = match result {
            Ok(outcome) => (outcome, None),
            Err(e) => (Outcome::Refused, Some(crate::error::chain(&e))),
        };
        Done {
            key: key.to_string(),
            bucket: bucket.display().to_string(),
            outcome,
            problem,
        }
    }
}

/// Signs the selected records of `bucket` (else the bucket `cache push`
/// writes to) with `cache.signing_key`, handing each result to `each`;
/// whether none was refused. Under `cache.trusted_keys` only records they
/// vouch for are signed: a record a bucket writer put there never gains
/// the new key's signature.
pub fn sign(
    cache: &Cache,
    select: &Select,
    bucket: Option<&str>,
    mut each: impl FnMut(&Done),
) -> Result<bool> {
    let Some(signer) = super::signing_key(&cache.ctx.installs)? else {
        return Err(Error::hinted(
            "cache sign adds the signature of cache.signing_key, which is not set",
            "set cache.signing_key (TOOL_CACHE_SIGNING_KEY) to the new key's .secret file (tool cache keygen NAME)",
        ));
    };
    let bucket = cache.for_writing(bucket)?;
    let mut all_good = true;
    for key in select.keys(cache, &bucket)? {
        let done = Done::of(
            &key,
            &bucket,
            sign_one(&bucket, &key, &signer, &cache.trusted),
        );
        all_good &= done.outcome != Outcome::Refused;
        each(&done);
    }
    Ok(all_good)
}

/// Adds `signer`'s signature to the record of `key`, read again while
/// others change it meanwhile.
fn sign_one(
    bucket: &Remote,
    key: &str,
    signer: &SecretKey,
    trusted: &[PublicKey],
) -> Result<Outcome> {
    let object = format!("{key}{SUFFIX}");
    for _ in 0..TRIES {
        let Some((bytes, version)) = bucket.get_small_versioned(&object)? else {
            return Err(Error::BadData {
                what: format!("the publish record {object} in {}", bucket.display()),
                why: "was removed while it was being signed".into(),
            });
        };
        let found = record::parse(bucket, key, &bytes, version.clone(), trusted)?;
        record::require_trust(&found.verdict, trusted, &object, bucket)?;
        if let Some(outcome) = add_signature(bucket, &object, &bytes, &version, signer)? {
            return Ok(outcome);
        }
    }
    Err(Error::hinted(
        format!(
            "{object} in {} changed {TRIES} times while it was being signed",
            bucket.display()
        ),
        "run cache sign again once the other writers are done",
    ))
}

/// Writes `bytes` (the record `object` as read, at `version`) back with
/// `signer`'s signature added; `None` when it changed meanwhile.
pub fn add_signature(
    bucket: &Remote,
    object: &str,
    bytes: &[u8],
    version: &Version,
    signer: &SecretKey,
) -> Result<Option<Outcome>> {
    let bad = |why: String| Error::BadData {
        what: format!("the publish record {object} in {}", bucket.display()),
        why,
    };
    let mut envelope: Envelope =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("is not an envelope: {e}")))?;
    match envelope.add_signature(signer).map_err(bad)? {
        Added::AlreadySigned => Ok(Some(Outcome::AlreadySigned)),
        Added::Added => {
            Ok((bucket.replace_small(object, envelope.to_json(), version)?)
                .then_some(Outcome::Signed))
        }
    }
}
