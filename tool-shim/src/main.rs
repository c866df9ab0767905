//! `tool-shim`: the interpreter a shim's shebang names. The kernel starts
//! `tool-shim --tools=a,b <shim> args…`; this program, with no libc and no
//! std (origin starts it, rustix makes its system calls), finds the version
//! set here and `exec`s its program, as `tool-shim-full` (the std shim path
//! of the main crate) would. Any run it is not sure of — a plugin, a hook,
//! a setting, an installer command, an error to explain — it hands, with
//! its arguments and environment untouched, to `tool-shim-full` beside it
//! (or `tool --shim`), so every answer that needs words has one home.

#![no_std]
#![no_main]

extern crate alloc;
extern crate origin;

mod arena;
mod env;
mod installers;
mod path;
mod run;
mod settings;
mod sys;
mod tool_versions;
mod tools;

use alloc::vec::Vec;
use core::ffi::CStr;
use core::sync::atomic::{AtomicPtr, Ordering};

#[global_allocator]
static ALLOCATOR: arena::Arena = arena::Arena::new();

/// The argument and environment blocks the kernel gave, kept for the panic
/// handler (which gets no context) to hand the run over with.
static ARGV: AtomicPtr<*mut u8> = AtomicPtr::new(core::ptr::null_mut());
static ENVP: AtomicPtr<*mut u8> = AtomicPtr::new(core::ptr::null_mut());

// SAFETY: origin calls this once, with the kernel's null-terminated blocks.
#[unsafe(no_mangle)]
unsafe fn origin_main(_argc: usize, argv: *mut *mut u8, envp: *mut *mut u8) -> i32 {
    ARGV.store(argv, Ordering::Relaxed);
    ENVP.store(envp, Ordering::Relaxed);
    // SAFETY: as above.
    let (args, block) = unsafe { (strings(argv), strings(envp)) };
    let start = run::Start {
        args,
        vars: env::Vars::new(&block),
    };
    let _handed_over = run::run(&start);
    hand_over(argv, envp)
}

/// The strings of a null-terminated block.
///
/// # Safety
/// `block` is null or a null-terminated array of NUL-terminated strings
/// that live for the whole process.
unsafe fn strings(block: *mut *mut u8) -> Vec<&'static CStr> {
    let mut out = Vec::with_capacity(env_len(block));
    let mut p = block;
    // SAFETY: per the contract, each pointer up to the null is a C string.
    unsafe {
        while !p.is_null() && !(*p).is_null() {
            out.push(CStr::from_ptr((*p).cast()));
            p = p.add(1);
        }
    }
    out
}

/// Runs `tool-shim-full` (else `tool --shim`) beside this program with the
/// same arguments and environment; exits 126 when neither can run. Takes
/// no memory from the arena (a full one may be why it runs): the kernel's
/// argument block is reused in place and every path is on the stack.
fn hand_over(argv: *mut *mut u8, envp: *mut *mut u8) -> ! {
    let mut exe = [0u8; 4096];
    let dir_len = own_dir(&mut exe, argv);
    let dir = &exe[..dir_len];
    let mut program = [0u8; 4200];
    let mut last = rustix::io::Errno::NOENT;
    if let Some(full) = beside(&mut program, dir, b"tool-shim-full") {
        // SAFETY: `argv` holds at least `argv[0]`; the kernel's block is ours.
        unsafe { *argv = full.as_ptr().cast_mut().cast() };
        last = sys::exec(full, argv.cast(), envp.cast());
    }
    let mut program = [0u8; 4200];
    if let Some(tool) = beside(&mut program, dir, b"tool") {
        let mut longer = [core::ptr::null::<u8>(); 1024];
        // SAFETY: as above; `--shim` and `tool` outlive the call.
        if let Some(args) = unsafe { with_shim_flag(argv, tool, &mut longer) } {
            last = sys::exec(tool, args, envp.cast());
        }
    }
    let shown = if dir.is_empty() { &b"."[..] } else { dir };
    let mut code = [0u8; 8];
    sys::print_error(&[
        b"tool-shim: cannot run tool-shim-full or tool in ",
        shown,
        b": os error ",
        decimal(last.raw_os_error(), &mut code),
        b"\n",
    ]);
    origin::program::immediate_exit(126)
}

