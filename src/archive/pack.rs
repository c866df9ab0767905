//! Deterministic archives of an installed version: one top-level folder named
//! after the version (as the existing buckets hold), the manifest first, then
//! every entry in sorted order with owner 0:0 and no user names; compressed
//! with zstd (default) or gzip; sha256 computed while writing. What a reader
//! would refuse (a link leading out of the install, a fifo, a socket, a
//! device) is refused, naming it, rather than packed or left out.

use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::{Error, Refusal, Result};
use super::format::Format;
use super::links::link_text;
use super::manifest::{self, Manifest};

/// zstd level: near the size of level 19 at a fraction of its time.
const ZSTD_LEVEL: i32 = 15;

#[derive(Debug)]
pub struct Packed {
    pub sha256: String,
    pub bytes: u64,
    pub files: u64,
}

/// Writes `out` and returns its sha256 and size.
/// `epoch`: `SOURCE_DATE_EPOCH`, the newest modification time written.
pub fn pack(
    src: &Path,
    manifest: &Manifest,
    format: Format,
    out: &Path,
    epoch: Option<u64>,
) -> Result<Packed> {
    let file = fs_err::File::create(out)?;
    let hashing = HashingWriter {
        inner: std::io::BufWriter::new(file),
        hasher: Sha256::new(),
        bytes: 0,
    };
    let fail = |e: std::io::Error| {
        std::io::Error::new(e.kind(), format!("cannot write {}: {e}", out.display()))
    };
    let (hashing, files) = match format {
        Format::Zstd => {
            let mut enc = zstd::Encoder::new(hashing, ZSTD_LEVEL).map_err(fail)?;
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
            enc.multithread(threads).map_err(fail)?;
            let (enc, files) = write_tar(enc, src, manifest, epoch)?;
            (enc.finish().map_err(fail)?, files)
        }
        Format::Gzip => {
            let enc = flate2::GzBuilder::new()
                .mtime(0)
                .write(hashing, flate2::Compression::new(6));
            let (enc, files) = write_tar(enc, src, manifest, epoch)?;
            (enc.finish().map_err(fail)?, files)
        }
        Format::Xz => {
            let enc = liblzma::write::XzEncoder::new(hashing, 6);
            let (enc, files) = write_tar(enc, src, manifest, epoch)?;
            (enc.finish().map_err(fail)?, files)
        }
    };
    let HashingWriter {
        mut inner,
        hasher,
        bytes,
    } = hashing;
    inner.flush().map_err(fail)?;
    inner.get_ref().sync_all()?;
    Ok(Packed {
        sha256: hex::encode(hasher.finalize()),
        bytes,
        files,
    })
}

struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Modification times: kept (CPython checks .pyc against its sources' mtimes),
/// but clamped to `SOURCE_DATE_EPOCH` when that is set.
fn mtime_of(meta: &std::fs::Metadata, epoch: Option<u64>) -> u64 {
    let mtime = meta.mtime().max(0) as u64;
    epoch.map_or(mtime, |epoch| mtime.min(epoch))
}

fn header(kind: tar::EntryType, mode: u32, mtime: u64, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode & 0o777);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(mtime);
    h.set_size(size);
    h
}

fn write_tar<W: Write>(
    writer: W,
    src: &Path,
    manifest: &Manifest,
    epoch: Option<u64>,
) -> Result<(W, u64)> {
    let mut tar = tar::Builder::new(writer);
    let top = PathBuf::from(&manifest.version);
    let io = |e: std::io::Error| {
        std::io::Error::new(e.kind(), format!("cannot pack {}: {e}", src.display()))
    };
    let root_meta = fs_err::metadata(src)?;
    let mut h = header(
        tar::EntryType::Directory,
        root_meta.permissions().mode(),
        mtime_of(&root_meta, epoch),
        0,
    );
    tar.append_data(&mut h, &top, std::io::empty())
        .map_err(io)?;
    let text = manifest.to_json();
    let mut h = header(
        tar::EntryType::Regular,
        0o644,
        mtime_of(&root_meta, epoch),
        text.len() as u64,
    );
    tar.append_data(&mut h, top.join(manifest::FILE_NAME), &text[..])
        .map_err(io)?;
    let mut tree = Tree {
        src,
        real: fs_err::canonicalize(src)?,
        prefix: Path::new(&manifest.build_prefix),
        epoch,
        seen: HashMap::new(),
    };
    let mut files = 1;
    for rel in sorted_tree(src)? {
        files += u64::from(tree.append(&mut tar, &rel, &top.join(&rel))?);
    }
    Ok((tar.into_inner().map_err(io)?, files))
}

