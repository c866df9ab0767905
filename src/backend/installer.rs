//! The installer backend: versions a built-in tool installs by running its
//! publisher's installer (`tools::Installer`: Python's conda
//! distributions), straight into the final folder behind the
//! `.incomplete` marker, as plugins install. Versions it has no installer
//! for are "not available"; everything else that goes wrong is an error.

use super::{Backend, Details, Entry, Failure, Job};
use crate::context::Context;
use crate::tools::{self, Installer};

pub struct InstallerBackend;

fn installer_of(tool: &str) -> Result<&'static dyn Installer, Failure> {
    tools::installer(tool).ok_or_else(|| Failure::NotAvailable(format!("{tool} has no installer")))
}

impl Backend for InstallerBackend {
    fn name(&self) -> &'static str {
        "installer"
    }

    fn in_place(&self) -> bool {
        true
    }

    fn list_versions(&self, ctx: &Context, tool: &str) -> Result<Vec<String>, Failure> {
        Ok(installer_of(tool)?.versions(ctx)?)
    }

    fn lock(&self, ctx: &Context, tool: &str, version: &str) -> Result<Entry, Failure> {
        let installer = installer_of(tool)?;
        if let Some(why) = installer.unknown(ctx, version)? {
            return Err(Failure::NotAvailable(why));
        }
        let mut entry = super::entry("installer", tool, version);
        if let Some((url, sha256)) = installer.source_archive(ctx, version)? {
            entry.source = Some(url);
            entry.sha256 = Some(sha256);
            entry.note = Some("the official installer; it is run here".into());
        }
        Ok(entry)
    }

    fn install(&self, job: &Job<'_>) -> Result<Details, Failure> {
        let installer = installer_of(job.tool)?;
        if let Some(why) = installer.unknown(job.ctx, job.version)? {
            return Err(Failure::NotAvailable(why));
        }
        Ok(installer.install(job)?)
    }
}
