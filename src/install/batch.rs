//! Several installs at once (`tool install` with a `.tool-versions`): run
//! concurrently with a bound, each with its own progress line or log file,
//! then one reshim; a report per install for humans or `--json`.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use serde::Serialize;

use super::{Context, Options, Request};
use crate::config::settings::Settings;
use crate::env::Env;
use crate::error::Error;
use crate::process::{Cancel, Sink};
use crate::progress::Progress;

/// At most this many installs run at the same time.
const MAX_PARALLEL: usize = 4;

/// How one install (or publish) ended, as `--json` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Installed,
    AlreadyInstalled,
    Failed,
    Interrupted,
    Pushed,
    AlreadyCached,
}

/// One install's result, as `--json` prints it.
#[derive(Debug, Serialize)]
pub struct Report {
    pub tool: String,
    pub version: String,
    pub backend: Option<&'static str>,
    pub duration_ms: u128,
    pub path: Option<PathBuf>,
    pub outcome: Outcome,
    pub error: Option<String>,
    /// What to do about the error, when there is something to say.
    pub hint: Option<String>,
    /// What the backend reported (for the cache: bucket, key, bytes, sha256).
    pub details: crate::backend::Details,
    /// Backends that had nothing first (a cache miss, say).
    pub tried: Vec<super::Tried>,
}

pub fn run(
    env: &Env,
    settings: &Settings,
    requests: &[Request],
    options: &Options,
    json: bool,
) -> Vec<Report> {
    let cancel = Cancel::on_signals();
    let single = requests.len() == 1;
    let progress = Progress::new(!json);
    let queue = Mutex::new(requests.iter().enumerate().collect::<VecDeque<_>>());
    let reports: Mutex<Vec<Option<Report>>> = Mutex::new(requests.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..requests.len().clamp(1, MAX_PARALLEL) {
            scope.spawn(|| {
                while let Some((i, req)) = queue.lock().ok().and_then(|mut q| q.pop_front()) {
                    let sink = if single && !json {
                        Sink::Terminal
                    } else {
                        let log = env
                            .layout
                            .log_path(&req.tool, &req.spec.to_string().replace('/', "_"));
                        let _ = std::fs::remove_file(&log);
                        Sink::Log(log)
                    };
                    let cx = Context {
                        env,
                        settings,
                        options,
                        sink: &sink,
                        cancel: &cancel,
                    };
                    let report = one(&cx, req, &progress);
                    if let Ok(mut r) = reports.lock() {
                        r[i] = Some(report);
                    }
                }
            });
        }
    });
    reports
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

fn one(cx: &Context<'_>, req: &Request, progress: &Progress) -> Report {
    let started = Instant::now();
    let mut task = progress.task(format!("{} {}", req.tool, req.spec));
    let result = super::install(cx, req, &mut task);
    let duration_ms = started.elapsed().as_millis();
    let seconds = duration_ms as f64 / 1000.0;
    match result {
        Ok(done) => {
            let outcome = if done.backend.is_some() {
                Outcome::Installed
            } else {
                Outcome::AlreadyInstalled
            };
            match done.backend {
                Some(b) => task.finish(&format!("installed with {b} in {seconds:.1}s")),
                None if done.path != cx.env.layout.install_path(&req.tool, &done.resolved.dir) => {
                    task.finish(&format!(
                        "already installed in the shared installs: {}",
                        done.path.display()
                    ))
                }
                None => task.finish("already installed"),
            }
            Report {
                tool: req.tool.clone(),
                version: done.resolved.dir,
                backend: done.backend,
                duration_ms,
                path: Some(done.path),
                outcome,
                error: None,
                hint: None,
                details: done.details,
                tried: done.tried,
            }
        }
        Err(e) => {
            let outcome = if matches!(e, Error::Interrupted) {
                Outcome::Interrupted
            } else {
                Outcome::Failed
            };
            task.finish(if outcome == Outcome::Interrupted {
                "interrupted"
            } else {
                "failed"
            });
            Report {
                tool: req.tool.clone(),
                version: req.spec.to_string(),
                backend: None,
                duration_ms,
                path: None,
                outcome,
                error: Some(crate::error::chain(&e)),
                hint: e.hint(),
                details: crate::backend::Details::Null,
                tried: Vec::new(),
            }
        }
    }
}
