//! The cache backend: in each bucket in order, reads the key's publish
//! record (`<key>.manifest`, signed when `cache.trusted_keys` asks), skips
//! builds made for another machine, streams the archive the record names
//! into the staging folder, relocates it, and checks it against the
//! record's digest. Buckets without records (`<key>.tar.zst` or `.tar.gz`
//! and its `.sha256`, the build service's layout) are read as before.

use super::{Backend, Details, Entry, Failure, Job};
use crate::archive::manifest::{self, Manifest};
use crate::archive::{Format, unpack};
use crate::cache::Cache;
use crate::cache::hit::{self, Miss};
use crate::cache::record;
use crate::cache::sign::Verdict;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::fetch::{self, Fetched};
use crate::remote::Remote;

pub struct CacheBackend;

impl Backend for CacheBackend {
    fn name(&self) -> &'static str {
        "cache"
    }

    fn list_versions(&self, ctx: &Context, tool: &str) -> Result<Vec<String>, Failure> {
        let cache = Cache::new(ctx)?;
        // A key template with folders (`{os}/{tool}-{version}`) keeps a
        // tool's keys in one folder: that one is listed.
        let probe = cache.key(tool, "{version}");
        let folder = (probe.rsplit_once('/'))
            .map_or("", |(folder, _)| folder)
            .to_string();
        let folder = if folder.contains("{version}") {
            ""
        } else {
            &folder
        };
        let mut versions = Vec::new();
        for b in cache.buckets()? {
            // A bucket that cannot list (plain HTTP servers) adds nothing.
            let Ok(objects) = b.list_in(folder) else {
                continue;
            };
            for object in objects {
                if let Some(v) = cache.template.version_of(&cache.host, tool, &object.key)
                    && !versions.contains(&v)
                {
                    versions.push(v);
                }
            }
        }
        crate::version::sort(&mut versions);
        Ok(versions)
    }

    /// The archive the first compatible, trusted publish record names.
    fn lock(&self, ctx: &Context, tool: &str, version: &str) -> Result<Entry, Failure> {
        let cache = Cache::new(ctx)?;
        let key = cache.key(tool, version);
        let object = format!("{key}{}", record::SUFFIX);
        for b in cache.buckets()? {
            let Some(found) = record::read(&b, &key, &cache.trusted)? else {
                continue;
            };
            let rules = hit::Rules::of(&cache, tool, version);
            let archive = match hit::judge_record(&rules, &found, &object, &b) {
                Ok(format) => found.record.archive(format),
                Err(miss @ Miss::Unsigned(_)) => return Err(refusal(miss, &object, &b).into()),
                Err(_) => None,
            };
            let Some(archive) = archive else {
                continue;
            };
            let mut entry = super::entry("cache", tool, version);
            entry.platform = Some(super::platform(&cache.host));
            entry.source = Some(format!("{} {object} {}", b.display(), archive.object));
            entry.sha256 = Some(archive.sha256.clone());
            entry.size = Some(archive.size);
            if let Verdict::Trusted(name) = &found.verdict {
                entry.signed_by = Some(name.clone());
            }
            return Ok(entry);
        }
        Err(Failure::NotAvailable(format!(
            "no bucket has a publish record {object}"
        )))
    }

    fn install(&self, job: &Job<'_>) -> Result<Details, Failure> {
        let cache = Cache::new(job.ctx)?;
        let key = cache.key(job.tool, job.version);
        let mut misses = Vec::new();
        for b in cache.buckets()? {
            // Ctrl-C ends a request in flight, and wins over its error.
            let b = b.stopping_on(job.cancel.shared());
            let answer = try_bucket(&cache, &b, &key, job);
            job.cancel.check()?;
            let why = match answer? {
                Answer::Hit(details) => return Ok(details),
                Answer::Miss(why) => why,
                Answer::PassedOver(why) => {
                    job.task
                        .note(&format!("passed over {}: {why}", b.display()));
                    why
                }
            };
            misses.push(format!("{}: {why}", b.display()));
        }
        Err(Failure::NotAvailable(misses.join("; ")))
    }
}

