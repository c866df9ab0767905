//! `tool install [tool [version]]`: everything in `.tool-versions`, one
//! tool's set versions, or one version; `--json` for build systems.

use clap::Args;

use crate::cli::Ctx;
use crate::error::{Error, exit};
use crate::install::batch::{self, Outcome};
use crate::install::{Options, Request};
use crate::shim::reshim;
use crate::tools;
use crate::version::VersionSpec;

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
}

pub fn run(ctx: &Ctx, args: InstallArgs) -> anyhow::Result<i32> {
    let requests = match (&args.tool, &args.version) {
        (None, _) => from_files(ctx)?,
        (Some(tool), None) => set_versions(ctx, tool)?,
        (Some(tool), Some(v)) => {
            tools::require_known(&ctx.env, tool)?;
            let spec = VersionSpec::parse(v)?;
            if !installable(&spec) {
                return Err(Error::Other(format!(
                    "error installing version: uninstallable version {spec} of {tool}"
                ))
                .into());
            }
            vec![Request {
                tool: tool.clone(),
                spec,
            }]
        }
    };
    if let Some(name) = &args.backend
        && crate::backend::by_name(name, &ctx.settings).is_none()
    {
        let known = crate::backend::KNOWN.join(", ");
        return Err(Error::Usage(format!("unknown backend `{name}` (known: {known})")).into());
    }
    let options = Options {
        keep_download: args.keep_download,
        backend: args.backend,
        no_cache: false,
    };
    let reports = batch::run(&ctx.env, &ctx.settings, &requests, &options, args.json);
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
    if reports.iter().any(|r| r.outcome == Outcome::Installed) {
        reshim::sync(&ctx.env, &super::reshim::launcher()?)?;
    }
    Ok(
        if reports.iter().any(|r| r.outcome == Outcome::Interrupted) {
            exit::INTERRUPTED
        } else if reports.iter().any(|r| r.error.is_some()) {
            exit::FAILURE
        } else {
            exit::OK
        },
    )
}

fn installable(spec: &VersionSpec) -> bool {
    !matches!(spec, VersionSpec::System | VersionSpec::Path(_))
}

/// The versions set for one tool here.
fn set_versions(ctx: &Ctx, tool: &str) -> anyhow::Result<Vec<Request>> {
    tools::require_known(&ctx.env, tool)?;
    let tools = ctx.tools();
    let sel = ctx.resolver(&tools).resolve(tool)?.ok_or_else(|| {
        Error::hinted(
            format!("No versions specified for {tool} in config files or environment"),
            format!("tool install {tool} <version>, or tool set {tool} <version> first"),
        )
    })?;
    Ok(sel
        .versions
        .into_iter()
        .filter(installable)
        .map(|spec| Request {
            tool: tool.to_string(),
            spec,
        })
        .collect())
}

/// Every version of every tool set here (files nearest first, then home).
fn from_files(ctx: &Ctx) -> anyhow::Result<Vec<Request>> {
    let tools = ctx.tools();
    let mut resolver = ctx.resolver(&tools);
    let mut names: Vec<String> = Vec::new();
    for file in resolver.applicable_files()? {
        for entry in file.entries() {
            if !names.contains(&entry.tool) {
                names.push(entry.tool.clone());
            }
        }
    }
    // Legacy files (`.nvmrc`, `go.mod`…) may set a built-in tool that has
    // neither a plugin nor an install yet.
    let builtins = tools::BUILTIN_NAMES
        .iter()
        .filter(|_| ctx.settings.legacy_version_file)
        .map(|n| n.to_string());
    for name in tools::present(&ctx.env).into_iter().chain(builtins) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let mut requests = Vec::new();
    for tool in names {
        if let Some(sel) = resolver.resolve(&tool)? {
            requests.extend(
                sel.versions
                    .into_iter()
                    .filter(installable)
                    .map(|spec| Request {
                        tool: tool.clone(),
                        spec,
                    }),
            );
        }
    }
    if requests.is_empty() {
        return Err(Error::hinted(
            "nothing to install: no .tool-versions here or in a parent folder sets a version",
            "tool install <tool> <version>, or tool set <tool> <version> first",
        )
        .into());
    }
    Ok(requests)
}
