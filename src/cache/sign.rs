//! Signing keys and signed manifests. Keys are ed25519, written as Nix writes
//! its binary-cache keys (`name:base64`: the secret key holds the 32-byte seed
//! and the public key, the public key its 32 bytes). A manifest travels in a
//! DSSE envelope (the in-toto signing format: the signature covers the payload
//! type and the exact payload bytes), so what is signed is inside the one
//! object a publish commits. An envelope may carry several signatures (at
//! most `MAX_SIGNATURES` are read): one good one by a trusted key that is
//! not revoked is enough; `add_signature` adds one without touching the
//! payload bytes (key rotation).

use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What the payload of a cache manifest envelope is.
pub const PAYLOAD_TYPE: &str = "application/vnd.tool.cache-manifest+json";

/// The most signatures a record may carry (hostile input: each costs a
/// verification).
pub const MAX_SIGNATURES: usize = 16;

pub struct SecretKey {
    name: String,
    key: SigningKey,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub name: String,
    key: VerifyingKey,
    /// Listed in `cache.revoked_keys`: its signatures count for nothing.
    pub revoked: bool,
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
            revoked: false,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// This key's signature of `payload` (of our payload type).
    fn signature(&self, payload: &[u8]) -> Signature {
        Signature {
            keyid: self.name.clone(),
            sig: B64.encode(self.key.sign(&pae(PAYLOAD_TYPE, payload)).to_bytes()),
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
            revoked: false,
        })
    }

    /// The same key, whatever its name.
    pub fn same_key(&self, other: &PublicKey) -> bool {
        self.key == other.key
    }

    /// Whether `sig` (base64) is this key's signature of `message`.
    /// Strict: no small-order R or key, no non-canonical encodings.
    fn verifies(&self, message: &[u8], sig: &str) -> bool {
        let sig = B64.decode(sig).ok().and_then(|b| {
            let bytes: [u8; 64] = b.try_into().ok()?;
            Some(ed25519_dalek::Signature::from_bytes(&bytes))
        });
        sig.is_some_and(|sig| self.key.verify_strict(message, &sig).is_ok())
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
    /// Signed by trusted keys only that `cache.revoked_keys` revokes.
    Revoked(Vec<String>),
}

/// What `Envelope::add_signature` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Added {
    Added,
    /// The key had signed it already.
    AlreadySigned,
}

