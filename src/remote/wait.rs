//! A request against the clock: `Remote::wait` runs one request to its end
//! within the remote's stall timeout (`read_timeout`) in all, its retries
//! included, and fails with `Error::Stalled` past it; half-way (at most 5 s
//! in) a line says what it is waiting for, on stderr when no spinner shows
//! time passing. `notice` is that line, shared with the download's resumes.

use std::time::Duration;

use super::Remote;
use super::error::{Error, Op, Result};

/// When the waiting line is printed, at the latest.
const NOTICE_AFTER: Duration = Duration::from_secs(5);

impl Remote {
    /// Runs `request` to its end, or fails after the stall timeout; a
    /// folder has none.
    pub(super) fn wait<T>(
        &self,
        op: Op,
        key: &str,
        request: impl Future<Output = object_store::Result<T>>,
    ) -> Result<object_store::Result<T>> {
        let Some(limit) = self.opened.deadline else {
            return Ok(self.rt.block_on(request));
        };
        let notice_at = (limit / 2).min(NOTICE_AFTER);
        self.rt.block_on(async {
            let mut request = std::pin::pin!(request);
            if let Ok(done) = tokio::time::timeout(notice_at, request.as_mut()).await {
                return Ok(done);
            }
            notice(&format!(
                "waiting for an answer to {} {}: none for {} s yet (cache.read_timeout gives up at {} s)",
                op.noun(key),
                self.opened.display,
                notice_at.as_secs_f32(),
                limit.as_secs_f32()
            ));
            match tokio::time::timeout(limit - notice_at, request).await {
                Ok(done) => Ok(done),
                Err(_) => Err(Error::Stalled {
                    op,
                    key: key.to_string(),
                    remote: self.opened.display.clone(),
                    seconds: limit.as_secs_f32(),
                }),
            }
        })
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
