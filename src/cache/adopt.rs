//! `cache adopt` of one key: turns the archives of the layout before
//! records (`<key>.tar.zst`, `<key>.tar.gz`, the build service's own) into
//! a publish record without rebuilding. Each archive is read once, through
//! the fetch path installs use: extracted by the sandboxed extractor into a
//! scratch folder (a hostile archive is refused as an install refuses it),
//! its sha256 checked against its `.sha256`, and its bytes kept in a
//! scratch file; `publish::upload` then writes those bytes under their
//! digest and the record with the conditional create (signed when
//! `cache.signing_key` is set). The old objects stay for older readers; a
//! key that has a record already is left alone, so adopting again, or from
//! several machines at once, changes nothing.

use std::cell::RefCell;
use std::io::Write;
use std::path::Path;

use super::publish::{self, Outcome as Published, PackedFile};
use super::sign::SecretKey;
use super::{Cache, record};
use crate::archive::manifest::{self, Manifest};
use crate::archive::{Format, unpack};
use crate::error::{Error, Result};
use crate::fetch::{self, Fetched};
use crate::platform::Host;
use crate::process::Cancel;
use crate::progress::Task;
use crate::remote::Remote;

/// One key of the layout before records, as the key template reads it.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Without extension.
    pub key: String,
    pub tool: String,
    pub version: String,
    /// The machine the key names (its `{os}`…; this one's where it names none).
    pub host: Host,
    /// The archives found, in the order installs try them.
    pub formats: Vec<Format>,
}

/// How an adoption runs.
pub struct How<'a> {
    pub signer: Option<&'a SecretKey>,
    /// Say what would be adopted; read and write nothing more.
    pub dry_run: bool,
    pub cancel: &'a Cancel,
    /// `cache.gc_grace`, for the publish (see `publish::How`).
    pub gc_grace: std::time::Duration,
}

/// What became of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Adopted,
    /// It has a publish record already (written by another adopt, perhaps
    /// at the same time): left as it is.
    AlreadyAdopted,
    /// `--dry-run`: it would be adopted.
    WouldAdopt,
    /// Its archive is refused (hostile, corrupt, or not its checksum).
    Refused,
}

/// One key's line of the report.
#[derive(Debug, serde::Serialize)]
pub struct Adopted {
    pub key: String,
    pub tool: String,
    pub version: String,
    pub bucket: String,
    pub outcome: Outcome,
    /// The objects the record names (the old ones, on a dry run).
    pub archives: Vec<String>,
    pub bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// Adopts `c` in `bucket`; an archive refused is an `Outcome::Refused`,
/// a bucket that fails or an interrupt an error.
pub fn adopt(
    cache: &Cache,
    bucket: &Remote,
    c: &Candidate,
    how: &How<'_>,
    task: &Task,
) -> Result<Adopted> {
    let mut out = Adopted {
        key: c.key.clone(),
        tool: c.tool.clone(),
        version: c.version.clone(),
        bucket: bucket.display().to_string(),
        outcome: Outcome::AlreadyAdopted,
        archives: Vec::new(),
        bytes: 0,
        why: None,
    };
    if bucket.exists(&format!("{}{}", c.key, record::SUFFIX))? {
        return Ok(out);
    }
    if how.dry_run {
        out.outcome = Outcome::WouldAdopt;
        out.archives = (c.formats.iter())
            .map(|f| format!("{}{}", c.key, f.extension()))
            .collect();
        return Ok(out);
    }
    let tmp = cache.ctx.env.layout.tmp_dir();
    crate::fs::sweep_scratch(&tmp, "adopt-");
    let scratch = crate::fs::scratch_in(&tmp, "adopt-")?;
    let read = read_all(cache, bucket, c, scratch.path(), how.cancel, task);
    how.cancel.check()?;
    let (inside, files) = match read {
        Ok(read) => read,
        Err(refused @ (Error::Archive(_) | Error::Checksum { .. } | Error::NoChecksum { .. })) => {
            out.outcome = Outcome::Refused;
            out.why = Some(crate::error::chain(&refused));
            return Ok(out);
        }
        Err(e) => return Err(e),
    };
    publish_read(bucket, c, inside, &files, how, &mut out)?;
    Ok(out)
}

/// Publishes the archives read for `c` (conditionally: see `publish`) and
/// says so in `out`.
fn publish_read(
    bucket: &Remote,
    c: &Candidate,
    inside: Option<Manifest>,
    files: &[PackedFile],
    how: &How<'_>,
    out: &mut Adopted,
) -> Result<()> {
    let mut build = build_of(bucket, c, inside)?;
    for f in files {
        (build.sha256).insert(f.format.name().to_string(), f.sha256.clone());
    }
    let publish = publish::How {
        signer: how.signer,
        replace: false,
        legacy_layout: false,
        cancel: how.cancel,
        gc_grace: how.gc_grace,
    };
    let (outcome, _) = publish::upload(bucket, &c.key, &build, files, &publish)?;
    out.outcome = match outcome {
        Published::AlreadyPublished => Outcome::AlreadyAdopted,
        _ => Outcome::Adopted,
    };
    out.archives = (files.iter())
        .map(|f| record::object_for(&f.sha256, f.format))
        .collect();
    out.bytes = files.iter().map(|f| f.bytes).sum();
    Ok(())
}

/// Every archive of `c` read into `dir`: the manifest one of them carries
/// inside (when any), and the files to publish.
fn read_all(
    cache: &Cache,
    bucket: &Remote,
    c: &Candidate,
    dir: &Path,
    cancel: &Cancel,
    task: &Task,
) -> Result<(Option<Manifest>, Vec<PackedFile>)> {
    let mut inside = None;
    let mut files = Vec::new();
    for &format in &c.formats {
        let object = format!("{}{}", c.key, format.extension());
        let path = dir.join(format!("archive{}", format.extension()));
        let tree = dir.join(format!("tree-{}", format.name()));
        fs_err::create_dir_all(&tree)?;
        let read = Reading {
            object: &object,
            format,
            file: &path,
            tree: &tree,
        };
        let Some((manifest, done)) = read_one(cache, bucket, c, &read, cancel, task)? else {
            // Gone since it was listed: adopted from what is left.
            continue;
        };
        checksum(cache, bucket, &object, &done)?;
        inside = inside.or(manifest);
        files.push(PackedFile {
            format,
            path,
            sha256: done.sha256,
            bytes: done.bytes,
        });
        // The tree was only a check: its space is wanted for the next one.
        fs_err::remove_dir_all(&tree)?;
    }
    if files.is_empty() {
        return Err(Error::BadData {
            what: format!("{} in {}", c.key, bucket.display()),
            why: "has no archive any more".into(),
        });
    }
    Ok((inside, files))
}

/// One archive to read: its object, where its bytes go, where it is
/// extracted.
struct Reading<'a> {
    object: &'a str,
    format: Format,
    file: &'a Path,
    tree: &'a Path,
}

