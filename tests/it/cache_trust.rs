//! A cache many builders share: publishes commit one record per key (the
//! first publisher wins, the same bytes again are `already published`, other
//! bytes a conflict unless `--replace`), readers install only what a record
//! names, and with `cache.trusted_keys` only what a trusted key signed.

use std::path::{Path, PathBuf};

use crate::harness::fakes::{
    fake_python, json_line, nothing_installed, read_record, record_archive, tool_with, with,
};
use crate::harness::servers::{HttpServer, S3Server};
use crate::harness::{Sandbox, fails_with, stdout, succeeds};

const KEY: &str = "testos-python-3.9.6";

/// A builder's own data dir holding a fake Python 3.9.6 that says `who`
/// built it, in two files (an install mixing two builds would show it).
fn builder(s: &Sandbox, who: &str) -> PathBuf {
    let data = s.root.join(format!("builder-{who}"));
    let root = fake_python(&data, "3.9.6");
    std::fs::write(root.join("lib/who"), who).unwrap();
    std::fs::write(root.join("bin/who"), who).unwrap();
    data
}

fn file_bucket(s: &Sandbox) -> (PathBuf, Vec<(&'static str, String)>) {
    let bucket = s.root.join("bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    let vars = vec![("TOOL_CACHE_URL", format!("file://{}", bucket.display()))];
    (bucket, vars)
}

fn push(s: &Sandbox, data: &Path, vars: &[(&str, String)], extra: &[&str]) -> assert_cmd::Command {
    let mut args = vec!["cache", "push", "python", "3.9.6", "--json"];
    args.extend_from_slice(extra);
    tool_with(s, data, vars, &args)
}

/// Who built the copy installed in `data`, checked to be one build's whole.
fn installed_builder(data: &Path) -> String {
    let root = data.join("installs/python/3.9.6");
    let lib = std::fs::read_to_string(root.join("lib/who")).unwrap();
    let bin = std::fs::read_to_string(root.join("bin/who")).unwrap();
    assert_eq!(lib, bin, "an install mixed two builds");
    lib
}

#[test]
fn the_same_bytes_published_again_are_already_published() {
    let s = Sandbox::new();
    let (bucket, vars) = file_bucket(&s);
    let a = builder(&s, "A");
    assert_eq!(
        json_line(&stdout(&mut push(&s, &a, &vars, &[])))["outcome"],
        "pushed"
    );
    let record = std::fs::read(bucket.join(format!("{KEY}.manifest"))).unwrap();
    let again = json_line(&stdout(&mut push(&s, &a, &vars, &[])));
    assert_eq!(again["outcome"], "already-published", "{again}");
    assert_eq!(
        std::fs::read(bucket.join(format!("{KEY}.manifest"))).unwrap(),
        record
    );
}

#[test]
fn other_bytes_for_a_published_key_are_refused_naming_both_digests() {
    let s = Sandbox::new();
    let (bucket, vars) = file_bucket(&s);
    succeeds(&mut push(&s, &builder(&s, "A"), &vars, &[]));
    let before = read_record(&bucket, KEY);
    let err = fails_with(&mut push(&s, &builder(&s, "B"), &vars, &[]), 1);
    let theirs = before["archives"][0]["sha256"].as_str().unwrap();
    assert!(
        err.contains(&format!("{KEY} is already published in"))
            && err.contains(theirs)
            && err.contains("the bucket was left as it is"),
        "{err}"
    );
    assert_eq!(read_record(&bucket, KEY), before, "the record changed");
}

#[test]
fn replace_publishes_other_bytes_over_a_key() {
    let s = Sandbox::new();
    let (bucket, vars) = file_bucket(&s);
    succeeds(&mut push(&s, &builder(&s, "A"), &vars, &[]));
    let out = json_line(&stdout(&mut push(
        &s,
        &builder(&s, "B"),
        &vars,
        &["--replace"],
    )));
    assert_eq!(out["outcome"], "replaced", "{out}");
    let reader = s.root.join("reader");
    succeeds(&mut tool_with(
        &s,
        &reader,
        &vars,
        &["install", "python", "3.9.6"],
    ));
    assert_eq!(installed_builder(&reader), "B");
    assert!(record_archive(&bucket, KEY, "zst").is_file());
}

/// Two builders replacing each other's publish of one key on a real S3
/// server while a third machine installs it again and again: every install
/// succeeds and is one builder's whole tree (before publish records, an
/// install could pair one builder's archive with the other's checksum).
#[test]
fn racing_publishers_on_s3_leave_every_install_one_whole_build() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let vars = s3.env("s3://builds");
    succeeds(&mut push(&s, &builder(&s, "A"), &vars, &[]));
    let (b, c) = (builder(&s, "B"), builder(&s, "C"));
    let reader = s.root.join("reader");
    let seen = std::thread::scope(|scope| {
        for data in [&b, &c] {
            scope.spawn(|| {
                for _ in 0..3 {
                    // A replace that loses the race (If-Match) says so.
                    let out = push(&s, data, &vars, &["--replace"]).output().unwrap();
                    let err = String::from_utf8_lossy(&out.stderr);
                    assert!(
                        out.status.success()
                            || err.contains("changed while this publish was writing it"),
                        "{err}"
                    );
                }
            });
        }
        let mut seen = Vec::new();
        for _ in 0..6 {
            succeeds(&mut tool_with(
                &s,
                &reader,
                &vars,
                &["install", "python", "3.9.6"],
            ));
            seen.push(installed_builder(&reader));
            succeeds(&mut tool_with(
                &s,
                &reader,
                &vars,
                &["uninstall", "python", "3.9.6"],
            ));
        }
        seen
    });
    assert!(
        seen.iter().all(|w| ["A", "B", "C"].contains(&w.as_str())),
        "{seen:?}"
    );
}

/// Builders racing to create the same key with different bytes: one wins,
/// the others are told, and the record is the winner's.
#[test]
fn racing_first_publishes_on_s3_have_one_winner() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let vars = s3.env("s3://builds");
    let builders: Vec<PathBuf> = ["A", "B", "C"].iter().map(|w| builder(&s, w)).collect();
    let outs: Vec<std::process::Output> = std::thread::scope(|scope| {
        let runs: Vec<_> = (builders.iter())
            .map(|data| scope.spawn(|| push(&s, data, &vars, &[]).output().unwrap()))
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    // The losers are told; the one whose build every reader gets exited 0.
    for out in outs.iter().filter(|o| !o.status.success()) {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("{KEY} is already published in")),
            "{err}"
        );
    }
    let reader = s.root.join("reader");
    succeeds(&mut tool_with(
        &s,
        &reader,
        &vars,
        &["install", "python", "3.9.6"],
    ));
    let winner = installed_builder(&reader);
    let at = ["A", "B", "C"].iter().position(|w| *w == winner).unwrap();
    assert!(
        outs[at].status.success(),
        "{winner} lost, yet readers get its build"
    );
}

