//! `tool cache copy`: promotes publish records and the archives they name
//! from one bucket to another. Each record must be vouched for by
//! `cache.trusted_keys`; each archive the destination lacks is streamed
//! through a hash into a scratch file and refused unless its digest and
//! size are the record's, before anything of that key is written. The
//! record keeps its payload bytes, signed by `cache.signing_key` alone when
//! set (the destination's key), and is committed last with a conditional
//! create: a copy run again, or racing another, changes nothing.

use std::io::Read;
use std::path::PathBuf;

use super::Cache;
use super::record::{self, ArchiveRef, SUFFIX};
use super::rotate::{self, Done, Outcome, Select};
use super::sign::{Envelope, SecretKey};
use crate::error::{Error, Result};
use crate::remote::{HashReader, Remote};

/// Scratch folders of `tmp/` a killed copy left behind.
const SCRATCH: &str = "copy-";

/// The buckets and keys of one copy.
struct Copy<'a> {
    from: Remote,
    to: Remote,
    signer: Option<SecretKey>,
    cache: &'a Cache<'a>,
}

/// Copies the selected records of `from` to `to`, handing each result to
/// `each`; whether none was refused.
pub fn copy(
    cache: &Cache,
    from: &str,
    to: &str,
    select: &Select,
    mut each: impl FnMut(&Done),
) -> Result<bool> {
    if cache.trusted.iter().all(|k| k.revoked) {
        return Err(Error::hinted(
            "cache copy copies only records a trusted key signed, and cache.trusted_keys lists none (or only revoked ones)",
            "set cache.trusted_keys (TOOL_CACHE_TRUSTED_KEYS) to the public keys of the builds to promote",
        ));
    }
    let copy = Copy {
        from: cache.open_url(from)?,
        to: cache.open_url(to)?,
        signer: super::signing_key(&cache.ctx.installs)?,
        cache,
    };
    if !copy.to.writable() {
        return Err(crate::remote::Error::ReadOnly(copy.to.display().to_string()).into());
    }
    let tmp = cache.ctx.env.layout.tmp_dir();
    crate::fs::sweep_scratch(&tmp, SCRATCH);
    let mut all_good = true;
    for key in select.keys(cache, &copy.from)? {
        let done = Done::of(&key, &copy.to, copy.one(&key));
        all_good &= done.outcome != Outcome::Refused;
        each(&done);
    }
    Ok(all_good)
}

impl Copy<'_> {
    /// Copies `key`: checked record, then the archives the destination
    /// lacks (all fetched and checked before any is written), then the
    /// record.
    fn one(&self, key: &str) -> Result<Outcome> {
        let object = format!("{key}{SUFFIX}");
        let trusted = &self.cache.trusted;
        let Some((bytes, version)) = self.from.get_small_versioned(&object)? else {
            return Err(Error::BadData {
                what: format!("the publish record {object} in {}", self.from.display()),
                why: "was removed while it was being copied".into(),
            });
        };
        let found = record::parse(&self.from, key, &bytes, version, trusted)?;
        record::require_trust(&found.verdict, trusted, &object, &self.from)?;
        let envelope: Envelope = serde_json::from_slice(&bytes).map_err(|e| Error::BadData {
            what: format!("the publish record {object} in {}", self.from.display()),
            why: format!("is not an envelope: {e}"),
        })?;
        let sealed = (envelope.resealed(self.signer.as_ref()))
            .map_err(|why| Error::BadData {
                what: format!("the publish record {object} in {}", self.from.display()),
                why,
            })?
            .to_json();
        let tmp = self.cache.ctx.env.layout.tmp_dir();
        let scratch = crate::fs::scratch_in(&tmp, SCRATCH)?;
        let mut fetched = Vec::new();
        for archive in &found.record.archives {
            if !self.to.exists(&archive.object)? {
                fetched.push((archive, self.fetch(archive, scratch.path())?));
            }
        }
        for (archive, path) in fetched {
            self.to.put_file(&archive.object, &path)?;
        }
        if self.to.create_small(&object, sealed)? {
            return Ok(Outcome::Copied);
        }
        self.already_there(&object, &envelope)
    }

    /// `archive` from the source, through a hash, into a file in `dir`:
    /// refused unless it is the record's bytes.
    fn fetch(&self, archive: &ArchiveRef, dir: &std::path::Path) -> Result<PathBuf> {
        let bad = |why: String| Error::BadData {
            what: format!("{} in {}", archive.object, self.from.display()),
            why,
        };
        let Some(download) = self.from.download(&archive.object)? else {
            return Err(bad("is missing: its record names it".into()));
        };
        let path = dir.join(format!("{}.{}", archive.sha256, archive.format));
        let mut file = fs_err::File::create(&path)?;
        // One byte past the size the record says is enough to refuse it.
        let mut hashing = HashReader::new(download);
        std::io::copy(&mut (&mut hashing).take(archive.size + 1), &mut file)
            .map_err(|e| bad(format!("cannot be read: {e}")))?;
        let (bytes, sha256) = hashing.finish();
        if sha256 != archive.sha256 || bytes != archive.size {
            return Err(bad(format!(
                "is {bytes} bytes with sha256 {sha256}, but its record says {} bytes with sha256 {}; nothing of this key was copied",
                archive.size, archive.sha256
            )));
        }
        file.sync_all()?;
        Ok(path)
    }

    /// The destination has a record for this key already: the same payload
    /// is `already copied` (once it carries the destination key's
    /// signature, added if need be); another is never replaced.
    fn already_there(&self, object: &str, ours: &Envelope) -> Result<Outcome> {
        let Some((bytes, version)) = self.to.get_small_versioned(object)? else {
            return Err(changed_meanwhile(&self.to, object));
        };
        let there: Option<Envelope> = serde_json::from_slice(&bytes).ok();
        if there.is_none_or(|t| t.payload != ours.payload || t.payload_type != ours.payload_type) {
            return Err(Error::hinted(
                format!(
                    "{object} in {} is another publish of this key; it was left as it is",
                    self.to.display()
                ),
                "retire it there first (tool cache rm), or leave the release bucket's build in place",
            ));
        }
        let Some(signer) = &self.signer else {
            return Ok(Outcome::AlreadyCopied);
        };
        match rotate::add_signature(&self.to, object, &bytes, &version, signer)? {
            Some(Outcome::AlreadySigned) => Ok(Outcome::AlreadyCopied),
            Some(_) => Ok(Outcome::Signed),
            None => Err(changed_meanwhile(&self.to, object)),
        }
    }
}

fn changed_meanwhile(bucket: &Remote, object: &str) -> Error {
    Error::hinted(
        format!(
            "{object} in {} changed while it was being copied",
            bucket.display()
        ),
        "run cache copy again to compare with what is there now",
    )
}
