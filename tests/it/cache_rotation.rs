//! Running a signed cache over time: a record carries several signatures
//! (`cache sign` adds one without changing the signed bytes), an install
//! needs one by a trusted key that `cache.revoked_keys` does not revoke,
//! and `cache copy` promotes only trusted records with the archives they
//! name, re-signed with the destination's key.

use std::path::{Path, PathBuf};

use crate::harness::fakes::{
    fake_python, json_line, nothing_installed, read_record, tool_with, with,
};
use crate::harness::servers::S3Server;
use crate::harness::{Sandbox, fails_with, stdout, succeeds};

type Vars = Vec<(&'static str, String)>;

fn key_of(version: &str) -> String {
    format!("testos-python-{version}")
}

/// A key pair written by `cache keygen`: its secret file and public key.
fn keygen(s: &Sandbox, name: &str) -> (PathBuf, String) {
    let dir = s.root.join("keys");
    std::fs::create_dir_all(&dir).unwrap();
    let out = succeeds(&mut s.tool(&["cache", "keygen", name, "--dir", dir.to_str().unwrap()]));
    let public = String::from_utf8(out.stdout).unwrap().trim().to_string();
    (dir.join(format!("{name}.secret")), public)
}

fn folder(s: &Sandbox, name: &str) -> (PathBuf, String) {
    let bucket = s.root.join(name);
    std::fs::create_dir_all(&bucket).unwrap();
    let url = format!("file://{}", bucket.display());
    (bucket, url)
}

/// Fake Pythons `versions` built in a data dir of their own and pushed
/// with `vars` (which name the bucket and the signing key).
fn publish(s: &Sandbox, vars: &[(&str, String)], versions: &[&str]) {
    let data = s.root.join("builder");
    for v in versions {
        fake_python(&data, v);
        succeeds(&mut tool_with(
            s,
            &data,
            vars,
            &["cache", "push", "python", v],
        ));
    }
}

/// The envelope of `<bucket>/<key>.manifest` as written.
fn envelope(bucket: &Path, key: &str) -> serde_json::Value {
    let path = bucket.join(format!("{key}.manifest"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn signers(bucket: &Path, key: &str) -> Vec<String> {
    let env = envelope(bucket, key);
    let sigs = env["signatures"].as_array().unwrap();
    sigs.iter()
        .map(|s| s["keyid"].as_str().unwrap().to_string())
        .collect()
}

fn install(s: &Sandbox, vars: &Vars, version: &str) -> assert_cmd::Command {
    // A data dir of its own each time.
    let reader = tempfile::Builder::new()
        .prefix("reader-")
        .tempdir_in(&s.root)
        .unwrap()
        .keep();
    tool_with(s, &reader, vars, &["install", "python", version, "--json"])
}

fn signed_by(s: &Sandbox, vars: &Vars, version: &str) -> String {
    let report = json_line(&stdout(&mut install(s, vars, version)));
    report["details"]["signed_by"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Records signed by `a`; `cache sign` with `b` adds b's signature to one
/// without changing its payload; trusting only b installs it, not the
/// other; revoking a refuses what only a signed, even where trusted, while
/// what both signed installs.
#[test]
fn rotation_to_a_new_key_then_revoking_the_old_one_on_s3() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let bucket = s.root.join("s3/builds");
    let (a_secret, a) = keygen(&s, "a");
    let (b_secret, b) = keygen(&s, "b");
    let vars = s3.env("s3://builds");
    publish(
        &s,
        &with(&vars, "TOOL_CACHE_SIGNING_KEY", a_secret.display()),
        &["3.9.6", "3.10.1"],
    );
    let before = envelope(&bucket, &key_of("3.9.6"));

    let signing_b = with(
        &with(&vars, "TOOL_CACHE_SIGNING_KEY", b_secret.display()),
        "TOOL_CACHE_TRUSTED_KEYS",
        &a,
    );
    let out = stdout(&mut tool_with(
        &s,
        &s.data,
        &signing_b,
        &["cache", "sign", "python", "3.9.6"],
    ));
    assert!(
        out.contains(&format!("signed         {}", key_of("3.9.6"))),
        "{out}"
    );
    let after = envelope(&bucket, &key_of("3.9.6"));
    assert_eq!(
        after["payload"], before["payload"],
        "the signed bytes changed"
    );
    assert_eq!(signers(&bucket, &key_of("3.9.6")), ["a", "b"]);
    assert_eq!(signers(&bucket, &key_of("3.10.1")), ["a"]);
    // Again: nothing to add, nothing written.
    let again = stdout(&mut tool_with(
        &s,
        &s.data,
        &signing_b,
        &["cache", "sign", "python", "3.9.6"],
    ));
    assert!(again.contains("already signed"), "{again}");
    assert_eq!(envelope(&bucket, &key_of("3.9.6")), after);

    let only_b = with(&vars, "TOOL_CACHE_TRUSTED_KEYS", &b);
    assert_eq!(signed_by(&s, &only_b, "3.9.6"), "b");
    let err = fails_with(&mut install(&s, &only_b, "3.10.1"), 1);
    assert!(
        err.contains("signed by a, which cache.trusted_keys does not list"),
        "{err}"
    );

    let both = with(&vars, "TOOL_CACHE_TRUSTED_KEYS", format!("{a} {b}"));
    assert_eq!(signed_by(&s, &both, "3.10.1"), "a");
    // Revoked by its value, whatever name the revocation list gives it.
    let a_renamed = a.replacen("a:", "retired-a:", 1);
    let revoked = with(&both, "TOOL_CACHE_REVOKED_KEYS", &a_renamed);
    assert_eq!(signed_by(&s, &revoked, "3.9.6"), "b");
    let err = fails_with(&mut install(&s, &revoked, "3.10.1"), 1);
    assert!(
        err.contains("signed only by a, which cache.revoked_keys revokes"),
        "{err}"
    );

    // Every trusted key revoked: everything is refused, not nothing checked.
    let all_revoked = with(
        &with(&vars, "TOOL_CACHE_TRUSTED_KEYS", &a),
        "TOOL_CACHE_REVOKED_KEYS",
        &a,
    );
    let reader = s.root.join("reader-revoked");
    let err = fails_with(
        &mut tool_with(&s, &reader, &all_revoked, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(err.contains("cache.revoked_keys revokes"), "{err}");
    nothing_installed(&reader, "python");
}

/// `cache sign` vouches only for what the trusted keys vouch for: a record
/// nobody trusted signed is refused and left as it was.
#[test]
fn cache_sign_never_signs_what_the_trusted_keys_do_not_vouch_for() {
    let s = Sandbox::new();
    let (bucket, url) = folder(&s, "bucket");
    let (_, a) = keygen(&s, "a");
    let (b_secret, _) = keygen(&s, "b");
    let vars: Vars = vec![("TOOL_CACHE_URL", url)];
    publish(&s, &vars, &["3.9.6"]);
    let before = std::fs::read(bucket.join(format!("{}.manifest", key_of("3.9.6")))).unwrap();
    let signing = with(
        &with(&vars, "TOOL_CACHE_SIGNING_KEY", b_secret.display()),
        "TOOL_CACHE_TRUSTED_KEYS",
        &a,
    );
    let out = tool_with(&s, &s.data, &signing, &["cache", "sign"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("REFUSED {}", key_of("3.9.6"))) && text.contains("it is not signed"),
        "{text}"
    );
    let after = std::fs::read(bucket.join(format!("{}.manifest", key_of("3.9.6")))).unwrap();
    assert_eq!(after, before, "a record nobody trusted gained a signature");
}

/// A record carrying more signatures than any record may is refused before
/// any is checked.
#[test]
fn a_record_with_too_many_signatures_is_refused() {
    let s = Sandbox::new();
    let (bucket, url) = folder(&s, "bucket");
    let (a_secret, a) = keygen(&s, "a");
    let vars: Vars = vec![("TOOL_CACHE_URL", url)];
    publish(
        &s,
        &with(&vars, "TOOL_CACHE_SIGNING_KEY", a_secret.display()),
        &["3.9.6"],
    );
    let path = bucket.join(format!("{}.manifest", key_of("3.9.6")));
    let mut env = envelope(&bucket, &key_of("3.9.6"));
    let good = env["signatures"][0].clone();
    let sigs = env["signatures"].as_array_mut().unwrap();
    for i in 0..16 {
        sigs.insert(
            0,
            serde_json::json!({"keyid": format!("junk{i}"), "sig": good["sig"]}),
        );
    }
    std::fs::write(&path, serde_json::to_vec(&env).unwrap()).unwrap();
    let trusted = with(&vars, "TOOL_CACHE_TRUSTED_KEYS", &a);
    let err = fails_with(&mut install(&s, &trusted, "3.9.6"), 1);
    assert!(
        err.contains("carries 17 signatures; a record carries at most 16"),
        "{err}"
    );
}

/// Three signers adding their keys to the same records at once in a
/// folder bucket: every record ends with every signature (a write is only
/// over the copy read, checked under a lock; a signer that lost reads
/// again). On S3 the same is the server's `If-Match`: real S3 and MinIO
/// check it atomically, the test server (s3s-fs 0.14) checks it before it
/// writes, so racing writers there can still lose one.
#[test]
fn racing_signers_keep_every_signature() {
    let s = Sandbox::new();
    let (bucket, url) = folder(&s, "bucket");
    let vars: Vars = vec![("TOOL_CACHE_URL", url)];
    let (a_secret, a) = keygen(&s, "a");
    let versions = ["3.9.1", "3.9.2", "3.9.3", "3.9.4", "3.9.5", "3.9.6"];
    publish(
        &s,
        &with(&vars, "TOOL_CACHE_SIGNING_KEY", a_secret.display()),
        &versions,
    );
    let signers_vars: Vec<Vars> = ["b", "c", "d"]
        .iter()
        .map(|name| {
            let (secret, _) = keygen(&s, name);
            with(
                &with(&vars, "TOOL_CACHE_SIGNING_KEY", secret.display()),
                "TOOL_CACHE_TRUSTED_KEYS",
                &a,
            )
        })
        .collect();
    std::thread::scope(|scope| {
        for v in &signers_vars {
            let s = &s;
            scope.spawn(move || {
                succeeds(&mut tool_with(s, &s.data, v, &["cache", "sign", "python"]))
            });
        }
    });
    for v in versions {
        let mut got = signers(&bucket, &key_of(v));
        got.sort();
        assert_eq!(got, ["a", "b", "c", "d"], "{v}");
    }
}

/// Rewrites the payload of a record in a folder, keeping its signatures.
fn edit_record(bucket: &Path, key: &str, change: impl FnOnce(&mut serde_json::Value)) {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut env = envelope(bucket, key);
    let mut record = read_record(bucket, key);
    change(&mut record);
    env["payload"] = b64.encode(serde_json::to_vec(&record).unwrap()).into();
    std::fs::write(
        bucket.join(format!("{key}.manifest")),
        serde_json::to_vec(&env).unwrap(),
    )
    .unwrap();
}

/// The objects of a bucket folder, recursively, as keys.
fn objects(bucket: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs = vec![bucket.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            match path.is_dir() {
                true => dirs.push(path),
                false => out.push(path.strip_prefix(bucket).unwrap().display().to_string()),
            }
        }
    }
    out.sort();
    out
}

/// Promotion from a staging folder signed by the pull requests' key to a
/// release bucket on S3: a record whose signature does not hold and a
/// record whose archive is other bytes are refused with nothing of them
/// copied; the good one is copied, signed by the release key, and installs
/// from the release bucket trusting only that key; a second copy changes
/// nothing.
#[test]
fn copy_promotes_what_holds_refuses_the_rest_and_resigns() {
    let s = Sandbox::new();
    let (staging, staging_url) = folder(&s, "staging");
    let s3 = S3Server::start(&s.root.join("s3"), "release");
    let release = s.root.join("s3/release");
    let (pr_secret, pr) = keygen(&s, "pr");
    let (rel_secret, rel) = keygen(&s, "release");
    let pr_vars: Vars = vec![
        ("TOOL_CACHE_URL", staging_url.clone()),
        ("TOOL_CACHE_SIGNING_KEY", pr_secret.display().to_string()),
    ];
    publish(&s, &pr_vars, &["3.9.6", "3.10.1", "3.11.2"]);
    edit_record(&staging, &key_of("3.10.1"), |r| {
        r["build"]["build_options"] = serde_json::json!(["--evil"])
    });
    let swapped = crate::harness::fakes::record_archive(&staging, &key_of("3.11.2"), "zst");
    let other = crate::harness::fakes::record_archive(&staging, &key_of("3.9.6"), "zst");
    std::fs::copy(&other, &swapped).unwrap();

    let promote = with(
        &with(&s3.env("s3://release"), "TOOL_CACHE_TRUSTED_KEYS", &pr),
        "TOOL_CACHE_SIGNING_KEY",
        rel_secret.display(),
    );
    let args = ["cache", "copy", &staging_url, "s3://release", "python"];
    let out = tool_with(&s, &s.data, &promote, &args).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("copied         {}", key_of("3.9.6"))),
        "{text}"
    );
    assert!(
        text.contains(&format!("REFUSED {}", key_of("3.10.1")))
            && text.contains("signature by key `pr` does not verify"),
        "{text}"
    );
    assert!(
        text.contains(&format!("REFUSED {}", key_of("3.11.2")))
            && text.contains("nothing of this key was copied"),
        "{text}"
    );
    let good = read_record(&staging, &key_of("3.9.6"));
    let good_archive = good["archives"][0]["object"].as_str().unwrap();
    let copied = objects(&release);
    let named: Vec<&String> = copied.iter().filter(|o| !o.starts_with('.')).collect();
    assert_eq!(
        named,
        [
            &good_archive.to_string(),
            &format!("{}.manifest", key_of("3.9.6"))
        ],
        "{copied:?}"
    );
    assert_eq!(
        envelope(&release, &key_of("3.9.6"))["payload"],
        envelope(&staging, &key_of("3.9.6"))["payload"]
    );
    assert_eq!(signers(&release, &key_of("3.9.6")), ["release"]);

    let reader_vars = with(&s3.env("s3://release"), "TOOL_CACHE_TRUSTED_KEYS", &rel);
    assert_eq!(signed_by(&s, &reader_vars, "3.9.6"), "release");

    let again = stdout(&mut tool_with(
        &s,
        &s.data,
        &promote,
        &[
            "cache",
            "copy",
            &staging_url,
            "s3://release",
            "python",
            "3.9.6",
        ],
    ));
    assert!(again.contains("already copied"), "{again}");
}

/// Without trusted keys there is nothing to check a promotion against.
#[test]
fn copy_without_trusted_keys_is_refused() {
    let s = Sandbox::new();
    let (_, from) = folder(&s, "staging");
    let (to_dir, to) = folder(&s, "release");
    publish(&s, &[("TOOL_CACHE_URL", from.clone())], &["3.9.6"]);
    let err = fails_with(
        &mut tool_with(&s, &s.data, &[], &["cache", "copy", &from, &to]),
        1,
    );
    assert!(err.contains("cache.trusted_keys lists none"), "{err}");
    assert!(objects(&to_dir).is_empty());
}
