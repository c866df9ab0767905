//! Integration tests: the real `tool` binary against real folders, files and
//! processes, one sandbox (home, data dir, project) per test.

mod commands;
mod harness;
mod install;
mod plugins;
mod resolution;
mod shell;
mod shims;
mod tool_versions;
