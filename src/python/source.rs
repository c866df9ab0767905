//! The CPython source archive: looked up in the downloads folder, else on
//! the mirror (`TOOL_PYTHON_MIRROR`, python.org's layout; or pyenv's
//! `PYTHON_BUILD_MIRROR_URL`, by checksum), verified against the release
//! table's sha256 before anything is extracted.

use std::io::Write;
use std::path::{Path, PathBuf};

use futures::StreamExt;
use object_store::ObjectStoreExt;
use sha2::{Digest, Sha256};

use super::releases::{self, Release};
use crate::cache::bucket;
use crate::config::settings::Settings;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::process::Cancel;
use crate::progress::Task;

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
    let configured = settings.get("python.mirror");
    if !configured.is_empty() {
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
    let mut file = std::fs::File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = std::io::Read::read(&mut file, &mut buf)
            .map_err(|e| Error::io("cannot read", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
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
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create", &dir, e))?;
    let wanted = candidates(version, release);
    for c in &wanted {
        let path = dir.join(&c.name);
        if path.is_file() && sha256_of(&path)? == c.sha256 {
            task.step(&format!("using the downloaded {}", c.name));
            return Ok(path);
        }
    }
    let rt = crate::backend::cache::runtime()?;
    let release_dir = releases::release_dir(version, release);
    let mut tried = Vec::new();
    for (mirror, by_sha) in mirrors(env, settings) {
        let store = bucket::open(&mirror, env, settings)?;
        for c in &wanted {
            let key = if by_sha {
                c.sha256.clone()
            } else {
                format!("{release_dir}/{}", c.name)
            };
            let path = dir.join(&c.name);
            if let Some(actual) = rt.block_on(download(&store, &key, &path, task, cancel))? {
                if actual != c.sha256 {
                    let _ = std::fs::remove_file(&path);
                    return Err(Error::Other(format!(
                        "checksum mismatch for {} from {}: expected {}, got {actual}; the file was removed and nothing was built",
                        c.name, store.display, c.sha256
                    )));
                }
                return Ok(path);
            }
            tried.push(format!("{}/{key}", store.display.trim_end_matches('/')));
        }
    }
    Err(Error::Other(format!(
        "the source of CPython {version} was not found: tried {}",
        tried.join(", ")
    )))
}

/// Downloads `key` to `path` (through a temporary file) and returns its
/// sha256; `None` on 404.
async fn download(
    store: &bucket::Bucket,
    key: &str,
    path: &Path,
    task: &Task,
    cancel: &Cancel,
) -> Result<Option<String>> {
    let result = match store.store.get(&store.path(key)).await {
        Ok(r) => r,
        Err(object_store::Error::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(crate::cache::fetch::describe(store, key, &e)),
    };
    task.start_bytes(key, result.meta.size);
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io("cannot write in", dir, e))?;
    let mut hasher = Sha256::new();
    let mut body = result.into_stream();
    while let Some(chunk) = body.next().await {
        cancel.check()?;
        let chunk = chunk.map_err(|e| {
            Error::Other(format!(
                "download of {key} from {} failed: {e}",
                store.display
            ))
        })?;
        tmp.write_all(&chunk)
            .map_err(|e| Error::io("cannot write", path, e))?;
        hasher.update(&chunk);
        task.add_bytes(chunk.len() as u64);
    }
    tmp.persist(path)
        .map_err(|e| Error::io("cannot write", path, e.error))?;
    Ok(Some(hex::encode(hasher.finalize())))
}

/// Extracts the archive into `into`; returns the source folder (`Python-<v>`).
pub fn extract(archive: &Path, into: &Path, version: &str) -> Result<PathBuf> {
    let file = std::fs::File::open(archive).map_err(|e| Error::io("cannot read", archive, e))?;
    let reader: Box<dyn std::io::Read> = if archive.to_string_lossy().ends_with(".tar.xz") {
        Box::new(liblzma::read::XzDecoder::new(file))
    } else {
        Box::new(flate2::read::GzDecoder::new(file))
    };
    tar::Archive::new(reader)
        .unpack(into)
        .map_err(|e| Error::Other(format!("cannot extract {}: {e}", archive.display())))?;
    let src = into.join(format!("Python-{version}"));
    if !src.join("configure").is_file() {
        return Err(Error::Other(format!(
            "{} has no Python-{version}/configure",
            archive.display()
        )));
    }
    Ok(src)
}
