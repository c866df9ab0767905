//! The vendor backend: Node.js, Go and Rust from their official binary
//! releases (or a mirror in the same layout). The archive streams through
//! the safe extractor into the staging folder while its sha256 is computed;
//! the install is committed only when that matches the checksum published
//! for it. An exact version never reads a release list.

use std::path::Path;

use serde_json::json;

use super::{Backend, Details, Failure, Job, Stage};
use crate::archive::unpack;
use crate::cache::fetch::{self, Fetched};
use crate::config::settings::Settings;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::platform::Host;
use crate::remote::{Client, Remote};
use crate::vendor::{self, Artifact, Upstream};

mod npm;

pub struct VendorBackend {
    settings: Settings,
}

impl VendorBackend {
    pub fn new(settings: Settings) -> Self {
        VendorBackend { settings }
    }
}

fn upstream(tool: &str) -> Result<Upstream, Failure> {
    Upstream::of(tool)
        .ok_or_else(|| Failure::NotAvailable(format!("no official releases of {tool} are known")))
}

impl Backend for VendorBackend {
    fn name(&self) -> &'static str {
        "vendor"
    }

    fn list_versions(&self, env: &Env, tool: &str) -> Result<Vec<String>, Failure> {
        let mut versions: Vec<String> = upstream(tool)?
            .releases(env, &self.settings)?
            .into_iter()
            .map(|r| r.version)
            .collect();
        versions.sort_by(|a, b| crate::version::compare(a, b));
        Ok(versions)
    }

    /// The newest stable release under `prefix`; for Node.js, `lts` (or a
    /// codename such as `iron`) is the newest release of that LTS line.
    fn latest(
        &self,
        env: &Env,
        tool: &str,
        prefix: Option<&str>,
    ) -> Result<Option<String>, Failure> {
        let releases = upstream(tool)?.releases(env, &self.settings)?;
        let line = prefix.map(|p| p.trim_start_matches("lts/").to_ascii_lowercase());
        let lts: Vec<String> = releases
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
        let stable: Vec<String> = releases
            .into_iter()
            .filter(|r| r.stable)
            .map(|r| r.version)
            .collect();
        let prefix = prefix.map(|p| p.trim_start_matches('v'));
        Ok(crate::version::newest_matching(&stable, prefix).cloned())
    }

    fn install(&self, job: &Job<'_>) -> Result<Details, Failure> {
        let up = upstream(job.tool)?;
        let host = Host::detect(None);
        let client = Client::new()?;
        let remote =
            crate::cache::open(&client, up.mirror(&self.settings), job.env, &self.settings)?;
        let mut missing = Vec::new();
        for artifact in up.artifacts(job.version, &host)? {
            let Some(expected) = self.expected_sha256(job, up, &remote, &artifact)? else {
                missing.push(artifact.key.clone());
                continue;
            };
            let details = match up {
                Upstream::Rust => self.install_rust(job, &remote, &artifact, &expected, &host)?,
                _ => self.fetch(job, &remote, &artifact, &expected, job.dest)?,
            };
            let Some(mut details) = details else {
                missing.push(artifact.key.clone());
                continue;
            };
            if up == Upstream::Node {
                details["default_packages"] = npm::install_defaults(job)?;
            }
            return Ok(details);
        }
        Err(Failure::NotAvailable(format!(
            "{} has no {}",
            remote.display(),
            missing.join(" or ")
        )))
    }
}

impl VendorBackend {
    /// The sha256 published for the archive: from the checksum file beside
    /// it, else (Go) from the release list. `None` when neither the archive
    /// nor a checksum exists (no such version); an archive without any
    /// checksum is refused.
    fn expected_sha256(
        &self,
        job: &Job<'_>,
        up: Upstream,
        remote: &Remote,
        artifact: &Artifact,
    ) -> Result<Option<String>> {
        let name = artifact.file_name();
        if let Some(text) = remote.get_small(&artifact.checksum_key)? {
            let text = String::from_utf8_lossy(&text);
            if let Some(sha) = vendor::sha256_in(&text, name) {
                return Ok(Some(sha));
            }
        }
        if up == Upstream::Go {
            // The list's kept copy when fresh or the server is unreachable.
            let listed = up
                .releases(job.env, &self.settings)
                .ok()
                .into_iter()
                .flatten()
                .flat_map(|r| r.sha256)
                .find(|(file, _)| file == name)
                .map(|(_, sha)| sha);
            if listed.is_some() {
                return Ok(listed);
            }
        }
        if remote.exists(&artifact.key)? {
            return Err(Error::Other(format!(
                "{name} in {} has no published sha256 ({} does not list it): refusing to install it",
                remote.display(),
                artifact.checksum_key
            )));
        }
        Ok(None)
    }

    /// Streams the archive into `dest` and checks its sha256; `None` when
    /// the mirror does not have it.
    fn fetch(
        &self,
        job: &Job<'_>,
        remote: &Remote,
        artifact: &Artifact,
        expected: &str,
        dest: &Path,
    ) -> Result<Option<Details>> {
        let opts = unpack::Options {
            dest,
            final_path: job.final_path,
            top: &artifact.top,
            default_prefix: None,
            max_bytes: self.settings.cache.max_unpacked_size,
            check: None,
        };
        let found = || {
            job.stages.enter(Stage::Download)?;
            job.stages.enter(Stage::Install)
        };
        let started = std::time::Instant::now();
        let fetched = fetch::fetch(
            remote,
            &artifact.key,
            artifact.format,
            &opts,
            job.task,
            job.cancel,
            &found,
        )?;
        let Fetched::Done {
            bytes,
            sha256,
            stats,
        } = fetched
        else {
            return Ok(None);
        };
        if sha256 != expected {
            return Err(Error::Checksum {
                file: format!("{} in {}", artifact.key, remote.display()),
                expected_from: artifact.checksum_key.clone(),
                expected: expected.to_string(),
                actual: sha256,
                outcome: "nothing was installed",
            });
        }
        let seconds = started.elapsed().as_secs_f64();
        job.task.step(&format!(
            "fetched {} from {}: {} in {seconds:.1}s",
            artifact.file_name(),
            remote.display(),
            crate::progress::human_bytes(bytes),
        ));
        Ok(Some(json!({
            "mirror": remote.display(),
            "key": artifact.key,
            "bytes": bytes,
            "sha256": sha256,
            "files": stats.files,
        })))
    }

    /// Rust's installer is unpacked beside the staging folder, then its
    /// toolchain components are moved into it.
    fn install_rust(
        &self,
        job: &Job<'_>,
        remote: &Remote,
        artifact: &Artifact,
        expected: &str,
        host: &Host,
    ) -> Result<Option<Details>> {
        let beside = job.dest.parent().unwrap_or(job.dest);
        // Named like a staging folder, so an interrupted install's is swept.
        let scratch =
            crate::fs::temp_dir_in(beside, &format!(".{}.staging-installer-", job.version_dir))?;
        let Some(mut details) = self.fetch(job, remote, artifact, expected, scratch.path())? else {
            return Ok(None);
        };
        let target = vendor::rust::target(host)?;
        details["components"] = json!(vendor::rust::assemble(scratch.path(), job.dest, target)?);
        Ok(Some(details))
    }
}
