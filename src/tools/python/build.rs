//! The CPython build: `configure --prefix=<final path> --enable-shared` with
//! a relative runtime library path, `make -j N`, `make install` through
//! DESTDIR into the staging folder, ensurepip and the default packages, then
//! an import check of the modules a complete interpreter has. Every command's
//! output goes to the build log.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::deps::MODULES;
use crate::compile::target::{Target, words};
use crate::env::Env;
use crate::error::{Error, Result};

/// `$ORIGIN/../lib` through both configure and make (make turns `$$` into
/// `$`; the quotes keep the shell make runs from expanding it).
const RPATH_LDFLAGS: &str = "-Wl,-rpath,'$$ORIGIN/../lib'";

pub struct Build<'a> {
    /// Where `CFLAGS`, `LDFLAGS`, `PYTHON_CONFIGURE_OPTS` and the default
    /// packages file are read, and where the build goes.
    pub target: Target<'a>,
    pub warn_only: bool,
    /// pip requirements after `~/.default-python-packages` (`python.default_packages`).
    pub pins: &'a [String],
    /// A free-threaded build (`3.13.5t`): configured `--disable-gil`.
    pub free_threaded: bool,
}

/// Imports each module in one interpreter run; prints those that fail.
const IMPORT_CHECK: &str = "import importlib, sys
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception:
        print(name)
";

