//! Names of cached archives (object keys): the key template (`{os}-{tool}-{version}`
//! by default, compatible with the existing buckets) rendered for a version,
//! and matched back to find the versions a bucket holds.

use super::error::{Error, Result};
use super::format::Format;
use crate::platform::Host;

const PLACEHOLDERS: &[&str] = &["os", "tool", "version", "arch", "libc"];

#[derive(Debug, Clone)]
pub struct Template {
    text: String,
}

impl Template {
    pub fn parse(text: &str) -> Result<Template> {
        let invalid = |why| Error::Template {
            value: text.to_string(),
            why,
        };
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let end = rest[start..]
                .find('}')
                .ok_or_else(|| invalid("it has an unclosed `{`"))?;
            if !PLACEHOLDERS.contains(&&rest[start + 1..start + end]) {
                return Err(invalid(
                    "placeholders are {os}, {tool}, {version}, {arch} and {libc}",
                ));
            }
            rest = &rest[start + end + 1..];
        }
        if !text.contains("{version}") || !text.contains("{tool}") {
            return Err(invalid("it must contain {tool} and {version}"));
        }
        if text.starts_with('/') || text.split('/').any(|c| c == "..") {
            return Err(invalid("it must be a relative key without `..`"));
        }
        Ok(Template {
            text: text.to_string(),
        })
    }

    fn fill(&self, host: &Host, tool: &str) -> String {
        self.text
            .replace("{os}", &host.os)
            .replace("{arch}", &host.arch)
            .replace("{libc}", &host.libc)
            .replace("{tool}", tool)
    }

    /// The key of `tool` `version` without extension.
    pub fn render(&self, host: &Host, tool: &str, version: &str) -> String {
        self.fill(host, tool).replace("{version}", version)
    }

    /// The version in `key` (an archive key with its extension) when the key
    /// is one of `tool`'s for this host.
    pub fn version_of(&self, host: &Host, tool: &str, key: &str) -> Option<String> {
        let base = artifact_base(key)?;
        let filled = self.fill(host, tool);
        let (before, after) = filled.split_once("{version}")?;
        let version = base.strip_prefix(before)?.strip_suffix(after)?;
        let plain = !version.is_empty() && !version.contains('/') && !version.contains("{version}");
        plain.then(|| version.to_string())
    }
}

/// The name of a key's publish record beside it (`cache::record`).
pub const RECORD_SUFFIX: &str = ".manifest";

/// The key an object belongs to: an archive without its extension, or a
/// publish record without its suffix.
fn artifact_base(object: &str) -> Option<&str> {
    (Format::ALL.iter())
        .find_map(|f| object.strip_suffix(f.extension()))
        .or_else(|| object.strip_suffix(RECORD_SUFFIX))
}

impl Template {
    /// Whether `key` (with extension) is an archive of `tool` for any os,
    /// arch or libc: the other placeholders match anything without `/`.
    pub fn is_archive_of(&self, tool: &str, key: &str) -> bool {
        matches_filled(&self.text.replace("{tool}", tool), key)
    }

    /// Whether `key` (with extension) is of `tool` `version` for any os,
    /// arch or libc.
    pub fn is_key_of(&self, tool: &str, version: &str, key: &str) -> bool {
        if [tool, version].iter().any(|t| t.contains(['{', '}'])) {
            return false;
        }
        let filled = (self.text.replace("{tool}", tool)).replace("{version}", version);
        match filled.contains('{') {
            true => matches_filled(&filled, key),
            false => artifact_base(key) == Some(filled.as_str()),
        }
    }
}

/// Whether `key` (with extension) matches `filled`, a template whose
/// remaining placeholders match anything without `/` (at least one left).
fn matches_filled(filled: &str, key: &str) -> bool {
    let Some(base) = artifact_base(key) else {
        return false;
    };
    let mut literals: Vec<&str> = Vec::new();
    let mut rest = filled;
    while let Some(start) = rest.find('{') {
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        literals.push(&rest[..start]);
        rest = &rest[end..];
    }
    literals.push(rest);
    let (first, last) = (literals[0], literals[literals.len() - 1]);
    let Some(mut middle) = base.strip_prefix(first).and_then(|b| b.strip_suffix(last)) else {
        return false;
    };
    for lit in &literals[1..literals.len() - 1] {
        match middle.find(lit) {
            Some(i) if !middle[..i].contains('/') && (i > 0 || lit.is_empty()) => {
                middle = &middle[i + lit.len()..]
            }
            _ => return false,
        }
    }
    !middle.is_empty() && !middle.contains('/')
}

/// What an archive key of a known tool says: its host fields (`None`
/// where the template has no such placeholder) and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub os: Option<String>,
    pub arch: Option<String>,
    pub libc: Option<String>,
    pub version: String,
}