enum Answer {
    Hit(Details),
    /// The bucket does not have the key.
    Miss(String),
    /// It has one this install cannot use (a build for another machine,
    /// a record naming a missing archive): said as it happens, since the
    /// bucket looks like it should have served.
    PassedOver(String),
}

/// The install from one bucket, or why it is a miss: through the key's
/// publish record when it has one, else the layout before records.
fn try_bucket(cache: &Cache, b: &Remote, key: &str, job: &Job<'_>) -> Result<Answer, Failure> {
    match record::read(b, key, &cache.trusted)? {
        Some(found) => from_record(cache, b, key, &found, job),
        None => legacy(cache, b, key, job),
    }
}

/// What an install of `job` from the cache is judged against (`hit`).
fn rules<'a>(cache: &'a Cache, job: &'a Job<'_>) -> hit::Rules<'a> {
    hit::Rules::of(cache, job.tool, job.version)
}

/// The error an install stops with where `hit` says it cannot take `object`
/// and no other bucket should be tried.
fn refusal(miss: Miss, object: &str, b: &Remote) -> Error {
    match miss {
        Miss::Unsigned(why) => Error::Untrusted {
            object: object.to_string(),
            bucket: b.display().to_string(),
            why,
        },
        other => Error::BadData {
            what: format!("{object} in {}", b.display()),
            why: other.why().to_string(),
        },
    }
}

fn unpack_options<'a>(
    job: &'a Job<'_>,
    prefix: String,
    check: &'a dyn Fn(&Manifest) -> Option<String>,
) -> Result<unpack::Options<'a>> {
    Ok(unpack::Options {
        default_prefix: Some(prefix),
        check: Some(check),
        ..job.unpack_into(job.dest, job.version_dir)
    })
}

/// Installs the archive a record names, once its signature is trusted; its
/// digest must be the record's.
fn from_record(
    cache: &Cache,
    b: &Remote,
    key: &str,
    found: &record::Found,
    job: &Job<'_>,
) -> Result<Answer, Failure> {
    let object = format!("{key}{}", record::SUFFIX);
    let rules = rules(cache, job);
    let format = match hit::judge_record(&rules, found, &object, b) {
        Ok(format) => format,
        Err(miss @ (Miss::Unsigned(_) | Miss::OtherBuild(_))) => {
            return Err(refusal(miss, &object, b).into());
        }
        Err(miss) => return Ok(Answer::PassedOver(miss.why().to_string())),
    };
    let Some(archive) = found.record.archive(format) else {
        return Ok(Answer::PassedOver(format!("{object} names no archive")));
    };
    let check = |m: &Manifest| hit::incompatible(&rules, m);
    // Locked: another bucket may hold the locked bytes.
    if let Some(sha) = job.locked_sha256.filter(|sha| *sha != archive.sha256) {
        let why = format!(
            "{object} names sha256 {}, not the locked {sha}",
            archive.sha256
        );
        return Ok(Answer::PassedOver(why));
    }
    let named = Named {
        object: &object,
        archive,
        format,
        prefix: found.record.build.build_prefix.clone(),
        verdict: &found.verdict,
    };
    install_named(b, job, &named, &check)
}

/// The archive a record names, and what the record says of it.
struct Named<'a> {
    object: &'a str,
    archive: &'a record::ArchiveRef,
    format: Format,
    prefix: String,
    verdict: &'a Verdict,
}

/// Streams the named archive in: its size and digest must be the record's.
fn install_named(
    b: &Remote,
    job: &Job<'_>,
    named: &Named<'_>,
    check: &dyn Fn(&Manifest) -> Option<String>,
) -> Result<Answer, Failure> {
    let (object, archive, format) = (named.object, named.archive, named.format);
    let opts = unpack_options(job, named.prefix.clone(), check)?;
    // The record says how large the archive is: anything else is not it.
    let found_it = |size: u64| match size == archive.size {
        true => job.enter_download_and_install(),
        false => Err(Error::BadData {
            what: format!("{} in {}", archive.object, b.display()),
            why: format!("is {size} bytes, but {object} says {}", archive.size),
        }),
    };
    let fetched = fetch::fetch(
        b,
        &archive.object,
        format,
        &opts,
        job.task,
        job.cancel,
        fetch::Watch {
            found: &found_it,
            see: None,
        },
    );
    let done = match fetched {
        Err(Error::Archive(e)) if matches!(*e, crate::archive::Error::Incompatible(_)) => {
            return Ok(Answer::PassedOver(format!("{} was {e}", archive.object)));
        }
        Ok(Fetched::Done(done)) => done,
        Ok(Fetched::Missing) => {
            let why = format!("{object} names {}, which is missing", archive.object);
            return Ok(Answer::PassedOver(why));
        }
        Err(e) => return Err(e.into()),
    };
    done.expect(&archive.sha256, object)?;
    let mut details = done.report(job.task);
    details["cache"] = "hit".into();
    details["bucket"] = b.display().into();
    details["record"] = object.into();
    if let Verdict::Trusted(name) = named.verdict {
        details["signed_by"] = name.as_str().into();
    }
    Ok(Answer::Hit(details))
}

