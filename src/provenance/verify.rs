//! One detached signature checked against a keyring: the signing key is
//! found by the signature's issuer (a primary key or a signing subkey), it
//! must have been valid when the signature was made (bound, not revoked,
//! not expired, allowed to sign), and rpgp verifies the signature over the
//! file's bytes.

use std::io::Read;

use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey, SignedPublicSubKey};
use pgp::packet::{Signature, SignatureType};
use pgp::types::{KeyDetails, Timestamp};

use super::keyring::{Keyring, hex_of};
use crate::error::{Error, Result};

/// Who made a signature that holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The key that signed (a subkey or the primary key).
    pub signer: String,
    /// Its primary key's fingerprint: what `trusted` keys name.
    pub primary: String,
    /// The primary key's first user id.
    pub user_id: String,
}

fn refused(file: &str, keyring: &Keyring, found: String) -> Error {
    Error::Signature {
        file: file.to_string(),
        expected: format!("{} ({})", keyring.name, keyring.fingerprints().join(", ")),
        found,
    }
}

/// The signature in `bytes`, armored (`.asc`) or binary (`.sig`).
fn parse(bytes: &[u8], file: &str, keyring: &Keyring) -> Result<Signature> {
    let parsed = match std::str::from_utf8(bytes) {
        Ok(text) if text.contains("-----BEGIN PGP SIGNATURE-----") => {
            DetachedSignature::from_string(text).map(|(s, _)| s)
        }
        _ => DetachedSignature::from_bytes(bytes),
    };
    parsed.map(|s| s.signature).map_err(|e| {
        refused(
            file,
            keyring,
            format!("a signature file that is not an OpenPGP signature ({e})"),
        )
    })
}

/// The newest of `signatures` of a type in `types` made at or before `at`.
fn newest_before<'a>(
    signatures: &'a [Signature],
    types: &[SignatureType],
    at: u32,
) -> Option<&'a Signature> {
    signatures
        .iter()
        .filter(|s| s.typ().is_some_and(|t| types.contains(&t)))
        .filter(|s| s.created().is_some_and(|c| c.as_secs() <= at))
        .max_by_key(|s| s.created().map(Timestamp::as_secs))
}

/// Why a key created at `created`, with self-signature `binding`, could not
/// sign at `at`.
fn invalid_at(
    binding: Option<&Signature>,
    created: Timestamp,
    at: u32,
    subkey: bool,
) -> Option<String> {
    let Some(binding) = binding else {
        return Some("had no binding signature yet when it signed".into());
    };
    if subkey && !binding.key_flags().sign() {
        return Some("is not allowed to sign".into());
    }
    let expiry = binding
        .key_expiration_time()
        .map(|d| u64::from(created.as_secs()) + u64::from(d.as_secs()));
    match expiry {
        Some(end) if u64::from(at) > end => {
            Some(format!("had expired ({end}) when it signed ({at})"))
        }
        _ => None,
    }
}

/// The key of `keyring` that made `sig`, and why it could not, if it could not.
fn signer<'a>(
    keyring: &'a Keyring,
    sig: &Signature,
    at: u32,
) -> Option<(
    &'a SignedPublicKey,
    Option<&'a SignedPublicSubKey>,
    Option<String>,
)> {
    let names = |key: &dyn KeyDetails| {
        sig.issuer_fingerprint()
            .iter()
            .any(|f| **f == key.fingerprint())
            || sig
                .issuer_key_id()
                .iter()
                .any(|id| **id == key.legacy_key_id())
    };
    for key in &keyring.keys {
        let revoked =
            (!key.details.revocation_signatures.is_empty()).then(|| "is revoked".to_string());
        if names(&key.primary_key) {
            let own: Vec<Signature> = key
                .details
                .users
                .iter()
                .flat_map(|u| u.signatures.iter().cloned())
                .chain(key.details.direct_signatures.iter().cloned())
                .collect();
            let certs = [
                SignatureType::CertGeneric,
                SignatureType::CertPersona,
                SignatureType::CertCasual,
                SignatureType::CertPositive,
                SignatureType::Key,
            ];
            let why = revoked.or_else(|| {
                invalid_at(
                    newest_before(&own, &certs, at),
                    key.primary_key.created_at(),
                    at,
                    false,
                )
            });
            return Some((key, None, why));
        }
        for sub in &key.public_subkeys {
            if names(&sub.key) {
                let sub_revoked = sub
                    .signatures
                    .iter()
                    .any(|s| s.typ() == Some(SignatureType::SubkeyRevocation))
                    .then(|| "is revoked".to_string());
                let binding = newest_before(&sub.signatures, &[SignatureType::SubkeyBinding], at);
                let why = revoked
                    .clone()
                    .or(sub_revoked)
                    .or_else(|| invalid_at(binding, sub.key.created_at(), at, true));
                return Some((key, Some(sub), why));
            }
        }
    }
    None
}

