//! `tool uninstall <tool> <version>`: removes an installed version, then its shims.

use crate::context::Context;
use crate::error::{Error, exit};
use crate::version::{VersionSpec, check_path_component};

pub fn run(ctx: &Context, tool: &str, version: &str) -> anyhow::Result<i32> {
    ctx.tools().require_known(tool)?;
    let dir = match VersionSpec::parse(version)? {
        spec @ (VersionSpec::Version(_) | VersionSpec::Ref(_)) => {
            spec.install_dir_name().unwrap_or_default()
        }
        _ => return Err(Error::Usage(format!("`{version}` is not an installable version")).into()),
    };
    check_path_component("version", &dir)?;
    crate::install::uninstall(ctx, tool, &dir, version)?;
    crate::progress::note(&format!("uninstalled {tool} {version}"));
    Ok(exit::OK)
}
