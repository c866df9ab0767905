//! Turns a requested spec into the exact version to install: `latest[:p]`
//! asks the backends, a prefix (`3.9`) becomes the newest installed match or
//! else the newest available one, `ref:x` installs as `ref-x`.

use super::{Request, Resolved};
use crate::backend::{Backend, Kind};
use crate::env::Env;
use crate::error::{Error, Result};
use crate::installed::{self, Located};
use crate::version::{self, VersionSpec, check_path_component};

pub fn resolve(env: &Env, chain: &[Box<dyn Backend>], req: &Request) -> Result<Resolved> {
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
        VersionSpec::Version(v) => match installed::locate(env, tool, &req.spec, &env.cwd) {
            Located::Dir { version, .. } => plain(version),
            _ => plain(available_match(env, chain, tool, v)),
        },
        VersionSpec::Latest(prefix) => plain(latest(env, chain, tool, prefix.as_deref())?),
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

/// `v` itself when a backend lists it (or none can list), else the newest
/// version under the prefix `v` from the first backend that has one — so a
/// prefix prefers what the cache holds over what must be compiled.
fn available_match(env: &Env, chain: &[Box<dyn Backend>], tool: &str, v: &str) -> String {
    let lists: Vec<Vec<String>> = chain
        .iter()
        .filter_map(|b| b.list_versions(env, tool).ok())
        .collect();
    if lists.iter().any(|l| l.iter().any(|x| x == v)) {
        return v.to_string();
    }
    lists
        .iter()
        .find_map(|l| version::newest_matching(l, Some(v)).cloned())
        .unwrap_or_else(|| v.to_string())
}

/// The first backend's answer for `latest[:prefix]`, newest over all when
/// several answer.
pub fn latest(
    env: &Env,
    chain: &[Box<dyn Backend>],
    tool: &str,
    prefix: Option<&str>,
) -> Result<String> {
    let mut answers = Vec::new();
    let mut why = Vec::new();
    for backend in chain {
        match backend.latest(env, tool, prefix) {
            Ok(Some(v)) => answers.push(v),
            Ok(None) => why.push(format!("{}: no match", backend.name())),
            Err(crate::backend::Failure::NotAvailable(w)) => {
                why.push(format!("{}: {w}", backend.name()))
            }
            Err(crate::backend::Failure::Error(e)) => {
                why.push(format!("{}: {}", backend.name(), e.report()))
            }
        }
    }
    version::newest_matching(&answers, None)
        .cloned()
        .ok_or_else(|| {
            let spec = prefix.map_or_else(|| "latest".to_string(), |p| format!("latest:{p}"));
            Error::NoVersion {
                what: format!("no version of {tool} matches `{spec}`"),
                why,
            }
        })
}
