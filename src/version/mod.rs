//! Version specs: the forms a `.tool-versions` entry may take (exact,
//! `latest[:p]`, `system`, `ref:<x>`, `path:<dir>`) and the names that may
//! become folders; the ordering itself is the leaf module `order`.

pub mod order;

use std::path::PathBuf;

pub use order::{compare, is_prerelease, is_unstable, matches_prefix, newest_matching, sort};

use crate::error::{Error, Result};

/// One version entry as written in `.tool-versions` or on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSpec {
    /// A version, taken literally as asdf does: `3.9` is the folder
    /// `installs/<tool>/3.9`, never `3.9.6`.
    Version(String),
    /// `latest` or `latest:<prefix>`.
    Latest(Option<String>),
    System,
    /// `ref:<git-ref>`, installed as `ref-<git-ref>`.
    Ref(String),
    /// `path:<dir>`, a version that lives outside the data dir.
    Path(PathBuf),
}

const MAX_VERSION_LEN: usize = 255;

/// Why a folder name may not begin with `.`: the install's own bookkeeping
/// (`.<version>.incomplete`, `.lock`, `.staging-*`) does.
const LEADING_DOT: &str =
    "it may not begin with `.` (names beginning with `.` are the install's own files)";

impl VersionSpec {
    pub fn parse(raw: &str) -> Result<Self> {
        let invalid = |why| Error::Invalid {
            what: "version",
            value: raw.to_string(),
            why,
        };
        if raw.is_empty() {
            return Err(invalid("it is empty"));
        }
        if raw.len() > MAX_VERSION_LEN {
            return Err(invalid("it is longer than 255 characters"));
        }
        if raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(invalid("it contains control or space characters"));
        }
        let Some((kind, rest)) = raw.split_once(':') else {
            return match raw {
                "system" => Ok(VersionSpec::System),
                "latest" => Ok(VersionSpec::Latest(None)),
                _ if raw.starts_with('.') => Err(invalid(LEADING_DOT)),
                _ if is_plain(raw) => Ok(VersionSpec::Version(raw.to_string())),
                _ => Err(invalid("it may only contain letters, digits and . _ - +")),
            };
        };
        match kind {
            "latest" if is_plain(rest) => Ok(VersionSpec::Latest(Some(rest.to_string()))),
            "latest" => Err(invalid(
                "`latest:` needs a version prefix such as latest:3.9",
            )),
            "ref" if is_plain(rest) => Ok(VersionSpec::Ref(rest.to_string())),
            "ref" => Err(invalid(
                "`ref:` needs a git ref of letters, digits and . _ - + (no `/` or `..`)",
            )),
            "path" if !rest.is_empty() => Ok(VersionSpec::Path(PathBuf::from(rest))),
            "path" => Err(invalid("`path:` needs a directory")),
            _ => Err(invalid(
                "unknown form: use a version, latest[:prefix], system, ref:<git-ref> or path:<dir>",
            )),
        }
    }

    /// A version as a `.tool-versions` line or an `ASDF_<TOOL>_VERSION`
    /// variable sets it: as asdf reads them, `latest` and `latest:<p>` are
    /// names of folders, not requests to resolve (only the command line's
    /// `latest` is resolved).
    pub fn parse_set(raw: &str) -> Result<Self> {
        let named_latest = raw == "latest" || raw.strip_prefix("latest:").is_some_and(is_plain);
        match named_latest {
            true => Ok(VersionSpec::Version(raw.to_string())),
            false => Self::parse(raw),
        }
    }

    /// The name of this spec's folder under `installs/<tool>/`, when it has one.
    pub fn install_dir_name(&self) -> Option<String> {
        match self {
            VersionSpec::Version(v) => Some(v.clone()),
            VersionSpec::Ref(r) => Some(format!("ref-{r}")),
            _ => None,
        }
    }
}

impl std::fmt::Display for VersionSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VersionSpec::Version(v) => f.write_str(v),
            VersionSpec::Latest(None) => f.write_str("latest"),
            VersionSpec::Latest(Some(p)) => write!(f, "latest:{p}"),
            VersionSpec::System => f.write_str("system"),
            VersionSpec::Ref(r) => write!(f, "ref:{r}"),
            VersionSpec::Path(p) => write!(f, "path:{}", p.display()),
        }
    }
}

