//! One download as a blocking `Read`: the body is pumped on the network
//! runtime (a dropped or stalled connection resumed with a range request,
//! with or without an ETag: `Resume`) over a bounded channel to whoever
//! reads, so decompressing and extracting run on the reader's thread while
//! the next bytes arrive; a local file (`file://`) is read straight on the
//! reader's thread, with no hop per 8 KiB chunk. Adapters stack on
//! any reader: `HashReader` (sha256 and byte count), `ProgressReader` (a
//! callback per chunk) and `Interruptible` (stops when a flag is raised).

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use futures::StreamExt;
use sha2::{Digest, Sha256};

use super::error::{Error, Result};

/// Chunks in flight between the network and the reader.
const CHANNEL_CHUNKS: usize = 64;

type Body = futures::stream::BoxStream<'static, object_store::Result<Bytes>>;

/// An object being downloaded.
pub struct Download {
    pub size: u64,
    key: String,
    remote: String,
    body: Source,
}

/// Where a download's bytes come from.
enum Source {
    /// Pumped on the network runtime.
    Channel {
        rx: tokio::sync::mpsc::Receiver<Bytes>,
        current: Bytes,
        pump: tokio::task::JoinHandle<Result<(), object_store::Error>>,
        rt: Arc<tokio::runtime::Runtime>,
    },
    /// A local file, its range only.
    File(std::io::Take<std::fs::File>),
}

/// What resuming a cut download needs: the object, and what says a
/// second request reads the same copy (its ETag, else its date and size;
/// the caller's digest check gates what is kept in any case).
pub(super) struct Resume {
    pub store: std::sync::Arc<dyn object_store::ObjectStore>,
    pub path: object_store::path::Path,
    /// Its size, ETag and date as the first answer gave them.
    pub meta: object_store::ObjectMeta,
    /// How many times, at most.
    pub tries: usize,
    /// How long the resuming request may go unanswered.
    pub deadline: Option<std::time::Duration>,
}

impl Resume {
    /// The rest of the object from `offset`, if it is still the same one.
    async fn from(&self, offset: u64) -> object_store::Result<Body> {
        let opts = object_store::GetOptions {
            range: Some((offset..self.meta.size).into()),
            if_match: self.meta.e_tag.clone(),
            if_unmodified_since: (self.meta.e_tag.is_none()).then_some(self.meta.last_modified),
            ..Default::default()
        };
        let request = self.store.get_opts(&self.path, opts);
        let answer = match self.deadline {
            Some(limit) => tokio::time::timeout(limit, request)
                .await
                .map_err(|e| changed(format!("no answer: {e}")))?,
            None => request.await,
        }?;
        if answer.meta.size != self.meta.size || answer.range.start != offset {
            return Err(changed(format!(
                "the server now has {} bytes from {}",
                answer.meta.size, answer.range.start
            )));
        }
        Ok(answer.into_stream())
    }
}

fn changed(why: String) -> object_store::Error {
    object_store::Error::Generic {
        store: "resume",
        source: why.into(),
    }
}

impl Download {
    pub(super) fn start(
        rt: Arc<tokio::runtime::Runtime>,
        body: Body,
        resume: Resume,
        key: &str,
        remote: &str,
    ) -> Download {
        let (tx, rx) = tokio::sync::mpsc::channel(CHANNEL_CHUNKS);
        let size = resume.meta.size;
        let said = format!("{key} from {remote}");
        let pump = rt.spawn(pump(body, tx, resume, said));
        Download {
            size,
            key: key.to_string(),
            remote: remote.to_string(),
            body: Source::Channel {
                rx,
                current: Bytes::new(),
                pump,
                rt,
            },
        }
    }

    /// The bytes `range` of a local `file` (a `file://` remote's object).
    pub(super) fn local(
        mut file: std::fs::File,
        range: std::ops::Range<u64>,
        key: &str,
        remote: &str,
    ) -> std::io::Result<Download> {
        use std::io::Seek;
        file.seek(std::io::SeekFrom::Start(range.start))?;
        let size = range.end.saturating_sub(range.start);
        Ok(Download {
            size,
            key: key.to_string(),
            remote: remote.to_string(),
            body: Source::File(file.take(size)),
        })
    }

    /// An error when `got` (the bytes read) falls short of the object's size.
    pub fn shortfall(&self, got: u64) -> Result<()> {
        if got == self.size {
            return Ok(());
        }
        Err(Error::Short {
            key: self.key.clone(),
            remote: self.remote.clone(),
            got,
            size: self.size,
        })
    }

