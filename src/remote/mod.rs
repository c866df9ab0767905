//! Buckets and mirrors, knowing nothing above them: a `Client` owns the one
//! network runtime and opens `Remote`s from URLs by role (`open_bucket` with
//! its `Credentials`, `open_mirror` with none); a `Remote` keeps
//! its store private and offers what callers need: `get_small`, `download`
//! (a blocking `Read`, see `stream` for the hash, progress and interrupt
//! adapters), `exists`, `list`, `put_small`, `put_file` (see `upload`),
//! `list_deep` and `delete_if` (see `maintain`). Every failure is a
//! `remote::Error` that names the key and the remote, never a secret.
//!
//! ```no_run
//! # fn main() -> tool::remote::Result<()> {
//! let client = tool::remote::Client::new()?;
//! let opts = tool::remote::Options {
//!     retries: 4,
//!     read_timeout: std::time::Duration::from_secs(30),
//!     resolve_first: true,
//! };
//! let mirror = client.open_mirror("file:///srv/mirror", &opts)?;
//! if let Some(text) = mirror.get_small("SHASUMS256.txt")? { /* … */ }
//! # Ok(()) }
//! ```

mod credentials;
pub mod error;
mod maintain;
mod open;
mod resolve;
pub mod stream;
pub mod tls;
mod upload;
mod wait;

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

pub use error::{Error, Op, Result};
pub use maintain::Deleted;
pub use open::{Credentials, Kind, Options};
pub use stream::{Download, HashReader, Interruptible, ProgressReader};

/// Objects larger than this are refused by `get_small`.
pub const SMALL_LIMIT: u64 = 1 << 20;

/// The network runtime shared by every remote of one operation.
#[derive(Clone)]
pub struct Client {
    rt: Arc<tokio::runtime::Runtime>,
    /// HTTPS roots, found when the first http(s) remote is opened.
    roots: Arc<std::sync::OnceLock<tls::Roots>>,
}

impl Client {
    pub fn new() -> Result<Client> {
        // One worker drives the sockets, so callers can block on requests
        // from any thread and read a download while it arrives.
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        Ok(Client {
            rt: Arc::new(rt),
            roots: Arc::default(),
        })
    }

    /// A cache bucket, which authenticates with `creds`.
    pub fn open_bucket(
        &self,
        url: &str,
        opts: &Options,
        creds: &Credentials<'_>,
    ) -> Result<Remote> {
        let role = open::Role::Bucket(creds, &self.rt);
        Ok(self.wrap(open::open(url, opts, role, || self.roots())?))
    }

    /// A mirror or release server: sent no credentials but its URL's own.
    pub fn open_mirror(&self, url: &str, opts: &Options) -> Result<Remote> {
        Ok(self.wrap(open::open(url, opts, open::Role::Mirror, || self.roots())?))
    }

    fn roots(&self) -> tls::Roots {
        *self.roots.get_or_init(tls::Roots::detect)
    }

    /// The document at an http(s) `url` taken whole, query string included
    /// (object stores address keys, not queries: go.dev's release list is
    /// `/dl/?mode=json&include=all`); `None` on 404; at most `limit` bytes.
    pub fn get_url(&self, url: &str, limit: u64) -> Result<Option<Bytes>> {
        let shown = redact(url);
        let fail = |why: String| Error::Url {
            url: shown.clone(),
            why,
        };
        self.rt.block_on(async {
            let client = tls::reqwest_builder(self.roots())
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .map_err(|e| fail(e.to_string()))?;
            let response = client
                .get(url)
                .send()
                .await
                .map_err(|e| fail(with_cause(&e.without_url())))?;
            if response.status() == reqwest::StatusCode::NOT_FOUND {
                return Ok(None);
            }
            if !response.status().is_success() {
                return Err(fail(format!("the server answered {}", response.status())));
            }
            if response.content_length().is_some_and(|n| n > limit) {
                return Err(fail(format!("it is over {limit} bytes")));
            }
            let body = response
                .bytes()
                .await
                .map_err(|e| fail(e.without_url().to_string()))?;
            if body.len() as u64 > limit {
                return Err(fail(format!("it is over {limit} bytes")));
            }
            Ok(Some(body))
        })
    }

    /// A local folder as a remote, shown as `display` in messages.
    pub fn folder(&self, path: PathBuf, display: &str) -> Result<Remote> {
        Ok(self.wrap(open::local(path, display)?))
    }

    fn wrap(&self, opened: open::Opened) -> Remote {
        Remote {
            opened,
            rt: self.rt.clone(),
            stop: None,
        }
    }
}

