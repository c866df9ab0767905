//! `tool cache adopt|gc|rm`: the commands of the people who run a bucket —
//! adopt the layout before records into publish records, sweep archives no
//! record names, retire a record. Each parses, makes one library call, prints.

use clap::Subcommand;
use serde_json::json;

use crate::cache::adopt::{Adopted, Outcome};
use crate::cache::{Cache, gc};
use crate::context::Context;
use crate::error::exit;
use crate::progress::human_bytes;

#[derive(Subcommand, Debug)]
pub enum AdminCmd {
    /// Turn archives of the layout before records (<key>.tar.gz, the build
    /// service's) into publish records without rebuilding; the old objects stay
    Adopt {
        /// Only this tool's keys (with VERSION: only that key)
        tool: Option<String>,
        version: Option<String>,
        /// Bucket URL (default: the first writable configured bucket)
        #[arg(long)]
        bucket: Option<String>,
        /// Say what would be adopted; change nothing
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// List (default) or delete archives no publish record names, older than cache.gc_grace
    Gc {
        /// Delete them (without it, only list)
        #[arg(long)]
        delete: bool,
        /// Bucket URL (default: the first writable configured bucket)
        #[arg(long)]
        bucket: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Retire the publish record of a version (only if nobody changed it meanwhile)
    Rm {
        tool: String,
        version: String,
        /// Bucket URL (default: the first writable configured bucket)
        #[arg(long)]
        bucket: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(ctx: &Context, cmd: AdminCmd) -> anyhow::Result<i32> {
    match cmd {
        AdminCmd::Adopt {
            tool,
            version,
            bucket,
            dry_run,
            json,
        } => {
            let asked = crate::install::cache_adopt::Asked {
                tool,
                version,
                bucket,
                dry_run,
                json,
            };
            let print = |a: &Adopted| print_adopted(a, json);
            let all_good = crate::install::cache_adopt::command(ctx, &asked, print)?;
            Ok(if all_good { exit::OK } else { exit::FAILURE })
        }
        AdminCmd::Gc {
            delete,
            bucket,
            json,
        } => {
            let report = gc::command(&Cache::new(ctx)?, bucket.as_deref(), delete)?;
            print_swept(&report, delete, json);
            Ok(exit::OK)
        }
        AdminCmd::Rm {
            tool,
            version,
            bucket,
            json,
        } => {
            let removed = gc::remove(&Cache::new(ctx)?, bucket.as_deref(), &tool, &version)?;
            match json {
                true => println!("{}", json!(removed)),
                false => println!("removed {} from {}", removed.record, removed.bucket),
            }
            Ok(exit::OK)
        }
    }
}

fn print_adopted(a: &Adopted, json_out: bool) {
    if json_out {
        println!("{}", json!(a));
        return;
    }
    let said = match a.outcome {
        Outcome::Adopted => format!("adopted {} as {}", a.key, a.archives.join(", ")),
        Outcome::AlreadyAdopted => format!("{} already has a publish record", a.key),
        Outcome::WouldAdopt => format!("would adopt {}", a.archives.join(", ")),
        Outcome::Refused => format!(
            "REFUSED {}: {}",
            a.key,
            a.why.as_deref().unwrap_or_default()
        ),
    };
    println!("{said}");
}

fn print_swept(r: &gc::Report, delete: bool, json_out: bool) {
    if json_out {
        println!("{}", json!(r));
        return;
    }
    for o in &r.orphans {
        println!("{}  {:>9}  {}", o.object, human_bytes(o.bytes), o.modified);
    }
    let verb = if delete { "deleted" } else { "would delete" };
    eprintln!(
        "{}: {} archives, {} named by {} records, {} younger than cache.gc_grace kept; {verb} {} ({})",
        r.bucket,
        r.archives,
        r.named,
        r.records,
        r.young,
        r.orphans.len(),
        human_bytes(r.orphan_bytes)
    );
}
