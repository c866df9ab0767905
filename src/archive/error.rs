//! Why an archive could not be packed or extracted. A refusal names what in
//! the archive was refused; `Incompatible` is a build for another machine
//! (a miss for the cache, not a failure).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("archive refused: {0}")]
    Refused(#[from] Refusal),

    /// The manifest inside the archive says it cannot run here.
    #[error("{0}")]
    Incompatible(String),

    /// Reading the source tree or writing the destination failed (the
    /// message names the path: `fs-err`).
    #[error(transparent)]
    Io(#[from] std::io::Error),

    /// What a reader would refuse, found in a tree being packed.
    #[error("{0}: no reader would install it, so nothing is packed")]
    Unpackable(Refusal),

    #[error("invalid cache key template `{value}`: {why}")]
    Template { value: String, why: &'static str },
}

/// What in an archive made it unsafe or unusable.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("not a tar stream: {0}")]
    NotTar(String),
    #[error("corrupt or truncated: {0}")]
    Corrupt(String),
    #[error("it expands beyond the {0} byte limit (cache.max_unpacked_size)")]
    TooLarge(u64),
    #[error("it holds no files")]
    Empty,
    #[error("{} contains `..`", .0.display())]
    ParentDir(PathBuf),
    #[error("{} is an absolute path", .0.display())]
    Absolute(PathBuf),
    #[error("{} is outside the {top} folder", .path.display())]
    OutsideTop { path: PathBuf, top: String },
    #[error("{} is a {kind} entry (devices, fifos… are not allowed)", .path.display())]
    Special { path: PathBuf, kind: String },
    #[error("link without target")]
    LinkWithoutTarget,
    #[error("hard link to the top folder")]
    HardLinkToTop,
    #[error("hard link {} points outside the archive's files", .0.display())]
    HardLinkOutside(PathBuf),
    #[error("{} leads outside the install through a link", .0.display())]
    Escapes(PathBuf),
    #[error("symlink {} -> {} points outside the install", .path.display(), .target.display())]
    SymlinkOutside { path: PathBuf, target: PathBuf },
    #[error(
        "its links carry more than {0} bytes of names and targets, more than extraction keeps until the end"
    )]
    LinkNames(u64),
    #[error("bad {name}: {why}")]
    BadManifest { name: &'static str, why: String },
    #[error("its {what} header is larger than {limit} bytes")]
    HeaderTooLarge { what: String, limit: u64 },
    #[error("its build prefix `{0}` is not an absolute path of at most 4096 bytes without `..`")]
    BadPrefix(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A read error inside the archive stream: the archive is corrupt or cut.
    pub fn corrupt(err: impl std::fmt::Display) -> Self {
        Error::Refused(Refusal::Corrupt(err.to_string()))
    }
}
