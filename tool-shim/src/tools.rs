//! What the fast path knows of the built-in tools: the variable each sets
//! to its version's folder for the programs it runs (`tools::*::env`). The
//! main crate's tests check this against every built-in tool.

/// The variable `tool` sets to the install folder, if any.
pub fn install_path_var(tool: &[u8]) -> Option<&'static str> {
    match tool {
        b"golang" => Some("GOROOT"),
        _ => None,
    }
}
