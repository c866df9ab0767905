//! HTTPS as a bare build image sees it: the system's CA bundle when there is
//! one (`SSL_CERT_FILE` honoured), the built-in roots when there is none,
//! and `http://` never needing certificates. The server is python's own
//! HTTPS server with a certificate from a CA made here by openssl.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::harness::fakes::tiny_node_mirror;
use crate::harness::{Sandbox, fails_with, stdout, succeeds};

/// A CA, and a certificate it signed for `localhost` and 127.0.0.1.
fn make_certificates(dir: &Path) {
    let run = |args: &[&str]| {
        succeeds(Command::new("openssl").args(args).current_dir(dir));
    };
    std::fs::create_dir_all(dir).unwrap();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=tool test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    ]);
}

struct HttpsServer {
    child: Child,
    url: String,
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// python3's HTTPS file server on 127.0.0.1 serving `root`.
fn https_server(root: &Path, certs: &Path) -> HttpsServer {
    let script = r#"
import functools, http.server, ssl, sys
root, cert, key = sys.argv[1:4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .arg(root)
        .arg(certs.join("server.pem"))
        .arg(certs.join("server.key"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    HttpsServer {
        child,
        url: format!("https://localhost:{}", line.trim()),
    }
}

/// A sandbox, the certificates its HTTPS mirror of Node.js 7.0.0 uses, and
/// that mirror.
fn https_mirror() -> (Sandbox, std::path::PathBuf, HttpsServer) {
    let s = Sandbox::new();
    let certs = s.root.join("certs");
    make_certificates(&certs);
    let mirror = tiny_node_mirror(&s.root, &["7.0.0"], &["7.0.0"]);
    let server = https_server(&mirror, &certs);
    (s, certs, server)
}

/// `tool install nodejs 7.0.0` from `server` with `cert_file` as the
/// system's CA bundle.
fn install(s: &Sandbox, server: &HttpsServer, cert_file: &Path) -> assert_cmd::Command {
    let mut cmd = s.tool(&["install", "nodejs", "7.0.0"]);
    cmd.env("TOOL_NODEJS_MIRROR", &server.url)
        .env("SSL_CERT_FILE", cert_file)
        .env("SSL_CERT_DIR", s.root.join("no-cert-dir"));
    cmd
}

#[test]
fn https_without_a_system_bundle_fails_in_one_line() {
    let (s, _certs, server) = https_mirror();
    // No system bundle: the built-in roots, which do not know this CA. The
    // client still builds, and the error says what failed, in one line.
    let err = fails_with(&mut install(&s, &server, &s.root.join("no-bundle.pem")), 1);
    assert!(!err.contains("builder error"), "{err}");
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    assert!(!s.data.join("installs/nodejs/7.0.0").exists());
}

#[test]
fn https_trusts_the_system_bundle() {
    let (s, certs, server) = https_mirror();
    // The bundle SSL_CERT_FILE names is the system's: trusted.
    succeeds(&mut install(&s, &server, &certs.join("ca.pem")));
    s.write("proj/.tool-versions", "nodejs 7.0.0\n");
    assert_eq!(stdout(&mut s.shim("node", &s.proj)), "node 7.0.0\n");
}
