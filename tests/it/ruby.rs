//! Ruby from source: one real compile of 3.1.2 from a file:// mirror
//! (Debian's repack of ruby-lang.org's tarball, named in a release table
//! of the test's own), published and installed at another path, where
//! `gem install` of a local gem and of a C extension work; and the ways a
//! build fails before it starts, without leaving anything.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::sync::OnceLock;

use crate::harness::fakes::{nothing_installed, read_record, record_archive, sha256_hex};
use crate::harness::{Sandbox, fails_with, stdout, succeeds, write_executable};

const ARCHIVE: &str = "3.1/ruby-3.1.2.tar.xz";

/// The file:// mirror made by `scripts/setup-ruby-source` (run once).
fn mirror() -> &'static Path {
    static MIRROR: OnceLock<PathBuf> = OnceLock::new();
    MIRROR.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/setup-ruby-source");
        PathBuf::from(stdout(&mut StdCommand::new(&script)).trim())
    })
}

fn url(dir: &Path) -> String {
    format!("file://{}", dir.display())
}

/// A release table naming the mirror's archive by its own sha256, as a
/// user of a repacked source writes one (`sha256sum` of the file).
fn releases_table(s: &Sandbox) -> PathBuf {
    let sha = sha256_hex(&std::fs::read(mirror().join(ARCHIVE)).unwrap());
    s.write(
        "ruby-releases.toml",
        &format!("# Debian's repack of 3.1.2\n[versions]\n\"3.1.2\" = {{ xz = \"{sha}\" }}\n"),
    )
}

fn ruby_tool(s: &Sandbox, data: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = s.tool(args);
    cmd.env("ASDF_DATA_DIR", data)
        .env("TOOL_OS", "testos")
        .env("TOOL_RUBY_MIRROR", url(mirror()))
        .env("TOOL_RUBY_RELEASES", releases_table(s))
        .env("PATH", "/usr/local/bin:/usr/bin:/bin");
    cmd
}

/// A pure-Ruby gem laid out as `gem build` writes one (a tar of
/// `metadata.gz` and `data.tar.gz`), with a `tooltestgem` executable.
fn tiny_gem(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let gem = dir.join("tooltestgem-1.0.0.gem");
    let script = r##"
import gzip, io, sys, tarfile
spec = """--- !ruby/object:Gem::Specification
name: tooltestgem
version: !ruby/object:Gem::Version
  version: 1.0.0
platform: ruby
authors:
- tool tests
bindir: bin
date: 2026-01-01 00:00:00.000000000 Z
dependencies: []
executables:
- tooltestgem
extensions: []
files:
- bin/tooltestgem
- lib/tooltestgem.rb
licenses: []
metadata: {}
require_paths:
- lib
required_ruby_version: !ruby/object:Gem::Requirement
  requirements:
  - - ">="
    - !ruby/object:Gem::Version
      version: '0'
required_rubygems_version: !ruby/object:Gem::Requirement
  requirements:
  - - ">="
    - !ruby/object:Gem::Version
      version: '0'
requirements: []
rubygems_version: 3.3.7
specification_version: 4
summary: a gem made by tool's tests
test_files: []
"""
def tar(files):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as t:
        for name, (data, mode) in files.items():
            info = tarfile.TarInfo(name); info.size = len(data); info.mode = mode
            t.addfile(info, io.BytesIO(data))
    return out.getvalue()
data = tar({
    "bin/tooltestgem": (b"#!/usr/bin/env ruby\nrequire 'tooltestgem'\nputs ToolTestGem::VALUE\n", 0o755),
    "lib/tooltestgem.rb": (b"module ToolTestGem\n  VALUE = 42\nend\n", 0o644),
})
gem = tar({
    "metadata.gz": (gzip.compress(spec.encode()), 0o444),
    "data.tar.gz": (gzip.compress(data), 0o444),
})
open(sys.argv[1], "wb").write(gem)
"##;
    succeeds(StdCommand::new("python3").args(["-c", script]).arg(&gem));
    gem
}

