//! Turns a URL into an `object_store` store, by role. A bucket
//! (`s3://bucket/prefix`: SigV4, path style so MinIO works, endpoint and
//! region from the standard `AWS_*` variables or the AWS profile, credentials
//! found as the AWS SDKs find them (`credentials`); `http(s)://…` with basic auth in the URL or a
//! bearer token; `file:///…`) is opened with its `Credentials`. A mirror
//! (`http(s)://`, `file://`) cannot be given any: it sends only what its own
//! URL carries (user info), so a bucket's token never reaches a release server.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::http::HttpBuilder;
use object_store::local::LocalFileSystem;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};

use tokio::runtime::Runtime;

use super::credentials;
use super::error::{Error, Result};
use super::redact;
use super::resolve::Host;
use super::tls::Roots;

/// How requests to a remote behave, whatever its role.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub retries: usize,
    /// A read that stalls this long counts as dropped (then resumed).
    pub read_timeout: Duration,
    /// Look the host name up before the first request and fail at once when
    /// it does not resolve (off behind a proxy, which resolves names itself).
    pub resolve_first: bool,
}

/// What a bucket may authenticate with; mirrors get none of it.
pub struct Credentials<'a> {
    /// Bearer token for http(s) buckets.
    pub token: Option<&'a str>,
    /// For `~/.aws/config` and `~/.aws/credentials`.
    pub home: &'a Path,
    /// The process environment (`AWS_*`), passed in so callers control it.
    pub var: &'a dyn Fn(&str) -> Option<String>,
}

/// Who a remote is, which decides what it may be sent. A bucket's
/// credentials may be fetched (STS, ECS, instance metadata) on the runtime.
pub enum Role<'a> {
    Bucket(&'a Credentials<'a>, &'a Runtime),
    Mirror,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    S3,
    Http,
    Local,
}

/// A store with what messages may say about it.
pub struct Opened {
    pub store: Arc<dyn ObjectStore>,
    pub prefix: String,
    pub kind: Kind,
    pub display: String,
    pub credentials: String,
    /// The host looked up before the first request (`Options::resolve_first`).
    pub host: Option<Host>,
    /// How long a request may go unanswered in all (`None`: a folder).
    pub deadline: Option<Duration>,
    /// How often a cut download is resumed.
    pub retries: usize,
    /// The folder of a folder remote, where a conditional replace locks.
    pub folder: Option<PathBuf>,
}

/// Opens `url` for `role`; `roots` says which HTTPS roots to trust (asked
/// only for network remotes).
pub fn open(
    url: &str,
    opts: &Options,
    role: Role<'_>,
    roots: impl FnOnce() -> Roots,
) -> Result<Opened> {
    let bad = |why: String| Error::BadUrl {
        what: "URL",
        url: redact(url),
        why,
    };
    let parsed = url::Url::parse(url).map_err(|e| bad(e.to_string()))?;
    match (parsed.scheme(), role) {
        ("s3", Role::Bucket(creds, rt)) => s3(&parsed, opts, creds, rt, roots()),
        ("s3", Role::Mirror) => Err(bad(
            "a mirror is an http(s):// or file:// URL (s3:// is for cache buckets)".into(),
        )),
        ("http" | "https", role) => {
            let token = match role {
                Role::Bucket(creds, _) => creds.token,
                Role::Mirror => None,
            };
            http(&parsed, opts, token, roots())
        }
        ("file", role) => {
            let path = parsed
                .to_file_path()
                .map_err(|()| bad("it needs an absolute path".into()))?;
            match role {
                Role::Bucket(..) => existing_folder(path, url),
                Role::Mirror => local(path, url),
            }
        }
        (other, _) => Err(bad(format!(
            "unsupported scheme `{other}`: use s3://, http(s):// or file://"
        ))),
    }
}

fn retry(opts: &Options) -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            base: 2.0,
        },
        max_retries: opts.retries,
        // No retry starts once the stall timeout has passed: a hung server
        // costs `read_timeout`, not `read_timeout` × retries (`Remote::wait`
        // cuts the attempt in flight then).
        retry_timeout: opts.read_timeout,
    }
}

fn client_options(allow_http: bool, opts: &Options, roots: Roots) -> ClientOptions {
    // No overall timeout (large downloads take long); a stalled read fails
    // and is retried from where it stopped.
    super::tls::object_store_options(ClientOptions::new(), roots)
        .with_allow_http(allow_http)
        .with_connect_timeout(Duration::from_secs(10))
        .with_timeout_disabled()
        .with_read_timeout(opts.read_timeout)
}

/// A `file://` bucket: a folder that exists, never `/` (a typo must not
/// become an empty bucket, nor a push write into the root folder).
fn existing_folder(path: PathBuf, url: &str) -> Result<Opened> {
    if path.parent().is_none() {
        return Err(Error::BadUrl {
            what: "bucket URL",
            url: redact(url),
            why: "the root folder / cannot be a bucket: name a folder of its own".into(),
        });
    }
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_dir() => local(path, url),
        Ok(_) => Err(Error::NoFolder {
            url: redact(url),
            path,
            why: "is not a folder",
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::NoFolder {
            url: redact(url),
            path,
            why: "does not exist",
        }),
        Err(e) => Err(Error::Io(std::io::Error::new(
            e.kind(),
            format!("cannot use the bucket folder {}: {e}", path.display()),
        ))),
    }
}

/// A folder as a remote (created when missing: the data dir's own cache,
/// and mirrors).
pub fn local(path: PathBuf, display: &str) -> Result<Opened> {
    fs_err::create_dir_all(&path)?;
    let folder = Some(path.clone());
    let store = LocalFileSystem::new_with_prefix(&path).map_err(|e| Error::BadUrl {
        what: "folder",
        url: path.display().to_string(),
        why: e.to_string(),
    })?;
    Ok(Opened {
        store: Arc::new(store),
        prefix: String::new(),
        kind: Kind::Local,
        display: display.to_string(),
        credentials: "none needed".into(),
        host: None,
        deadline: None,
        retries: 0,
        folder,
    })
}