/// A hit reads the record, then the archive: two requests, no `.sha256`.
#[test]
fn an_exact_version_hit_makes_two_requests() {
    let s = Sandbox::new();
    let (bucket, vars) = file_bucket(&s);
    succeeds(&mut push(&s, &builder(&s, "A"), &vars, &[]));
    let server = HttpServer::start(&bucket);
    let http = vec![("TOOL_CACHE_URL", server.url.clone())];
    let reader = s.root.join("reader");
    succeeds(&mut tool_with(
        &s,
        &reader,
        &http,
        &["install", "python", "3.9.6"],
    ));
    let log = server.requests.lock().unwrap().clone();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log[0].contains(&format!("/{KEY}.manifest ")), "{log:?}");
    assert!(log[1].contains("/sha256/"), "{log:?}");
}

fn keygen(s: &Sandbox, name: &str) -> (PathBuf, String) {
    let dir = s.root.join("keys");
    std::fs::create_dir_all(&dir).unwrap();
    let out = succeeds(&mut s.tool(&["cache", "keygen", name, "--dir", dir.to_str().unwrap()]));
    let public = String::from_utf8(out.stdout).unwrap().trim().to_string();
    (dir.join(format!("{name}.secret")), public)
}

#[test]
fn keygen_writes_a_private_secret_and_prints_only_the_public_key() {
    use std::os::unix::fs::PermissionsExt;
    let s = Sandbox::new();
    let (secret, public) = keygen(&s, "builders-1");
    let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let secret_text = std::fs::read_to_string(&secret).unwrap();
    let secret_b64 = secret_text.trim().split_once(':').unwrap().1;
    assert!(
        public.starts_with("builders-1:") && !public.contains(secret_b64),
        "{public}"
    );
    assert_eq!(
        std::fs::read_to_string(secret.with_extension("public"))
            .unwrap()
            .trim(),
        public
    );
    // Never over an existing key.
    let dir = secret.parent().unwrap().to_str().unwrap();
    fails_with(
        &mut s.tool(&["cache", "keygen", "builders-1", "--dir", dir]),
        1,
    );
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), secret_text);
}

