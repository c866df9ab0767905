//! Publishing: pack an installed version (zstd and/or gzip), upload each
//! archive under its digest, then commit the key's publish record with a
//! conditional create (see `record`): the first publisher wins, the same
//! bytes again are `already published`, other bytes are a conflict unless
//! `replace` (itself conditional on the record read). The layout before
//! records stays available for readers that know only that. Packing happens
//! in a locked scratch folder under `tmp/`; Ctrl-C removes it, and the next
//! publish sweeps those whose process was killed.

use std::path::{Path, PathBuf};

use super::Cache;
use super::record;
use super::record::Comparison;
use super::sign::{PublicKey, SecretKey, Verdict};
use crate::archive::manifest::{self, Manifest};
use crate::archive::{Format, pack};
use crate::env::Env;
use crate::error::{Error, Result};
use crate::process::Cancel;
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
/// `.sha256` files and `<key>.manifest.json` beside them; stops with
/// `Error::Interrupted` soon after `cancel` is raised.
fn pack_all(
    env: &Env,
    cache: &Cache,
    tool: &str,
    version: &str,
    formats: &[Format],
    dir: &Path,
    cancel: &Cancel,
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
        let packed = pack_stoppable(
            &src,
            &manifest,
            format,
            &path,
            env.source_date_epoch(),
            cancel,
        )?;
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

/// `pack::pack` on a thread of its own, so that an interrupt need not wait
/// for a large tree: on Ctrl-C this returns `Error::Interrupted` at once,
/// the caller's scratch folder goes, and the thread ends with the process.
fn pack_stoppable(
    src: &Path,
    manifest: &Manifest,
    format: Format,
    out: &Path,
    epoch: Option<u64>,
    cancel: &Cancel,
) -> Result<pack::Packed> {
    use std::sync::mpsc::RecvTimeoutError;
    let (tx, rx) = std::sync::mpsc::channel();
    let (src, manifest, out) = (src.to_path_buf(), manifest.clone(), out.to_path_buf());
    std::thread::Builder::new()
        .name("pack".into())
        .spawn(move || {
            let _ = tx.send(pack::pack(&src, &manifest, format, &out, epoch));
        })
        .map_err(|e| Error::Other(format!("cannot start packing: {e}")))?;
    loop {
        match rx.recv_timeout(std::time::Duration::from_millis(50)) {
            Ok(packed) => return Ok(packed?),
            Err(RecvTimeoutError::Timeout) => cancel.check()?,
            Err(RecvTimeoutError::Disconnected) => {
                return Err(Error::Other("packing ended without a result".into()));
            }
        }
    }
}

/// Scratch folders of `tmp/`: those of pushes and packs killed before
/// they could remove theirs are swept when the next one starts.
const SCRATCH: [&str; 2] = ["push-", "pack-"];

/// A new scratch folder `tmp/<prefix>…`, once the abandoned ones are gone.
fn scratch(env: &Env, prefix: &str) -> Result<crate::fs::Scratch> {
    let tmp = env.layout.tmp_dir();
    for p in SCRATCH {
        crate::fs::sweep_scratch(&tmp, p);
    }
    Ok(crate::fs::scratch_in(&tmp, prefix)?)
}

/// Packs `tool` `version` into `dir` (`cache pack`): written in a scratch
/// folder, then moved there, so an interrupt leaves nothing half-written.
pub fn pack_into(
    env: &Env,
    cache: &Cache,
    tool: &str,
    version: &str,
    formats: &[Format],
    to: PackTo<'_>,
    cancel: &Cancel,
) -> Result<Vec<PackedFile>> {
    let scratch = scratch(env, "pack-")?;
    let (_, files) = pack_all(env, cache, tool, version, formats, scratch.path(), cancel)?;
    let dir = to.folder();
    let mut out = Vec::new();
    for f in files {
        let name = match to {
            PackTo::File(file) => file.file_name(),
            PackTo::Folder(_) => f.path.file_name(),
        };
        let name = name.unwrap_or_default().to_string_lossy().to_string();
        let path = dir.join(&name);
        cancel.check()?;
        let sha = |p: &Path| PathBuf::from(format!("{}.sha256", p.display()));
        // The checksum line names the file as it is called there.
        crate::fs::write_atomic(
            &sha(&f.path),
            sha256_line(&f.sha256, &name).as_bytes(),
            None,
        )?;
        crate::fs::move_file(&f.path, &path)?;
        crate::fs::move_file(&sha(&f.path), &sha(&path))?;
        out.push(PackedFile { path, ..f });
    }
    let key = cache.key(tool, version);
    let manifest = format!("{}.manifest.json", key.rsplit('/').next().unwrap_or(&key));
    crate::fs::move_file(&scratch.path().join(&manifest), &dir.join(&manifest))?;
    Ok(out)
}

/// Where `cache pack` writes: into a folder, each archive under its key's
/// name, or one archive to a file of its own name (`-o`).
#[derive(Clone, Copy)]
pub enum PackTo<'a> {
    Folder(&'a Path),
    File(&'a Path),
}

impl PackTo<'_> {
    /// The folder the files land in.
    fn folder(&self) -> &Path {
        match self {
            PackTo::Folder(dir) => dir,
            PackTo::File(file) => file
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new(".")),
        }
    }
}

