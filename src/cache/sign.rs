//! Signing keys and signed manifests. Keys are ed25519, written as Nix writes
//! its binary-cache keys (`name:base64`: the secret key holds the 32-byte seed
//! and the public key, the public key its 32 bytes). A manifest travels in a
//! DSSE envelope (the in-toto signing format: the signature covers the payload
//! type and the exact payload bytes), so what is signed is inside the one
//! object a publish commits.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What the payload of a cache manifest envelope is.
pub const PAYLOAD_TYPE: &str = "application/vnd.tool.cache-manifest+json";

pub struct SecretKey {
    name: String,
    key: SigningKey,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub name: String,
    key: VerifyingKey,
}

/// `name:base64` split, with the name checked (it is shown in messages).
fn split_key(text: &str) -> std::result::Result<(&str, Vec<u8>), String> {
    let (name, data) = text.trim().split_once(':').ok_or("expected name:base64")?;
    let name_ok = !name.is_empty()
        && (name.bytes()).all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if !name_ok {
        return Err(format!(
            "`{name}` is not a key name (letters, digits, - _ .)"
        ));
    }
    let bytes = B64.decode(data).map_err(|_| "the key is not base64")?;
    Ok((name, bytes))
}

impl SecretKey {
    /// A new key from the system's random source.
    pub fn generate(name: &str) -> Result<SecretKey> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| Error::Other(format!("no random source: {e}")))?;
        let key = SigningKey::from_bytes(&seed);
        let text = format!("{name}:{}", B64.encode(key.to_keypair_bytes()));
        SecretKey::parse(&text).map_err(|why| Error::BadData {
            what: format!("the key name `{name}`"),
            why: format!("cannot be used: {why}"),
        })
    }

    pub fn parse(text: &str) -> std::result::Result<SecretKey, String> {
        let (name, bytes) = split_key(text)?;
        let pair: [u8; 64] = bytes
            .try_into()
            .map_err(|_| "a secret key is 64 bytes (seed and public key)")?;
        let key = SigningKey::from_keypair_bytes(&pair)
            .map_err(|_| "its public half does not match its seed")?;
        Ok(SecretKey {
            name: name.to_string(),
            key,
        })
    }

    /// Reads a secret key file, refusing one that others can read (as ssh
    /// refuses a private key with open permissions).
    pub fn read(path: &Path) -> Result<SecretKey> {
        use std::io::Read;
        use std::os::unix::fs::PermissionsExt;
        // A key's text given where its path belongs: say so without showing it.
        let text_of_key =
            !path.exists() && path.to_str().is_some_and(|p| SecretKey::parse(p).is_ok());
        let shown = match text_of_key {
            true => "named by cache.signing_key".to_string(),
            false => path.display().to_string(),
        };
        let bad = |why: String| Error::BadData {
            what: format!("the signing key {shown}"),
            why,
        };
        if text_of_key {
            return Err(bad(
                "is not a path: cache.signing_key names the key's file, not the key".into(),
            ));
        }
        let mut file =
            std::fs::File::open(path).map_err(|e| bad(format!("cannot be opened: {e}")))?;
        // The mode of the file opened, not of whatever the path names later.
        let mode = file
            .metadata()
            .map_err(|e| bad(e.to_string()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(bad(format!(
                "is readable by others (mode {:o}); chmod 600 it",
                mode & 0o777
            )));
        }
        let mut text = String::new();
        file.read_to_string(&mut text)
            .map_err(|e| bad(format!("cannot be read: {e}")))?;
        SecretKey::parse(&text).map_err(bad)
    }

    pub fn public(&self) -> PublicKey {
        PublicKey {
            name: self.name.clone(),
            key: self.key.verifying_key(),
        }
    }

    /// Writes `<dir>/<name>.secret` (mode 0600, never replacing a file) and
    /// `<dir>/<name>.public`; returns both paths.
    pub fn write_pair(&self, dir: &Path) -> Result<(std::path::PathBuf, std::path::PathBuf)> {
        use std::os::unix::fs::OpenOptionsExt;
        let secret = dir.join(format!("{}.secret", self.name));
        let public = dir.join(format!("{}.public", self.name));
        let text = format!(
            "{}:{}\n",
            self.name,
            B64.encode(self.key.to_keypair_bytes())
        );
        let mut file = (std::fs::OpenOptions::new().write(true).create_new(true))
            .mode(0o600)
            .open(&secret)
            .map_err(|e| keygen_error(dir, &secret, e))?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        let public_text = format!("{}\n", self.public());
        if let Err(e) = crate::fs::write_atomic(&public, public_text.as_bytes(), Some(0o644)) {
            let _ = std::fs::remove_file(&secret);
            return Err(Error::io("cannot write", &public, e));
        }
        Ok((secret, public))
    }
}