/// `error: its innermost cause` (reqwest's own text says only "error
/// sending request"; the cause says a name did not resolve, or a refusal).
fn with_cause(e: &dyn std::error::Error) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    match std::ptr::addr_eq(cause, e) {
        true => e.to_string(),
        false => format!("{e}: {cause}"),
    }
}

/// Which copy of an object was read (its ETag and version), kept opaque.
#[derive(Debug, Clone)]
pub struct Version(object_store::UpdateVersion);

/// One bucket or mirror.
pub struct Remote {
    opened: open::Opened,
    rt: Arc<tokio::runtime::Runtime>,
    /// Raised by Ctrl-C: a request in flight ends with `Error::Stopped`.
    stop: Option<Arc<std::sync::atomic::AtomicBool>>,
}

/// One object in a listing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Object {
    pub key: String,
    pub size: u64,
    /// `YYYY-MM-DD HH:MM` (UTC).
    pub modified: String,
    /// Seconds since the Unix epoch of the last write.
    pub modified_at: i64,
}

impl Remote {
    /// This remote, its requests ended (`Error::Stopped`) once `flag` is
    /// raised rather than waited for.
    pub fn stopping_on(self, flag: Arc<std::sync::atomic::AtomicBool>) -> Remote {
        Remote {
            stop: Some(flag),
            ..self
        }
    }

    /// The URL without credentials, for messages.
    pub fn display(&self) -> &str {
        &self.opened.display
    }

    /// Where the credentials came from (never the credentials themselves).
    pub fn credentials(&self) -> &str {
        &self.opened.credentials
    }

    pub fn writable(&self) -> bool {
        self.opened.kind != Kind::Http
    }

    pub(super) fn path(&self, key: &str) -> ObjectPath {
        match self.opened.prefix.as_str() {
            "" => ObjectPath::from(key),
            prefix => ObjectPath::from(format!("{prefix}/{key}")),
        }
    }

    /// The key of a store path relative to this remote's prefix.
    fn key_of(&self, path: &ObjectPath) -> Option<String> {
        match self.opened.prefix.as_str() {
            "" => Some(path.as_ref().to_string()),
            prefix => path
                .as_ref()
                .strip_prefix(prefix)?
                .strip_prefix('/')
                .map(str::to_string),
        }
    }

    /// The one mapping from a store error to ours.
    pub(super) fn error(&self, op: Op, key: &str, source: object_store::Error) -> Error {
        let (key, remote, credentials) = (
            key.to_string(),
            self.opened.display.clone(),
            self.opened.credentials.clone(),
        );
        match source {
            object_store::Error::PermissionDenied { .. }
            | object_store::Error::Unauthenticated { .. } => Error::Denied {
                op,
                key,
                remote,
                credentials,
            },
            source => Error::Request {
                op,
                key,
                remote,
                credentials,
                source: Box::new(source),
            },
        }
    }

    /// Fails at once when the remote's host name does not resolve (asked
    /// before the first request only; see `resolve`).
    pub(super) fn reachable(&self, op: Op, key: &str) -> Result<()> {
        let Some(host) = &self.opened.host else {
            return Ok(());
        };
        match host.failure() {
            None => Ok(()),
            Some(why) => Err(Error::Unresolved {
                op,
                key: key.to_string(),
                remote: self.opened.display.clone(),
                host: host.name().to_string(),
                why: why.to_string(),
            }),
        }
    }

    /// Starts a GET; `None` when the object does not exist.
    fn get(&self, key: &str) -> Result<Option<object_store::GetResult>> {
        self.reachable(Op::Read, key)?;
        match self.wait(Op::Read, key, self.opened.store.get(&self.path(key)))? {
            Ok(r) => Ok(Some(r)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.error(Op::Read, key, e)),
        }
    }

    /// A small object (a checksum, a manifest, an index); `None` when it
    /// does not exist.
    pub fn get_small(&self, key: &str) -> Result<Option<Bytes>> {
        self.get_limited(key, SMALL_LIMIT)
    }

    /// The whole of `key` when it is at most `limit` bytes (a release list);
    /// `None` when it does not exist.
    pub fn get_limited(&self, key: &str, limit: u64) -> Result<Option<Bytes>> {
        let Some(r) = self.get(key)? else {
            return Ok(None);
        };
        if r.meta.size > limit {
            return Err(Error::TooLarge {
                key: key.to_string(),
                remote: self.opened.display.clone(),
                limit,
            });
        }
        // A small body is part of the request's time; a large one (a
        // release list) may take longer as long as it never stalls.
        let body = match r.meta.size <= SMALL_LIMIT {
            true => self.wait(Op::Read, key, r.bytes())?,
            false => self.rt.block_on(r.bytes()),
        };
        body.map(Some).map_err(|e| self.error(Op::Read, key, e))
    }

