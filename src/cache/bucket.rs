//! A cache bucket: `s3://bucket/prefix` (SigV4, MinIO-friendly), `http(s)://…`
//! or `file:///…`, behind the `object_store` crate. This module turns a URL
//! and the environment into a store, and describes it without secrets.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::http::HttpBuilder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};

use crate::config::settings::Settings;
use crate::env::Env;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    S3,
    Http,
    Local,
}

pub struct Bucket {
    pub store: Arc<dyn ObjectStore>,
    /// Key prefix inside the store (no leading or trailing `/`).
    pub prefix: String,
    pub kind: Kind,
    /// The URL without credentials, for messages.
    pub display: String,
    /// Where the credentials came from (never the credentials themselves).
    pub credentials: String,
}

impl Bucket {
    pub fn path(&self, key: &str) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from(key)
        } else {
            ObjectPath::from(format!("{}/{key}", self.prefix))
        }
    }

    /// The key of a store path relative to this bucket's prefix.
    pub fn key_of(&self, path: &ObjectPath) -> Option<String> {
        let full = path.as_ref();
        if self.prefix.is_empty() {
            return Some(full.to_string());
        }
        full.strip_prefix(&self.prefix)?
            .strip_prefix('/')
            .map(str::to_string)
    }

    pub fn writable(&self) -> bool {
        self.kind != Kind::Http
    }
}

/// The buckets to read, in order: the local one under the data dir, then
/// `cache.urls`.
pub fn configured(env: &Env, settings: &Settings) -> Result<Vec<Bucket>> {
    let mut out = vec![local(env.layout.data_dir().join("cache"), "local cache")?];
    for url in settings.get("cache.urls").split_whitespace() {
        out.push(open(url, env, settings)?);
    }
    Ok(out)
}

/// The bucket `cache push` writes to: the first configured writable one,
/// else the local cache.
pub fn for_writing(env: &Env, settings: &Settings, explicit: Option<&str>) -> Result<Bucket> {
    if let Some(url) = explicit {
        let bucket = open(url, env, settings)?;
        if !bucket.writable() {
            return Err(Error::Other(format!(
                "{} is read-only (http buckets cannot be written)",
                bucket.display
            )));
        }
        return Ok(bucket);
    }
    let mut all = configured(env, settings)?;
    let index = all
        .iter()
        .skip(1)
        .position(Bucket::writable)
        .map_or(0, |i| i + 1);
    Ok(all.swap_remove(index))
}

pub fn open(url: &str, env: &Env, settings: &Settings) -> Result<Bucket> {
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::Other(format!("bad cache URL {}: {e}", redact(url))))?;
    match parsed.scheme() {
        "s3" => s3(&parsed, env, settings),
        "http" | "https" => http(&parsed, settings),
        "file" => {
            let path = parsed.to_file_path().map_err(|()| {
                Error::Other(format!("bad file URL {url}: it needs an absolute path"))
            })?;
            local(path, url)
        }
        other => Err(Error::Other(format!(
            "unsupported cache URL scheme `{other}` in {}: use s3://, http(s):// or file://",
            redact(url)
        ))),
    }
}

/// The URL with any user name and password removed.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => url.to_string(),
    }
}

fn retry(settings: &Settings) -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            base: 2.0,
        },
        max_retries: settings.get("cache.retries").parse().unwrap_or(4),
        retry_timeout: Duration::from_secs(120),
    }
}

fn client_options(allow_http: bool, settings: &Settings) -> ClientOptions {
    // No overall timeout (large downloads take long); a stalled read fails
    // and is retried from where it stopped.
    let read_timeout = settings.get("cache.read_timeout").parse().unwrap_or(30);
    ClientOptions::new()
        .with_allow_http(allow_http)
        .with_connect_timeout(Duration::from_secs(10))
        .with_timeout_disabled()
        .with_read_timeout(Duration::from_secs(read_timeout))
}

fn local(path: PathBuf, display: &str) -> Result<Bucket> {
    std::fs::create_dir_all(&path)
        .map_err(|e| Error::io("cannot create the cache folder", &path, e))?;
    let store = LocalFileSystem::new_with_prefix(&path).map_err(|e| {
        Error::Other(format!(
            "cannot open the cache folder {}: {e}",
            path.display()
        ))
    })?;
    Ok(Bucket {
        store: Arc::new(store),
        prefix: String::new(),
        kind: Kind::Local,
        display: if display == "local cache" {
            format!("{} (local cache)", path.display())
        } else {
            display.to_string()
        },
        credentials: "none needed".into(),
    })
}

