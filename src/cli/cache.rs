//! `tool cache pack|push|build|list`: publish installed versions to a bucket
//! and see what buckets hold.

use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use object_store::ObjectStoreExt;
use serde_json::json;

use crate::backend::cache::{list_objects, runtime};
use crate::cache::bucket::{self, Bucket};
use crate::cache::host::Host;
use crate::cache::key::{Format, Template};
use crate::cache::publish;
use crate::cli::Ctx;
use crate::error::{Error, exit};
use crate::install::{Options, Request, batch};
use crate::tools;
use crate::version::VersionSpec;

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
    Build {
        #[command(flatten)]
        push: PushArgs,
        /// Rebuild and overwrite a key the bucket already has
        #[arg(long)]
        force: bool,
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
    /// `both` also writes the .tar.gz that older readers expect
    #[arg(long, value_enum, default_value = "zst")]
    format: FormatArg,
    /// Bucket URL to write to (default: the first writable configured bucket)
    #[arg(long)]
    bucket: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, cmd: CacheCmd) -> anyhow::Result<i32> {
    match cmd {
        CacheCmd::Pack {
            tool,
            version,
            output,
            format,
        } => pack(ctx, &tool, &version, output, format),
        CacheCmd::Push(args) => push(ctx, &args).map(|_| exit::OK),
        CacheCmd::Build { push: args, force } => build(ctx, &args, force),
        CacheCmd::List { tool, json } => list(ctx, tool.as_deref(), json),
    }
}

fn pack(
    ctx: &Ctx,
    tool: &str,
    version: &str,
    output: Option<PathBuf>,
    format: FormatArg,
) -> anyhow::Result<i32> {
    tools::require_known(&ctx.env, tool)?;
    let (formats, dir, rename) = match &output {
        Some(out) => {
            let format = Format::ALL
                .into_iter()
                .find(|f| out.to_string_lossy().ends_with(f.extension()))
                .ok_or_else(|| {
                    Error::Usage("-o needs a file name ending in .tar.zst or .tar.gz".into())
                })?;
            let dir = out
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf();
            (vec![format], dir, Some(out.clone()))
        }
        None => (format.formats(), ctx.env.cwd.clone(), None),
    };
    let (_, files) = publish::pack_all(&ctx.env, &ctx.settings, tool, version, &formats, &dir)?;
    for f in files {
        let path = match &rename {
            Some(target) if *target != f.path => {
                std::fs::rename(&f.path, target)?;
                let name = target
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                std::fs::remove_file(format!("{}.sha256", f.path.display()))?;
                std::fs::write(
                    format!("{}.sha256", target.display()),
                    publish::sha256_line(&f.sha256, &name),
                )?;
                target.clone()
            }
            _ => f.path,
        };
        println!("{}  {}", path.display(), f.sha256);
    }
    Ok(exit::OK)
}

struct Pushed {
    bucket: String,
    keys: Vec<String>,
    bytes: u64,
}

fn push(ctx: &Ctx, args: &PushArgs) -> anyhow::Result<Pushed> {
    tools::require_known(&ctx.env, &args.tool)?;
    let target = bucket::for_writing(&ctx.env, &ctx.settings, args.bucket.as_deref())?;
    let tmp_root = ctx.env.layout.tmp_dir();
    std::fs::create_dir_all(&tmp_root)?;
    let scratch = tempfile::Builder::new()
        .prefix("push-")
        .tempdir_in(&tmp_root)?;
    let (manifest, files) = publish::pack_all(
        &ctx.env,
        &ctx.settings,
        &args.tool,
        &args.version,
        &args.format.formats(),
        scratch.path(),
    )?;
    let key = Template::parse(ctx.settings.get("cache.key_template"))?.render(
        &Host::detect(&ctx.settings),
        &args.tool,
        &args.version,
    );
    let keys = runtime()?.block_on(publish::upload(&target, &key, &manifest, &files))?;
    let bytes = files.iter().map(|f| f.bytes).sum();
    for k in &keys {
        eprintln!("pushed {k} to {}", target.display);
    }
    let pushed = Pushed {
        bucket: target.display.clone(),
        keys,
        bytes,
    };
    if args.json {
        println!(
            "{}",
            json!({"tool": args.tool, "version": args.version, "bucket": pushed.bucket, "keys": pushed.keys, "bytes": pushed.bytes, "outcome": "pushed"})
        );
    }
    Ok(pushed)
}

fn exists(target: &Bucket, key: &str, formats: &[Format]) -> anyhow::Result<bool> {
    let rt = runtime()?;
    for f in formats {
        match rt.block_on(
            target
                .store
                .head(&target.path(&format!("{key}{}", f.extension()))),
        ) {
            Ok(_) => {}
            Err(object_store::Error::NotFound { .. }) => return Ok(false),
            Err(e) => {
                return Err(
                    Error::Other(format!("cannot check {key} in {}: {e}", target.display)).into(),
                );
            }
        }
    }
    Ok(true)
}