/// A gem with a C extension, built by the relocated Ruby's own `gem build`.
fn build_c_extension_gem(prefix: &Path, dir: &Path) -> PathBuf {
    let ext = dir.join("ext/tooltestext");
    std::fs::create_dir_all(&ext).unwrap();
    std::fs::write(
        dir.join("tooltestext.gemspec"),
        "Gem::Specification.new do |s|\n  s.name = 'tooltestext'\n  s.version = '1.0.0'\n  \
         s.summary = 'a C extension'\n  s.authors = ['tool tests']\n  \
         s.files = ['ext/tooltestext/extconf.rb', 'ext/tooltestext/tooltestext.c']\n  \
         s.extensions = ['ext/tooltestext/extconf.rb']\nend\n",
    )
    .unwrap();
    std::fs::write(
        ext.join("extconf.rb"),
        "require 'mkmf'\ncreate_makefile('tooltestext')\n",
    )
    .unwrap();
    std::fs::write(
        ext.join("tooltestext.c"),
        "#include <ruby.h>\nstatic VALUE answer(VALUE self) { return INT2FIX(6 * 7); }\n\
         void Init_tooltestext(void) {\n  VALUE m = rb_define_module(\"ToolTestExt\");\n  \
         rb_define_module_function(m, \"answer\", answer, 0);\n}\n",
    )
    .unwrap();
    succeeds(
        StdCommand::new(prefix.join("bin/gem"))
            .args(["build", "tooltestext.gemspec"])
            .current_dir(dir),
    );
    dir.join("tooltestext-1.0.0.gem")
}

fn ruby(prefix: &Path, args: &[&str]) -> String {
    stdout(StdCommand::new(prefix.join("bin/ruby")).args(args))
        .trim()
        .to_string()
}

#[test]
fn a_compiled_ruby_published_to_the_cache_runs_at_another_path() {
    let s = Sandbox::new();
    let gem = tiny_gem(&s.root.join("gems"));
    s.write(
        ".default-gems",
        &format!(
            "# as asdf-ruby reads it\n{}\nno-such-gem-for-tool-tests 1.0\n",
            gem.display()
        ),
    );
    let bucket = s.root.join("bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    let built = s.root.join("builder/data");
    let out = succeeds(
        ruby_tool(&s, &built, &["cache", "build", "ruby", "3.1.2", "--json"])
            .env("TOOL_CACHE_URL", url(&bucket))
            // Unoptimised, to keep the suite short; nothing here tests speed.
            .env("RUBY_CONFIGURE_OPTS", "optflags=-O0 debugflags=")
            .env("ASDF_CONCURRENCY", "2"),
    );
    let (stdout_text, stderr_text) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    let reports: Vec<serde_json::Value> = stdout_text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports[0]["backend"], "source", "{stdout_text}");
    assert_eq!(
        reports.last().unwrap()["outcome"],
        "pushed",
        "{stdout_text}"
    );
    assert!(
        stderr_text.contains("default gem no-such-gem-for-tool-tests"),
        "a default gem that fails is a warning: {stderr_text}"
    );
    let root = built.join("installs/ruby/3.1.2");
    let dynamic = stdout(
        StdCommand::new("readelf")
            .arg("-d")
            .arg(root.join("bin/ruby")),
    );
    assert!(
        dynamic.contains("[${ORIGIN}/../lib]"),
        "RUNPATH:\n{dynamic}"
    );
    assert!(record_archive(&bucket, "testos-ruby-3.1.2", "zst").is_file());
    let manifest = read_record(&bucket, "testos-ruby-3.1.2")["build"].to_string();
    assert!(manifest.contains("tooltestgem-1.0.0"), "{manifest}");
    // Nothing may lean on the builder's copy from here on.
    let hidden = s.root.join("builder-hidden");
    std::fs::rename(s.root.join("builder"), &hidden).unwrap();

    let other = s.root.join("another/place/data");
    let report = stdout(
        ruby_tool(&s, &other, &["install", "ruby", "3.1.2", "--json"])
            .env("TOOL_CACHE_URL", url(&bucket)),
    );
    let report: serde_json::Value = serde_json::from_str(report.trim()).unwrap();
    assert_eq!(report["backend"], "cache", "{report}");
    let prefix = other.join("installs/ruby/3.1.2");
    let loaded = ruby(
        &prefix,
        &[
            "-ropenssl",
            "-rpsych",
            "-rzlib",
            "-rfiddle",
            "-rreadline",
            "-e",
            "puts RbConfig::CONFIG['prefix'], Gem.default_dir",
        ],
    );
    let gem_dir = prefix.join("lib/ruby/gems/3.1.0");
    assert_eq!(
        loaded,
        format!("{}\n{}", prefix.display(), gem_dir.display())
    );
    let rbconfig =
        std::fs::read_to_string(prefix.join("lib/ruby/3.1.0/x86_64-linux/rbconfig.rb")).unwrap();
    assert!(
        !rbconfig.contains("builder/data"),
        "rbconfig.rb names the build path"
    );
    let version = stdout(StdCommand::new(prefix.join("bin/gem")).arg("--version"));
    assert_eq!(version.trim(), "3.3.7");

    // The default gem's program, through the data dir's shim.
    s.write("proj/.tool-versions", "ruby 3.1.2\n");
    let mut shim = s.command(other.join("shims/tooltestgem"));
    shim.env("ASDF_DATA_DIR", &other);
    assert_eq!(stdout(&mut shim).trim(), "42");

    // A C extension compiled against the relocated headers and rbconfig.
    let ext_gem = build_c_extension_gem(&prefix, &s.root.join("ext-gem"));
    succeeds(
        StdCommand::new(prefix.join("bin/gem"))
            .args(["install", "--local"])
            .arg(&ext_gem),
    );
    assert_eq!(
        ruby(&prefix, &["-rtooltestext", "-e", "p ToolTestExt.answer"]),
        "42"
    );
}

