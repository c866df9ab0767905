//! The compression formats of archives: those the cache writes, in the
//! order they are looked for, plus xz (upstream releases); a decoder for each.

use std::io::Read;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Zstd,
    Gzip,
    /// Read only: the official Node.js and Rust releases.
    Xz,
}

impl Format {
    /// The formats of cached archives.
    pub const ALL: [Format; 2] = [Format::Zstd, Format::Gzip];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Zstd => ".tar.zst",
            Format::Gzip => ".tar.gz",
            Format::Xz => ".tar.xz",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Zstd => "zst",
            Format::Gzip => "gz",
            Format::Xz => "xz",
        }
    }

    /// The format a file or key name ends with.
    pub fn of_name(name: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|f| name.ends_with(f.extension()))
    }

    /// A reader of the uncompressed tar stream. gzip reads every member (what
    /// `cat a.gz b.gz` makes), as GNU tar does. Decoders' memory is bounded
    /// whatever the stream's header asks: zstd's window by the library's
    /// default limit (128 MiB), xz's dictionary by `XZ_MEMORY`.
    pub fn decoder<'r>(self, reader: impl Read + 'r) -> std::io::Result<Box<dyn Read + 'r>> {
        Ok(match self {
            Format::Zstd => Box::new(zstd::Decoder::new(reader)?),
            Format::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
            Format::Xz => {
                let stream = liblzma::stream::Stream::new_stream_decoder(
                    XZ_MEMORY,
                    liblzma::stream::CONCATENATED,
                )?;
                Box::new(XzBounded(liblzma::read::XzDecoder::new_stream(
                    reader, stream,
                )))
            }
        })
    }
}

/// The most memory an xz stream may need to decode: `xz -9` needs 65 MiB.
const XZ_MEMORY: u64 = 256 << 20;

/// An xz decoder whose memory limit, when reached, is said in words.
struct XzBounded<R>(R);

impl<R: Read> Read for XzBounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            let limit = e.get_ref().and_then(|e| e.downcast_ref());
            match limit {
                Some(liblzma::stream::Error::MemLimit) => std::io::Error::other(format!(
                    "the xz stream needs more than {} MiB of memory to decode",
                    XZ_MEMORY >> 20
                )),
                _ => e,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `data` as xz whose header asks for a 4 GiB dictionary (the most the
    /// format allows): what a hostile mirror serves to exhaust memory.
    fn xz_with_a_4_gib_dictionary(data: &[u8]) -> Vec<u8> {
        let mut xz = Vec::new();
        liblzma::read::XzEncoder::new(data, 1)
            .read_to_end(&mut xz)
            .unwrap();
        // Stream header (12 bytes), then the block header: size, flags,
        // filter id 0x21 (LZMA2), 1 property byte (the dictionary), padding,
        // CRC32 of what precedes it.
        let header = 12;
        let len = (usize::from(xz[header]) + 1) * 4;
        assert_eq!(&xz[header + 2..header + 4], &[0x21, 0x01]);
        xz[header + 4] = 40;
        let mut crc = flate2::Crc::new();
        crc.update(&xz[header..header + len - 4]);
        xz[header + len - 4..header + len].copy_from_slice(&crc.sum().to_le_bytes());
        xz
    }

    #[test]
    fn xz_streams_that_need_gigabytes_to_decode_are_refused() {
        let xz = xz_with_a_4_gib_dictionary(b"hello\n");
        let mut out = Vec::new();
        let err = Format::Xz
            .decoder(&xz[..])
            .unwrap()
            .read_to_end(&mut out)
            .unwrap_err();
        assert!(err.to_string().contains("MiB of memory"), "{err}");
    }

    #[test]
    fn ordinary_xz_streams_decode() {
        let mut xz = Vec::new();
        liblzma::read::XzEncoder::new(&b"hello\n"[..], 9)
            .read_to_end(&mut xz)
            .unwrap();
        let twice = [xz.clone(), xz].concat();
        let mut out = Vec::new();
        Format::Xz
            .decoder(&twice[..])
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, b"hello\nhello\n");
    }
}
