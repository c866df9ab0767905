//! Resolves a shimmed command to the real program for the current directory:
//! the tools named in its shim, the versions set for each, the first installed
//! one that has the command, and the environment to run it with.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use crate::config::resolve::Selection;
use crate::context::Context;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::installed::{self, Located};
use crate::plugin::{Plugin, meta};
use crate::tools::Tools;
use crate::version::VersionSpec;

/// The program a command resolves to.
#[derive(Debug, Clone)]
pub struct Target {
    pub tool: String,
    /// As users see it: `3.9.6`, `ref-x`, `path:/x` or `system`.
    pub version: String,
    pub program: PathBuf,
    /// The version's folder (`None` for `system`).
    pub install_path: Option<PathBuf>,
    /// Folders prepended to PATH so children see the same version.
    pub bin_paths: Vec<PathBuf>,
    /// Variables the plugin's `exec-env` exports.
    pub extra_env: Vec<(String, OsString)>,
}

/// The error of a program found but not started (`exec` failed).
pub fn cannot_run(program: &Path, err: std::io::Error) -> Error {
    Error::not_installed(format!("cannot run {}: {err}", program.display()), "")
}

impl Target {
    /// PATH for the program: its version's bin folders, then `base` (the
    /// current PATH unless exec-env changed it).
    pub fn path_var(&self, env: &Env, base: Option<OsString>) -> OsString {
        let current = base.unwrap_or_else(|| env.path());
        let mut path = Vec::with_capacity(current.len() + 64 * self.bin_paths.len());
        // A folder with `:` in its name cannot be a PATH entry; it is left out.
        let bins = (self.bin_paths.iter()).map(|p| p.as_os_str().as_bytes());
        for bin in bins.filter(|b| !b.contains(&b':')) {
            path.extend_from_slice(bin);
            path.push(b':');
        }
        path.extend_from_slice(current.as_bytes());
        OsString::from_vec(path)
    }

    /// The variables asdf sets for programs run through a shim or `exec`.
    pub fn env_vars(&self, env: &Env) -> Vec<(String, OsString)> {
        let (kind, value) = match self.version.split_once(':') {
            Some((kind, value)) => (kind, value),
            None if self.version == "system" => ("system", "system"),
            None => match self.version.strip_prefix("ref-") {
                Some(r) => ("ref", r),
                None => ("version", self.version.as_str()),
            },
        };
        let mut vars: Vec<(String, OsString)> = self.extra_env.clone();
        vars.push(("ASDF_INSTALL_TYPE".into(), kind.into()));
        vars.push(("ASDF_INSTALL_VERSION".into(), value.into()));
        if let Some(p) = &self.install_path {
            vars.push(("ASDF_INSTALL_PATH".into(), p.into()));
        }
        // exec-env may extend PATH; the version's bin folders still come first.
        let base = self
            .extra_env
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.clone());
        vars.push(("PATH".into(), self.path_var(env, base)));
        vars
    }
}

/// What each tool named by the shim said, for the error when nothing runs.
struct Misses {
    not_installed: Vec<(Selection, String)>,
    /// `(tool, version)` pairs that are installed but lack the command.
    without_command: Vec<(String, String)>,
}

/// `tool which <command>`: the program a shim would run here, failing
/// with 1 where a shim fails with 126, as asdf's `which` does.
pub fn which<I>(ctx: &Context<I>, command: &str) -> Result<PathBuf> {
    let shim = ctx.env.layout.shim_path(command);
    if !shim.is_file() {
        return Err(Error::hinted(
            format!("unknown command: {command}. Perhaps you have to reshim?"),
            "",
        ));
    }
    let target = find(ctx, command, &shim, None).map_err(|e| match e {
        Error::NotSet { message, hint } | Error::NotInstalled { message, hint } => {
            Error::Hinted { message, hint }
        }
        no_command @ Error::NoExecutable { .. } => Error::hinted(no_command.to_string(), ""),
        other => other,
    })?;
    Ok(target.program)
}

