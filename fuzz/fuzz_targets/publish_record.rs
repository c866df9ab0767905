//! Any bytes as a key's publish record (`<key>.manifest` in a bucket), read
//! as a reader does: raw (an envelope anyone could have written), or as the
//! payload of an envelope sealed by a trusted key, or unsigned. It may be
//! refused, never panic; what is accepted is the record of that key, names
//! only archives at their digest, and is trusted only when a trusted key
//! sealed it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tool::cache::record::{self, SUFFIX};
use tool::cache::sign::{Envelope, PublicKey, SecretKey, Verdict};
use tool::remote::{Client, Remote};

const KEY: &str = "ubuntu-22.04-python-3.11.2";

/// Made once per process: a bucket folder (its record rewritten each run)
/// and the keys.
struct Fixed {
    dir: tempfile::TempDir,
    bucket: Remote,
    secret: SecretKey,
    trusted: Vec<PublicKey>,
}

fn fixed() -> Fixed {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::new().unwrap();
    let bucket = client
        .folder(dir.path().to_path_buf(), "file:///fuzz")
        .unwrap();
    let secret = SecretKey::generate("fuzz").unwrap();
    let other = SecretKey::generate("other").unwrap();
    Fixed {
        dir,
        bucket,
        trusted: vec![secret.public(), other.public()],
        secret,
    }
}

thread_local! {
    static FIXED: Fixed = fixed();
}

fuzz_target!(|data: &[u8]| FIXED.with(|f| one(f, data)));

fn one(f: &Fixed, data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = match mode % 3 {
        0 => rest.to_vec(),
        1 => Envelope::seal(rest, Some(&f.secret)).to_json(),
        _ => Envelope::seal(rest, None).to_json(),
    };
    let file = f.dir.path().join(format!("{KEY}{SUFFIX}"));
    std::fs::write(&file, &bytes).unwrap();
    let bucket = &f.bucket;
    let trusted: &[PublicKey] = if mode & 4 == 0 { &f.trusted } else { &[] };
    let Ok(Some(found)) = record::read(bucket, KEY, trusted) else {
        return;
    };
    assert_eq!(found.record.key, KEY, "the record of another key was taken");
    for a in &found.record.archives {
        let name = a
            .object
            .strip_prefix("sha256/")
            .expect("an archive outside sha256/");
        assert!(
            name.starts_with(&a.sha256) && !name.contains('/') && a.sha256.len() == 64,
            "{a:?} is not named by its digest"
        );
    }
    // Only a trusted key's seal is trusted (no input forges one), and it is.
    let sealed = mode % 3 == 1 && !trusted.is_empty();
    assert_eq!(
        matches!(&found.verdict, Verdict::Trusted(name) if name == "fuzz"),
        sealed,
        "{:?}",
        found.verdict
    );
    // What a publisher seals, a reader reads back unchanged.
    if mode % 3 != 1 {
        let sealed = found.record.seal(Some(&f.secret));
        std::fs::write(&file, &sealed).unwrap();
        let again = record::read(bucket, KEY, &f.trusted).unwrap().unwrap();
        assert_eq!(again.verdict, Verdict::Trusted("fuzz".into()));
        assert_eq!(again.record.archives, found.record.archives);
    }
}
