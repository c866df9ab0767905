//! Safe, streaming extraction of a tar stream into a staging folder. Every
//! write is resolved beneath the folder by construction (`sandbox`), header
//! extensions are read with caps (`headers`), what is kept between members
//! is bounded (`kept`: nothing per file), and everything written,
//! relocation included, counts against a size limit. Refused: `..`,
//! absolute paths, links that resolve outside once all links exist, device
//! files and fifos. The top-level version folder is stripped, and the build
//! prefix is relocated in text files as they pass through.

mod ending;
mod headers;
mod kept;
mod sandbox;

use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use tar::EntryType;

use self::headers::Pending;
use self::kept::{Deferred, Links, Made};
use self::sandbox::Sandbox;
use super::error::{Error, Refusal, Result};
use super::links::link_text;
use super::manifest::{self, Manifest};
use super::relocate::rewrite_prefix;

/// Text files up to this size are checked for the build prefix.
const RELOCATE_MAX: u64 = 16 << 20;
/// The longest build prefix a manifest may name.
const MAX_PREFIX: usize = 4096;
/// File data is written through a buffer of this size: a smaller file in
/// one write call, a larger one in writes of this size (as uv writes them).
const WRITE_BUFFER: usize = 2 << 20;

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
    /// The most bytes extraction may write (and header data it may read).
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

/// The state of one extraction.
struct Extractor<'o, 'a> {
    opts: &'o Options<'a>,
    sandbox: Sandbox,
    stats: Stats,
    /// Whether entries sit in a top-level version folder (decided by the first).
    strip: Option<bool>,
    prefix: Option<String>,
    pending: Pending,
    made: Made,
    links: Links,
    /// The one buffer file data goes through (`WRITE_BUFFER` bytes).
    buffer: Vec<u8>,
}

pub fn unpack(reader: impl Read, opts: &Options<'_>) -> Result<Stats> {
    if let Some(prefix) = &opts.default_prefix {
        check_prefix(prefix)?;
    }
    let mut archive = tar::Archive::new(ending::Watched::new(reader));
    let mut x = Extractor {
        opts,
        sandbox: Sandbox::open(opts.dest)?,
        stats: Stats::default(),
        strip: None,
        prefix: opts.default_prefix.clone(),
        pending: Pending::default(),
        made: Made::default(),
        links: Links::default(),
        buffer: vec![0; WRITE_BUFFER],
    };
    let entries = archive
        .entries()
        .map_err(|e| Refusal::NotTar(e.to_string()))?
        .raw(true);
    for entry in entries {
        x.entry(&mut entry.map_err(Error::corrupt)?)?;
    }
    // A stream cut short is refused before any link is made.
    let budget = opts.max_bytes.saturating_sub(x.stats.bytes);
    archive.into_inner().finish(budget)?;
    x.finish()
}

/// A build prefix is where relocation writes: absolute, bounded, no `..`.
fn check_prefix(prefix: &str) -> Result<()> {
    let path = Path::new(prefix);
    let ok = path.is_absolute()
        && prefix.len() > 1
        && prefix.len() <= MAX_PREFIX
        && !path.components().any(|c| c == Component::ParentDir);
    if ok {
        Ok(())
    } else {
        Err(Refusal::BadPrefix(prefix.chars().take(200).collect()).into())
    }
}

impl Extractor<'_, '_> {
    /// Counts `n` more bytes against the limit.
    fn count(&mut self, n: u64) -> Result<()> {
        self.stats.bytes = self.stats.bytes.saturating_add(n);
        if self.stats.bytes > self.opts.max_bytes {
            return Err(Refusal::TooLarge(self.opts.max_bytes).into());
        }
        Ok(())
    }

    fn entry(&mut self, entry: &mut tar::Entry<'_, impl Read>) -> Result<()> {
        if self.pending.absorb(entry)? {
            return self.count(entry.size());
        }
        let opts = self.opts;
        let names = self.pending.take(entry.header())?;
        // Decided by the first member with a name (not `./` itself).
        let strip_top = match (self.strip, first_component(&names.path)) {
            (Some(strip), _) => strip,
            (None, Some(first)) => *self.strip.insert(first == opts.top),
            (None, None) => false,
        };
        let top = strip_top.then_some(opts.top);
        let Some(rel) = relative(&names.path, top)? else {
            return Ok(());
        };
        self.count(entry.size())?;
        match entry.header().entry_type() {
            EntryType::Directory => {
                self.sandbox.make_dirs(&rel)?;
                let mode = entry.header().mode().unwrap_or(0o755);
                self.sandbox.set_dir_mode(&rel, mode)?;
                self.made.insert(rel);
            }
            EntryType::Regular | EntryType::Continuous => self.file(entry, rel)?,
            EntryType::Symlink => {
                let target = names.link.ok_or(Refusal::LinkWithoutTarget)?;
                self.links.push(false, Deferred { path: rel, target })?;
            }
            EntryType::Link => {
                let target = names.link.ok_or(Refusal::LinkWithoutTarget)?;
                let target = relative(&target, top)?.ok_or(Refusal::HardLinkToTop)?;
                self.links.push(true, Deferred { path: rel, target })?;
            }
            other => {
                return Err(Refusal::Special {
                    path: names.path,
                    kind: format!("{other:?}"),
                }
                .into());
            }
        }
        Ok(())
    }

