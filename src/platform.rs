//! Facts about this machine that cached builds are keyed and checked by:
//! `{os}` (like `ubuntu-20.04`), `{arch}` and `{libc}`. A leaf: it knows no
//! settings; callers pass the `{os}` override they were configured with.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    pub os: String,
    pub arch: String,
    pub libc: String,
}

impl Host {
    /// This machine; `os` replaces the `{os}` read from `/etc/os-release`.
    pub fn detect(os: Option<&str>) -> Host {
        let os = match os {
            Some(explicit) => explicit.to_string(),
            None => {
                os_from_release(&std::fs::read_to_string("/etc/os-release").unwrap_or_default())
                    .unwrap_or_else(|| std::env::consts::OS.to_string())
            }
        };
        Host {
            os,
            arch: std::env::consts::ARCH.to_string(),
            libc: libc_name(),
        }
    }
}

/// Whether `os` can stand for `{os}` in a cache key, wherever a user gives
/// it (the `os` setting, `cache plan --os`): 1 to 64 letters, digits, `.`,
/// `_`, `-` or `+`, starting with a letter or digit (so never `..` or a
/// hidden name), as `ubuntu-22.04` does.
pub fn check_os(os: &str) -> Result<(), &'static str> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+');
    let starts_well = os.starts_with(|c: char| c.is_ascii_alphanumeric());
    match !os.is_empty() && os.len() <= 64 && starts_well && os.chars().all(allowed) {
        true => Ok(()),
        false => Err(
            "an OS name is letters, digits, `.`, `_`, `-` or `+` (like ubuntu-22.04), starting with a letter or digit",
        ),
    }
}

/// `ID-VERSION_ID` from an os-release file: `ubuntu-20.04`, `debian-12`.
pub fn os_from_release(text: &str) -> Option<String> {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
            .map(|v| v.trim().trim_matches('"').to_string())
            .filter(|v| !v.is_empty())
    };
    let id = field("ID")?;
    Some(match field("VERSION_ID") {
        Some(v) => format!("{id}-{v}"),
        None => id,
    })
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn libc_name() -> String {
    // SAFETY: gnu_get_libc_version returns a static NUL-terminated string.
    let version = unsafe { std::ffi::CStr::from_ptr(libc::gnu_get_libc_version()) };
    format!("glibc-{}", version.to_string_lossy())
}

#[cfg(all(target_os = "linux", target_env = "musl"))]
fn libc_name() -> String {
    "musl".into()
}

#[cfg(not(all(target_os = "linux", any(target_env = "gnu", target_env = "musl"))))]
fn libc_name() -> String {
    "unknown".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_names_are_key_components() {
        for good in ["ubuntu-22.04", "debian-12", "alpine_3.20+x"] {
            assert_eq!(check_os(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "../x",
            "a/b",
            ".hidden",
            "-x",
            "ubuntu 22",
            &"x".repeat(65),
        ] {
            assert!(check_os(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn os_names_like_the_existing_buckets() {
        let ubuntu = "NAME=\"Ubuntu\"\nVERSION_ID=\"20.04\"\nID=ubuntu\nID_LIKE=debian\n";
        assert_eq!(os_from_release(ubuntu).unwrap(), "ubuntu-20.04");
        assert_eq!(
            os_from_release("ID=debian\nVERSION_ID=\"12\"\n").unwrap(),
            "debian-12"
        );
        assert_eq!(os_from_release("ID=arch\n").unwrap(), "arch");
        assert_eq!(os_from_release("NAME=x\n"), None);
    }
}
