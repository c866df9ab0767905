//! `.asdfrc` hooks: `pre_asdf_install_<tool> = <command>` and the like, run
//! by bash with the hook's arguments as `$1…`; their output goes to stdout,
//! where asdf sends it.

use std::ffi::OsStr;
use std::process::{Command, Stdio};

use crate::config::settings::Settings;
use crate::error::{Error, Result};

/// The generic hook and the plugin's own, as asdf runs them around plugin
/// commands: `pre_asdf_plugin_add`, then `pre_asdf_plugin_add_<name>`.
pub fn run_plugin_hooks(settings: &Settings, when: &str, action: &str, name: &str) -> Result<()> {
    let generic = format!("{when}_asdf_plugin_{action}");
    run(settings, &generic, &[name])?;
    run(settings, &format!("{generic}_{name}"), &[name])
}

/// Runs the hook `name` when one is configured; a failing hook is an error.
pub fn run<S: AsRef<OsStr>>(settings: &Settings, name: &str, args: &[S]) -> Result<()> {
    run_to(settings, name, args, Stdio::inherit())
}

/// `run`, with the hook's stdout sent to our stderr: for installs whose
/// stdout is data (`--json`).
pub fn run_beside_data<S: AsRef<OsStr>>(settings: &Settings, name: &str, args: &[S]) -> Result<()> {
    use std::os::fd::AsFd;
    let stderr = std::io::stderr().as_fd().try_clone_to_owned();
    let out = stderr.map_or_else(|_| Stdio::null(), Stdio::from);
    run_to(settings, name, args, out)
}

fn run_to<S: AsRef<OsStr>>(settings: &Settings, name: &str, args: &[S], out: Stdio) -> Result<()> {
    let Some(command) = settings.hooks.get(name) else {
        return Ok(());
    };
    let status = Command::new("bash")
        .arg("-c")
        .arg(command)
        .arg("bash")
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .status()
        .map_err(|e| Error::io("cannot run hook", name, e))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::Failed {
            what: format!("hook {name} (`{command}`)"),
            status: Error::status_text(status),
            detail: String::new(),
        })
    }
}
