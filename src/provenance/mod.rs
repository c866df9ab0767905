//! Publisher signatures (OpenPGP), checked in-process with rpgp: keyrings
//! shipped as data (`plugins/<tool>/keys.asc`, their sources written in
//! `plugins/KEYS.md`) plus keys a setting adds (`keyring`), a detached signature checked
//! against them, with the signing key's validity at the signature's time
//! (`verify`), and the check run over a download as it streams (`stream`).

pub mod keyring;
pub mod sigstore;
pub mod stream;
pub mod verify;

pub use keyring::Keyring;
pub use verify::Verified;

/// What a tool's official downloads are checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// The publisher's signature, then the checksum it covers.
    Signatures,
    /// The published checksum only.
    Checksums,
    /// Nothing (the download's sha256 is still recorded).
    Off,
}

impl Policy {
    pub fn parse(text: &str) -> Option<Policy> {
        match text {
            "signatures" => Some(Policy::Signatures),
            "checksums" => Some(Policy::Checksums),
            "off" => Some(Policy::Off),
            _ => None,
        }
    }
}
