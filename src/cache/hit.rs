//! Whether `tool install` would take a key from one bucket: the one set of
//! rules (`judge_record`, `judge_legacy`) that the cache backend applies as
//! it installs and that `cache plan` and `cache build` apply ahead of it
//! (`probe`, which asks the bucket for what an install would read). A
//! publish record must be signed by a trusted key when `cache.trusted_keys`
//! is set, be this tool's and version's, built for the machine, and name an
//! archive in a format this tool reads; the layout before records
//! (`<key>.tar.zst`/`.tar.gz`) counts unless `cache.trusted_keys` is set,
//! and needs its `.sha256` when `cache.require_checksum` is on.

use super::record::{self, Found};
use super::sign::PublicKey;
use crate::archive::{Format, Manifest};
use crate::error::{Error, Result};
use crate::platform::Host;
use crate::remote::Remote;

/// What an install of one key is judged against.
pub struct Rules<'a> {
    pub host: &'a Host,
    /// `cache.trusted_keys`: when any, only what they signed is installed.
    pub trusted: &'a [PublicKey],
    pub require_checksum: bool,
    pub tool: &'a str,
    pub version: &'a str,
}

impl<'a> Rules<'a> {
    /// The rules of `cache`'s settings for `tool` `version` on its host.
    pub fn of(cache: &'a super::Cache<'_>, tool: &'a str, version: &'a str) -> Rules<'a> {
        Rules {
            host: &cache.host,
            trusted: &cache.trusted,
            require_checksum: cache.ctx.installs.cache.require_checksum,
            tool,
            version,
        }
    }
}

/// Why an install would not take a key from a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// Neither a record nor an archive.
    Missing,
    /// There, but not signed by a key `cache.trusted_keys` lists.
    Unsigned(String),
    /// A build for another machine.
    OtherPlatform(String),
    /// A record of another tool or version than its key says.
    OtherBuild(String),
    /// An archive without the `.sha256` that `cache.require_checksum` asks for.
    NoChecksum(String),
    /// A record that cannot be used (unreadable, another build, no archive).
    Unusable(String),
}

impl Miss {
    /// The word a plan's matrix entry says it with.
    pub fn reason(&self) -> &'static str {
        match self {
            Miss::Missing => "missing",
            Miss::Unsigned(_) => "unsigned",
            Miss::OtherPlatform(_) => "other-platform",
            Miss::NoChecksum(_) => "no-checksum",
            Miss::OtherBuild(_) | Miss::Unusable(_) => "unusable",
        }
    }

    /// The sentence saying why (empty for `Missing`).
    pub fn why(&self) -> &str {
        match self {
            Miss::Missing => "",
            Miss::Unsigned(w)
            | Miss::OtherPlatform(w)
            | Miss::OtherBuild(w)
            | Miss::NoChecksum(w)
            | Miss::Unusable(w) => w,
        }
    }
}

/// Why a build (a record's manifest, a sidecar, the one inside an archive)
/// cannot be installed under `rules`: another tool or version, or machine.
pub fn incompatible(rules: &Rules<'_>, m: &Manifest) -> Option<String> {
    if m.tool != rules.tool || m.version != rules.version {
        return Some(format!("the build of {} {}", m.tool, m.version));
    }
    m.incompatibility(rules.host)
}

/// A publish record: the format of the archive an install takes, or why
/// it takes none.
pub fn judge_record(
    rules: &Rules<'_>,
    found: &Found,
    object: &str,
    b: &Remote,
) -> Result<Format, Miss> {
    if let Err(e) = record::require_trust(&found.verdict, rules.trusted, object, b) {
        let why = match e {
            Error::Untrusted { why, .. } => why,
            other => crate::error::chain(&other),
        };
        return Err(Miss::Unsigned(why));
    }
    let build = &found.record.build;
    if build.tool != rules.tool || build.version != rules.version {
        return Err(Miss::OtherBuild(format!(
            "is the build of {} {}, not of {} {}",
            build.tool, build.version, rules.tool, rules.version
        )));
    }
    if let Some(why) = incompatible(rules, build) {
        let key = object.strip_suffix(record::SUFFIX).unwrap_or(object);
        return Err(Miss::OtherPlatform(format!("{key} was {why}")));
    }
    (Format::ALL.into_iter())
        .find(|f| found.record.archive(*f).is_some())
        .ok_or_else(|| Miss::Unusable(format!("{object} names no archive this tool reads")))
}

