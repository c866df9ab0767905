//! `tool uninstall <tool> <version>`: removes an installed version, then its shims.

use crate::context::Context;
use crate::error::exit;

pub fn run(ctx: &Context, tool: &str, version: &str) -> anyhow::Result<i32> {
    crate::install::uninstall::command(ctx, tool, version)?;
    crate::progress::note(&format!("uninstalled {tool} {version}"));
    Ok(exit::OK)
}
