//! The publisher's signatures: over the checksum file (Node.js's
//! `SHASUMS256.txt.sig`), checked before any checksum in it is used; over
//! an archive (Go's `.asc` beside it), read from the mirror before the
//! archive, then checked over the archive's bytes as they stream
//! (`provenance::stream`). Under the `signatures` policy a missing
//! signature refuses the install; `checksums` and `off` skip it.

use super::{Artifact, Releases, Signing};
use crate::config::settings::InstallSettings;
use crate::error::{Error, Result};
use crate::provenance::{Keyring, Policy, Verified, stream::StreamCheck, verify};
use crate::remote::Remote;

/// The keyring of `signed`, with the keys the settings add.
pub fn keyring(signed: &Signing, settings: &InstallSettings) -> Result<Keyring> {
    Keyring::parse(signed.keyring_name, signed.keyring_origin, signed.keyring)?
        .with_files(&settings.upstream.trusted_keys)
}

/// The refusal for a file the publisher signs whose signature is missing.
fn missing(releases: &dyn Releases, signed: &Signing, file: String, keyring: &Keyring) -> Error {
    Error::Signature {
        file,
        expected: format!("{} ({})", keyring.name, keyring.fingerprints().join(", ")),
        found: format!(
            "no {} beside it (upstream.{}_verify = checksums installs with the sha256 alone)",
            signed.key.rsplit('/').next().unwrap_or(&signed.key),
            releases.tool()
        ),
    }
}

/// Checks the signature of the checksum file `text` (read from
/// `artifact.checksum_key`); who made it, or `None` when the publisher
/// does not sign it or the policy does not ask.
pub fn verify_checksums(
    releases: &dyn Releases,
    artifact: &Artifact,
    mirror: &Remote,
    settings: &InstallSettings,
    text: &[u8],
) -> Result<Option<Verified>> {
    let Some(signed) = releases.checksums_signature(artifact, settings) else {
        return Ok(None);
    };
    if signed.policy != Policy::Signatures {
        return Ok(None);
    }
    let keyring = keyring(&signed, settings)?;
    let file = format!("{} in {}", artifact.checksum_key, mirror.display());
    let Some(signature) = mirror.get_small(&signed.key)? else {
        return Err(missing(releases, &signed, file, &keyring));
    };
    verify::detached(&keyring, &signature, text, &file).map(Some)
}

/// The check to run over `artifact`'s bytes, or `None` when its publisher
/// does not sign it or the policy does not ask. A mirror without the
/// signature, where it has the archive, is a refusal.
pub fn check_for(
    releases: &dyn Releases,
    artifact: &Artifact,
    mirror: &Remote,
    settings: &InstallSettings,
) -> Result<Option<StreamCheck>> {
    let Some(signed) = releases.archive_signature(artifact, settings) else {
        return Ok(None);
    };
    if signed.policy != Policy::Signatures {
        return Ok(None);
    }
    let keyring = keyring(&signed, settings)?;
    let Some(signature) = mirror.get_small(&signed.key)? else {
        if !mirror.exists(&artifact.key)? {
            return Ok(None);
        }
        let file = format!("{} in {}", artifact.key, mirror.display());
        return Err(missing(releases, &signed, file, &keyring));
    };
    Ok(Some(StreamCheck::start(
        keyring,
        signature.to_vec(),
        format!("{} in {}", artifact.key, mirror.display()),
    )))
}