/// What is known of a key in the layout before records.
#[derive(Default)]
pub struct Legacy<'a> {
    /// `<key>.manifest.json`, when there is one.
    pub sidecar: Option<&'a Manifest>,
    /// The format of the archive found (`None`: none, or not looked yet).
    pub archive: Option<Format>,
    /// Whether its `.sha256` is there (`None`: not looked yet).
    pub checksum: Option<bool>,
}

/// The layout before records, as far as it is known: the format an
/// install takes, or why it takes none.
pub fn judge_legacy(rules: &Rules<'_>, key: &str, seen: &Legacy<'_>) -> Result<Format, Miss> {
    if let Some(why) = seen.sidecar.and_then(|m| incompatible(rules, m)) {
        return Err(Miss::OtherPlatform(format!("{key} was {why}")));
    }
    let Some(format) = seen.archive else {
        return Err(Miss::Missing);
    };
    if !rules.trusted.is_empty() {
        return Err(Miss::Unsigned(format!(
            "it has no signed publish record ({key}{}), and cache.trusted_keys requires one",
            record::SUFFIX
        )));
    }
    if seen.checksum == Some(false) && rules.require_checksum {
        return Err(Miss::NoChecksum(format!(
            "{key}{}.sha256 is missing, and cache.require_checksum is on",
            format.extension()
        )));
    }
    Ok(format)
}

/// Whether an install under `rules` would take `key` from `b`, asked ahead
/// of it: the record (and that the archive it names is there), else the
/// archives of the layout before records, the sidecar and the checksum.
pub fn probe(rules: &Rules<'_>, b: &Remote, key: &str) -> Result<Result<Format, Miss>> {
    let object = format!("{key}{}", record::SUFFIX);
    match record::read(b, key, rules.trusted) {
        Ok(Some(found)) => {
            let format = match judge_record(rules, &found, &object, b) {
                Ok(f) => f,
                Err(miss) => return Ok(Err(miss)),
            };
            let Some(archive) = found.record.archive(format) else {
                return Ok(Err(Miss::Unusable(format!("{object} names no archive"))));
            };
            Ok(match b.exists(&archive.object)? {
                true => Ok(format),
                false => Err(Miss::Unusable(format!(
                    "{object} names {}, which is missing",
                    archive.object
                ))),
            })
        }
        Ok(None) => probe_legacy(rules, b, key),
        Err(e @ Error::Remote(_)) => Err(e),
        Err(e) => Ok(Err(Miss::Unusable(crate::error::chain(&e)))),
    }
}

fn probe_legacy(rules: &Rules<'_>, b: &Remote, key: &str) -> Result<Result<Format, Miss>> {
    let sidecar = match super::manifest_beside(b, key) {
        Ok(m) => m,
        Err(e @ Error::Remote(_)) => return Err(e),
        Err(e) => return Ok(Err(Miss::Unusable(crate::error::chain(&e)))),
    };
    let mut seen = Legacy {
        sidecar: sidecar.as_ref(),
        ..Legacy::default()
    };
    for format in Format::ALL {
        if b.exists(&format!("{key}{}", format.extension()))? {
            seen.archive = Some(format);
            break;
        }
    }
    if let Some(format) = seen.archive.filter(|_| rules.require_checksum) {
        seen.checksum = Some(b.exists(&format!("{key}{}.sha256", format.extension()))?);
    }
    Ok(judge_legacy(rules, key, &seen))
}
