//! Any bytes as the three settings files at once (`.asdfrc`, `config.toml`
//! and a `readthedocs_table`), taken as far as every reader takes them: the
//! typed values, the install settings, the listing `tool settings` prints,
//! a tool's backend chain and the Read the Docs table. Each may fail with an
//! error, none may panic; no secret is ever listed.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tool::config::readthedocs::Table;
use tool::config::settings::{Kind, Settings};
use tool::env::Env;
use tool::layout::Layout;

fn base() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| Env::from_process().unwrap())
}

thread_local! {
    /// One home per process, its files rewritten each run.
    static HOME: tempfile::TempDir = tempfile::tempdir().unwrap();
}

fuzz_target!(|data: &[u8]| {
    let home = HOME.with(|d| d.path().to_path_buf());
    let home = home.as_path();
    let mut parts = data.splitn(3, |&b| b == 0);
    let rc = parts.next().unwrap_or_default();
    let toml = parts.next().unwrap_or_default();
    let table = parts.next();
    std::fs::write(home.join(".asdfrc"), rc).unwrap();
    let config_dir = home.join(".config/tool");
    std::fs::create_dir_all(&config_dir).unwrap();
    let mut toml = toml.to_vec();
    if let Some(table) = table {
        std::fs::write(home.join("rtd.toml"), table).unwrap();
        toml.extend_from_slice(b"\nreadthedocs_table = \"");
        toml.extend_from_slice(home.join("rtd.toml").to_string_lossy().as_bytes());
        toml.extend_from_slice(b"\"\nreadthedocs_config = true\n");
    }
    std::fs::write(config_dir.join("config.toml"), &toml).unwrap();
    let mut env = base().clone();
    env.home = home.to_path_buf();
    env.cwd = home.to_path_buf();
    env.layout = Layout::new(home.join(".asdf"));
    let Ok(settings) = Settings::load(&env) else {
        return;
    };
    let _ = settings.for_installs();
    for (def, shown, _) in settings.entries() {
        if def.kind == Kind::Secret {
            assert!(
                shown.is_empty() || shown == "(set)",
                "{} shown as {shown:?}",
                def.name
            );
        }
    }
    let _ = settings.backends_for(&env, "python");
    let _ = Table::for_settings(&settings);
});
