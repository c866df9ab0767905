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
    /// `cat a.gz b.gz` makes), as GNU tar does.
    pub fn decoder<'r>(self, reader: impl Read + 'r) -> std::io::Result<Box<dyn Read + 'r>> {
        Ok(match self {
            Format::Zstd => Box::new(zstd::Decoder::new(reader)?),
            Format::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
            Format::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(reader)),
        })
    }
}
