//! Safe, streaming extraction of a tar stream into a staging folder: refuses
//! `..`, absolute paths, links that leave the folder, device files and
//! archives that expand beyond a limit; strips the top-level version folder;
//! and relocates the build prefix in text files as they pass through.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use tar::EntryType;

use super::error::{Error, Refusal, Result};
use super::manifest::{self, Manifest};
use super::relocate::rewrite_prefix;

/// Text files up to this size are checked for the build prefix.
const RELOCATE_MAX: u64 = 16 << 20;

/// Why a build cannot run here, or `None` when it can.
pub type Check<'a> = &'a dyn Fn(&Manifest) -> Option<String>;

pub struct Options<'a> {
    /// The (empty) staging folder.
    pub dest: &'a Path,
    /// The folder the install will be renamed to (symlinks may point into it).
    pub final_path: &'a Path,
    /// The top-level folder to strip, when the archive has one (the version).
    pub top: &'a str,
    /// The build prefix when no manifest says otherwise.
    pub default_prefix: Option<String>,
    pub max_bytes: u64,
    /// Why a build cannot run here (from the manifest inside the archive),
    /// or `None` when it can: a reason stops extraction as `Incompatible`.
    pub check: Option<Check<'a>>,
}

#[derive(Debug, Default)]
pub struct Stats {
    pub files: u64,
    pub bytes: u64,
    pub relocated: u64,
}

struct Deferred {
    path: PathBuf,
    target: PathBuf,
}

/// The state of one extraction.
struct Extractor<'o, 'a> {
    opts: &'o Options<'a>,
    stats: Stats,
    /// Whether entries sit in a top-level version folder (decided by the first).
    strip: Option<bool>,
    prefix: Option<String>,
    files: HashSet<PathBuf>,
    /// Folders known to exist, so each is created once.
    made: HashSet<PathBuf>,
    symlinks: Vec<Deferred>,
    hardlinks: Vec<Deferred>,
}

pub fn unpack(reader: impl Read, opts: &Options<'_>) -> Result<Stats> {
    let mut archive = tar::Archive::new(reader);
    let mut x = Extractor {
        opts,
        stats: Stats::default(),
        strip: None,
        prefix: opts.default_prefix.clone(),
        files: HashSet::new(),
        made: HashSet::new(),
        symlinks: Vec::new(),
        hardlinks: Vec::new(),
    };
    let entries = archive
        .entries()
        .map_err(|e| Refusal::NotTar(e.to_string()))?;
    for entry in entries {
        x.entry(&mut entry.map_err(Error::corrupt)?)?;
    }
    x.finish()
}

impl Extractor<'_, '_> {
    fn entry(&mut self, entry: &mut tar::Entry<'_, impl Read>) -> Result<()> {
        let opts = self.opts;
        let raw = entry.path().map_err(Error::corrupt)?.into_owned();
        let strip_top = *self
            .strip
            .get_or_insert_with(|| first_component(&raw).as_deref() == Some(opts.top));
        let top = strip_top.then_some(opts.top);
        let Some(rel) = relative(&raw, top)? else {
            return Ok(());
        };
        self.stats.bytes += entry.size();
        if self.stats.bytes > opts.max_bytes {
            return Err(Refusal::TooLarge(opts.max_bytes).into());
        }
        let dest = opts.dest.join(&rel);
        let link = || -> Result<PathBuf> {
            let target = entry
                .link_name()
                .map_err(Error::corrupt)?
                .ok_or(Refusal::LinkWithoutTarget)?;
            Ok(target.into_owned())
        };
        match entry.header().entry_type() {
            EntryType::Directory => {
                make_dir(&dest, entry.header().mode().unwrap_or(0o755))?;
                self.made.insert(dest);
            }
            EntryType::Regular | EntryType::Continuous => self.file(entry, rel, &dest)?,
            EntryType::Symlink => {
                let target = link()?;
                self.symlinks.push(Deferred { path: rel, target });
            }
            EntryType::Link => {
                let target = relative(&link()?, top)?.ok_or(Refusal::HardLinkToTop)?;
                self.hardlinks.push(Deferred { path: rel, target });
            }
            other => {
                return Err(Refusal::Special {
                    path: raw,
                    kind: format!("{other:?}"),
                }
                .into());
            }
        }
        Ok(())
    }

