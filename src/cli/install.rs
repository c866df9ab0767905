//! `tool install [tool [version]]`: everything in `.tool-versions`, one
//! tool's set versions, or one version; `--json` for build systems.

use clap::Args;

use crate::context::Context;
use crate::install::batch::Outcome;
use crate::install::command::{self, Install};
use crate::install::gather::Asked;

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

pub fn run(ctx: Context, args: InstallArgs) -> anyhow::Result<i32> {
    let asked = match (&args.config, &args.tool, &args.version) {
        (Some(file), _, _) => Asked::BuildConfig(file),
        (None, None, _) => Asked::Here,
        (None, Some(tool), None) => Asked::Tool(tool),
        (None, Some(tool), Some(v)) => Asked::Version(tool, v),
    };
    let (reports, code) = command::install(
        ctx,
        Install {
            asked,
            config: args.config.as_deref(),
            keep_download: args.keep_download,
            backend: args.backend.clone(),
            locked: args.locked,
            json: args.json,
        },
    )?;
    let audience = crate::progress::Audience::of_stderr();
    for report in &reports {
        if args.json {
            println!("{}", serde_json::to_string(report)?);
        } else if report.outcome == Outcome::AlreadyInstalled
            && audience == crate::progress::Audience::Program
        {
            // asdf's words and stream (a person sees the progress line).
            eprintln!(
                "version {} of {} is already installed",
                report.version, report.tool
            );
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
