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
mod hand_over;
mod path;
mod run;
mod sys;

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
    hand_over::hand_over(argv, envp)
}

/// The strings of a null-terminated block.
///
/// # Safety
/// `block` is null or a null-terminated array of NUL-terminated strings
/// that live for the whole process.
unsafe fn strings(block: *mut *mut u8) -> Vec<&'static CStr> {
    let mut out = Vec::with_capacity(hand_over::block_len(block));
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

/// A bug or a full arena in the fast path: the std path runs the shim.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    hand_over::hand_over(ARGV.load(Ordering::Relaxed), ENVP.load(Ordering::Relaxed))
}
