//! The publisher's signature over an archive (Go's `.asc` beside it): read
//! from the mirror before the archive, then checked over the archive's
//! bytes as they stream (`provenance::stream`). Under the `signatures`
//! policy a missing signature refuses the install; `checksums` and `off`
//! skip it.

use super::{Artifact, Releases};
use crate::config::settings::Settings;
use crate::error::{Error, Result};
use crate::provenance::{Keyring, Policy, stream::StreamCheck};
use crate::remote::Remote;

/// The check to run over `artifact`'s bytes, or `None` when its publisher
/// does not sign it or the policy does not ask. A mirror without the
/// signature, where it has the archive, is a refusal.
pub fn check_for(
    releases: &dyn Releases,
    artifact: &Artifact,
    mirror: &Remote,
    settings: &Settings,
) -> Result<Option<StreamCheck>> {
    let Some(signed) = releases.archive_signature(artifact, settings) else {
        return Ok(None);
    };
    if signed.policy != Policy::Signatures {
        return Ok(None);
    }
    let keyring = Keyring::parse(signed.keyring_name, signed.keyring_origin, signed.keyring)?
        .with_files(&settings.upstream.trusted_keys)?;
    let Some(signature) = mirror.get_small(&signed.key)? else {
        if !mirror.exists(&artifact.key)? {
            return Ok(None);
        }
        return Err(Error::Signature {
            file: format!("{} in {}", artifact.key, mirror.display()),
            expected: format!("{} ({})", keyring.name, keyring.fingerprints().join(", ")),
            found: format!(
                "no {} beside it (upstream.{}_verify = checksums installs with the sha256 alone)",
                signed.key.rsplit('/').next().unwrap_or(&signed.key),
                releases.tool()
            ),
        });
    };
    Ok(Some(StreamCheck::start(
        keyring,
        signature.to_vec(),
        format!("{} in {}", artifact.key, mirror.display()),
    )))
}
