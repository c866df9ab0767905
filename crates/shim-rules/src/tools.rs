//! The variable each built-in tool sets to its version's folder for the
//! programs it runs (Go's `GOROOT`, as asdf-golang sets it for a Go from its
//! official archive): declared once here, read by both shim paths (the main
//! crate's `tools::Builtin::env`).

/// The variable `tool` sets to the install folder, if any.
pub fn install_path_var(tool: &[u8]) -> Option<&'static str> {
    match tool {
        b"golang" => Some("GOROOT"),
        _ => None,
    }
}
