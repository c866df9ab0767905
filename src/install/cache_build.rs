//! `cache build`'s flow: unless the bucket already has the key (or
//! `force`), build the version through the non-cache backends (an installed
//! copy is kept when the build fails), reshim, then pack and publish it.

use super::batch::Report;
use super::{Options, Request};
use crate::cache::{Cache, publish};
use crate::context::Context;
use crate::error::Result;
use crate::version::VersionSpec;

/// Where and how a build is published.
pub struct Target<'a> {
    /// `--bucket`, else the first writable configured one.
    pub bucket: Option<&'a str>,
    pub formats: super::cache_publish::Formats,
    /// Rebuild and publish even when the bucket has the key.
    pub force: bool,
    /// Publish over a record with other bytes.
    pub replace: bool,
    /// Write the layout before records (see `publish::How`).
    pub legacy_layout: bool,
    /// Reports as JSON lines (the build's own, printed by the caller).
    pub json: bool,
}

/// How one `cache build` ended.
pub enum Built {
    /// The bucket already had it: nothing was built.
    AlreadyCached { key: String, bucket: String },
    /// The build failed: nothing was published (an installed copy was kept).
    BuildFailed { build: Box<Report> },
    /// Published; `build` is the install report when it had to be built.
    Published {
        build: Option<Box<Report>>,
        pushed: publish::Pushed,
    },
}

/// Builds (when needed) and publishes `tool` `version`.
pub fn cache_build(ctx: &Context, tool: &str, version: &str, to: &Target<'_>) -> Result<Built> {
    ctx.tools().require_known(tool)?;
    let cache = Cache::new(ctx)?;
    // Read first: a key that cannot sign must not cost a build.
    let signer = crate::cache::signing_key(&ctx.installs)?;
    let bucket = cache.for_writing(to.bucket)?;
    let key = cache.key(tool, version);
    // There means an install here would take it from there.
    let rules = crate::cache::hit::Rules::of(&cache, tool, version);
    if !to.force && crate::cache::hit::probe(&rules, &bucket, &key)?.is_ok() {
        let bucket = bucket.display().to_string();
        return Ok(Built::AlreadyCached { key, bucket });
    }
    let installed = crate::installed::is_installed(&ctx.env, tool, version);
    let build = match !installed || to.force {
        true => Some(Box::new(rebuild(ctx, tool, version, to.json)?)),
        false => None,
    };
    if let Some(failed) = build.as_ref().filter(|b| b.error.is_some()) {
        return Ok(Built::BuildFailed {
            build: failed.clone(),
        });
    }
    let pushed = super::cache_publish::publish_installed(
        ctx,
        &cache,
        signer.as_ref(),
        bucket,
        (tool, version),
        to,
    )?;
    Ok(Built::Published { build, pushed })
}

/// Installs through the non-cache backends; reshims after a success.
fn rebuild(ctx: &Context, tool: &str, version: &str, json: bool) -> Result<Report> {
    let request = Request {
        tool: tool.to_string(),
        spec: VersionSpec::Version(version.to_string()),
    };
    let options = Options {
        no_cache: true,
        ..Options::default()
    };
    let report = super::rebuild(ctx, &request, &options, json)?;
    if report.error.is_none() {
        crate::shim::reshim::refresh(&ctx.env)?;
    }
    Ok(report)
}
