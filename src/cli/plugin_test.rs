//! `tool plugin test <name> <git-url> [--asdf-tool-version V]
//! [--asdf-plugin-gitref REF] [command…]`: adds the plugin into a throwaway
//! data dir, checks its callbacks and LICENSE, installs a version and runs
//! the optional command with it.

use std::os::unix::fs::PermissionsExt;

use clap::Args;

use crate::backend::{Backend, plugin::PluginBackend};
use crate::cli::Ctx;
use crate::env::Env;
use crate::error::{Error, exit};
use crate::install::{self, Context, Options, Request};
use crate::layout::Layout;
use crate::plugin::{CALLBACKS, Plugin, git, manage};
use crate::process::{Cancel, Sink};
use crate::version::VersionSpec;

#[derive(Args, Debug)]
pub struct TestArgs {
    name: Option<String>,
    git_url: Option<String>,
    /// Version to install (default: the latest stable one)
    #[arg(long)]
    asdf_tool_version: Option<String>,
    /// Plugin git ref to test
    #[arg(long)]
    asdf_plugin_gitref: Option<String>,
    /// Command to run with the installed version
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<String>,
}

pub fn run(ctx: &Ctx, args: TestArgs) -> anyhow::Result<i32> {
    if args.name.is_none() || args.git_url.is_none() {
        eprintln!("FAILED: please provide a plugin name and url");
        return Ok(exit::FAILURE);
    }
    let scratch = tempfile::Builder::new()
        .prefix("tool-plugin-test-")
        .tempdir()?;
    let mut env = ctx.env.clone();
    env.layout = Layout::new(scratch.path().to_path_buf());
    match check(ctx, &env, &args) {
        Ok(code) => Ok(code),
        Err(e) => {
            eprintln!("FAILED: {}", e.report());
            Ok(exit::FAILURE)
        }
    }
}

fn check(ctx: &Ctx, env: &Env, args: &TestArgs) -> crate::error::Result<i32> {
    let name = args.name.as_deref().unwrap_or_default();
    let plugin = match manage::add(env, &ctx.settings, name, args.git_url.as_deref())? {
        manage::Added::New(p) => p,
        manage::Added::AlreadyThere => Plugin::load(env, name)?,
    };
    if let Some(r) = &args.asdf_plugin_gitref {
        git::checkout(&plugin.dir, r)?;
    }
    check_files(&plugin)?;
    let backend = PluginBackend;
    let versions = backend.list_versions(env, name).map_err(failure)?;
    if versions.is_empty() {
        return Err(Error::Other("list-all did not return any version".into()));
    }
    let spec = match &args.asdf_tool_version {
        Some(v) => VersionSpec::parse(v)?,
        None => VersionSpec::Latest(None),
    };
    let request = Request {
        tool: name.to_string(),
        spec,
    };
    let options = Options {
        backend: Some("plugin".into()),
        ..Options::default()
    };
    let cx = Context {
        env,
        settings: &ctx.settings,
        options: &options,
        sink: &Sink::Terminal,
        cancel: &Cancel::on_signals(),
    };
    let mut task = crate::progress::Progress::new(false).task(name.to_string());
    let done = install::install(&cx, &request, &mut task)?;
    eprintln!(
        "installed {name} {} into {}",
        done.resolved.dir,
        done.path.display()
    );
    run_command(env, name, &done, &args.command)
}

/// The optional command, run with the installed version first on PATH.
fn run_command(
    env: &Env,
    name: &str,
    done: &install::Done,
    command: &[String],
) -> crate::error::Result<i32> {
    let Some((program, rest)) = command.split_first() else {
        return Ok(exit::OK);
    };
    let bins = crate::config::ToolInfo::bin_paths(
        &crate::plugin::Tools { env },
        name,
        &done.resolved.dir,
        &done.path,
    );
    let mut path: Vec<std::path::PathBuf> = bins.iter().map(|b| done.path.join(b)).collect();
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let status = std::process::Command::new(program)
        .args(rest)
        .env("PATH", std::env::join_paths(path).unwrap_or_default())
        .env("ASDF_INSTALL_PATH", &done.path)
        .env("ASDF_INSTALL_VERSION", &done.resolved.version)
        .status()
        .map_err(|e| Error::Other(format!("cannot run `{program}`: {e}")))?;
    if !status.success() {
        return Err(Error::Failed {
            what: format!("`{}`", command.join(" ")),
            status: Error::status_text(status),
            detail: String::new(),
        });
    }
    Ok(exit::OK)
}

fn failure(f: crate::backend::Failure) -> Error {
    match f {
        crate::backend::Failure::NotAvailable(w) => Error::Other(w),
        crate::backend::Failure::Error(e) => e,
    }
}

fn check_files(plugin: &Plugin) -> crate::error::Result<()> {
    if !plugin.dir.join("bin").is_dir() {
        return Err(Error::Other("bin/ directory does not exist".into()));
    }
    for required in ["list-all", "install"] {
        if !plugin.has(required) {
            return Err(Error::Other(format!("missing callback bin/{required}")));
        }
    }
    for script in CALLBACKS.iter().filter(|s| plugin.has(s)) {
        let mode = std::fs::metadata(plugin.script_path(script))
            .map(|m| m.permissions().mode())
            .unwrap_or(0);
        if mode & 0o111 == 0 {
            return Err(Error::Other(format!(
                "callback lacks executable permission: bin/{script}"
            )));
        }
    }
    let license = std::fs::read(plugin.dir.join("LICENSE")).unwrap_or_default();
    if license.is_empty() {
        return Err(Error::Other(
            "LICENSE file must be present and not empty in the plugin repository".into(),
        ));
    }
    Ok(())
}
