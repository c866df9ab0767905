//! Entry point: a shim (`tool --shim <path> args…`, from a shim's shebang)
//! goes to the fast path; everything else to the command line.

use std::ffi::OsString;
use std::path::PathBuf;

fn main() {
    tool::process::die_quietly_on_closed_pipes();
    let mut args: Vec<OsString> = std::env::args_os().collect();
    let code = if args.len() >= 3 && args[1] == tool::shim::SHIM_FLAG {
        let rest = args.split_off(3);
        tool::shim::run::run(&PathBuf::from(&args[2]), None, rest)
    } else {
        tool::cli::run(args)
    };
    std::process::exit(code);
}
