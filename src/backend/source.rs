//! The source backend: builds CPython from python.org's sources (only
//! `python` compiles). Unknown versions are "not available" with the
//! nearest known ones; everything else that goes wrong is an error.

use serde_json::json;

use super::{Backend, Details, Failure, Job, Stage};
use crate::config::settings::MissingModules;
use crate::env::Env;
use crate::platform::Host;
use crate::python::{build::Build, deps, releases, source};

pub struct SourceBackend;

fn only_python(tool: &str) -> Result<(), Failure> {
    if tool == "python" {
        Ok(())
    } else {
        Err(Failure::NotAvailable(format!(
            "only python is built from source, not {tool}"
        )))
    }
}

impl Backend for SourceBackend {
    fn name(&self) -> &'static str {
        "source"
    }

    fn list_versions(&self, _env: &Env, tool: &str) -> Result<Vec<String>, Failure> {
        only_python(tool)?;
        Ok(releases::versions())
    }

    fn install(&self, job: &Job<'_>) -> Result<Details, Failure> {
        only_python(job.tool)?;
        let Some(release) = releases::get(job.version) else {
            return Err(Failure::NotAvailable(format!(
                "{} is not a CPython release (nearest: {})",
                job.version,
                releases::nearest(job.version).join(", ")
            )));
        };
        deps::check()?;
        job.stages.enter(Stage::Download)?;
        job.task.step("fetching the source");
        let archive = source::fetch(
            job.env,
            job.settings,
            job.version,
            &release,
            job.task,
            job.cancel,
        )?;
        let scratch = crate::fs::temp_dir_in(
            &job.env.layout.tmp_dir(),
            &format!("build-python-{}-", job.version),
        )?;
        let src = source::extract(&archive, scratch.path(), job.version)?;
        job.stages.enter(Stage::Install)?;
        let log = job
            .env
            .layout
            .log_path("python", &format!("{}-build", job.version));
        let _ = std::fs::remove_file(&log);
        let started = std::time::Instant::now();
        // Named like a staging folder, so an interrupted build's is swept.
        let beside = job.dest.parent().unwrap_or(job.dest);
        let destdir =
            crate::fs::temp_dir_in(beside, &format!(".{}.staging-destdir-", job.version_dir))?;
        let options = Build {
            version: job.version,
            src: &src,
            destdir: destdir.path(),
            final_path: job.final_path,
            dest: job.dest,
            log: &log,
            jobs: job.settings.concurrency.jobs(),
            warn_only: job.settings.python.missing_modules == MissingModules::Warn,
            pins: &job.settings.python.default_packages,
            host: &Host::detect(job.settings.os.as_deref()),
            hold: job.hold,
            task: job.task,
            cancel: job.cancel,
        }
        .run()?;
        Ok(json!({
            "source": archive,
            "configure_options": options,
            "build_log": log,
            "build_seconds": started.elapsed().as_secs(),
        }))
    }
}
