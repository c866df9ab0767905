//! Python (CPython): from the cache bucket, else compiled from python.org's
//! sources (`crate::python` holds the release table, the verified source
//! fetch and the build); `.python-version` read word by word as
//! asdf-python reads it.

use serde_json::json;

use crate::config::settings::MissingModules;
use crate::error::Result;
use crate::job::{Job, Stage};
use crate::platform::Host;
use crate::python::{build::Build, deps, releases, source};

pub struct Python;

impl super::Builtin for Python {
    fn name(&self) -> &'static str {
        "python"
    }

    fn description(&self) -> &'static str {
        "CPython, from the cache bucket or compiled from python.org sources"
    }

    fn legacy_filenames(&self) -> &'static [&'static str] {
        &[".python-version"]
    }

    fn default_chain(&self) -> &'static [&'static str] {
        &["cache", "source"]
    }

    fn readthedocs_name(&self) -> Option<&'static str> {
        Some("python")
    }
}

impl super::SourceBuild for Python {
    fn tool(&self) -> &'static str {
        super::Builtin::name(self)
    }

    fn versions(&self) -> Vec<String> {
        releases::versions()
    }

    fn unknown(&self, version: &str) -> Option<String> {
        releases::get(version).is_none().then(|| {
            format!(
                "{version} is not a CPython release (nearest: {})",
                releases::nearest(version).join(", ")
            )
        })
    }

    fn source_archive(&self, version: &str) -> Option<(String, String)> {
        let release = releases::get(version)?;
        let (name, sha) = match (&release.xz, &release.tgz) {
            (Some(sha), _) => (format!("Python-{version}.tar.xz"), sha.clone()),
            (None, Some(sha)) => (format!("Python-{version}.tgz"), sha.clone()),
            (None, None) => return None,
        };
        let dir = releases::release_dir(version, &release);
        Some((format!("{}/{dir}/{name}", source::PYTHON_ORG), sha))
    }

    fn build(&self, job: &Job<'_>) -> Result<serde_json::Value> {
        let (env, settings) = (&job.ctx.env, &job.ctx.settings);
        let release = releases::get(job.version).ok_or_else(|| crate::error::Error::Invalid {
            what: "CPython release",
            value: job.version.to_string(),
            why: "it is not in the release table",
        })?;
        deps::check(env)?;
        job.stages.enter(Stage::Download)?;
        job.task.step("fetching the source");
        let archive = source::fetch(env, settings, job.version, &release, job.task, job.cancel)?;
        let scratch = crate::fs::temp_dir_in(
            &env.layout.tmp_dir(),
            &format!("build-python-{}-", job.version),
        )?;
        let src = source::extract(&archive, scratch.path(), job.version)?;
        job.stages.enter(Stage::Install)?;
        let log = env
            .layout
            .log_path("python", &format!("{}-build", job.version));
        let _ = std::fs::remove_file(&log);
        let started = std::time::Instant::now();
        // Named like a staging folder, so an interrupted build's is swept.
        let beside = job.dest.parent().unwrap_or(job.dest);
        let destdir =
            crate::fs::temp_dir_in(beside, &format!(".{}.staging-destdir-", job.version_dir))?;
        let options = Build {
            env,
            version: job.version,
            src: &src,
            destdir: destdir.path(),
            final_path: job.final_path,
            dest: job.dest,
            log: &log,
            jobs: settings.concurrency.jobs(),
            warn_only: settings.python.missing_modules == MissingModules::Warn,
            pins: &settings.python.default_packages,
            host: &Host::detect(settings.os.as_deref()),
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
