//! `tool list all <tool> [prefix]` and `tool latest <tool> [prefix]` /
//! `tool latest --all`: what the backends can install.

use crate::context::Context;
use crate::error::{Error, exit};
use crate::install::versions;

pub fn run_list_all(
    ctx: &Context,
    tool: &str,
    prefix: Option<&str>,
    json: bool,
) -> anyhow::Result<i32> {
    for l in versions::listed(ctx, tool, prefix)? {
        match json {
            true => println!("{}", serde_json::to_string(&l)?),
            false => println!("{}", l.version),
        }
    }
    Ok(exit::OK)
}

pub fn run_latest(
    ctx: &Context,
    tool: Option<&str>,
    prefix: Option<&str>,
    all: bool,
    json: bool,
) -> anyhow::Result<i32> {
    if !all {
        let tool =
            tool.ok_or_else(|| Error::Usage("usage: tool latest <tool> [prefix] | --all".into()))?;
        let (version, backend) = versions::latest_from(ctx, tool, prefix)?;
        match json {
            true => println!(
                "{}",
                serde_json::json!({"tool": tool, "version": version, "backend": backend})
            ),
            false => println!("{version}"),
        }
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
