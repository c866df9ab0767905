//! `tool current [tool]`: asdf 0.16's table of Name, Version, Source, Installed.

use crate::config::resolve::Selection;
use crate::context::Context;
use crate::error::exit;
use crate::install;
use crate::installed::{self, Located};

const EMPTY: &str = "______";

pub fn run(ctx: &Context, tool: Option<&str>, no_header: bool) -> anyhow::Result<i32> {
    let rows_set: Vec<(String, Option<Selection>)> = match tool {
        Some(t) => {
            let tools = ctx.tools();
            tools.require_known(t)?;
            vec![(t.to_string(), ctx.resolver(&tools).resolve(t)?)]
        }
        None => {
            let mut all = install::gather::set_here(ctx)?;
            all.sort_by(|a, b| a.0.cmp(&b.0));
            all
        }
    };
    if rows_set.is_empty() && ctx.tools().present().is_empty() {
        eprintln!("No plugins installed");
        return Ok(exit::OK);
    }
    let mut rows = Vec::new();
    if !no_header {
        rows.push(["Name", "Version", "Source", "Installed"].map(String::from));
    }
    let mut code = exit::OK;
    for (name, selection) in &rows_set {
        let (row, row_code) = row_for(ctx, name, selection.as_ref());
        rows.push(row);
        code = code.max(row_code);
    }
    print!("{}", table(&rows));
    // asdf's codes for a single tool: 126 when no version is set, 1 when the
    // set version is not installed.
    Ok(if tool.is_some() { code } else { exit::OK })
}

fn row_for(ctx: &Context, name: &str, selection: Option<&Selection>) -> ([String; 4], i32) {
    let Some(sel) = selection else {
        return (
            [name.into(), EMPTY.into(), EMPTY.into(), String::new()],
            exit::NOT_INSTALLED,
        );
    };
    let versions: Vec<String> = sel.versions.iter().map(ToString::to_string).collect();
    let first = &sel.versions[0];
    let is_installed = !matches!(
        installed::locate(&ctx.env, name, first, sel.origin.base_dir(&ctx.env)),
        Located::Missing
    );
    let status = if is_installed {
        "true".to_string()
    } else {
        format!("false - Run `{} install {name} {first}`", ctx.env.program)
    };
    let code = if is_installed {
        exit::OK
    } else {
        exit::FAILURE
    };
    (
        [
            name.into(),
            versions.join(" "),
            sel.origin.describe(),
            status,
        ],
        code,
    )
}

/// Aligns columns like Go's tabwriter with minwidth 16 and padding 1, as
/// asdf prints them; the last column is not padded.
fn table(rows: &[[String; 4]]) -> String {
    let widths: Vec<usize> = (0..3)
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count() + 1)
                .max()
                .unwrap_or(0)
                .max(16)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        for (c, width) in widths.iter().enumerate() {
            out.push_str(&format!("{:<width$}", row[c]));
        }
        out.push_str(&row[3]);
        out.push('\n');
    }
    out
}
