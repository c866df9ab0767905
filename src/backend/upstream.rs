//! The upstream backend: a built-in tool from its publisher's official
//! binary releases (or a mirror in the same layout), as its home describes
//! them (`tools::Builtin::releases`). The archive streams through the safe
//! extractor into the staging folder while its sha256 is computed; the
//! install is committed only when that matches the checksum published for
//! it and, where the publisher signs the archive itself (Go), when its
//! signature, checked over the same stream, holds. An exact version never
//! reads a release list.

use std::path::Path;

use super::{Backend, Details, Entry, Failure, Job};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::fetch::{self, Fetched};
use crate::platform::Host;
use crate::provenance::Verified;
use crate::remote::Remote;
use crate::tools;
use crate::upstream::{self, Artifact, Releases};

pub struct UpstreamBackend;

/// The tool's releases, or "not available" for a tool without official
/// releases `tool` knows.
fn releases_of(tool: &str) -> Result<&'static dyn Releases, Failure> {
    tools::releases(tool)
        .ok_or_else(|| Failure::NotAvailable(format!("no official releases of {tool} are known")))
}

impl Backend for UpstreamBackend {
    fn name(&self) -> &'static str {
        "upstream"
    }

    fn list_versions(&self, ctx: &Context, tool: &str) -> Result<Vec<String>, Failure> {
        let releases = releases_of(tool)?;
        let listed = releases.list(ctx)?;
        let mut versions: Vec<String> = listed.into_iter().map(|r| r.version).collect();
        versions.sort_by(|a, b| crate::version::compare(a, b));
        Ok(versions)
    }

    /// The newest stable release under `prefix`; for Node.js, `lts` (or a
    /// codename such as `iron`) is the newest release of that LTS line.
    fn latest(
        &self,
        ctx: &Context,
        tool: &str,
        prefix: Option<&str>,
    ) -> Result<Option<String>, Failure> {
        let releases = releases_of(tool)?;
        let listed = releases.list(ctx)?;
        let line = prefix.map(|p| p.trim_start_matches("lts/").to_ascii_lowercase());
        let lts: Vec<String> = listed
            .iter()
            .filter(|r| match line.as_deref() {
                Some("lts" | "*") => r.lts.is_some(),
                Some(name) => r.lts.as_deref() == Some(name),
                None => false,
            })
            .map(|r| r.version.clone())
            .collect();
        if !lts.is_empty() {
            return Ok(crate::version::newest_matching(&lts, None).cloned());
        }
        let stable: Vec<String> = listed
            .into_iter()
            .filter(|r| r.stable)
            .map(|r| r.version)
            .collect();
        let prefix = prefix.map(|p| p.trim_start_matches('v'));
        Ok(crate::version::newest_matching(&stable, prefix).cloned())
    }

    /// The official archive and its published sha256 (no download).
    fn lock(&self, ctx: &Context, tool: &str, version: &str) -> Result<Entry, Failure> {
        let releases = releases_of(tool)?;
        let host = Host::detect(None);
        let mirror = upstream::open_mirror(ctx, releases.mirror(&ctx.installs))?;
        for artifact in releases.artifacts(version, &host)? {
            let Some((sha256, signer)) = expected_sha256(ctx, releases, &mirror, &artifact)? else {
                continue;
            };
            let mut entry = super::entry("upstream", tool, version);
            // Named as the cache and `--locked` name it (`TOOL_OS` included).
            let named = Host::detect(ctx.settings.values.os.as_deref());
            entry.platform = Some(super::platform(&named));
            entry.source = Some(format!(
                "{}/{}",
                mirror.display().trim_end_matches('/'),
                artifact.key
            ));
            entry.sha256 = Some(sha256);
            // The key whose signature of the checksum file held.
            entry.signed_by = signer.map(|s| format!("openpgp:{}", s.signer));
            return Ok(entry);
        }
        Err(Failure::NotAvailable(format!(
            "{} has no {tool} {version} for this machine",
            mirror.display()
        )))
    }

    fn install(&self, job: &Job<'_>) -> Result<Details, Failure> {
        let releases = releases_of(job.tool)?;
        let host = Host::detect(None);
        let mirror = upstream::open_mirror(job.ctx, releases.mirror(&job.ctx.installs))?;
        let mut missing = Vec::new();
        for artifact in releases.artifacts(job.version, &host)? {
            // Locked: the lock's digest, and no checksum file or release list asked.
            let expected = match job.locked_sha256 {
                Some(sha) => Some((sha.to_string(), None)),
                None => expected_sha256(job.ctx, releases, &mirror, &artifact)?,
            };
            let Some((expected, sums_signer)) = expected else {
                missing.push(artifact.key.clone());
                continue;
            };
            let installed = match releases.is_installer() {
                true => assemble(job, releases, &mirror, &artifact, &expected, &host)?,
                false => fetch(job, &mirror, &artifact, &expected, job.dest)?,
            };
            let Some(mut details) = installed else {
                missing.push(artifact.key.clone());
                continue;
            };
            details["mirror"] = mirror.display().into();
            if let Some(signer) = sums_signer {
                job.task.step(&format!(
                    "{} signed by {} ({})",
                    artifact.checksum_key, signer.signer, signer.user_id
                ));
                details["signed_by"] = signer.signer.into();
                details["signer"] = signer.user_id.into();
            }
            let after = releases.after_install(job)?;
            if !after.is_null() {
                details["default_packages"] = after;
            }
            return Ok(details);
        }
        Err(Failure::NotAvailable(format!(
            "{} has no {}",
            mirror.display(),
            missing.join(" or ")
        )))
    }
}

