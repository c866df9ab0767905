//! The cache backend: finds `<key>.tar.zst` (then `.tar.gz`) in each bucket
//! in order, skips builds made for another machine, streams the archive into
//! the staging folder, relocates it, and checks it against its `.sha256`.

use super::{Backend, Details, Failure, Job, Stage};
use crate::archive::manifest::{self, Manifest};
use crate::archive::{Format, unpack};
use crate::cache::Cache;
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
        let cache = Cache::new(&ctx.settings)?;
        let mut versions = Vec::new();
        for b in cache.buckets(&ctx.env, &ctx.settings)? {
            // A bucket that cannot list (plain HTTP servers) adds nothing.
            let Ok(objects) = b.list() else {
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

    fn install(&self, job: &Job<'_>) -> Result<Details, Failure> {
        let settings = &job.ctx.settings;
        let cache = Cache::new(settings)?;
        let key = cache.key(job.tool, job.version);
        let mut misses = Vec::new();
        for b in cache.buckets(&job.ctx.env, settings)? {
            match try_bucket(&cache, &b, &key, job)? {
                Answer::Hit(details) => return Ok(details),
                Answer::Miss(why) => misses.push(format!("{}: {why}", b.display())),
            }
        }
        Err(Failure::NotAvailable(misses.join("; ")))
    }
}

enum Answer {
    Hit(Details),
    Miss(String),
}

/// The install from one bucket, or why it is a miss.
fn try_bucket(cache: &Cache, b: &Remote, key: &str, job: &Job<'_>) -> Result<Answer, Failure> {
    let sidecar = crate::cache::manifest_beside(b, key)?;
    let check = |m: &Manifest| m.incompatibility(&cache.host);
    if let Some(why) = sidecar.as_ref().and_then(check) {
        return Ok(Answer::Miss(format!("{key} was {why}")));
    }
    let default_prefix = sidecar.as_ref().map_or_else(
        || manifest::legacy_prefix(job.tool, job.version),
        |m| m.build_prefix.clone(),
    );
    // A hit downloads and installs in one stream: both hooks run first.
    let found = || {
        job.stages.enter(Stage::Download)?;
        job.stages.enter(Stage::Install)
    };
    for format in Format::ALL {
        let archive = format!("{key}{}", format.extension());
        let opts = unpack::Options {
            dest: job.dest,
            final_path: job.final_path,
            top: job.version_dir,
            default_prefix: Some(default_prefix.clone()),
            max_bytes: job.ctx.settings.cache.max_unpacked_size,
            check: Some(&check),
        };
        let fetched = match fetch::fetch(b, &archive, format, &opts, job.task, job.cancel, &found) {
            Err(Error::Archive(e)) if matches!(*e, crate::archive::Error::Incompatible(_)) => {
                return Ok(Answer::Miss(format!("{archive} was {e}")));
            }
            other => other?,
        };
        let Fetched::Done(done) = fetched else {
            continue;
        };
        verify(b, &done, job.ctx.settings.cache.require_checksum)?;
        let mut details = done.report(job.task);
        details["cache"] = "hit".into();
        details["bucket"] = b.display().into();
        return Ok(Answer::Hit(details));
    }
    b.check()?;
    Ok(Answer::Miss(format!("no {key}.tar.zst or {key}.tar.gz")))
}

/// Compares the download with `<archive>.sha256` (`required`: a missing
/// checksum is an error too).
fn verify(b: &Remote, done: &fetch::Done, required: bool) -> Result<()> {
    let sidecar = format!("{}.sha256", done.key);
    let Some(expected) = b.get_small(&sidecar)? else {
        if required {
            return Err(Error::NoChecksum {
                file: format!("{} in {}", done.key, b.display()),
                missing: format!("{sidecar}, and cache.require_checksum is on"),
            });
        }
        return Ok(());
    };
    let text = String::from_utf8_lossy(&expected);
    let expected = text.split_whitespace().next().unwrap_or("");
    done.expect(&expected.to_ascii_lowercase(), &sidecar)
}