    fn file(&mut self, entry: &mut tar::Entry<'_, impl Read>, rel: PathBuf) -> Result<()> {
        self.make_parent(&rel)?;
        let header = entry.header().clone();
        if self.stats.files == 0 && rel == Path::new(manifest::FILE_NAME) {
            let found = read_manifest(entry)?;
            if let Some(why) = self.opts.check.and_then(|check| check(&found)) {
                return Err(Error::Incompatible(why));
            }
            check_prefix(&found.build_prefix)?;
            self.prefix = Some(found.build_prefix.clone());
            // The install now lives at its final path: say so.
            let mut moved = found;
            moved.build_prefix = self.opts.final_path.to_string_lossy().to_string();
            let text = moved.to_json();
            self.sandbox
                .write_file(
                    &rel,
                    0o644,
                    header.mtime().ok(),
                    |f| Ok(f.write_all(&text)?),
                )?;
        } else {
            let relocated = self.extract_file(entry, &rel, &header)?;
            self.stats.relocated += u64::from(relocated);
        }
        self.stats.files += 1;
        Ok(())
    }

    /// Writes one file; returns whether the build prefix was rewritten in it.
    fn extract_file(
        &mut self,
        entry: &mut tar::Entry<'_, impl Read>,
        rel: &Path,
        header: &tar::Header,
    ) -> Result<bool> {
        let new_prefix = self.opts.final_path.to_string_lossy().to_string();
        let relocate = self
            .prefix
            .clone()
            .filter(|p| !p.is_empty() && *p != new_prefix);
        let (mode, mtime) = (header.mode().unwrap_or(0o644), header.mtime().ok());
        match relocate {
            Some(old) if entry.size() <= RELOCATE_MAX => {
                let mut data = Vec::with_capacity(entry.size() as usize);
                entry.read_to_end(&mut data).map_err(Error::corrupt)?;
                let changed = rewrite_prefix(&mut data, old.as_bytes(), new_prefix.as_bytes());
                // What relocation adds is written too: it counts.
                self.count((data.len() as u64).saturating_sub(entry.size()))?;
                self.sandbox
                    .write_file(rel, mode, mtime, |f| Ok(f.write_all(&data)?))?;
                Ok(changed)
            }
            _ => {
                let buffer = &mut self.buffer;
                self.sandbox
                    .write_file(rel, mode, mtime, |f| copy_through(entry, f, buffer))?;
                Ok(false)
            }
        }
    }

