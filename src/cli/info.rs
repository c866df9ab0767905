//! `tool info` (asdf's report for bug reports) and `tool settings`.

use crate::cache::Cache;
use crate::context::Context;
use crate::error::exit;

pub fn run_info(ctx: &Context) -> anyhow::Result<i32> {
    let env = &ctx.env;
    // asdf's sections, in its order, then `tool`'s settings.
    if env.tool_versions_filename.contains('/') {
        println!(
            "WARNINGS:\nASDF_TOOL_VERSIONS_FILENAME should be a filename only, not a path: {}\n",
            env.tool_versions_filename
        );
    }
    println!(
        "OS:\n{}",
        command_output("uname -a").unwrap_or_else(os_description)
    );
    let shell = env.var("SHELL").unwrap_or_else(|| "unknown".into());
    let shell_version = command_output(&format!("'{shell}' --version")).unwrap_or(shell);
    println!("\nSHELL:\n{shell_version}");
    println!(
        "\nBASH VERSION:\n{}",
        command_output("echo $BASH_VERSION").unwrap_or_default()
    );
    let version = crate::context::version_line(&env.program);
    println!("\nASDF VERSION:\n{version}");
    println!("\nASDF INTERNAL VARIABLES:");
    println!("ASDF_TOOL_VERSIONS_FILENAME={}", env.tool_versions_filename);
    println!("ASDF_DATA_DIR={}", env.layout.data_dir().display());
    println!("ASDF_CONFIG_FILE={}", ctx.settings.asdfrc_path.display());
    println!("TOOL_CONFIG_FILE={}", ctx.settings.config_path.display());
    println!("\nASDF INSTALLED PLUGINS:");
    for name in crate::install::versions::present(ctx) {
        match crate::plugin::Plugin::find(env, &name) {
            Some(p) => {
                let url = crate::plugin::git::shown_url(&p.dir);
                let reference = crate::plugin::git::reference(&p.dir).unwrap_or_default();
                println!("{name}\t{url}\t{reference}");
            }
            None => println!("{name}\t(built-in)"),
        }
    }
    println!("\nSETTINGS:");
    print_settings(ctx);
    println!("\nCACHE BUCKETS:");
    print_buckets(ctx);
    Ok(exit::OK)
}

/// Each configured bucket and where its credentials come from, never the
/// credentials (opening an S3 bucket runs the credentials chain: a failure
/// is printed in its place).
fn print_buckets(ctx: &Context) {
    let opened = Cache::new(ctx).map(|cache| {
        (ctx.installs.cache.urls.iter())
            .map(|url| match cache.open_url(url) {
                Ok(b) => format!("{}\tcredentials: {}", b.display(), b.credentials()),
                Err(e) => format!("{}\t{}", crate::cache::shown_url(url), e.report()),
            })
            .collect::<Vec<_>>()
    });
    match opened {
        Ok(lines) if lines.is_empty() => println!("(none: the local cache only)"),
        Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
        Err(e) => println!("{}", e.report()),
    }
}

/// What a shell command prints, trimmed; `None` when it cannot run.
fn command_output(script: &str) -> Option<String> {
    let out = std::process::Command::new("bash")
        .args(["-c", script])
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim_end().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// `tool info <tool> <version>`: the backend the version would be
/// installed by here and what it would fetch (no download).
pub fn run_source(ctx: &Context, tool: &str, version: &str) -> anyhow::Result<i32> {
    let entry = crate::install::versions::source_of(ctx, tool, version)?;
    println!("{tool} {version}: backend {}", entry.backend);
    if let Some(source) = &entry.source {
        println!("source: {}", crate::cache::shown_url(source));
    }
    if let Some(sha256) = &entry.sha256 {
        println!("sha256: {sha256}");
    }
    if let Some(note) = &entry.note {
        println!("note: {note}");
    }
    Ok(exit::OK)
}

pub fn run_settings(ctx: &Context) -> anyhow::Result<i32> {
    print_settings(ctx);
    Ok(exit::OK)
}

fn print_settings(ctx: &Context) {
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