/// The `modules` that `python` cannot import. An interpreter that does not
/// run to the end (a crash while importing) is an error, not a list.
pub fn missing_modules(python: &Path, modules: &[&str]) -> Result<Vec<String>> {
    let out = Command::new(python)
        .args(["-c", IMPORT_CHECK])
        .args(modules)
        .output()
        .map_err(|e| Error::io("cannot run", python, e))?;
    if !out.status.success() {
        return Err(Error::Other(format!(
            "the new interpreter {} failed while importing {} ({}):\n{}",
            python.display(),
            modules.join(", "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect())
}

/// What missing modules mean: an error, or with `warn_only` a warning.
fn verdict(version: &str, missing: &[String], warn_only: bool) -> Result<Option<String>> {
    if missing.is_empty() {
        return Ok(None);
    }
    let msg = format!(
        "CPython {version} was built without {}: install their -dev packages (see `tool install` hints) and build again",
        missing.join(", ")
    );
    if warn_only {
        Ok(Some(format!("{msg} (python.missing_modules = warn)")))
    } else {
        Err(Error::hinted(
            msg,
            "set python.missing_modules = warn to keep such a build",
        ))
    }
}

/// `extra` followed by the variable's value from the environment, if any.
fn joined(env: &Env, var: &str, extra: &str) -> String {
    match env.var(var).filter(|v| !v.trim().is_empty()) {
        Some(v) => format!("{extra} {v}"),
        None => extra.into(),
    }
}

impl Build<'_> {
    /// Runs the whole build; returns the configure options used.
    pub fn run(&self) -> Result<Vec<String>> {
        let t = &self.target;
        let options = self.configure_options();
        t.configure_make_install(&options)?;
        self.ensurepip()?;
        self.add_links()?;
        self.default_packages()?;
        t.relocate_to_final()?;
        self.check_modules()?;
        let packages = self.installed_packages()?;
        t.write_manifest(&options, packages)?;
        Ok(options)
    }

    /// configure's arguments. Flags go to configure only, as arguments (it
    /// records them in the Makefile); `make` runs with the caller's
    /// environment, exactly as a hand-made build.
    fn configure_options(&self) -> Vec<String> {
        let mut options = vec![
            format!("--prefix={}", self.target.final_path.display()),
            "--enable-shared".into(),
            format!(
                "LDFLAGS={}",
                joined(self.target.env, "LDFLAGS", RPATH_LDFLAGS)
            ),
        ];
        if let Some(cflags) = self
            .target
            .env
            .var_os("PYTHON_CFLAGS")
            .map(|c| c.to_string_lossy())
        {
            options.push(format!(
                "CFLAGS={}",
                joined(self.target.env, "CFLAGS", &cflags)
            ));
        }
        if self.free_threaded {
            options.push("--disable-gil".into());
        }
        options.extend(words(self.target.env, "PYTHON_CONFIGURE_OPTS"));
        options.extend(words(self.target.env, "CONFIGURE_OPTS"));
        options
    }

    fn python(&self) -> PathBuf {
        let major = self.target.version.split('.').next().unwrap_or("3");
        self.target.dest.join("bin").join(format!("python{major}"))
    }

    /// `python` and `pip` as users of asdf and pyenv expect them (make
    /// install's own ensurepip only makes `pip3`).
    fn add_links(&self) -> Result<()> {
        let major = self.target.version.split('.').next().unwrap_or("3");
        let bin = self.target.dest.join("bin");
        for name in ["python", "pip"] {
            let link = bin.join(name);
            let target = format!("{name}{major}");
            if std::fs::symlink_metadata(&link).is_err() && bin.join(&target).exists() {
                std::os::unix::fs::symlink(&target, &link)
                    .map_err(|e| Error::io("cannot create", &link, e))?;
            }
        }
        Ok(())
    }

    fn ensurepip(&self) -> Result<()> {
        let mut cmd = Command::new(self.python());
        cmd.args(["-m", "ensurepip", "--default-pip"])
            .env("PIP_NO_INPUT", "1")
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        self.target.run("ensurepip", &mut cmd)
    }

    /// `~/.default-python-packages` (asdf-python's format), when present.
    fn default_packages(&self) -> Result<()> {
        let file = self
            .target
            .env
            .var_os("ASDF_PYTHON_DEFAULT_PACKAGES_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| self.target.env.home.join(".default-python-packages"));
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let packages: Vec<&str> = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .chain(self.pins.iter().map(String::as_str))
            .collect();
        if packages.is_empty() {
            return Ok(());
        }
        let mut cmd = Command::new(self.python());
        cmd.args(["-m", "pip", "install", "--no-input"])
            .args(&packages)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        self.target.run("default packages", &mut cmd)
    }

    /// A build missing ssl, ctypes, sqlite3… fails (or warns, when set).
    fn check_modules(&self) -> Result<()> {
        self.target
            .task
            .step("checking ssl, ctypes, zlib, bz2, lzma, sqlite3, readline, uuid");
        let missing = missing_modules(&self.python(), MODULES)?;
        if let Some(warning) = verdict(self.target.version, &missing, self.warn_only)? {
            self.target.task.warn(&warning);
        }
        Ok(())
    }

    /// `name==version` of every package the build holds, for the manifest.
    fn installed_packages(&self) -> Result<Vec<String>> {
        let out = Command::new(self.python())
            .args([
                "-m",
                "pip",
                "list",
                "--format=freeze",
                "--disable-pip-version-check",
            ])
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| crate::error::Error::io("cannot run", self.python(), e))?;
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.contains("=="))
            .map(str::to_string)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A real interpreter (the machine's python3) in which `lzma` and
    /// `sqlite3` fail to import, through modules shadowing them.
    fn python_without_lzma_and_sqlite(dir: &Path) -> PathBuf {
        let shadow = dir.join("shadow");
        std::fs::create_dir_all(shadow.join("sqlite3")).unwrap();
        std::fs::write(shadow.join("lzma.py"), "raise ImportError('no _lzma')\n").unwrap();
        std::fs::write(
            shadow.join("sqlite3/__init__.py"),
            "raise ImportError('no _sqlite3')\n",
        )
        .unwrap();
        let python = dir.join("python");
        let real = which::which("python3")
            .expect("python3 on PATH (scripts/setup-python-source installs it)");
        std::fs::write(
            &python,
            format!(
                "#!/bin/sh\nPYTHONPATH='{}' exec '{}' \"$@\"\n",
                shadow.display(),
                real.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
        python
    }

    #[test]
    fn modules_that_fail_to_import_are_reported_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let python = python_without_lzma_and_sqlite(dir.path());
        let missing = missing_modules(&python, &["zlib", "sqlite3", "json", "lzma"]).unwrap();
        assert_eq!(missing, ["sqlite3", "lzma"]);
        assert!(
            missing_modules(&python, &["zlib", "json"])
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn an_interpreter_that_crashes_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let python = dir.path().join("python");
        std::fs::write(&python, "#!/bin/sh\necho boom >&2\nkill -SEGV $$\n").unwrap();
        std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
        let err = missing_modules(&python, &["ssl"]).unwrap_err().to_string();
        assert!(err.contains("failed while importing ssl"), "{err}");
        assert!(err.contains("boom"), "{err}");
    }

    #[test]
    fn missing_modules_fail_the_build_unless_set_to_warn() {
        let missing = vec!["lzma".to_string(), "readline".to_string()];
        let err = verdict("3.11.2", &missing, false).unwrap_err().report();
        assert!(
            err.contains("CPython 3.11.2 was built without lzma, readline"),
            "{err}"
        );
        assert!(err.contains("python.missing_modules = warn"), "{err}");
        let warning = verdict("3.11.2", &missing, true).unwrap().unwrap();
        assert!(
            warning.contains("built without lzma, readline"),
            "{warning}"
        );
        assert_eq!(verdict("3.11.2", &[], false).unwrap(), None);
    }
}