    fn file(
        &mut self,
        entry: &mut tar::Entry<'_, impl Read>,
        rel: PathBuf,
        dest: &Path,
    ) -> Result<()> {
        if self.stats.files == 0 && rel == Path::new(manifest::FILE_NAME) {
            let (found, text) = read_manifest(entry)?;
            if let Some(why) = self.opts.check.and_then(|check| check(&found)) {
                return Err(Error::Incompatible(why));
            }
            self.prefix = Some(found.build_prefix.clone());
            // The install now lives at its final path: say so.
            let mut moved = found;
            moved.build_prefix = self.opts.final_path.to_string_lossy().to_string();
            let text = serde_json::to_vec_pretty(&moved).unwrap_or(text);
            write_file(dest, &text, entry.header(), &mut self.made)?;
        } else {
            let relocated = extract_file(
                entry,
                dest,
                self.prefix.as_deref(),
                self.opts,
                &mut self.made,
            )?;
            self.stats.relocated += u64::from(relocated);
        }
        self.files.insert(rel);
        self.stats.files += 1;
        Ok(())
    }

    /// Hard links, then symlinks (last, so no file was written through one).
    fn finish(mut self) -> Result<Stats> {
        if self.stats.files == 0 && self.symlinks.is_empty() {
            return Err(Refusal::Empty.into());
        }
        for link in &self.hardlinks {
            if !self.files.contains(&link.target) {
                return Err(Refusal::HardLinkOutside(link.path.clone()).into());
            }
            let dest = self.opts.dest.join(&link.path);
            make_parent(&dest, &mut self.made)?;
            let _ = std::fs::remove_file(&dest);
            fs_err::hard_link(self.opts.dest.join(&link.target), &dest)?;
        }
        for link in &self.symlinks {
            make_symlink(link, self.prefix.as_deref(), self.opts, &mut self.made)?;
        }
        Ok(self.stats)
    }
}

fn first_component(path: &Path) -> Option<String> {
    match path.components().next()? {
        Component::Normal(c) => Some(c.to_string_lossy().to_string()),
        _ => None,
    }
}

/// The entry's path below the install folder: `None` for the top folder
/// itself; an error for absolute paths, `..`, or paths outside the top folder.
fn relative(raw: &Path, top: Option<&str>) -> Result<Option<PathBuf>> {
    let mut out = PathBuf::new();
    for (i, c) in raw.components().enumerate() {
        match c {
            Component::Normal(part) if i == 0 && top.is_some() => {
                if Some(part.to_string_lossy().as_ref()) != top {
                    return Err(Refusal::OutsideTop {
                        path: raw.to_path_buf(),
                        top: top.unwrap_or_default().to_string(),
                    }
                    .into());
                }
            }
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => return Err(Refusal::ParentDir(raw.to_path_buf()).into()),
            Component::RootDir | Component::Prefix(_) => {
                return Err(Refusal::Absolute(raw.to_path_buf()).into());
            }
        }
    }
    Ok((!out.as_os_str().is_empty()).then_some(out))
}

fn make_dir(path: &Path, mode: u32) -> Result<()> {
    fs_err::create_dir_all(path)?;
    fs_err::set_permissions(
        path,
        std::fs::Permissions::from_mode((mode & 0o777) | 0o700),
    )?;
    Ok(())
}

/// Creates the parent folder of `path` once (`made` remembers which exist).
fn make_parent(path: &Path, made: &mut HashSet<PathBuf>) -> Result<()> {
    match path.parent() {
        Some(p) if !made.contains(p) => {
            fs_err::create_dir_all(p)?;
            made.insert(p.to_path_buf());
            Ok(())
        }
        _ => Ok(()),
    }
}

fn read_manifest(entry: &mut impl Read) -> Result<(Manifest, Vec<u8>)> {
    let mut text = Vec::new();
    entry
        .take(1 << 20)
        .read_to_end(&mut text)
        .map_err(Error::corrupt)?;
    let found = serde_json::from_slice(&text).map_err(|e| Refusal::BadManifest {
        name: manifest::FILE_NAME,
        why: e.to_string(),
    })?;
    Ok((found, text))
}