    /// Starts streaming `key`; `None` when it does not exist.
    pub fn download(&self, key: &str) -> Result<Option<Download>> {
        let Some(r) = self.get(key)? else {
            return Ok(None);
        };
        let r = match r.payload {
            object_store::GetResultPayload::File(file, _) => {
                let local = Download::local(file, r.range, key, &self.opened.display);
                let generic = |e: std::io::Error| object_store::Error::Generic {
                    store: "local",
                    source: Box::new(e),
                };
                return Ok(Some(
                    local.map_err(|e| self.error(Op::Read, key, generic(e)))?,
                ));
            }
            payload => object_store::GetResult { payload, ..r },
        };
        let resume = stream::Resume {
            store: self.opened.store.clone(),
            path: self.path(key),
            meta: r.meta.clone(),
            tries: self.opened.retries,
            deadline: self.opened.deadline,
        };
        let body = r.into_stream();
        Ok(Some(Download::start(
            self.rt.clone(),
            body,
            resume,
            key,
            &self.opened.display,
        )))
    }

    pub fn exists(&self, key: &str) -> Result<bool> {
        self.reachable(Op::Check, key)?;
        match self.wait(Op::Check, key, self.opened.store.head(&self.path(key)))? {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.error(Op::Check, key, e)),
        }
    }

    /// The objects at the prefix's own level, sorted by key: deeper
    /// prefixes (another bucket nested in this one, `s3://b/kt` inside
    /// `s3://b`) are not this bucket's.
    pub fn list(&self) -> Result<Vec<Object>> {
        self.list_in("")
    }

    /// The objects in `folder` (a key's folder, `""` for the prefix itself),
    /// one level only, sorted by key.
    pub fn list_in(&self, folder: &str) -> Result<Vec<Object>> {
        self.reachable(Op::List, "objects")?;
        let at = match (self.prefix_path(), folder.trim_matches('/')) {
            (prefix, "") => prefix,
            (_, folder) => Some(self.path(folder)),
        };
        let listing = self.opened.store.list_with_delimiter(at.as_ref());
        let listed = (self.wait(Op::List, "objects", listing)?)
            .map_err(|e| self.error(Op::List, "objects", e))?;
        let mut out: Vec<Object> = (listed.objects.iter())
            .filter_map(|m| self.object_of(m))
            .collect();
        out.sort();
        Ok(out)
    }

    /// A listed object, when it is under this remote's prefix.
    pub(super) fn object_of(&self, m: &object_store::ObjectMeta) -> Option<Object> {
        Some(Object {
            key: self.key_of(&m.location)?,
            size: m.size,
            modified: m.last_modified.format("%Y-%m-%d %H:%M").to_string(),
            modified_at: m.last_modified.timestamp(),
        })
    }

    /// Whether the bucket itself can be used (an S3 bucket that does not
    /// exist answers every GET with 404 too).
    pub fn check(&self) -> Result<()> {
        if self.opened.kind != Kind::S3 {
            return Ok(());
        }
        self.reachable(Op::Check, "the bucket")?;
        let prefix = self.prefix_path();
        let listing = self.opened.store.list_with_delimiter(prefix.as_ref());
        (self.wait(Op::Check, "the bucket", listing)?)
            .map(drop)
            .map_err(|e| self.error(Op::Check, "the bucket", e))
    }

    pub(super) fn prefix_path(&self) -> Option<ObjectPath> {
        let prefix = &self.opened.prefix;
        (!prefix.is_empty()).then(|| ObjectPath::from(prefix.as_str()))
    }

    /// A small object with what identifies this copy of it (its ETag), for
    /// `replace_small`; `None` when it does not exist.
    pub fn get_small_versioned(&self, key: &str) -> Result<Option<(Bytes, Version)>> {
        let Some(r) = self.get(key)? else {
            return Ok(None);
        };
        if r.meta.size > SMALL_LIMIT {
            return Err(Error::TooLarge {
                key: key.to_string(),
                remote: self.opened.display.clone(),
                limit: SMALL_LIMIT,
            });
        }
        let version = Version(object_store::UpdateVersion {
            e_tag: r.meta.e_tag.clone(),
            version: r.meta.version.clone(),
        });
        let bytes =
            (self.wait(Op::Read, key, r.bytes())?).map_err(|e| self.error(Op::Read, key, e))?;
        Ok(Some((bytes, version)))
    }

    /// Writes `key` only if it does not exist (S3's `If-None-Match: *`, a
    /// no-replace link in a folder): `false` when it already did.
    pub fn create_small(&self, key: &str, data: Vec<u8>) -> Result<bool> {
        self.reachable(Op::Write, key)?;
        let opts = object_store::PutOptions::from(object_store::PutMode::Create);
        let path = self.path(key);
        match self.wait(
            Op::Write,
            key,
            self.opened.store.put_opts(&path, data.into(), opts),
        )? {
            Ok(_) => Ok(true),
            Err(object_store::Error::AlreadyExists { .. }) => Ok(false),
            Err(e) => Err(self.error(Op::Write, key, e)),
        }
    }

    /// Replaces `key` only if it is still `version` (S3's `If-Match`):
    /// `false` when someone changed it meanwhile. A folder, which has no
    /// such check, is checked under a lock (`replace_in_folder`).
    pub fn replace_small(&self, key: &str, data: Vec<u8>, version: &Version) -> Result<bool> {
        self.reachable(Op::Write, key)?;
        if let Some(folder) = &self.opened.folder {
            return self.replace_in_folder(folder, key, data, version);
        }
        let mode = object_store::PutMode::Update(version.0.clone());
        let path = self.path(key);
        let put = self.opened.store.put_opts(&path, data.into(), mode.into());
        match self.wait(Op::Write, key, put)? {
            Ok(_) => Ok(true),
            Err(object_store::Error::Precondition { .. }) => Ok(false),
            Err(e) => Err(self.error(Op::Write, key, e)),
        }
    }

    /// `If-Match` in a folder: the object's file is locked (as every
    /// replace there locks it), then replaced by an atomic rename only if
    /// it is still the copy read (its ETag names its inode, size and time);
    /// a writer that waited for the lock then finds another copy.
    fn replace_in_folder(
        &self,
        folder: &std::path::Path,
        key: &str,
        data: Vec<u8>,
        version: &Version,
    ) -> Result<bool> {
        let at = folder.join(key);
        let failed = |e: std::io::Error| {
            let why = format!("cannot lock {} to replace it: {e}", at.display());
            Error::Io(std::io::Error::new(e.kind(), why))
        };
        let file = match std::fs::File::open(&at) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(failed(e)),
        };
        file.lock().map_err(failed)?;
        let path = self.path(key);
        let now = match self.wait(Op::Check, key, self.opened.store.head(&path))? {
            Ok(meta) => meta,
            Err(object_store::Error::NotFound { .. }) => return Ok(false),
            Err(e) => return Err(self.error(Op::Check, key, e)),
        };
        if now.e_tag != version.0.e_tag {
            return Ok(false);
        }
        let mode = object_store::PutMode::Overwrite;
        let put = self.opened.store.put_opts(&path, data.into(), mode.into());
        (self.wait(Op::Write, key, put)?).map_err(|e| self.error(Op::Write, key, e))?;
        Ok(true)
    }

    pub fn put_small(&self, key: &str, data: Vec<u8>) -> Result<()> {
        self.reachable(Op::Write, key)?;
        let path = self.path(key);
        let put = self.opened.store.put(&path, PutPayload::from(data));
        (self.wait(Op::Write, key, put)?)
            .map(drop)
            .map_err(|e| self.error(Op::Write, key, e))
    }
}

