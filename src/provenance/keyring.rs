//! A keyring: the OpenPGP public keys trusted for one publisher's
//! signatures, read from armored text that may hold several key blocks
//! (as the publishers' own key files do), plus key files a setting adds.

use std::path::Path;

use pgp::composed::{Deserializable, SignedPublicKey};
use pgp::types::KeyDetails;

use crate::error::{Error, Result};

const BEGIN: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

#[derive(Debug, Clone)]
pub struct Keyring {
    /// For messages: `Google's Go signing key`.
    pub name: String,
    pub keys: Vec<SignedPublicKey>,
}

impl Keyring {
    /// Every key block of `text`; `origin` names the text in errors.
    pub fn parse(name: &str, origin: &str, text: &str) -> Result<Keyring> {
        let mut keys = Vec::new();
        for block in text.split(BEGIN).skip(1) {
            let armored = format!("{BEGIN}{block}");
            let (mut key, _) =
                SignedPublicKey::from_string(&armored).map_err(|e| Error::BadData {
                    what: origin.to_string(),
                    why: format!("holds a key block that is not an OpenPGP public key ({e})"),
                })?;
            own_signatures_only(&mut key);
            key.verify_bindings().map_err(|e| Error::BadData {
                what: origin.to_string(),
                why: format!(
                    "holds key {} whose self-signatures do not hold ({e})",
                    hex_of(&key)
                ),
            })?;
            keys.push(key);
        }
        if keys.is_empty() {
            return Err(Error::BadData {
                what: origin.to_string(),
                why: "holds no armored OpenPGP public key".into(),
            });
        }
        Ok(Keyring {
            name: name.to_string(),
            keys,
        })
    }

    /// This keyring with the keys of each file added.
    pub fn with_files(mut self, files: &[std::path::PathBuf]) -> Result<Keyring> {
        for file in files {
            self.keys.extend(read(file)?.keys);
        }
        Ok(self)
    }

    /// This keyring narrowed to the keys whose primary fingerprint is in
    /// `fingerprints` (upper-case hex), under a new `name`.
    pub fn only(mut self, name: &str, fingerprints: &[String]) -> Keyring {
        self.keys.retain(|k| fingerprints.contains(&hex_of(k)));
        self.name = name.to_string();
        self
    }

    /// The primary keys' fingerprints, for messages.
    pub fn fingerprints(&self) -> Vec<String> {
        self.keys.iter().map(hex_of).collect()
    }
}

/// Drops the signatures other keys made on this one (certifications of
/// its user ids, designated revokers): only the key's own say what it is.
fn own_signatures_only(key: &mut SignedPublicKey) {
    let fingerprint = key.primary_key.fingerprint();
    let key_id = key.primary_key.legacy_key_id();
    let own = |sig: &pgp::packet::Signature| {
        sig.issuer_fingerprint().iter().any(|f| **f == fingerprint)
            || sig.issuer_key_id().iter().any(|k| **k == key_id)
    };
    for user in &mut key.details.users {
        user.signatures.retain(own);
    }
    key.details.users.retain(|u| !u.signatures.is_empty());
    for attr in &mut key.details.user_attributes {
        attr.signatures.retain(own);
    }
    key.details
        .user_attributes
        .retain(|a| !a.signatures.is_empty());
    key.details.direct_signatures.retain(own);
    key.details.revocation_signatures.retain(own);
}

fn read(path: &Path) -> Result<Keyring> {
    let text = fs_err::read_to_string(path)?;
    Keyring::parse("an added key", &path.display().to_string(), &text)
}

/// A key's fingerprint as gpg prints it (upper-case hex).
pub fn hex_of(key: &impl KeyDetails) -> String {
    key.fingerprint().to_string().to_uppercase()
}
