//! Who signs a CPython source archive (`plugins/python/signers.toml`):
//! up to 3.13 the release managers of its minor version, by OpenPGP, whose
//! keys are in the shipped `plugins/python/keys.asc` (a minor's archive is
//! checked against its own managers' keys only, and the keys
//! `upstream.trusted_keys` adds, trusted for every version); from 3.14 on
//! the release manager's Sigstore identity. A minor in neither table has
//! no check beyond the release table's sha256.

use crate::compile::fetch::{Signed, SignedBy};
use crate::config::settings::InstallSettings;
use crate::error::{Error, Result};
use crate::provenance::sigstore::Identity;
use crate::provenance::{Keyring, Policy};

const KEYS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/plugins/python/keys.asc"
));
const SIGNERS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/plugins/python/signers.toml"
));
const SIGNERS_ORIGIN: &str = "plugins/python/signers.toml";

/// The check for `version`'s source archive, or `None` when the policy
/// does not ask or its minor is in neither table.
pub fn signed(version: &str, installs: &InstallSettings) -> Result<Option<Signed>> {
    if installs.python.verify != Policy::Signatures {
        return Ok(None);
    }
    let minor = minor(version);
    let by = if let Some(fingerprints) = signers(SIGNERS, &minor)? {
        let name = format!("the CPython {minor} release managers' keys");
        SignedBy::OpenPgp(
            Keyring::parse(&name, "plugins/python/keys.asc", KEYS)?
                .only(&name, &fingerprints)
                .with_files(&installs.upstream.trusted_keys)?,
        )
    } else if let Some(identity) = sigstore_identity(SIGNERS, &minor)? {
        SignedBy::Sigstore(identity)
    } else {
        return Ok(None);
    };
    Ok(Some(Signed {
        by,
        setting: "python.verify",
    }))
}

fn bad(why: String) -> Error {
    Error::BadData {
        what: SIGNERS_ORIGIN.into(),
        why,
    }
}

/// The Sigstore identity the table `text` lists for `minor`.
fn sigstore_identity(text: &str, minor: &str) -> Result<Option<Identity>> {
    let table: toml::Table = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
    let Some(entry) = table.get("sigstore").and_then(|s| s.get(minor)) else {
        return Ok(None);
    };
    let field = |name: &str| {
        (entry.get(name).and_then(|v| v.as_str()).map(str::to_string))
            .ok_or_else(|| bad(format!("lists `{minor}` without a Sigstore {name}")))
    };
    Ok(Some(Identity {
        email: field("identity")?,
        issuer: field("issuer")?,
    }))
}

/// `3.11` of `3.11.2` (or of `3.13.0rc1`).
fn minor(version: &str) -> String {
    let mut parts = version.split('.');
    let major = parts.next().unwrap_or_default();
    let minor: String = (parts.next().unwrap_or_default().chars())
        .take_while(char::is_ascii_digit)
        .collect();
    format!("{major}.{minor}")
}

/// The fingerprints the table `text` lists for `minor`.
fn signers(text: &str, minor: &str) -> Result<Option<Vec<String>>> {
    let table: toml::Table = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
    let Some(listed) = table.get("signers").and_then(|s| s.get(minor)) else {
        return Ok(None);
    };
    let fingerprints = (listed.as_array().into_iter().flatten())
        .map(|f| f.as_str().map(str::to_string))
        .collect::<Option<Vec<_>>>()
        .filter(|f| !f.is_empty())
        .ok_or_else(|| bad(format!("lists `{minor}` without fingerprints")))?;
    Ok(Some(fingerprints))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_minor_is_signed_by_its_own_release_managers() {
        assert_eq!(minor("3.11.2"), "3.11");
        assert_eq!(minor("3.13.0rc1"), "3.13");
        let pablo = signers(SIGNERS, "3.11").unwrap().unwrap();
        assert_eq!(pablo, ["A035C8C19219BA821ECEA86B64E628F8D684696D"]);
        assert_eq!(signers(SIGNERS, "3.14").unwrap(), None);
        let hugo = sigstore_identity(SIGNERS, "3.14").unwrap().unwrap();
        assert_eq!(hugo.email, "hugo@python.org");
        assert_eq!(sigstore_identity(SIGNERS, "3.13").unwrap(), None);
        // Every listed key is in the shipped keyring, and only those.
        let all = Keyring::parse("all", "python.asc", KEYS).unwrap();
        let table: toml::Table = toml::from_str(SIGNERS).unwrap();
        let mut listed = std::collections::BTreeSet::new();
        for (minor, _) in table["signers"].as_table().unwrap() {
            let wanted = signers(SIGNERS, minor).unwrap().unwrap();
            let narrowed = all.clone().only("m", &wanted);
            assert_eq!(narrowed.fingerprints().len(), wanted.len(), "{minor}");
            listed.extend(wanted);
        }
        let shipped: std::collections::BTreeSet<String> = all.fingerprints().into_iter().collect();
        assert_eq!(shipped, listed);
    }

    /// Thomas Wouters' own `.asc` of Python 3.13.5, as Debian's python3.13
    /// source package carries it beside the unmodified tarball
    /// (scripts/setup-python-source lays both out).
    #[test]
    fn the_real_3_13_5_signature_holds_for_3_13_only() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/test-assets/python-signed/3.13.5");
        let archive = dir.join("Python-3.13.5.tar.xz");
        let signature = std::fs::read(dir.join("Python-3.13.5.tar.xz.asc"))
            .expect("run scripts/setup-python-source first (scripts/test does)");
        let keyring = |minor: &str| {
            let fingerprints = signers(SIGNERS, minor).unwrap().unwrap();
            Keyring::parse("all", "python.asc", KEYS)
                .unwrap()
                .only(minor, &fingerprints)
        };
        let file = || std::fs::File::open(&archive).unwrap();
        let verified =
            crate::provenance::verify::detached(&keyring("3.13"), &signature, file(), "3.13.5")
                .unwrap();
        assert_eq!(verified.primary, "7169605F62C751356D054A26A821E680E5FA6305");
        let err = crate::provenance::verify::detached(&keyring("3.11"), &signature, file(), "x")
            .unwrap_err();
        assert!(err.to_string().contains("not one of them"), "{err}");
    }
}
