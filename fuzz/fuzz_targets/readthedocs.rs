//! Any bytes as `.readthedocs.yaml`: reading may refuse it with an error at
//! a line of the file, never panic; what it accepts sets only versions the
//! service's table offers, and an `{os}` from the table.

#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tool::config::ToolInfo;
use tool::config::readthedocs::{Table, read};
use tool::error::{Error, Result};

/// The built-in tools' answer: the service's names are theirs.
struct Installs;

impl ToolInfo for Installs {
    fn legacy_filenames(&self, _: &str) -> Vec<String> {
        Vec::new()
    }
    fn parse_legacy_file(&self, _: &str, _: &Path) -> Result<Option<String>> {
        Ok(None)
    }
    fn bin_paths(&self, _: &str, _: &str, _: &Path) -> Vec<String> {
        Vec::new()
    }
    fn for_readthedocs(&self, name: &str) -> Option<String> {
        ["python", "nodejs", "golang", "rust"]
            .contains(&name)
            .then(|| name.to_string())
    }
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(Table::builtin)
}

thread_local! {
    /// One folder per process, its files rewritten each run.
    static DIR: tempfile::TempDir = tempfile::tempdir().unwrap();
}

fuzz_target!(|data: &[u8]| {
    let dir = DIR.with(|d| d.path().to_path_buf());
    let dir = &dir;
    let path = dir.join(".readthedocs.yaml");
    std::fs::write(&path, data).unwrap();
    // Lines as YAML counts them: `\r\n`, `\n` and a lone `\r` end one.
    let crlf = data.windows(2).filter(|w| w == b"\r\n").count();
    let lines = 1 + data.iter().filter(|&&b| b == b'\n' || b == b'\r').count() - crlf;
    match read(&path, table(), &Installs) {
        // A line the file has (yaml-rust2's end of input, a line past a
        // last line without a newline, is clamped: found here).
        Err(Error::Parse { line, .. }) => assert!((1..=lines).contains(&line), "line {line} of {lines}"),
        Err(_) => {}
        Ok(config) => {
            if let Some(os) = &config.os {
                assert!(table().os.values().any(|v| v == os), "os {os}");
            }
            for t in &config.tools {
                let offered = table().tools.get(&t.tool).expect("a tool of the table");
                assert!(offered.values().any(|v| *v == t.version), "{t:?}");
                assert!((1..=lines).contains(&t.line), "{t:?} of {lines} lines");
            }
        }
    }
});
