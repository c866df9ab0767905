//! `tool plugin test`: adds a plugin into a throwaway data dir (the same
//! settings over it), checks its callbacks and LICENSE as asdf does, installs
//! a version through it and runs the optional command with that version.

use std::os::unix::fs::PermissionsExt;

use super::{Options, Request, Run};
use crate::backend::{Backend, plugin::PluginBackend};
use crate::context::Context;
use crate::env::Env;
use crate::error::{Error, Result, exit};
use crate::plugin::{CALLBACKS, Plugin, git, manage};
use crate::process::{Cancel, Sink};
use crate::tools::Tools;
use crate::version::VersionSpec;

/// What `plugin test` was asked to check.
pub struct PluginTest<'a> {
    pub name: &'a str,
    pub git_url: &'a str,
    /// The version to install (default: the latest stable one).
    pub version: Option<&'a str>,
    /// The plugin's git ref to test.
    pub gitref: Option<&'a str>,
    /// A command to run with the installed version.
    pub command: &'a [String],
}

/// Runs the whole check in a scratch data dir, removed afterwards; the
/// exit code of the check (a failure is reported as asdf reports it).
pub fn run(ctx: &Context, test: &PluginTest) -> Result<i32> {
    let scratch = tempfile::Builder::new()
        .prefix("tool-plugin-test-")
        .tempdir()
        .map_err(|e| Error::io("cannot create a scratch data dir", std::env::temp_dir(), e))?;
    let scratch_ctx = ctx.with_data_dir(scratch.path().to_path_buf());
    match check(&scratch_ctx, test) {
        Ok(code) => Ok(code),
        Err(e) => {
            eprintln!("FAILED: {}", e.report());
            Ok(exit::FAILURE)
        }
    }
}

fn check(ctx: &Context, args: &PluginTest) -> Result<i32> {
    let env = &ctx.env;
    let name = args.name;
    let plugin = match manage::add(env, &ctx.settings, name, Some(args.git_url))? {
        manage::Added::New(p) => p,
        manage::Added::AlreadyThere => Plugin::load(env, name)?,
    };
    if let Some(r) = args.gitref {
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
    let spec = match args.version {
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
    let done = super::install(&cx, &request, &mut task)?;
    eprintln!(
        "installed {name} {} into {}",
        done.resolved.dir,
        done.path.display()
    );
    run_command(env, name, &done, args.command)
}

/// The optional command, run with the installed version first on PATH.
fn run_command(env: &Env, name: &str, done: &super::Done, command: &[String]) -> Result<i32> {
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

fn check_files(plugin: &Plugin) -> Result<()> {
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
