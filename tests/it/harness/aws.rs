//! Stand-ins on 127.0.0.1 for the services that hand out temporary AWS
//! keys: STS (`AssumeRoleWithWebIdentity`), ECS container credentials and
//! EC2 instance metadata (IMDSv2). Each is a small real HTTP server that
//! answers canned bodies by method and path and records every request, so a
//! test sees what `tool` asked. They hand out the `s3s-fs` server's own key
//! with a session token: s3s-fs checks the signature, not the token.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use super::servers::{ACCESS_KEY, SECRET_KEY};

/// The session token every stand-in hands out (a secret: never printed).
pub const SESSION_TOKEN: &str = "stand-in-session-token-do-not-print";
/// The IMDSv2 session token the metadata stand-in requires.
pub const IMDS_TOKEN: &str = "imds-session-token";
/// When the stand-ins' keys expire: far ahead unless a test says otherwise.
pub const LATER: &str = "2099-01-01T00:00:00Z";

/// One request as the stand-in saw it (header names in lower case).
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        let found = self.headers.iter().find(|(k, _)| k == name);
        found.map(|(_, v)| v.as_str())
    }
}

/// An answer: `(method, path, status, extra header lines, body)`.
type Route = (&'static str, String, u16, &'static str, String);

pub struct StandIn {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl StandIn {
    /// Serves `routes` until the test process ends; anything else is a 404.
    pub fn start(routes: Vec<Route>) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (log, routes) = (Arc::clone(&seen), Arc::new(routes));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (log, routes) = (Arc::clone(&log), Arc::clone(&routes));
                std::thread::spawn(move || answer(stream, &routes, &log));
            }
        });
        StandIn { url, seen }
    }

    /// STS answering `AssumeRoleWithWebIdentity` with keys valid until `expiry`.
    pub fn sts(expiry: &str) -> StandIn {
        let body = format!(
            r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>{ACCESS_KEY}</AccessKeyId>
      <SecretAccessKey>{SECRET_KEY}</SecretAccessKey>
      <SessionToken>{SESSION_TOKEN}</SessionToken>
      <Expiration>{expiry}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/builder/session</Arn>
      <AssumedRoleId>AROAEXAMPLE:session</AssumedRoleId>
    </AssumedRoleUser>
    <SubjectFromWebIdentityToken>system:serviceaccount:docs:builder</SubjectFromWebIdentityToken>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>"#
        );
        StandIn::start(vec![("POST", "/".into(), 200, "", body)])
    }

    /// ECS container credentials at `/creds`.
    pub fn ecs() -> StandIn {
        StandIn::start(vec![("GET", "/creds".into(), 200, "", keys_json())])
    }

    /// EC2 instance metadata (IMDSv2) with the role `builder`.
    pub fn imds() -> StandIn {
        let base = "/latest/meta-data/iam/security-credentials/";
        const TTL: &str = "X-aws-ec2-metadata-token-ttl-seconds: 21600\r\n";
        StandIn::start(vec![
            (
                "PUT",
                "/latest/api/token".into(),
                200,
                TTL,
                IMDS_TOKEN.into(),
            ),
            ("GET", base.into(), 200, "", "builder".into()),
            ("GET", format!("{base}builder"), 200, "", keys_json()),
        ])
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// The JSON ECS and instance metadata answer with.
fn keys_json() -> String {
    format!(
        r#"{{"Code": "Success", "LastUpdated": "2026-12-06T00:00:00Z", "Type": "AWS-HMAC",
"AccessKeyId": "{ACCESS_KEY}", "SecretAccessKey": "{SECRET_KEY}", "Token": "{SESSION_TOKEN}",
"Expiration": "{LATER}", "RoleArn": "arn:aws:iam::123456789012:role/builder"}}"#
    )
}

fn answer(stream: TcpStream, routes: &[Route], log: &Mutex<Vec<Seen>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut words = line.split_whitespace();
    let method = words.next().unwrap_or("").to_string();
    let path = words.next().unwrap_or("/").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let length: usize = (headers.iter())
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length.min(1 << 20)];
    reader.read_exact(&mut body)?;
    let seen = Seen {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let route = (routes.iter()).find(|(m, p, ..)| *m == seen.method && *p == seen.path);
    log.lock().unwrap().push(seen);
    let (status, extra, body) = route.map_or((404, "", ""), |(_, _, s, h, b)| (*s, *h, b.as_str()));
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status} Canned\r\nConnection: close\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}
