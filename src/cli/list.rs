//! `tool list [tool [filter]]`: installed versions in asdf's format, the
//! current ones marked with `*`.

use crate::context::Context;
use crate::error::exit;
use crate::install::versions;

pub fn run(ctx: &Context, tool: Option<&str>, filter: Option<&str>) -> anyhow::Result<i32> {
    let Some(tool) = tool else {
        let present = versions::present(ctx);
        if present.is_empty() {
            eprintln!("No tools installed");
        }
        for name in present {
            println!("{name}");
            let found = versions::installed(ctx, &name, None)?;
            if found.is_empty() {
                println!("  No versions installed");
            }
            print_lines(&found);
        }
        return Ok(exit::OK);
    };
    let found = versions::installed(ctx, tool, filter)?;
    if found.is_empty() {
        let what = filter.map_or_else(|| tool.to_string(), |f| format!("{tool} {f}"));
        eprintln!("No compatible versions installed ({what})");
    }
    print_lines(&found);
    Ok(exit::OK)
}

fn print_lines(found: &[(String, bool)]) {
    for (version, current) in found {
        let mark = if *current { '*' } else { ' ' };
        println!(" {mark}{version}");
    }
}
