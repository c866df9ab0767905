//! `tool cache sign|copy`: add a key's signature to a bucket's records (key
//! rotation) and promote records with their archives between buckets.

use clap::Subcommand;
use serde_json::json;

use crate::cache::Cache;
use crate::cache::rotate::{Done, Outcome, Select};
use crate::context::Context;
use crate::error::exit;

#[derive(Subcommand, Debug)]
pub enum TrustCmd {
    /// Add the signature of cache.signing_key to publish records (their bytes unchanged)
    Sign {
        /// Only this tool's records (any OS)
        tool: Option<String>,
        /// Only this version's record
        version: Option<String>,
        /// Bucket URL to sign in (default: the first writable configured bucket)
        #[arg(long)]
        bucket: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Copy trusted records and their checked archives to another bucket, signed with cache.signing_key
    Copy {
        /// Bucket URL to copy from
        from: String,
        /// Bucket URL to copy to
        to: String,
        /// Only this tool's records (any OS)
        tool: Option<String>,
        /// Only these versions' records
        versions: Vec<String>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(ctx: &Context, cmd: TrustCmd) -> anyhow::Result<i32> {
    let cache = Cache::new(ctx)?;
    let (all_good, none, json_out) = match &cmd {
        TrustCmd::Sign {
            tool,
            version,
            bucket,
            json,
        } => {
            let versions: Vec<String> = version.iter().cloned().collect();
            let select = Select {
                tool: tool.as_deref(),
                versions: &versions,
            };
            let mut seen = 0;
            let print = |d: &Done| print_done(d, *json, &mut seen);
            let all_good = crate::cache::rotate::sign(&cache, &select, bucket.as_deref(), print)?;
            (all_good, seen == 0, *json)
        }
        TrustCmd::Copy {
            from,
            to,
            tool,
            versions,
            json,
        } => {
            let select = Select {
                tool: tool.as_deref(),
                versions,
            };
            let mut seen = 0;
            let print = |d: &Done| print_done(d, *json, &mut seen);
            let all_good = crate::cache::copy::copy(&cache, from, to, &select, print)?;
            (all_good, seen == 0, *json)
        }
    };
    if none && !json_out {
        eprintln!("no publish records matched");
    }
    Ok(if all_good { exit::OK } else { exit::FAILURE })
}

fn print_done(d: &Done, json_out: bool, seen: &mut usize) {
    *seen += 1;
    if json_out {
        println!("{}", json!(d));
        return;
    }
    let verb = match d.outcome {
        Outcome::Signed => "signed",
        Outcome::AlreadySigned => "already signed",
        Outcome::Copied => "copied",
        Outcome::AlreadyCopied => "already copied",
        Outcome::Refused => {
            let why = d.problem.as_deref().unwrap_or_default();
            println!("REFUSED {} ({}): {why}", d.key, d.bucket);
            return;
        }
    };
    println!("{verb:<14} {} in {}", d.key, d.bucket);
}
