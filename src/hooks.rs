//! `.asdfrc` hooks: `pre_asdf_install_<tool> = <command>` and the like, run
//! by bash with the hook's arguments as `$1…`; their output goes to stderr so
//! stdout stays clean for data.

use std::ffi::OsStr;
use std::process::{Command, Stdio};

use crate::config::settings::Settings;
use crate::error::{Error, Result};

/// Runs the hook `name` when one is configured; a failing hook is an error.
pub fn run<S: AsRef<OsStr>>(settings: &Settings, name: &str, args: &[S]) -> Result<()> {
    let Some(command) = settings.hooks.get(name) else {
        return Ok(());
    };
    let stderr = std::io::stderr();
    let out = {
        use std::os::fd::AsFd;
        stderr
            .as_fd()
            .try_clone_to_owned()
            .map(Stdio::from)
            .unwrap_or_else(|_| Stdio::null())
    };
    let status = Command::new("bash")
        .arg("-c")
        .arg(command)
        .arg("bash")
        .args(args)
        .stdout(out)
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