fn build(ctx: &Ctx, args: &PushArgs, force: bool) -> anyhow::Result<i32> {
    tools::require_known(&ctx.env, &args.tool)?;
    let target = bucket::for_writing(&ctx.env, &ctx.settings, args.bucket.as_deref())?;
    let key = Template::parse(ctx.settings.get("cache.key_template"))?.render(
        &Host::detect(&ctx.settings),
        &args.tool,
        &args.version,
    );
    if !force && exists(&target, &key, &args.format.formats())? {
        eprintln!(
            "{key} is already in {}; --force rebuilds it",
            target.display
        );
        if args.json {
            println!(
                "{}",
                json!({"tool": args.tool, "version": args.version, "bucket": target.display, "key": key, "outcome": "already-cached"})
            );
        }
        return Ok(exit::OK);
    }
    let installed = crate::installed::is_installed(&ctx.env, &args.tool, &args.version);
    if !installed || force {
        install_fresh(ctx, args, installed)?;
    }
    push(ctx, args)?;
    Ok(exit::OK)
}

/// Installs through the non-cache backends; an installed copy (`replace`)
/// is moved aside first and put back if the build fails.
fn install_fresh(ctx: &Ctx, args: &PushArgs, replace: bool) -> anyhow::Result<()> {
    let tmp = ctx.env.layout.tmp_dir();
    std::fs::create_dir_all(&tmp)?;
    let trash = tempfile::Builder::new()
        .prefix("rebuild-")
        .tempdir_in(&tmp)?;
    let old = ctx.env.layout.install_path(&args.tool, &args.version);
    if replace {
        std::fs::rename(&old, trash.path().join("old"))?;
    }
    let request = Request {
        tool: args.tool.clone(),
        spec: VersionSpec::Version(args.version.clone()),
    };
    let options = Options {
        no_cache: true,
        ..Options::default()
    };
    let reports = batch::run(
        &ctx.env,
        &ctx.settings,
        std::slice::from_ref(&request),
        &options,
        args.json,
    );
    if args.json {
        for r in &reports {
            println!("{}", serde_json::to_string(r)?);
        }
    }
    if let Some(err) = reports.first().and_then(|r| r.error.clone()) {
        if replace {
            let _ = std::fs::rename(trash.path().join("old"), &old);
        }
        return Err(Error::Other(format!(
            "cannot build {} {}: {err}",
            args.tool, args.version
        ))
        .into());
    }
    crate::shim::reshim::sync(&ctx.env, &super::reshim::launcher()?)?;
    Ok(())
}

fn list(ctx: &Ctx, tool: Option<&str>, json_out: bool) -> anyhow::Result<i32> {
    let template = Template::parse(ctx.settings.get("cache.key_template"))?;
    let rt = runtime()?;
    let mut rows = Vec::new();
    for b in bucket::configured(&ctx.env, &ctx.settings)? {
        let objects = match rt.block_on(list_objects(&b)) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("tool: {e}");
                continue;
            }
        };
        for (key, size, date) in objects {
            let is_archive = Format::ALL.iter().any(|f| key.ends_with(f.extension()));
            if !is_archive || tool.is_some_and(|t| !template.is_archive_of(t, &key)) {
                continue;
            }
            let base = Format::ALL
                .iter()
                .find_map(|f| key.strip_suffix(f.extension()))
                .unwrap_or(&key);
            let manifest: Option<crate::cache::manifest::Manifest> = rt
                .block_on(crate::cache::fetch::small(
                    &b,
                    &format!("{base}.manifest.json"),
                ))
                .ok()
                .flatten()
                .and_then(|m| serde_json::from_slice(&m).ok());
            let platform =
                manifest.map_or_else(|| "-".to_string(), |m| format!("{}/{}", m.os, m.arch));
            rows.push((key, size, date, platform, b.display.clone()));
        }
    }
    if json_out {
        let items: Vec<_> = rows
            .iter()
            .map(|(k, s, d, p, b)| json!({"key": k, "bytes": s, "date": d, "platform": p, "bucket": b}))
            .collect();
        println!("{}", serde_json::Value::Array(items));
        return Ok(exit::OK);
    }
    let w = rows.iter().map(|r| r.0.len()).max().unwrap_or(3).max(3);
    for (key, size, date, platform, b) in &rows {
        println!(
            "{key:<w$}  {:>9}  {date}  {platform:<22}  {b}",
            crate::progress::human_bytes(*size)
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
