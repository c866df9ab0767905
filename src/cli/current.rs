//! `tool current [tool]`: asdf 0.16's table of Name, Version, Source, Installed.

use crate::context::Context;
use crate::error::exit;
use crate::install::current::{self, Current};

const EMPTY: &str = "______";

pub fn run(ctx: &Context, tool: Option<&str>, no_header: bool) -> anyhow::Result<i32> {
    let Some(found) = current::current(ctx, tool)? else {
        eprintln!("No plugins installed");
        return Ok(exit::OK);
    };
    let mut rows = Vec::new();
    if !no_header {
        rows.push(["Name", "Version", "Source", "Installed"].map(String::from));
    }
    let mut code = exit::OK;
    for one in &found {
        let (row, row_code) = row_for(ctx, one);
        rows.push(row);
        code = code.max(row_code);
    }
    print!("{}", table(&rows));
    // asdf's codes for a single tool: 126 when no version is set, 1 when the
    // set version is not installed.
    Ok(if tool.is_some() { code } else { exit::OK })
}

fn row_for(ctx: &Context, one: &Current) -> ([String; 4], i32) {
    let name = &one.name;
    let Some(set) = &one.set else {
        return (
            [name.clone(), EMPTY.into(), EMPTY.into(), String::new()],
            exit::NOT_INSTALLED,
        );
    };
    let (status, code) = match set.installed {
        true => ("true".to_string(), exit::OK),
        false => {
            let first = set.versions.first().map_or("", String::as_str);
            let run = format!("{} install {name} {first}", ctx.env.program);
            (format!("false - Run `{run}`"), exit::FAILURE)
        }
    };
    let row = [
        name.clone(),
        set.versions.join(" "),
        set.source.clone(),
        status,
    ];
    (row, code)
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
