//! Download → decompress → extract as one stream: the body is read on this
//! thread (through object_store, which resumes dropped connections with range
//! requests) and handed over a bounded channel to an extraction thread, while
//! the sha256 of the compressed bytes is computed on the way.

use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use bytes::Bytes;
use futures::StreamExt;
use object_store::ObjectStoreExt;
use sha2::{Digest, Sha256};

use super::bucket::Bucket;
use super::key::Format;
use crate::archive::unpack::{self, Stats};
use crate::error::{Error, Result};
use crate::process::Cancel;
use crate::progress::Task;

pub enum Fetched {
    Missing,
    Done {
        bytes: u64,
        sha256: String,
        stats: Box<Stats>,
    },
}

/// A failed request, named by bucket and key, with where credentials came from.
pub fn describe(bucket: &Bucket, key: &str, err: &object_store::Error) -> Error {
    use object_store::Error as E;
    match err {
        E::PermissionDenied { .. } | E::Unauthenticated { .. } => Error::Other(format!(
            "access denied reading {key} from {}: the credentials were refused (credentials: {})",
            bucket.display, bucket.credentials
        )),
        other => Error::Other(format!(
            "cannot read {key} from {}: {other}",
            bucket.display
        )),
    }
}

/// A small object (`.sha256`, manifest); `None` when it does not exist.
pub async fn small(bucket: &Bucket, key: &str) -> Result<Option<Bytes>> {
    match bucket.store.get(&bucket.path(key)).await {
        Ok(r) if r.meta.size > 1 << 20 => Err(Error::Other(format!(
            "{key} in {} is too large",
            bucket.display
        ))),
        Ok(r) => r
            .bytes()
            .await
            .map(Some)
            .map_err(|e| describe(bucket, key, &e)),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(describe(bucket, key, &e)),
    }
}

/// Streams `key` into `opts.dest`.
pub fn fetch(
    rt: &tokio::runtime::Runtime,
    bucket: &Bucket,
    key: &str,
    format: Format,
    opts: &unpack::Options<'_>,
    task: &Task,
    cancel: &Cancel,
) -> Result<Fetched> {
    let result = match rt.block_on(bucket.store.get(&bucket.path(key))) {
        Ok(r) => r,
        Err(object_store::Error::NotFound { .. }) => return Ok(Fetched::Missing),
        Err(e) => return Err(describe(bucket, key, &e)),
    };
    let size = result.meta.size;
    task.start_bytes(key, size);
    let (tx, rx) = sync_channel::<Bytes>(64);
    std::thread::scope(|scope| {
        let extractor = scope.spawn(move || extract(rx, format, opts));
        let downloaded = rt.block_on(download(result.into_stream(), tx, task, cancel));
        let extracted = extractor.join().unwrap_or_else(|_| {
            Err(Error::Other(
                "the extraction thread stopped unexpectedly".into(),
            ))
        });
        match (downloaded, extracted) {
            (Err(Error::Interrupted), _) => Err(Error::Interrupted),
            // A download error came first (an extractor that stops first ends
            // the download without one): the extractor only saw the cut.
            (Err(e), _) => Err(Error::Other(format!(
                "download of {key} from {} failed: {e}",
                bucket.display
            ))),
            (Ok(_), Err(e)) => Err(e),
            (Ok((bytes, _)), Ok(_)) if bytes != size => Err(Error::Other(format!(
                "download of {key} from {} ended after {bytes} of {size} bytes",
                bucket.display
            ))),
            (Ok((bytes, sha256)), Ok(stats)) => Ok(Fetched::Done {
                bytes,
                sha256,
                stats: Box::new(stats),
            }),
        }
    })
}

type Body = futures::stream::BoxStream<'static, object_store::Result<Bytes>>;

async fn download(
    mut body: Body,
    tx: SyncSender<Bytes>,
    task: &Task,
    cancel: &Cancel,
) -> Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    while let Some(chunk) = body.next().await {
        cancel.check()?;
        let chunk = chunk.map_err(|e| Error::Other(e.to_string()))?;
        hasher.update(&chunk);
        bytes += chunk.len() as u64;
        task.add_bytes(chunk.len() as u64);
        if tx.send(chunk).is_err() {
            break; // the extractor stopped; its error is the one to report
        }
    }
    Ok((bytes, hex::encode(hasher.finalize())))
}

fn extract(rx: Receiver<Bytes>, format: Format, opts: &unpack::Options<'_>) -> Result<Stats> {
    let reader = ChannelReader {
        rx,
        current: Bytes::new(),
    };
    let corrupt =
        |e: std::io::Error| Error::Other(format!("archive refused: corrupt or truncated: {e}"));
    match format {
        Format::Zstd => unpack::unpack(zstd::Decoder::new(reader).map_err(corrupt)?, opts),
        Format::Gzip => unpack::unpack(flate2::read::GzDecoder::new(reader), opts),
    }
}

struct ChannelReader {
    rx: Receiver<Bytes>,
    current: Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.recv() {
                Ok(chunk) => self.current = chunk,
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}
