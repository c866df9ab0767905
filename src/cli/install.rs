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
    /// Install what a Read the Docs config file (`.readthedocs.yaml`) sets
    /// in `build.tools`, mapped as the service maps it
    #[arg(long, value_name = "FILE", conflicts_with_all = ["tool", "version"])]
    config: Option<std::path::PathBuf>,
}

pub fn run(ctx: &Ctx, args: InstallArgs) -> anyhow::Result<i32> {
    let mut build_os = None;
    let requests = match (&args.tool, &args.version) {
        _ if args.config.is_some() => {
            let file = args.config.as_deref().unwrap_or(std::path::Path::new(""));
            let (requests, os) = from_build_config(ctx, file)?;
            build_os = os;
            requests
        }
        (None, _) => {
            build_os = nearest_build_os(ctx)?;
            from_files(ctx)?
        }
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
    let settings = with_build_os(ctx, build_os);
    let reports = batch::run(&ctx.env, &settings, &requests, &options, args.json);
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
    let shared = |r: &batch::Report| {
        r.outcome == Outcome::AlreadyInstalled
            && crate::installed::shared_location(&ctx.env, &r.tool, &r.version).is_some()
    };
    if reports
        .iter()
        .any(|r| r.outcome == Outcome::Installed || shared(r))
    {
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

/// `--config FILE`: every tool its `build.tools` sets, and its `build.os`.
fn from_build_config(
    ctx: &Ctx,
    file: &std::path::Path,
) -> anyhow::Result<(Vec<Request>, Option<String>)> {
    use crate::config::readthedocs::{Table, read};
    let path = crate::env::absolute(&ctx.env.cwd, file);
    let table = ctx.readthedocs.clone().unwrap_or_else(Table::builtin);
    let config = read(&path, &table)?;
    let requests = config
        .tools
        .into_iter()
        .map(|t| Request {
            tool: t.tool,
            spec: VersionSpec::Version(t.version),
        })
        .collect();
    Ok((requests, config.os))
}

/// The `build.os` of the nearest `.readthedocs.yaml` (when they are read).
fn nearest_build_os(ctx: &Ctx) -> anyhow::Result<Option<String>> {
    if ctx.readthedocs.is_none() {
        return Ok(None);
    }
    let tools = ctx.tools();
    let mut resolver = ctx.resolver(&tools);
    for dir in ctx.env.cwd.ancestors() {
        if let Some(config) = resolver.build_config(dir)? {
            return Ok(config.os.clone());
        }
    }
    Ok(None)
}

/// The settings with the builder's image as the cache key's `{os}`, so a
/// laptop reads the objects the builder wrote, unless `TOOL_OS` says otherwise.
fn with_build_os(ctx: &Ctx, build_os: Option<String>) -> crate::config::settings::Settings {
    let mut settings = ctx.settings.clone();
    if let Some(os) = build_os
        && ctx.env.var("TOOL_OS").is_none()
    {
        settings.values.os = Some(os);
    }
    settings
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
    // Legacy files (`.nvmrc`, `go.mod`…) and `.readthedocs.yaml` may set a
    // built-in tool that has neither a plugin nor an install yet.
    let builtins = tools::BUILTIN_NAMES
        .iter()
        .filter(|_| ctx.settings.legacy_version_file || ctx.readthedocs.is_some())
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
