//! `tool uninstall <tool> <version>`: removes an installed version, then its shims.

use crate::cli::Ctx;
use crate::error::{Error, exit};
use crate::shim::reshim;
use crate::tools;
use crate::version::{VersionSpec, check_path_component};

pub fn run(ctx: &Ctx, tool: &str, version: &str) -> anyhow::Result<i32> {
    tools::require_known(&ctx.env, tool)?;
    let dir = match VersionSpec::parse(version)? {
        spec @ (VersionSpec::Version(_) | VersionSpec::Ref(_)) => {
            spec.install_dir_name().unwrap_or_default()
        }
        _ => return Err(Error::Usage(format!("`{version}` is not an installable version")).into()),
    };
    check_path_component("version", &dir)?;
    let path = ctx.env.layout.install_path(tool, &dir);
    if !path.is_dir() {
        return Err(Error::Other(format!(
            "No such version: {tool} {version} is not installed"
        ))
        .into());
    }
    let hook = |when: &str| {
        crate::hooks::run(
            &ctx.settings,
            &format!("{when}_asdf_uninstall_{tool}"),
            &[version],
        )
    };
    hook("pre")?;
    if let Some(plugin) = crate::plugin::Plugin::find(&ctx.env, tool).filter(|p| p.has("uninstall"))
    {
        let vars = crate::plugin::meta::install_vars(&dir, &path);
        let (sink, cancel) = (
            crate::process::Sink::Stderr,
            crate::process::Cancel::default(),
        );
        plugin.run("uninstall", &vars, &sink, &cancel)?;
    }
    if path.exists() {
        remove_dir_atomically(ctx, &path)?;
    }
    let _ = std::fs::remove_file(ctx.env.layout.incomplete_marker(tool, &dir));
    reshim::sync(&ctx.env, &super::reshim::launcher()?)?;
    hook("post")?;
    eprintln!("uninstalled {tool} {version}");
    Ok(exit::OK)
}

/// Moves the folder out of `installs/` first, so an interrupted removal never
/// leaves a half-deleted version that still looks installed.
fn remove_dir_atomically(ctx: &Ctx, path: &std::path::Path) -> anyhow::Result<()> {
    let tmp = ctx.env.layout.tmp_dir();
    fs_err::create_dir_all(&tmp)?;
    let trash = tempfile::Builder::new()
        .prefix("uninstall-")
        .tempdir_in(&tmp)?;
    let moved = trash.path().join("v");
    fs_err::rename(path, &moved)?;
    trash
        .close()
        .map_err(|e| Error::io("cannot remove", &moved, e))?;
    Ok(())
}
