//! Tar archives of installed versions, knowing nothing above them: the
//! compression formats (`format`), the manifest a build carries
//! (`manifest`), archive names (`key`), the rule for symlinks (`links`),
//! deterministic packing (`pack`) that refuses what no reader installs, and
//! safe, relocating extraction (`unpack`) that takes the caller's
//! compatibility check as an argument.

pub mod error;
pub mod format;
pub mod key;
pub mod links;
pub mod manifest;
pub mod pack;
pub mod relocate;
pub mod unpack;

pub use error::{Error, Refusal};
pub use format::Format;
pub use manifest::Manifest;