/// A signed publish installs under the key that signed it, and names it.
#[test]
fn a_signed_build_installs_where_its_key_is_trusted() {
    let s = Sandbox::new();
    let (_, mut vars) = file_bucket(&s);
    let (secret, public) = keygen(&s, "ci");
    let signing = with(&vars, "TOOL_CACHE_SIGNING_KEY", secret.display());
    succeeds(&mut push(&s, &builder(&s, "A"), &signing, &[]));
    vars.push(("TOOL_CACHE_TRUSTED_KEYS", public));
    let reader = s.root.join("reader");
    let report = json_line(&stdout(&mut tool_with(
        &s,
        &reader,
        &vars,
        &["install", "python", "3.9.6", "--json"],
    )));
    assert_eq!(report["details"]["signed_by"], "ci", "{report}");
}

/// What `cache.trusted_keys` does not vouch for stops the install loudly,
/// naming the object and why, with nothing installed.
#[test]
fn unsigned_and_unknown_key_builds_are_refused_under_trusted_keys() {
    let s = Sandbox::new();
    let (_, vars) = file_bucket(&s);
    let (_, trusted) = keygen(&s, "ci");
    succeeds(&mut push(&s, &builder(&s, "A"), &vars, &[]));
    let reader = s.root.join("reader");
    let with_trust = with(&vars, "TOOL_CACHE_TRUSTED_KEYS", &trusted);
    let install = ["install", "python", "3.9.6"];
    let err = fails_with(&mut tool_with(&s, &reader, &with_trust, &install), 1);
    assert!(
        err.contains(&format!("refusing {KEY}.manifest")) && err.contains("it is not signed"),
        "{err}"
    );
    nothing_installed(&reader, "python");

    let (other_secret, _) = keygen(&s, "stranger");
    let signed = with(&vars, "TOOL_CACHE_SIGNING_KEY", other_secret.display());
    succeeds(&mut push(&s, &builder(&s, "B"), &signed, &["--replace"]));
    let err = fails_with(&mut tool_with(&s, &reader, &with_trust, &install), 1);
    assert!(
        err.contains("signed by stranger, which cache.trusted_keys does not list"),
        "{err}"
    );
    nothing_installed(&reader, "python");
}

