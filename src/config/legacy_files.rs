//! What the built-in tools read from their ecosystems' own version files
//! (when `legacy_version_file = yes`), written as version specs: an exact
//! version stays literal; a partial one (`v20`, `go 1.21`) or an alias
//! (`lts/*`, `stable`) becomes `latest[:prefix]`, as nvm, asdf-nodejs and
//! asdf-golang resolve them. `None`: the file's words are read as they are.

use std::path::Path;

use crate::error::{Error, Result};

pub fn parse(tool: &str, path: &Path) -> Result<Option<String>> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let parser: fn(&str) -> Option<String> = match (tool, name) {
        ("nodejs", ".nvmrc" | ".node-version") => node,
        ("golang", "go.mod" | "go.work") => go_mod,
        ("golang", ".go-version") => |t| Some(version(t.trim().trim_start_matches("go"))),
        ("rust", "rust-toolchain" | "rust-toolchain.toml") => rust_toolchain,
        _ => return Ok(None),
    };
    let text = fs_err::read_to_string(path)?;
    match parser(&text) {
        Some(spec) => Ok(Some(spec)),
        None => Err(Error::Parse {
            path: path.to_path_buf(),
            line: 1,
            message: format!("no {tool} version that tool can install is named here"),
        }),
    }
}

/// `20.11.0` stays exact; `20` or `20.11` becomes the newest match.
fn version(v: &str) -> String {
    let v = v.trim_start_matches('v');
    if v.split('.').count() >= 3 || v.is_empty() {
        v.to_string()
    } else {
        format!("latest:{v}")
    }
}

/// Node.js's LTS lines by codename, as asdf-nodejs names them; `lts/*` is
/// the last one. Newer lines need an entry here (or an exact version).
const LTS_LINES: &[(&str, &str)] = &[
    ("argon", "4"),
    ("boron", "6"),
    ("carbon", "8"),
    ("dubnium", "10"),
    ("erbium", "12"),
    ("fermium", "14"),
    ("gallium", "16"),
    ("hydrogen", "18"),
    ("iron", "20"),
    ("jod", "22"),
    ("krypton", "24"),
];

/// `.nvmrc` / `.node-version`: a version, `lts/*`, `lts/<codename>`,
/// `node` / `stable` / `latest`; comments after `#`. LTS names become their
/// line's newest release, so shims resolve them offline among installs.
fn node(text: &str) -> Option<String> {
    let word = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .find(|l| !l.is_empty())?
        .to_ascii_lowercase();
    Some(match word.as_str() {
        "node" | "stable" | "latest" | "current" => "latest".into(),
        "lts/*" | "lts" => format!("latest:{}", LTS_LINES.last()?.1),
        _ => match word.strip_prefix("lts/") {
            Some(codename) => {
                let (_, major) = LTS_LINES.iter().find(|(name, _)| *name == codename)?;
                format!("latest:{major}")
            }
            None => version(&word),
        },
    })
}

/// `go.mod` / `go.work`: the `toolchain go1.21.5` line (exact), else the
/// `go 1.21` line (its newest release).
fn go_mod(text: &str) -> Option<String> {
    let directive = |name: &str| {
        text.lines().find_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some(name)).then(|| words.next()).flatten()
        })
    };
    if let Some(toolchain) = directive("toolchain") {
        return Some(toolchain.trim_start_matches("go").to_string());
    }
    let go = directive("go")?;
    Some(match go.split('.').count() {
        3 => go.to_string(),
        _ => format!("latest:{go}"),
    })
}

/// `rust-toolchain.toml` (`[toolchain] channel = …`) or the old one-line
/// `rust-toolchain`: a release number, or `stable`.
fn rust_toolchain(text: &str) -> Option<String> {
    let channel = match toml::from_str::<toml::Table>(text) {
        Ok(table) => table
            .get("toolchain")?
            .get("channel")?
            .as_str()?
            .to_string(),
        Err(_) => text.lines().next()?.trim().to_string(),
    };
    match channel.as_str() {
        "stable" => Some("latest".into()),
        c if c.starts_with(|ch: char| ch.is_ascii_digit()) => Some(version(c)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_files_as_nvm_reads_them() {
        assert_eq!(node("v20.11.0\n").as_deref(), Some("20.11.0"));
        assert_eq!(node("v20 # team default\n").as_deref(), Some("latest:20"));
        assert_eq!(node("lts/*").as_deref(), Some("latest:24"));
        assert_eq!(node("lts/Iron").as_deref(), Some("latest:20"));
        assert_eq!(node("lts/unknown"), None);
        assert_eq!(node("node").as_deref(), Some("latest"));
        assert_eq!(node("\n"), None);
    }

    #[test]
    fn go_mod_prefers_the_toolchain_line() {
        assert_eq!(
            go_mod("module x\n\ngo 1.21\n\ntoolchain go1.21.5\n").as_deref(),
            Some("1.21.5")
        );
        assert_eq!(
            go_mod("module x\ngo 1.22\n").as_deref(),
            Some("latest:1.22")
        );
        assert_eq!(go_mod("module x\ngo 1.22.3\n").as_deref(), Some("1.22.3"));
        assert_eq!(go_mod("module x\n"), None);
    }

    #[test]
    fn rust_toolchain_channels() {
        assert_eq!(
            rust_toolchain("[toolchain]\nchannel = \"1.75.0\"\ncomponents = [\"clippy\"]\n")
                .as_deref(),
            Some("1.75.0")
        );
        assert_eq!(rust_toolchain("1.75\n").as_deref(), Some("latest:1.75"));
        assert_eq!(rust_toolchain("stable\n").as_deref(), Some("latest"));
        assert_eq!(rust_toolchain("nightly-2024-01-01\n"), None);
    }
}