impl Envelope {
    /// `payload` wrapped, signed by `key` when there is one.
    pub fn seal(payload: &[u8], key: Option<&SecretKey>) -> Envelope {
        let signatures = key.map(|k| k.signature(payload)).into_iter().collect();
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

    /// Checks the signatures against `trusted` (the first `MAX_SIGNATURES`
    /// only): one good signature by a trusted key that is not revoked is
    /// enough; a bad one by such a key is never overlooked; a revoked key's
    /// counts for nothing, good or bad.
    pub fn verdict(&self, payload: &[u8], trusted: &[PublicKey]) -> Verdict {
        if self.signatures.is_empty() {
            return Verdict::Unsigned;
        }
        let message = pae(&self.payload_type, payload);
        let (mut good, mut revoked) = (None, Vec::new());
        for s in self.signatures.iter().take(MAX_SIGNATURES) {
            let Some(key) = trusted.iter().find(|k| k.name == s.keyid) else {
                continue;
            };
            match (key.revoked, key.verifies(&message, &s.sig)) {
                (true, _) => revoked.push(key.name.clone()),
                (false, true) => good = good.or(Some(key.name.clone())),
                (false, false) => return Verdict::Bad(key.name.clone()),
            }
        }
        match (good, revoked.is_empty()) {
            (Some(name), _) => Verdict::Trusted(name),
            (None, false) => Verdict::Revoked(revoked),
            (None, true) => Verdict::UnknownKeys(
                (self.signatures.iter().take(MAX_SIGNATURES))
                    .map(|s| s.keyid.clone())
                    .collect(),
            ),
        }
    }

    /// Adds `key`'s signature, leaving the payload as it is. Refused (with
    /// why) when a signature of that name is there that `key` did not make,
    /// or when the envelope has `MAX_SIGNATURES` already.
    pub fn add_signature(&mut self, key: &SecretKey) -> std::result::Result<Added, String> {
        let payload = self.payload()?;
        let ours = key.public();
        let message = pae(&self.payload_type, &payload);
        if let Some(s) = self.signatures.iter().find(|s| s.keyid == key.name) {
            return match ours.verifies(&message, &s.sig) {
                true => Ok(Added::AlreadySigned),
                false => Err(format!(
                    "it carries a signature named `{}` that this key did not make: \
                     give the new key a name of its own (tool cache keygen NAME)",
                    key.name
                )),
            };
        }
        if self.signatures.len() >= MAX_SIGNATURES {
            return Err(format!(
                "it carries {} signatures already, the most a record may carry",
                self.signatures.len()
            ));
        }
        self.signatures.push(key.signature(&payload));
        Ok(Added::Added)
    }

    /// The same payload (its bytes as they are) signed by `key` alone, or
    /// as it is when no key is given.
    pub fn resealed(&self, key: Option<&SecretKey>) -> std::result::Result<Envelope, String> {
        let Some(key) = key else {
            return Ok(self.clone());
        };
        let payload = self.payload()?;
        Ok(Envelope {
            payload: self.payload.clone(),
            payload_type: self.payload_type.clone(),
            signatures: vec![key.signature(&payload)],
        })
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
            revoked: false,
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

    fn revoked(k: &SecretKey) -> PublicKey {
        PublicKey {
            revoked: true,
            ..k.public()
        }
    }

    #[test]
    fn an_added_signature_leaves_the_payload_and_the_first_signature() {
        let (a, b) = (key("a"), key("b"));
        let mut env = Envelope::seal(b"{\"v\":1}", Some(&a));
        let before = env.payload.clone();
        assert_eq!(env.add_signature(&b), Ok(Added::Added));
        assert_eq!(env.add_signature(&b), Ok(Added::AlreadySigned));
        assert_eq!(env.payload, before);
        let payload = env.payload().unwrap();
        assert_eq!(
            env.verdict(&payload, &[b.public()]),
            Verdict::Trusted("b".into())
        );
        assert_eq!(
            env.verdict(&payload, &[a.public()]),
            Verdict::Trusted("a".into())
        );
    }

    #[test]
    fn a_revoked_key_counts_for_nothing_even_where_trusted() {
        let (a, b) = (key("a"), key("b"));
        let mut env = Envelope::seal(b"{}", Some(&a));
        assert_eq!(
            env.verdict(b"{}", &[revoked(&a), b.public()]),
            Verdict::Revoked(vec!["a".into()])
        );
        env.add_signature(&b).unwrap();
        assert_eq!(
            env.verdict(b"{}", &[revoked(&a), b.public()]),
            Verdict::Trusted("b".into())
        );
        // A revoked key's bad signature is no tampering alarm either.
        env.signatures[0].sig = env.signatures[1].sig.clone();
        assert_eq!(
            env.verdict(b"{}", &[revoked(&a), b.public()]),
            Verdict::Trusted("b".into())
        );
    }

    #[test]
    fn another_key_of_the_same_name_is_not_added_beside_it() {
        let mut env = Envelope::seal(b"{}", Some(&key("a")));
        let err = env.add_signature(&key("a")).unwrap_err();
        assert!(err.contains("name of its own"), "{err}");
        assert_eq!(env.signatures.len(), 1);
    }

    #[test]
    fn signatures_past_the_bound_are_neither_added_nor_read() {
        let mut env = Envelope::seal(b"{}", None);
        for i in 0..MAX_SIGNATURES {
            env.add_signature(&key(&format!("k{i}"))).unwrap();
        }
        let last = key("last");
        assert!(env.add_signature(&last).unwrap_err().contains("16"));
        env.signatures.push(last.signature(b"{}"));
        assert!(matches!(
            env.verdict(b"{}", &[last.public()]),
            Verdict::UnknownKeys(names) if names.len() == MAX_SIGNATURES
        ));
    }

    #[test]
    fn resealing_keeps_the_payload_bytes_and_only_the_new_signature() {
        let (a, b) = (key("a"), key("b"));
        let env = Envelope::seal(b"{\"v\":1}", Some(&a));
        let resealed = env.resealed(Some(&b)).unwrap();
        assert_eq!(resealed.payload, env.payload);
        assert_eq!(resealed.signatures.len(), 1);
        let payload = env.payload().unwrap();
        assert_eq!(
            resealed.verdict(&payload, &[b.public()]),
            Verdict::Trusted("b".into())
        );
    }
}
