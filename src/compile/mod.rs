//! What every build from source shares: the release tables of official
//! source archives (`releases`), fetching and verifying an archive from a
//! mirror (`fetch`), checking build dependencies before configure (`deps`),
//! one build's places and shared steps (`target`) and the folders it works
//! in (`workspace`). `tools::python` and
//! `tools::ruby` hold what is their own.

pub mod deps;
pub mod fetch;
pub mod releases;
pub mod target;
pub mod workspace;
