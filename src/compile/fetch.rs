//! A source archive from the downloads folder, else from its mirrors:
//! each mirror either in the publisher's layout or addressed by checksum
//! (python-build's and ruby-build's `*_BUILD_MIRROR_URL`), and verified
//! against the release table's sha256 (and the publisher's signature,
//! where it signs) before it is kept or extracted.

use std::path::{Path, PathBuf};

use crate::context::Context;
use crate::error::{Error, Result};
use crate::process::Cancel;
use crate::progress::Task;
use crate::provenance::sigstore::{self, Identity};
use crate::provenance::{Keyring, verify};
use crate::remote::{HashReader, Interruptible, ProgressReader, Remote};

/// One archive of a release.
pub struct Candidate {
    /// Its file name, as kept in the downloads folder.
    pub name: String,
    /// Its path below a mirror in the publisher's layout.
    pub path: String,
    pub digest: Digest,
}

/// The checksum its publisher lists: a sha256, or for old conda
/// installers only an MD5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Digest {
    Sha256(String),
    Md5(String),
}

impl Digest {
    pub fn hex(&self) -> &str {
        match self {
            Digest::Sha256(h) | Digest::Md5(h) => h,
        }
    }

    /// The file's digest of the same kind.
    fn of(&self, path: &Path) -> Result<String> {
        match self {
            Digest::Sha256(_) => sha256_of(path),
            Digest::Md5(_) => md5_of(path),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Digest::Sha256(_) => "sha256",
            Digest::Md5(_) => "MD5",
        }
    }
}

/// A mirror, tried in order.
pub struct Mirror {
    pub url: String,
    /// Files are named by their sha256, not by the publisher's path.
    pub by_checksum: bool,
}

impl Mirror {
    pub fn new(url: &str, by_checksum: bool) -> Mirror {
        Mirror {
            url: url.trim_end_matches('/').to_string(),
            by_checksum,
        }
    }
}

/// The publisher's signature beside each archive (on a mirror in the
/// publisher's layout), checked before the archive is kept. A mirror
/// addressed by checksum serves no signatures: there the release table's
/// sha256 is the check.
pub struct Signed {
    pub by: SignedBy,
    /// The setting that turns the check off, for messages.
    pub setting: &'static str,
}

/// What signs the archives.
pub enum SignedBy {
    /// An OpenPGP key of this keyring, in `<file>.asc`.
    OpenPgp(Keyring),
    /// This identity, in a Sigstore bundle `<file>.sigstore`.
    Sigstore(Identity),
}

impl SignedBy {
    fn suffix(&self) -> &'static str {
        match self {
            SignedBy::OpenPgp(_) => ".asc",
            SignedBy::Sigstore(_) => ".sigstore",
        }
    }

    fn expected(&self) -> String {
        match self {
            SignedBy::OpenPgp(k) => format!("{} ({})", k.name, k.fingerprints().join(", ")),
            SignedBy::Sigstore(who) => format!("{who}, in a Sigstore bundle"),
        }
    }
}

/// What to fetch: a release's archives, from its mirrors.
pub struct Wanted<'a> {
    /// `downloads/<tool>/<version>/` keeps it.
    pub tool: &'a str,
    pub version: &'a str,
    /// For messages: `CPython 3.11.2`.
    pub label: String,
    pub candidates: Vec<Candidate>,
    pub mirrors: Vec<Mirror>,
    /// Where the publisher signs its archives and the policy asks.
    pub signed: Option<Signed>,
}

fn sha256_of(path: &Path) -> Result<String> {
    let mut hashing = HashReader::new(fs_err::File::open(path)?);
    hashing.drain()?;
    Ok(hashing.finish().1)
}

fn md5_of(path: &Path) -> Result<String> {
    use md5::Digest as _;
    use std::io::Read as _;
    let mut hasher = md5::Md5::new();
    let mut file = fs_err::File::open(path)?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buf[..n]);
    }
}

/// The verified archive, downloaded when not already in the downloads folder.
pub fn fetch(ctx: &Context, wanted: &Wanted<'_>, task: &Task, cancel: &Cancel) -> Result<PathBuf> {
    let dir = ctx.env.layout.downloads_dir(wanted.tool, wanted.version);
    fs_err::create_dir_all(&dir)?;
    for c in &wanted.candidates {
        let path = dir.join(&c.name);
        if path.is_file() && c.digest.of(&path)? == c.digest.hex() {
            task.step(&format!("using the downloaded {}", c.name));
            return Ok(path);
        }
    }
    let client = ctx.client()?;
    let mut tried = Vec::new();
    for mirror in &wanted.mirrors {
        let store = client.open_mirror(&mirror.url, &ctx.installs.transfer(&ctx.env))?;
        for c in &wanted.candidates {
            let key = if mirror.by_checksum {
                c.digest.hex()
            } else {
                &c.path
            };
            let path = dir.join(&c.name);
            let signed = wanted.signed.as_ref().filter(|_| !mirror.by_checksum);
            if wanted.signed.is_some() && mirror.by_checksum {
                task.step(&format!(
                    "{} serves no signatures (addressed by checksum): the release table's sha256 is the check",
                    store.display()
                ));
            }
            if download(&store, key, &path, c, signed, task, cancel)? {
                return Ok(path);
            }
            tried.push(format!("{}/{key}", store.display().trim_end_matches('/')));
        }
    }
    Err(Error::NoVersion {
        what: format!("the source of {} was not found", wanted.label),
        why: tried.iter().map(|t| format!("tried {t}")).collect(),
    })
}

