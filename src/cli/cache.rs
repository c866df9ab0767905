//! `tool cache pack|push|build|list`: publish installed versions to a bucket
//! and see what buckets hold.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use serde_json::json;

use crate::cache::publish;
use crate::cache::{Cache, listing};
use crate::context::Context;
use crate::error::{Error, exit};
use crate::install::batch::Outcome;
use crate::install::cache_build::{self, Built};
use crate::install::cache_publish::{self, Formats};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    Zst,
    Gz,
    Both,
}

impl FormatArg {
    fn formats(self) -> Formats {
        match self {
            FormatArg::Zst => Formats::Zst,
            FormatArg::Gz => Formats::Gz,
            FormatArg::Both => Formats::Both,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum CacheCmd {
    /// Pack an installed version into a deterministic archive (+ .sha256, manifest)
    Pack {
        tool: String,
        version: String,
        /// Output file (.tar.zst or .tar.gz); default: the cache key in the current folder
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "zst")]
        format: FormatArg,
    },
    /// Pack an installed version and upload it to the first writable bucket
    Push(PushArgs),
    /// Install a version through the non-cache backends and push it
    Build(BuildArgs),
    /// Write an ed25519 signing key pair: NAME.secret (mode 0600) and NAME.public
    Keygen {
        /// The key's name, shown in signatures and messages
        name: String,
        /// Folder to write to (default: the current folder)
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Check publish records: signature, and each archive's digest and size
    Verify {
        /// With VERSION: check only this key
        tool: Option<String>,
        version: Option<String>,
        /// Bucket URL to check (default: every configured bucket)
        #[arg(long)]
        bucket: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// What a bucket lacks, as a CI matrix (JSON: {"include": [...]}, one `cache build` each)
    Plan {
        /// A tool, then its versions
        tool: Option<String>,
        versions: Vec<String>,
        /// Versions from a .tool-versions or .readthedocs.yaml (repeatable)
        #[arg(long = "config", value_name = "FILE")]
        configs: Vec<PathBuf>,
        /// Every version of Read the Docs' build.tools table
        #[arg(long)]
        readthedocs_table: bool,
        /// OS names to plan for (repeatable; default: a config's build.os, else this machine's)
        #[arg(long = "os", value_name = "NAME")]
        oses: Vec<String>,
        /// Bucket URL to ask (default: the first writable configured bucket)
        #[arg(long)]
        bucket: Option<String>,
    },
    /// What the buckets hold: key, size, date, os/arch
    List {
        tool: Option<String>,
        #[arg(long)]
        json: bool,
    },
    #[command(flatten)]
    Admin(super::cache_admin::AdminCmd),
    #[command(flatten)]
    Trust(super::cache_trust::TrustCmd),
}

#[derive(clap::Args, Debug)]
pub struct PushArgs {
    tool: String,
    version: String,
    #[command(flatten)]
    to: Destination,
}

/// Where and how `push` and `build` publish.
#[derive(clap::Args, Debug, Clone)]
pub struct Destination {
    /// `both` also writes the .tar.gz that older readers expect
    #[arg(long, value_enum, default_value = "zst")]
    format: FormatArg,
    /// Bucket URL to write to (default: the first writable configured bucket)
    #[arg(long)]
    bucket: Option<String>,
    /// Publish over a key that names other bytes (atomic: only if it is still what was read)
    #[arg(long)]
    replace: bool,
    /// Also readable by older tools and the build service: <key>.tar.zst and its
    /// .sha256 as plain overwrites (not atomic, never signed)
    #[arg(long)]
    legacy_layout: bool,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args, Debug)]
pub struct BuildArgs {
    tool: String,
    /// One or more versions, built and pushed one after another
    #[arg(required = true, num_args = 1..)]
    versions: Vec<String>,
    #[command(flatten)]
    to: Destination,
    /// Rebuild and overwrite a key the bucket already has
    #[arg(long)]
    force: bool,
}

pub fn run(ctx: &Context, cmd: CacheCmd) -> anyhow::Result<i32> {
    match cmd {
        CacheCmd::Pack {
            tool,
            version,
            output,
            format,
        } => pack(ctx, &tool, &version, output, format),
        CacheCmd::Push(args) => push(ctx, &args).map(|()| exit::OK),
        CacheCmd::Build(args) => build_all(ctx, &args),
        CacheCmd::List { tool, json } => list(ctx, tool.as_deref(), json),
        CacheCmd::Keygen { name, dir } => keygen(&name, dir),
        CacheCmd::Admin(cmd) => super::cache_admin::run(ctx, cmd),
        CacheCmd::Trust(cmd) => super::cache_trust::run(ctx, cmd),
        CacheCmd::Plan {
            tool,
            versions,
            configs,
            readthedocs_table,
            oses,
            bucket,
        } => {
            let asked = crate::install::cache_plan::Asked {
                tool,
                versions,
                configs,
                readthedocs_table,
                oses,
                bucket,
            };
            plan(ctx, asked)
        }
        CacheCmd::Verify {
            tool,
            version,
            bucket,
            json,
        } => verify(ctx, tool.zip(version), bucket.as_deref(), json),
    }
}

fn pack(
    ctx: &Context,
    tool: &str,
    version: &str,
    output: Option<PathBuf>,
    format: FormatArg,
) -> anyhow::Result<i32> {
    let files = cache_publish::pack(ctx, tool, version, output.as_deref(), format.formats())?;
    for f in files {
        println!("{}  {}", f.path.display(), f.sha256);
    }
    Ok(exit::OK)
}

fn push(ctx: &Context, args: &PushArgs) -> anyhow::Result<()> {
    let to = target(&args.to, false);
    let pushed = cache_publish::push(ctx, &args.tool, &args.version, &to)?;
    print_pushed(&args.tool, &args.version, &pushed, args.to.json);
    Ok(())
}

/// Where and how `push` and `build` publish, for the library.
fn target(to: &Destination, force: bool) -> cache_build::Target<'_> {
    cache_build::Target {
        bucket: to.bucket.as_deref(),
        formats: to.format.formats(),
        force,
        replace: to.replace || force,
        legacy_layout: to.legacy_layout,
        json: to.json,
    }
}

fn print_pushed(tool: &str, version: &str, pushed: &publish::Pushed, json: bool) {
    let verb = match pushed.outcome {
        publish::Outcome::Published => "pushed",
        publish::Outcome::AlreadyPublished => "already published (the same bytes):",
        publish::Outcome::Replaced => "replaced",
    };
    for k in &pushed.keys {
        crate::progress::note(&format!("{verb} {k} in {}", pushed.bucket));
    }
    if json {
        let outcome = match pushed.outcome {
            publish::Outcome::Published => json!(Outcome::Pushed),
            other => json!(other),
        };
        let line = json!({"tool": tool, "version": version, "bucket": pushed.bucket, "keys": pushed.keys, "bytes": pushed.bytes, "outcome": outcome});
        println!("{line}");
    }
}

/// Builds each version in turn; one failing does not stop the others, and
/// the exit code says whether all succeeded.
fn build_all(ctx: &Context, args: &BuildArgs) -> anyhow::Result<i32> {
    let mut code = exit::OK;
    for version in &args.versions {
        let one = PushArgs {
            tool: args.tool.clone(),
            version: version.clone(),
            to: args.to.clone(),
        };
        if let Err(e) = build(ctx, &one, args.force) {
            if args.versions.len() == 1 {
                return Err(e);
            }
            let person = crate::progress::Audience::of_stderr().is_person();
            crate::error::print(&format!("{e:#}"), crate::error::hint_of(&e), person);
            code = exit::FAILURE;
        }
    }
    Ok(code)
}

fn build(ctx: &Context, args: &PushArgs, force: bool) -> anyhow::Result<i32> {
    let to = target(&args.to, force);
    let (tool, version) = (&args.tool, &args.version);
    let build = match cache_build::cache_build(ctx, tool, version, &to)? {
        Built::AlreadyCached { key, bucket } => {
            eprintln!("{key} is already in {bucket}; --force rebuilds it");
            if args.to.json {
                let line = json!({"tool": tool, "version": version, "bucket": bucket, "key": key, "outcome": Outcome::AlreadyCached});
                println!("{line}");
            }
            return Ok(exit::OK);
        }
        Built::BuildFailed { build } => {
            print_build(&build, args.to.json)?;
            let err = build.error.unwrap_or_default();
            let hint = build.hint.unwrap_or_default();
            return Err(
                Error::hinted(format!("cannot build {tool} {version}: {err}"), hint).into(),
            );
        }
        Built::Published { build, pushed } => {
            if let Some(b) = build {
                print_build(&b, args.to.json)?;
            }
            pushed
        }
    };
    print_pushed(tool, version, &build, args.to.json);
    Ok(exit::OK)
}

fn print_build(report: &crate::install::batch::Report, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
    }
    Ok(())
}