/// How a publish writes.
pub struct How<'a> {
    /// Signs the record.
    pub signer: Option<&'a SecretKey>,
    /// Re-publish over a record with other bytes (only if it is still the
    /// one read: `If-Match`).
    pub replace: bool,
    /// Write the layout before records (`<key>.tar.zst` and its `.sha256`):
    /// three overwrites, not atomic, for readers that know only that.
    pub legacy_layout: bool,
    /// Raised by Ctrl-C/SIGTERM: packing stops, the scratch folder goes,
    /// and the publish ends `Error::Interrupted` (requests stop too when the
    /// bucket was opened `stopping_on` it).
    pub cancel: &'a Cancel,
    /// `cache.gc_grace`: an archive already there but older than half of
    /// it is sent again rather than reused.
    pub gc_grace: std::time::Duration,
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// What a publish did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Published,
    /// The key already had these bytes: nothing was written but archives
    /// that were missing.
    AlreadyPublished,
    Replaced,
}

/// Uploads packed files for `key` (without extension) to `bucket`: each
/// archive under its digest, then the record, created only if absent.
pub fn upload(
    bucket: &Remote,
    key: &str,
    manifest: &Manifest,
    files: &[PackedFile],
    how: &How<'_>,
) -> Result<(Outcome, Vec<String>)> {
    if how.legacy_layout {
        return upload_legacy(bucket, key, manifest, files, how.cancel);
    }
    let mut archives = Vec::new();
    let mut reused = Vec::new();
    for f in files {
        let object = record::object_for(&f.sha256, f.format);
        // Named by content: an object already there is these bytes (readers
        // check the digest anyway), so it is not sent again.
        // One old enough for `cache gc` to take is sent again, which makes
        // it young: gc leaves what is younger than its grace period.
        let there = bucket.head(&object)?;
        match there.filter(|o| o.modified_at > now_secs() - how.gc_grace.as_secs() as i64 / 2) {
            Some(_) => reused.push(f),
            None => put_file(bucket, &object, &f.path, how.cancel)?,
        }
        archives.push(record::ArchiveRef {
            format: f.format.name().to_string(),
            object,
            sha256: f.sha256.clone(),
            size: f.bytes,
        });
    }
    let ours = record::Record {
        schema: record::SCHEMA,
        key: key.to_string(),
        build: manifest.clone(),
        archives,
    };
    let name = format!("{key}{}", record::SUFFIX);
    let sealed = ours.seal(how.signer);
    let outcome = match bucket.create_small(&name, sealed.clone())? {
        true => Outcome::Published,
        false => commit_over(bucket, key, &ours, sealed, how)?,
    };
    restore_reused(bucket, &reused, how.cancel)?;
    Ok((outcome, vec![name]))
}

/// An archive found already there may be one no record named, which a
/// `cache gc` that listed the records before ours may still remove: once
/// the record names it, it is looked for again and sent when it went.
fn restore_reused(bucket: &Remote, reused: &[&PackedFile], cancel: &Cancel) -> Result<()> {
    for f in reused {
        let object = record::object_for(&f.sha256, f.format);
        if !bucket.exists(&object)? {
            put_file(bucket, &object, &f.path, cancel)?;
        }
    }
    Ok(())
}

/// Uploads `path` as `key`; an interrupt (the bucket is `stopping_on` it)
/// wins over the error it caused.
fn put_file(bucket: &Remote, key: &str, path: &Path, cancel: &Cancel) -> Result<()> {
    let put = bucket.put_file(key, path);
    cancel.check()?;
    Ok(put?)
}