/// Finds the program for `command`, whose shim is at `shim_path`; `listed`:
/// the shim's tools when its shebang named them (else its text is read).
pub fn find<I>(
    ctx: &Context<I>,
    command: &str,
    shim_path: &Path,
    listed: Option<Vec<String>>,
) -> Result<Target> {
    let env = &ctx.env;
    let tools: Vec<String> = match listed {
        Some(tools) => tools,
        None => {
            let pairs = super::read_metadata(shim_path).ok_or_else(|| unknown(command))?;
            super::tools_of(&pairs)
                .into_iter()
                .map(str::to_string)
                .collect()
        }
    };
    // Each tool's plugin folder, looked up once for everything below.
    let plugins: Vec<Option<Plugin>> = tools.iter().map(|t| Plugin::find(env, t)).collect();
    // A plugin's own wrapper runs before any version is looked for, as in asdf.
    let wrapper = tools
        .iter()
        .zip(&plugins)
        .find_map(|(tool, plugin)| plugin_wrapper(env, tool, plugin.as_ref()?, command));
    if let Some(target) = wrapper {
        return Ok(target);
    }
    let info = ctx.tools();
    let mut resolver = ctx.resolver(&info);
    let mut misses = Misses {
        not_installed: Vec::new(),
        without_command: Vec::new(),
    };
    for (tool, plugin) in tools.iter().zip(&plugins) {
        let Some(selection) = resolver.resolve(tool)? else {
            continue;
        };
        let found = first_runnable(
            env,
            plugin.as_ref(),
            &selection,
            command,
            shim_path,
            &mut misses,
        );
        if let Some(target) = found {
            return Ok(target);
        }
    }
    // The versions the shim names, for the error only.
    let pairs = super::read_metadata(shim_path).ok_or_else(|| unknown(command))?;
    Err(explain(env, command, &pairs, misses))
}

fn unknown(command: &str) -> Error {
    Error::not_set(
        format!("unknown command `{command}`: no tool provides it"),
        "install a version that has it, then run `tool reshim`",
    )
}

/// The plugin's `shims/<command>`, run as asdf runs it: no version chosen
/// (`ASDF_INSTALL_VERSION` empty), the plugin's `shims/` first on PATH; the
/// wrapper finds the real program itself (asdf-nodejs's runs `asdf where`).
fn plugin_wrapper(env: &Env, tool: &str, plugin: &Plugin, command: &str) -> Option<Target> {
    let program = plugin.shim_template(command)?;
    let install_path = env.layout.tool_installs_dir(tool);
    let extra_env =
        meta::exec_env(env, plugin, &meta::install_vars("", &install_path)).unwrap_or_default();
    Some(Target {
        tool: tool.to_string(),
        version: String::new(),
        program,
        install_path: Some(install_path),
        bin_paths: vec![plugin.shims_dir()],
        extra_env,
    })
}

/// The first installed version of `sel` that has `command`; `plugin`: the
/// tool's plugin, when it is one.
fn first_runnable(
    env: &Env,
    plugin: Option<&Plugin>,
    sel: &Selection,
    command: &str,
    shim_path: &Path,
    misses: &mut Misses,
) -> Option<Target> {
    let base = sel.origin.base_dir(env);
    for spec in &sel.versions {
        if plugin.is_none()
            && let Some(target) = built_in_here(env, &sel.tool, spec, command)
        {
            return Some(target);
        }
        match installed::locate(env, &sel.tool, spec, base) {
            Located::System => {
                if let Some(program) = system_program(env, command, shim_path) {
                    return Some(Target {
                        tool: sel.tool.clone(),
                        version: "system".into(),
                        program,
                        install_path: None,
                        bin_paths: Vec::new(),
                        extra_env: Vec::new(),
                    });
                }
                misses
                    .without_command
                    .push((sel.tool.clone(), "system".into()));
            }
            Located::Dir { version, path } => {
                if let Some(target) = in_version(env, plugin, &sel.tool, &version, path, command) {
                    return Some(target);
                }
                misses.without_command.push((sel.tool.clone(), version));
            }
            Located::Missing => misses.not_installed.push((sel.clone(), spec.to_string())),
        }
    }
    None
}

/// The usual case of a built-in tool, in one `stat` fewer than `locate`
/// then `in_version`: a version installed in this data dir (no
/// `.incomplete` marker) whose `bin/` has the command, which proves its
/// folder is there. Anything else is left to the full lookup.
fn built_in_here(env: &Env, tool: &str, spec: &VersionSpec, command: &str) -> Option<Target> {
    let dir = spec.install_dir_name()?;
    if crate::fs::exists(&env.layout.incomplete_marker(tool, &dir)) {
        return None;
    }
    in_version(
        env,
        None,
        tool,
        &dir,
        env.layout.install_path(tool, &dir),
        command,
    )
}

