//! `tool plugin test <name> <git-url> [--asdf-tool-version V]
//! [--asdf-plugin-gitref REF] [command…]`: adds the plugin into a throwaway
//! data dir, checks its callbacks and LICENSE, installs a version and runs
//! the optional command with it.

use std::os::unix::fs::PermissionsExt;

use clap::Args;

use crate::backend::{Backend, plugin::PluginBackend};
use crate::context::Context;
use crate::env::Env;
use crate::error::{Error, exit};
use crate::install::{self, Options, Request, Run};
use crate::layout::Layout;
use crate::plugin::{CALLBACKS, Plugin, git, manage};
use crate::process::{Cancel, Sink};
use crate::tools::Tools;
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

pub fn run(ctx: &Context, args: TestArgs) -> anyhow::Result<i32> {
    if args.name.is_none() || args.git_url.is_none() {
        eprintln!("FAILED: please provide a plugin name and url");
        return Ok(exit::FAILURE);
    }
    let scratch = tempfile::Builder::new()
        .prefix("tool-plugin-test-")
        .tempdir()?;
    // The same settings over a throwaway data dir.
    let mut env = ctx.env.clone();
    env.layout = Layout::new(scratch.path().to_path_buf());
    let scratch_ctx = Context {
        env,
        settings: ctx.settings.clone(),
        readthedocs: None,
    };
    match check(&scratch_ctx, &args) {
        Ok(code) => Ok(code),
        Err(e) => {
            eprintln!("FAILED: {}", e.report());
            Ok(exit::FAILURE)
        }
    }
}

fn check(ctx: &Context, args: &TestArgs) -> crate::error::Result<i32> {
    let env = &ctx.env;
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
    let versions = backend.list_versions(ctx, name).map_err(failure)?;
    if versions.is_empty() {
        return Err(Error::PluginCheck(
            "list-all did not return any version".into(),
        ));
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
    let cx = Run {
        ctx,
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
    let bins =
        crate::config::ToolInfo::bin_paths(&Tools::new(env), name, &done.resolved.dir, &done.path);
    let path: Vec<std::path::PathBuf> = bins.iter().map(|b| done.path.join(b)).collect();
    let status = std::process::Command::new(program)
        .args(rest)
        .env("PATH", env.path_with(&path))
        .env("ASDF_INSTALL_PATH", &done.path)
        .env("ASDF_INSTALL_VERSION", &done.resolved.version)
        .status()
        .map_err(|e| Error::io("cannot run", program, e))?;
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
        crate::backend::Failure::NotAvailable(w) => Error::PluginCheck(w),
        crate::backend::Failure::Error(e) => e,
    }
}

fn check_files(plugin: &Plugin) -> crate::error::Result<()> {
    if !plugin.dir.join("bin").is_dir() {
        return Err(Error::PluginCheck("bin/ directory does not exist".into()));
    }
    for required in ["list-all", "install"] {
        if !plugin.has(required) {
            return Err(Error::PluginCheck(format!(
                "missing callback bin/{required}"
            )));
        }
    }
    for script in CALLBACKS.iter().filter(|s| plugin.has(s)) {
        let mode = std::fs::metadata(plugin.script_path(script))
            .map(|m| m.permissions().mode())
            .unwrap_or(0);
        if mode & 0o111 == 0 {
            return Err(Error::PluginCheck(format!(
                "callback lacks executable permission: bin/{script}"
            )));
        }
    }
    let license = std::fs::read(plugin.dir.join("LICENSE")).unwrap_or_default();
    if license.is_empty() {
        return Err(Error::PluginCheck(
            "LICENSE file must be present and not empty in the plugin repository".into(),
        ));
    }
    Ok(())
}
