//! One download as a blocking `Read`: the body is pumped on the network
//! runtime (object_store resumes a dropped connection with a range request)
//! over a bounded channel to whoever reads, so decompressing and extracting
//! run on the reader's thread while the next bytes arrive. Adapters stack on
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
    rx: tokio::sync::mpsc::Receiver<Bytes>,
    current: Bytes,
    pump: tokio::task::JoinHandle<Result<(), object_store::Error>>,
    rt: Arc<tokio::runtime::Runtime>,
}

impl Download {
    pub(super) fn start(
        rt: Arc<tokio::runtime::Runtime>,
        body: Body,
        size: u64,
        key: &str,
        remote: &str,
    ) -> Download {
        let (tx, rx) = tokio::sync::mpsc::channel(CHANNEL_CHUNKS);
        let pump = rt.spawn(pump(body, tx));
        Download {
            size,
            key: key.to_string(),
            remote: remote.to_string(),
            rx,
            current: Bytes::new(),
            pump,
            rt,
        }
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
            rx,
            pump,
            rt,
            key,
            remote,
            ..
        } = self;
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

async fn pump(
    mut body: Body,
    tx: tokio::sync::mpsc::Sender<Bytes>,
) -> Result<(), object_store::Error> {
    while let Some(chunk) = body.next().await {
        if tx.send(chunk?).await.is_err() {
            break; // the reader stopped; its error is the one to report
        }
    }
    Ok(())
}

impl Read for Download {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(chunk) => self.current = chunk,
                // The body ended, or failed: `finish` tells which.
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
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
