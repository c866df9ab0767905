//! `tool`: a fast, asdf-compatible tool version manager.

pub mod archive;
pub mod backend;
pub mod cache;
pub mod cli;
pub mod config;
pub mod context;
pub mod env;
pub mod error;
pub mod fetch;
pub mod fs;
pub mod hooks;
pub mod install;
pub mod installed;
pub mod job;
pub mod layout;
pub mod platform;
pub mod plugin;
pub mod process;
pub mod progress;
pub mod python;
pub mod remote;
pub mod shim;
pub mod tool_name;
pub mod tools;
pub mod upstream;
pub mod version;
