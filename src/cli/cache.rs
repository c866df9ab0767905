//! `tool cache pack|push|build|list`: publish installed versions to a bucket
//! and see what buckets hold.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use serde_json::json;

use crate::archive::Format;
use crate::cache::publish::{self, PackTo};
use crate::cache::{Cache, listing};
use crate::context::Context;
use crate::error::{Error, exit};
use crate::install::batch::Outcome;
use crate::install::cache_build::{self, Built};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    Zst,
    Gz,
    Both,
}

impl FormatArg {
    fn formats(self) -> Vec<Format> {
        match self {
            FormatArg::Zst => vec![Format::Zstd],
            FormatArg::Gz => vec![Format::Gzip],
            FormatArg::Both => vec![Format::Zstd, Format::Gzip],
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
        CacheCmd::Plan {
            tool,
            versions,
            configs,
            readthedocs_table,
            oses,
            bucket,
        } => {
            let asked = PlanArgs {
                tool,
                versions,
                configs,
                readthedocs_table,
                oses,
            };
            plan(ctx, asked, bucket.as_deref())
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
    ctx.tools().require_known(tool)?;
    let (formats, to) = match &output {
        Some(out) => {
            let format = Format::of_name(&out.to_string_lossy()).ok_or_else(|| {
                Error::Usage("-o needs a file name ending in .tar.zst or .tar.gz".into())
            })?;
            (vec![format], PackTo::File(out))
        }
        None => (format.formats(), PackTo::Folder(&ctx.env.cwd)),
    };
    let cache = Cache::new(ctx)?;
    let cancel = crate::process::Cancel::on_signals();
    for f in publish::pack_into(&ctx.env, &cache, tool, version, &formats, to, &cancel)? {
        println!("{}  {}", f.path.display(), f.sha256);
    }
    Ok(exit::OK)
}

fn push(ctx: &Context, args: &PushArgs) -> anyhow::Result<()> {
    ctx.tools().require_known(&args.tool)?;
    let cache = Cache::new(ctx)?;
    let cancel = crate::process::Cancel::on_signals();
    let target = cache.for_writing(args.to.bucket.as_deref())?;
    let target = target.stopping_on(cancel.shared());
    let signer = crate::cache::signing_key(&ctx.installs)?;
    let how = publish::How {
        signer: signer.as_ref(),
        replace: args.to.replace,
        legacy_layout: args.to.legacy_layout,
        cancel: &cancel,
    };
    let pushed = publish::push(
        &ctx.env,
        &cache,
        &target,
        &args.tool,
        &args.version,
        &args.to.format.formats(),
        &how,
    )?;
    print_pushed(&args.tool, &args.version, &pushed, args.to.json);
    Ok(())
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
    let formats = args.to.format.formats();
    let to = cache_build::Target {
        bucket: args.to.bucket.as_deref(),
        formats: &formats,
        force,
        replace: args.to.replace || force,
        legacy_layout: args.to.legacy_layout,
        json: args.to.json,
    };
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
    let buckets = match bucket {
        Some(url) => vec![cache.open_url(url)?],
        None => cache.buckets()?,
    };
    let scratch = crate::cache::verify::Scratch {
        parent: ctx.env.layout.tmp_dir(),
        max_bytes: ctx.installs.cache.max_unpacked_size,
    };
    let mut code = exit::OK;
    for b in &buckets {
        let keys = match &key_of {
            Some((tool, version)) => vec![cache.key(tool, version)],
            None => crate::cache::verify::record_keys(b)?,
        };
        for key in keys {
            let checked = crate::cache::verify::check(b, &key, &cache.trusted, &scratch);
            if checked.problem.is_some() {
                code = exit::FAILURE;
            }
            print_checked(&checked, json_out);
        }
    }
    Ok(code)
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

struct PlanArgs {
    tool: Option<String>,
    versions: Vec<String>,
    configs: Vec<PathBuf>,
    readthedocs_table: bool,
    oses: Vec<String>,
}

fn plan(ctx: &Context, args: PlanArgs, bucket: Option<&str>) -> anyhow::Result<i32> {
    use crate::install::cache_plan::{self, Wanted};
    let mut wanted: Vec<Wanted> = Vec::new();
    let mut oses = args.oses;
    for os in &oses {
        crate::platform::check_os(os).map_err(|why| Error::Invalid {
            what: "--os value",
            value: os.clone(),
            why,
        })?;
    }
    if let Some(tool) = &args.tool {
        ctx.tools().require_known(tool)?;
        wanted.extend(args.versions.iter().map(|v| Wanted {
            tool: tool.clone(),
            version: v.clone(),
        }));
    }
    let mut config_oses = Vec::new();
    for file in &args.configs {
        let (found, os) = cache_plan::from_file(ctx, file)?;
        wanted.extend(found);
        config_oses.extend(os);
    }
    if args.readthedocs_table {
        let (found, unknown) = cache_plan::from_readthedocs_table(ctx);
        wanted.extend(found);
        if !unknown.is_empty() {
            eprintln!("left out (tool cannot build them): {}", unknown.join(", "));
        }
    }
    if wanted.is_empty() {
        return Err(Error::Usage(
            "nothing to plan: give a tool and versions, --config FILE or --readthedocs-table"
                .into(),
        )
        .into());
    }
    if oses.is_empty() {
        oses = match config_oses.is_empty() {
            true => vec![Cache::new(ctx)?.host.os],
            false => config_oses,
        };
    }
    oses.dedup();
    let (missing, present) = cache_plan::plan(ctx, &wanted, &oses, bucket)?;
    eprintln!(
        "{} of {} builds missing ({} OS: {})",
        missing.len(),
        missing.len() + present,
        oses.len(),
        oses.join(", ")
    );
    println!("{}", json!({ "include": missing }));
    Ok(exit::OK)
}
