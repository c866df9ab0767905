//! `tool list all <tool> [prefix]` and `tool latest <tool> [prefix]` /
//! `tool latest --all`: what the backends can install.

use crate::context::Context;
use crate::error::{Error, exit};
use crate::install::versions;

pub fn run_list_all(ctx: &Context, tool: &str, prefix: Option<&str>) -> anyhow::Result<i32> {
    for v in versions::list_all(ctx, tool, prefix)? {
        println!("{v}");
    }
    Ok(exit::OK)
}

pub fn run_latest(
    ctx: &Context,
    tool: Option<&str>,
    prefix: Option<&str>,
    all: bool,
) -> anyhow::Result<i32> {
    if !all {
        let tool =
            tool.ok_or_else(|| Error::Usage("usage: tool latest <tool> [prefix] | --all".into()))?;
        println!("{}", versions::latest(ctx, tool, prefix)?);
        return Ok(exit::OK);
    }
    let mut code = exit::OK;
    for (name, answer) in versions::latest_of_all(ctx)? {
        match answer {
            Ok((v, installed)) => {
                let state = if installed { "installed" } else { "missing" };
                println!("{name}\t{v}\t{state}");
            }
            Err(e) => {
                eprintln!("tool: {name}: {}", e.report());
                code = exit::FAILURE;
            }
        }
    }
    Ok(code)
}
