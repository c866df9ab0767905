//! Version strings: their ordering (`3.10.0` > `3.9.18`, `3.11.0rc1` < `3.11.0`),
//! the forms a `.tool-versions` entry may take (exact, prefix, `latest[:p]`,
//! `system`, `ref:<x>`, `path:<dir>`), and picking the newest match from a list.
//!
//! No crate orders the mix of PEP 440 (`3.11.0rc1`), semver (`1.2.3-beta.1`) and
//! Go (`1.21rc2`) strings that asdf users keep in one file, so the comparison is
//! a small natural sort that knows pre-release markers.

use std::cmp::Ordering;
use std::path::PathBuf;

use crate::error::{Error, Result};

/// One version entry as written in `.tool-versions` or on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSpec {
    /// A version or a prefix of one (`3.9.6`, `3.9`).
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
    if is_plain(value) && value != "." {
        Ok(())
    } else {
        Err(Error::Invalid {
            what,
            value: value.to_string(),
            why: "it may only contain letters, digits and . _ - + (no `/` or `..`)",
        })
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    Num(u64, &'a str),
    Word(&'a str),
}

fn tokens(v: &str) -> Vec<Token<'_>> {
    let v = v
        .strip_prefix('v')
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(v);
    let mut out = Vec::new();
    let bytes = v.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let digit = bytes[i].is_ascii_digit();
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        while i < bytes.len()
            && bytes[i].is_ascii_alphanumeric()
            && bytes[i].is_ascii_digit() == digit
        {
            i += 1;
        }
        let s = &v[start..i];
        out.push(match s.parse() {
            Ok(n) if digit => Token::Num(n, s),
            _ => Token::Word(s),
        });
    }
    out
}

/// Rank of a word: pre-release markers sort before a release, in PEP 440 order.
fn word_rank(w: &str) -> u8 {
    match w.to_ascii_lowercase().as_str() {
        "dev" | "snapshot" => 0,
        "a" | "alpha" => 1,
        "b" | "beta" => 2,
        "c" | "rc" | "pre" | "preview" => 3,
        _ => 4,
    }
}

/// Whether the version carries a pre-release marker (`rc`, `a1`, `-beta`, `dev`…).
pub fn is_prerelease(v: &str) -> bool {
    tokens(v)
        .iter()
        .any(|t| matches!(t, Token::Word(w) if word_rank(w) < 4))
}

/// Whether `latest` should skip this version: a pre-release, or one of the
/// words asdf's `latest` filters out (`-src`, `-latest`, `-next`, `master`…).
pub fn is_unstable(v: &str) -> bool {
    is_prerelease(v)
        || tokens(v).iter().any(|t| {
            matches!(t, Token::Word(w) if matches!(w.to_ascii_lowercase().as_str(),
                "src" | "latest" | "stm" | "milestone" | "next" | "master" | "nightly" | "main"))
        })
}

/// Orders two version strings the way asdf users expect.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (ta, tb) = (tokens(a), tokens(b));
    for i in 0..ta.len().max(tb.len()) {
        let ord = match (ta.get(i), tb.get(i)) {
            (Some(x), Some(y)) => compare_tokens(x, y),
            // A trailing pre-release word makes the longer one older.
            (Some(Token::Word(w)), None) if word_rank(w) < 4 => Ordering::Less,
            (None, Some(Token::Word(w))) if word_rank(w) < 4 => Ordering::Greater,
            (Some(_), None) => Ordering::Greater,
            (None, Some(_)) => Ordering::Less,
            (None, None) => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    a.cmp(b)
}

fn compare_tokens(x: &Token<'_>, y: &Token<'_>) -> Ordering {
    match (x, y) {
        (Token::Num(a, _), Token::Num(b, _)) => a.cmp(b),
        (Token::Word(a), Token::Word(b)) => word_rank(a).cmp(&word_rank(b)).then_with(|| a.cmp(b)),
        (Token::Word(w), Token::Num(..)) if word_rank(w) < 4 => Ordering::Less,
        (Token::Num(..), Token::Word(w)) if word_rank(w) < 4 => Ordering::Greater,
        (Token::Word(_), Token::Num(..)) => Ordering::Less,
        (Token::Num(..), Token::Word(_)) => Ordering::Greater,
    }
}

/// Sorts versions oldest first.
pub fn sort(versions: &mut [String]) {
    versions.sort_by(|a, b| compare(a, b));
}

/// Whether `version` lies under `prefix` component-wise: `3.9` matches `3.9`,
/// `3.9.6` and `3.9.0rc1`, but not `3.90.1`.
pub fn matches_prefix(version: &str, prefix: &str) -> bool {
    let Some(rest) = version.strip_prefix(prefix) else {
        return false;
    };
    match (prefix.chars().last(), rest.chars().next()) {
        (Some(l), Some(r)) => {
            let same_class = |f: fn(&char) -> bool| f(&l) && f(&r);
            !same_class(char::is_ascii_digit) && !same_class(char::is_ascii_alphabetic)
        }
        _ => true,
    }
}

/// The newest version in `candidates` under `prefix` (any, when `None`).
/// Pre-releases count only when no release matches or the prefix names one.
pub fn newest_matching<'a>(candidates: &'a [String], prefix: Option<&str>) -> Option<&'a String> {
    let allow_pre = prefix.is_some_and(is_prerelease);
    let matching = || {
        candidates
            .iter()
            .filter(move |v| prefix.is_none_or(|p| matches_prefix(v, p)))
    };
    let best = |pre: bool| {
        matching()
            .filter(|v| pre || !is_unstable(v))
            .max_by(|a, b| compare(a, b))
    };
    best(allow_pre).or_else(|| best(true))
}

#[cfg(test)]
mod tests {
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
        assert_eq!(newest_matching(&v, Some("3.12")).unwrap(), "3.12.0rc1");
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
            "", "ref:", "path:", "latest:", "foo:bar", "ref:a/b", "../x", "3.9/x", "a\u{0}b",
        ] {
            assert!(
                VersionSpec::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }
}