fn s3(url: &url::Url, env: &Env, settings: &Settings) -> Result<Bucket> {
    let bucket = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| {
        Error::Other(format!(
            "bad S3 URL {url}: it needs a bucket name (s3://bucket/prefix)"
        ))
    })?;
    let endpoint = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ENDPOINT"]
        .iter()
        .find_map(|v| env.var(v));
    let region = env
        .var("AWS_REGION")
        .or_else(|| env.var("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| "us-east-1".into());
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_region(region)
        .with_retry(retry(settings))
        .with_virtual_hosted_style_request(false);
    let allow_http = endpoint
        .as_deref()
        .is_some_and(|e| e.starts_with("http://"));
    builder = builder.with_client_options(client_options(allow_http, settings));
    if let Some(e) = &endpoint {
        builder = builder.with_endpoint(e.clone());
    }
    let credentials = match credentials(env) {
        Some((key, secret, token, source)) => {
            builder = builder
                .with_access_key_id(key)
                .with_secret_access_key(secret);
            if let Some(t) = token {
                builder = builder.with_token(t);
            }
            source
        }
        None => {
            builder = builder.with_skip_signature(true);
            "no credentials found (anonymous requests): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or a ~/.aws/credentials profile".into()
        }
    };
    let store = builder
        .build()
        .map_err(|e| Error::Other(format!("cannot use the S3 bucket {url}: {e}")))?;
    let display = match &endpoint {
        Some(e) => format!("{url} (endpoint {})", redact(e)),
        None => url.to_string(),
    };
    Ok(Bucket {
        store: Arc::new(store),
        prefix: url.path().trim_matches('/').to_string(),
        kind: Kind::S3,
        display,
        credentials,
    })
}

type Credentials = (String, String, Option<String>, String);

/// S3 credentials from the environment, else from `~/.aws/credentials`
/// (`AWS_PROFILE`, else `default`), with a description of their source.
fn credentials(env: &Env) -> Option<Credentials> {
    if let (Some(key), Some(secret)) = (
        env.var("AWS_ACCESS_KEY_ID"),
        env.var("AWS_SECRET_ACCESS_KEY"),
    ) {
        let source = "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment".to_string();
        return Some((key, secret, env.var("AWS_SESSION_TOKEN"), source));
    }
    let file = env
        .var("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| env.home.join(".aws/credentials"));
    let profile = env.var("AWS_PROFILE").unwrap_or_else(|| "default".into());
    let text = std::fs::read_to_string(&file).ok()?;
    let section = ini_section(&text, &profile);
    let get = |k: &str| {
        section
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    Some((
        get("aws_access_key_id")?,
        get("aws_secret_access_key")?,
        get("aws_session_token"),
        format!("profile `{profile}` in {}", file.display()),
    ))
}

/// The `key = value` pairs of one `[section]` of an INI file.
fn ini_section(text: &str, name: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = header.trim() == name;
        } else if inside && let Some((k, v)) = line.split_once('=') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

fn http(url: &url::Url, settings: &Settings) -> Result<Bucket> {
    let mut clean = url.clone();
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    let mut headers = http::HeaderMap::new();
    let token = settings.get("cache.token");
    let credentials = if !url.username().is_empty() {
        let value = basic_auth(url.username(), url.password().unwrap_or(""));
        headers.insert(http::header::AUTHORIZATION, value);
        "user and password in the cache URL (basic auth)".to_string()
    } else if !token.is_empty() {
        let mut value = http::HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| Error::Other("cache.token has characters a header cannot carry".into()))?;
        value.set_sensitive(true);
        headers.insert(http::header::AUTHORIZATION, value);
        "cache.token (bearer)".to_string()
    } else {
        "none (anonymous)".to_string()
    };
    let store = HttpBuilder::new()
        .with_url(clean.as_str())
        .with_retry(retry(settings))
        .with_client_options(client_options(true, settings).with_default_headers(headers))
        .build()
        .map_err(|e| Error::Other(format!("cannot use the bucket {clean}: {e}")))?;
    Ok(Bucket {
        store: Arc::new(store),
        prefix: String::new(),
        kind: Kind::Http,
        display: clean.to_string(),
        credentials,
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