/// `cache keygen`'s refusal to write `secret` into `dir`, saying what to do.
fn keygen_error(dir: &Path, secret: &Path, e: std::io::Error) -> Error {
    use std::io::ErrorKind;
    let (dir, secret) = (dir.display(), secret.display());
    Error::Other(match e.kind() {
        ErrorKind::AlreadyExists => format!(
            "{secret} already exists: keygen never replaces a key; \
             remove it first, or choose another name or --dir"
        ),
        ErrorKind::NotFound => format!(
            "cannot write {secret}: the folder {dir} does not exist; \
             create it first (mkdir -p {dir}) or give another --dir"
        ),
        _ => format!("cannot write {secret}: {e}; give a --dir you can write to"),
    })
}

impl PublicKey {
    pub fn parse(text: &str) -> std::result::Result<PublicKey, String> {
        let (name, bytes) = split_key(text)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| "a public key is 32 bytes")?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| "not an ed25519 public key")?;
        // A small-order point "verifies" signatures made without any secret.
        if key.is_weak() {
            return Err(
                "it is a small-order ed25519 point, for which anyone can forge a \
                        signature: give the public key `tool cache keygen` printed"
                    .into(),
            );
        }
        Ok(PublicKey {
            name: name.to_string(),
            key,
        })
    }
}

impl std::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.name, B64.encode(self.key.as_bytes()))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    /// base64 of the payload bytes.
    pub payload: String,
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    #[serde(default)]
    pub signatures: Vec<Signature>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signature {
    pub keyid: String,
    pub sig: String,
}

/// DSSE's pre-authentication encoding: what a signature covers.
fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// What a manifest's signatures say, against the trusted keys.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Signed by this trusted key.
    Trusted(String),
    Unsigned,
    /// Signed, but by none of the trusted keys (their names).
    UnknownKeys(Vec<String>),
    /// A trusted key's name whose signature does not verify: tampering.
    Bad(String),
}

