//! What the shim path and resolution need from a plugin, without running its
//! scripts every time: `list-bin-paths` and `list-legacy-filenames` answers
//! are cached per script fingerprint (mtime and size); `exec-env`,
//! `exec-path` and `parse-legacy-file` run when a plugin has them.

use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::{Plugin, Vars};
use crate::env::Env;
use crate::error::Result;

/// ASDF_INSTALL_TYPE/VERSION/PATH for an install folder name (`ref-x` → ref).
pub fn install_vars(version_dir: &str, install_path: &Path) -> Vars {
    let (kind, value) = match version_dir.strip_prefix("ref-") {
        Some(r) => ("ref", r),
        None => ("version", version_dir),
    };
    vec![
        ("ASDF_INSTALL_TYPE", kind.into()),
        ("ASDF_INSTALL_VERSION", value.into()),
        ("ASDF_INSTALL_PATH", install_path.into()),
    ]
}

/// A file-name-safe stand-in for any text.
fn name_hash(text: &str) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(text.as_bytes())[..12])
}

fn fingerprint(path: &Path) -> Option<String> {
    let m = std::fs::metadata(path).ok()?;
    Some(format!("{}.{} {}", m.mtime(), m.mtime_nsec(), m.size()))
}

/// A script's answer from the cache, or from running it (then cached).
fn cached(
    env: &Env,
    plugin: &Plugin,
    script: &str,
    key: &str,
    run: impl FnOnce() -> Option<String>,
) -> Option<String> {
    let print = fingerprint(&plugin.script_path(script))?;
    let file: PathBuf = env.layout.plugin_meta_dir(&plugin.name).join(key);
    if let Ok(text) = std::fs::read_to_string(&file)
        && let Some((head, body)) = text.split_once('\n')
        && head == print
    {
        return Some(body.to_string());
    }
    let answer = run()?;
    // The cache is only an optimisation: a failed write is not an error.
    if std::fs::create_dir_all(file.parent()?).is_ok() {
        let _ = crate::fs::write_atomic(&file, format!("{print}\n{answer}").as_bytes(), None);
    }
    Some(answer)
}

/// Folders holding a version's executables, relative to its install folder.
pub fn bin_paths(
    env: &Env,
    plugin: &Plugin,
    version_dir: &str,
    install_path: &Path,
) -> Vec<String> {
    if !plugin.has("list-bin-paths") {
        return vec!["bin".into()];
    }
    // Named by a hash: the version text comes from files anyone can write.
    let key = format!("bin-paths-{}", name_hash(version_dir));
    let answer = cached(env, plugin, "list-bin-paths", &key, || {
        plugin
            .capture(
                "list-bin-paths",
                &[],
                &install_vars(version_dir, install_path),
            )
            .ok()
    });
    let dirs: Vec<String> = answer
        .unwrap_or_default()
        .split_whitespace()
        .map(|d| d.trim_matches('/').to_string())
        .filter(|d| !d.split('/').any(|c| c == ".."))
        .collect();
    if dirs.is_empty() {
        vec!["bin".into()]
    } else {
        dirs
    }
}

/// The legacy version file names a plugin reads (`list-legacy-filenames`).
pub fn legacy_filenames(env: &Env, plugin: &Plugin) -> Vec<String> {
    if !plugin.has("list-legacy-filenames") {
        return Vec::new();
    }
    cached(
        env,
        plugin,
        "list-legacy-filenames",
        "legacy-filenames",
        || {
            plugin
                .capture("list-legacy-filenames", &[], &Vec::new())
                .ok()
        },
    )
    .unwrap_or_default()
    .split_whitespace()
    .filter(|n| !n.contains('/'))
    .map(str::to_string)
    .collect()
}

/// The versions a plugin reads from a legacy file (`parse-legacy-file`).
pub fn parse_legacy_file(plugin: &Plugin, path: &Path) -> Result<Option<String>> {
    if !plugin.has("parse-legacy-file") {
        return Ok(None);
    }
    plugin
        .capture("parse-legacy-file", &[path], &Vec::new())
        .map(Some)
}

/// The variables `exec-env` exports for a version, as `(name, value)` pairs
/// that differ from the current environment.
pub fn exec_env(plugin: &Plugin, vars: &Vars) -> Result<Vec<(String, OsString)>> {
    if !plugin.has("exec-env") {
        return Ok(Vec::new());
    }
    let script = plugin.script_path("exec-env");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(r#". "$1" >&2 && env -0"#)
        .arg("bash")
        .arg(&script)
        .env("ASDF_PLUGIN_PATH", &plugin.dir)
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| crate::error::Error::io("cannot run", &script, e))?;
    if !out.status.success() {
        return Err(crate::error::Error::Failed {
            what: format!("plugin `{}`: bin/exec-env", plugin.name),
            status: crate::error::Error::status_text(out.status),
            detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    use std::os::unix::ffi::OsStrExt;
    Ok(out
        .stdout
        .split(|b| *b == 0)
        .filter_map(|pair| {
            let eq = pair.iter().position(|b| *b == b'=')?;
            let (k, v) = (
                String::from_utf8_lossy(&pair[..eq]).to_string(),
                &pair[eq + 1..],
            );
            let v = std::ffi::OsStr::from_bytes(v).to_os_string();
            let unchanged = std::env::var_os(&k).as_ref() == Some(&v)
                || vars.iter().any(|(name, value)| *name == k && *value == v);
            (!unchanged && k != "_" && k != "SHLVL" && k != "PWD" && k != "OLDPWD")
                .then_some((k, v))
        })
        .collect())
}

/// The program `exec-path` names for `command` (relative to the install).
pub fn exec_path(
    plugin: &Plugin,
    command: &str,
    install_path: &Path,
    default: &Path,
    vars: &Vars,
) -> Option<PathBuf> {
    if !plugin.has("exec-path") {
        return None;
    }
    let rel = default.strip_prefix(install_path).unwrap_or(default);
    let out = plugin
        .capture("exec-path", &[install_path, Path::new(command), rel], vars)
        .ok()?;
    let rel = out.trim();
    (!rel.is_empty()).then(|| install_path.join(rel.trim_start_matches('/')))
}
