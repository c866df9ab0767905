//! What the shim path and resolution need from a plugin, without running its
//! scripts every time: `list-bin-paths` and `list-legacy-filenames` answers
//! are cached per script fingerprint (mtime and size) and per value of the
//! variables the plugin's scripts name; `exec-env`,
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
///
/// An answer may depend on the environment (asdf-golang's legacy file names
/// follow `ASDF_GOLANG_MOD_VERSION_ENABLED`), so it is cached per value of
/// every variable the plugin's scripts name: `<key>.vars` lists those names
/// (found once per script version), `<key>-<hash of their values>` holds
/// the answer for those values.
fn cached(
    env: &Env,
    plugin: &Plugin,
    script: &str,
    key: &str,
    run: impl FnOnce() -> Option<String>,
) -> Option<String> {
    let print = fingerprint(&plugin.script_path(script))?;
    let dir = env.layout.plugin_meta_dir(&plugin.name);
    let names_file = dir.join(format!("{key}.vars"));
    let names = read_checked(&names_file, &print).unwrap_or_else(|| {
        let names = variables_named(plugin, script).join(" ");
        store(&names_file, &print, &names);
        names
    });
    let values: String = names
        .split(' ')
        .filter(|n| !n.is_empty())
        .map(|n| {
            let value = value_of(env, n);
            format!("{n}={:?}\0", value.map(|v| v.as_encoded_bytes()))
        })
        .collect();
    let file: PathBuf = dir.join(format!("{key}-{}", name_hash(&values)));
    if let Some(answer) = read_checked(&file, &print) {
        return Some(answer);
    }
    let answer = run()?;
    store(&file, &print, &answer);
    Some(answer)
}

/// The body of a cache file whose first line is `print`.
fn read_checked(file: &Path, print: &str) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let (head, body) = text.split_once('\n')?;
    (head == print).then(|| body.to_string())
}

/// The cache is only an optimisation: a failed write is not an error.
fn store(file: &Path, print: &str, body: &str) {
    if let Some(parent) = file.parent()
        && std::fs::create_dir_all(parent).is_ok()
    {
        let _ = crate::fs::write_atomic(file, format!("{print}\n{body}").as_bytes(), None);
    }
}

/// Every `$NAME` / `${NAME…}` in the script and in the plugin files it
/// names (the helpers it sources, such as `lib/utils.sh`), sorted.
fn variables_named(plugin: &Plugin, script: &str) -> Vec<String> {
    let mut names = std::collections::BTreeSet::new();
    let Ok(text) = std::fs::read(plugin.script_path(script)) else {
        return Vec::new();
    };
    collect_variables(&text, &mut names);
    let text = String::from_utf8_lossy(&text);
    for sub in ["bin", "lib"] {
        for file in walk_files(&plugin.dir.join(sub), 3) {
            let named = file
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n != script && text.contains(n));
            if named && let Ok(bytes) = std::fs::read(&file) {
                collect_variables(&bytes, &mut names);
            }
        }
    }
    names.into_iter().collect()
}

fn walk_files(dir: &Path, depth: u32) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for entry in entries.flatten() {
        match entry.file_type() {
            Ok(t) if t.is_dir() && depth > 0 => files.extend(walk_files(&entry.path(), depth - 1)),
            Ok(t) if t.is_file() => files.push(entry.path()),
            _ => {}
        }
    }
    files
}

/// Adds the names that follow `$` or `${` in shell text.
fn collect_variables(text: &[u8], names: &mut std::collections::BTreeSet<String>) {
    let is_start = |b: u8| b.is_ascii_alphabetic() || b == b'_';
    let is_part = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'$' {
            let mut j = i + 1;
            if text.get(j) == Some(&b'{') {
                j += 1;
            }
            let start = j;
            if text.get(j).is_some_and(|b| is_start(*b)) {
                while text.get(j).is_some_and(|b| is_part(*b)) {
                    j += 1;
                }
                names.insert(String::from_utf8_lossy(&text[start..j]).into_owned());
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
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
/// A script that fails sets no version there (its messages go to stderr),
/// as in asdf: the search goes on, and a command with nothing set answers
/// as asdf does (exit 126 for a shim or `exec`).
pub fn parse_legacy_file(plugin: &Plugin, path: &Path) -> Result<Option<String>> {
    if !plugin.has("parse-legacy-file") {
        return Ok(None);
    }
    let (status, out) = plugin.capture_passing_stderr("parse-legacy-file", &[path], &Vec::new())?;
    Ok(Some(if status.success() { out } else { String::new() }))
}

/// A variable as the process has it, empty values included.
fn value_of<'a>(env: &'a Env, name: &str) -> Option<&'a std::ffi::OsStr> {
    env.var_os(name)
        .or_else(|| env.is_set(name).then(|| std::ffi::OsStr::new("")))
}

/// The variables `exec-env` exports for a version, as `(name, value)` pairs
/// that differ from the current environment.
pub fn exec_env(env: &Env, plugin: &Plugin, vars: &Vars) -> Result<Vec<(String, OsString)>> {
    if !plugin.has("exec-env") {
        return Ok(Vec::new());
    }
    let script = plugin.script_path("exec-env");
    let out = std::process::Command::new("bash")
        .arg("-c")
        // Sourced as asdf sources it: the file's own status (its last
        // `[ … ] && export …` may be false) is not an error; `exit` is.
        .arg(r#". "$1" >&2; env -0"#)
        .arg("bash")
        .arg(&script)
        .envs(plugin.script_env())
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
            // What the script was given is not its export: a program run
            // through it gets no ASDF_PLUGIN_PATH or ASDF_DATA_DIR it did not have.
            let given = (plugin.script_env().iter()).any(|(n, p)| *n == k && p.as_os_str() == v);
            let unchanged = value_of(env, &k) == Some(v.as_os_str())
                || given
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

#[cfg(test)]
mod tests {
    use super::collect_variables;

    #[test]
    fn finds_the_names_a_shell_script_expands() {
        let mut names = std::collections::BTreeSet::new();
        collect_variables(
            b"case \"${ASDF_GOLANG_MOD_VERSION_ENABLED:-}\" in x) echo $HOME/$1 ${#ARR[@]} $$ ;; esac # $ not",
            &mut names,
        );
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(names, ["ASDF_GOLANG_MOD_VERSION_ENABLED", "HOME"]);
    }
}
