//! The CPython build: `configure --prefix=<final path> --enable-shared` with
//! a relative runtime library path, `make -j N`, `make install` through
//! DESTDIR into the staging folder, ensurepip and the default packages, then
//! an import check of the modules a complete interpreter has. Every command's
//! output goes to the build log.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::deps::MODULES;
use crate::archive::relocate::relocate_tree;
use crate::cache::manifest;
use crate::error::{Error, Result};
use crate::process::{self, Cancel, Sink};
use crate::progress::Task;

/// `$ORIGIN/../lib` through both configure and make (make turns `$$` into
/// `$`; the quotes keep the shell make runs from expanding it).
const RPATH_LDFLAGS: &str = "-Wl,-rpath,'$$ORIGIN/../lib'";

pub struct Build<'a> {
    pub version: &'a str,
    pub src: &'a Path,
    /// Scratch space for DESTDIR (same filesystem as `dest`).
    pub scratch: &'a Path,
    pub final_path: &'a Path,
    pub dest: &'a Path,
    pub log: &'a Path,
    pub jobs: usize,
    pub warn_only: bool,
    pub host: &'a crate::cache::host::Host,
    pub task: &'a Task,
    pub cancel: &'a Cancel,
}

fn words(var: &str) -> Vec<String> {
    std::env::var(var)
        .map(|v| v.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

fn joined(var: &str, extra: &str) -> OsString {
    match std::env::var(var).ok().filter(|v| !v.trim().is_empty()) {
        Some(v) => format!("{extra} {v}").into(),
        None => extra.into(),
    }
}

impl Build<'_> {
    /// Runs the whole build; returns the configure options used.
    pub fn run(&self) -> Result<Vec<String>> {
        let options = self.configure_options();
        self.step(
            "configure",
            Command::new(self.src.join("configure")).args(&options),
        )?;
        let jobs = format!("-j{}", self.jobs.max(1));
        self.step(&format!("make {jobs}"), Command::new("make").arg(&jobs))?;
        let destdir = self.scratch.join("destdir");
        self.step(
            "make install",
            Command::new("make")
                .arg("install")
                .arg(format!("DESTDIR={}", destdir.display())),
        )?;
        self.move_into_staging(&destdir)?;
        self.ensurepip()?;
        self.add_links()?;
        self.default_packages()?;
        // ensurepip and pip wrote the staging path into scripts: point them
        // at the final path the folder is renamed to.
        relocate_tree(
            self.dest,
            &self.dest.to_string_lossy(),
            &self.final_path.to_string_lossy(),
        )?;
        self.check_modules()?;
        self.write_manifest(&options)?;
        Ok(options)
    }

    fn configure_options(&self) -> Vec<String> {
        let mut options = vec![
            format!("--prefix={}", self.final_path.display()),
            "--enable-shared".into(),
        ];
        options.extend(words("PYTHON_CONFIGURE_OPTS"));
        options.extend(words("CONFIGURE_OPTS"));
        options
    }

    fn step(&self, what: &str, cmd: &mut Command) -> Result<()> {
        self.task
            .step(&format!("{what} (log: {})", self.log.display()));
        cmd.current_dir(self.src)
            .env("LDFLAGS", joined("LDFLAGS", RPATH_LDFLAGS));
        if let Ok(cflags) = std::env::var("PYTHON_CFLAGS") {
            cmd.env("CFLAGS", joined("CFLAGS", &cflags));
        }
        let status = process::run(cmd, &Sink::Log(self.log.to_path_buf()), self.cancel)?;
        if status.success() {
            return Ok(());
        }
        Err(Error::Other(format!(
            "`{what}` failed ({status}) building CPython {}; full log: {}\n{}",
            self.version,
            self.log.display(),
            process::tail(self.log, 20)
        )))
    }

    /// `make install` put the tree at `<destdir>/<final path>`: move it into
    /// the (empty) staging folder.
    fn move_into_staging(&self, destdir: &Path) -> Result<()> {
        let rel = self.final_path.strip_prefix("/").unwrap_or(self.final_path);
        let built = destdir.join(rel);
        std::fs::remove_dir(self.dest).map_err(|e| Error::io("cannot replace", self.dest, e))?;
        std::fs::rename(&built, self.dest)
            .map_err(|e| Error::io("cannot move the build into", self.dest, e))
    }

    fn python(&self) -> PathBuf {
        let major = self.version.split('.').next().unwrap_or("3");
        self.dest.join("bin").join(format!("python{major}"))
    }

    /// `python` and `pip` as users of asdf and pyenv expect them (make
    /// install's own ensurepip only makes `pip3`).
    fn add_links(&self) -> Result<()> {
        let major = self.version.split('.').next().unwrap_or("3");
        let bin = self.dest.join("bin");
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
        self.step("ensurepip", &mut cmd)
    }

    /// `~/.default-python-packages` (asdf-python's format), when present.
    fn default_packages(&self) -> Result<()> {
        let file = std::env::var_os("ASDF_PYTHON_DEFAULT_PACKAGES_FILE")
            .map(PathBuf::from)
            .or_else(|| dirs::home_dir().map(|h| h.join(".default-python-packages")));
        let Some(text) = file.and_then(|f| std::fs::read_to_string(f).ok()) else {
            return Ok(());
        };
        let packages: Vec<&str> = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .collect();
        if packages.is_empty() {
            return Ok(());
        }
        let mut cmd = Command::new(self.python());
        cmd.args(["-m", "pip", "install", "--no-input"])
            .args(&packages)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        self.step("default packages", &mut cmd)
    }

    /// A build missing ssl, ctypes, sqlite3… fails (or warns, when set).
    fn check_modules(&self) -> Result<()> {
        self.task
            .step("checking ssl, ctypes, zlib, bz2, lzma, sqlite3, readline, uuid");
        let missing: Vec<&str> = MODULES
            .iter()
            .copied()
            .filter(|m| {
                !Command::new(self.python())
                    .args(["-c", &format!("import {m}")])
                    .output()
                    .is_ok_and(|o| o.status.success())
            })
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let msg = format!(
            "CPython {} was built without {}: install their -dev packages (see `tool install` hints) and build again",
            self.version,
            missing.join(", ")
        );
        if self.warn_only {
            eprintln!("warning: {msg}");
            return Ok(());
        }
        Err(Error::Other(msg))
    }

    fn write_manifest(&self, options: &[String]) -> Result<()> {
        let m = manifest::Manifest {
            schema: 1,
            tool: "python".into(),
            version: self.version.to_string(),
            os: self.host.os.clone(),
            arch: self.host.arch.clone(),
            libc: self.host.libc.clone(),
            build_prefix: self.final_path.to_string_lossy().to_string(),
            build_options: options.to_vec(),
            sha256: Default::default(),
            created_by: format!("tool {} (source build)", env!("CARGO_PKG_VERSION")),
        };
        let path = self.dest.join(manifest::FILE_NAME);
        let text = serde_json::to_vec_pretty(&m).map_err(|e| Error::Other(e.to_string()))?;
        std::fs::write(&path, text).map_err(|e| Error::io("cannot write", &path, e))
    }
}
