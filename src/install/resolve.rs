//! Turns a requested spec into the exact version to install: a version is
//! taken literally (as asdf does), `latest[:p]` asks the backends, `ref:x`
//! installs as `ref-x`.

use super::{Request, Resolved};
use crate::backend::{Backend, Kind};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::version::{self, VersionSpec, check_path_component};

pub fn resolve(ctx: &Context, chain: &[Box<dyn Backend>], req: &Request) -> Result<Resolved> {
    let tool = req.tool.as_str();
    let resolved = match &req.spec {
        VersionSpec::System | VersionSpec::Path(_) => {
            return Err(Error::Usage(format!(
                "`{}` is not installed by tool: nothing to install",
                req.spec
            )));
        }
        VersionSpec::Ref(r) => Resolved {
            version: r.clone(),
            kind: Kind::Ref,
            dir: format!("ref-{r}"),
        },
        // Literal, as in asdf: no listing, no prefix matching.
        VersionSpec::Version(v) => plain(v.clone()),
        VersionSpec::Latest(prefix) => plain(latest(ctx, chain, tool, prefix.as_deref())?),
    };
    check_path_component("version", &resolved.dir)?;
    Ok(resolved)
}

fn plain(version: String) -> Resolved {
    Resolved {
        dir: version.clone(),
        version,
        kind: Kind::Version,
    }
}

/// The first backend's answer for `latest[:prefix]`, newest over all when
/// several answer.
pub fn latest(
    ctx: &Context,
    chain: &[Box<dyn Backend>],
    tool: &str,
    prefix: Option<&str>,
) -> Result<String> {
    Ok(latest_from(ctx, chain, tool, prefix)?.0)
}

/// [`latest`] and the first backend that answered it.
pub fn latest_from(
    ctx: &Context,
    chain: &[Box<dyn Backend>],
    tool: &str,
    prefix: Option<&str>,
) -> Result<(String, &'static str)> {
    let mut answers = Vec::new();
    let mut by = Vec::new();
    let mut why = Vec::new();
    // What could not be read (an index offline): said in the message itself.
    let mut failed = Vec::new();
    for backend in chain {
        match backend.latest(ctx, tool, prefix) {
            Ok(Some(v)) => {
                answers.push(v);
                by.push(backend.name());
            }
            Ok(None) => why.push(format!("{}: no match", backend.name())),
            Err(crate::backend::Failure::NotAvailable(w)) => {
                why.push(format!("{}: {w}", backend.name()))
            }
            // A refused signature is said as it is, not as a miss.
            Err(crate::backend::Failure::Error(e @ crate::error::Error::Signature { .. })) => {
                return Err(e);
            }
            Err(crate::backend::Failure::Error(e)) => {
                failed.push(format!("{}: {}", backend.name(), e.report()))
            }
        }
    }
    let newest = version::newest_matching(&answers, None).cloned();
    let from = |v: &String| by[answers.iter().position(|a| a == v).unwrap_or(0)];
    newest
        .map(|v| {
            let b = from(&v);
            (v, b)
        })
        .ok_or_else(|| {
            // asdf's words; where each backend looked is the hint.
            let what = prefix.map_or_else(|| tool.to_string(), |p| format!("{tool} {p}"));
            let mut message = format!("No compatible versions available ({what})");
            if !failed.is_empty() {
                message = format!("{message}: {}", failed.join("; "));
            }
            Error::hinted(message, why.join("\n"))
        })
}
