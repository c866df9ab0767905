//! The `prebuilt` backend: a tool's portable builds made by others than its
//! publisher (`tools::Prebuilt`: Python's python-build-standalone). The
//! archive a table shipped in the binary names streams from its mirror (no
//! credentials) through the safe extractor into the staging folder while its
//! sha256 is computed; the install is committed only when that matches the
//! table's (or the lock's), after the tool has fixed the build up for its
//! final path. A version outside the table is "not available": the chain
//! moves on.

use super::{Backend, Details, Entry, Failure, Job};
use crate::context::Context;
use crate::fetch::{self, Fetched};
use crate::platform::Host;
use crate::tools::{self, Prebuilt, PrebuiltArchive};

pub struct PrebuiltBackend;

fn prebuilt_of(tool: &str) -> Result<&'static dyn Prebuilt, Failure> {
    tools::prebuilt(tool)
        .ok_or_else(|| Failure::NotAvailable(format!("no prebuilt builds of {tool} are known")))
}

/// The archive of `version`, or "not available".
fn archive_of(ctx: &Context, tool: &str, version: &str) -> Result<PrebuiltArchive, Failure> {
    prebuilt_of(tool)?.archive(ctx, version)?.ok_or_else(|| {
        Failure::NotAvailable(format!(
            "no prebuilt {tool} {version} is known for this machine"
        ))
    })
}

impl Backend for PrebuiltBackend {
    fn name(&self) -> &'static str {
        "prebuilt"
    }

    fn list_versions(&self, ctx: &Context, tool: &str) -> Result<Vec<String>, Failure> {
        Ok(prebuilt_of(tool)?.versions(ctx)?)
    }

    fn latest(
        &self,
        ctx: &Context,
        tool: &str,
        prefix: Option<&str>,
    ) -> Result<Option<String>, Failure> {
        Ok(prebuilt_of(tool)?.latest(ctx, prefix)?)
    }

    /// The archive and the table's sha256 (no download).
    fn lock(&self, ctx: &Context, tool: &str, version: &str) -> Result<Entry, Failure> {
        let a = archive_of(ctx, tool, version)?;
        let mut entry = super::entry("prebuilt", tool, version);
        let named = Host::detect(ctx.settings.values.os.as_deref());
        entry.platform = Some(super::platform(&named));
        entry.source = Some(format!("{}/{}", a.mirror, a.key));
        entry.sha256 = Some(a.sha256);
        Ok(entry)
    }

    fn install(&self, job: &Job<'_>) -> Result<Details, Failure> {
        let prebuilt = prebuilt_of(job.tool)?;
        let a = archive_of(job.ctx, job.tool, job.version)?;
        let mirror = crate::upstream::open_mirror(job.ctx, &a.mirror)?;
        // Its build prefix is rewritten in the files that name it, after.
        let opts = job.unpack_into(job.dest, a.top);
        let found = |_size: u64| job.enter_download_and_install();
        let watch = fetch::Watch {
            found: &found,
            see: None,
        };
        let fetched = fetch::fetch(
            &mirror, &a.key, a.format, &opts, job.task, job.cancel, watch,
        )?;
        let Fetched::Done(done) = fetched else {
            return Err(Failure::NotAvailable(format!(
                "{} has no {}",
                mirror.display(),
                a.key
            )));
        };
        let (expected, from) = match job.locked_sha256 {
            Some(sha) => (sha.to_string(), "the lockfile".to_string()),
            None => (a.sha256.clone(), a.from.to_string()),
        };
        done.expect(&expected, &from)?;
        let mut details = done.report(job.task);
        details["mirror"] = mirror.display().into();
        let finished = prebuilt.finish(job)?;
        if let (Some(d), Some(f)) = (details.as_object_mut(), finished.as_object()) {
            d.extend(f.clone());
        }
        Ok(details)
    }
}
