//! Version ordering (`3.10.0` > `3.9.18`, `3.11.0rc1` < `3.11.0`) and
//! picking the newest match from a list. A leaf: it imports nothing.
//!
//! No crate orders the mix of PEP 440 (`3.11.0rc1`), semver (`1.2.3-beta.1`) and
//! Go (`1.21rc2`) strings that asdf users keep in one file, so the comparison is
//! a small natural sort that knows pre-release markers.

use std::cmp::Ordering;

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
/// Pre-releases count only when the prefix names one (`latest:3.12.0rc`).
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
    // As asdf's `latest`: no fallback to a pre-release when no release
    // matches, unless the prefix itself names one.
    best(allow_pre)
}