/// Downloads `key` to `path` through a temporary file that becomes `path`
/// only when its checksum (and, where `signed`, its signature) is the
/// expected one; `false` on 404.
fn download(
    store: &Remote,
    key: &str,
    path: &Path,
    wanted: &Candidate,
    signed: Option<&Signed>,
    task: &Task,
    cancel: &Cancel,
) -> Result<bool> {
    let Some(mut download) = store.download(key)? else {
        return Ok(false);
    };
    // Read before the archive: a mirror without it is refused at once.
    let file = format!("{key} in {}", store.display());
    let signature = match signed {
        Some(signed) => Some((signed, signature_of(store, key, signed, &file)?)),
        None => None,
    };
    task.start_bytes(key, download.size);
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io("cannot write in", dir, e))?;
    let progress = ProgressReader::new(&mut download, |n| task.add_bytes(n));
    let mut hashing = HashReader::new(Interruptible::new(progress, cancel.flag()));
    let copied = std::io::copy(&mut hashing, &mut tmp);
    let (bytes, sha256) = hashing.finish();
    let complete = download.shortfall(bytes);
    let transfer = download.finish();
    cancel.check()?;
    transfer?;
    copied.map_err(|e| Error::io("cannot write", path, e))?;
    complete?;
    let actual = match &wanted.digest {
        Digest::Sha256(_) => sha256,
        Digest::Md5(_) => md5_of(tmp.path())?,
    };
    if actual != wanted.digest.hex() {
        return Err(Error::Checksum {
            file: format!("{} from {}", wanted.name, store.display()),
            expected_from: format!("the release table ({})", wanted.digest.kind()),
            expected: wanted.digest.hex().to_string(),
            actual,
            outcome: "the file was removed and nothing was built",
        });
    }
    if let Some((signed, signature)) = signature {
        let signer = check_signature(&signature, tmp.path(), signed, &file)?;
        task.step(&format!("{} signed by {signer}", wanted.name));
    }
    tmp.persist(path)
        .map_err(|e| Error::io("cannot write", path, e.error))?;
    Ok(true)
}

/// The signature beside `key` on `store`; a missing one refuses the
/// archive.
fn signature_of(store: &Remote, key: &str, signed: &Signed, file: &str) -> Result<Vec<u8>> {
    let sig_key = format!("{key}{}", signed.by.suffix());
    match store.get_small(&sig_key)? {
        Some(signature) => Ok(signature.to_vec()),
        None => Err(Error::Signature {
            file: file.to_string(),
            expected: signed.by.expected(),
            found: format!(
                "no {} beside it ({} = checksums builds with the sha256 alone)",
                sig_key.rsplit('/').next().unwrap_or(&sig_key),
                signed.setting
            ),
        }),
    }
}

/// Checks `signature` over the downloaded file at `path`; who signed.
fn check_signature(signature: &[u8], path: &Path, signed: &Signed, file: &str) -> Result<String> {
    match &signed.by {
        SignedBy::OpenPgp(keyring) => {
            let v = verify::detached(keyring, signature, fs_err::File::open(path)?, file)?;
            Ok(format!("{} ({})", v.signer, v.user_id))
        }
        SignedBy::Sigstore(who) => sigstore::check(signature, &fs_err::read(path)?, who, file),
    }
}

/// Extracts a verified `.tar.xz`/`.tar.gz` into `into`; returns its source
/// folder `top`, which must hold a `configure`.
pub fn extract(archive: &Path, into: &Path, top: &str) -> Result<PathBuf> {
    let file = fs_err::File::open(archive)?;
    let reader: Box<dyn std::io::Read> = if archive.to_string_lossy().ends_with(".tar.xz") {
        Box::new(liblzma::read::XzDecoder::new(file))
    } else {
        Box::new(flate2::read::GzDecoder::new(file))
    };
    tar::Archive::new(reader)
        .unpack(into)
        .map_err(|e| Error::io("cannot extract", archive, e))?;
    let src = into.join(top);
    if !src.join("configure").is_file() {
        return Err(Error::BadData {
            what: archive.display().to_string(),
            why: format!("has no {top}/configure"),
        });
    }
    Ok(src)
}