/// Checks the detached `signature` of `file` (whose bytes `data` yields)
/// against `keyring`.
pub fn detached(
    keyring: &Keyring,
    signature: &[u8],
    data: impl Read,
    file: &str,
) -> Result<Verified> {
    let sig = parse(signature, file, keyring)?;
    let issuer = sig
        .issuer_fingerprint()
        .first()
        .map(|f| f.to_string().to_uppercase())
        .or_else(|| sig.issuer_key_id().first().map(|k| format!("{k:?}")))
        .unwrap_or_else(|| "an unnamed key".into());
    let Some(at) = sig.created().map(Timestamp::as_secs) else {
        return Err(refused(
            file,
            keyring,
            format!("a signature by {issuer} without a creation time"),
        ));
    };
    let now = Timestamp::now().as_secs();
    if at > now.saturating_add(86_400) {
        return Err(refused(
            file,
            keyring,
            format!("a signature by {issuer} dated in the future ({at})"),
        ));
    }
    if let Some(d) = sig.signature_expiration_time()
        && u64::from(at) + u64::from(d.as_secs()) < u64::from(now)
    {
        return Err(refused(
            file,
            keyring,
            format!("a signature by {issuer} that has expired"),
        ));
    }
    let Some((key, sub, why)) = signer(keyring, &sig, at) else {
        return Err(refused(
            file,
            keyring,
            format!("a signature by {issuer}, which is not one of them"),
        ));
    };
    let signer_hex = sub.map_or_else(|| hex_of(&key.primary_key), |s| hex_of(&s.key));
    if let Some(why) = why {
        return Err(refused(
            file,
            keyring,
            format!("a signature by {signer_hex}, which {why}"),
        ));
    }
    let checked = match sub {
        Some(sub) => sig.verify(&sub.key, data),
        None => sig.verify(&key.primary_key, data),
    };
    checked.map_err(|e| {
        refused(
            file,
            keyring,
            format!("a signature by {signer_hex} that does not match the file ({e})"),
        )
    })?;
    Ok(Verified {
        signer: signer_hex,
        primary: hex_of(&key.primary_key),
        user_id: key
            .details
            .users
            .first()
            .map(|u| String::from_utf8_lossy(u.id.id()).to_string())
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provenance::stream::StreamCheck;

    /// Go's own source tarball and Google's signature of it, as Debian's
    /// source package carries them (`scripts/setup-vendor-dists`).
    fn go_source() -> (Vec<u8>, Vec<u8>) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = std::process::Command::new(root.join("scripts/setup-vendor-dists"))
            .output()
            .expect("scripts/setup-vendor-dists runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dir =
            std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("go-src");
        let tarball = std::fs::read(dir.join("go1.19.8.src.tar.gz")).unwrap();
        let signature = std::fs::read(dir.join("go1.19.8.src.tar.gz.asc")).unwrap();
        (tarball, signature)
    }

    fn google() -> Keyring {
        let text = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/plugins/golang/keys.asc"
        ));
        Keyring::parse("Google's Go signing key", "plugins/golang/keys.asc", text).unwrap()
    }

    #[test]
    fn googles_shipped_key_verifies_gos_own_signature_and_nothing_else() {
        let (tarball, signature) = go_source();
        let verified =
            detached(&google(), &signature, &tarball[..], "go1.19.8.src.tar.gz").unwrap();
        assert_eq!(verified.signer, "8461EFA0E74ABAE010DE66994EB27DB2A3B88B8B");
        assert_eq!(verified.primary, "EB4C1BFD4F042F6DDDCCEC917721F63BD38B4796");
        assert!(
            verified.user_id.starts_with("Google Inc."),
            "{}",
            verified.user_id
        );

        let mut tampered = tarball.clone();
        tampered[tarball.len() / 2] ^= 0x01;
        let err = detached(&google(), &signature, &tampered[..], "go1.19.8.src.tar.gz")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("a signature by 8461EFA0E74ABAE010DE66994EB27DB2A3B88B8B that does not match the file"),
            "{err}"
        );
        // The streaming check, fed in chunks, gives the same verdicts.
        for (bytes, holds) in [(&tarball, true), (&tampered, false)] {
            let mut check = StreamCheck::start(google(), signature.clone(), "go".into());
            for chunk in bytes.chunks(65_536) {
                check.feed(chunk);
            }
            assert_eq!(check.finish().is_ok(), holds);
        }
    }

    #[test]
    fn what_is_not_a_signature_or_a_key_is_refused_plainly() {
        let err = detached(&google(), b"not a signature", &b"data"[..], "f.tar.gz")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("f.tar.gz: the publisher's signature does not hold"),
            "{err}"
        );
        assert!(err.contains("not an OpenPGP signature"), "{err}");
        let err = Keyring::parse("k", "keys.asc", "no key here")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("keys.asc holds no armored OpenPGP public key"),
            "{err}"
        );
    }
}