fn list(ctx: &Context, tool: Option<&str>, json_out: bool) -> anyhow::Result<i32> {
    let cache = Cache::new(ctx)?;
    let (rows, unreadable) = listing::list(&cache, tool)?;
    for e in unreadable {
        eprintln!("tool: {}", e.report());
    }
    if json_out {
        println!("{}", serde_json::to_string(&rows)?);
        return Ok(exit::OK);
    }
    let w = rows.iter().map(|r| r.key.len()).max().unwrap_or(3).max(3);
    for r in &rows {
        println!(
            "{:<w$}  {:>9}  {}  {:<22}  {}",
            r.key,
            crate::progress::human_bytes(r.bytes),
            r.date,
            r.platform,
            r.bucket
        );
    }
    if rows.is_empty() {
        eprintln!(
            "no cached builds{}",
            tool.map(|t| format!(" of {t}")).unwrap_or_default()
        );
    }
    Ok(exit::OK)
}

fn keygen(name: &str, dir: Option<PathBuf>) -> anyhow::Result<i32> {
    let key = crate::cache::sign::SecretKey::generate(name)?;
    let dir = dir.unwrap_or_else(|| PathBuf::from("."));
    let (secret, public) = key.write_pair(&dir)?;
    eprintln!(
        "wrote {} (keep it secret; cache.signing_key names it) and {}",
        secret.display(),
        public.display()
    );
    // The public key alone, for cache.trusted_keys.
    println!("{}", key.public());
    Ok(exit::OK)
}

