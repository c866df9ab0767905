//! `tool-shim`: the interpreter named in a shim's shebang. The kernel starts
//! `tool-shim [--tools=a,b] <shim> args…`; it links only the shim path (no argument parser,
//! async runtime or network code), so it starts faster than the full `tool`.
//!
//! It has its own C `main` instead of Rust's: std's start-up installs a
//! stack-overflow handler for the main thread, and finding the main thread's
//! stack reads `/proc/self/maps` (about a dozen system calls and a page of
//! parsing) for a process that only looks up a program and `exec`s it. What
//! else std's start-up does that a shim relies on is done here: closed
//! standard descriptors are reopened on `/dev/null`, SIGPIPE is left at its
//! default action, and `std::process::exit` flushes stdout. `args_os` still
//! works: on glibc std reads argv from its `.init_array` hook.

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
    reopen_closed_stdio();
    tool::process::die_quietly_on_closed_pipes();
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

/// As std's start-up does: a standard descriptor the parent left closed is
/// opened on `/dev/null`, so no file opened later takes its number (and the
/// program run keeps seeing it as before).
#[cfg(not(test))]
fn reopen_closed_stdio() {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: `fds` is a valid array of three pollfd; a zero timeout returns at once.
    let ready = unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) };
    for pfd in fds {
        let closed = match ready {
            0 => false, // all three open: the usual case
            1.. => pfd.revents & libc::POLLNVAL != 0,
            // poll itself failed (RLIMIT_NOFILE of 0…): ask the descriptor.
            // SAFETY: F_GETFD only reads the descriptor's flags.
            _ => (unsafe { libc::fcntl(pfd.fd, libc::F_GETFD) }) == -1,
        };
        if closed {
            // SAFETY: a constant NUL-terminated path; open takes the lowest
            // free descriptor, which is this one (the lower ones are open).
            unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
        }
    }
}
