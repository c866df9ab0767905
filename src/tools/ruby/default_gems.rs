//! `~/.default-gems` (or `ASDF_GEM_DEFAULT_PACKAGES_FILE`), read as
//! asdf-ruby reads it: one gem per line, an optional version requirement
//! or `--pre` after it, whole-line `#` comments; each installed with the
//! new Ruby's `gem install`. A gem that fails is reported and does not fail
//! the install, as in asdf-ruby.

use std::path::{Path, PathBuf};

use crate::env::Env;

/// One line: the gem and the arguments after its name.
#[derive(Debug, PartialEq, Eq)]
pub struct DefaultGem {
    pub name: String,
    pub args: Vec<String>,
}

/// The file asdf-ruby reads.
pub fn file(env: &Env) -> PathBuf {
    env.var_os("ASDF_GEM_DEFAULT_PACKAGES_FILE")
        .filter(|f| !f.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| env.home.join(".default-gems"))
}

/// The gems a default-gems file names; words after the second are ignored
/// (asdf-ruby reads two).
pub fn parse(text: &str) -> Vec<DefaultGem> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next().filter(|w| !w.starts_with('#'))?;
            let args = match words.next() {
                Some("--pre") => vec!["--pre".to_string()],
                Some(version) => vec!["--version".to_string(), version.to_string()],
                None => Vec::new(),
            };
            Some(DefaultGem {
                name: name.to_string(),
                args,
            })
        })
        .collect()
}

/// The gems of the default-gems file, none when it is missing.
pub fn read(env: &Env) -> Vec<DefaultGem> {
    std::fs::read_to_string(file(env))
        .map(|t| parse(&t))
        .unwrap_or_default()
}

/// `gem install NAME ARGS…` with the Ruby in `prefix`.
pub fn command(prefix: &Path, gem: &DefaultGem) -> std::process::Command {
    let mut cmd = std::process::Command::new(prefix.join("bin/gem"));
    cmd.arg("install").arg(&gem.name).args(&gem.args);
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_as_asdf_ruby_reads_them() {
        let text = "bundler\n# a comment\n\n  rails ~>7.0 ignored words\npry --pre\n  # indented comment\nrake # not a comment";
        let gems = parse(text);
        let names: Vec<&str> = gems.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["bundler", "rails", "pry", "rake"]);
        assert!(gems[0].args.is_empty());
        assert_eq!(gems[1].args, ["--version", "~>7.0"]);
        assert_eq!(gems[2].args, ["--pre"]);
        assert_eq!(gems[3].args, ["--version", "#"]);
    }
}
