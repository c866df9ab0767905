//! asdf plugins: a folder under `plugins/<name>` with `bin/` scripts. This
//! module finds a plugin and runs its scripts with asdf's environment; `meta`
//! caches what the shim path needs, `manage` adds, updates and removes
//! plugins with git, `index` reads the short-name plugin index.

pub mod git;
pub mod index;
pub mod manage;
pub mod meta;

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::env::Env;
use crate::error::{Error, Result};
use crate::process::{self, Cancel, Sink};

/// The most a script's short answer (`latest-stable`, `parse-legacy-file`) may print.
const MAX_ANSWER: u64 = crate::fs::MAX_CONFIG_LEN;

#[derive(Debug, Clone)]
pub struct Plugin {
    pub name: String,
    pub dir: PathBuf,
    /// The data dir the plugin belongs to, exported to its scripts as
    /// `ASDF_DATA_DIR` (asdf exports it whether or not the caller set it).
    pub data_dir: PathBuf,
}

/// The scripts of the plugin protocol that `plugin test` checks.
pub const CALLBACKS: &[&str] = &[
    "list-all",
    "download",
    "install",
    "latest-stable",
    "list-bin-paths",
    "exec-env",
    "exec-path",
    "uninstall",
    "list-legacy-filenames",
    "parse-legacy-file",
    "help.overview",
    "help.deps",
    "help.config",
    "help.links",
    "post-plugin-add",
    "post-plugin-update",
    "pre-plugin-remove",
];