impl Envelope {
    /// `payload` wrapped, signed by `key` when there is one.
    pub fn seal(payload: &[u8], key: Option<&SecretKey>) -> Envelope {
        let signatures = key
            .map(|k| Signature {
                keyid: k.name.clone(),
                sig: B64.encode(k.key.sign(&pae(PAYLOAD_TYPE, payload)).to_bytes()),
            })
            .into_iter()
            .collect();
        Envelope {
            payload: B64.encode(payload),
            payload_type: PAYLOAD_TYPE.to_string(),
            signatures,
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// The payload bytes, if they decode and the type is ours.
    pub fn payload(&self) -> std::result::Result<Vec<u8>, String> {
        if self.payload_type != PAYLOAD_TYPE {
            return Err(format!("its payload is `{}`", self.payload_type));
        }
        B64.decode(&self.payload)
            .map_err(|_| "its payload is not base64".to_string())
    }

    /// Checks the signatures against `trusted`: one good signature by a
    /// trusted key is enough; a bad one by a trusted key is never overlooked.
    pub fn verdict(&self, payload: &[u8], trusted: &[PublicKey]) -> Verdict {
        if self.signatures.is_empty() {
            return Verdict::Unsigned;
        }
        let message = pae(&self.payload_type, payload);
        let mut good = None;
        for s in &self.signatures {
            let Some(key) = trusted.iter().find(|k| k.name == s.keyid) else {
                continue;
            };
            let sig = B64.decode(&s.sig).ok().and_then(|b| {
                let bytes: [u8; 64] = b.try_into().ok()?;
                Some(ed25519_dalek::Signature::from_bytes(&bytes))
            });
            // Strict: no small-order R or key, no non-canonical encodings.
            match sig.is_some_and(|sig| key.key.verify_strict(&message, &sig).is_ok()) {
                true => good = good.or(Some(key.name.clone())),
                false => return Verdict::Bad(key.name.clone()),
            }
        }
        match good {
            Some(name) => Verdict::Trusted(name),
            None => Verdict::UnknownKeys(self.signatures.iter().map(|s| s.keyid.clone()).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> SecretKey {
        SecretKey::generate(name).unwrap()
    }

    #[test]
    fn keys_round_trip_through_their_text() {
        let k = key("builders-1");
        let public = PublicKey::parse(&k.public().to_string()).unwrap();
        assert_eq!(public, k.public());
        assert!(k.public().to_string().starts_with("builders-1:"));
    }

    #[test]
    fn a_signature_by_a_trusted_key_is_trusted() {
        let k = key("a");
        let env = Envelope::seal(b"{}", Some(&k));
        assert_eq!(
            env.verdict(b"{}", &[k.public()]),
            Verdict::Trusted("a".into())
        );
    }

    #[test]
    fn a_changed_payload_is_a_bad_signature() {
        let k = key("a");
        let env = Envelope::seal(b"{\"v\":1}", Some(&k));
        assert_eq!(
            env.verdict(b"{\"v\":2}", &[k.public()]),
            Verdict::Bad("a".into())
        );
    }

    #[test]
    fn a_key_of_the_same_name_that_did_not_sign_is_a_bad_signature() {
        let env = Envelope::seal(b"{}", Some(&key("a")));
        assert_eq!(
            env.verdict(b"{}", &[key("a").public()]),
            Verdict::Bad("a".into())
        );
    }

    #[test]
    fn unsigned_and_unknown_keys_are_told_apart() {
        let trusted = [key("mine").public()];
        assert_eq!(
            Envelope::seal(b"{}", None).verdict(b"{}", &trusted),
            Verdict::Unsigned
        );
        let other = Envelope::seal(b"{}", Some(&key("theirs")));
        assert_eq!(
            other.verdict(b"{}", &trusted),
            Verdict::UnknownKeys(vec!["theirs".into()])
        );
    }

    /// The identity point: a small-order key.
    const IDENTITY: [u8; 32] = {
        let mut k = [0u8; 32];
        k[0] = 1;
        k
    };

    #[test]
    fn small_order_keys_are_refused() {
        let text = format!("weak:{}", B64.encode(IDENTITY));
        let err = PublicKey::parse(&text).unwrap_err();
        assert!(err.contains("small-order"), "{err}");
    }

    #[test]
    fn a_signature_without_a_secret_never_verifies() {
        // As if a small-order key had been let in: R = identity, s = 0.
        let weak = PublicKey {
            name: "weak".into(),
            key: VerifyingKey::from_bytes(&IDENTITY).unwrap(),
        };
        let mut env = Envelope::seal(b"{}", None);
        env.signatures.push(Signature {
            keyid: "weak".into(),
            sig: B64.encode([IDENTITY, [0u8; 32]].concat()),
        });
        assert_eq!(env.verdict(b"{}", &[weak]), Verdict::Bad("weak".into()));
    }

    #[test]
    fn malformed_keys_are_refused() {
        for text in [
            "nocolon",
            ":AAAA",
            "bad name:AAAA",
            "k:not-base64!",
            "k:AAAA",
        ] {
            assert!(PublicKey::parse(text).is_err(), "{text}");
        }
    }
}
