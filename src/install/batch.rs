//! Several installs at once (`tool install` with a `.tool-versions`): run
//! concurrently with a bound, each with its own progress line or log file,
//! then one reshim; a report per install for humans or `--json`.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use serde::Serialize;

use super::{Options, Request, Run};
use crate::context::Context;
use crate::error::{Error, exit};
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
#[derive(Debug, Clone, Serialize)]
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
    /// Backends that had nothing, and why (a cache miss, say), whether or
    /// not a later one installed it.
    pub tried: Vec<super::Tried>,
}

/// After a batch: the shims brought in line with what is installed (made
/// for new installs, for versions newly set up from a shared install, and
/// for versions already there that lack one, so a batch that failed to
/// write them is repaired by the next), and the exit code — 130 when
/// interrupted, 1 when any install failed. Shims that cannot be written
/// fail the installs they were for.
pub fn finish(ctx: &Context, reports: &mut [Report]) -> i32 {
    let env = &ctx.env;
    let present = |r: &Report| matches!(r.outcome, Outcome::Installed | Outcome::AlreadyInstalled);
    let wants_shims = |r: &Report| {
        r.outcome == Outcome::Installed
            || (r.outcome == Outcome::AlreadyInstalled
                && (crate::installed::shared_location(env, &r.tool, &r.version).is_some()
                    || crate::shim::reshim::lacks_shims(env, &r.tool, &r.version)))
    };
    if reports.iter().any(wants_shims)
        && let Err(e) = crate::shim::reshim::refresh(env)
    {
        for report in reports.iter_mut().filter(|r| present(r)) {
            let at = report.path.as_deref().map(|p| p.display().to_string());
            report.outcome = Outcome::Failed;
            report.error = Some(format!(
                "installed in {}, but its shims could not be made: {}",
                at.unwrap_or_default(),
                crate::error::chain(&e)
            ));
            report.hint = Some("fix that, then run `tool reshim` or install again".into());
        }
    }
    if reports.iter().any(|r| r.outcome == Outcome::Interrupted) {
        exit::INTERRUPTED
    } else if reports.iter().any(|r| r.error.is_some()) {
        exit::FAILURE
    } else {
        exit::OK
    }
}

/// Installs one request on this thread, its output on the terminal
/// unless `json`.
pub fn run_one(ctx: &Context, request: &Request, options: &Options, json: bool) -> Report {
    let cancel = Cancel::on_signals();
    let progress = Progress::new(!json);
    let sink = match json {
        false => Sink::Terminal,
        true => Sink::Log(log_of(ctx, request)),
    };
    let cx = Run {
        ctx,
        options,
        sink: &sink,
        cancel: &cancel,
    };
    one(&cx, request, &progress)
}

/// The log of a request's install in a batch, emptied first.
fn log_of(ctx: &Context, req: &Request) -> PathBuf {
    let log = (ctx.env.layout).log_path(&req.tool, &req.spec.to_string().replace('/', "_"));
    let _ = std::fs::remove_file(&log);
    log
}

/// Installs every request, at most `MAX_PARALLEL` at a time.
pub fn run(ctx: &Context, requests: &[Request], options: &Options, json: bool) -> Vec<Report> {
    let cancel = Cancel::on_signals();
    let single = requests.len() == 1;
    let progress = Progress::new(!json);
    let queue = Mutex::new(requests.iter().enumerate().collect::<VecDeque<_>>());
    let reports: Mutex<Vec<Option<Report>>> = Mutex::new(requests.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..requests.len().clamp(1, MAX_PARALLEL) {
            scope.spawn(|| {
                while let Some((i, req)) = queue.lock().ok().and_then(|mut q| q.pop_front()) {
                    let sink = match single && !json {
                        true => Sink::Terminal,
                        false => Sink::Log(log_of(ctx, req)),
                    };
                    let cx = Run {
                        ctx,
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

fn one(cx: &Run<'_>, req: &Request, progress: &Progress) -> Report {
    let started = Instant::now();
    let mut task = progress.task(format!("{} {}", req.tool, req.spec));
    let mut tried = Vec::new();
    let result = super::install_noting(cx, req, &mut task, &mut tried);
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
                None if done.path
                    != cx
                        .ctx
                        .env
                        .layout
                        .install_path(&req.tool, &done.resolved.dir) =>
                {
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
                tried,
            }
        }
    }
}
