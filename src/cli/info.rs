//! `tool info` (asdf's report for bug reports) and `tool settings`.

use crate::cli::Ctx;
use crate::error::exit;
use crate::tools;

pub fn run_info(ctx: &Ctx) -> anyhow::Result<i32> {
    let env = &ctx.env;
    println!("OS:\n{}\n", os_description());
    println!(
        "SHELL:\n{}\n",
        env.var("SHELL").unwrap_or_else(|| "unknown".into())
    );
    println!("TOOL VERSION:\ntool {}\n", env!("CARGO_PKG_VERSION"));
    println!("ASDF INTERNAL VARIABLES:");
    println!(
        "ASDF_DEFAULT_TOOL_VERSIONS_FILENAME={}",
        env.tool_versions_filename
    );
    println!("ASDF_DATA_DIR={}", env.layout.data_dir().display());
    println!("ASDF_CONFIG_FILE={}", ctx.settings.asdfrc_path.display());
    println!("TOOL_CONFIG_FILE={}\n", ctx.settings.config_path.display());
    println!("ASDF INSTALLED PLUGINS:");
    for name in tools::present(env) {
        let kind = if tools::is_plugin(env, &name) {
            "plugin"
        } else {
            "built-in"
        };
        println!("{name} ({kind})");
    }
    println!("\nSETTINGS:");
    print_settings(ctx);
    Ok(exit::OK)
}

pub fn run_settings(ctx: &Ctx) -> anyhow::Result<i32> {
    print_settings(ctx);
    Ok(exit::OK)
}

fn print_settings(ctx: &Ctx) {
    let entries: Vec<_> = ctx.settings.entries().collect();
    let key_w = entries
        .iter()
        .map(|(d, _, _)| d.name.len())
        .max()
        .unwrap_or(0);
    let val_w = entries.iter().map(|(_, v, _)| v.len()).max().unwrap_or(0);
    for (def, value, source) in entries {
        println!("{:<key_w$}  {:<val_w$}  ({source})", def.name, value);
    }
    for (hook, command) in &ctx.settings.hooks {
        println!(
            "{hook} = {command}  ({})",
            ctx.settings.asdfrc_path.display()
        );
    }
}

fn os_description() -> String {
    let pretty = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        });
    format!(
        "{} ({} {})",
        pretty.unwrap_or_else(|| std::env::consts::OS.into()),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}
