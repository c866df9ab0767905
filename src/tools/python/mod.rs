//! Python: from the cache bucket, else an asdf-python plugin the user added,
//! else python-build-standalone's prebuilt
//! CPython (`prebuilt`), else CPython compiled from python.org's
//! sources (the release table in `releases`, the verified source fetch in
//! `source` against its release managers' signatures in `signers`, build
//! dependencies in `deps`, the configure/make/install/ensurepip build in
//! `build`), else a conda distribution (`miniforge3-…`) from its official
//! installer (`conda`); `.python-version` read word by word as asdf-python
//! reads it.

pub mod build;
pub mod conda;
pub mod deps;
pub mod prebuilt;
pub mod releases;
pub mod signers;
pub mod source;

use crate::compile::{fetch, workspace::Workspace};
use crate::config::settings::MissingModules;
use crate::context::Context;
use crate::error::Result;
use crate::job::{Job, Stage};
use build::Build;

pub struct Python;

impl super::Builtin for Python {
    fn name(&self) -> &'static str {
        "python"
    }

    fn description(&self) -> &'static str {
        "CPython and the conda distributions, from the cache bucket, python-build-standalone builds, python.org sources or the official installers"
    }

    fn legacy_filenames(&self) -> &'static [&'static str] {
        &[".python-version"]
    }

    fn default_chain(&self) -> &'static [&'static str] {
        &["cache", "plugin", "prebuilt", "source", "installer"]
    }

    fn readthedocs_name(&self) -> Option<&'static str> {
        Some("python")
    }
}

impl super::Build for Python {
    fn tool(&self) -> &'static str {
        super::Builtin::name(self)
    }

    fn versions(&self, _ctx: &Context) -> Result<Vec<String>> {
        Ok(releases::table().versions())
    }

    fn unknown(&self, _ctx: &Context, version: &str) -> Result<Option<String>> {
        let table = releases::table();
        if conda::is_conda(version) {
            return Ok(Some(format!("{version} is a conda distribution")));
        }
        let (release, free_threaded) = prebuilt::split(version);
        if free_threaded && !has_free_threading(release) {
            return Ok(Some(format!(
                "{version}: CPython builds free-threaded from 3.13 on"
            )));
        }
        Ok(table.get(release).is_none().then(|| {
            format!(
                "{version} is not a CPython release (nearest: {})",
                table.nearest(version).join(", ")
            )
        }))
    }

    fn source_archive(&self, _ctx: &Context, version: &str) -> Result<Option<(String, String)>> {
        let table = releases::table();
        let version = prebuilt::split(version).0;
        let best = table
            .get(version)
            .and_then(|r| source::candidates(version, r).into_iter().next());
        Ok(best.map(|c| {
            (
                format!("{}/{}", source::PYTHON_ORG, c.path),
                c.digest.hex().to_string(),
            )
        }))
    }

    fn build(&self, job: &Job<'_>) -> Result<serde_json::Value> {
        let (env, installs) = (&job.ctx.env, &job.ctx.installs);
        // `3.13.5t`: 3.13.5 configured `--disable-gil`.
        let (version, free_threaded) = prebuilt::split(job.version);
        let table = releases::table();
        let release = table
            .get(version)
            .ok_or_else(|| crate::error::Error::Invalid {
                what: "CPython release",
                value: job.version.to_string(),
                why: "it is not in the release table",
            })?;
        deps::check(env)?;
        job.stages.enter(Stage::Download)?;
        job.task.step("fetching the source");
        let wanted = source::wanted(env, installs, version, release)?;
        let archive = fetch::fetch(job.ctx, &wanted, job.task, job.cancel)?;
        let ws = Workspace::prepare(job, archive, &format!("Python-{version}"))?;
        let python = &installs.python;
        let options = Build {
            target: ws.target(job, "CPython"),
            warn_only: python.missing_modules == MissingModules::Warn,
            pins: &python.default_packages,
            free_threaded,
        }
        .run()?;
        Ok(ws.details(&options))
    }
}

/// Whether CPython `release` can be built free-threaded (3.13 on).
fn has_free_threading(release: &str) -> bool {
    let mut parts = release.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (3, 13)
}

/// The conda distributions of Python (`miniforge3-26.3.2-3`…).
pub struct Conda;

impl super::Build for Conda {
    fn tool(&self) -> &'static str {
        "python"
    }

    fn versions(&self, ctx: &Context) -> Result<Vec<String>> {
        let arch = conda::install::architecture(&ctx.settings);
        Ok(conda::table::Table::load(&ctx.installs)?.versions(&arch))
    }

    fn unknown(&self, ctx: &Context, version: &str) -> Result<Option<String>> {
        let arch = conda::install::architecture(&ctx.settings);
        let table = conda::table::Table::load(&ctx.installs)?;
        Ok(conda::install::unknown(&table, version, &arch))
    }

    fn in_place(&self) -> bool {
        true
    }

    fn build(&self, job: &Job<'_>) -> Result<serde_json::Value> {
        conda::install::install(job)
    }

    fn source_archive(&self, ctx: &Context, version: &str) -> Result<Option<(String, String)>> {
        let arch = conda::install::architecture(&ctx.settings);
        let table = conda::table::Table::load(&ctx.installs)?;
        Ok(table
            .get(version, &arch)
            .and_then(|i| Some((i.url.clone(), i.sha256.clone()?))))
    }
}
