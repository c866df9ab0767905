//! Publishing: pack an installed version (zstd and/or gzip), write the
//! `.sha256` beside each archive and the manifest beside the key, and upload
//! them (multipart for large archives).

use std::io::Read;
use std::path::{Path, PathBuf};

use object_store::{ObjectStoreExt, PutPayload, WriteMultipart};

use super::bucket::Bucket;
use super::host::Host;
use super::key::{Format, Template};
use super::manifest::{self, Manifest};
use crate::archive::pack;
use crate::config::settings::Settings;
use crate::env::Env;
use crate::error::{Error, Result};

const MULTIPART_CHUNK: usize = 16 << 20;

/// The manifest of an installed version as it stands now.
pub fn manifest_for(env: &Env, settings: &Settings, tool: &str, version: &str) -> Manifest {
    let host = Host::detect(settings);
    let install = env.layout.install_path(tool, version);
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
        build_options: previous.map(|m| m.build_options).unwrap_or_default(),
        sha256: Default::default(),
        created_by: format!("tool {}", env!("CARGO_PKG_VERSION")),
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
    settings: &Settings,
    tool: &str,
    version: &str,
    formats: &[Format],
    dir: &Path,
) -> Result<(Manifest, Vec<PackedFile>)> {
    let src = env.layout.install_path(tool, version);
    if !crate::installed::is_installed(env, tool, version) {
        return Err(Error::Other(format!(
            "{tool} {version} is not installed\n  hint: tool install {tool} {version}"
        )));
    }
    let template = Template::parse(settings.get("cache.key_template"))?;
    let mut manifest = manifest_for(env, settings, tool, version);
    let key = template.render(&Host::detect(settings), tool, version);
    let base = dir.join(key.rsplit('/').next().unwrap_or(&key));
    let mut out = Vec::new();
    for &format in formats {
        let path = PathBuf::from(format!("{}{}", base.display(), format.extension()));
        let packed = pack::pack(&src, &manifest, format, &path)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let sha_path = PathBuf::from(format!("{}.sha256", path.display()));
        std::fs::write(&sha_path, sha256_line(&packed.sha256, &name))
            .map_err(|e| Error::io("cannot write", &sha_path, e))?;
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
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Other(e.to_string()))?;
    std::fs::write(&manifest_path, text)
        .map_err(|e| Error::io("cannot write", &manifest_path, e))?;
    Ok((manifest, out))
}

/// Uploads packed files under `key` (without extension) to `bucket`.
pub async fn upload(
    bucket: &Bucket,
    key: &str,
    manifest: &Manifest,
    files: &[PackedFile],
) -> Result<Vec<String>> {
    let mut written = Vec::new();
    for f in files {
        let archive_key = format!("{key}{}", f.format.extension());
        upload_file(bucket, &archive_key, &f.path).await?;
        let name = archive_key.rsplit('/').next().unwrap_or(&archive_key);
        put_small(
            bucket,
            &format!("{archive_key}.sha256"),
            sha256_line(&f.sha256, name).into_bytes(),
        )
        .await?;
        written.push(archive_key);
    }
    let text = serde_json::to_vec_pretty(manifest).map_err(|e| Error::Other(e.to_string()))?;
    put_small(bucket, &format!("{key}.manifest.json"), text).await?;
    Ok(written)
}

async fn put_small(bucket: &Bucket, key: &str, data: Vec<u8>) -> Result<()> {
    bucket
        .store
        .put(&bucket.path(key), PutPayload::from(data))
        .await
        .map(drop)
        .map_err(|e| write_error(bucket, key, &e))
}

fn write_error(bucket: &Bucket, key: &str, err: &object_store::Error) -> Error {
    use object_store::Error as E;
    match err {
        E::PermissionDenied { .. } | E::Unauthenticated { .. } => Error::Other(format!(
            "access denied writing {key} to {}: the credentials were refused (credentials: {})",
            bucket.display, bucket.credentials
        )),
        other => Error::Other(format!("cannot write {key} to {}: {other}", bucket.display)),
    }
}

async fn upload_file(bucket: &Bucket, key: &str, path: &Path) -> Result<()> {
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io("cannot read", path, e))?
        .len();
    let mut file = std::fs::File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
    if size <= MULTIPART_CHUNK as u64 {
        let mut data = Vec::with_capacity(size as usize);
        file.read_to_end(&mut data)
            .map_err(|e| Error::io("cannot read", path, e))?;
        return put_small(bucket, key, data).await;
    }
    let upload = bucket
        .store
        .put_multipart(&bucket.path(key))
        .await
        .map_err(|e| write_error(bucket, key, &e))?;
    let mut writer = WriteMultipart::new_with_chunk_size(upload, MULTIPART_CHUNK);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| Error::io("cannot read", path, e))?;
        if n == 0 {
            break;
        }
        writer
            .wait_for_capacity(4)
            .await
            .map_err(|e| write_error(bucket, key, &e))?;
        writer.write(&buf[..n]);
    }
    writer
        .finish()
        .await
        .map(drop)
        .map_err(|e| write_error(bucket, key, &e))
}
