//! Prebuilt CPython from python-build-standalone (PBS), the portable builds
//! uv and mise install: which archive a version is for this machine (the
//! table in `table`, `3.13.5t` naming the free-threaded build), where it is
//! fetched (`python.prebuilt_mirror`, default PBS's GitHub release
//! downloads, or uv's `UV_PYTHON_INSTALL_MIRROR`), and the fix-up of its
//! build prefix once unpacked (`relocate`). The `prebuilt` backend streams
//! and checks the archive.

pub mod relocate;
pub mod table;

use crate::archive::Format;
use crate::context::Context;
use crate::error::Result;
use crate::job::Job;
use crate::platform::Host;
use crate::tools::PrebuiltArchive;
use table::{Location, Table};

/// python-build-standalone's builds of CPython.
pub struct Standalone;

/// PBS's target triple for this machine, when it builds for it.
pub fn triple(host: &Host) -> Option<String> {
    triple_under(host, std::path::Path::new("/"))
}

/// The triple, the C library read from the dynamic loaders below `root`:
/// `tool` is linked statically, so the C library it was built with says
/// nothing of the machine's (an Alpine has musl's loader and no glibc's).
fn triple_under(host: &Host, root: &std::path::Path) -> Option<String> {
    let arch = host.arch.as_str();
    let glibc_loader = match arch {
        "x86_64" => "lib64/ld-linux-x86-64.so.2",
        "aarch64" => "lib/ld-linux-aarch64.so.1",
        _ => return None,
    };
    let musl_loader = format!("lib/ld-musl-{arch}.so.1");
    let libc = if root.join(glibc_loader).exists() {
        "gnu"
    } else if root.join(musl_loader).exists() {
        "musl"
    } else if host.libc.starts_with("glibc") {
        "gnu"
    } else if host.libc == "musl" {
        "musl"
    } else {
        return None;
    };
    Some(format!("{arch}-unknown-linux-{libc}"))
}

/// The shipped table with the settings' list over it.
pub fn load(ctx: &Context) -> Result<Table> {
    let mut table = Table::shipped();
    let Some(list) = &ctx.installs.python.prebuilt_list else {
        return Ok(table);
    };
    let bytes = match list.split_once("://") {
        // Kept as the other release lists are (`upstream.list_ttl`), so one
        // command downloads it once, and an offline one uses the kept copy.
        Some(_) => bytes::Bytes::from(crate::upstream::listing::document(ctx, list)?),
        None => bytes::Bytes::from(
            crate::fs::read_capped(std::path::Path::new(list), table::MAX_LIST)
                .map_err(|e| crate::error::Error::io("cannot read", list, e))?,
        ),
    };
    if bytes.len() as u64 > table::MAX_LIST {
        return Err(crate::error::Error::BadData {
            what: format!("python.prebuilt_list {list}"),
            why: format!("is larger than {} MiB", table::MAX_LIST >> 20),
        });
    }
    table.add_list(&bytes, list)?;
    Ok(table)
}

/// `3.13.5t` → (`3.13.5`, free-threaded), as asdf-python names them.
pub fn split(version: &str) -> (&str, bool) {
    match version.strip_suffix('t') {
        Some(base) if base.ends_with(|c: char| c.is_ascii_digit()) => (base, true),
        _ => (version, false),
    }
}

impl super::super::Prebuilt for Standalone {
    fn tool(&self) -> &'static str {
        "python"
    }

    fn versions(&self, ctx: &Context) -> Result<Vec<String>> {
        let Some(triple) = triple(&Host::detect(None)) else {
            return Ok(Vec::new());
        };
        Ok(load(ctx)?.versions(&triple))
    }

    /// `latest:3.14t` is the newest free-threaded 3.14; any other prefix
    /// the newest default build.
    fn latest(&self, ctx: &Context, prefix: Option<&str>) -> Result<Option<String>> {
        let (base, ft) = prefix.map_or((None, false), |p| {
            let (b, ft) = split(p);
            (Some(b), ft)
        });
        let same: Vec<String> = (self.versions(ctx)?.into_iter())
            .filter(|v| split(v).1 == ft)
            .map(|v| split(&v).0.to_string())
            .collect();
        let newest = crate::version::newest_matching(&same, base).cloned();
        Ok(newest.map(|v| if ft { format!("{v}t") } else { v }))
    }

    fn archive(&self, ctx: &Context, version: &str) -> Result<Option<PrebuiltArchive>> {
        let host = Host::detect(None);
        let Some(triple) = triple(&host) else {
            return Ok(None);
        };
        let table = load(ctx)?;
        let Some(a) = table.get(version, &triple) else {
            return Ok(None);
        };
        let format = Format::of_name(a.file_name()).unwrap_or(Format::Gzip);
        let (mirror, key) = match &a.location {
            Location::Release(key) => {
                (ctx.installs.python.prebuilt_mirror.clone(), key.to_string())
            }
            Location::Url(url) => {
                let (dir, name) = url.rsplit_once('/').unwrap_or(("", url));
                (dir.to_string(), name.to_string())
            }
        };
        Ok(Some(PrebuiltArchive {
            mirror: mirror.trim_end_matches('/').to_string(),
            key,
            sha256: a.sha256.clone(),
            format,
            top: "python",
            from: "python-build-standalone's table",
        }))
    }

    fn finish(&self, job: &Job<'_>) -> Result<serde_json::Value> {
        let relocated = relocate::relocate(job.dest, job.final_path)?;
        Ok(serde_json::json!({
            "distribution": "python-build-standalone",
            "build_prefix": relocate::BUILD_PREFIX,
            "relocated_files": relocated,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pbs_triples_and_free_threaded_names() {
        let host = |arch: &str, libc: &str| Host {
            os: "linux".into(),
            arch: arch.into(),
            libc: libc.into(),
        };
        let none = tempfile::tempdir().unwrap();
        let under = |arch: &str, libc: &str| triple_under(&host(arch, libc), none.path());
        assert_eq!(
            under("x86_64", "glibc-2.31").as_deref(),
            Some("x86_64-unknown-linux-gnu")
        );
        assert_eq!(
            under("aarch64", "musl").as_deref(),
            Some("aarch64-unknown-linux-musl")
        );
        assert_eq!(under("powerpc64", "glibc-2.31"), None);
        // A static glibc `tool` on Alpine: musl's loader is what counts.
        let alpine = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(alpine.path().join("lib")).unwrap();
        std::fs::write(alpine.path().join("lib/ld-musl-x86_64.so.1"), "").unwrap();
        assert_eq!(
            triple_under(&host("x86_64", "glibc-2.39"), alpine.path()).as_deref(),
            Some("x86_64-unknown-linux-musl")
        );
        assert_eq!(split("3.13.5t"), ("3.13.5", true));
        assert_eq!(split("3.14t"), ("3.14", true));
        assert_eq!(split("3.13.5"), ("3.13.5", false));
        assert_eq!(split("3.15.0a1"), ("3.15.0a1", false));
    }
}
