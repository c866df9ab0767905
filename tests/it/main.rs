//! Integration tests: the real `tool` binary against real folders, files and
//! processes, one sandbox (home, data dir, project) per test.

mod archive_safety;
mod asdf_dropin;
mod asdf_plugins;
mod auto_reshim;
mod cache;
mod cache_faults;
mod cache_plan;
mod cache_trust;
mod commands;
mod conda;
mod credentials;
mod harness;
mod hostile_input;
mod install;
mod layers;
mod lockfile;
mod no_libc_shim;
mod plugins;
mod publish_rules;
mod python;
mod readthedocs;
mod release;
mod resolution;
mod ruby;
mod service_archives;
mod shared_installs;
mod shell;
mod shims;
mod signatures;
mod terminal;
mod tls;
mod tool_versions;
mod vendor;
