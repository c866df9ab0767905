//! `tool list all <tool> [prefix]` and `tool latest <tool> [prefix]` /
//! `tool latest --all`: what the backends can install.

use crate::backend::{self, Failure};
use crate::context::Context;
use crate::error::{Error, exit};
use crate::install;
use crate::installed;
use crate::tools::Tools;

pub fn run_list_all(ctx: &Context, tool: &str, prefix: Option<&str>) -> anyhow::Result<i32> {
    Tools::new(&ctx.env).require_known(tool)?;
    let chain = backend::chain(ctx, tool, None)?;
    let mut versions: Vec<String> = Vec::new();
    let mut why = Vec::new();
    let mut listed = 0;
    for b in &chain {
        match b.list_versions(ctx, tool) {
            // Only a backend that lists something counts: one alone keeps
            // its own order (a plugin's, as asdf shows it).
            Ok(list) if list.is_empty() => {}
            Ok(list) => {
                listed += 1;
                for v in list {
                    if !versions.contains(&v) {
                        versions.push(v);
                    }
                }
            }
            Err(Failure::NotAvailable(w)) => why.push(format!("{}: {w}", b.name())),
            Err(Failure::Error(e)) => return Err(e.into()),
        }
    }
    if listed > 1 {
        crate::version::sort(&mut versions);
    }
    versions.retain(|v| prefix.is_none_or(|p| v.starts_with(p)));
    if versions.is_empty() {
        let what = prefix.map_or_else(|| tool.to_string(), |p| format!("{tool} {p}"));
        let detail = if why.is_empty() {
            String::new()
        } else {
            format!(":\n  {}", why.join("\n  "))
        };
        return Err(
            Error::Other(format!("No compatible versions available ({what}){detail}")).into(),
        );
    }
    for v in versions {
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
        Tools::new(&ctx.env).require_known(tool)?;
        let chain = backend::chain(ctx, tool, None)?;
        println!("{}", install::resolve::latest(ctx, &chain, tool, prefix)?);
        return Ok(exit::OK);
    }
    let mut code = exit::OK;
    for name in Tools::new(&ctx.env).present() {
        let chain = backend::chain(ctx, &name, None)?;
        match install::resolve::latest(ctx, &chain, &name, None) {
            Ok(v) => {
                let state = if installed::is_installed(&ctx.env, &name, &v) {
                    "installed"
                } else {
                    "missing"
                };
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
