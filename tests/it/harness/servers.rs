//! Real servers on 127.0.0.1 for the cache tests: the `s3s-fs` S3 server
//! (checks SigV4 signatures), and a small HTTP file server that can produce
//! the faults a real server cannot on demand (a body cut mid-stream, 500s,
//! a required bearer token).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const ACCESS_KEY: &str = "tool-test-access";
pub const SECRET_KEY: &str = "tool-test-secret-do-not-print";

fn s3s_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("S3S_FS") {
        return PathBuf::from(p);
    }
    let home_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|c| c.join("bin/s3s-fs"));
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("s3s-fs"))
        .chain(home_bin)
        .find(|p| p.is_file())
        .expect("s3s-fs is not installed: run scripts/setup-test-deps")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct S3Server {
    child: Child,
    pub endpoint: String,
}

impl S3Server {
    /// Starts s3s-fs on a free port with `bucket` created.
    pub fn start(root: &Path, bucket: &str) -> S3Server {
        std::fs::create_dir_all(root.join(bucket)).unwrap();
        for _ in 0..5 {
            let port = free_port();
            let child = Command::new(s3s_binary())
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
                .arg(root)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let mut server = S3Server {
                child,
                endpoint: format!("http://127.0.0.1:{port}"),
            };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return server;
                }
                if server.child.try_wait().unwrap().is_some() {
                    break; // the port was taken meanwhile: try another
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = server.child.kill();
        }
        panic!("s3s-fs did not start");
    }

    /// The variables `tool` reads to reach this server.
    pub fn env(&self, url: &str) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.into()),
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_REGION", "us-east-1".into()),
            ("TOOL_CACHE_URL", url.into()),
        ]
    }

    /// [`S3Server::env`] with `key` set to `value` instead.
    pub fn env_except(&self, url: &str, key: &str, value: &str) -> Vec<(&'static str, String)> {
        let mut vars = self.env(url);
        for (k, v) in &mut vars {
            if *k == key {
                *v = value.into();
            }
        }
        vars
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Faults the HTTP server injects into archive downloads.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Cut the next N archive responses at this offset in the file (a
    /// resumed request past it gets no bytes at all).
    pub cut_after: Option<(usize, usize)>,
    /// Answer the next N requests with this status.
    pub status: Option<(u16, usize)>,
    /// Require `Authorization: Bearer <token>`.
    pub bearer: Option<String>,
    /// Stall the next archive response for this long after half its body.
    pub stall: Option<Duration>,
    /// Send no `ETag` (plain file servers, some proxies).
    pub no_etag: bool,
}

pub struct HttpServer {
    pub url: String,
    pub faults: Arc<Mutex<Faults>>,
    pub requests: Arc<Mutex<Vec<String>>>,
    /// `<path>: <header>` for every request that carried an
    /// `Authorization` or `X-Amz-*` header (an AWS signature or token).
    pub credentials: Arc<Mutex<Vec<String>>>,
}

impl HttpServer {
    /// Serves the files below `root` until the test process ends.
    pub fn start(root: &Path) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let faults = Arc::new(Mutex::new(Faults::default()));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let credentials = Arc::new(Mutex::new(Vec::new()));
        let (root, f, r, c) = (
            root.to_path_buf(),
            Arc::clone(&faults),
            Arc::clone(&requests),
            Arc::clone(&credentials),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (root, f) = (root.clone(), Arc::clone(&f));
                let (r, c) = (Arc::clone(&r), Arc::clone(&c));
                std::thread::spawn(move || serve(stream, &root, &f, &r, &c));
            }
        });
        HttpServer {
            url,
            faults,
            requests,
            credentials,
        }
    }
}

fn serve(
    mut stream: TcpStream,
    root: &Path,
    faults: &Mutex<Faults>,
    log: &Mutex<Vec<String>>,
    credentials: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (mut range_start, mut auth) = (0usize, String::new());
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        let lower = h.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("range: bytes=") {
            range_start = v
                .trim()
                .trim_end_matches('-')
                .split('-')
                .next()
                .unwrap_or("0")
                .parse()
                .unwrap_or(0);
        }
        if lower.starts_with("authorization:") {
            auth = h["authorization:".len()..].trim().to_string();
        }
        if lower.starts_with("authorization:") || lower.starts_with("x-amz-") {
            let name = lower.split(':').next().unwrap_or("").to_string();
            credentials.lock().unwrap().push(format!("{path}: {name}"));
        }
    }
    log.lock().unwrap().push(format!(
        "{} {path} from {range_start}",
        line.split_whitespace().next().unwrap_or("")
    ));
    let mut f = faults.lock().unwrap();
    if let Some(token) = &f.bearer
        && auth != format!("Bearer {token}")
    {
        return respond(&mut stream, "401 Unauthorized", &[], b"");
    }
    if let Some((code, n)) = f.status
        && n > 0
    {
        f.status = if n > 1 { Some((code, n - 1)) } else { None };
        return respond(&mut stream, &format!("{code} Injected"), &[], b"");
    }
    // A query string names no file (go.dev's `/dl/?mode=json`).
    let file = root.join(path.split('?').next().unwrap_or("").trim_start_matches('/'));
    let Ok(data) = std::fs::read(&file) else {
        return respond(&mut stream, "404 Not Found", &[], b"");
    };
    let is_archive = [".tar.zst", ".tar.gz", ".tar.xz"]
        .iter()
        .any(|e| path.ends_with(e));
    let cut = match f.cut_after {
        Some((bytes, n)) if is_archive && n > 0 => {
            f.cut_after = if n > 1 { Some((bytes, n - 1)) } else { None };
            Some(bytes)
        }
        _ => None,
    };
    let stall = if is_archive { f.stall.take() } else { None };
    let no_etag = f.no_etag;
    drop(f);
    let start = range_start.min(data.len());
    let status = if start > 0 {
        "206 Partial Content"
    } else {
        "200 OK"
    };
    let content_range = format!(
        "bytes {start}-{}/{}",
        data.len().saturating_sub(1),
        data.len()
    );
    let mut headers = vec![
        ("Content-Length", (data.len() - start).to_string()),
        ("ETag", format!("\"{}\"", data.len())),
        ("Last-Modified", "Sun, 29 Nov 2026 00:00:00 GMT".to_string()),
        ("Accept-Ranges", "bytes".to_string()),
        ("Content-Range", content_range),
    ];
    headers.retain(|(k, _)| !(no_etag && *k == "ETag"));
    let body = &data[start..];
    let body = match cut {
        Some(offset) => &body[..offset.saturating_sub(start).min(body.len())],
        None => body,
    };
    match stall {
        Some(pause) => {
            let half = body.len() / 2;
            respond_head(&mut stream, status, &headers)?;
            stream.write_all(&body[..half])?;
            stream.flush()?;
            std::thread::sleep(pause);
            stream.write_all(&body[half..])
        }
        None => respond(&mut stream, status, &headers, body),
    }
}

fn respond_head(
    stream: &mut TcpStream,
    status: &str,
    headers: &[(&str, String)],
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())
}

fn respond(
    stream: &mut TcpStream,
    status: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    if !headers.iter().any(|(k, _)| *k == "Content-Length") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;
    let mut sink = [0u8; 1];
    let _ = stream.set_read_timeout(Some(Duration::from_millis(10)));
    let _ = stream.read(&mut sink);
    Ok(())
}
