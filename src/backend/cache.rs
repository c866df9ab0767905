//! The cache backend: finds `<key>.tar.zst` (then `.tar.gz`) in each bucket
//! in order, skips builds made for another machine, streams the archive into
//! the staging folder, relocates it, and checks it against its `.sha256`.

use serde_json::json;

use super::{Backend, Details, Failure, Job};
use crate::archive::unpack;
use crate::cache::bucket::{self, Bucket};
use crate::cache::fetch::{self, Fetched};
use crate::cache::host::Host;
use crate::cache::key::{Format, Template};
use crate::cache::manifest::{self, Manifest};
use crate::config::settings::Settings;
use crate::env::Env;
use crate::error::{Error, Result};

pub struct CacheBackend {
    settings: Settings,
}

impl CacheBackend {
    pub fn new(settings: Settings) -> Self {
        CacheBackend { settings }
    }
}

/// A runtime for one cache operation (the rest of `tool` is synchronous).
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Other(format!("cannot start the network runtime: {e}")))
}

/// `16G`, `500M`, `1024` → bytes.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let (num, mult) = match t.chars().last()? {
        'K' | 'k' => (&t[..t.len() - 1], 1u64 << 10),
        'M' | 'm' => (&t[..t.len() - 1], 1 << 20),
        'G' | 'g' => (&t[..t.len() - 1], 1 << 30),
        'T' | 't' => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    num.trim().parse::<u64>().ok()?.checked_mul(mult)
}

