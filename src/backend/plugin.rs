//! The asdf plugin backend: `list-all`, `latest-stable`, `download` and
//! `install`, with asdf's environment, writing straight into the install
//! folder as plugins expect.

use std::ffi::OsString;

use super::{Backend, Entry, Failure, Job, Kind, Removal, Stage};
use crate::context::Context;
use crate::env::Env;
use crate::error::Error;
use crate::plugin::{Plugin, Vars};
use crate::process::{Cancel, Sink};

pub struct PluginBackend;

fn plugin_for(env: &Env, tool: &str) -> Result<Plugin, Failure> {
    Plugin::find(env, tool).ok_or_else(|| {
        Failure::NotAvailable(format!(
            "no asdf plugin named `{tool}` (add one with `tool plugin add {tool} <git-url>`)"
        ))
    })
}

impl Backend for PluginBackend {
    fn name(&self) -> &'static str {
        "plugin"
    }

    fn in_place(&self) -> bool {
        true
    }

    fn list_versions(&self, ctx: &Context, tool: &str) -> Result<Vec<String>, Failure> {
        let plugin = plugin_for(&ctx.env, tool)?;
        let out = plugin
            .command("list-all", &Vec::new())?
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| Error::io("cannot run", plugin.script_path("list-all"), e))?;
        if !out.status.success() {
            // asdf's words: what the script said on stderr, then on stdout.
            return Err(Failure::Error(Error::ListAllFailed {
                tool: tool.to_string(),
                output: format!(
                    "{}\n{}",
                    String::from_utf8_lossy(&out.stderr).trim_end(),
                    String::from_utf8_lossy(&out.stdout).trim_end()
                ),
            }));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        Ok(text.split_whitespace().map(str::to_string).collect())
    }

    fn latest(
        &self,
        ctx: &Context,
        tool: &str,
        prefix: Option<&str>,
    ) -> Result<Option<String>, Failure> {
        let plugin = plugin_for(&ctx.env, tool)?;
        if plugin.has("latest-stable") {
            let arg = std::path::Path::new(prefix.unwrap_or(""));
            let out = plugin.capture_stdout("latest-stable", &[arg], &Vec::new())?;
            return Ok(out.split_whitespace().last().map(str::to_string));
        }
        super::newest_listed(self, ctx, tool, prefix)
    }

    fn uninstall(&self, removal: &Removal<'_>) -> crate::error::Result<()> {
        let Some(plugin) =
            Plugin::find(&removal.ctx.env, removal.tool).filter(|p| p.has("uninstall"))
        else {
            return Ok(());
        };
        let vars = crate::plugin::meta::install_vars(removal.version_dir, removal.path);
        plugin.run(
            "uninstall",
            &vars,
            &Sink::Terminal,
            &Cancel::default(),
            None,
        )
    }

    fn lock(&self, ctx: &Context, tool: &str, version: &str) -> Result<Entry, Failure> {
        if Plugin::find(&ctx.env, tool).is_none() {
            return Err(Failure::NotAvailable(format!("no plugin {tool}")));
        }
        let mut entry = super::entry("plugin", tool, version);
        entry.note = Some("an asdf plugin installs what its scripts fetch: version only".into());
        Ok(entry)
    }

    fn install(&self, job: &Job<'_>) -> Result<super::Details, Failure> {
        let plugin = plugin_for(&job.ctx.env, job.tool)?;
        let downloads = job.ctx.env.layout.downloads_dir(job.tool, job.version_dir);
        fs_err::create_dir_all(&downloads)?;
        let concurrency = job.ctx.settings.values.concurrency.for_plugins();
        let vars: Vars = vec![
            (
                "ASDF_INSTALL_TYPE",
                if job.kind == Kind::Ref {
                    "ref"
                } else {
                    "version"
                }
                .into(),
            ),
            ("ASDF_INSTALL_VERSION", job.version.into()),
            ("ASDF_INSTALL_PATH", job.dest.into()),
            ("ASDF_DOWNLOAD_PATH", downloads.clone().into()),
            ("ASDF_CONCURRENCY", OsString::from(concurrency)),
        ];
        let run = || {
            job.stages.enter(Stage::Download)?;
            if plugin.has("download") {
                plugin.run("download", &vars, job.sink, job.cancel, job.hold)?;
            }
            job.stages.enter(Stage::Install)?;
            plugin.run("install", &vars, job.sink, job.cancel, job.hold)
        };
        // A single install shows the scripts' output on the terminal; in a
        // batch it goes to a log, and the other tasks' lines keep moving.
        let result = match job.sink {
            Sink::Terminal => job.task.suspend(run),
            Sink::Log(_) => run(),
        };
        if !job.keep_download || result.is_err() {
            let _ = std::fs::remove_dir_all(&downloads);
        }
        result
            .map(|()| serde_json::json!({ "plugin": plugin.dir }))
            .map_err(Failure::from)
    }
}
