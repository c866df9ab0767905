//! Sigstore bundles (`<file>.sigstore`): a keyless signature checked
//! offline, with the sigstore crate, against the Sigstore public-good trust
//! root that crate ships (Fulcio's certificate authorities, Rekor's and the
//! timestamp authorities' keys), for one expected signer: the certificate's
//! identity (an e-mail address) and the OIDC issuer that vouched for it.

use sigstore_verify::trust_root::{SIGSTORE_PRODUCTION_TRUSTED_ROOT, TrustedRoot};
use sigstore_verify::types::Bundle;
use sigstore_verify::{VerificationPolicy, verify};

use crate::error::{Error, Result};

/// Who must have signed: `hugo@python.org` via `https://github.com/login/oauth`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub email: String,
    pub issuer: String,
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (via {})", self.email, self.issuer)
    }
}

/// Checks the bundle `bundle` over `artifact` (the bytes of `file`, for
/// messages); the identity that signed, as the certificate names it.
pub fn check(bundle: &[u8], artifact: &[u8], signer: &Identity, file: &str) -> Result<String> {
    let refused = |found: String| Error::Signature {
        file: file.to_string(),
        expected: format!("{signer}, in a Sigstore bundle"),
        found,
    };
    let text = std::str::from_utf8(bundle)
        .map_err(|_| refused("a bundle that is not JSON text".into()))?;
    let bundle = Bundle::from_json(text)
        .map_err(|e| refused(format!("a bundle that cannot be read ({e})")))?;
    let root =
        TrustedRoot::from_json(SIGSTORE_PRODUCTION_TRUSTED_ROOT).map_err(|e| Error::BadData {
            what: "the shipped Sigstore trust root".into(),
            why: e.to_string(),
        })?;
    let policy = VerificationPolicy::new(signer.email.as_str(), signer.issuer.as_str());
    let verified = verify(artifact, &bundle, &policy, &root)
        .map_err(|e| refused(format!("a bundle that does not verify: {e}")))?;
    Ok(verified
        .identity()
        .map_or_else(|| signer.email.clone(), |i| i.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sigstore crate's own test vector, a cosign-made bundle over a
    /// small text (a real signature by the public-good instance), where
    /// cargo unpacked the crate (`$CARGO_HOME/registry/src/*/`), at the
    /// version Cargo.lock pins.
    fn vector() -> (Vec<u8>, Vec<u8>) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
        let at = lock
            .find("name = \"sigstore-verify\"\nversion = \"")
            .unwrap();
        let version = lock[at..]
            .lines()
            .nth(1)
            .unwrap()
            .split('"')
            .nth(1)
            .unwrap();
        let home = std::env::var_os("CARGO_HOME").map_or_else(
            || std::path::PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"),
            std::path::PathBuf::from,
        );
        let crate_dir = std::fs::read_dir(home.join("registry/src"))
            .unwrap()
            .flatten()
            .map(|index| index.path().join(format!("sigstore-verify-{version}")))
            .find(|dir| dir.is_dir())
            .expect("the sigstore-verify crate unpacked by cargo");
        let dir = crate_dir.join("test_data/bundles");
        (
            std::fs::read(dir.join("cosign-v3-blob.sigstore.json")).unwrap(),
            std::fs::read(dir.join("cosign-v3-blob.txt")).unwrap(),
        )
    }

    fn who(email: &str) -> Identity {
        Identity {
            email: email.into(),
            issuer: "https://github.com/login/oauth".into(),
        }
    }

    #[test]
    fn a_real_bundle_holds_for_its_signer_only() {
        let (bundle, artifact) = vector();
        let signer = check(&bundle, &artifact, &who("w.vollprecht@gmail.com"), "blob").unwrap();
        assert!(signer.contains("w.vollprecht@gmail.com"), "{signer}");
        let err = check(&bundle, &artifact, &who("hugo@python.org"), "blob").unwrap_err();
        assert!(
            err.to_string().contains(
                "by hugo@python.org (via https://github.com/login/oauth), in a Sigstore bundle"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_bundle_over_other_bytes_or_not_a_bundle_is_refused() {
        let (bundle, mut artifact) = vector();
        artifact.push(b'!');
        let signer = who("w.vollprecht@gmail.com");
        let err = check(&bundle, &artifact, &signer, "blob").unwrap_err();
        assert!(err.to_string().contains("does not verify"), "{err}");
        let err = check(b"{\"not\": 1}", &artifact, &signer, "blob").unwrap_err();
        assert!(err.to_string().contains("cannot be read"), "{err}");
    }
}