impl Backend for CacheBackend {
    fn name(&self) -> &'static str {
        "cache"
    }

    fn list_versions(&self, env: &Env, tool: &str) -> Result<Vec<String>, Failure> {
        let host = Host::detect(&self.settings);
        let template = Template::parse(self.settings.get("cache.key_template"))?;
        let rt = runtime()?;
        let mut versions = Vec::new();
        for b in bucket::configured(env, &self.settings)? {
            // A bucket that cannot list (plain HTTP servers) adds nothing.
            let Ok(keys) = rt.block_on(list_keys(&b)) else {
                continue;
            };
            for key in keys {
                if let Some(v) = template.version_of(&host, tool, &key)
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
        let host = Host::detect(&self.settings);
        let template = Template::parse(self.settings.get("cache.key_template"))?;
        let key = template.render(&host, job.tool, job.version);
        let rt = runtime()?;
        let mut misses = Vec::new();
        for b in bucket::configured(job.env, &self.settings)? {
            match self.try_bucket(&rt, &b, &key, &host, job)? {
                Answer::Hit(details) => return Ok(details),
                Answer::Miss(why) => misses.push(format!("{}: {why}", b.display)),
            }
        }
        Err(Failure::NotAvailable(misses.join("; ")))
    }
}

enum Answer {
    Hit(Details),
    Miss(String),
}

impl CacheBackend {
    /// The install from one bucket, or why it is a miss.
    fn try_bucket(
        &self,
        rt: &tokio::runtime::Runtime,
        b: &Bucket,
        key: &str,
        host: &Host,
        job: &Job<'_>,
    ) -> Result<Answer, Failure> {
        let manifest = sidecar_manifest(rt, b, key)?;
        if let Some(why) = manifest.as_ref().and_then(|m| m.incompatibility(host)) {
            return Ok(Answer::Miss(format!("{key} was {why}")));
        }
        let max_bytes =
            parse_size(self.settings.get("cache.max_unpacked_size")).unwrap_or(16 << 30);
        let default_prefix = manifest.as_ref().map_or_else(
            || manifest::legacy_prefix(job.tool, job.version),
            |m| m.build_prefix.clone(),
        );
        for format in Format::ALL {
            let archive = format!("{key}{}", format.extension());
            let opts = unpack::Options {
                dest: job.dest,
                final_path: job.final_path,
                top: job.version_dir,
                default_prefix: Some(default_prefix.clone()),
                max_bytes,
                host: Some(host),
            };
            let started = std::time::Instant::now();
            let fetched = match fetch::fetch(rt, b, &archive, format, &opts, job.task, job.cancel) {
                Err(Error::Incompatible(why)) => {
                    return Ok(Answer::Miss(format!("{archive} was {why}")));
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
            self.verify(rt, b, &archive, &sha256)?;
            return Ok(Answer::Hit(hit(
                job, b, &archive, bytes, &sha256, &stats, started,
            )));
        }
        self.check_bucket(rt, b)?;
        Ok(Answer::Miss(format!("no {key}.tar.zst or {key}.tar.gz")))
    }
}

/// The `--json` details of a hit, and its line in the progress output.
fn hit(
    job: &Job<'_>,
    b: &Bucket,
    archive: &str,
    bytes: u64,
    sha256: &str,
    stats: &unpack::Stats,
    started: std::time::Instant,
) -> Details {
    let seconds = started.elapsed().as_secs_f64();
    job.task.step(&format!(
        "fetched {archive} from {}: {} in {seconds:.1}s ({:.0} MB/s)",
        b.display,
        crate::progress::human_bytes(bytes),
        bytes as f64 / 1e6 / seconds.max(1e-3)
    ));
    json!({
        "cache": "hit",
        "bucket": b.display,
        "key": archive,
        "bytes": bytes,
        "sha256": sha256,
        "files": stats.files,
        "relocated_files": stats.relocated,
        "duration_ms": started.elapsed().as_millis() as u64,
    })
}

/// `<key>.manifest.json` from a bucket, when it has one.
fn sidecar_manifest(
    rt: &tokio::runtime::Runtime,
    b: &Bucket,
    key: &str,
) -> Result<Option<Manifest>> {
    let Some(bytes) = rt.block_on(fetch::small(b, &format!("{key}.manifest.json")))? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        Error::Other(format!(
            "bad manifest {key}.manifest.json in {}: {e}",
            b.display
        ))
    })
}

impl CacheBackend {
    /// Compares the download with `<archive>.sha256` (required when
    /// `cache.require_checksum` is on).
    fn verify(
        &self,
        rt: &tokio::runtime::Runtime,
        b: &Bucket,
        archive: &str,
        actual: &str,
    ) -> Result<()> {
        let sidecar = format!("{archive}.sha256");
        let expected = rt.block_on(fetch::small(b, &sidecar))?;
        let Some(expected) = expected else {
            if self.settings.flag("cache.require_checksum") {
                return Err(Error::Other(format!(
                    "{archive} in {} has no {sidecar}, and cache.require_checksum is on",
                    b.display
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
            return Err(Error::Other(format!(
                "checksum mismatch for {archive} in {}: {sidecar} says {expected}, the download is {actual}; nothing was installed",
                b.display
            )));
        }
        Ok(())
    }

    /// After a miss: a bucket that does not exist is an error, not a miss.
    fn check_bucket(&self, rt: &tokio::runtime::Runtime, b: &Bucket) -> Result<()> {
        if b.kind != bucket::Kind::S3 {
            return Ok(());
        }
        let prefix =
            (!b.prefix.is_empty()).then(|| object_store::path::Path::from(b.prefix.as_str()));
        rt.block_on(b.store.list_with_delimiter(prefix.as_ref()))
            .map(drop)
            .map_err(|e| {
                Error::Other(format!(
                    "cannot use the bucket {}: {e} (credentials: {})",
                    b.display, b.credentials
                ))
            })
    }
}

/// Every archive key in a bucket (relative to its prefix).
pub async fn list_keys(b: &Bucket) -> Result<Vec<String>> {
    Ok(list_objects(b).await?.into_iter().map(|m| m.0).collect())
}

/// `(key, size, last modified)` of every object in a bucket.
pub async fn list_objects(b: &Bucket) -> Result<Vec<(String, u64, String)>> {
    use futures::TryStreamExt;
    let prefix = (!b.prefix.is_empty()).then(|| object_store::path::Path::from(b.prefix.as_str()));
    let metas: Vec<object_store::ObjectMeta> = b
        .store
        .list(prefix.as_ref())
        .try_collect()
        .await
        .map_err(|e| {
            Error::Other(format!(
                "cannot list {}: {e} (credentials: {})",
                b.display, b.credentials
            ))
        })?;
    let mut out: Vec<_> = metas
        .into_iter()
        .filter_map(|m| {
            Some((
                b.key_of(&m.location)?,
                m.size,
                m.last_modified.format("%Y-%m-%d %H:%M").to_string(),
            ))
        })
        .collect();
    out.sort();
    Ok(out)
}
