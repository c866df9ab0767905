//! `cache pack` and `cache push` as one call each: the installed version is
//! packed into files (`pack`), or packed and published to the bucket
//! `cache.urls` or `--bucket` names, signed with `cache.signing_key` when set
//! (`push`, shared with `cache build`).

use std::path::Path;

use super::cache_build::Target;
use crate::archive::Format;
use crate::cache::publish::{self, PackTo, PackedFile, Pushed};
use crate::cache::{Cache, sign::SecretKey};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::process::Cancel;
use crate::remote::Remote;

/// Which archive formats a publish writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Formats {
    Zst,
    Gz,
    /// Both: the `.tar.gz` is for readers that know only it.
    Both,
}

impl Formats {
    pub fn list(self) -> Vec<Format> {
        match self {
            Formats::Zst => vec![Format::Zstd],
            Formats::Gz => vec![Format::Gzip],
            Formats::Both => vec![Format::Zstd, Format::Gzip],
        }
    }
}

/// Packs the installed `tool` `version` into `output` (its name says the
/// format), else into the current folder as the cache key in `formats`.
pub fn pack(
    ctx: &Context,
    tool: &str,
    version: &str,
    output: Option<&Path>,
    formats: Formats,
) -> Result<Vec<PackedFile>> {
    ctx.tools().require_known(tool)?;
    let (formats, to) = match output {
        Some(out) => {
            let format = Format::of_name(&out.to_string_lossy()).ok_or_else(|| {
                Error::Usage("-o needs a file name ending in .tar.zst or .tar.gz".into())
            })?;
            (vec![format], PackTo::File(out))
        }
        None => (formats.list(), PackTo::Folder(&ctx.env.cwd)),
    };
    let cache = Cache::new(ctx)?;
    let cancel = Cancel::on_signals();
    publish::pack_into(&ctx.env, &cache, tool, version, &formats, to, &cancel)
}

/// Packs the installed `tool` `version` and publishes it where `to` says.
pub fn push(ctx: &Context, tool: &str, version: &str, to: &Target<'_>) -> Result<Pushed> {
    ctx.tools().require_known(tool)?;
    let cache = Cache::new(ctx)?;
    let signer = crate::cache::signing_key(&ctx.installs)?;
    let bucket = cache.for_writing(to.bucket)?;
    publish_installed(ctx, &cache, signer.as_ref(), bucket, (tool, version), to)
}

/// Publishes the installed `tool` `version` to `bucket`; Ctrl-C stops the
/// requests in flight.
pub(super) fn publish_installed(
    ctx: &Context,
    cache: &Cache<'_>,
    signer: Option<&SecretKey>,
    bucket: Remote,
    (tool, version): (&str, &str),
    to: &Target<'_>,
) -> Result<Pushed> {
    let cancel = Cancel::on_signals();
    let bucket = bucket.stopping_on(cancel.shared());
    let how = publish::How {
        signer,
        replace: to.replace,
        legacy_layout: to.legacy_layout,
        cancel: &cancel,
        gc_grace: ctx.installs.cache.gc_grace,
    };
    let formats = to.formats.list();
    publish::push(&ctx.env, cache, &bucket, tool, version, &formats, &how)
}