/// Streams one archive through the extractor into `r.tree`, its bytes into
/// `r.file`: the manifest inside it (when any) and the fetch; `None` when
/// the object is gone.
fn read_one(
    cache: &Cache,
    bucket: &Remote,
    c: &Candidate,
    r: &Reading<'_>,
    cancel: &Cancel,
    task: &Task,
) -> Result<Option<(Option<Manifest>, fetch::Done)>> {
    let mut out = std::io::BufWriter::new(fs_err::File::create(r.file)?);
    let mut written: std::io::Result<()> = Ok(());
    let mut see = |chunk: &[u8]| {
        if written.is_ok() {
            written = out.write_all(chunk);
        }
    };
    let inside: RefCell<Option<Manifest>> = RefCell::new(None);
    let check = |m: &Manifest| {
        inside.replace(Some(m.clone()));
        None
    };
    let opts = unpack::Options {
        dest: r.tree,
        final_path: r.tree,
        top: &c.version,
        default_prefix: Some(manifest::legacy_prefix(&c.tool, &c.version)),
        max_bytes: cache.ctx.installs.cache.max_unpacked_size,
        check: Some(&check),
    };
    let watch = fetch::Watch {
        found: &|_| Ok(()),
        see: Some(&mut see),
    };
    let fetched = fetch::fetch(bucket, r.object, r.format, &opts, task, cancel, watch)?;
    let Fetched::Done(done) = fetched else {
        return Ok(None);
    };
    written?;
    out.into_inner()
        .map_err(|e| Error::io("cannot write", r.file, e.into_error()))?
        .sync_all()?;
    Ok(Some((inside.into_inner(), done)))
}

/// Compares a download with its `.sha256`, which must be there when
/// `cache.require_checksum` is on (as installs compare it).
fn checksum(cache: &Cache, bucket: &Remote, object: &str, done: &fetch::Done) -> Result<()> {
    let sidecar = format!("{object}.sha256");
    let Some(text) = bucket.get_small(&sidecar)? else {
        if cache.ctx.installs.cache.require_checksum {
            return Err(Error::NoChecksum {
                file: format!("{object} in {}", bucket.display()),
                missing: format!("{sidecar}, and cache.require_checksum is on"),
            });
        }
        return Ok(());
    };
    let text = String::from_utf8_lossy(&text);
    let expected = text.split_whitespace().next().unwrap_or("");
    done.expect(&expected.to_ascii_lowercase(), &sidecar)
}

/// The build the record describes: the manifest inside the archive, else
/// `<key>.manifest.json`, else what the key says (the build service's
/// prefix, the key's machine; a glibc of any version where the key names
/// none, since its `{os}` already says which).
fn build_of(bucket: &Remote, c: &Candidate, inside: Option<Manifest>) -> Result<Manifest> {
    let same = |m: &Manifest| m.tool == c.tool && m.version == c.version;
    if let Some(m) = inside.filter(same) {
        return Ok(Manifest {
            sha256: Default::default(),
            ..m
        });
    }
    if let Some(m) = super::manifest_beside(bucket, &c.key)?.filter(same) {
        return Ok(Manifest {
            sha256: Default::default(),
            ..m
        });
    }
    Ok(Manifest {
        schema: 1,
        tool: c.tool.clone(),
        version: c.version.clone(),
        os: c.host.os.clone(),
        arch: c.host.arch.clone(),
        libc: c.host.libc.clone(),
        build_prefix: manifest::legacy_prefix(&c.tool, &c.version),
        build_options: Vec::new(),
        sha256: Default::default(),
        created_by: format!(
            "tool {} (adopted from {})",
            env!("CARGO_PKG_VERSION"),
            c.key
        ),
        packages: Vec::new(),
    })
}
