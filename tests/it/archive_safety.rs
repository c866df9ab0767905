//! A cache bucket is untrusted input: hand-made archives from a `file://`
//! bucket that try to write outside the install, exhaust memory, inflate
//! past the size limit or crash the reader. Each is refused (or read
//! correctly) and leaves nothing anywhere.

use std::path::{Path, PathBuf};

use tar::EntryType::{self, Directory, GNULongName, Regular, Symlink};

use crate::harness::fakes::{OS, nothing_installed, tool_with};
use crate::harness::{
    BIN, RawEntry, Sandbox, commit_all, fails_with, git, gzip, stdout, succeeds, tar_bytes,
    write_executable,
};

const OK: &[u8] = b"#!/bin/sh\necho ok\n";

/// A file bucket holding `archive` as python 3.9.6's `.tar.gz`.
fn bucket_with(s: &Sandbox, archive: &[u8]) -> Vec<(&'static str, String)> {
    let bucket = s.root.join("bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    std::fs::write(bucket.join(format!("{OS}-python-3.9.6.tar.gz")), archive).unwrap();
    vec![("TOOL_CACHE_URL", format!("file://{}", bucket.display()))]
}

fn install(s: &Sandbox, vars: &[(&str, String)]) -> assert_cmd::Command {
    tool_with(s, &s.data, vars, &["install", "python", "3.9.6"])
}

/// Every path under `dir`, to compare before and after.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            out.push(e.path());
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                out.extend(tree(&e.path()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn link_chains_cannot_plant_anything_outside_the_install() {
    let s = Sandbox::new();
    let entries: Vec<RawEntry> = vec![
        ("3.9.6/bin/python", Regular, "", OK),
        ("3.9.6/s/up", Symlink, "..", b""),
        ("3.9.6/s/up/up2", Symlink, "..", b""),
        ("3.9.6/s/up/up2/planted", Symlink, ".", b""),
    ];
    let vars = bucket_with(&s, &gzip(&tar_bytes(&entries)));
    let before = tree(&s.root);
    let err = fails_with(&mut install(&s, &vars), 1);
    assert!(err.contains("archive refused"), "{err}");
    let added: Vec<_> = tree(&s.root)
        .into_iter()
        .filter(|p| !before.contains(p))
        .filter(|p| !p.starts_with(s.data.join("cache")) && !p.starts_with(s.data.join("tmp")))
        .collect();
    // Only the data dir and the (now empty) folder the install lock was in.
    let expected = vec![
        s.data.clone(),
        s.data.join("installs"),
        s.data.join("installs/python"),
    ];
    assert_eq!(added, expected);
}

#[test]
fn a_link_that_resolves_outside_through_other_links_is_refused() {
    let s = Sandbox::new();
    let entries: Vec<RawEntry> = vec![
        ("3.9.6/bin/python", Regular, "", OK),
        ("3.9.6/b", Symlink, ".", b""),
        // Each `..` looks like it climbs back out of a `b`; but b is `.`.
        ("3.9.6/root", Symlink, "b/b/b/../..", b""),
    ];
    let vars = bucket_with(&s, &gzip(&tar_bytes(&entries)));
    let err = fails_with(&mut install(&s, &vars), 1);
    assert!(
        err.contains("archive refused") && err.contains("symlink root"),
        "{err}"
    );
    nothing_installed(&s.data, "python");
}

#[test]
fn a_huge_long_name_header_is_refused_before_it_is_read() {
    let s = Sandbox::new();
    let name = vec![b'a'; 64 << 20];
    let entries: Vec<RawEntry> = vec![
        ("3.9.6/bin/python", Regular, "", OK),
        ("././@LongLink", GNULongName, "", &name),
        ("3.9.6/x", Regular, "", OK),
    ];
    let vars = bucket_with(&s, &gzip(&tar_bytes(&entries)));
    let err = fails_with(&mut install(&s, &vars), 1);
    assert!(err.contains("long name header is larger than"), "{err}");
    assert!(
        err.len() < 4096,
        "the name is not printed: {} bytes",
        err.len()
    );
    nothing_installed(&s.data, "python");
}

/// An archive whose manifest names `prefix` and whose text file repeats it.
fn relocating_archive(prefix: &str, copies: usize) -> Vec<u8> {
    let manifest = serde_json::json!({
        "schema": 1, "tool": "python", "version": "3.9.6", "os": OS,
        "arch": std::env::consts::ARCH, "libc": "glibc-2.17", "build_prefix": prefix,
    });
    let manifest = manifest.to_string().into_bytes();
    let text = format!("{prefix}\n").repeat(copies).into_bytes();
    let entries: Vec<RawEntry> = vec![
        ("3.9.6/.tool-manifest.json", Regular, "", &manifest),
        ("3.9.6/bin/python", Regular, "", OK),
        ("3.9.6/lib/config.txt", Regular, "", &text),
    ];
    gzip(&tar_bytes(&entries))
}

#[test]
fn relocation_cannot_inflate_past_the_size_limit() {
    let s = Sandbox::new();
    let mut vars = bucket_with(&s, &relocating_archive("x", 4000));
    vars.push(("TOOL_CACHE_MAX_UNPACKED_SIZE", "64K".into()));
    let err = fails_with(&mut install(&s, &vars), 1);
    assert!(err.contains("build prefix `x`"), "{err}");
    nothing_installed(&s.data, "python");

    // A valid but short prefix: what relocation writes counts.
    let vars = [
        bucket_with(&s, &relocating_archive("/p", 4000)),
        vec![("TOOL_CACHE_MAX_UNPACKED_SIZE", "64K".to_string())],
    ]
    .concat();
    let err = fails_with(&mut install(&s, &vars), 1);
    assert!(err.contains("byte limit"), "{err}");
    nothing_installed(&s.data, "python");
}

#[test]
fn gzip_archives_of_several_members_are_read_whole() {
    let s = Sandbox::new();
    let tar = tar_bytes(&[
        ("3.9.6/bin/python", Regular, "", OK),
        ("3.9.6/lib/second-half.txt", Regular, "", b"second\n"),
    ]);
    // What `cat a.gz b.gz` (or bgzip) makes: the split lands between entries.
    let (first, second) = tar.split_at(1024);
    let vars = bucket_with(&s, &[gzip(first), gzip(second)].concat());
    succeeds(&mut install(&s, &vars));
    let install_dir = s.data.join("installs/python/3.9.6");
    assert_eq!(
        std::fs::read(install_dir.join("lib/second-half.txt")).unwrap(),
        b"second\n"
    );
}

#[test]
fn permissions_follow_the_umask_without_special_bits() {
    use std::os::unix::fs::PermissionsExt;
    let s = Sandbox::new();
    let mut out = tar::Builder::new(Vec::new());
    let mut add = |name: &str, kind: EntryType, mode: u32, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_size(data.len() as u64);
        out.append_data(&mut h, name, data).unwrap();
    };
    add("3.9.6/", Directory, 0o777, b"");
    add("3.9.6/shared/", Directory, 0o1777, b"");
    add("3.9.6/bin/python", Regular, 0o4777, OK);
    let vars = bucket_with(&s, &gzip(&out.into_inner().unwrap()));
    // The umask of the installing process, set by a shell in front of it.
    succeeds(
        s.command("sh")
            .args(["-c", "umask 027 && exec \"$0\" \"$@\"", BIN])
            .args(["install", "python", "3.9.6"])
            .env("TOOL_OS", OS)
            .env("TOOL_BACKENDS_PYTHON", "cache")
            .envs(vars.iter().map(|(k, v)| (*k, v))),
    );
    let mode = |p: &str| {
        std::fs::metadata(s.data.join("installs/python/3.9.6").join(p))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    };
    assert_eq!(mode("shared"), 0o750);
    assert_eq!(mode("bin/python"), 0o750);
}

#[test]
fn git_archive_output_installs() {
    let s = Sandbox::new();
    let repo = s.root.join("repo");
    write_executable(&repo.join("bin/python"), "#!/bin/sh\necho ok\n");
    git(&repo, &["init", "-q"]);
    commit_all(&repo, "python");
    let out = succeeds(std::process::Command::new("git").args([
        "-C",
        repo.to_str().unwrap(),
        "archive",
        "--format=tar",
        "--prefix=3.9.6/",
        "HEAD",
    ]));
    let vars = bucket_with(&s, &gzip(&out.stdout));
    succeeds(&mut install(&s, &vars));
    assert!(s.data.join("installs/python/3.9.6/bin/python").is_file());
}

#[test]
fn a_modification_time_past_the_year_292_billion_is_not_a_crash() {
    let s = Sandbox::new();
    let mut out = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(Regular);
    h.set_mode(0o755);
    h.set_size(OK.len() as u64);
    h.set_mtime(u64::MAX);
    out.append_data(&mut h, "3.9.6/bin/python", OK).unwrap();
    let vars = bucket_with(&s, &gzip(&out.into_inner().unwrap()));
    let out = succeeds(&mut install(&s, &vars));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(stdout(&mut s.tool(&["list", "python"])).trim(), "3.9.6");
}

/// A path of about 3,800 bytes under the version folder: 14 folders of 250.
fn long_path(leaf: &str) -> String {
    format!("3.9.6/{}/{leaf}", vec!["d".repeat(250); 14].join("/"))
}

/// Bytes of `GNULongName` (and `GNULongLink`) members before a real one.
fn long_member(out: &mut Vec<RawEntry<'static>>, name: String, kind: EntryType, link: String) {
    let leak = |s: String| -> &'static [u8] { Box::leak(s.into_bytes().into_boxed_slice()) };
    out.push(("././@LongLink", GNULongName, "", leak(name)));
    if !link.is_empty() {
        out.push(("././@LongLink", EntryType::GNULongLink, "", leak(link)));
    }
    out.push(("x", kind, "", b""));
}

/// Links are made after every file, so their texts wait in memory: an
/// archive of thousands of links with 4 KiB texts is refused, not held.
#[test]
fn the_names_links_keep_in_memory_are_bounded() {
    let s = Sandbox::new();
    let mut entries: Vec<RawEntry> = vec![("3.9.6/bin/python", Regular, "", OK)];
    for _ in 0..8000 {
        let target = format!("{}python", "x/../".repeat(788));
        long_member(&mut entries, "3.9.6/bin/l".into(), Symlink, target);
    }
    let vars = bucket_with(&s, &gzip(&tar_bytes(&entries)));
    let err = fails_with(&mut install(&s, &vars), 1);
    assert!(
        err.contains("archive refused") && err.contains("bytes of names and targets"),
        "{err}"
    );
    nothing_installed(&s.data, "python");
}

/// `cmd`'s exit code and the highest peak resident memory (VmHWM, KiB) seen
/// while it ran: read from /proc only once it runs `program` (before its
/// exec the child shares this test's memory).
fn peak_rss_kib(mut cmd: std::process::Command, program: &Path) -> (Option<i32>, u64) {
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let proc = PathBuf::from(format!("/proc/{}", child.id()));
    let mut peak = 0;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code(), peak);
        }
        let exe = std::fs::read_link(proc.join("exe")).ok();
        if exe.is_some_and(|exe| exe == program) {
            let status = std::fs::read_to_string(proc.join("status")).unwrap_or_default();
            let hwm = status.lines().find_map(|l| l.strip_prefix("VmHWM:"));
            let kib = hwm.and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
            peak = peak.max(kib.unwrap_or(0));
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Nothing is kept per file: 16,000 empty files with 3.8 KiB names (60 MiB of
/// names, 300 KiB gzipped) install in about the memory of one.
#[test]
fn memory_does_not_grow_with_the_number_of_files() {
    let s = Sandbox::new();
    let mut entries: Vec<RawEntry> = vec![("3.9.6/bin/python", Regular, "", OK)];
    for i in 0..16_000 {
        long_member(
            &mut entries,
            long_path(&format!("{i:05}")),
            Regular,
            String::new(),
        );
    }
    let vars = bucket_with(&s, &gzip(&tar_bytes(&entries)));
    let mut cmd = s.process(BIN);
    cmd.args(["install", "python", "3.9.6"])
        .env("TOOL_OS", OS)
        .env("TOOL_BACKENDS_PYTHON", "cache")
        .envs(vars.iter().map(|(k, v)| (*k, v)));
    let (code, kib) = peak_rss_kib(cmd, Path::new(BIN));
    assert_eq!(code, Some(0), "the install failed");
    assert!(kib < 55 << 10, "peak RSS {kib} KiB");
}

/// A download cut short must never look installed: without a checksum to
/// catch it, the gzip trailer, the end of the zstd frame and tar's
/// end-of-archive blocks are required.
#[test]
fn a_legacy_archive_cut_short_is_refused() {
    let entries: Vec<RawEntry> = vec![
        ("3.9.6/bin/python", Regular, "", OK),
        ("3.9.6/lib/last.txt", Regular, "", b"the last file\n"),
    ];
    let tar = tar_bytes(&entries);
    let gz = gzip(&tar);
    let zst = zstd::encode_all(&tar[..], 3).unwrap();
    let no_end_blocks = &tar[..tar.len() - 1024];
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "gzip without its trailer",
            "gz",
            gz[..gz.len() - 8].to_vec(),
        ),
        ("gzip cut in its trailer", "gz", gz[..gz.len() - 3].to_vec()),
        ("tar without end blocks", "gz", gzip(no_end_blocks)),
        ("zstd frame cut", "zst", zst[..zst.len() - 3].to_vec()),
        (
            "zstd of tar without end blocks",
            "zst",
            zstd::encode_all(no_end_blocks, 3).unwrap(),
        ),
    ];
    let mut wrong = Vec::new();
    for (case, ext, archive) in cases {
        let s = Sandbox::new();
        let bucket = s.root.join("bucket");
        std::fs::create_dir_all(&bucket).unwrap();
        std::fs::write(bucket.join(format!("{OS}-python-3.9.6.tar.{ext}")), archive).unwrap();
        let vars = vec![("TOOL_CACHE_URL", format!("file://{}", bucket.display()))];
        let out = install(&s, &vars).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let installed = s.data.join("installs/python/3.9.6").exists();
        if installed || out.status.code() != Some(1) || !err.contains("corrupt or truncated") {
            wrong.push(format!("{case}: {:?} {err}", out.status.code()));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