/// Writes one file; returns whether the build prefix was rewritten in it.
fn extract_file(
    entry: &mut tar::Entry<'_, impl Read>,
    dest: &Path,
    prefix: Option<&str>,
    opts: &Options<'_>,
    made: &mut HashSet<PathBuf>,
) -> Result<bool> {
    let new_prefix = opts.final_path.to_string_lossy();
    let relocate = prefix.filter(|p| !p.is_empty() && *p != new_prefix);
    let read_err = Error::corrupt;
    match relocate {
        Some(old) if entry.size() <= RELOCATE_MAX => {
            let mut data = Vec::with_capacity(entry.size() as usize);
            entry.read_to_end(&mut data).map_err(read_err)?;
            let changed = rewrite_prefix(&mut data, old.as_bytes(), new_prefix.as_bytes());
            write_file(dest, &data, entry.header(), made)?;
            Ok(changed)
        }
        _ => {
            make_parent(dest, made)?;

            let mut file = fs_err::File::create(dest)?;
            std::io::copy(entry, &mut file).map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof
                | std::io::ErrorKind::InvalidData
                | std::io::ErrorKind::Other => read_err(e),
                _ => Error::Io(std::io::Error::new(
                    e.kind(),
                    format!("cannot write {}: {e}", dest.display()),
                )),
            })?;
            finish_file(&file, entry.header())?;
            Ok(false)
        }
    }
}

fn write_file(
    dest: &Path,
    data: &[u8],
    header: &tar::Header,
    made: &mut HashSet<PathBuf>,
) -> Result<()> {
    make_parent(dest, made)?;
    let mut file = fs_err::File::create(dest)?;
    file.write_all(data)?;
    finish_file(&file, header)
}

/// Permissions (without setuid/setgid/sticky) and modification time.
fn finish_file(file: &fs_err::File, header: &tar::Header) -> Result<()> {
    let mode = header.mode().unwrap_or(0o644) & 0o777;
    file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    if let Ok(mtime) = header.mtime() {
        let _ = file
            .file()
            .set_modified(UNIX_EPOCH + Duration::from_secs(mtime));
    }
    Ok(())
}

/// Creates a symlink whose target stays inside the install folder (absolute
/// targets under the build prefix are relocated first).
fn make_symlink(
    link: &Deferred,
    prefix: Option<&str>,
    opts: &Options<'_>,
    made: &mut HashSet<PathBuf>,
) -> Result<()> {
    let mut target = link.target.clone();
    if let Some(old) = prefix.filter(|p| !p.is_empty())
        && let Ok(rest) = target.strip_prefix(old)
    {
        target = opts.final_path.join(rest);
    }
    let inside = if target.is_absolute() {
        target.starts_with(opts.final_path)
            && !target.components().any(|c| c == Component::ParentDir)
    } else {
        let mut depth: i64 = link.path.components().count() as i64 - 1;
        target.components().all(|c| {
            match c {
                Component::ParentDir => depth -= 1,
                Component::Normal(_) => depth += 1,
                _ => {}
            }
            depth >= 0
        })
    };
    if !inside {
        return Err(Refusal::SymlinkOutside {
            path: link.path.clone(),
            target: link.target.clone(),
        }
        .into());
    }
    let dest = opts.dest.join(&link.path);
    make_parent(&dest, made)?;
    let _ = std::fs::remove_file(&dest);
    fs_err::os::unix::fs::symlink(&target, &dest)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_refuse_escapes() {
        assert_eq!(
            relative(Path::new("3.9.6/bin/x"), Some("3.9.6"))
                .unwrap()
                .unwrap(),
            Path::new("bin/x")
        );
        assert_eq!(relative(Path::new("3.9.6/"), Some("3.9.6")).unwrap(), None);
        assert!(relative(Path::new("3.9.6/../x"), Some("3.9.6")).is_err());
        assert!(relative(Path::new("/etc/passwd"), None).is_err());
        assert!(relative(Path::new("other/x"), Some("3.9.6")).is_err());
    }
}