/// Whoever can write the bucket cannot change a signed build: a swapped
/// archive (with a matching `.sha256` beside it) or an edited record is
/// refused, and verify finds it.
#[test]
fn a_tampered_bucket_is_refused_under_trusted_keys() {
    let s = Sandbox::new();
    let (bucket, vars) = file_bucket(&s);
    let (secret, public) = keygen(&s, "ci");
    let signing = with(&vars, "TOOL_CACHE_SIGNING_KEY", secret.display());
    succeeds(&mut push(&s, &builder(&s, "A"), &signing, &[]));
    let trusted = with(&vars, "TOOL_CACHE_TRUSTED_KEYS", public);
    succeeds(&mut tool_with(
        &s,
        &s.root.join("x"),
        &trusted,
        &["cache", "verify"],
    ));

    // The attacker's own build, packed the same way, in place of the archive.
    let evil = s.root.join("evil-bucket");
    std::fs::create_dir_all(&evil).unwrap();
    let evil_vars = [("TOOL_CACHE_URL", format!("file://{}", evil.display()))];
    succeeds(&mut push(&s, &builder(&s, "EVIL"), &evil_vars, &[]));
    let archive = record_archive(&bucket, KEY, "zst");
    let evil_bytes = std::fs::read(record_archive(&evil, KEY, "zst")).unwrap();
    std::fs::write(&archive, &evil_bytes).unwrap();
    let evil_sha = read_record(&evil, KEY)["archives"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::write(
        format!("{}.sha256", archive.display()),
        format!("{evil_sha}  x\n"),
    )
    .unwrap();
    let reader = s.root.join("reader");
    let install = ["install", "python", "3.9.6"];
    let err = fails_with(&mut tool_with(&s, &reader, &trusted, &install), 1);
    assert!(
        // Refused by its size or, were it the same size, its digest.
        (err.contains("checksum mismatch") || err.contains("bytes, but"))
            && err.contains(&format!("{KEY}.manifest")),
        "{err}"
    );
    nothing_installed(&reader, "python");
    let verify = tool_with(&s, &reader, &trusted, &["cache", "verify"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&verify.stdout);
    assert_eq!(verify.status.code(), Some(1), "{report}");
    assert!(
        report.contains(&format!("BAD {KEY}")) && report.contains("sha256"),
        "{report}"
    );

    // An edited record (its archive pointed at the attacker's) fails its signature.
    edit_record(&bucket, |record| {
        record["archives"][0]["sha256"] = evil_sha.clone().into();
    });
    let err = fails_with(&mut tool_with(&s, &reader, &trusted, &install), 1);
    assert!(
        err.contains("signature by key `ci` does not verify"),
        "{err}"
    );
    nothing_installed(&reader, "python");
}

/// The layout before records carries no signature: refused when one is
/// required, before any of it is extracted.
#[test]
fn a_legacy_archive_is_refused_under_trusted_keys() {
    let s = Sandbox::new();
    let (_, vars) = file_bucket(&s);
    let (_, public) = keygen(&s, "ci");
    succeeds(&mut push(
        &s,
        &builder(&s, "A"),
        &vars,
        &["--legacy-layout"],
    ));
    let trusted = with(&vars, "TOOL_CACHE_TRUSTED_KEYS", public);
    let reader = s.root.join("reader");
    let err = fails_with(
        &mut tool_with(&s, &reader, &trusted, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(
        err.contains(&format!("refusing {KEY}.tar.zst"))
            && err.contains("no signed publish record"),
        "{err}"
    );
    nothing_installed(&reader, "python");
}

#[test]
fn a_malformed_trusted_key_is_an_error_not_a_check_turned_off() {
    let s = Sandbox::new();
    let (_, vars) = file_bucket(&s);
    succeeds(&mut push(&s, &builder(&s, "A"), &vars, &[]));
    let bad = with(&vars, "TOOL_CACHE_TRUSTED_KEYS", "ci:not-a-key");
    let err = fails_with(
        &mut tool_with(&s, &s.root.join("r"), &bad, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(
        err.contains("(`ci`) of cache.trusted_keys") && err.contains("base64"),
        "{err}"
    );
    assert!(
        !err.contains("not-a-key"),
        "a key's text reached the message: {err}"
    );
}

/// Rewrites the payload of a record, keeping its signatures as they were.
fn edit_record(bucket: &Path, change: impl FnOnce(&mut serde_json::Value)) {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let path = bucket.join(format!("{KEY}.manifest"));
    let mut envelope: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let mut record = read_record(bucket, KEY);
    change(&mut record);
    envelope["payload"] = b64.encode(serde_json::to_vec(&record).unwrap()).into();
    std::fs::write(&path, serde_json::to_vec(&envelope).unwrap()).unwrap();
}

/// A same-bytes publish while signing does not pass an unsigned record for
/// a signed one: it says so, and `--replace` signs it.
#[test]
fn an_unsigned_record_of_the_same_bytes_is_not_already_published_for_a_signer() {
    let s = Sandbox::new();
    let (bucket, vars) = file_bucket(&s);
    let a = builder(&s, "A");
    succeeds(&mut push(&s, &a, &vars, &[]));
    let (secret, public) = keygen(&s, "ci");
    let signing = with(&vars, "TOOL_CACHE_SIGNING_KEY", secret.display());
    let err = fails_with(&mut push(&s, &a, &signing, &[]), 1);
    assert!(
        err.contains("already published with these bytes, but it is not signed"),
        "{err}"
    );
    let out = json_line(&stdout(&mut push(&s, &a, &signing, &["--replace"])));
    assert_eq!(out["outcome"], "replaced", "{out}");
    let trusted = with(&vars, "TOOL_CACHE_TRUSTED_KEYS", public);
    succeeds(&mut tool_with(
        &s,
        &s.root.join("r"),
        &trusted,
        &["install", "python", "3.9.6"],
    ));
    assert!(bucket.join(format!("{KEY}.manifest")).is_file());
}

/// A record is read as hostile: it cannot send a reader to another object,
/// claim another size, or serve another version under this key.
#[test]
fn a_record_that_points_elsewhere_or_lies_is_refused() {
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "another object",
            Box::new(|r| r["archives"][0]["object"] = "../../escape.tar.zst".into()),
            "not where such an archive lives",
        ),
        (
            "another size",
            Box::new(|r| r["archives"][0]["size"] = 7.into()),
            "says 7",
        ),
        (
            "another version",
            Box::new(|r| r["build"]["version"] = "3.9.7".into()),
            "is the build of python 3.9.7",
        ),
    ];
    for (label, edit, needle) in cases {
        let s = Sandbox::new();
        let (bucket, vars) = file_bucket(&s);
        succeeds(&mut push(&s, &builder(&s, "A"), &vars, &[]));
        edit_record(&bucket, |r| edit(r));
        let reader = s.root.join("reader");
        let err = fails_with(
            &mut tool_with(&s, &reader, &vars, &["install", "python", "3.9.6"]),
            1,
        );
        assert!(err.contains(needle), "{label}: {err}");
        nothing_installed(&reader, "python");
    }
}

#[test]
fn a_signing_key_given_as_text_is_refused_without_showing_it() {
    let s = Sandbox::new();
    let (_, vars) = file_bucket(&s);
    let (secret, _) = keygen(&s, "ci");
    let text = std::fs::read_to_string(&secret).unwrap().trim().to_string();
    let as_text = with(&vars, "TOOL_CACHE_SIGNING_KEY", &text);
    let err = fails_with(&mut push(&s, &builder(&s, "A"), &as_text, &[]), 1);
    assert!(err.contains("is not a path"), "{err}");
    assert!(
        !err.contains(&text[3..]),
        "the secret key reached the message: {err}"
    );
}

/// A small-order ed25519 public key (here the identity point) "verifies" a
/// signature made without any secret for every record: such a key is
/// refused when `cache.trusted_keys` is read, naming it, and nothing forged
/// with it installs.
#[test]
fn a_small_order_trusted_key_is_refused_and_a_forgery_with_it_never_installs() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let s = Sandbox::new();
    let (bucket, vars) = file_bucket(&s);
    succeeds(&mut push(&s, &builder(&s, "A"), &vars, &[]));
    let path = bucket.join(format!("{KEY}.manifest"));
    let mut envelope: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let mut identity = [0u8; 32];
    identity[0] = 1;
    // R = the identity point, s = 0: "valid" for any message under that key.
    let forged = [identity, [0u8; 32]].concat();
    envelope["signatures"] = serde_json::json!([{"keyid": "weak", "sig": b64.encode(forged)}]);
    std::fs::write(&path, serde_json::to_vec(&envelope).unwrap()).unwrap();
    let weak = format!("weak:{}", b64.encode(identity));
    let vars = with(&vars, "TOOL_CACHE_TRUSTED_KEYS", &weak);
    let reader = s.root.join("reader");
    let err = fails_with(
        &mut tool_with(&s, &reader, &vars, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(
        err.contains("(`weak`) of cache.trusted_keys") && err.contains("small-order"),
        "{err}"
    );
    nothing_installed(&reader, "python");
}
