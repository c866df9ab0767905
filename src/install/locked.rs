//! `tool install --locked`: each request must be the lockfile's version on
//! this platform, installs only through the backend the lock names, and the
//! bytes fetched must be the lock's (checked before the install is
//! committed). Nothing is listed and no release index is asked.

use std::path::PathBuf;

use super::Request;
use crate::backend::{Details, Failure};
use crate::error::{Error, Result};
use crate::lockfile::{Entry, Lock};
use crate::version::VersionSpec;

/// A lockfile read for an install, with this machine's platform.
#[derive(Debug, Clone)]
pub struct Locked {
    pub path: PathBuf,
    pub lock: Lock,
    /// `os/arch`, as `tool lock` writes it.
    pub platform: String,
}

/// The entry `req` must install, or why it cannot be installed locked.
pub fn entry<'a>(locked: &'a Locked, req: &Request) -> Result<&'a Entry> {
    let file = locked.path.display();
    let Some(entry) = locked.lock.find(&req.tool, &locked.platform) else {
        return Err(Error::hinted(
            format!(
                "{} is not locked for {} in {file}",
                req.tool, locked.platform
            ),
            "run `tool lock` here to lock it",
        ));
    };
    match &req.spec {
        VersionSpec::Version(v) if *v == entry.version => Ok(entry),
        other => Err(Error::hinted(
            format!("{file} locks {} {}, not {other}", req.tool, entry.version),
            "run `tool lock` after changing a version",
        )),
    }
}

/// Refuses an install whose bytes are not the lock's.
pub fn check(entry: &Entry, details: &Details) -> Result<(), Failure> {
    let Some(want) = &entry.sha256 else {
        return Ok(()); // version only (an asdf plugin)
    };
    if entry.backend == "source" {
        return Ok(()); // the source archive is checked against the same sha256 as it arrives
    }
    let got = details
        .get("sha256")
        .and_then(|v| v.as_str())
        .unwrap_or("none");
    if got == want {
        return Ok(());
    }
    Err(Failure::Error(Error::hinted(
        format!(
            "{} {} fetched sha256 {got}, but the lock says {want}; nothing was installed",
            entry.tool, entry.version
        ),
        "the artifact changed since `tool lock`: check where it came from before locking again",
    )))
}

/// The version file a lock sits beside: `config` when given (a
/// `.readthedocs.yaml`), else the nearest `.tool-versions`.
pub fn version_file(
    ctx: &crate::context::Context,
    config: Option<&std::path::Path>,
) -> Result<PathBuf> {
    if let Some(file) = config {
        return Ok(crate::env::absolute(&ctx.env.cwd, file));
    }
    let tools = ctx.tools();
    ctx.resolver(&tools).nearest_file().ok_or_else(|| {
        Error::hinted(
            format!(
                "no {} here or above to lock",
                ctx.env.tool_versions_filename
            ),
            "set versions with `tool set <tool> <version>` first",
        )
    })
}

/// `previous` brought up to `requests` on this platform: each tool's entry
/// from the first backend of its chain that can say what it would install;
/// other platforms' entries of the same version are kept, tools no longer
/// asked for are dropped.
pub fn compute(
    ctx: &crate::context::Context,
    requests: &[Request],
    previous: Option<Lock>,
) -> Result<Lock> {
    let mut lock = previous.unwrap_or_default();
    lock.entries
        .retain(|e| requests.iter().any(|r| r.tool == e.tool));
    for req in requests {
        lock.put(entry_of(ctx, req)?);
    }
    Ok(lock)
}

fn entry_of(ctx: &crate::context::Context, req: &Request) -> Result<Entry> {
    let VersionSpec::Version(version) = &req.spec else {
        return Err(Error::Usage(format!(
            "cannot lock {} {}: a lock names one version (write it in the file)",
            req.tool, req.spec
        )));
    };
    entry_for(ctx, &req.tool, version)
}

/// The entry of the first backend of `tool`'s chain that can say what it
/// would install for `version`.
pub fn entry_for(ctx: &crate::context::Context, tool: &str, version: &str) -> Result<Entry> {
    let mut why = Vec::new();
    for backend in crate::backend::chain(ctx, tool, None)? {
        match backend.lock(ctx, tool, version) {
            Ok(entry) => return Ok(entry),
            Err(Failure::NotAvailable(reason)) => why.push(format!("{}: {reason}", backend.name())),
            Err(Failure::Error(e)) => return Err(e),
        }
    }
    Err(Error::NoVersion {
        what: format!("no backend can lock {tool} {version}"),
        why,
    })
}

/// What an install fetched, kept beside it (`installs/<tool>/.<dir>.fetched`)
/// so a later `--locked` run can tell whether the installed copy is the
/// locked bytes. Written before the install is committed: a record that
/// cannot be written fails the install, rather than a later `--locked`.
pub fn remember(
    env: &crate::env::Env,
    tool: &str,
    dir: &str,
    backend: &str,
    details: &Details,
) -> Result<(), Failure> {
    let path = env.layout.fetched_record(tool, dir);
    let Some(sha256) = details.get("sha256").and_then(|v| v.as_str()) else {
        // A build or a plugin: nothing fetched to name, and no older record left standing.
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Failure::Error(Error::io(
                "cannot remove the old record of what was fetched",
                &path,
                e,
            ))),
            _ => Ok(()),
        };
    };
    let text = serde_json::json!({ "backend": backend, "sha256": sha256 }).to_string();
    crate::fs::write_atomic(&path, text.as_bytes(), None).map_err(|e| {
        Failure::Error(Error::hinted(
            format!("cannot record what was fetched, so nothing was installed: {e}"),
            "make room there (or move away what is in the way), then install again",
        ))
    })
}

/// Refuses an installed copy that is not known to be the lock's bytes.
pub fn check_installed(env: &crate::env::Env, entry: &Entry, dir: &str) -> Result<()> {
    let Some(want) = entry
        .sha256
        .as_deref()
        .filter(|_| entry.backend != "source")
    else {
        return Ok(());
    };
    let path = env.layout.fetched_record(&entry.tool, dir);
    let recorded: Option<serde_json::Value> =
        (std::fs::read(&path).ok()).and_then(|b| serde_json::from_slice(&b).ok());
    let got = recorded.as_ref().and_then(|r| r["sha256"].as_str());
    if got == Some(want) {
        return Ok(());
    }
    let what = match got {
        Some(got) => format!("from sha256 {got}"),
        None => "from bytes this tool did not record".into(),
    };
    Err(Error::hinted(
        format!(
            "{} {} is installed {what}, but the lock says sha256 {want}",
            entry.tool, entry.version
        ),
        format!(
            "`tool uninstall {} {}`, then install it again with --locked",
            entry.tool, entry.version
        ),
    ))
}
