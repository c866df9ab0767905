//! After Node.js: the packages of `~/.default-npm-packages` (or
//! `ASDF_NPM_DEFAULT_PACKAGES_FILE`), installed globally with the new
//! version's own npm, as asdf-nodejs does. A failure there is a warning:
//! Node.js itself installed.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

use crate::error::Result;
use crate::job::Job;

/// Each `npm install -g` to run: lines with an option run on their own,
/// plain package lines are installed together (comments skipped).
fn groups(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut plain: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        if words.iter().any(|w| w.starts_with('-')) {
            if !plain.is_empty() {
                out.push(std::mem::take(&mut plain));
            }
            out.push(words);
        } else {
            plain.extend(words);
        }
    }
    if !plain.is_empty() {
        out.push(plain);
    }
    out
}

pub fn install_defaults(job: &Job<'_>) -> Result<Value> {
    let env = &job.ctx.env;
    let file = env
        .var("ASDF_NPM_DEFAULT_PACKAGES_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| env.home.join(".default-npm-packages"));
    let Ok(text) = std::fs::read_to_string(&file) else {
        return Ok(json!([]));
    };
    let bin = job.dest.join("bin");
    let path = env.path_with(std::slice::from_ref(&bin));
    let mut results = Vec::new();
    for packages in groups(&text) {
        job.task
            .step(&format!("npm install -g {}", packages.join(" ")));
        let mut cmd = Command::new(bin.join("npm"));
        cmd.args(["install", "-g"])
            .args(&packages)
            .env("PATH", &path);
        let status = job
            .task
            .suspend(|| crate::process::run(&mut cmd, job.sink, job.cancel, job.hold))?;
        if !status.success() {
            job.task.warn(&format!(
                "npm install -g {} failed ({status}); Node.js itself installed",
                packages.join(" ")
            ));
        }
        results.push(json!({ "packages": packages, "ok": status.success() }));
    }
    Ok(Value::Array(results))
}

#[cfg(test)]
mod tests {
    use super::groups;

    #[test]
    fn option_lines_run_alone_and_plain_lines_together() {
        let text = "# tools\ntypescript\neslint prettier\n\nnpm@10 --force\nyarn\n";
        assert_eq!(
            groups(text),
            [
                vec!["typescript", "eslint", "prettier"],
                vec!["npm@10", "--force"],
                vec!["yarn"],
            ]
        );
    }
}
