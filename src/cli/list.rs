//! `tool list [tool [filter]]`: installed versions in asdf's format, the
//! current ones marked with `*`.

use crate::config::resolve::Resolver;
use crate::context::Context;
use crate::error::exit;
use crate::installed::{self, Located};

pub fn run(ctx: &Context, tool: Option<&str>, filter: Option<&str>) -> anyhow::Result<i32> {
    let tools = ctx.tools();
    let mut resolver = ctx.resolver(&tools);
    let Some(tool) = tool else {
        let present = ctx.tools().present();
        if present.is_empty() {
            eprintln!("No tools installed");
        }
        for name in present {
            println!("{name}");
            let lines = lines_for(ctx, &mut resolver, &name, None)?;
            if lines.is_empty() {
                println!("  No versions installed");
            }
            lines.iter().for_each(|l| println!("{l}"));
        }
        return Ok(exit::OK);
    };
    ctx.tools().require_known(tool)?;
    let lines = lines_for(ctx, &mut resolver, tool, filter)?;
    if lines.is_empty() {
        let what = filter.map_or_else(|| tool.to_string(), |f| format!("{tool} {f}"));
        eprintln!("No compatible versions installed ({what})");
    }
    lines.iter().for_each(|l| println!("{l}"));
    Ok(exit::OK)
}

fn lines_for(
    ctx: &Context,
    resolver: &mut Resolver<'_>,
    tool: &str,
    filter: Option<&str>,
) -> anyhow::Result<Vec<String>> {
    let versions: Vec<String> = installed::versions(&ctx.env, tool)
        .into_iter()
        .filter(|v| filter.is_none_or(|f| v.starts_with(f)))
        .collect();
    if versions.is_empty() {
        return Ok(versions);
    }
    let current: Vec<String> = match resolver.resolve(tool)? {
        Some(sel) => sel
            .versions
            .iter()
            .filter_map(|spec| {
                match installed::locate(&ctx.env, tool, spec, sel.origin.base_dir(&ctx.env)) {
                    Located::Dir { version, .. } => Some(version),
                    _ => None,
                }
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(versions
        .into_iter()
        .map(|v| {
            if current.contains(&v) {
                format!(" *{v}")
            } else {
                format!("  {v}")
            }
        })
        .collect())
}