impl Template {
    /// The fields of `key` (with extension) when it is an archive of `tool`:
    /// each placeholder takes the text up to the first occurrence of the
    /// literal after it, never a `/`; the key must render back the same.
    pub fn fields_of(&self, tool: &str, key: &str) -> Option<Fields> {
        let base = artifact_base(key)?;
        let filled = self.text.replace("{tool}", tool);
        let mut rest = base.strip_prefix(&filled[..filled.find('{')?])?;
        let mut template = &filled[filled.find('{')?..];
        let mut found: Vec<(&str, &str)> = Vec::new();
        while let Some(body) = template.strip_prefix('{') {
            let close = body.find('}')?;
            let name = &body[..close];
            template = &body[close + 1..];
            let literal = &template[..template.find('{').unwrap_or(template.len())];
            let end = match template.len() == literal.len() {
                // The key must end with the literal (a char boundary then).
                true => rest.strip_suffix(literal)?.len(),
                false if literal.is_empty() => return None,
                false => rest.find(literal)?,
            };
            let value = &rest[..end];
            if value.is_empty() || value.contains('/') || !rest[end..].starts_with(literal) {
                return None;
            }
            found.push((name, value));
            rest = &rest[end + literal.len()..];
            template = &template[literal.len()..];
        }
        let get = |n: &str| {
            found
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        };
        let fields = Fields {
            os: get("os"),
            arch: get("arch"),
            libc: get("libc"),
            version: get("version")?,
        };
        let host = Host {
            os: fields.os.clone().unwrap_or_default(),
            arch: fields.arch.clone().unwrap_or_default(),
            libc: fields.libc.clone().unwrap_or_default(),
        };
        (rest.is_empty() && self.render(&host, tool, &fields.version) == base).then_some(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> Host {
        Host {
            os: "ubuntu-20.04".into(),
            arch: "x86_64".into(),
            libc: "glibc-2.31".into(),
        }
    }

    #[test]
    fn a_key_that_does_not_end_with_the_templates_text_is_none_not_a_panic() {
        let t = Template::parse("{os}-{tool}-{version}_build").unwrap();
        assert!(
            t.fields_of("python", "x-python-\u{20ac}x\u{20ac}.tar.gz")
                .is_none()
        );
        let f = t
            .fields_of("python", "x-python-3.9.6_build.tar.gz")
            .unwrap();
        assert_eq!(f.version, "3.9.6");
    }

    #[test]
    fn fields_are_read_back_from_keys() {
        let t = Template::parse("{os}-{tool}-{version}").unwrap();
        let f = t
            .fields_of("python", "ubuntu-22.04-python-3.11.2.tar.gz")
            .unwrap();
        assert_eq!(f.os.as_deref(), Some("ubuntu-22.04"));
        assert_eq!(f.version, "3.11.2");
        assert_eq!(f.arch, None);
        assert!(
            t.fields_of("nodejs", "ubuntu-22.04-python-3.11.2.tar.gz")
                .is_none()
        );
        assert!(t.fields_of("python", "sha256/ab.tar.gz").is_none());
        assert!(
            t.fields_of("python", "a/ubuntu-22.04-python-3.tar.gz")
                .is_none()
        );
        let t = Template::parse("{os}/{arch}/{tool}-{version}").unwrap();
        let f = t
            .fields_of("ruby", "ubuntu-24.04/aarch64/ruby-3.3.1.tar.zst")
            .unwrap();
        assert_eq!(
            (f.os.as_deref(), f.arch.as_deref(), f.version.as_str()),
            (Some("ubuntu-24.04"), Some("aarch64"), "3.3.1")
        );
    }

    #[test]
    fn default_template_matches_existing_buckets() {
        let t = Template::parse("{os}-{tool}-{version}").unwrap();
        assert_eq!(
            t.render(&host(), "python", "3.9.6"),
            "ubuntu-20.04-python-3.9.6"
        );
        assert_eq!(
            t.version_of(&host(), "python", "ubuntu-20.04-python-3.9.6.tar.gz")
                .unwrap(),
            "3.9.6"
        );
        assert_eq!(
            t.version_of(&host(), "python", "ubuntu-20.04-python-3.11.2.tar.zst")
                .unwrap(),
            "3.11.2"
        );
        assert_eq!(
            t.version_of(&host(), "python", "ubuntu-20.04-python-3.9.6.tar.gz.sha256"),
            None
        );
        assert_eq!(
            t.version_of(&host(), "python", "ubuntu-22.04-python-3.9.6.tar.gz"),
            None
        );
        assert_eq!(
            t.version_of(&host(), "nodejs", "ubuntu-20.04-python-3.9.6.tar.gz"),
            None
        );
    }

    #[test]
    fn other_layouts_and_bad_templates() {
        let t = Template::parse("{arch}/{libc}/{tool}/{version}").unwrap();
        assert_eq!(
            t.render(&host(), "python", "3.9.6"),
            "x86_64/glibc-2.31/python/3.9.6"
        );
        assert_eq!(
            t.version_of(&host(), "python", "x86_64/glibc-2.31/python/3.9.6.tar.zst")
                .unwrap(),
            "3.9.6"
        );
        let d = Template::parse("{os}-{tool}-{version}").unwrap();
        assert!(d.is_archive_of("python", "ubuntu-20.04-python-3.9.6.tar.gz"));
        assert!(d.is_archive_of("python", "debian-12-python-3.11.2.tar.zst"));
        assert!(!d.is_archive_of("python", "debian-12-nodejs-20.1.0.tar.zst"));
        assert!(!d.is_archive_of("python", "debian-12-python-3.11.2.tar.zst.sha256"));
        assert!(d.is_key_of("python", "3.11.2", "debian-12-python-3.11.2.manifest"));
        assert!(!d.is_key_of("python", "3.11", "debian-12-python-3.11.2.manifest"));
        assert!(!d.is_key_of("python", "3.11.2", "debian-12-nodejs-3.11.2.manifest"));
        let plain = Template::parse("{tool}-{version}").unwrap();
        assert!(plain.is_key_of("python", "3.9.6", "python-3.9.6.tar.zst"));
        assert!(!plain.is_key_of("python", "3.9.6", "python-3.9.7.tar.zst"));
        for bad in [
            "{os}-{version}",
            "{tool}-{nope}-{version}",
            "/{tool}/{version}",
            "{tool}/../{version}",
            "{tool}-{version",
        ] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
    }
}