/// Every URL-looking word of `text` redacted (for messages that quote a
/// setting's value).
pub fn redact_words(text: &str) -> String {
    text.split(' ')
        .map(|w| {
            if w.contains("://") {
                redact(w)
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A URL with any user name, password and query-string signature removed
/// (text without `://`, such as a path or `git@host:repo`, as it is).
pub fn redact(url: &str) -> String {
    if !url.contains("://") {
        return url.to_string();
    }
    match url::Url::parse(url) {
        Ok(mut u) => {
            if !u.username().is_empty() || u.password().is_some() {
                let _ = u.set_username("");
                let _ = u.set_password(None);
            }
            if u.query().is_some() {
                u.set_query(None);
            }
            u.to_string()
        }
        // Unparsable: show the scheme and host part only, never user info.
        Err(_) => match url.split_once("://") {
            Some((scheme, rest)) => {
                let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
                format!("{scheme}://{}", host.split('/').next().unwrap_or(""))
            }
            None => "(unparsable URL)".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_user_info_and_signatures() {
        assert_eq!(
            redact("https://u:p4ss@h.example/x?X-Amz-Signature=abc"),
            "https://h.example/x"
        );
        assert_eq!(redact("s3://key:secret@bucket/p"), "s3://bucket/p");
        assert!(!redact("https://u:p4ss@[bad/x").contains("p4ss"));
        assert_eq!(redact("file:///srv/cache"), "file:///srv/cache");
        assert_eq!(redact("/srv/plugins/x"), "/srv/plugins/x");
        assert_eq!(redact("git@github.com:a/b.git"), "git@github.com:a/b.git");
        assert_eq!(
            redact_words("s3://k:s@b/p https://t@h/x?sig=1"),
            "s3://b/p https://h/x"
        );
    }
}
