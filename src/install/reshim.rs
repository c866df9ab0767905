//! `tool reshim [tool [version]]`: which versions get shims beyond the
//! installed ones (a `path:` folder, the version this process's plugin is
//! installing), the reshim hooks around the sync, and the sync itself.

use crate::context::Context;
use crate::error::{Error, Result};
use crate::shim::{self, reshim};
use crate::version::VersionSpec;

pub use reshim::Summary;

/// Brings the shims in line with what is installed (and with `version` of
/// `tool`, when it is a folder outside `installs/` or being installed by
/// this process), running `pre_`/`post_asdf_reshim_<tool>` around it.
pub fn run(ctx: &Context, tool: Option<&str>, version: Option<&str>) -> Result<Summary> {
    let extra = match tool {
        Some(tool) => extra_version(ctx, tool, version)?,
        None => None,
    };
    let launcher = shim::Launcher::current(&ctx.env)?;
    let hooked: Vec<String> = match tool {
        Some(t) => vec![t.to_string()],
        None => ctx.tools().present().into_iter().collect(),
    };
    let args: Vec<&str> = version.into_iter().collect();
    for t in &hooked {
        crate::hooks::run(&ctx.settings, &format!("pre_asdf_reshim_{t}"), &args)?;
    }
    let summary = reshim::sync_with(&ctx.env, &launcher, extra.as_slice())?;
    for t in &hooked {
        crate::hooks::run(&ctx.settings, &format!("post_asdf_reshim_{t}"), &args)?;
    }
    Ok(summary)
}

/// The version named on the command line that `installs/` does not show as
/// installed but that gets shims all the same; an error for a version that
/// is neither.
fn extra_version(
    ctx: &Context,
    tool: &str,
    version: Option<&str>,
) -> Result<Option<reshim::Extra>> {
    ctx.tools().require_known(tool)?;
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
                return Err(Error::Usage(format!("{} is not a folder", root.display())));
            }
            Ok(Some(reshim::Extra {
                tool: tool.to_string(),
                version: format!("path:{}", root.display()),
                root,
            }))
        }
        Some(_) => {
            let dir = version.unwrap_or("");
            let owned = being_installed_here(ctx, tool, dir);
            if owned.is_none() && !crate::installed::is_installed(&ctx.env, tool, dir) {
                return Err(Error::hinted(
                    format!("{tool} {dir} is not installed"),
                    format!("install it first: `tool install {tool} {dir}`"),
                ));
            }
            Ok(owned)
        }
        None => Ok(None),
    }
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
        && super::lock::held_by_ancestor(&ctx.env, tool, dir))
    .then(|| reshim::Extra {
        tool: tool.to_string(),
        version: dir.to_string(),
        root: ctx.env.layout.install_path(tool, dir),
    })
}
