//! Uploading a local file to a remote: one PUT when it is small, else a
//! multipart upload in parts; either stops when a flag is raised (Ctrl-C),
//! a multipart upload then aborted so no unfinished parts stay behind.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use object_store::{ObjectStoreExt, PutPayload, WriteMultipart};

use super::Remote;
use super::error::{Error, Op, Result};

/// Files larger than this are uploaded in parts of this size.
const MULTIPART_CHUNK: usize = 16 << 20;
/// How often a request in flight looks at the stop flag.
const STOP_POLL: Duration = Duration::from_millis(50);

impl Remote {
    /// Uploads a local file (in parts when it is large); ends with
    /// `Error::Stopped` soon after `stop` is raised.
    pub fn put_file(&self, key: &str, path: &Path, stop: &AtomicBool) -> Result<()> {
        if !self.writable() {
            return Err(Error::ReadOnly(self.opened.display.clone()));
        }
        self.reachable(Op::Write, key)?;
        let mut file = fs_err::File::open(path)?;
        let size = file.metadata()?.len();
        if size <= MULTIPART_CHUNK as u64 {
            let mut data = Vec::with_capacity(size as usize);
            file.read_to_end(&mut data)?;
            let at = self.path(key);
            let put = async {
                let done = self.opened.store.put(&at, PutPayload::from(data)).await;
                done.map(drop).map_err(|e| self.error(Op::Write, key, e))
            };
            return self.rt.block_on(self.until_stopped(key, stop, put));
        }
        self.rt.block_on(self.multipart(key, &mut file, stop))
    }

    /// `work`, unless `stop` is raised first (the request is then dropped).
    async fn until_stopped<T>(
        &self,
        key: &str,
        stop: &AtomicBool,
        work: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let mut work = std::pin::pin!(work);
        loop {
            match tokio::time::timeout(STOP_POLL, work.as_mut()).await {
                Ok(done) => return done,
                Err(_) if stop.load(Ordering::Relaxed) => return Err(self.stopped(key)),
                Err(_) => {}
            }
        }
    }

    fn stopped(&self, key: &str) -> Error {
        Error::Stopped {
            key: key.to_string(),
            remote: self.opened.display.clone(),
        }
    }

    async fn multipart(&self, key: &str, file: &mut fs_err::File, stop: &AtomicBool) -> Result<()> {
        let fail = |e| self.error(Op::Write, key, e);
        let upload = self
            .opened
            .store
            .put_multipart(&self.path(key))
            .await
            .map_err(fail)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, MULTIPART_CHUNK);
        let mut buf = vec![0u8; 1 << 20];
        loop {
            if stop.load(Ordering::Relaxed) {
                // Best effort: the bucket's own cleanup rules take what stays.
                let _ = writer.abort().await;
                return Err(self.stopped(key));
            }
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            writer.wait_for_capacity(4).await.map_err(fail)?;
            writer.write(&buf[..n]);
        }
        writer.finish().await.map(drop).map_err(fail)
    }
}