/// The sha256 published for the archive: from the checksum file beside
/// it (whose signature is checked first where the publisher signs it),
/// else (Go) from the release list; with who signed the checksum file.
/// `None` when neither the archive nor a checksum exists (no such
/// version); an archive without any checksum is refused.
fn expected_sha256(
    ctx: &Context,
    releases: &dyn Releases,
    mirror: &Remote,
    artifact: &Artifact,
) -> Result<Option<(String, Option<Verified>)>> {
    let name = artifact.file_name();
    if let Some(bytes) = mirror.get_small(&artifact.checksum_key)? {
        let text = String::from_utf8_lossy(&bytes);
        if let Some(sha) = releases.sha256_in_checksums(&text, artifact) {
            let signer = upstream::signature::verify_checksums(
                releases,
                artifact,
                mirror,
                &ctx.installs,
                &bytes,
            )?;
            return Ok(Some((sha, signer)));
        }
    }
    if releases.lists_checksums() {
        // The list's kept copy when fresh or the server is unreachable.
        let listed = (releases.list(ctx).ok())
            .into_iter()
            .flatten()
            .flat_map(|r| r.sha256)
            .find(|(file, _)| file == name)
            .map(|(_, sha)| sha);
        if let Some(sha) = listed {
            return Ok(Some((sha, None)));
        }
    }
    if mirror.exists(&artifact.key)? {
        return Err(Error::NoChecksum {
            file: format!("{name} in {}", mirror.display()),
            missing: format!(
                "published sha256 ({} does not list it)",
                artifact.checksum_key
            ),
        });
    }
    Ok(None)
}

/// Streams the archive into `dest` and checks its sha256; `None` when the
/// mirror does not have it.
fn fetch(
    job: &Job<'_>,
    mirror: &Remote,
    artifact: &Artifact,
    expected: &str,
    dest: &Path,
) -> Result<Option<Details>> {
    let opts = job.unpack_into(dest, &artifact.top);
    let found = |_size: u64| job.enter_download_and_install();
    let releases = releases_of(job.tool).map_err(|_| Error::UnknownTool(job.tool.into()))?;
    let mut check = upstream::signature::check_for(releases, artifact, mirror, &job.ctx.installs)?;
    let mut feed = |bytes: &[u8]| {
        if let Some(check) = check.as_mut() {
            check.feed(bytes);
        }
    };
    let fetched = fetch::fetch(
        mirror,
        &artifact.key,
        artifact.format,
        &opts,
        job.task,
        job.cancel,
        fetch::Watch {
            found: &found,
            see: Some(&mut feed),
        },
    )?;
    let Fetched::Done(done) = fetched else {
        return Ok(None);
    };
    done.expect(expected, &artifact.checksum_key)?;
    let mut details = done.report(job.task);
    if let Some(check) = check {
        let verified = check.finish()?;
        job.task.step(&format!(
            "signed by {} ({})",
            verified.signer, verified.user_id
        ));
        details["signed_by"] = verified.signer.into();
        details["signer"] = verified.user_id.into();
    }
    Ok(Some(details))
}

/// An installer is unpacked beside the staging folder, then its home lays
/// its parts out in it.
fn assemble(
    job: &Job<'_>,
    releases: &dyn Releases,
    mirror: &Remote,
    artifact: &Artifact,
    expected: &str,
    host: &Host,
) -> Result<Option<Details>> {
    let beside = job.dest.parent().unwrap_or(job.dest);
    // Named like a staging folder, so an interrupted install's is swept.
    let scratch =
        crate::fs::temp_dir_in(beside, &format!(".{}.staging-installer-", job.version_dir))?;
    let Some(mut details) = fetch(job, mirror, artifact, expected, scratch.path())? else {
        return Ok(None);
    };
    details["components"] = releases.assemble(scratch.path(), job.dest, host)?;
    Ok(Some(details))
}
