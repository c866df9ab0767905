//! `Context`: what every command, shim and backend works from, loaded once at
//! start — the environment snapshot (with the data dir's layout), the typed
//! settings, the Read the Docs table when `readthedocs_config` is on, and for
//! commands the parsed install settings and the one network client.
//! The command line starts with `Context::load`, the shim fast path with
//! `ShimContext::load_for_shim` (no install settings: a typo in a mirror URL does not
//! stop a shim); `tools::Tools` adds `tools()`, the data dir's tools. Everything below them borrows it instead of reading or
//! cloning its own.

use std::sync::OnceLock;

use crate::config::ToolInfo;
use crate::config::readthedocs::Table;
use crate::config::resolve::Resolver;
use crate::config::settings::{InstallSettings, Settings};
use crate::env::Env;
use crate::error::Result;
use crate::remote::Client;

/// What `version` prints, and the name this process runs as (`asdf` through
/// the link): read before any context is loaded.
pub use crate::env::{program_name, version_line};

/// A command's context (`I` = its install settings) or a shim's (`I` = `()`).
pub struct Context<I = InstallSettings> {
    pub env: Env,
    pub settings: Settings,
    /// The table `.readthedocs.yaml` is read through (`readthedocs_config`).
    pub readthedocs: Option<Table>,
    /// The settings only installs read (`cache.*`, `upstream.*`, `python.*`,
    /// `ruby.*`), parsed at load.
    pub installs: I,
    /// The network runtime every remote of this command shares, started at
    /// the first `client()`.
    client: OnceLock<Client>,
}

/// What a shim works from: no install settings, never a network client.
pub type ShimContext = Context<()>;

impl ShimContext {
    /// Reads the process environment, then the settings it points at,
    /// leaving those only installs read unparsed.
    pub fn load_for_shim() -> Result<ShimContext> {
        Context::with_installs(Env::from_process()?, |_| Ok(()))
    }
}

impl Context {
    /// Reads the process environment, then the settings it points at; a
    /// setting that does not parse, backends' included, fails here.
    pub fn load() -> Result<Context> {
        Context::from_env(Env::from_process()?)
    }

    /// The settings and table for an environment already read.
    pub fn from_env(env: Env) -> Result<Context> {
        Context::with_installs(env, Settings::install_settings)
    }

    /// The network client of this command, started at the first call.
    pub fn client(&self) -> Result<&Client> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let client = Client::new()?;
        Ok(self.client.get_or_init(|| client))
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
            installs: self.installs.clone(),
            client: self.client.clone(),
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
}

impl<I> Context<I> {
    /// Loads the settings `env` points at, and `installs` of them.
    fn with_installs(
        mut env: Env,
        installs: impl FnOnce(&Settings) -> Result<I>,
    ) -> Result<Context<I>> {
        let settings = Settings::load(&env)?;
        env.layout = env
            .layout
            .with_shared(settings.values.shared_installs.clone());
        let readthedocs = Table::for_settings(&settings)?;
        let installs = installs(&settings)?;
        Ok(Context {
            env,
            settings,
            readthedocs,
            installs,
            client: OnceLock::new(),
        })
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