/// The record exists: the same publish (and, when signing, signed by our
/// key) is `already published`; anything else needs `--replace`, which
/// writes ours only over the copy read (`If-Match`).
fn commit_over(
    bucket: &Remote,
    key: &str,
    ours: &record::Record,
    sealed: Vec<u8>,
    how: &How<'_>,
) -> Result<Outcome> {
    let name = format!("{key}{}", record::SUFFIX);
    let Some((bytes, version)) = bucket.get_small_versioned(&name)? else {
        // Deleted between our create and this read: try once more.
        return match bucket.create_small(&name, sealed)? {
            true => Ok(Outcome::Published),
            false => Err(changed_meanwhile(bucket, &name)),
        };
    };
    let ours_key: Vec<PublicKey> = how.signer.map(SecretKey::public).into_iter().collect();
    let why_not = match record::parse(bucket, key, &bytes, version.clone(), &ours_key) {
        // A record that cannot be read (or does not verify) is replaced only when asked.
        Err(e) => crate::error::chain(&e),
        Ok(theirs) => match (ours.compare(&theirs.record), &theirs.verdict) {
            (Comparison::OtherBytes, _) if !how.replace => {
                return Err(Error::Conflict {
                    key: key.to_string(),
                    bucket: bucket.display().to_string(),
                    theirs: theirs.record.digests(),
                    ours: ours.digests(),
                });
            }
            (Comparison::OtherBytes, _) => String::new(),
            (Comparison::Lacks(formats), _) => format!("it has no {} archive", formats.join(", ")),
            (Comparison::Same, Verdict::Trusted(_)) => return Ok(Outcome::AlreadyPublished),
            (Comparison::Same, _) if how.signer.is_none() => return Ok(Outcome::AlreadyPublished),
            (Comparison::Same, verdict) => format!("it is {}", unsigned_by_us(verdict)),
        },
    };
    if !how.replace {
        return Err(Error::hinted(
            format!(
                "{name} in {} is already published with these bytes, but {why_not}; the bucket was left as it is",
                bucket.display()
            ),
            "`--replace` publishes this record in its place",
        ));
    }
    match bucket.replace_small(&name, sealed, &version)? {
        true => Ok(Outcome::Replaced),
        false => Err(changed_meanwhile(bucket, &name)),
    }
}

fn unsigned_by_us(verdict: &Verdict) -> String {
    match verdict {
        Verdict::UnknownKeys(names) => format!("signed by {}, not by this key", names.join(", ")),
        _ => "not signed".into(),
    }
}

fn changed_meanwhile(bucket: &Remote, name: &str) -> Error {
    Error::hinted(
        format!(
            "{name} in {} changed while this publish was writing it; the bucket has the other publish",
            bucket.display()
        ),
        "run the publish again to compare with what is there now",
    )
}

/// The layout before records: archive, `.sha256`, `<key>.manifest.json`.
fn upload_legacy(
    bucket: &Remote,
    key: &str,
    manifest: &Manifest,
    files: &[PackedFile],
    cancel: &Cancel,
) -> Result<(Outcome, Vec<String>)> {
    let mut written = Vec::new();
    for f in files {
        let archive_key = format!("{key}{}", f.format.extension());
        put_file(bucket, &archive_key, &f.path, cancel)?;
        let name = archive_key.rsplit('/').next().unwrap_or(&archive_key);
        bucket.put_small(
            &format!("{archive_key}.sha256"),
            sha256_line(&f.sha256, name).into_bytes(),
        )?;
        written.push(archive_key);
    }
    bucket.put_small(&format!("{key}.manifest.json"), manifest.to_json())?;
    Ok((Outcome::Published, written))
}

/// What `push` wrote.
pub struct Pushed {
    pub bucket: String,
    pub keys: Vec<String>,
    pub bytes: u64,
    pub outcome: Outcome,
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
    how: &How<'_>,
) -> Result<Pushed> {
    let scratch = scratch(env, "push-")?;
    let dir = scratch.path();
    let published = pack_all(env, cache, tool, version, formats, dir, how.cancel).and_then(
        |(manifest, files)| {
            let key = cache.key(tool, version);
            upload(target, &key, &manifest, &files, how).map(|done| (done, files))
        },
    );
    // An interrupt wins over the failure it caused (a request cut short).
    how.cancel.check()?;
    let ((outcome, keys), files) = published?;
    Ok(Pushed {
        bucket: target.display().to_string(),
        keys,
        bytes: files.iter().map(|f| f.bytes).sum(),
        outcome,
    })
}
