//! `tool reshim [tool [version]]` and `tool shimversions <command>`.

use crate::context::Context;
use crate::error::{Error, exit};
use crate::shim::{self, reshim};
use crate::tools::Tools;
use crate::version::VersionSpec;

pub fn run(ctx: &Context, tool: Option<&str>, version: Option<&str>) -> anyhow::Result<i32> {
    let mut extra = Vec::new();
    if let Some(tool) = tool {
        Tools::new(&ctx.env).require_known(tool)?;
        // `path:` taken as it is: a command-line path may hold spaces.
        let spec = match version {
            Some(v) if v.starts_with("path:") => {
                Some(VersionSpec::Path(v.trim_start_matches("path:").into()))
            }
            other => other.map(VersionSpec::parse).transpose()?,
        };
        match spec {
            // A version outside installs/, as asdf allows: shims for it too.
            Some(VersionSpec::Path(dir)) => {
                let root = crate::env::absolute(&ctx.env.cwd, &dir);
                if !root.is_dir() {
                    return Err(Error::Other(format!("{} is not a folder", root.display())).into());
                }
                extra.push(reshim::Extra {
                    tool: tool.to_string(),
                    version: format!("path:{}", root.display()),
                    root,
                });
            }
            Some(_) => {
                let dir = version.unwrap_or("");
                if let Some(owned) = being_installed_here(ctx, tool, dir) {
                    extra.push(owned);
                } else if !crate::installed::is_installed(&ctx.env, tool, dir) {
                    return Err(Error::Other(format!("{tool} {dir} is not installed")).into());
                }
            }
            None => {}
        }
    }
    let launcher = launcher(ctx)?;
    let hooked: Vec<String> = match tool {
        Some(t) => vec![t.to_string()],
        None => Tools::new(&ctx.env).present().into_iter().collect(),
    };
    let args: Vec<&str> = version.into_iter().collect();
    for t in &hooked {
        crate::hooks::run(&ctx.settings, &format!("pre_asdf_reshim_{t}"), &args)?;
    }
    let summary = reshim::sync_with(&ctx.env, &launcher, &extra)?;
    for t in &hooked {
        crate::hooks::run(&ctx.settings, &format!("post_asdf_reshim_{t}"), &args)?;
    }
    if summary.written + summary.removed > 0 {
        crate::progress::note(&format!(
            "reshim: {} written, {} removed, {} unchanged",
            summary.written, summary.removed, summary.unchanged
        ));
    }
    Ok(exit::OK)
}

/// The version this process is installing (a plugin's `bin/install` runs
/// `asdf reshim <tool> <version>` before the install is committed): its
/// folder gets shims like an installed version's.
fn being_installed_here(ctx: &Context, tool: &str, dir: &str) -> Option<reshim::Extra> {
    let marker = ctx.env.layout.incomplete_marker(tool, dir);
    (crate::tool_name::check(tool).is_ok()
        && !dir.is_empty()
        && !dir.contains('/')
        && marker.exists()
        && crate::install::lock::held_by_ancestor(&ctx.env, tool, dir))
    .then(|| reshim::Extra {
        tool: tool.to_string(),
        version: dir.to_string(),
        root: ctx.env.layout.install_path(tool, dir),
    })
}

/// What shims should start: `tool-shim` beside the running `tool`, else it.
pub fn launcher(ctx: &Context) -> anyhow::Result<shim::Launcher> {
    Ok(shim::Launcher::current(&ctx.env)?)
}

pub fn run_shimversions(ctx: &Context, command: &str) -> anyhow::Result<i32> {
    let path = ctx.env.layout.shim_path(command);
    let pairs = shim::read_metadata(&path).ok_or_else(|| {
        Error::not_set(
            format!("unknown command `{command}`: there is no shim for it"),
            "",
        )
    })?;
    for (tool, version) in pairs {
        println!("{tool} {version}");
    }
    Ok(exit::OK)
}