/// One install being packed.
struct Tree<'a> {
    src: &'a Path,
    /// `src` with its links resolved.
    real: PathBuf,
    /// The build prefix the manifest names (absolute links into it are kept).
    prefix: &'a Path,
    epoch: Option<u64>,
    /// The first name of each file with several links.
    seen: HashMap<(u64, u64), PathBuf>,
}

impl Tree<'_> {
    /// Appends one tree entry; returns whether it was a (new) regular file.
    /// Hard links to a file already packed become link entries. What a
    /// reader refuses (a link out of the install, a fifo, a socket, a
    /// device) is refused here, naming it.
    fn append<W: Write>(
        &mut self,
        tar: &mut tar::Builder<W>,
        rel: &Path,
        name: &Path,
    ) -> Result<bool> {
        let path = self.src.join(rel);
        let io = |e: std::io::Error| {
            std::io::Error::new(e.kind(), format!("cannot pack {}: {e}", path.display()))
        };
        let meta = fs_err::symlink_metadata(&path)?;
        let (mode, mtime) = (meta.permissions().mode(), mtime_of(&meta, self.epoch));
        let ft = meta.file_type();
        if ft.is_dir() {
            let mut h = header(tar::EntryType::Directory, mode, mtime, 0);
            tar.append_data(&mut h, name, std::io::empty())
                .map_err(io)?;
        } else if ft.is_symlink() {
            let target = fs_err::read_link(&path)?;
            self.check_link(rel, &target)?;
            let mut h = header(tar::EntryType::Symlink, 0o777, mtime, 0);
            tar.append_link(&mut h, name, &target).map_err(io)?;
        } else if ft.is_file() {
            if meta.nlink() > 1
                && let Some(first) = self.seen.get(&(meta.dev(), meta.ino()))
            {
                let mut h = header(tar::EntryType::Link, mode, mtime, 0);
                tar.append_link(&mut h, name, first).map_err(io)?;
                return Ok(false);
            }
            self.seen
                .insert((meta.dev(), meta.ino()), name.to_path_buf());
            let file = fs_err::File::open(&path)?;
            let mut h = header(tar::EntryType::Regular, mode, mtime, meta.len());
            tar.append_data(&mut h, name, file).map_err(io)?;
            return Ok(true);
        } else {
            return Err(unpackable(Refusal::Special {
                path,
                kind: special_kind(&ft).to_string(),
            }));
        }
        Ok(false)
    }

    /// The extractor's rule for the link at `rel`: its text stays inside as
    /// written, and it resolves inside through the links around it.
    fn check_link(&self, rel: &Path, target: &Path) -> Result<()> {
        let refuse = || {
            unpackable(Refusal::SymlinkOutside {
                path: self.src.join(rel),
                target: target.to_path_buf(),
            })
        };
        link_text(rel, target, &[self.prefix, self.src]).ok_or_else(refuse)?;
        // A link whose end is missing resolves nowhere; one that resolves
        // must resolve inside.
        match std::fs::canonicalize(self.src.join(rel)) {
            Ok(real) if !real.starts_with(&self.real) => Err(refuse()),
            _ => Ok(()),
        }
    }
}

fn unpackable(refusal: Refusal) -> Error {
    Error::Unpackable(refusal)
}

fn special_kind(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    match () {
        _ if ft.is_fifo() => "fifo",
        _ if ft.is_socket() => "socket",
        _ if ft.is_block_device() => "block device",
        _ if ft.is_char_device() => "character device",
        _ => "special",
    }
}

/// Every path below `root` (relative), depth-first with each folder's
/// entries sorted by name bytes, so parents come before their children; the
/// install's own manifest is left out (a fresh one leads the archive).
fn sorted_tree(root: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    walk(root, Path::new(""), &mut out)?;
    Ok(out)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let full = root.join(dir);
    let mut names: Vec<_> = fs_err::read_dir(&full)?
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    names.sort();
    for name in names {
        if dir.as_os_str().is_empty() && name == manifest::FILE_NAME {
            continue;
        }
        let rel = dir.join(&name);
        let is_dir = std::fs::symlink_metadata(root.join(&rel)).is_ok_and(|m| m.is_dir());
        out.push(rel.clone());
        if is_dir {
            walk(root, &rel, out)?;
        }
    }
    Ok(())
}
