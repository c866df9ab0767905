//! `.tool-versions` files: parsing asdf's format (comments, blank lines, CRLF,
//! tabs, several versions per line) with `file:line` errors, and edits that keep
//! comments, order and line endings, written atomically.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::version::VersionSpec;

/// Longer lines are refused: no real `.tool-versions` line comes close.
pub const MAX_LINE_LEN: usize = 4096;
/// Larger files are refused before they are read whole.
pub const MAX_FILE_LEN: u64 = crate::fs::MAX_CONFIG_LEN;
/// A UTF-8 byte order mark, which some editors put first.
const BOM: &str = "\u{feff}";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub tool: String,
    pub versions: Vec<VersionSpec>,
    /// 1-based line number in the file.
    pub line: usize,
}

#[derive(Debug, Clone)]
enum Line {
    Entry { entry: Entry, comment: String },
    Other(String),
}

#[derive(Debug, Clone)]
pub struct ToolVersions {
    path: PathBuf,
    lines: Vec<Line>,
    crlf: bool,
    /// The file began with a byte order mark (kept when it is written).
    bom: bool,
}

impl ToolVersions {
    /// An empty file at `path` (nothing is written until `save`).
    pub fn empty(path: PathBuf) -> Self {
        ToolVersions {
            path,
            lines: Vec::new(),
            crlf: false,
            bom: false,
        }
    }

    /// Reads and parses `path`; `Ok(None)` when it does not exist. Only a
    /// regular file is read (opened without blocking, so a fifo cannot hang
    /// every shim, and a link to a device is refused).
    pub fn load(path: &Path) -> Result<Option<Self>> {
        Self::load_via(path, path)
    }

    /// As `load`, opening `path` through `open` (another path to the same
    /// file, such as `Env::openable`'s); messages name `path`.
    pub fn load_via(open: &Path, path: &Path) -> Result<Option<Self>> {
        use std::io::ErrorKind;
        let bytes = match crate::fs::read_capped(open, MAX_FILE_LEN) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) if e.kind() == ErrorKind::FileTooLarge => {
                let why = "file is larger than 1 MiB; is it really a .tool-versions file?";
                return Err(parse_error(path, 1, why));
            }
            Err(e) => return Err(Error::io("cannot read", path, e)),
        };
        Self::parse(path, &bytes).map(Some)
    }

    /// Parses `bytes`; a UTF-8 byte order mark before the first line is
    /// read past (and written back by `render`).
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Self> {
        let (bom, bytes) = match bytes.strip_prefix(BOM.as_bytes()) {
            Some(rest) => (true, rest),
            None => (false, bytes),
        };
        let mut lines = Vec::new();
        let mut crlf = false;
        let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
            let line_no = i + 1;
            let raw = match raw.strip_suffix(b"\r") {
                Some(r) => {
                    crlf = true;
                    r
                }
                None => raw,
            };
            if raw.len() > MAX_LINE_LEN {
                return Err(parse_error(path, line_no, "line is longer than 4096 bytes"));
            }
            if raw.contains(&0) {
                return Err(parse_error(
                    path,
                    line_no,
                    "binary data (NUL byte); is it really a .tool-versions file?",
                ));
            }
            let text = std::str::from_utf8(raw)
                .map_err(|_| parse_error(path, line_no, "not valid UTF-8"))?;
            lines.push(parse_line(path, line_no, text)?);
        }
        if bytes.is_empty() {
            lines.clear();
        }
        Ok(ToolVersions {
            path: path.to_path_buf(),
            lines,
            crlf,
            bom,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.lines.iter().filter_map(|l| match l {
            Line::Entry { entry, .. } => Some(entry),
            Line::Other(_) => None,
        })
    }

    /// The first entry for `tool`, as asdf reads it.
    pub fn get(&self, tool: &str) -> Option<&Entry> {
        self.entries().find(|e| e.tool == tool)
    }

    /// Sets `tool`'s versions, in place when the tool is listed (keeping a
    /// trailing comment), else as a new last line.
    pub fn set(&mut self, tool: &str, versions: Vec<VersionSpec>) {
        let existing = self.lines.iter_mut().find_map(|l| match l {
            Line::Entry { entry, .. } if entry.tool == tool => Some(entry),
            _ => None,
        });
        match existing {
            Some(entry) => entry.versions = versions,
            None => {
                let line = self.lines.len() + 1;
                self.lines.push(Line::Entry {
                    entry: Entry {
                        tool: tool.to_string(),
                        versions,
                        line,
                    },
                    comment: String::new(),
                });
            }
        }
    }

    /// The file's text as it will be written.
    pub fn render(&self) -> String {
        let eol = if self.crlf { "\r\n" } else { "\n" };
        let mut out = String::new();
        if self.bom {
            out.push_str(BOM);
        }
        for line in &self.lines {
            match line {
                Line::Other(text) => out.push_str(text),
                Line::Entry { entry, comment } => {
                    out.push_str(&entry.tool);
                    for v in &entry.versions {
                        out.push(' ');
                        out.push_str(&v.to_string());
                    }
                    out.push_str(comment);
                }
            }
            out.push_str(eol);
        }
        out
    }

    /// Writes the file atomically (temporary file in the same folder, then
    /// rename), following a symlink to its target and keeping permissions.
    pub fn save(&self) -> Result<()> {
        Ok(crate::fs::write_atomic(
            &target_of(&self.path),
            self.render().as_bytes(),
            None,
        )?)
    }

    /// Reads the file at `path` (empty when missing), applies `change` and
    /// saves it, holding an exclusive lock on the file's folder from the
    /// read to the rename: parallel edits of one file (twenty `tool set`s)
    /// each see the one before, so none is lost. The folder is locked, not
    /// a file beside it, so no lock file is left in a repository.
    pub fn edit(path: &Path, change: impl FnOnce(&mut ToolVersions)) -> Result<()> {
        let target = target_of(path);
        let dir = (target.parent())
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let folder = std::fs::File::open(dir).map_err(|e| Error::io("cannot open", dir, e))?;
        folder
            .lock()
            .map_err(|e| Error::io("cannot lock the folder of", path, e))?;
        let mut file = Self::load(path)?.unwrap_or_else(|| Self::empty(path.to_path_buf()));
        change(&mut file);
        file.save()
    }
}