    /// Ends the download: the transfer's own error, if the body failed (a
    /// reader that stopped early ends it without one).
    pub fn finish(self) -> Result<()> {
        let Download {
            body, key, remote, ..
        } = self;
        let Source::Channel { rx, pump, rt, .. } = body else {
            // A local file's read errors reached the reader itself.
            return Ok(());
        };
        drop(rx);
        match rt.block_on(pump) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(source)) => Err(Error::Transfer {
                key,
                remote,
                source: Box::new(source),
            }),
            Err(join) => Err(Error::Runtime(std::io::Error::other(join.to_string()))),
        }
    }
}

/// Moves the body into the channel; a body cut or stalled part-way (which
/// object_store resumes only with an ETag and early on) is resumed from
/// where it stopped, at most `resume.tries` times, each said on stderr.
async fn pump(
    mut body: Body,
    tx: tokio::sync::mpsc::Sender<Bytes>,
    resume: Resume,
    what: String,
) -> Result<(), object_store::Error> {
    let (mut got, mut tries) = (0u64, 0usize);
    loop {
        let cut = match body.next().await {
            None => return Ok(()),
            Some(Ok(chunk)) => {
                got += chunk.len() as u64;
                if tx.send(chunk).await.is_err() {
                    return Ok(()); // the reader stopped; its error is the one to report
                }
                continue;
            }
            Some(Err(e)) => e,
        };
        if tries >= resume.tries || got >= resume.meta.size || tx.is_closed() {
            return Err(cut);
        }
        tries += 1;
        super::wait::notice(&format!(
            "download of {what} was cut after {got} of {} bytes ({cut}): resuming ({tries} of {})",
            resume.meta.size, resume.tries
        ));
        tokio::time::sleep(std::time::Duration::from_millis(200 << tries.min(5))).await;
        body = match resume.from(got).await {
            Ok(rest) => rest,
            Err(_) => return Err(cut),
        };
    }
}

impl Read for Download {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let Source::Channel { rx, current, .. } = &mut self.body else {
            let Source::File(file) = &mut self.body else {
                return Ok(0);
            };
            return file.read(buf);
        };
        while current.is_empty() {
            match rx.blocking_recv() {
                Some(chunk) => *current = chunk,
                // The body ended, or failed: `finish` tells which.
                None => return Ok(0),
            }
        }
        let n = buf.len().min(current.len());
        buf[..n].copy_from_slice(&current.split_to(n));
        Ok(n)
    }
}

/// Computes the sha256 and size of everything read through it.
pub struct HashReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> HashReader<R> {
    pub fn new(inner: R) -> Self {
        HashReader {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// Reads what is left (so the hash covers the whole stream).
    pub fn drain(&mut self) -> std::io::Result<u64> {
        std::io::copy(self, &mut std::io::sink())
    }

    /// `(bytes read, lowercase hex sha256)`.
    pub fn finish(self) -> (u64, String) {
        (self.bytes, hex::encode(self.hasher.finalize()))
    }
}

impl<R: Read> Read for HashReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Calls `on_bytes` with the size of every chunk read.
pub struct ProgressReader<R, F> {
    inner: R,
    on_bytes: F,
}

impl<R: Read, F: FnMut(u64)> ProgressReader<R, F> {
    pub fn new(inner: R, on_bytes: F) -> Self {
        ProgressReader { inner, on_bytes }
    }
}

impl<R: Read, F: FnMut(u64)> Read for ProgressReader<R, F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.on_bytes)(n as u64);
        Ok(n)
    }
}

/// Fails the next read once `stop` is raised (Ctrl-C), so a long download
/// ends within one chunk. The caller checks the flag to tell this apart.
pub struct Interruptible<'a, R> {
    inner: R,
    stop: &'a AtomicBool,
}

impl<'a, R: Read> Interruptible<'a, R> {
    pub fn new(inner: R, stop: &'a AtomicBool) -> Self {
        Interruptible { inner, stop }
    }
}

impl<R: Read> Read for Interruptible<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.load(Ordering::Relaxed) {
            // Not ErrorKind::Interrupted: std's read loops retry that one.
            return Err(std::io::Error::other("interrupted"));
        }
        self.inner.read(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adapters_hash_count_and_stop() {
        let data = b"hello world".repeat(1000);
        let mut seen = 0;
        let mut hashing = HashReader::new(ProgressReader::new(&data[..], |n| seen += n));
        let mut first = [0u8; 100];
        hashing.read_exact(&mut first).unwrap();
        assert_eq!(hashing.drain().unwrap(), data.len() as u64 - 100);
        let (bytes, sha) = hashing.finish();
        assert_eq!(bytes, data.len() as u64);
        assert_eq!(sha, hex::encode(Sha256::digest(&data)));
        assert_eq!(seen, data.len() as u64);

        let stop = AtomicBool::new(false);
        let mut reader = Interruptible::new(&data[..], &stop);
        assert_eq!(reader.read(&mut first).unwrap(), 100);
        stop.store(true, Ordering::Relaxed);
        assert!(reader.read(&mut first).is_err());
    }
}
