//! `Context`: what every command, shim and backend works from, loaded once at
//! start — the environment snapshot (with the data dir's layout), the typed
//! settings and the Read the Docs table when `readthedocs_config` is on.
//! The command line starts with `Context::load`, the shim fast path with
//! `Context::load_for_shim`;
//! everything below them borrows it instead of reading or cloning its own.

use crate::config::ToolInfo;
use crate::config::readthedocs::Table;
use crate::config::resolve::Resolver;
use crate::config::settings::Settings;
use crate::env::Env;
use crate::error::Result;

pub struct Context {
    pub env: Env,
    pub settings: Settings,
    /// The table `.readthedocs.yaml` is read through (`readthedocs_config`).
    pub readthedocs: Option<Table>,
}

impl Context {
    /// Reads the process environment, then the settings it points at; a
    /// setting that does not parse, backends' included, fails here.
    pub fn load() -> Result<Context> {
        let ctx = Context::from_env(Env::from_process()?)?;
        ctx.settings.for_installs()?;
        Ok(ctx)
    }

    /// As `load`, leaving the settings only installs read (`cache.*`,
    /// `upstream.*`, `python.*`, `ruby.*`) unparsed until asked for: a shim
    /// never needs them, and a typo in a mirror URL does not stop it.
    pub fn load_for_shim() -> Result<Context> {
        Context::from_env(Env::from_process()?)
    }

    /// The settings and table for an environment already read.
    pub fn from_env(mut env: Env) -> Result<Context> {
        let settings = Settings::load(&env)?;
        env.layout = env
            .layout
            .with_shared(settings.values.shared_installs.clone());
        let readthedocs = Table::for_settings(&settings)?;
        Ok(Context {
            env,
            settings,
            readthedocs,
        })
    }

    /// The same environment and settings over another data dir (`plugin
    /// test`'s throwaway one), without the Read the Docs table.
    pub fn with_data_dir(&self, data_dir: std::path::PathBuf) -> Context {
        let mut env = self.env.clone();
        env.layout = crate::layout::Layout::new(data_dir);
        Context {
            env,
            settings: self.settings.clone(),
            readthedocs: None,
        }
    }

    /// This context with the `{os}` of the build config a command reads
    /// (`build.os`), where the `os` setting leaves it to that.
    pub fn with_build_os(self, os: Option<String>) -> Context {
        match os {
            Some(os) => Context {
                settings: self.settings.with_build_os(os),
                ..self
            },
            None => self,
        }
    }

    /// A resolver of the versions set here, asking `tools` about tools.
    pub fn resolver<'a>(&'a self, tools: &'a dyn ToolInfo) -> Resolver<'a> {
        Resolver::new(&self.env, self.legacy(), tools).with_readthedocs(self.readthedocs.as_ref())
    }

    /// Whether legacy version files (`.nvmrc`, `.python-version`…) are read.
    pub fn legacy(&self) -> bool {
        self.settings.values.legacy_version_file
    }
}
