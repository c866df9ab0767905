//! Everything a bucket or mirror can answer besides the data: each error
//! names the key and the remote (never its credentials) and keeps the
//! `object_store` cause as its source.

/// What was being done when a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Read,
    Write,
    List,
    Check,
    Delete,
}

impl Op {
    /// `read KEY from`, `write KEY to`, `list`, `use` (then the remote).
    fn phrase(self, key: &str) -> String {
        match self {
            Op::Read => format!("read {key} from"),
            Op::Write => format!("write {key} to"),
            Op::List => "list".into(),
            Op::Check => "use".into(),
            Op::Delete => format!("delete {key} from"),
        }
    }

    /// `the read of KEY from`, … (then the remote).
    pub(super) fn noun(self, key: &str) -> String {
        match self {
            Op::Read => format!("the read of {key} from"),
            Op::Write => format!("the write of {key} to"),
            Op::List => "the listing of".into(),
            Op::Check => "a request to".into(),
            Op::Delete => format!("the deletion of {key} from"),
        }
    }

    fn gerund(self, key: &str) -> String {
        match self {
            Op::Read => format!("reading {key} from"),
            Op::Write => format!("writing {key} to"),
            Op::List => "listing".into(),
            Op::Check => "using".into(),
            Op::Delete => format!("deleting {key} from"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("bad {what} {url}: {why}")]
    BadUrl {
        what: &'static str,
        /// Already redacted.
        url: String,
        why: String,
    },

    #[error("access denied {} {remote}: the credentials were refused (credentials: {credentials})", .op.gerund(.key))]
    Denied {
        op: Op,
        key: String,
        remote: String,
        credentials: String,
    },

    #[error("cannot {} {remote} (credentials: {credentials})", .op.phrase(.key))]
    Request {
        op: Op,
        key: String,
        remote: String,
        credentials: String,
        #[source]
        source: Box<object_store::Error>,
    },

    /// Not retried: a name that does not resolve will not start to.
    #[error("cannot {} {remote}: the host name {host} does not resolve ({why})", .op.phrase(.key))]
    Unresolved {
        op: Op,
        key: String,
        remote: String,
        host: String,
        why: String,
    },

    /// A `file://` bucket whose folder is missing: never created by a read
    /// or a push, so a typo is an error rather than an empty bucket.
    #[error("no bucket at {url}: the folder {} {why} (file:// buckets are not created: check the URL, or create the folder)", .path.display())]
    NoFolder {
        url: String,
        path: std::path::PathBuf,
        why: &'static str,
    },

    /// No answer within the stall timeout, retries included.
    #[error("cannot {} {remote}: no answer within {seconds} s (cache.read_timeout), retries included", .op.phrase(.key))]
    Stalled {
        op: Op,
        key: String,
        remote: String,
        seconds: f32,
    },

    /// An upload stopped on request (Ctrl-C, SIGTERM).
    #[error("stopped writing {key} to {remote}: interrupted")]
    Stopped { key: String, remote: String },

    #[error("{key} in {remote} is too large (over {limit} bytes)")]
    TooLarge {
        key: String,
        remote: String,
        limit: u64,
    },

    #[error("download of {key} from {remote} failed")]
    Transfer {
        key: String,
        remote: String,
        #[source]
        source: Box<object_store::Error>,
    },

    #[error("download of {key} from {remote} ended after {got} of {size} bytes")]
    Short {
        key: String,
        remote: String,
        got: u64,
        size: u64,
    },

    /// A document fetched by its full URL (one with a query string).
    #[error("cannot read {url}: {why}")]
    Url { url: String, why: String },

    #[error("{0} is read-only (http buckets cannot be written)")]
    ReadOnly(String),

    /// A credential source that was configured but failed (a profile
    /// without a secret, STS or the metadata service refusing).
    #[error("cannot get S3 credentials from {from}: {why}")]
    Credentials { from: String, why: String },

    #[error(
        "The config profile ({profile}) could not be found in {files}: set AWS_PROFILE to a profile they define, or unset it"
    )]
    NoProfile { profile: String, files: String },

    #[error("cannot read the AWS shared file {path}: {why}")]
    SharedFile { path: String, why: String },

    #[error("cache.token has characters a header cannot carry")]
    BadToken,

    #[error("cannot start the network runtime")]
    Runtime(#[source] std::io::Error),

    /// A local file being uploaded or written (the message names the path).
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