fn verify(
    ctx: &Context,
    key_of: Option<(String, String)>,
    bucket: Option<&str>,
    json_out: bool,
) -> anyhow::Result<i32> {
    let cache = Cache::new(ctx)?;
    let key_of = key_of.as_ref().map(|(t, v)| (t.as_str(), v.as_str()));
    let print = |c: &crate::cache::verify::Checked| print_checked(c, json_out);
    let all_good = crate::cache::verify::check_buckets(&cache, key_of, bucket, print)?;
    Ok(if all_good { exit::OK } else { exit::FAILURE })
}

fn print_checked(c: &crate::cache::verify::Checked, json_out: bool) {
    if json_out {
        println!("{}", json!(c));
        return;
    }
    let signed = c.signed_by.as_deref().map(|k| format!(", signed by {k}"));
    match &c.problem {
        None => println!(
            "ok  {} in {}{}",
            c.key,
            c.bucket,
            signed.unwrap_or_default()
        ),
        Some(why) => println!("BAD {} in {}: {why}", c.key, c.bucket),
    }
}

fn plan(ctx: &Context, asked: crate::install::cache_plan::Asked) -> anyhow::Result<i32> {
    let planned = crate::install::cache_plan::command(ctx, asked)?;
    if !planned.left_out.is_empty() {
        let names = planned.left_out.join(", ");
        eprintln!("left out (tool cannot build them): {names}");
    }
    let missing = planned.missing.len();
    eprintln!(
        "{missing} of {} builds missing ({} OS: {})",
        missing + planned.present,
        planned.oses.len(),
        planned.oses.join(", ")
    );
    println!("{}", json!({ "include": planned.missing }));
    Ok(exit::OK)
}
