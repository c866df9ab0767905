//! Ruby: from the cache bucket (the build service's cached Rubies, or ours),
//! else asdf-ruby when it is added; `.ruby-version` and `Gemfile` read as
//! asdf-ruby's `parse-legacy-file` reads them. (A build from Ruby's own
//! sources is not here yet.)

pub struct Ruby;

impl super::Builtin for Ruby {
    fn name(&self) -> &'static str {
        "ruby"
    }

    fn description(&self) -> &'static str {
        "Ruby, from the cache bucket (or asdf-ruby, when added)"
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