/// Environment variables given to a script.
pub type Vars = Vec<(&'static str, OsString)>;

impl Plugin {
    /// The plugin named `name`, if it is added.
    pub fn find(env: &Env, name: &str) -> Option<Plugin> {
        crate::tool_name::check(name).ok()?;
        let dir = env.layout.plugin_dir(name);
        crate::fs::is_dir(&dir).then(|| Plugin {
            name: name.to_string(),
            dir,
            data_dir: env.layout.data_dir().to_path_buf(),
        })
    }

    /// The plugin named `name`, or an error that says how to add it.
    pub fn load(env: &Env, name: &str) -> Result<Plugin> {
        crate::tool_name::check(name)?;
        Plugin::find(env, name).ok_or_else(|| {
            Error::hinted(
                format!("No such plugin: {name}"),
                format!(
                    "add it with `tool plugin add {name}` or `tool plugin add {name} <git-url>`"
                ),
            )
        })
    }

    /// The variables of the `help.*` scripts: those of `version`, or, as
    /// asdf 0.16+ gives them without one, empty ones and the plugin folder
    /// (so a script under `set -u` still runs).
    pub fn help_vars(&self, env: &Env, version: Option<&str>) -> Vars {
        match version {
            Some(v) => vec![
                ("ASDF_INSTALL_TYPE", "version".into()),
                ("ASDF_INSTALL_VERSION", v.into()),
                (
                    "ASDF_INSTALL_PATH",
                    env.layout.install_path(&self.name, v).into(),
                ),
            ],
            None => vec![
                ("ASDF_INSTALL_TYPE", OsString::new()),
                ("ASDF_INSTALL_VERSION", OsString::new()),
                ("ASDF_INSTALL_PATH", self.dir.clone().into()),
            ],
        }
    }

    pub fn script_path(&self, script: &str) -> PathBuf {
        self.dir.join("bin").join(script)
    }

    /// The plugin's own `shims/` folder: wrappers asdf runs in place of the
    /// version's program (asdf-nodejs's `npm`, which reshims after `-g`).
    pub fn shims_dir(&self) -> PathBuf {
        self.dir.join("shims")
    }

    /// The plugin's wrapper for `command`, when it ships an executable one.
    pub fn shim_template(&self, command: &str) -> Option<PathBuf> {
        use std::os::unix::fs::PermissionsExt;
        let path = self.shims_dir().join(command);
        std::fs::metadata(&path)
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .then_some(path)
    }

    /// Whether the plugin provides `script` (present, executable or not).
    pub fn has(&self, script: &str) -> bool {
        self.script_path(script).is_file()
    }

    /// A command for `script`, after checking it exists and is executable.
    pub fn command(&self, script: &str, vars: &Vars) -> Result<Command> {
        let path = self.script_path(script);
        let meta = std::fs::metadata(&path).map_err(|_| {
            Error::hinted(
                format!("plugin `{}` has no bin/{script} script", self.name),
                "the plugin does not offer this; see its README",
            )
        })?;
        if meta.permissions().mode() & 0o111 == 0 {
            return Err(Error::hinted(
                format!(
                    "plugin `{}`: {} is not executable",
                    self.name,
                    path.display()
                ),
                format!("chmod +x {}", path.display()),
            ));
        }
        // As asdf runs them: through bash, so a script without `#!` runs as
        // a bash script (the script's own `#!` still picks its interpreter).
        let mut cmd = Command::new("bash");
        cmd.arg("-c").arg(r#""$0" "$@""#).arg(&path);
        cmd.envs(self.script_env())
            .envs(vars.iter().map(|(k, v)| (k, v)));
        Ok(cmd)
    }

    /// What asdf exports to every script of a plugin, before the variables
    /// of the job at hand.
    pub fn script_env(&self) -> [(&'static str, &Path); 2] {
        [
            ("ASDF_DATA_DIR", &self.data_dir),
            ("ASDF_PLUGIN_PATH", &self.dir),
        ]
    }

    /// Runs a short script and returns its stdout; a failure shows its stderr.
    pub fn capture(&self, script: &str, args: &[&Path], vars: &Vars) -> Result<String> {
        let out = self
            .command(script, vars)?
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| Error::io("cannot run", self.script_path(script), e))?;
        if !out.status.success() {
            return Err(self.failed(
                script,
                out.status,
                String::from_utf8_lossy(&out.stderr).trim(),
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs a short script with its stderr on ours, as asdf lets a script's
    /// messages through (`latest-stable`, `parse-legacy-file`); its exit
    /// status and stdout.
    pub fn capture_passing_stderr(
        &self,
        script: &str,
        args: &[&Path],
        vars: &Vars,
    ) -> Result<(std::process::ExitStatus, String)> {
        use std::io::Read;
        let cannot = |e| Error::io("cannot run", self.script_path(script), e);
        let mut child = self
            .command(script, vars)?
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .map_err(cannot)?;
        // A short answer: a script that prints without end is stopped, not read whole.
        let mut out = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            stdout
                .take(MAX_ANSWER + 1)
                .read_to_end(&mut out)
                .map_err(cannot)?;
        }
        if out.len() as u64 > MAX_ANSWER {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::BadData {
                what: format!("the output of {}", self.script_path(script).display()),
                why: format!("is longer than {MAX_ANSWER} bytes"),
            });
        }
        let status = child.wait().map_err(cannot)?;
        Ok((status, String::from_utf8_lossy(&out).into_owned()))
    }

    /// `capture_passing_stderr` for a script whose failure is an error
    /// (what it said is above).
    pub fn capture_stdout(&self, script: &str, args: &[&Path], vars: &Vars) -> Result<String> {
        let (status, out) = self.capture_passing_stderr(script, args, vars)?;
        match status.success() {
            true => Ok(out),
            false => Err(self.failed(script, status, "its messages are above")),
        }
    }

    /// Runs a long script (download, install…) with its output sent to `sink`.
    /// `hold`: a descriptor the script keeps open (see `process::run`).
    pub fn run(
        &self,
        script: &str,
        vars: &Vars,
        sink: &Sink,
        cancel: &Cancel,
        hold: Option<std::os::fd::RawFd>,
    ) -> Result<()> {
        let status = process::run(&mut self.command(script, vars)?, sink, cancel, hold)?;
        if status.success() {
            return Ok(());
        }
        let detail = match sink {
            Sink::Log(log) => format!(
                "last lines of {}:\n{}",
                log.display(),
                process::tail(log, 15)
            ),
            Sink::Terminal => "its output is above".to_string(),
        };
        Err(self.failed(script, status, &detail))
    }

    fn failed(&self, script: &str, status: std::process::ExitStatus, detail: &str) -> Error {
        Error::Failed {
            what: format!("plugin `{}`: bin/{script}", self.name),
            status: Error::status_text(status),
            detail: detail.to_string(),
        }
    }
}
