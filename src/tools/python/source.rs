//! The CPython source archive: its candidates (`Python-<v>.tar.xz`, then
//! `.tgz`) and mirrors (`TOOL_PYTHON_MIRROR` in python.org's layout, or
//! pyenv's `PYTHON_BUILD_MIRROR_URL` by checksum), fetched and verified by
//! `compile::fetch` against the table's sha256 and the `.asc` beside it.

use super::releases::{self, Release};
use crate::compile::fetch::{Candidate, Digest, Mirror, Wanted};
use crate::config::settings::InstallSettings;
use crate::env::Env;
use crate::error::Result;

pub const PYTHON_ORG: &str = "https://www.python.org/ftp/python";

/// The release's archives, best first, with their paths on python.org.
pub fn candidates(version: &str, release: &Release) -> Vec<Candidate> {
    let dir = releases::release_dir(version, release);
    let named = |name: String, sha: &String| Candidate {
        path: format!("{dir}/{name}"),
        name,
        digest: Digest::Sha256(sha.clone()),
    };
    let xz = release
        .xz
        .iter()
        .map(|sha| named(format!("Python-{version}.tar.xz"), sha));
    let tgz = release
        .gz
        .iter()
        .map(|sha| named(format!("Python-{version}.tgz"), sha));
    xz.chain(tgz).collect()
}

/// The mirrors, in the order they are tried.
fn mirrors(env: &Env, settings: &InstallSettings) -> Vec<Mirror> {
    let mut out = Vec::new();
    if let Some(configured) = &settings.python.mirror {
        out.push(Mirror::new(configured, false));
    }
    if let Some(pyenv) = env.var("PYTHON_BUILD_MIRROR_URL") {
        out.push(Mirror::new(&pyenv, true));
    }
    if out.is_empty() {
        out.push(Mirror::new(PYTHON_ORG, false));
    }
    out
}

/// What to fetch for `version`: its archives, from its mirrors, with
/// their release managers' signatures.
pub fn wanted<'a>(
    env: &Env,
    installs: &InstallSettings,
    version: &'a str,
    release: &Release,
) -> Result<Wanted<'a>> {
    Ok(Wanted {
        tool: "python",
        version,
        label: format!("CPython {version}"),
        candidates: candidates(version, release),
        mirrors: mirrors(env, installs),
        signed: super::signers::signed(version, installs)?,
    })
}
