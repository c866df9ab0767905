//! Integration tests: the real `tool` binary against real folders, files and
//! processes, one sandbox (home, data dir, project) per test.

mod cache;
mod commands;
mod harness;
mod install;
mod plugins;
mod resolution;
mod servers;
mod shell;
mod shims;
mod tool_versions;
