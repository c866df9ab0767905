//! Download → decompress → extract as one stream: the bucket's body arrives
//! on the network runtime while this thread decompresses and extracts it;
//! the sha256 of the compressed bytes is computed on the way, and a
//! download error, an interrupt or a refused archive each end it.

use crate::archive::{Format, unpack};
use crate::error::Result;
use crate::process::Cancel;
use crate::progress::Task;
use crate::remote::{HashReader, Interruptible, ProgressReader, Remote};

pub enum Fetched {
    Missing,
    Done {
        bytes: u64,
        sha256: String,
        stats: Box<unpack::Stats>,
    },
}

/// Streams `key` from `bucket` into `opts.dest`.
pub fn fetch(
    bucket: &Remote,
    key: &str,
    format: Format,
    opts: &unpack::Options<'_>,
    task: &Task,
    cancel: &Cancel,
    found: &dyn Fn() -> Result<()>,
) -> Result<Fetched> {
    let Some(mut download) = bucket.download(key)? else {
        return Ok(Fetched::Missing);
    };
    found()?;
    let size = download.size;
    task.start_bytes(key, size);
    let progress = ProgressReader::new(&mut download, |n| task.add_bytes(n));
    let mut hashing = HashReader::new(Interruptible::new(progress, cancel.flag()));
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
    Ok(Fetched::Done {
        bytes,
        sha256,
        stats: Box::new(stats),
    })
}
