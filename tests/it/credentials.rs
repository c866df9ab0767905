//! Credentials belong to their bucket: a mirror or release server is never
//! sent the cache token, AWS keys or an AWS signature, whatever is set. S3
//! credentials are found as the AWS SDKs find them, each source tried
//! against a stand-in, and a source set up wrong is an error, never silence.

use crate::harness::aws::{IMDS_TOKEN, LATER, SESSION_TOKEN, Seen, StandIn};
use crate::harness::fakes::{fake_python, record_archive, tiny_node_mirror, tool_with};
use crate::harness::servers::{ACCESS_KEY, HttpServer, S3Server, SECRET_KEY};
use crate::harness::{Run, Sandbox, fails_with, stdout, succeeds};

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

// Credentials the way real clouds hand them out: each source against a
// stand-in on 127.0.0.1 (`harness::aws`), the bucket the real s3s-fs server,
// which checks the signature made with the key the stand-in handed out.

const ROLE: &str = "arn:aws:iam::123456789012:role/builder";

/// The S3 server's variables without its keys: they must come from elsewhere.
fn keyless(s3: &S3Server) -> Vec<(&'static str, String)> {
    let vars = s3.env("s3://builds/team").into_iter();
    vars.filter(|(k, _)| !k.starts_with("AWS_ACCESS") && !k.starts_with("AWS_SECRET"))
        .collect()
}

/// `cache push` of a fake Python 3.9.6 with `vars`, which must succeed
/// without printing a secret; then the archive must be in the bucket.
fn pushes(s: &Sandbox, vars: &[(&str, String)]) {
    fake_python(&s.data, "3.9.6");
    let push = ["cache", "push", "python", "3.9.6"];
    let out = succeeds(&mut tool_with(s, &s.data, vars, &push));
    let shown = format!("{out:?}");
    for secret in [SECRET_KEY, SESSION_TOKEN, IMDS_TOKEN] {
        assert!(!shown.contains(secret), "{secret} printed: {shown}");
    }
    let stored = s.root.join("s3/builds/team");
    assert!(record_archive(&stored, "testos-python-3.9.6", "zst").is_file());
}

/// A web identity token file with the role to assume (EKS's IRSA).
fn web_identity(s: &Sandbox, sts: &StandIn) -> Vec<(&'static str, String)> {
    let token = s.write("run/token", "eyJ-web-identity-token");
    vec![
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.display().to_string()),
        ("AWS_ROLE_ARN", ROLE.into()),
        ("AWS_ENDPOINT_URL_STS", sts.url.clone()),
    ]
}

#[test]
fn web_identity_credentials_come_from_sts() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let sts = StandIn::sts(LATER);
    let vars = [keyless(&s3), web_identity(&s, &sts)].concat();
    pushes(&s, &vars);
    let asked = sts.requests();
    assert!(
        asked
            .iter()
            .any(|r| r.body.contains("AssumeRoleWithWebIdentity")
                && r.body.contains("eyJ-web-identity-token")
                && r.body.contains("role%2Fbuilder")),
        "{asked:#?}"
    );
}

#[test]
fn temporary_keys_are_fetched_again_before_they_expire() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    // Already expired: every request must ask again, never reuse them.
    let soon = "2000-01-01T00:01:00Z";
    let sts = StandIn::sts(soon);
    let vars = [keyless(&s3), web_identity(&s, &sts)].concat();
    fake_python(&s.data, "3.9.6");
    let push = ["cache", "push", "python", "3.9.6"];
    tool_with(&s, &s.data, &vars, &push).run();
    let asked = sts.requests().len();
    assert!(
        asked > 2,
        "STS asked {asked} times for keys already expired"
    );
}

#[test]
fn ecs_container_credentials_come_from_the_container_endpoint() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let ecs = StandIn::ecs();
    let mut vars = keyless(&s3);
    vars.push((
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        format!("{}/creds", ecs.url),
    ));
    vars.push(("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ecs-auth".into()));
    pushes(&s, &vars);
    let asked = ecs.requests();
    assert!(
        asked
            .iter()
            .any(|r| r.header("authorization") == Some("ecs-auth")),
        "{asked:#?}"
    );
}

