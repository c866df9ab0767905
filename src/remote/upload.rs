//! Uploading a local file to a remote: one PUT when it is small, else a
//! multipart upload in parts; either stops once the remote's stop flag is
//! raised (`Remote::stopping_on`, Ctrl-C), a multipart upload then aborted
//! so no unfinished parts stay behind.

use std::io::Read;
use std::path::Path;

use object_store::{ObjectStoreExt, PutPayload, WriteMultipart};

use super::Remote;
use super::error::{Error, Op, Result};

/// Files larger than this are uploaded in parts of this size.
const MULTIPART_CHUNK: usize = 16 << 20;

impl Remote {
    /// Uploads a local file (in parts when it is large); ends with
    /// `Error::Stopped` soon after the stop flag is raised.
    pub fn put_file(&self, key: &str, path: &Path) -> Result<()> {
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
            return self.rt.block_on(self.until_stopped(key, put));
        }
        self.rt.block_on(self.multipart(key, &mut file))
    }

    /// `work`, unless the stop flag is raised first (the request is then
    /// dropped). No overall bound: a large PUT may take long, as long as
    /// it never stalls (`read_timeout`).
    async fn until_stopped<T>(
        &self,
        key: &str,
        work: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let mut work = std::pin::pin!(work);
        loop {
            match tokio::time::timeout(super::wait::TICK, work.as_mut()).await {
                Ok(done) => return done,
                Err(_) if self.stop_raised() => return Err(self.stopped(key)),
                Err(_) => {}
            }
        }
    }

    async fn multipart(&self, key: &str, file: &mut fs_err::File) -> Result<()> {
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
            if self.stop_raised() {
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
