//! Publishing: pack an installed version (zstd and/or gzip), write the
//! `.sha256` beside each archive and the manifest beside the key, and upload
//! them (multipart for large archives).

use std::path::{Path, PathBuf};

use super::Cache;
use crate::archive::manifest::{self, Manifest};
use crate::archive::{Format, pack};
use crate::env::Env;
use crate::error::{Error, Result};
use crate::remote::Remote;

/// The manifest of an installed version as it stands now.
pub fn manifest_for(env: &Env, cache: &Cache, tool: &str, version: &str) -> Manifest {
    let host = cache.host.clone();
    let install = crate::installed::location(env, tool, version)
        .unwrap_or_else(|| env.layout.install_path(tool, version));
    let previous: Option<Manifest> = std::fs::read(install.join(manifest::FILE_NAME))
        .ok()
        .and_then(|t| serde_json::from_slice(&t).ok());
    Manifest {
        schema: 1,
        tool: tool.to_string(),
        version: version.to_string(),
        os: host.os,
        arch: host.arch,
        libc: host.libc,
        build_prefix: install.to_string_lossy().to_string(),
        build_options: previous
            .as_ref()
            .map(|m| m.build_options.clone())
            .unwrap_or_default(),
        sha256: Default::default(),
        created_by: format!("tool {}", env!("CARGO_PKG_VERSION")),
        packages: previous.map(|m| m.packages).unwrap_or_default(),
    }
}

/// `<file>.sha256` in `sha256sum` format.
pub fn sha256_line(sha: &str, file_name: &str) -> String {
    format!("{sha}  {file_name}\n")
}

pub struct PackedFile {
    pub format: Format,
    pub path: PathBuf,
    pub sha256: String,
    pub bytes: u64,
}

/// Packs `tool` `version` into `dir/<key><ext>` for each format, writing the
/// `.sha256` files and `<key>.manifest.json` beside them.
pub fn pack_all(
    env: &Env,
    cache: &Cache,
    tool: &str,
    version: &str,
    formats: &[Format],
    dir: &Path,
) -> Result<(Manifest, Vec<PackedFile>)> {
    let Some(src) = crate::installed::location(env, tool, version) else {
        return Err(Error::hinted(
            format!("{tool} {version} is not installed"),
            format!("tool install {tool} {version}"),
        ));
    };
    let mut manifest = manifest_for(env, cache, tool, version);
    let key = cache.key(tool, version);
    let base = dir.join(key.rsplit('/').next().unwrap_or(&key));
    let mut out = Vec::new();
    for &format in formats {
        let path = PathBuf::from(format!("{}{}", base.display(), format.extension()));
        let packed = pack::pack(&src, &manifest, format, &path, env.source_date_epoch())?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let sha_path = PathBuf::from(format!("{}.sha256", path.display()));
        fs_err::write(&sha_path, sha256_line(&packed.sha256, &name))?;
        manifest
            .sha256
            .insert(format.name().to_string(), packed.sha256.clone());
        out.push(PackedFile {
            format,
            path,
            sha256: packed.sha256,
            bytes: packed.bytes,
        });
    }
    let manifest_path = PathBuf::from(format!("{}.manifest.json", base.display()));
    fs_err::write(&manifest_path, manifest.to_json())?;
    Ok((manifest, out))
}

/// Uploads packed files under `key` (without extension) to `bucket`.
pub fn upload(
    bucket: &Remote,
    key: &str,
    manifest: &Manifest,
    files: &[PackedFile],
) -> Result<Vec<String>> {
    let mut written = Vec::new();
    for f in files {
        let archive_key = format!("{key}{}", f.format.extension());
        bucket.put_file(&archive_key, &f.path)?;
        let name = archive_key.rsplit('/').next().unwrap_or(&archive_key);
        bucket.put_small(
            &format!("{archive_key}.sha256"),
            sha256_line(&f.sha256, name).into_bytes(),
        )?;
        written.push(archive_key);
    }
    bucket.put_small(&format!("{key}.manifest.json"), manifest.to_json())?;
    Ok(written)
}

/// What `push` wrote.
pub struct Pushed {
    pub bucket: String,
    pub keys: Vec<String>,
    pub bytes: u64,
}

/// Packs `tool` `version` in a scratch folder under the data dir and
/// uploads it to `target`.
pub fn push(
    env: &Env,
    cache: &Cache,
    target: &Remote,
    tool: &str,
    version: &str,
    formats: &[Format],
) -> Result<Pushed> {
    let scratch = crate::fs::temp_dir_in(&env.layout.tmp_dir(), "push-")?;
    let (manifest, files) = pack_all(env, cache, tool, version, formats, scratch.path())?;
    let keys = upload(target, &cache.key(tool, version), &manifest, &files)?;
    Ok(Pushed {
        bucket: target.display().to_string(),
        keys,
        bytes: files.iter().map(|f| f.bytes).sum(),
    })
}

/// Whether `target` already holds `key` in every one of `formats`.
pub fn is_published(target: &Remote, key: &str, formats: &[Format]) -> Result<bool> {
    for f in formats {
        if !target.exists(&format!("{key}{}", f.extension()))? {
            return Ok(false);
        }
    }
    Ok(true)
}
