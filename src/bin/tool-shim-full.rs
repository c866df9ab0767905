//! `tool-shim-full`: the std shim path, for every run the no-libc `tool-shim`
//! (the interpreter a shim's shebang names, `tool-shim/`) hands over — a
//! plugin, a hook, a setting, an installer command, an error to explain —
//! and the interpreter itself where that one is missing. Started as
//! `tool-shim-full [--tools=a,b] <shim> args…`; it links only the shim path
//! (no argument parser, async runtime or network code), so it starts faster
//! than the full `tool`.
//!
//! It has its own C `main` instead of Rust's: std's start-up installs a
//! stack-overflow handler for the main thread, and finding the main thread's
//! stack reads `/proc/self/maps` (about a dozen system calls and a page of
//! parsing) for a process that only looks up a program and `exec`s it. The
//! rest of std's start-up is left to the paths that need it: SIGPIPE keeps
//! the action the shim inherited, so the program run gets it as it would
//! from asdf's shell shim; closed standard descriptors are reopened (and
//! SIGPIPE reset) only before an installer runs as a child
//! (`shim::installers`), the one path that writes files and prints.
//! `std::process::exit` flushes stdout; `args_os` still works: on glibc std
//! reads argv from its `.init_array` hook.

// Under `cargo test` the test harness brings its own `main`.
#![cfg_attr(not(test), no_main)]

/// Blocks come from a 64 KiB bump arena (a shim uses about 10 KiB), never
/// freed before `exec` (see the module).
#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: tool::shim::arena::Arena<{ 64 << 10 }> = tool::shim::arena::Arena::new();

// SAFETY: `#![no_main]` leaves no other `main`; glibc's start-up calls this
// with the usual C arguments, which are read through `std::env::args_os`.
#[cfg(not(test))]
#[unsafe(no_mangle)]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    // `tool-shim [--tools=a,b] <shim> args…`: shims that reshim wrote with
    // room in their shebang name their tools there.
    let mut args = std::env::args_os().skip(1).peekable();
    let listed = args.peek().and_then(|a| tool::shim::listed_tools(a));
    if listed.is_some() {
        args.next();
    }
    let code = match args.next() {
        Some(shim) => tool::shim::run::run(std::path::Path::new(&shim), listed, args.collect()),
        None => {
            eprintln!(
                "tool-shim: runs a shim; usage: tool-shim <shim> [args…] (shims name it in their first line)"
            );
            2
        }
    };
    std::process::exit(code);
}
