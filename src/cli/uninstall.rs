//! `tool uninstall <tool> <version>`: removes an installed version, then its shims.

use crate::cli::Ctx;
use crate::error::{Error, exit};
use crate::tools;
use crate::version::{VersionSpec, check_path_component};

pub fn run(ctx: &Ctx, tool: &str, version: &str) -> anyhow::Result<i32> {
    tools::require_known(&ctx.env, tool)?;
    let dir = match VersionSpec::parse(version)? {
        spec @ (VersionSpec::Version(_) | VersionSpec::Ref(_)) => {
            spec.install_dir_name().unwrap_or_default()
        }
        _ => return Err(Error::Usage(format!("`{version}` is not an installable version")).into()),
    };
    check_path_component("version", &dir)?;
    let launcher = super::reshim::launcher()?;
    crate::install::uninstall(&ctx.env, &ctx.settings, &launcher, tool, &dir, version)?;
    crate::progress::note(&format!("uninstalled {tool} {version}"));
    Ok(exit::OK)
}
