//! A signature check over a download as it streams: every chunk read is
//! handed to a thread that runs rpgp's own verification over the same
//! bytes, so checking costs no second pass over the file.

use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::{Keyring, Verified, verify};
use crate::error::Result;

/// Chunks in flight before the reader waits for the checker.
const QUEUE: usize = 64;

pub struct StreamCheck {
    tx: Option<SyncSender<Vec<u8>>>,
    handle: JoinHandle<Result<Verified>>,
}

/// The receiving end, read by the checking thread.
struct Chunks {
    rx: Receiver<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
}

impl Read for Chunks {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.current.len() {
            match self.rx.recv() {
                Ok(chunk) => (self.current, self.at) = (chunk, 0),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len() - self.at);
        buf[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

impl StreamCheck {
    /// Starts checking `signature` (armored or binary) of `file` against
    /// `keyring`; feed it the file's bytes, then `finish`.
    pub fn start(keyring: Keyring, signature: Vec<u8>, file: String) -> StreamCheck {
        let (tx, rx) = sync_channel(QUEUE);
        let chunks = Chunks {
            rx,
            current: Vec::new(),
            at: 0,
        };
        let handle =
            std::thread::spawn(move || verify::detached(&keyring, &signature, chunks, &file));
        StreamCheck {
            tx: Some(tx),
            handle,
        }
    }

    /// The next bytes of the file.
    pub fn feed(&mut self, bytes: &[u8]) {
        if let Some(tx) = &self.tx
            && tx.send(bytes.to_vec()).is_err()
        {
            // The checker stopped early (a signature it cannot use): its
            // verdict comes with `finish`.
            self.tx = None;
        }
    }

    /// The verdict, once every byte has been fed.
    pub fn finish(mut self) -> Result<Verified> {
        self.tx = None;
        self.handle.join().unwrap_or_else(|_| {
            Err(crate::error::Error::BadData {
                what: "the signature check".into(),
                why: "stopped unexpectedly".into(),
            })
        })
    }
}
