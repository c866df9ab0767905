//! The rules the std shim path (`tool`'s `shim` module) and the no-libc
//! `tool-shim` share, core only: which command lines install programs
//! (`install_rule`), `.tool-versions` as the fast path reads it
//! (`tool_versions`), the settings a shim may pass over (`settings`) and the
//! variables the built-in tools set for their programs (`tools`).

#![no_std]

pub mod install_rule;
pub mod settings;
pub mod tool_versions;
pub mod tools;
