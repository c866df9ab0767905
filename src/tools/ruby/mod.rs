//! Ruby: from the cache bucket (the build service's cached Rubies, or ours),
//! else asdf-ruby when it is added, else compiled from ruby-lang.org's
//! sources (the release table in `releases`, ruby-lang.org's sha256 plus
//! `ruby.releases`; the source archive and its mirrors in `source`; build
//! dependencies in `deps`; the relocatable configure/make/install build in
//! `build`; `~/.default-gems` in `default_gems`); `.ruby-version` and
//! `Gemfile` read as asdf-ruby's `parse-legacy-file` reads them.

pub mod build;
pub mod default_gems;
pub mod deps;
pub mod releases;
pub mod source;

use crate::compile::{fetch, workspace::Workspace};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::job::{Job, Stage};
use build::Build;

pub struct Ruby;

impl super::Builtin for Ruby {
    fn name(&self) -> &'static str {
        "ruby"
    }

    fn description(&self) -> &'static str {
        "Ruby, from the cache bucket, asdf-ruby when added, or compiled from ruby-lang.org sources"
    }

    fn default_chain(&self) -> &'static [&'static str] {
        &["cache", "plugin", "source"]
    }

    fn legacy_filenames(&self) -> &'static [&'static str] {
        &[".ruby-version", "Gemfile"]
    }

    fn legacy_parser(&self, file_name: &str) -> Option<fn(&str) -> Option<String>> {
        match file_name {
            ".ruby-version" => Some(ruby_version),
            "Gemfile" => Some(gemfile),
            _ => None,
        }
    }

    fn readthedocs_name(&self) -> Option<&'static str> {
        Some("ruby")
    }
}

impl super::Build for Ruby {
    fn tool(&self) -> &'static str {
        super::Builtin::name(self)
    }

    fn versions(&self, ctx: &Context) -> Result<Vec<String>> {
        Ok(releases::table(&ctx.installs)?.versions())
    }

    fn unknown(&self, ctx: &Context, version: &str) -> Result<Option<String>> {
        let table = releases::table(&ctx.installs)?;
        Ok(table.get(version).is_none().then(|| {
            format!(
                "{version} is not a Ruby release (nearest: {})",
                table.nearest(version).join(", ")
            )
        }))
    }

    fn source_archive(&self, ctx: &Context, version: &str) -> Result<Option<(String, String)>> {
        let table = releases::table(&ctx.installs)?;
        let mirror = &ctx.installs.ruby.mirror;
        let best = table
            .get(version)
            .and_then(|r| source::candidates(version, r).into_iter().next());
        Ok(best.map(|c| (format!("{mirror}/{}", c.path), c.digest.hex().to_string())))
    }

    fn build(&self, job: &Job<'_>) -> Result<serde_json::Value> {
        let (env, installs) = (&job.ctx.env, &job.ctx.installs);
        let table = releases::table(installs)?;
        let release = table.get(job.version).ok_or_else(|| Error::Invalid {
            what: "Ruby release",
            value: job.version.to_string(),
            why: "it is not in the release table",
        })?;
        deps::check(env, job.version)?;
        job.stages.enter(Stage::Download)?;
        job.task.step("fetching the source");
        let wanted = source::wanted(env, installs, job.version, release);
        let archive = fetch::fetch(job.ctx, &wanted, job.task, job.cancel)?;
        let ws = Workspace::prepare(job, archive, &format!("ruby-{}", job.version))?;
        let options = Build {
            target: ws.target(job, "Ruby"),
        }
        .run()?;
        Ok(ws.details(&options))
    }
}

/// As asdf-ruby: the file's text without its trailing newlines, less a
/// leading `ruby-` (`ruby-3.3.0` and `3.3.0` both name `3.3.0`).
fn ruby_version(text: &str) -> Option<String> {
    let text = text.trim_end_matches(['\n', '\r']).trim();
    let version = text.strip_prefix("ruby-").unwrap_or(text);
    (!version.is_empty()).then(|| version.to_string())
}

/// The first `ruby "x.y.z"` line of a Gemfile, as asdf-ruby's sed reads it;
/// `engine: "jruby", engine_version: "9.4"` names `jruby-9.4`.
fn gemfile(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| {
        l.strip_prefix("ruby")
            .is_some_and(|rest| rest.starts_with([' ', '\t', '(']))
    })?;
    let quoted = |after: &str| -> Option<String> {
        let rest = line.split_once(after)?.1.trim_start();
        let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let value = rest[1..].split(quote).next()?;
        (!value.is_empty()).then(|| value.to_string())
    };
    let version = quoted("ruby")?;
    match (quoted("engine:"), quoted("engine_version:")) {
        (Some(engine), Some(engine_version)) if engine != "ruby" => {
            Some(format!("{engine}-{engine_version}"))
        }
        _ => Some(version),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruby_version_files_with_and_without_the_prefix() {
        assert_eq!(ruby_version("ruby-3.3.0\n").as_deref(), Some("3.3.0"));
        assert_eq!(ruby_version("3.3.0\r\n").as_deref(), Some("3.3.0"));
        assert_eq!(ruby_version("\n"), None);
    }

    #[test]
    fn gemfiles_name_their_ruby_line() {
        let text = "source \"https://rubygems.org\"\n\nruby \"3.2.2\"\ngem \"rails\"\n";
        assert_eq!(gemfile(text).as_deref(), Some("3.2.2"));
        assert_eq!(gemfile("ruby '3.1.4'\n").as_deref(), Some("3.1.4"));
        let jruby = "ruby \"2.6.8\", engine: \"jruby\", engine_version: \"9.3.4.0\"\n";
        assert_eq!(gemfile(jruby).as_deref(), Some("jruby-9.3.4.0"));
        assert_eq!(gemfile("gem \"rubyzip\"\nrubygems_version = 1\n"), None);
    }
}
