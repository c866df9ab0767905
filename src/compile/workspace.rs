//! A build's working places: the verified archive extracted into a scratch
//! folder under `tmp/`, a fresh build log, and the DESTDIR `make install`
//! writes to, beside the staging folder (so moving the result in is a
//! rename, and an interrupted build's is swept with the staging folders).

use std::path::PathBuf;
use std::time::Instant;

use serde_json::json;

use super::target::Target;
use crate::error::Result;
use crate::job::{Job, Stage};
use crate::platform::Host;

pub struct Workspace {
    /// Removed with the workspace.
    _scratch: tempfile::TempDir,
    pub src: PathBuf,
    pub log: PathBuf,
    destdir: tempfile::TempDir,
    archive: PathBuf,
    started: Instant,
}

impl Workspace {
    /// Extracts `archive` (its top folder `top`), then enters the install
    /// stage.
    pub fn prepare(job: &Job<'_>, archive: PathBuf, top: &str) -> Result<Workspace> {
        let layout = &job.ctx.env.layout;
        let scratch = crate::fs::temp_dir_in(
            &layout.tmp_dir(),
            &format!("build-{}-{}-", job.tool, job.version),
        )?;
        let src = super::fetch::extract(&archive, scratch.path(), top)?;
        job.stages.enter(Stage::Install)?;
        let log = layout.log_path(job.tool, &format!("{}-build", job.version));
        let _ = std::fs::remove_file(&log);
        let beside = job.dest.parent().unwrap_or(job.dest);
        let destdir =
            crate::fs::temp_dir_in(beside, &format!(".{}.staging-destdir-", job.version_dir))?;
        Ok(Workspace {
            _scratch: scratch,
            src,
            log,
            destdir,
            archive,
            started: Instant::now(),
        })
    }

    /// The build of `job` in this workspace; `label` names it in messages.
    pub fn target<'a>(&'a self, job: &'a Job<'a>, label: &str) -> Target<'a> {
        let settings = &job.ctx.settings;
        Target {
            env: &job.ctx.env,
            tool: job.tool,
            version: job.version,
            label: format!("{label} {}", job.version),
            src: &self.src,
            destdir: self.destdir.path(),
            final_path: job.final_path,
            dest: job.dest,
            log: &self.log,
            jobs: settings.values.concurrency.jobs(),
            host: Host::detect(settings.values.os.as_deref()),
            hold: job.hold,
            task: job.task,
            cancel: job.cancel,
        }
    }

    /// The build's `--json` details.
    pub fn details(&self, configure_options: &[String]) -> serde_json::Value {
        json!({
            "source": self.archive,
            "configure_options": configure_options,
            "build_log": self.log,
            "build_seconds": self.started.elapsed().as_secs(),
        })
    }
}
