//! A request against the clock: `Remote::wait` runs one request to its end
//! within the remote's stall timeout (`read_timeout`) in all, its retries
//! included, and fails with `Error::Stalled` past it (or `Error::Stopped`
//! once the remote's stop flag is raised); half-way (at most 5 s
//! in) a line says what it is waiting for, on stderr when no spinner shows
//! time passing. `notice` is that line, shared with the download's resumes.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::Remote;
use super::error::{Error, Op, Result};

/// When the waiting line is printed, at the latest.
const NOTICE_AFTER: Duration = Duration::from_secs(5);
/// How often a request in flight looks at the clock and the stop flag.
pub(super) const TICK: Duration = Duration::from_millis(50);

impl Remote {
    /// Runs `request` to its end, or fails after the stall timeout (a
    /// folder has none), or when the remote's stop flag is raised.
    pub(super) fn wait<T>(
        &self,
        op: Op,
        key: &str,
        request: impl Future<Output = object_store::Result<T>>,
    ) -> Result<object_store::Result<T>> {
        let limit = self.opened.deadline;
        let notice_at = limit.map(|l| (l / 2).min(NOTICE_AFTER));
        let started = Instant::now();
        let mut noticed = false;
        self.rt.block_on(async {
            let mut request = std::pin::pin!(request);
            loop {
                if let Ok(done) = tokio::time::timeout(TICK, request.as_mut()).await {
                    return Ok(done);
                }
                if self.stop_raised() {
                    return Err(self.stopped(key));
                }
                let waited = started.elapsed();
                if let Some(limit) = limit.filter(|l| waited >= *l) {
                    return Err(Error::Stalled {
                        op,
                        key: key.to_string(),
                        remote: self.opened.display.clone(),
                        seconds: limit.as_secs_f32(),
                    });
                }
                if let (Some(limit), Some(at)) = (limit, notice_at)
                    && !noticed
                    && waited >= at
                {
                    noticed = true;
                    notice(&format!(
                        "waiting for an answer to {} {}: none for {} s yet (cache.read_timeout gives up at {} s)",
                        op.noun(key),
                        self.opened.display,
                        at.as_secs_f32(),
                        limit.as_secs_f32()
                    ));
                }
            }
        })
    }

    /// Whether the stop flag (Ctrl-C) is raised.
    pub(super) fn stop_raised(&self) -> bool {
        (self.stop.as_ref()).is_some_and(|s| s.load(Ordering::Relaxed))
    }

    pub(super) fn stopped(&self, key: &str) -> Error {
        Error::Stopped {
            key: key.to_string(),
            remote: self.opened.display.clone(),
        }
    }
}

/// A line about a request that stalls or is resumed: on stderr unless a
/// person watches a spinner (which shows the time passing), so CI logs and
/// scripts see why a step is slow.
pub(super) fn notice(msg: &str) {
    if crate::progress::Audience::of_stderr() != crate::progress::Audience::Terminal {
        eprintln!("{msg}");
    }
}
