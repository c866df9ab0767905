//! `tool`: a fast, asdf-compatible tool version manager.

pub mod cli;
pub mod config;
pub mod env;
pub mod error;
pub mod installed;
pub mod layout;
pub mod shim;
pub mod tools;
pub mod version;
