//! The compression formats of cached archives, in the order they are
//! looked for, and the decoder for each.

use std::io::Read;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Zstd,
    Gzip,
}

impl Format {
    pub const ALL: [Format; 2] = [Format::Zstd, Format::Gzip];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Zstd => ".tar.zst",
            Format::Gzip => ".tar.gz",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Zstd => "zst",
            Format::Gzip => "gz",
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
        })
    }
}
