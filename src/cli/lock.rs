//! `tool lock [--check] [--config FILE]`: writes (or compares) the lockfile
//! beside the version file: per tool, the exact bytes its backend would
//! install on this machine.

use clap::Args;
use serde_json::json;

use crate::context::Context;
use crate::error::exit;
use crate::install::command;

#[derive(Args, Debug)]
pub struct LockArgs {
    /// Exit 1 when the lockfile is missing or stale, writing nothing
    #[arg(long)]
    check: bool,
    /// Lock what a Read the Docs config file sets (`.readthedocs.yaml`)
    #[arg(long, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    /// Print each entry as a JSON line
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: Context, args: LockArgs) -> anyhow::Result<i32> {
    let computed = command::lock(ctx, args.config.as_deref())?;
    let (path, lock) = (&computed.path, &computed.lock);
    for e in &lock.entries {
        if args.json {
            println!("{}", json!(e));
        }
    }
    if args.check {
        if computed.up_to_date() {
            eprintln!("{} is up to date", path.display());
            return Ok(exit::OK);
        }
        eprintln!("{} is stale:", path.display());
        for line in computed.differences() {
            eprintln!("  {line}");
        }
        return Ok(exit::FAILURE);
    }
    computed.write()?;
    for e in &lock.entries {
        let what = e
            .sha256
            .as_deref()
            .map_or("version only".to_string(), |s| format!("sha256 {s}"));
        crate::progress::note(&format!(
            "locked {} {} ({}, {what})",
            e.tool, e.version, e.backend
        ));
    }
    eprintln!("wrote {}", path.display());
    Ok(exit::OK)
}
