//! The source backend: builds a tool from its published sources, for the
//! built-in tools that have a build (`tools::Builtin::source`). Unknown
//! versions are "not available" with the nearest known ones; everything
//! else that goes wrong is an error.

use super::{Backend, Details, Entry, Failure, Job};
use crate::context::Context;
use crate::tools::{self, SourceBuild};

pub struct SourceBackend;

fn build_of(tool: &str) -> Result<&'static dyn SourceBuild, Failure> {
    tools::source(tool)
        .ok_or_else(|| Failure::NotAvailable(format!("{tool} has no build from source")))
}

impl Backend for SourceBackend {
    fn name(&self) -> &'static str {
        "source"
    }

    fn list_versions(&self, ctx: &Context, tool: &str) -> Result<Vec<String>, Failure> {
        Ok(build_of(tool)?.versions(ctx)?)
    }

    fn lock(&self, ctx: &Context, tool: &str, version: &str) -> Result<Entry, Failure> {
        let build = build_of(tool)?;
        if let Some(why) = build.unknown(ctx, version)? {
            return Err(Failure::NotAvailable(why));
        }
        let mut entry = super::entry("source", tool, version);
        if let Some((url, sha256)) = build.source_archive(ctx, version)? {
            entry.source = Some(url);
            entry.sha256 = Some(sha256);
            entry.note = Some("the source archive; the build from it is made here".into());
        }
        Ok(entry)
    }

    fn install(&self, job: &Job<'_>) -> Result<Details, Failure> {
        let build = build_of(job.tool)?;
        if let Some(why) = build.unknown(job.ctx, job.version)? {
            return Err(Failure::NotAvailable(why));
        }
        Ok(build.build(job)?)
    }
}