#[test]
fn unknown_versions_name_the_nearest_known_ones() {
    let s = Sandbox::new();
    let err = fails_with(&mut s.tool(&["install", "ruby", "3.1.99"]), 1);
    assert!(
        err.contains("3.1.99 is not a Ruby release (nearest: 3.1.7, 3.1.6, 3.1.5)"),
        "{err}"
    );
    nothing_installed(&s.data, "ruby");
    let out = stdout(&mut s.tool(&["list", "all", "ruby", "3.1."]));
    assert!(out.lines().any(|l| l == "3.1.2"), "{out}");
}

#[test]
fn the_official_checksum_refuses_a_repacked_archive() {
    // Without the test's own table, Debian's repack is not ruby-lang.org's
    // tarball: its sha256 is refused and nothing is kept.
    let s = Sandbox::new();
    let err = fails_with(
        ruby_tool(&s, &s.data, &["install", "ruby", "3.1.2"]).env_remove("TOOL_RUBY_RELEASES"),
        1,
    );
    assert!(
        err.contains("checksum mismatch for ruby-3.1.2.tar.xz"),
        "{err}"
    );
    assert!(
        err.contains("ca10d017f8a1b6d247556622c841fc56b90c03b1803f87198da1e4fd3ec3bf2a"),
        "the published sha256 is named: {err}"
    );
    assert!(
        !s.data
            .join("downloads/ruby/3.1.2/ruby-3.1.2.tar.xz")
            .exists()
    );
    nothing_installed(&s.data, "ruby");
}

#[test]
fn missing_build_dependencies_name_the_apt_packages() {
    let s = Sandbox::new();
    let cc = s.root.join("bin/cc-without-libyaml");
    write_executable(
        &cc,
        "#!/bin/sh\nif grep -q yaml.h; then exit 1; fi\nexit 0\n",
    );
    let err = fails_with(
        ruby_tool(&s, &s.data, &["install", "ruby", "3.1.2"]).env("CC", &cc),
        1,
    );
    assert!(
        err.contains("missing build dependencies for Ruby: libyaml-dev (for psych)"),
        "{err}"
    );
    assert!(!err.contains("libssl-dev"), "{err}");
    nothing_installed(&s.data, "ruby");
}

#[test]
fn a_malformed_release_table_is_named_with_its_line() {
    let s = Sandbox::new();
    let table = s.write(
        "ruby-releases.toml",
        "[versions]\n\"3.1.2\" = { xz = \"not-a-sha\" }\n",
    );
    let err = fails_with(
        s.tool(&["install", "ruby", "3.1.2"])
            .env("TOOL_RUBY_RELEASES", &table),
        1,
    );
    assert!(
        err.contains(&format!("{}:2", table.display())) && err.contains("64 hex digits"),
        "{err}"
    );
    nothing_installed(&s.data, "ruby");
}
