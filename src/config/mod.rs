//! Configuration read from files and the environment: `.tool-versions`,
//! version resolution, and settings.

pub mod readthedocs;
pub mod resolve;
pub mod settings;
pub mod tool_info;
pub mod tool_versions;

pub use tool_info::ToolInfo;