/// Where a write of `path` lands: a symlink's target, else `path`.
fn target_of(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn parse_error(path: &Path, line: usize, message: &str) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line,
        message: message.to_string(),
    }
}

fn parse_line(path: &Path, line_no: usize, text: &str) -> Result<Line> {
    let (content, comment) = match text.find('#') {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, ""),
    };
    let mut fields = content.split_whitespace();
    // As asdf: a line of a tool no plugin can be (mise's `npm:prettier`,
    // `github:owner/repo`) or of a name with no version is skipped, and
    // kept as it is when the file is written.
    let Some(tool) = fields.next().filter(|t| crate::tool_name::check(t).is_ok()) else {
        return Ok(Line::Other(text.to_string()));
    };
    let versions = fields
        .map(VersionSpec::parse_set)
        .collect::<Result<Vec<_>>>()
        .map_err(|e| parse_error(path, line_no, &e.to_string()))?;
    if versions.is_empty() {
        return Ok(Line::Other(text.to_string()));
    }
    // Keep the whitespace before a trailing comment, so edits look untouched.
    let trimmed = content.trim_end();
    let comment = if comment.is_empty() {
        String::new()
    } else {
        format!("{}{}", &content[trimmed.len()..], comment)
    };
    Ok(Line::Entry {
        entry: Entry {
            tool: tool.to_string(),
            versions,
            line: line_no,
        },
        comment,
    })
}

