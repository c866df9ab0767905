//! The `source` and `installer` backends: a built-in tool's `tools::Build`
//! makes the version here, from its published sources (into the staging
//! folder) or by its publisher's installer (straight into the final folder
//! behind the `.incomplete` marker, as plugins install). Versions it cannot
//! make are "not available", with the nearest known ones; everything else
//! that goes wrong is an error.

use super::{Backend, Details, Entry, Failure, Job};
use crate::context::Context;
use crate::tools::{self, Build};

/// One of the two backends: `in_place` picks the tool's installer rather
/// than its build from source.
pub struct BuildBackend {
    in_place: bool,
}

/// Builds from source, into the staging folder.
pub const SOURCE: BuildBackend = BuildBackend { in_place: false };

/// Publishers' installers, run into the final folder.
pub const INSTALLER: BuildBackend = BuildBackend { in_place: true };

impl BuildBackend {
    fn build_of(&self, tool: &str) -> Result<&'static dyn Build, Failure> {
        tools::build(tool, self.in_place).ok_or_else(|| {
            Failure::NotAvailable(if self.in_place {
                format!("{tool} has no installer")
            } else {
                format!("{tool} has no build from source")
            })
        })
    }

    /// The build of `version`, when it can be made here.
    fn available(
        &self,
        ctx: &Context,
        tool: &str,
        version: &str,
    ) -> Result<&'static dyn Build, Failure> {
        let build = self.build_of(tool)?;
        match build.unknown(ctx, version)? {
            Some(why) => Err(Failure::NotAvailable(why)),
            None => Ok(build),
        }
    }
}

impl Backend for BuildBackend {
    fn name(&self) -> &'static str {
        if self.in_place { "installer" } else { "source" }
    }

    fn in_place(&self) -> bool {
        self.in_place
    }

    fn list_versions(&self, ctx: &Context, tool: &str) -> Result<Vec<String>, Failure> {
        Ok(self.build_of(tool)?.versions(ctx)?)
    }

    fn lock(&self, ctx: &Context, tool: &str, version: &str) -> Result<Entry, Failure> {
        let build = self.available(ctx, tool, version)?;
        let mut entry = super::entry(self.name(), tool, version);
        if let Some((url, sha256)) = build.source_archive(ctx, version)? {
            entry.source = Some(url);
            entry.sha256 = Some(sha256);
            entry.note = Some(if self.in_place {
                "the official installer; it is run here".into()
            } else {
                "the source archive; the build from it is made here".into()
            });
        }
        Ok(entry)
    }

    fn install(&self, job: &Job<'_>) -> Result<Details, Failure> {
        Ok(self.available(job.ctx, job.tool, job.version)?.build(job)?)
    }
}
