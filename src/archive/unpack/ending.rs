//! How a tar stream ends. tar's own end is a block of zeros; a stream that
//! simply stops at a member boundary is a download cut short, which the tar
//! crate takes for the end. `Watched` notes that the stream ran dry under
//! tar, and `finish` reads what follows the end blocks through the
//! decoder to its own end, so a gzip trailer (CRC and size) or the rest of
//! a zstd frame must be there too.

use std::io::Read;

use crate::archive::error::{Error, Refusal, Result};

/// The decompressed stream, noting whether a read found its end.
pub struct Watched<R> {
    inner: R,
    dry: bool,
}

impl<R: Read> Watched<R> {
    pub fn new(inner: R) -> Self {
        Watched { inner, dry: false }
    }

    /// After tar stopped reading: refuses a stream without tar's end, then
    /// reads the rest (at most `budget` bytes: what follows the end blocks
    /// is padding) so that the decoder checks its format's own end.
    pub fn finish(mut self, budget: u64) -> Result<()> {
        if self.dry {
            return Err(
                Refusal::Corrupt("the stream ends before tar's end-of-archive".into()).into(),
            );
        }
        let rest = std::io::copy(&mut (&mut self.inner).take(budget), &mut std::io::sink())
            .map_err(Error::corrupt)?;
        if rest == budget && self.inner.read(&mut [0u8; 1]).map_err(Error::corrupt)? > 0 {
            return Err(Refusal::TooLarge(budget).into());
        }
        Ok(())
    }
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.dry = true;
        }
        Ok(n)
    }
}