/// `dir/name` as a C string in `buf`.
fn beside<'a>(buf: &'a mut [u8], dir: &[u8], name: &[u8]) -> Option<&'a CStr> {
    let sep = usize::from(!dir.is_empty() && !dir.ends_with(b"/"));
    let len = dir.len() + sep + name.len();
    if len + 1 > buf.len() {
        return None;
    }
    buf[..dir.len()].copy_from_slice(dir);
    buf[dir.len()..dir.len() + sep].fill(b'/');
    buf[dir.len() + sep..len].copy_from_slice(name);
    buf[len] = 0;
    CStr::from_bytes_with_nul(&buf[..=len]).ok()
}

/// `tool --shim <shim> args…` from `tool-shim [--tools=…] <shim> args…`:
/// in place when the tools are listed (`tool --shim` reads them from the
/// shim), else in `longer`.
///
/// # Safety
/// `argv` is the kernel's null-terminated argument block.
unsafe fn with_shim_flag(
    argv: *mut *mut u8,
    tool: &CStr,
    longer: &mut [*const u8],
) -> Option<*const *const u8> {
    let n = env_len(argv);
    // SAFETY: `argv[..n]` are C strings, per the contract.
    let listed = n > 1
        && unsafe { CStr::from_ptr((*argv.add(1)).cast()) }
            .to_bytes()
            .starts_with(b"--tools=");
    if listed {
        // SAFETY: both slots exist (`n > 1`).
        unsafe {
            *argv = tool.as_ptr().cast_mut().cast();
            *argv.add(1) = c"--shim".as_ptr().cast_mut().cast();
        }
        return Some(argv.cast());
    }
    if n + 2 > longer.len() {
        return None;
    }
    longer[0] = tool.as_ptr().cast();
    longer[1] = c"--shim".as_ptr().cast();
    for i in 1..n {
        // SAFETY: `i < n`.
        longer[i + 1] = unsafe { *argv.add(i) }.cast_const();
    }
    longer[n + 1] = core::ptr::null();
    Some(longer.as_ptr())
}

/// The folder of this program, into `buf`: `/proc/self/exe`'s, else (no
/// `/proc`) `argv[0]`'s (the kernel passes a shebang's path as written).
fn own_dir(buf: &mut [u8], argv: *mut *mut u8) -> usize {
    let len = match sys::own_exe(buf) {
        Some(n) => n,
        None => {
            // SAFETY: argv[0], when there is one, is a C string.
            let argv0 = unsafe {
                (!argv.is_null() && !(*argv).is_null()).then(|| CStr::from_ptr((*argv).cast()))
            };
            let bytes = argv0.map_or(&b""[..], CStr::to_bytes);
            let n = bytes.len().min(buf.len());
            buf[..n].copy_from_slice(&bytes[..n]);
            n
        }
    };
    match buf[..len].iter().rposition(|b| *b == b'/') {
        Some(0) => 1,
        Some(i) => i,
        None => 0,
    }
}

/// `n` in decimal, into `buf`.
fn decimal(mut n: i32, buf: &mut [u8; 8]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10).unsigned_abs() as u8;
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    &buf[i..]
}

/// Entries of a null-terminated block.
fn env_len(block: *mut *mut u8) -> usize {
    let mut n = 0;
    // SAFETY: the kernel's null-terminated block.
    unsafe {
        while !block.is_null() && !(*block.add(n)).is_null() {
            n += 1;
        }
    }
    n
}

/// A bug or a full arena in the fast path: the std path runs the shim.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    hand_over(ARGV.load(Ordering::Relaxed), ENVP.load(Ordering::Relaxed))
}
