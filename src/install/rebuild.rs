//! `cache build`'s install: through the non-cache backends, with an
//! installed copy moved aside first and put back when the build fails, so a
//! failed rebuild loses nothing.

use super::batch::{self, Report};
use super::{Options, Request};
use crate::context::Context;
use crate::error::Result;

/// Installs `request` afresh; an installed copy is replaced only on success.
pub fn rebuild(ctx: &Context, request: &Request, options: &Options, json: bool) -> Result<Report> {
    let layout = &ctx.env.layout;
    let trash = crate::fs::temp_dir_in(&layout.tmp_dir(), "rebuild-")?;
    let old = layout.install_path(&request.tool, &request.spec.to_string());
    let aside = trash.path().join("old");
    let replace = old.is_dir();
    if replace {
        fs_err::rename(&old, &aside)?;
    }
    let report = batch::run_one(ctx, request, options, json);
    if report.error.is_some() && replace {
        fs_err::rename(&aside, &old)?;
    }
    Ok(report)
}