fn s3(
    url: &url::Url,
    opts: &Options,
    creds: &Credentials<'_>,
    rt: &Runtime,
    roots: Roots,
) -> Result<Opened> {
    let bad = |why: &str| Error::BadUrl {
        what: "S3 URL",
        url: redact(url.as_str()),
        why: why.to_string(),
    };
    let bucket = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| bad("it needs a bucket name (s3://bucket/prefix)"))?;
    // A bad variable fails before any request, credentials' included.
    let endpoint = variable_endpoint(creds)?;
    let region = (creds.var)("AWS_REGION").or_else(|| (creds.var)("AWS_DEFAULT_REGION"));
    let found = rt.block_on(credentials::find(creds, region.clone(), roots))?;
    let endpoint = match (endpoint, found.endpoint) {
        (Some(e), _) => Some(e),
        (None, Some(e)) => Some(check_endpoint("endpoint_url", &e)?),
        (None, None) => None,
    };
    let region = (region.or(found.region)).unwrap_or_else(|| "us-east-1".into());
    // Not `from_env`: every variable is read above, checked, and set here.
    let mut builder = AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_region(region)
        .with_retry(retry(opts))
        .with_virtual_hosted_style_request(false);
    let allow_http = endpoint
        .as_deref()
        .is_some_and(|e| e.starts_with("http://"));
    builder = builder.with_client_options(client_options(allow_http, opts, roots));
    if let Some(e) = &endpoint {
        builder = builder.with_endpoint(e.clone());
    }
    builder = match found.provider {
        Some(provider) => builder.with_credentials(provider),
        None => builder.with_skip_signature(true),
    };
    let store = builder.build().map_err(|e| bad(&e.to_string()))?;
    let credentials = found.source;
    let host = (endpoint.as_deref())
        .and_then(|e| url::Url::parse(e).ok())
        .and_then(|e| Host::of(&e))
        .filter(|_| opts.resolve_first);
    let shown = redact(url.as_str());
    let display = match &endpoint {
        Some(e) => format!("{shown} (endpoint {})", redact(e)),
        None => shown,
    };
    Ok(Opened {
        store: Arc::new(store),
        prefix: url.path().trim_matches('/').to_string(),
        kind: Kind::S3,
        display,
        credentials,
        host,
        deadline: Some(opts.read_timeout),
        retries: opts.retries,
        folder: None,
    })
}

/// The endpoint the `AWS_ENDPOINT_URL*` variables set, checked.
fn variable_endpoint(creds: &Credentials<'_>) -> Result<Option<String>> {
    let endpoint = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ENDPOINT"]
        .iter()
        .find_map(|v| (creds.var)(v).map(|e| (*v, e)));
    match endpoint {
        Some((var, e)) => check_endpoint(var, &e).map(Some),
        None => Ok(None),
    }
}

/// An endpoint must be an http(s) URL with a host (object_store panics on
/// anything else).
fn check_endpoint(var: &str, value: &str) -> Result<String> {
    let parsed = url::Url::parse(value).ok();
    let ok = parsed.as_ref().is_some_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    });
    if ok {
        Ok(value.to_string())
    } else {
        Err(Error::BadUrl {
            what: var_what(var),
            url: redact(value),
            why: "it must be an http:// or https:// URL with a host".into(),
        })
    }
}

fn var_what(var: &str) -> &'static str {
    match var {
        "AWS_ENDPOINT_URL_S3" => "AWS_ENDPOINT_URL_S3",
        "AWS_ENDPOINT" => "AWS_ENDPOINT",
        "endpoint_url" => "endpoint_url of the AWS profile",
        _ => "AWS_ENDPOINT_URL",
    }
}

fn http(url: &url::Url, opts: &Options, token: Option<&str>, roots: Roots) -> Result<Opened> {
    let mut clean = url.clone();
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    let mut headers = http::HeaderMap::new();
    let credentials = if !url.username().is_empty() {
        let value = basic_auth(url.username(), url.password().unwrap_or(""));
        headers.insert(http::header::AUTHORIZATION, value);
        "user and password in the URL (basic auth)".to_string()
    } else if let Some(token) = token.filter(|t| !t.is_empty()) {
        let mut value =
            http::HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| Error::BadToken)?;
        value.set_sensitive(true);
        headers.insert(http::header::AUTHORIZATION, value);
        "cache.token (bearer)".to_string()
    } else {
        "none (anonymous)".to_string()
    };
    let store = HttpBuilder::new()
        .with_url(clean.as_str())
        .with_retry(retry(opts))
        .with_client_options(client_options(true, opts, roots).with_default_headers(headers))
        .build()
        .map_err(|e| Error::BadUrl {
            what: "HTTP URL",
            url: clean.to_string(),
            why: e.to_string(),
        })?;
    Ok(Opened {
        store: Arc::new(store),
        prefix: String::new(),
        kind: Kind::Http,
        display: clean.to_string(),
        credentials,
        host: Host::of(url).filter(|_| opts.resolve_first),
        deadline: Some(opts.read_timeout),
        retries: opts.retries,
        folder: None,
    })
}

/// An `Authorization: Basic …` value, marked sensitive.
fn basic_auth(user: &str, password: &str) -> http::HeaderValue {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let mut value = http::HeaderValue::from_str(&format!("Basic {encoded}"))
        .unwrap_or_else(|_| http::HeaderValue::from_static(""));
    value.set_sensitive(true);
    value
}
