//! Installing a conda distribution: its installer fetched from
//! `python.conda_mirror` (by file name) or its official URL, checked
//! against the published checksum before it runs, then run as pyenv runs
//! it (`bash <installer>.sh -b -f -p <final folder>`, batch mode, no
//! questions) with its output in a log; a result without a working
//! `bin/python` and `bin/conda` is not kept.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use super::table::{self, Table};
use crate::compile::fetch::{self, Candidate, Mirror, Wanted};
use crate::error::{Error, Result};
use crate::job::{Job, Stage};
use crate::platform::Host;
use crate::process::{self, Sink};

/// This machine's pyenv architecture name.
pub fn architecture(job_settings: &crate::config::settings::Settings) -> String {
    table::architecture(&Host::detect(job_settings.values.os.as_deref()).arch)
}

/// Why `version` has no installer here, if it has none.
pub fn unknown(table: &Table, version: &str, arch: &str) -> Option<String> {
    if table.get(version, arch).is_some() {
        return None;
    }
    if !super::is_conda(version) {
        return Some(format!("{version} is not a conda distribution"));
    }
    let flavour = version.split('-').next().unwrap_or(version);
    let mut near: Vec<String> = table
        .versions(arch)
        .into_iter()
        .filter(|v| v.starts_with(flavour))
        .collect();
    near.reverse();
    near.truncate(3);
    Some(format!(
        "{version} has no installer for {arch} (nearest: {})",
        near.join(", ")
    ))
}

/// Fetches, checks and runs the installer of `job.version` into `job.dest`
/// (the final folder); its `--json` details.
pub fn install(job: &Job<'_>) -> Result<serde_json::Value> {
    let (env, settings) = (&job.ctx.env, &job.ctx.settings);
    let table = Table::load(&job.ctx.installs)?;
    let arch = architecture(settings);
    let installer = table
        .get(job.version, &arch)
        .ok_or_else(|| Error::Invalid {
            what: "conda distribution",
            value: job.version.to_string(),
            why: "it has no installer for this machine",
        })?;
    let digest = installer.digest().ok_or_else(|| Error::NoChecksum {
        file: installer.file_name().to_string(),
        missing: "published checksum".into(),
    })?;
    job.stages.enter(Stage::Download)?;
    job.task.step("fetching the installer");
    let mirror = match &job.ctx.installs.python.conda_mirror {
        Some(url) => Mirror::new(url, false),
        None => Mirror::new(installer.folder(), false),
    };
    let wanted = Wanted {
        tool: "python",
        version: job.version,
        label: format!("the {} installer", job.version),
        candidates: vec![Candidate {
            name: installer.file_name().to_string(),
            path: installer.file_name().to_string(),
            digest: digest.clone(),
        }],
        mirrors: vec![mirror],
        signed: None,
    };
    let script = fetch::fetch(job.ctx, &wanted, job.task, job.cancel)?;
    job.stages.enter(Stage::Install)?;
    let log = env
        .layout
        .log_path("python", &format!("{}-install", job.version));
    let _ = std::fs::remove_file(&log);
    run_installer(job, &script, &log)?;
    check_prefix(job.dest)?;
    Ok(json!({
        "installer": script,
        "url": installer.url,
        "checksum": digest.hex(),
        "install_log": log,
    }))
}

fn run_installer(job: &Job<'_>, script: &Path, log: &Path) -> Result<()> {
    job.task
        .step(&format!("running the installer (log: {})", log.display()));
    let mut cmd = Command::new("bash");
    cmd.arg(script)
        .args(["-b", "-f", "-p"])
        .arg(job.dest)
        .current_dir(job.dest)
        .env_remove("CONDARC")
        .env_remove("MAMBARC")
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONHOME");
    let status = process::run(
        &mut cmd,
        &Sink::Log(log.to_path_buf()),
        job.cancel,
        job.hold,
    )?;
    if status.success() {
        return Ok(());
    }
    Err(Error::Failed {
        what: format!("the installer {}", script.display()),
        status: Error::status_text(status),
        detail: format!(
            "installing {}; full log: {}\n{}",
            job.version,
            log.display(),
            process::tail(log, 20)
        ),
    })
}

/// The prefix has a `conda` and a `python` that runs and imports `ssl`.
fn check_prefix(prefix: &Path) -> Result<()> {
    let conda = prefix.join("bin/conda");
    if !conda.is_file() {
        return Err(Error::BadData {
            what: format!("the installed prefix {}", prefix.display()),
            why: "has no bin/conda".into(),
        });
    }
    let python = prefix.join("bin/python");
    let out = Command::new(&python)
        .args(["-c", "import ssl, sys; print(sys.version.split()[0])"])
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| Error::io("cannot run", &python, e))?;
    if out.status.success() {
        return Ok(());
    }
    Err(Error::Failed {
        what: format!("the installed {}", python.display()),
        status: Error::status_text(out.status),
        detail: String::from_utf8_lossy(&out.stderr).trim_end().to_string(),
    })
}
