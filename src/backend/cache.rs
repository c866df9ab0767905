//! The cache backend: finds `<key>.tar.zst` (then `.tar.gz`) in each bucket
//! in order, skips builds made for another machine, streams the archive into
//! the staging folder, relocates it, and checks it against its `.sha256`.

use serde_json::json;

use super::{Backend, Details, Failure, Job, Stage};
use crate::archive::manifest::{self, Manifest};
use crate::archive::{Format, unpack};
use crate::cache::Cache;
use crate::cache::fetch::{self, Fetched};
use crate::config::settings::Settings;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::remote::Remote;

pub struct CacheBackend {
    settings: Settings,
}

impl CacheBackend {
    pub fn new(settings: Settings) -> Self {
        CacheBackend { settings }
    }
}

impl Backend for CacheBackend {
    fn name(&self) -> &'static str {
        "cache"
    }

    fn list_versions(&self, env: &Env, tool: &str) -> Result<Vec<String>, Failure> {
        let cache = Cache::new(&self.settings)?;
        let mut versions = Vec::new();
        for b in cache.buckets(env, &self.settings)? {
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
        let cache = Cache::new(job.settings)?;
        let key = cache.key(job.tool, job.version);
        let mut misses = Vec::new();
        for b in cache.buckets(job.env, job.settings)? {
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
            max_bytes: job.settings.cache.max_unpacked_size,
            check: Some(&check),
        };
        let started = std::time::Instant::now();
        let fetched = match fetch::fetch(b, &archive, format, &opts, job.task, job.cancel, &found) {
            Err(Error::Archive(e)) if matches!(*e, crate::archive::Error::Incompatible(_)) => {
                return Ok(Answer::Miss(format!("{archive} was {e}")));
            }
            other => other?,
        };
        let Fetched::Done {
            bytes,
            sha256,
            stats,
        } = fetched
        else {
            continue;
        };
        verify(b, &archive, &sha256, job.settings.cache.require_checksum)?;
        return Ok(Answer::Hit(hit(
            job, b, &archive, bytes, &sha256, &stats, started,
        )));
    }
    b.check()?;
    Ok(Answer::Miss(format!("no {key}.tar.zst or {key}.tar.gz")))
}

/// The `--json` details of a hit, and its line in the progress output.
fn hit(
    job: &Job<'_>,
    b: &Remote,
    archive: &str,
    bytes: u64,
    sha256: &str,
    stats: &unpack::Stats,
    started: std::time::Instant,
) -> Details {
    let seconds = started.elapsed().as_secs_f64();
    job.task.step(&format!(
        "fetched {archive} from {}: {} in {seconds:.1}s ({:.0} MB/s)",
        b.display(),
        crate::progress::human_bytes(bytes),
        bytes as f64 / 1e6 / seconds.max(1e-3)
    ));
    json!({
        "cache": "hit",
        "bucket": b.display(),
        "key": archive,
        "bytes": bytes,
        "sha256": sha256,
        "files": stats.files,
        "relocated_files": stats.relocated,
        "duration_ms": started.elapsed().as_millis() as u64,
    })
}

/// Compares the download with `<archive>.sha256` (`required`: a missing
/// checksum is an error too).
fn verify(b: &Remote, archive: &str, actual: &str, required: bool) -> Result<()> {
    let sidecar = format!("{archive}.sha256");
    let Some(expected) = b.get_small(&sidecar)? else {
        if required {
            return Err(Error::Other(format!(
                "{archive} in {} has no {sidecar}, and cache.require_checksum is on",
                b.display()
            )));
        }
        return Ok(());
    };
    let text = String::from_utf8_lossy(&expected);
    let expected = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if expected != actual {
        return Err(Error::Checksum {
            file: format!("{archive} in {}", b.display()),
            expected_from: sidecar,
            expected,
            actual: actual.to_string(),
            outcome: "nothing was installed",
        });
    }
    Ok(())
}
