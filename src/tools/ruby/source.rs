//! The Ruby source archive: `ruby-<v>.tar.xz`, then `.tar.gz`, from
//! `ruby.mirror` (cache.ruby-lang.org's layout) or ruby-build's
//! `RUBY_BUILD_MIRROR_URL` (by checksum), verified by `compile::fetch`.

use super::releases::{self, Release};
use crate::compile::fetch::{Candidate, Digest, Mirror, Wanted};
use crate::config::settings::InstallSettings;
use crate::env::Env;

/// The release's archives, best first, with their paths on the mirror.
pub fn candidates(version: &str, release: &Release) -> Vec<Candidate> {
    let dir = releases::release_dir(version, release);
    [("tar.xz", &release.xz), ("tar.gz", &release.gz)]
        .into_iter()
        .filter_map(|(ext, sha)| {
            let name = format!("ruby-{version}.{ext}");
            Some(Candidate {
                path: format!("{dir}/{name}"),
                name,
                digest: Digest::Sha256(sha.clone()?),
            })
        })
        .collect()
}

/// The mirrors, in the order they are tried: ruby-build's first when it
/// is set, as ruby-build tries it before the official server.
fn mirrors(env: &Env, settings: &InstallSettings) -> Vec<Mirror> {
    let by_checksum = env.var("RUBY_BUILD_MIRROR_URL").filter(|m| !m.is_empty());
    by_checksum
        .map(|m| Mirror::new(&m, true))
        .into_iter()
        .chain([Mirror::new(&settings.ruby.mirror, false)])
        .collect()
}

/// What to fetch for `version`: its archives, from its mirrors.
pub fn wanted<'a>(
    env: &Env,
    settings: &InstallSettings,
    version: &'a str,
    release: &Release,
) -> Wanted<'a> {
    Wanted {
        tool: "ruby",
        version,
        label: format!("Ruby {version}"),
        candidates: candidates(version, release),
        mirrors: mirrors(env, settings),
        // ruby-lang.org publishes checksums, no signatures.
        signed: None,
    }
}
