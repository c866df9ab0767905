//! The few git operations plugins need, run through the real `git`.

use std::path::Path;
use std::process::Command;

use crate::error::{Error, Result};

fn git(dir: Option<&Path>, args: &[&str]) -> Result<String> {
    let mut cmd = Command::new("git");
    if let Some(d) = dir {
        cmd.arg("-C").arg(d);
    }
    let out = cmd
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| Error::io("cannot run git (is it installed?)", "git", e))?;
    if !out.status.success() {
        return Err(Error::Failed {
            what: format!("git {}", args.first().copied().unwrap_or_default()),
            status: Error::status_text(out.status),
            detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

pub fn clone(url: &str, dest: &Path) -> Result<()> {
    git(
        None,
        &["clone", "--quiet", "--", url, &dest.to_string_lossy()],
    )
    .map(drop)
}

pub fn checkout(dir: &Path, reference: &str) -> Result<()> {
    git(Some(dir), &["checkout", "--quiet", reference, "--"]).map(drop)
}

/// Fetches and moves to `reference`, or to the remote's default branch head;
/// returns the ref moved to (`refs/heads/<branch>` for the default branch).
pub fn update(dir: &Path, reference: Option<&str>) -> Result<String> {
    git(
        Some(dir),
        &["fetch", "--quiet", "--prune", "--tags", "origin"],
    )?;
    match reference {
        Some(r) => {
            let remote = format!("origin/{r}");
            let target = if git(Some(dir), &["rev-parse", "--verify", "--quiet", &remote]).is_ok() {
                remote
            } else {
                r.to_string()
            };
            git(Some(dir), &["checkout", "--quiet", "--detach", &target])?;
            Ok(r.to_string())
        }
        None => {
            let origin_head = || {
                git(
                    Some(dir),
                    &["symbolic-ref", "--short", "refs/remotes/origin/HEAD"],
                )
            };
            // A clone made by hand may not know the remote's default branch:
            // ask the remote, as asdf does.
            let head = origin_head()
                .or_else(|_| {
                    git(Some(dir), &["remote", "set-head", "origin", "--auto"])?;
                    origin_head()
                })
                .unwrap_or_else(|_| "origin/HEAD".into());
            let branch = head.trim_start_matches("origin/").to_string();
            git(Some(dir), &["checkout", "--quiet", "-B", &branch, &head])?;
            Ok(format!("refs/heads/{branch}"))
        }
    }
}

/// The full commit id of HEAD (what asdf hands plugins as refs).
pub fn commit(dir: &Path) -> Result<String> {
    git(Some(dir), &["rev-parse", "HEAD"])
}

pub fn head(dir: &Path) -> Result<String> {
    git(Some(dir), &["rev-parse", "--short", "HEAD"])
}

/// The remote URL of the plugin at `dir` as it may be shown: its userinfo
/// and query masked; empty when it has none.
pub fn shown_url(dir: &Path) -> String {
    crate::remote::redact(&remote_url(dir).unwrap_or_default())
}

/// The checked-out branch, `HEAD` when detached (`git rev-parse --abbrev-ref`).
pub fn branch(dir: &Path) -> Result<String> {
    git(Some(dir), &["rev-parse", "--abbrev-ref", "HEAD"])
}

pub fn remote_url(dir: &Path) -> Result<String> {
    git(Some(dir), &["remote", "get-url", "origin"])
}

/// The branch name, or the short commit when detached.
pub fn reference(dir: &Path) -> Result<String> {
    match git(Some(dir), &["symbolic-ref", "--short", "-q", "HEAD"]) {
        Ok(b) if !b.is_empty() => Ok(b),
        _ => head(dir),
    }
}
