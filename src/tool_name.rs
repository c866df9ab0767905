//! What a tool may be called: asdf's plugin-name rule, in its words.

use crate::error::{Error, Result};

/// Checks that `name` can be a tool (lowercase letters, digits, `_`, `-`).
pub fn check(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        let shown: String = name.chars().take(80).collect();
        Err(Error::InvalidName(shown))
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn names_follow_asdf_rules() {
        assert!(check("python").is_ok());
        assert!(check("my_tool-2").is_ok());
        for bad in ["", "a/b", "..", "a.b", "x y"] {
            assert!(check(bad).is_err(), "{bad:?}");
        }
    }
}
