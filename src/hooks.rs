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
    let Some(command) = settings.hooks.get(name) else {
        return Ok(());
    };
    let status = Command::new("bash")
        .arg("-c")
        .arg(command)
        .arg("bash")
        .args(args)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| Error::Other(format!("cannot run hook {name}: {e}")))?;
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
