//! `tool-shim`: the interpreter named in a shim's shebang. The kernel starts
//! `tool-shim <shim> args…`; it links only the shim path (no argument parser,
//! async runtime or network code), so it starts faster than the full `tool`.

use std::ffi::OsString;
use std::path::PathBuf;

fn main() {
    let mut args = std::env::args_os().skip(1);
    let code = match args.next() {
        Some(shim) => tool::shim::run::run(&PathBuf::from(shim), args.collect::<Vec<OsString>>()),
        None => {
            eprintln!(
                "tool-shim: runs a shim; usage: tool-shim <shim> [args…] (shims name it in their first line)"
            );
            2
        }
    };
    std::process::exit(code);
}
