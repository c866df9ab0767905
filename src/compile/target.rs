//! One build from source: where it reads and writes, and the steps every
//! autoconf build shares — each command in the source folder with its
//! output in the build log, interruptible and holding the install lock (a
//! failure shows the log's tail); `configure && make -j N && make install`
//! through DESTDIR into the staging folder; the staging path rewritten to
//! the final one; the build's manifest.

use std::path::Path;
use std::process::Command;

use crate::archive::manifest::{self, Manifest};
use crate::archive::relocate::relocate_tree;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::platform::Host;
use crate::process::{self, Cancel, Sink};
use crate::progress::Task;

pub struct Target<'a> {
    pub env: &'a Env,
    pub tool: &'a str,
    pub version: &'a str,
    /// For messages: `CPython 3.11.2`.
    pub label: String,
    pub src: &'a Path,
    /// An empty folder for `make install`'s DESTDIR, beside `dest`.
    pub destdir: &'a Path,
    /// The final install folder, what configure's `--prefix` names.
    pub final_path: &'a Path,
    /// The staging folder the build ends in.
    pub dest: &'a Path,
    pub log: &'a Path,
    pub jobs: usize,
    pub host: Host,
    /// The install lock, kept open by every step.
    pub hold: Option<std::os::fd::RawFd>,
    pub task: &'a Task,
    pub cancel: &'a Cancel,
}

impl Target<'_> {
    /// Runs one command of the build.
    pub fn run(&self, what: &str, cmd: &mut Command) -> Result<()> {
        self.task
            .step(&format!("{what} (log: {})", self.log.display()));
        cmd.current_dir(self.src);
        let sink = Sink::Log(self.log.to_path_buf());
        let status = process::run(cmd, &sink, self.cancel, self.hold)?;
        if status.success() {
            return Ok(());
        }
        Err(Error::Failed {
            what: format!("`{what}`"),
            status: Error::status_text(status),
            detail: format!(
                "building {}; full log: {}\n{}",
                self.label,
                self.log.display(),
                process::tail(self.log, 20)
            ),
        })
    }

    /// `configure OPTIONS`, `make -j N`, `make install` into DESTDIR, and
    /// the tree moved into the (empty) staging folder.
    pub fn configure_make_install(&self, options: &[String]) -> Result<()> {
        self.run(
            "configure",
            Command::new(self.src.join("configure")).args(options),
        )?;
        let jobs = format!("-j{}", self.jobs.max(1));
        self.run(&format!("make {jobs}"), Command::new("make").arg(&jobs))?;
        self.run(
            "make install",
            Command::new("make")
                .arg("install")
                .arg(format!("DESTDIR={}", self.destdir.display())),
        )?;
        let rel = self.final_path.strip_prefix("/").unwrap_or(self.final_path);
        fs_err::remove_dir(self.dest)?;
        Ok(fs_err::rename(self.destdir.join(rel), self.dest)?)
    }

    /// Steps run in the staging folder (ensurepip, `gem install`) wrote its
    /// path into scripts: point them at the final path it is renamed to.
    pub fn relocate_to_final(&self) -> Result<()> {
        relocate_tree(
            self.dest,
            &self.dest.to_string_lossy(),
            &self.final_path.to_string_lossy(),
        )?;
        Ok(())
    }

    /// The build's manifest, with the options it was configured with and
    /// the packages it holds.
    pub fn write_manifest(&self, options: &[String], packages: Vec<String>) -> Result<()> {
        let m = Manifest::of_source_build(manifest::SourceBuild {
            tool: self.tool,
            version: self.version,
            host: &self.host,
            prefix: self.final_path,
            options,
            packages,
        });
        Ok(fs_err::write(
            self.dest.join(manifest::FILE_NAME),
            m.to_json(),
        )?)
    }
}

/// The words of an environment variable (`PYTHON_CONFIGURE_OPTS`).
pub fn words(env: &Env, var: &str) -> Vec<String> {
    env.var(var)
        .map(|v| v.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}