fn is_plain(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+'))
        && !s.contains("..")
}

/// Checks a name used as a folder under the data dir (a version or tool).
pub fn check_path_component(what: &'static str, value: &str) -> Result<()> {
    if value.starts_with('.') {
        Err(Error::Invalid {
            what,
            value: value.to_string(),
            why: LEADING_DOT,
        })
    } else if is_plain(value) {
        Ok(())
    } else {
        Err(Error::Invalid {
            what,
            value: value.to_string(),
            why: "it may only contain letters, digits and . _ - + (no `/` or `..`)",
        })
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use super::*;

    #[test]
    fn orders_like_asdf_users_expect() {
        let mut v: Vec<String> = [
            "3.10.0",
            "3.9.18",
            "3.11.0",
            "3.11.0rc1",
            "3.11.0a2",
            "3.11.0b1",
            "3.9.6",
            "2.7.18",
            "3.9.6-dev",
        ]
        .map(String::from)
        .to_vec();
        sort(&mut v);
        assert_eq!(
            v,
            [
                "2.7.18",
                "3.9.6-dev",
                "3.9.6",
                "3.9.18",
                "3.10.0",
                "3.11.0a2",
                "3.11.0b1",
                "3.11.0rc1",
                "3.11.0"
            ]
        );
    }

    #[test]
    fn semver_and_go_styles() {
        assert_eq!(compare("1.2.3-beta.1", "1.2.3"), Ordering::Less);
        assert_eq!(compare("1.21rc2", "1.21.0"), Ordering::Less);
        assert_eq!(compare("1.21.0", "1.21"), Ordering::Greater);
        assert_eq!(compare("v20.1.0", "20.0.9"), Ordering::Greater);
        assert_eq!(compare("3.9.6", "3.9.6"), Ordering::Equal);
    }

    #[test]
    fn prefix_matching_is_component_wise() {
        assert!(matches_prefix("3.9.6", "3.9"));
        assert!(matches_prefix("3.9", "3.9"));
        assert!(matches_prefix("3.9.0rc1", "3.9.0"));
        assert!(!matches_prefix("3.90.1", "3.9"));
        assert!(!matches_prefix("3.19.1", "3.1"));
        assert!(matches_prefix("3.11.0rc1", "3.11.0rc"));
    }

    #[test]
    fn newest_prefers_releases() {
        let v: Vec<String> = ["3.9.6", "3.9.18", "3.10.1", "3.12.0rc1"]
            .map(String::from)
            .to_vec();
        assert_eq!(newest_matching(&v, Some("3.9")).unwrap(), "3.9.18");
        assert_eq!(newest_matching(&v, None).unwrap(), "3.10.1");
        assert_eq!(
            newest_matching(&v, Some("3.12")),
            None,
            "asdf skips pre-releases"
        );
        assert_eq!(newest_matching(&v, Some("3.12.0rc")).unwrap(), "3.12.0rc1");
        assert_eq!(newest_matching(&v, Some("3.8")), None);
    }

    #[test]
    fn parses_every_form() {
        use VersionSpec::*;
        assert_eq!(
            VersionSpec::parse("3.9.6").unwrap(),
            Version("3.9.6".into())
        );
        assert_eq!(VersionSpec::parse("latest").unwrap(), Latest(None));
        assert_eq!(
            VersionSpec::parse("latest:3.9").unwrap(),
            Latest(Some("3.9".into()))
        );
        assert_eq!(VersionSpec::parse("system").unwrap(), System);
        assert_eq!(VersionSpec::parse("ref:v1.0").unwrap(), Ref("v1.0".into()));
        assert_eq!(
            VersionSpec::parse("path:/opt/py").unwrap(),
            Path("/opt/py".into())
        );
        for bad in [
            "",
            "ref:",
            "path:",
            "latest:",
            "foo:bar",
            "ref:a/b",
            "../x",
            "3.9/x",
            "a\u{0}b",
            ".",
            ".1.0.incomplete",
            ".1",
        ] {
            assert!(
                VersionSpec::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }
}
