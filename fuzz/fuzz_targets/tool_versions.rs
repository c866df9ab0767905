//! Any bytes as a `.tool-versions` file: parsing never panics, and what
//! parses renders to text that parses to the same entries.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use tool::config::tool_versions::ToolVersions;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("/fuzz/.tool-versions");
    let Ok(parsed) = ToolVersions::parse(path, data) else {
        return;
    };
    let text = parsed.render();
    let again = ToolVersions::parse(path, text.as_bytes()).expect("rendered text parses");
    let a: Vec<_> = parsed.entries().collect();
    let b: Vec<_> = again.entries().collect();
    assert_eq!(a, b, "a write/re-parse round trip changed the entries");
});
