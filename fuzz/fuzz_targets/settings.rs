//! Any bytes as `.asdfrc` and as `config.toml`: loading the settings may
//! fail with an error, never panic.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tool::config::settings::Settings;
use tool::env::Env;
use tool::layout::Layout;

fn base() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| Env::from_process().unwrap())
}

fuzz_target!(|data: &[u8]| {
    let home = tempfile::tempdir().unwrap();
    let (rc, toml) = data.split_at(data.len() / 2);
    std::fs::write(home.path().join(".asdfrc"), rc).unwrap();
    std::fs::create_dir_all(home.path().join(".config/tool")).unwrap();
    std::fs::write(home.path().join(".config/tool/config.toml"), toml).unwrap();
    let mut env = base().clone();
    env.home = home.path().to_path_buf();
    env.cwd = home.path().to_path_buf();
    env.layout = Layout::new(home.path().join(".asdf"));
    let _ = Settings::load(&env);
});
