//! `tool reshim [tool [version]]` and `tool shimversions <command>`.

use crate::context::Context;
use crate::error::{Error, exit};
use crate::shim;

pub fn run(ctx: &Context, tool: Option<&str>, version: Option<&str>) -> anyhow::Result<i32> {
    let summary = crate::install::reshim::run(ctx, tool, version)?;
    if summary.written + summary.removed > 0 {
        crate::progress::note(&format!(
            "reshim: {} written, {} removed, {} unchanged",
            summary.written, summary.removed, summary.unchanged
        ));
    }
    Ok(exit::OK)
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
