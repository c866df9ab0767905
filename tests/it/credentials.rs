//! Credentials belong to their bucket: a mirror or release server is never
//! sent the cache token, AWS keys or an AWS signature, whatever is set.

use crate::harness::fakes::tiny_node_mirror;
use crate::harness::servers::HttpServer;
use crate::harness::{Run, Sandbox, succeeds};

/// Every credential setting a builder may have, all at once.
const SECRETS: &[(&str, &str)] = &[
    ("TOOL_CACHE_TOKEN", "cache-token-123"),
    ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEY"),
    ("AWS_SECRET_ACCESS_KEY", "secret-example-key"),
    ("AWS_SESSION_TOKEN", "session-example-token"),
];

/// `tool args…` with every secret set and every mirror on `server`; the
/// cache bucket is `server`'s `bucket/` folder.
fn with_secrets(s: &Sandbox, server: &HttpServer, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = s.tool(args);
    cmd.envs(SECRETS.iter().copied())
        .env("TOOL_CACHE_URLS", format!("{}bucket/", server.url))
        .env("NODEJS_ORG_MIRROR", server.url.trim_end_matches('/'))
        .env("TOOL_PYTHON_MIRROR", format!("{}python", server.url))
        .env("TOOL_GOLANG_MIRROR", format!("{}go", server.url))
        .env(
            "TOOL_GOLANG_RELEASES",
            format!("{}go/list.json", server.url),
        )
        .env("TOOL_RUST_MIRROR", format!("{}rust", server.url))
        .env_remove("TOOL_NODEJS_MIRROR");
    cmd
}

#[test]
fn mirrors_get_no_credentials_while_the_bucket_gets_its_token() {
    let s = Sandbox::new();
    let root = tiny_node_mirror(&s.root, &["4.5.6"], &["4.5.6"]);
    std::fs::create_dir_all(root.join("bucket")).unwrap();
    let server = HttpServer::start(&root);
    succeeds(&mut with_secrets(
        &s,
        &server,
        &["install", "nodejs", "4.5.6"],
    ));
    succeeds(&mut with_secrets(&s, &server, &["latest", "nodejs"]));
    // These mirrors have nothing: only the requests matter.
    for args in [
        &["install", "golang", "1.21.0"][..],
        &["install", "rust", "1.75.0"],
        &["install", "python", "3.9.6", "--backend", "source"],
    ] {
        with_secrets(&s, &server, args).run();
    }
    let requests = server.requests.lock().unwrap().clone();
    for mirror in ["/v4.5.6/", "/index.json", "/python/", "/go/", "/rust/"] {
        assert!(
            requests.iter().any(|r| r.contains(mirror)),
            "{mirror}: {requests:#?}"
        );
    }
    let sent = server.credentials.lock().unwrap().clone();
    let (bucket, elsewhere): (Vec<_>, Vec<_>) =
        sent.iter().partition(|c| c.starts_with("/bucket/"));
    assert!(
        elsewhere.is_empty(),
        "credentials sent to a mirror: {elsewhere:#?}"
    );
    assert!(!bucket.is_empty(), "the bucket got no token: {requests:#?}");
}