/// The command in one installed version: the plugin's `exec-path` answer,
/// else the first bin folder that has it; with the plugin's `exec-env`.
fn in_version(
    env: &Env,
    plugin: Option<&Plugin>,
    tool: &str,
    version: &str,
    path: PathBuf,
    command: &str,
) -> Option<Target> {
    // As `Tools::bin_paths` answers, with the plugin already found.
    let rel_bins = match plugin {
        Some(p) => meta::bin_paths(env, p, version, &path),
        None => vec!["bin".to_string()],
    };
    let bin_paths: Vec<PathBuf> = rel_bins.iter().map(|b| path.join(b)).collect();
    let found = bin_paths
        .iter()
        .map(|b| b.join(command))
        .find(|p| is_executable(p))?;
    let vars = meta::install_vars(version, &path);
    let program = plugin
        .and_then(|p| meta::exec_path(p, command, &path, &found, &vars))
        .filter(|p| is_executable(p))
        .unwrap_or(found);
    // A failing exec-env leaves the plugin's variables out; the program still runs.
    let extra_env = match plugin {
        Some(p) => meta::exec_env(env, p, &vars).unwrap_or_default(),
        None => builtin_env(env, tool, &path),
    };
    Some(Target {
        tool: tool.to_string(),
        version: version.to_string(),
        program,
        install_path: Some(path),
        bin_paths,
        extra_env,
    })
}

/// A built-in tool's variables (Go's `GOROOT`), unless already set, as
/// asdf-golang's exec-env leaves a user's own value alone.
fn builtin_env(env: &Env, tool: &str, install: &Path) -> Vec<(String, OsString)> {
    let mut vars = Tools::new(env).program_env(tool, install);
    vars.retain(|(name, _)| !env.is_set(name));
    vars
}

fn explain(env: &Env, command: &str, pairs: &[(String, String)], misses: Misses) -> Error {
    if let Some((sel, _)) = misses.not_installed.first() {
        let wanted: Vec<&str> = misses
            .not_installed
            .iter()
            .filter(|(s, _)| s.tool == sel.tool)
            .map(|(_, v)| v.as_str())
            .collect();
        let installs: Vec<String> = wanted
            .iter()
            .map(|v| format!("tool install {} {v}", sel.tool))
            .collect();
        return Error::not_installed(
            format!(
                "{} {} is set by {} but not installed",
                sel.tool,
                wanted.join(" "),
                sel.origin
            ),
            installs.join("\n"),
        );
    }
    if !misses.without_command.is_empty() {
        let (tools, versions): (Vec<String>, Vec<String>) =
            misses.without_command.into_iter().unzip();
        return Error::NoExecutable {
            command: command.to_string(),
            tools,
            versions,
        };
    }
    // asdf's words, with the versions the shim could run.
    let provided: Vec<String> = pairs.iter().map(|(t, v)| format!("{t} {v}")).collect();
    let (tool, newest) = pairs
        .last()
        .map_or(("<tool>", "<version>"), |(t, v)| (t.as_str(), v.as_str()));
    let file = env.cwd.join(&env.tool_versions_filename);
    Error::not_set(
        format!(
            "No version is set for command {command}\nConsider adding one of the following versions in your config file at {}\n{}",
            file.display(),
            provided.join("\n")
        ),
        format!(
            "set one with `tool set {tool} {newest}` here, or `tool set -u {tool} {newest}` for every directory"
        ),
    )
}

pub use crate::fs::is_executable;

/// The `command` found on PATH outside the shims folder, never a shim itself.
pub fn system_program(env: &Env, command: &str, shim_path: &Path) -> Option<PathBuf> {
    let shims = env.layout.shims_dir();
    let shims_real = std::fs::canonicalize(&shims).ok();
    let path = env.path();
    std::env::split_paths(&path)
        .filter(|dir| *dir != shims && !dir.as_os_str().is_empty())
        .map(|dir| dir.join(command))
        .filter(|candidate| is_executable(candidate))
        .find(|candidate| {
            let real = std::fs::canonicalize(candidate).ok();
            let in_shims = real.as_deref().and_then(Path::parent) == shims_real.as_deref();
            let is_this_shim = real == std::fs::canonicalize(shim_path).ok();
            !in_shims && !is_this_shim
        })
}
