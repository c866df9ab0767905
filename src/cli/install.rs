//! `tool install [tool [version]]`: everything in `.tool-versions`, one
//! tool's set versions, or one version; `--json` for build systems.

use clap::Args;

use crate::context::Context;
use crate::error::Error;
use crate::install::Options;
use crate::install::batch;
use crate::install::gather::{self, Asked};
use crate::install::locked::{self, Locked};

#[derive(Args, Debug)]
pub struct InstallArgs {
    tool: Option<String>,
    version: Option<String>,
    /// Keep the downloaded sources/archives under downloads/
    #[arg(long)]
    keep_download: bool,
    /// Print one JSON result per install on stdout
    #[arg(long)]
    json: bool,
    /// Install only with this backend (e.g. `plugin`)
    #[arg(long, value_name = "NAME")]
    backend: Option<String>,
    /// Install what a Read the Docs config file (`.readthedocs.yaml`) sets
    /// in `build.tools`, mapped as the service maps it
    #[arg(long, value_name = "FILE", conflicts_with_all = ["tool", "version"])]
    config: Option<std::path::PathBuf>,
    /// Install only what the lockfile beside the version file names (`tool lock`);
    /// also the `locked` setting (TOOL_LOCKED)
    #[arg(long)]
    locked: bool,
}

pub fn run(mut ctx: Context, args: InstallArgs) -> anyhow::Result<i32> {
    let asked = match (&args.config, &args.tool, &args.version) {
        (Some(file), _, _) => Asked::BuildConfig(file),
        (None, None, _) => Asked::Here,
        (None, Some(tool), None) => Asked::Tool(tool),
        (None, Some(tool), Some(v)) => Asked::Version(tool, v),
    };
    let requests = gather::requests(&mut ctx, asked)?;
    if let Some(name) = &args.backend
        && crate::backend::by_name(name).is_none()
    {
        let known = crate::backend::KNOWN.join(", ");
        return Err(Error::Usage(format!("unknown backend `{name}` (known: {known})")).into());
    }
    let locked = match args.locked || ctx.settings.locked {
        true => Some(std::sync::Arc::new(read_lock(
            &ctx,
            args.config.as_deref(),
        )?)),
        false => None,
    };
    let options = Options {
        keep_download: args.keep_download,
        backend: args.backend,
        no_cache: false,
        locked,
    };
    let mut reports = batch::run(&ctx, &requests, &options, args.json);
    let code = batch::finish(&ctx, &mut reports);
    for report in &reports {
        if args.json {
            println!("{}", serde_json::to_string(report)?);
        }
        if let Some(err) = &report.error {
            let person = crate::progress::Audience::of_stderr().is_person();
            let message = if person {
                format!("{} {}: {err}", report.tool, report.version)
            } else {
                err.clone()
            };
            crate::error::print(&message, report.hint.clone(), person);
        }
    }
    Ok(code)
}

/// The lockfile beside the version file, which must exist.
fn read_lock(ctx: &Context, config: Option<&std::path::Path>) -> anyhow::Result<Locked> {
    let file = locked::version_file(ctx, config)?;
    let path = crate::lockfile::path_for(&file);
    let Some(lock) = crate::lockfile::Lock::read(&path)? else {
        return Err(Error::hinted(
            format!("--locked, but there is no {}", path.display()),
            "write it with `tool lock`",
        )
        .into());
    };
    let host = crate::platform::Host::detect(ctx.settings.os.as_deref());
    Ok(Locked {
        path,
        lock,
        platform: crate::backend::platform(&host),
    })
}
