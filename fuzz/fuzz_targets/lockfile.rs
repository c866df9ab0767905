//! Any bytes as a lockfile (`.tool-versions.lock`): reading may refuse it
//! with an error, never panic; what reads writes back to a file that reads
//! the same, and `put` keeps one entry per tool and platform.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tool::lockfile::Lock;

thread_local! {
    /// One folder per process, its files rewritten each run.
    static DIR: tempfile::TempDir = tempfile::tempdir().unwrap();
}

fuzz_target!(|data: &[u8]| {
    let dir = DIR.with(|d| d.path().to_path_buf());
    let dir = &dir;
    let path = dir.join(".tool-versions.lock");
    std::fs::write(&path, data).unwrap();
    let Ok(Some(lock)) = Lock::read(&path) else {
        return;
    };
    let copy = dir.join("copy.lock");
    lock.write(&copy).expect("a lock that reads can be written");
    let again = Lock::read(&copy)
        .expect("a written lock reads")
        .expect("it exists");
    assert_eq!(again, lock, "a write/read round trip changed the lock");
    let mut merged = tool::lockfile::Lock::default();
    for entry in lock.entries.iter().cloned() {
        merged.put(entry);
    }
    for (i, a) in merged.entries.iter().enumerate() {
        for b in &merged.entries[i + 1..] {
            assert!(
                a.tool != b.tool
                    || (a.platform.is_some() && b.platform.is_some() && a.platform != b.platform),
                "two entries for {} on {:?}",
                a.tool,
                a.platform
            );
        }
        let found = merged.find(&a.tool, a.platform.as_deref().unwrap_or("any/x86_64"));
        assert!(found.is_some(), "{} cannot be found after put", a.tool);
    }
});