/// The no-libc `tool-shim`'s reader, compared with this parser below.
#[cfg(test)]
use shim_rules::tool_versions as no_libc;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ToolVersions> {
        ToolVersions::parse(Path::new("/p/.tool-versions"), text.as_bytes())
    }

    #[test]
    fn reads_asdf_format() {
        let tv =
            parse("# top\n\npython\t3.9.6  3.8.1 system # fallbacks\r\nnodejs 20.1.0\r\n").unwrap();
        let py = tv.get("python").unwrap();
        assert_eq!(py.line, 3);
        assert_eq!(py.versions.len(), 3);
        assert_eq!(py.versions[2], VersionSpec::System);
        assert_eq!(tv.get("nodejs").unwrap().line, 4);
        assert!(tv.get("ruby").is_none());
    }

    #[test]
    fn edits_keep_comments_order_and_line_endings() {
        let mut tv = parse("# top\r\npython 3.9.6   # pinned\r\n\r\nnodejs 20.1.0\r\n").unwrap();
        tv.set("python", vec![VersionSpec::Version("3.11.2".into())]);
        tv.set("golang", vec![VersionSpec::Version("1.21.0".into())]);
        assert_eq!(
            tv.render(),
            "# top\r\npython 3.11.2   # pinned\r\n\r\nnodejs 20.1.0\r\ngolang 1.21.0\r\n"
        );
    }

    #[test]
    fn lines_asdf_skips_are_skipped_and_kept() {
        let text = "jq\nnpm:prettier 3.0.0\ngithub:cargo-bins/cargo-binstall 1.10.0\nCore:Node 20\npython 3.9.6\n";
        let tv = parse(text).unwrap();
        let tools: Vec<&str> = tv.entries().map(|e| e.tool.as_str()).collect();
        assert_eq!(tools, ["python"]);
        assert_eq!(tv.render(), text);
    }

    #[test]
    fn latest_in_a_file_names_a_folder() {
        let tv = parse("nodejs latest\npython latest:3.9 3.9.6\n").unwrap();
        let versions = |t: &str| tv.get(t).unwrap().versions.clone();
        assert_eq!(versions("nodejs"), [VersionSpec::Version("latest".into())]);
        assert_eq!(
            versions("python"),
            [
                VersionSpec::Version("latest:3.9".into()),
                VersionSpec::Version("3.9.6".into())
            ]
        );
    }

    #[test]
    fn a_byte_order_mark_is_read_past_and_kept() {
        let mut tv = parse("\u{feff}python 3.9.6\r\n").unwrap();
        assert_eq!(tv.get("python").unwrap().line, 1);
        tv.set("nodejs", vec![VersionSpec::Version("20.1.0".into())]);
        assert_eq!(tv.render(), "\u{feff}python 3.9.6\r\nnodejs 20.1.0\r\n");
        assert!(parse("\u{feff}").unwrap().entries().next().is_none());
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = parse("python foo:bar\n").unwrap_err().to_string();
        assert!(
            err.starts_with("/p/.tool-versions:1: invalid version `foo:bar`"),
            "{err}"
        );
        let err = ToolVersions::parse(Path::new("x"), b"ok 1\n\xff\xfe\n")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "x:2: not valid UTF-8");
        let long = format!("python {}\n", "1".repeat(5000));
        assert!(
            parse(&long)
                .unwrap_err()
                .to_string()
                .contains(":1: line is longer")
        );
    }

    /// What the no-libc shim's reader says of `text` for `tool` agrees with
    /// this parser: a version it runs is the first this parser sets, a tool
    /// it finds absent is absent; `false` when it hands the file over.
    fn no_libc_agrees(text: &[u8], tool: &str) -> bool {
        let ours = ToolVersions::parse(Path::new("/p/.tool-versions"), text);
        match no_libc::lookup(text, tool.as_bytes()) {
            Some(no_libc::Found::Version(v)) => {
                let entry = ours.as_ref().ok().and_then(|tv| tv.get(tool));
                let first = entry.and_then(|e| e.versions.first());
                let v = String::from_utf8(v.to_vec()).unwrap();
                assert_eq!(
                    first,
                    Some(&VersionSpec::Version(v.clone())),
                    "{text:?} {tool}"
                );
                assert_eq!(first.and_then(VersionSpec::install_dir_name), Some(v));
                true
            }
            Some(no_libc::Found::Absent) => {
                let tv = ours.unwrap_or_else(|e| panic!("{text:?}: {e}"));
                assert!(tv.get(tool).is_none(), "{text:?} {tool}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn the_no_libc_shim_reads_what_this_parser_reads() {
        let read = [
            "python 3.9.6\n",
            "# top\n\npython\t3.9.6  3.8.1 system # fallbacks\r\nnodejs 20.1.0\r\n",
            "jq\npython 3.9.6\n",
            "npm:prettier 3\ngithub:a/b 1\npython 3.9.6\n",
            "python latest\n",
            "python 3.9.6 # café\n",
            "python\x0b3.9.6\x0c\r\n",
            "nodejs system\npython 3.9.6\n",
            "python 3.9.6\npython 3.10.1\n",
            "ruby 3.3.0-preview1+x\n",
            "",
            "\n\n",
            "python 3.9.6",
            "python ref-x\n",
            "\u{feff}python 3.9.6\n",
            "\u{feff}",
            "\u{feff}\n",
        ];
        for text in read {
            assert!(no_libc_agrees(text.as_bytes(), "python"), "read: {text:?}");
        }
        let handed_over = [
            "python system\n",
            "python ref:main\n",
            "python path:/opt/py\n",
            "python latest:3.9\n",
            "python 3..9\n",
            "python .\n",
            "python .3.9.6.incomplete\n",
            "nodejs .\npython 3.9.6\n",
            "nodejs 20 :x\npython 3.9.6\n",
            "python 3.9\u{a0}x\n",
            "\u{feff}\u{feff}python 3.9.6\n",
            "# \u{feff}\npython 3..9\n",
            "python 3.9.6\0\n",
        ];
        for text in handed_over {
            assert!(
                !no_libc_agrees(text.as_bytes(), "python"),
                "handed over: {text:?}"
            );
        }
        let not_utf8 = b"python 3.9.6\n# \xff\n";
        assert!(!no_libc_agrees(not_utf8, "python"), "an error here");
        let long = format!("python 3.9.6\n# {}\n", "x".repeat(MAX_LINE_LEN));
        assert!(!no_libc_agrees(long.as_bytes(), "python"));
    }

    #[test]
    fn the_no_libc_shim_agrees_on_generated_files() {
        let pieces: [&[u8]; 24] = [
            b"python",
            b"nodejs",
            b"jq",
            b"npm:x",
            b"PY",
            b" ",
            b"\t",
            b"  ",
            b"\n",
            b"\r\n",
            b"\r",
            b"#",
            b"# c",
            b"3.9.6",
            b"3..9",
            b"system",
            b"latest",
            b"latest:3",
            b"ref:m",
            b"ref:",
            b"path:/p",
            b"path:",
            "é".as_bytes(),
            b"\0",
        ];
        // A fixed linear congruential sequence: the same files every run.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize % n
        };
        let mut read = 0;
        for _ in 0..20_000 {
            let text: Vec<u8> = (0..next(12))
                .flat_map(|_| pieces[next(pieces.len())].to_vec())
                .collect();
            for tool in ["python", "nodejs", "jq"] {
                read += usize::from(no_libc_agrees(&text, tool));
            }
        }
        assert!(
            read > 20_000,
            "most files are read, not handed over: {read}"
        );
    }
}