#[test]
fn instance_metadata_credentials_come_from_imdsv2() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let imds = StandIn::imds();
    let mut vars = keyless(&s3);
    vars.push(("AWS_EC2_METADATA_DISABLED", "false".into()));
    vars.push(("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url.clone()));
    pushes(&s, &vars);
    let asked = imds.requests();
    assert_eq!(
        asked[0].method, "PUT",
        "IMDSv2 starts with a session: {asked:#?}"
    );
    let with_session = |r: &&Seen| r.header("x-aws-ec2-metadata-token") == Some(IMDS_TOKEN);
    assert!(
        asked
            .iter()
            .filter(|r| r.method == "GET")
            .all(|r| with_session(&r)),
        "{asked:#?}"
    );
}

#[test]
fn sources_are_tried_in_the_documented_order() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let (sts, imds) = (StandIn::sts(LATER), StandIn::imds());
    let mut vars = [keyless(&s3), web_identity(&s, &sts)].concat();
    vars.push(("AWS_EC2_METADATA_DISABLED", "false".into()));
    vars.push(("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url.clone()));
    pushes(&s, &vars);
    assert!(!sts.requests().is_empty());
    assert!(imds.requests().is_empty(), "web identity comes before IMDS");
    // A profile comes before web identity.
    let sts = StandIn::sts(LATER);
    let profile = format!(
        "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
    );
    s.write(".aws/credentials", &profile);
    let vars = [keyless(&s3), web_identity(&s, &sts)].concat();
    fake_python(&s.data, "3.9.7");
    succeeds(&mut tool_with(
        &s,
        &s.data,
        &vars,
        &["cache", "push", "python", "3.9.7"],
    ));
    assert!(
        sts.requests().is_empty(),
        "the profile comes before web identity"
    );
}

#[test]
fn a_config_file_profile_gives_keys_region_and_endpoint() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let config = s.write(
        "elsewhere/aws-config",
        &format!(
            "[profile ci]\nregion = eu-west-1\nendpoint_url = {}\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n",
            s3.endpoint
        ),
    );
    let vars = [
        ("TOOL_CACHE_URL", "s3://builds/team".to_string()),
        ("AWS_CONFIG_FILE", config.display().to_string()),
        ("AWS_PROFILE", "ci".into()),
    ];
    pushes(&s, &vars);
    let out = stdout(&mut tool_with(&s, &s.data, &vars, &["info"]));
    assert!(
        out.contains(&format!("profile `ci` in {}", config.display())),
        "{out}"
    );
}

#[test]
fn the_source_is_named_and_the_secret_never() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let sts = StandIn::sts(LATER);
    let vars = [keyless(&s3), web_identity(&s, &sts)].concat();
    let out = stdout(&mut tool_with(&s, &s.data, &vars, &["info"]));
    assert!(
        out.contains(&format!("credentials: web identity (role {ROLE}")),
        "{out}"
    );
    for secret in [SECRET_KEY, SESSION_TOKEN, "eyJ-web-identity-token"] {
        assert!(!out.contains(secret), "{secret} printed: {out}");
    }
}

#[test]
fn a_profile_that_is_not_there_is_an_error_naming_it() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let file = s.write(
        ".aws/credentials",
        &format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ),
    );
    let mut vars = keyless(&s3);
    vars.push(("AWS_PROFILE", "ci-typo".into()));
    fake_python(&s.data, "3.9.6");
    let push = ["cache", "push", "python", "3.9.6"];
    let err = fails_with(&mut tool_with(&s, &s.data, &vars, &push), 1);
    assert!(
        err.contains("profile (ci-typo)") && err.contains(&file.display().to_string()),
        "{err}"
    );
}

#[test]
fn a_credentials_file_without_a_secret_is_an_error_naming_it() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let file = s.write(
        ".aws/credentials",
        &format!("[default]\naws_access_key_id = {ACCESS_KEY}\n"),
    );
    let vars = keyless(&s3);
    fake_python(&s.data, "3.9.6");
    let push = ["cache", "push", "python", "3.9.6"];
    let err = fails_with(&mut tool_with(&s, &s.data, &vars, &push), 1);
    assert!(
        err.contains("profile `default`")
            && err.contains(&file.display().to_string())
            && err.contains("aws_secret_access_key"),
        "{err}"
    );
}

#[test]
fn sts_is_reached_with_the_built_in_roots_when_there_is_no_ca_bundle() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let sts_url = format!("https://{}", closed.local_addr().unwrap());
    drop(closed);
    let empty = s.write("no-ca/bundle.pem", "");
    let token = s.write("run/token", "eyJ-web-identity-token");
    let mut vars = keyless(&s3);
    vars.extend([
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.display().to_string()),
        ("AWS_ROLE_ARN", ROLE.into()),
        ("AWS_ENDPOINT_URL_STS", sts_url),
        ("SSL_CERT_FILE", empty.display().to_string()),
        (
            "SSL_CERT_DIR",
            s.root.join("no-cert-dir").display().to_string(),
        ),
    ]);
    fake_python(&s.data, "3.9.6");
    let push = ["cache", "push", "python", "3.9.6"];
    // Nothing answers there: the point is a clear error, not a crash over
    // an empty trust store.
    let err = fails_with(&mut tool_with(&s, &s.data, &vars, &push), 1);
    assert!(
        err.contains(&format!(
            "cannot get S3 credentials from web identity (role {ROLE}"
        )),
        "{err}"
    );
}

#[test]
fn a_shared_file_that_is_not_text_is_an_error_naming_it() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let file = s.write(".aws/credentials", "");
    // A Latin-1 comment: the SDK would read the file as empty, silently.
    std::fs::write(&file, b"# caf\xe9\n[default]\naws_access_key_id = x\n").unwrap();
    fake_python(&s.data, "3.9.6");
    let push = ["cache", "push", "python", "3.9.6"];
    let err = fails_with(&mut tool_with(&s, &s.data, &keyless(&s3), &push), 1);
    assert!(
        err.contains(&file.display().to_string()) && err.contains("not UTF-8"),
        "{err}"
    );
}

/// The web identity token is a file from outside: one that is no regular
/// file, or larger than any token, is an error naming it, never read whole
/// (nor sent to STS).
#[test]
fn a_web_identity_token_file_out_of_bounds_is_an_error_naming_it() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let sts = StandIn::sts(LATER);
    let mut vars = [keyless(&s3), web_identity(&s, &sts)].concat();
    let huge = s.write("run/huge-token", &"x".repeat(2 << 20));
    let at = vars.len() - 3;
    vars[at].1 = huge.display().to_string();
    fake_python(&s.data, "3.9.6");
    let push = ["cache", "push", "python", "3.9.6"];
    let err = fails_with(&mut tool_with(&s, &s.data, &vars, &push), 1);
    assert!(
        err.contains(&huge.display().to_string()) && err.contains("larger than"),
        "{err}"
    );
    assert!(sts.requests().is_empty(), "the token went to STS");
}