    /// Creates the parent folder of `rel` once.
    fn make_parent(&mut self, rel: &Path) -> Result<()> {
        match rel.parent() {
            Some(p) if !p.as_os_str().is_empty() && !self.made.contains(p) => {
                self.sandbox.make_dirs(p)?;
                self.made.insert(p.to_path_buf());
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The parent of a link about to be made, which earlier links may have
    /// redirected: it must still resolve inside (the sandbox would refuse
    /// the write anyway; this says why).
    fn link_parent(&mut self, rel: &Path) -> Result<()> {
        let parent = rel.parent().unwrap_or(Path::new(""));
        if !self.sandbox.resolves_inside(parent) {
            return Err(Refusal::Escapes(rel.to_path_buf()).into());
        }
        self.make_parent(rel)
    }

    /// Hard links, then symlinks (last, so nothing was written through
    /// one), then a check that every symlink resolves inside.
    fn finish(mut self) -> Result<Stats> {
        if self.stats.files == 0 && self.links.symlinks.is_empty() {
            return Err(Refusal::Empty.into());
        }
        for link in std::mem::take(&mut self.links.hardlinks) {
            // Staging started empty: a file there is one of the archive's.
            if !self.sandbox.is_file(&link.target) {
                return Err(Refusal::HardLinkOutside(link.path).into());
            }
            self.link_parent(&link.path)?;
            self.sandbox.hard_link(&link.target, &link.path)?;
        }
        let links = std::mem::take(&mut self.links.symlinks);
        let mut made = Vec::with_capacity(links.len());
        let result = self.make_links(&links, &mut made);
        if result.is_err() {
            // A refused archive leaves no link behind, not even in staging.
            for link in links[..made.len()].iter().rev() {
                self.sandbox.remove(&link.path);
            }
        }
        result.map(|()| self.stats)
    }

    /// Creates the symlinks (`made` collects their texts), then checks that
    /// each resolves inside now that all of them exist.
    fn make_links(&mut self, links: &[Deferred], made: &mut Vec<PathBuf>) -> Result<()> {
        for link in links {
            let target = self.link_target(link)?;
            self.link_parent(&link.path)?;
            self.sandbox.symlink(&target, &link.path)?;
            made.push(target);
        }
        for (link, target) in links.iter().zip(made.iter()) {
            let through = match target.strip_prefix(self.opts.final_path) {
                Ok(rest) => rest.to_path_buf(),
                Err(_) => link.path.parent().unwrap_or(Path::new("")).join(target),
            };
            if !self.sandbox.resolves_inside(&through) {
                return Err(outside(link));
            }
        }
        Ok(())
    }

    /// The text of a symlink, which must stay inside the install as written
    /// (see `links`): the build service's own archives hold absolute links
    /// into their prefix (a conda prefix's `_conda`), which become relative.
    fn link_target(&self, link: &Deferred) -> Result<PathBuf> {
        let prefix = Path::new(self.prefix.as_deref().unwrap_or_default());
        let prefixes = [prefix, self.opts.final_path];
        link_text(&link.path, &link.target, &prefixes).ok_or_else(|| outside(link))
    }
}

/// Copies `from` into `to` through `buffer`, filled before each write.
fn copy_through(from: &mut impl Read, to: &mut std::fs::File, buffer: &mut [u8]) -> Result<()> {
    loop {
        let mut filled = 0;
        while filled < buffer.len() {
            match from.read(&mut buffer[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(match e.kind() {
                        std::io::ErrorKind::UnexpectedEof
                        | std::io::ErrorKind::InvalidData
                        | std::io::ErrorKind::Other => Error::corrupt(e),
                        _ => Error::Io(e),
                    });
                }
            }
        }
        to.write_all(&buffer[..filled])?;
        if filled < buffer.len() {
            return Ok(());
        }
    }
}

fn outside(link: &Deferred) -> Error {
    Refusal::SymlinkOutside {
        path: link.path.clone(),
        target: link.target.clone(),
    }
    .into()
}

/// A path's components without `.` ones: `tar -czf x.tar.gz ./1.0` names
/// its members `./1.0/…`, which mean `1.0/…`.
fn components(path: &Path) -> impl Iterator<Item = Component<'_>> {
    path.components().filter(|c| *c != Component::CurDir)
}

fn first_component(path: &Path) -> Option<String> {
    match components(path).next()? {
        Component::Normal(c) => Some(c.to_string_lossy().to_string()),
        _ => None,
    }
}

/// The entry's path below the install folder: `None` for the top folder
/// itself; an error for absolute paths, `..`, or paths outside the top folder.
fn relative(raw: &Path, top: Option<&str>) -> Result<Option<PathBuf>> {
    let mut out = PathBuf::new();
    for (i, c) in components(raw).enumerate() {
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

fn read_manifest(entry: &mut impl Read) -> Result<Manifest> {
    let mut text = Vec::new();
    entry
        .take(1 << 20)
        .read_to_end(&mut text)
        .map_err(Error::corrupt)?;
    Ok(
        serde_json::from_slice(&text).map_err(|e| Refusal::BadManifest {
            name: manifest::FILE_NAME,
            why: e.to_string(),
        })?,
    )
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
        assert_eq!(
            relative(Path::new("./3.9.6/./bin/x"), Some("3.9.6"))
                .unwrap()
                .unwrap(),
            Path::new("bin/x")
        );
        assert_eq!(relative(Path::new("./"), Some("3.9.6")).unwrap(), None);
        assert_eq!(
            first_component(Path::new("./3.9.6/")).as_deref(),
            Some("3.9.6")
        );
    }

    #[test]
    fn build_prefixes_must_be_absolute_and_bounded() {
        assert!(check_prefix("/home/docs/.asdf/installs/python/3.9.6").is_ok());
        for bad in ["x", "/", "/a/../b", &format!("/{}", "a".repeat(5000))] {
            assert!(check_prefix(bad).is_err(), "{bad}");
        }
    }
}
