//! `.readthedocs.yaml` from disk to a YAML document, bounded: the file read
//! capped (`fs::read_capped`: a fifo or `/dev/zero` is an error, not a hang),
//! and the nodes its aliases expand to counted before any is built, so a few
//! hundred bytes of nested aliases cannot take gigabytes; YAML's complaints
//! said in words at `file:line`.

use std::collections::HashMap;
use std::path::Path;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, ScanError};
use yaml_rust2::{Yaml, YamlLoader};

use crate::error::{Error, Result};

/// More nodes than any build config has, counting each alias as the nodes
/// it copies; a document past it is refused before it is built.
pub const MAX_NODES: usize = 100_000;

/// The text of `path`, read capped.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = crate::fs::read_capped(path, crate::fs::MAX_CONFIG_LEN)
        .map_err(|e| Error::io("cannot read", path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        Error::Parse {
            path: path.to_path_buf(),
            line: valid.iter().filter(|b| **b == b'\n').count() + 1,
            message: "not valid UTF-8".to_string(),
        }
    })
}

/// The first YAML document of `text` (`None` when there is none).
pub fn first_document(path: &Path, text: &str) -> Result<Option<Yaml>> {
    // The scanner's end of input is a line past a last line that has no
    // newline: a message names a line the file has (lines as YAML counts
    // them: `\r\n`, `\n` and a lone `\r` end one).
    let crlf = text.matches("\r\n").count();
    let lines = 1 + text.matches(['\n', '\r']).count() - crlf;
    let bad = |line: usize, message: String| Error::Parse {
        path: path.to_path_buf(),
        line: line.clamp(1, lines),
        message,
    };
    let mut counter = Counter::default();
    let scanned = Parser::new_from_str(text).load(&mut counter, true);
    if let Some(mark) = counter.refused {
        let why = format!(
            "its aliases expand to more than {MAX_NODES} values; \
             no build config needs that many: write the values out"
        );
        return Err(bad(mark.line(), why));
    }
    let docs = scanned
        .and_then(|()| YamlLoader::load_from_str(text))
        .map_err(|e| bad(e.marker().line(), in_words(&e)))?;
    Ok(docs.into_iter().next())
}

/// Counts the nodes a loader would build, each alias as the size of what
/// it names, and notes where the count first passes `MAX_NODES`.
#[derive(Default)]
struct Counter {
    nodes: usize,
    /// Nodes under each anchor, by the parser's anchor id.
    sizes: HashMap<usize, usize>,
    /// Open collections: their anchor id and the count when they began.
    open: Vec<(usize, usize)>,
    refused: Option<Marker>,
}

impl MarkedEventReceiver for Counter {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.refused.is_some() {
            return;
        }
        match ev {
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.open.push((anchor, self.nodes));
                self.nodes += 1;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, start)) = self.open.pop()
                    && anchor > 0
                {
                    self.sizes.insert(anchor, self.nodes - start);
                }
            }
            Event::Scalar(_, _, anchor, _) => {
                self.nodes += 1;
                if anchor > 0 {
                    self.sizes.insert(anchor, 1);
                }
            }
            Event::Alias(id) => {
                let size = self.sizes.get(&id).copied().unwrap_or(1);
                self.nodes = self.nodes.saturating_add(size);
            }
            _ => {}
        }
        if self.nodes > MAX_NODES {
            self.refused = Some(mark);
        }
    }
}

/// The scanner's complaint in words: a duplicated key named as written
/// (the crate shows it as Rust debug text, `String("os")`).
fn in_words(e: &ScanError) -> String {
    let info = e.info();
    let Some(key) = info.strip_suffix(": duplicated key in mapping") else {
        return format!("not valid YAML: {info}");
    };
    let inner = (key.split_once('('))
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or(key);
    let inner = (inner.strip_prefix('"'))
        .and_then(|k| k.strip_suffix('"'))
        .unwrap_or(inner);
    let shown: String = inner.chars().take(80).collect();
    format!("`{shown}` is set twice in one mapping: keep one")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str) -> Result<Option<Yaml>> {
        first_document(Path::new("/p/.readthedocs.yaml"), text)
    }

    #[test]
    fn aliases_are_counted_as_what_they_copy() {
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..=5 {
            let items = vec![format!("*a{}", level - 1); 10].join(", ");
            bomb.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        // 111,111 values under a4, past the limit on its line (a3: 11,111).
        let err = first(&bomb).unwrap_err().to_string();
        assert!(
            err.starts_with("/p/.readthedocs.yaml:5: its aliases expand"),
            "{err}"
        );
        let fine = "base: &b {os: ubuntu-22.04}\nbuild: *b\nother: *b\n";
        let doc = first(fine).unwrap().unwrap();
        assert_eq!(doc["other"]["os"].as_str(), Some("ubuntu-22.04"));
    }

    #[test]
    fn an_error_at_the_end_names_a_line_the_file_has() {
        // Found by the readthedocs fuzz target: no newline after the last line.
        for text in [
            "version: 2\nbuild: [",
            "a: 'x",
            "version: 2\nbuild:\n  os: {",
        ] {
            let Err(Error::Parse { line, .. }) = first(text) else {
                panic!("{text:?} parsed");
            };
            let lines = text.lines().count();
            assert!(
                (1..=lines).contains(&line),
                "{text:?}: line {line} of {lines}"
            );
        }
        let Err(Error::Parse { line, .. }) = first("a: 1\rb: [") else {
            panic!("parsed");
        };
        assert_eq!(line, 2, "a lone CR ends a line for YAML");
    }

    #[test]
    fn a_duplicated_key_is_named_as_written() {
        let err = first("build:\n  os: a\n  os: b\n").unwrap_err().to_string();
        assert!(err.contains("`os` is set twice in one mapping"), "{err}");
        let err = first("a: 1\n3: x\n3: y\n").unwrap_err().to_string();
        assert!(err.contains("`3` is set twice"), "{err}");
        assert_eq!(first("").unwrap(), None);
    }
}
