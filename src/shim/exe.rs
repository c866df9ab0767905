//! Where the running `tool` binary is, for the shebang of the shims it
//! writes: the real file behind `/proc/self/exe`, else (a root without
//! `/proc`, such as a plain chroot) what `argv[0]` and `PATH` say.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::env::Env;
use crate::error::{Error, Result};

/// The running binary: the real file, not a symlink to it. When it was
/// replaced while this process ran (an upgrade during a long install), the
/// new file at the same path.
pub fn current(env: &Env) -> Result<PathBuf> {
    let Ok(exe) = std::env::current_exe() else {
        let argv0 = std::env::args_os().next().unwrap_or_default();
        return from_argv0(&argv0, &env.cwd, &env.path()).ok_or_else(|| {
            Error::hinted(
                format!(
                    "cannot find the tool binary: no /proc/self/exe, and `{}` is not on PATH",
                    Path::new(&argv0).display()
                ),
                "mount /proc, or run tool by its full path",
            )
        });
    };
    if let Ok(real) = std::fs::canonicalize(&exe) {
        return Ok(real);
    }
    let text = exe.to_string_lossy();
    let replaced = PathBuf::from(text.strip_suffix(" (deleted)").unwrap_or(&text));
    std::fs::canonicalize(&replaced)
        .map_err(|e| Error::io("cannot find the tool binary", replaced, e))
}

/// `argv[0]` as a shell found it: a path (relative to `cwd`) when it has a
/// `/`, else the first executable of that name in `path`; the real file.
fn from_argv0(argv0: &OsStr, cwd: &Path, path: &OsStr) -> Option<PathBuf> {
    let name = Path::new(argv0);
    if name.as_os_str().is_empty() {
        return None;
    }
    let found = match argv0.as_encoded_bytes().contains(&b'/') {
        true => Some(cwd.join(name)),
        false => std::env::split_paths(path)
            .map(|dir| cwd.join(dir).join(name))
            .find(|p| super::find::is_executable(p)),
    }?;
    std::fs::canonicalize(found).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv0_is_found_as_a_shell_finds_it() {
        let t = tempfile::tempdir().unwrap();
        let bin = t.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let tool = bin.join("tool");
        std::fs::write(&tool, "").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::symlink("tool", bin.join("asdf")).unwrap();
        let path = std::env::join_paths(["/nonexistent".into(), bin.clone()]).unwrap();
        let real = std::fs::canonicalize(&tool).unwrap();
        assert_eq!(
            from_argv0("asdf".as_ref(), t.path(), &path),
            Some(real.clone())
        );
        assert_eq!(
            from_argv0("bin/tool".as_ref(), t.path(), "".as_ref()),
            Some(real)
        );
        assert_eq!(from_argv0("nope".as_ref(), t.path(), &path), None);
    }
}
