//! `cache build`'s install: through the non-cache backends, with an
//! installed copy moved aside first and put back when the build fails, so a
//! failed rebuild loses nothing.

use super::batch::{self, Report};
use super::{Options, Request};
use crate::config::settings::Settings;
use crate::env::Env;
use crate::error::{Error, Result};

/// Installs `request` afresh; an installed copy is replaced only on success.
pub fn rebuild(
    env: &Env,
    settings: &Settings,
    request: &Request,
    options: &Options,
    json: bool,
) -> Result<Report> {
    let trash = crate::fs::temp_dir_in(&env.layout.tmp_dir(), "rebuild-")?;
    let old = env
        .layout
        .install_path(&request.tool, &request.spec.to_string());
    let aside = trash.path().join("old");
    let replace = old.is_dir();
    if replace {
        fs_err::rename(&old, &aside)?;
    }
    let mut reports = batch::run(env, settings, std::slice::from_ref(request), options, json);
    let report = reports
        .pop()
        .ok_or_else(|| Error::Other("the install reported nothing".into()))?;
    if report.error.is_some() && replace {
        fs_err::rename(&aside, &old)?;
    }
    Ok(report)
}
