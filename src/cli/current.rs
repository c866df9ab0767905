//! `tool current [tool]`: asdf 0.16's table of Name, Version, Source, Installed.

use std::collections::BTreeSet;

use crate::config::resolve::{Resolver, Selection};
use crate::context::Context;
use crate::error::exit;
use crate::installed::{self, Located};
use crate::tools::Tools;

const EMPTY: &str = "______";

pub fn run(ctx: &Context, tool: Option<&str>, no_header: bool) -> anyhow::Result<i32> {
    let tools = Tools::new(&ctx.env);
    let mut resolver = ctx.resolver(&tools);
    let names: Vec<String> = match tool {
        Some(t) => {
            Tools::new(&ctx.env).require_known(t)?;
            vec![t.to_string()]
        }
        None => all_tools(ctx, &mut resolver)?,
    };
    if names.is_empty() && Tools::new(&ctx.env).present().is_empty() {
        eprintln!("No plugins installed");
        return Ok(exit::OK);
    }
    let mut rows = Vec::new();
    if !no_header {
        rows.push(["Name", "Version", "Source", "Installed"].map(String::from));
    }
    let mut code = exit::OK;
    for name in &names {
        let selection = resolver.resolve(name)?;
        let (row, row_code) = row_for(ctx, name, selection.as_ref());
        rows.push(row);
        code = code.max(row_code);
    }
    print!("{}", table(&rows));
    // asdf's codes for a single tool: 126 when no version is set, 1 when the
    // set version is not installed.
    Ok(if tool.is_some() { code } else { exit::OK })
}

/// Tools present in the data dir plus those named in applicable files and
/// the nearest `.readthedocs.yaml` (when those are read).
fn all_tools(ctx: &Context, resolver: &mut Resolver<'_>) -> anyhow::Result<Vec<String>> {
    let mut names: BTreeSet<String> = Tools::new(&ctx.env).present();
    for file in resolver.applicable_files()? {
        names.extend(file.entries().map(|e| e.tool.clone()));
    }
    for dir in ctx.env.cwd.ancestors() {
        if let Some(config) = resolver.build_config(dir)? {
            names.extend(config.tools.iter().map(|t| t.tool.clone()));
            break;
        }
    }
    Ok(names.into_iter().collect())
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
