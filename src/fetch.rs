//! The one "fetch, check sha256, report" path of every backend that installs
//! an archive (cache hits, official releases). Download → decompress →
//! extract as one stream: the remote's body arrives on the network runtime
//! while this thread decompresses and extracts it; the sha256 of the
//! compressed bytes is computed on the way, and a download error, an
//! interrupt or a refused archive each end it. `Done::expect` compares the
//! digest with the published one; `Done::report` says what was fetched.

use crate::archive::{Format, unpack};
use crate::error::Result;
use crate::process::Cancel;
use crate::progress::Task;
use crate::remote::{HashReader, Interruptible, ProgressReader, Remote};

pub enum Fetched {
    Missing,
    Done(Done),
}

/// An archive extracted into the staging folder, not yet trusted.
pub struct Done {
    pub bytes: u64,
    pub sha256: String,
    pub stats: Box<unpack::Stats>,
    /// The remote's name and the key, for messages.
    pub source: String,
    pub key: String,
    started: std::time::Instant,
}

impl Done {
    /// Refuses the download unless its sha256 is `expected` (as `from`
    /// publishes it); nothing is committed after a refusal.
    pub fn expect(&self, expected: &str, from: &str) -> Result<()> {
        if self.sha256 == expected {
            return Ok(());
        }
        Err(crate::error::Error::Checksum {
            file: format!("{} in {}", self.key, self.source),
            expected_from: from.to_string(),
            expected: expected.to_string(),
            actual: self.sha256.clone(),
            outcome: "nothing was installed",
        })
    }

    /// The progress line of a fetch, and its `--json` details.
    pub fn report(&self, task: &Task) -> serde_json::Value {
        let seconds = self.started.elapsed().as_secs_f64();
        let name = self.key.rsplit('/').next().unwrap_or(&self.key);
        task.step(&format!(
            "fetched {name} from {}: {} in {seconds:.1}s ({:.0} MB/s)",
            self.source,
            crate::progress::human_bytes(self.bytes),
            self.bytes as f64 / 1e6 / seconds.max(1e-3)
        ));
        serde_json::json!({
            "key": self.key,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "files": self.stats.files,
            "relocated_files": self.stats.relocated,
            "duration_ms": self.started.elapsed().as_millis() as u64,
        })
    }
}

/// What is shown every byte of a fetched object (a signature check over
/// the same bytes).
pub type See<'a> = &'a mut dyn FnMut(&[u8]);

/// Hands every chunk read through it to `see`.
struct Tee<'a, R> {
    inner: R,
    see: Option<See<'a>>,
}

impl<R: std::io::Read> std::io::Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(see) = self.see.as_mut() {
            see(&buf[..n]);
        }
        Ok(n)
    }
}

/// What follows a fetch: `found` is told the object's size before any of
/// it is read (and may refuse it); `see`, when given, is shown every byte.
pub struct Watch<'a> {
    pub found: &'a dyn Fn(u64) -> Result<()>,
    pub see: Option<See<'a>>,
}

/// Streams `key` from `bucket` into `opts.dest`, as `watch` follows it.
pub fn fetch(
    bucket: &Remote,
    key: &str,
    format: Format,
    opts: &unpack::Options<'_>,
    task: &Task,
    cancel: &Cancel,
    watch: Watch<'_>,
) -> Result<Fetched> {
    let Watch { found, see } = watch;
    let started = std::time::Instant::now();
    let Some(mut download) = bucket.download(key)? else {
        return Ok(Fetched::Missing);
    };
    let size = download.size;
    found(size)?;
    task.start_bytes(key, size);
    let progress = ProgressReader::new(&mut download, |n| task.add_bytes(n));
    let seen = Tee {
        inner: Interruptible::new(progress, cancel.flag()),
        see,
    };
    let mut hashing = HashReader::new(seen);
    let extracted = format
        .decoder(&mut hashing)
        .map_err(crate::archive::Error::corrupt)
        .and_then(|reader| unpack::unpack(reader, opts))
        // The hash covers the whole object, padding after the tar end too.
        .and_then(|stats| {
            hashing
                .drain()
                .map_err(crate::archive::Error::corrupt)
                .map(|_| stats)
        });
    let (bytes, sha256) = hashing.finish();
    let complete = download.shortfall(bytes);
    let transfer = download.finish();
    cancel.check()?;
    // A download error comes first: the extractor only saw the cut.
    transfer?;
    let stats = extracted?;
    complete?;
    Ok(Fetched::Done(Done {
        bytes,
        sha256,
        stats: Box::new(stats),
        source: bucket.display().to_string(),
        key: key.to_string(),
        started,
    }))
}
