//! The CPython source archive: looked up in the downloads folder, else on
//! the mirror (`TOOL_PYTHON_MIRROR`, python.org's layout; or pyenv's
//! `PYTHON_BUILD_MIRROR_URL`, by checksum), verified against the release
//! table's sha256 before anything is extracted.

use std::path::{Path, PathBuf};

use super::releases::{self, Release};
use crate::config::settings::Settings;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::process::Cancel;
use crate::progress::Task;
use crate::remote::{Client, HashReader, Interruptible, ProgressReader, Remote};

pub const PYTHON_ORG: &str = "https://www.python.org/ftp/python";

/// One archive of a release: file name and expected sha256.
struct Candidate {
    name: String,
    sha256: String,
}

fn candidates(version: &str, release: &Release) -> Vec<Candidate> {
    let mut out = Vec::new();
    if let Some(sha) = &release.xz {
        out.push(Candidate {
            name: format!("Python-{version}.tar.xz"),
            sha256: sha.clone(),
        });
    }
    if let Some(sha) = &release.tgz {
        out.push(Candidate {
            name: format!("Python-{version}.tgz"),
            sha256: sha.clone(),
        });
    }
    out
}

/// `(mirror URL, by checksum)` in the order they are tried.
fn mirrors(env: &Env, settings: &Settings) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    if let Some(configured) = &settings.python.mirror {
        out.push((configured.trim_end_matches('/').to_string(), false));
    }
    if let Some(pyenv) = env.var("PYTHON_BUILD_MIRROR_URL") {
        out.push((pyenv.trim_end_matches('/').to_string(), true));
    }
    if out.is_empty() {
        out.push((PYTHON_ORG.to_string(), false));
    }
    out
}

fn sha256_of(path: &Path) -> Result<String> {
    let mut hashing = HashReader::new(fs_err::File::open(path)?);
    hashing.drain()?;
    Ok(hashing.finish().1)
}

/// The verified source archive of `version`, downloaded when not already
/// in `downloads/python/<version>/`.
pub fn fetch(
    env: &Env,
    settings: &Settings,
    version: &str,
    release: &Release,
    task: &Task,
    cancel: &Cancel,
) -> Result<PathBuf> {
    let dir = env.layout.downloads_dir("python", version);
    fs_err::create_dir_all(&dir)?;
    let wanted = candidates(version, release);
    for c in &wanted {
        let path = dir.join(&c.name);
        if path.is_file() && sha256_of(&path)? == c.sha256 {
            task.step(&format!("using the downloaded {}", c.name));
            return Ok(path);
        }
    }
    let client = Client::new()?;
    let release_dir = releases::release_dir(version, release);
    let mut tried = Vec::new();
    for (mirror, by_sha) in mirrors(env, settings) {
        let store = client.open_mirror(&mirror, &settings.transfer(env))?;
        for c in &wanted {
            let key = if by_sha {
                c.sha256.clone()
            } else {
                format!("{release_dir}/{}", c.name)
            };
            let path = dir.join(&c.name);
            if download(&store, &key, &path, c, task, cancel)? {
                return Ok(path);
            }
            tried.push(format!("{}/{key}", store.display().trim_end_matches('/')));
        }
    }
    Err(Error::NoVersion {
        what: format!("the source of CPython {version} was not found"),
        why: tried.iter().map(|t| format!("tried {t}")).collect(),
    })
}

/// Downloads `key` to `path` through a temporary file that becomes `path`
/// only when its sha256 is the expected one; `false` on 404.
fn download(
    store: &Remote,
    key: &str,
    path: &Path,
    wanted: &Candidate,
    task: &Task,
    cancel: &Cancel,
) -> Result<bool> {
    let Some(mut download) = store.download(key)? else {
        return Ok(false);
    };
    task.start_bytes(key, download.size);
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io("cannot write in", dir, e))?;
    let progress = ProgressReader::new(&mut download, |n| task.add_bytes(n));
    let mut hashing = HashReader::new(Interruptible::new(progress, cancel.flag()));
    let copied = std::io::copy(&mut hashing, &mut tmp);
    let (bytes, actual) = hashing.finish();
    let complete = download.shortfall(bytes);
    let transfer = download.finish();
    cancel.check()?;
    transfer?;
    copied.map_err(|e| Error::io("cannot write", path, e))?;
    complete?;
    if actual != wanted.sha256 {
        return Err(Error::Checksum {
            file: format!("{} from {}", wanted.name, store.display()),
            expected_from: "the release table".into(),
            expected: wanted.sha256.clone(),
            actual,
            outcome: "the file was removed and nothing was built",
        });
    }
    tmp.persist(path)
        .map_err(|e| Error::io("cannot write", path, e.error))?;
    Ok(true)
}

/// Extracts the archive into `into`; returns the source folder (`Python-<v>`).
pub fn extract(archive: &Path, into: &Path, version: &str) -> Result<PathBuf> {
    let file = fs_err::File::open(archive)?;
    let reader: Box<dyn std::io::Read> = if archive.to_string_lossy().ends_with(".tar.xz") {
        Box::new(liblzma::read::XzDecoder::new(file))
    } else {
        Box::new(flate2::read::GzDecoder::new(file))
    };
    tar::Archive::new(reader)
        .unpack(into)
        .map_err(|e| Error::io("cannot extract", archive, e))?;
    let src = into.join(format!("Python-{version}"));
    if !src.join("configure").is_file() {
        return Err(Error::BadData {
            what: archive.display().to_string(),
            why: format!("has no Python-{version}/configure"),
        });
    }
    Ok(src)
}