/// Buckets written before publish records (and the build service's own):
/// `<key>.tar.zst` or `.tar.gz`, its `.sha256` and `<key>.manifest.json`
/// beside it. None of it is signed, so `cache.trusted_keys` refuses it.
fn legacy(cache: &Cache, b: &Remote, key: &str, job: &Job<'_>) -> Result<Answer, Failure> {
    let sidecar = crate::cache::manifest_beside(b, key)?;
    let rules = rules(cache, job);
    let seen = |archive, checksum| hit::Legacy {
        sidecar: sidecar.as_ref(),
        archive,
        checksum,
    };
    if let Err(miss @ Miss::OtherPlatform(_)) = hit::judge_legacy(&rules, key, &seen(None, None)) {
        return Ok(Answer::PassedOver(miss.why().to_string()));
    }
    let check = |m: &Manifest| hit::incompatible(&rules, m);
    let default_prefix = sidecar.as_ref().map_or_else(
        || manifest::legacy_prefix(job.tool, job.version),
        |m| m.build_prefix.clone(),
    );
    for format in Format::ALL {
        let archive = format!("{key}{}", format.extension());
        let found = |_size: u64| match hit::judge_legacy(&rules, key, &seen(Some(format), None)) {
            Ok(_) => job.enter_download_and_install(),
            Err(miss) => Err(refusal(miss, &archive, b)),
        };
        let opts = unpack_options(job, default_prefix.clone(), &check)?;
        let fetched = match fetch::fetch(
            b,
            &archive,
            format,
            &opts,
            job.task,
            job.cancel,
            fetch::Watch {
                found: &found,
                see: None,
            },
        ) {
            Err(Error::Archive(e)) if matches!(*e, crate::archive::Error::Incompatible(_)) => {
                return Ok(Answer::PassedOver(format!("{archive} was {e}")));
            }
            other => other?,
        };
        let Fetched::Done(done) = fetched else {
            continue;
        };
        verify(b, &done, |present| {
            hit::judge_legacy(&rules, key, &seen(Some(format), Some(present))).map(drop)
        })?;
        let mut details = done.report(job.task);
        details["cache"] = "hit".into();
        details["bucket"] = b.display().into();
        return Ok(Answer::Hit(details));
    }
    b.check()?;
    Ok(Answer::Miss(format!(
        "no {key}{}, {key}.tar.zst or {key}.tar.gz",
        record::SUFFIX
    )))
}

/// Compares the download with `<archive>.sha256`; `judge` says whether
/// the archive may be taken with (`true`) or without it.
fn verify(b: &Remote, done: &fetch::Done, judge: impl Fn(bool) -> Result<(), Miss>) -> Result<()> {
    let sidecar = format!("{}.sha256", done.key);
    let expected = b.get_small(&sidecar)?;
    if let Err(miss) = judge(expected.is_some()) {
        return Err(match miss {
            Miss::NoChecksum(_) => Error::NoChecksum {
                file: format!("{} in {}", done.key, b.display()),
                missing: format!("{sidecar}, and cache.require_checksum is on"),
            },
            other => refusal(other, &done.key, b),
        });
    }
    let Some(expected) = expected else {
        return Ok(());
    };
    let text = String::from_utf8_lossy(&expected);
    let expected = text.split_whitespace().next().unwrap_or("");
    done.expect(&expected.to_ascii_lowercase(), &sidecar)
}
