//! The allocator: a bump arena in `.bss` that never frees (a shim `exec`s
//! within a millisecond, and `exec` drops the whole address space). Only
//! the pages it touches cost a fault. When it is full the allocation fails,
//! which panics, and the panic hands the shim to the std path.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Far more than a shim run takes (a few KiB).
const SIZE: usize = 1 << 20;

pub struct Arena {
    memory: UnsafeCell<[u8; SIZE]>,
    next: AtomicUsize,
}

// SAFETY: blocks are handed out by an atomic bump; no two overlap.
unsafe impl Sync for Arena {}

impl Arena {
    pub const fn new() -> Self {
        Arena {
            memory: UnsafeCell::new([0; SIZE]),
            next: AtomicUsize::new(0),
        }
    }
}

// SAFETY: every block returned lies inside `memory`, is aligned as asked
// and is never handed out twice; null when the arena cannot fit it.
unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let base = self.memory.get().cast::<u8>();
        let mut next = self.next.load(Ordering::Relaxed);
        loop {
            let start = (base as usize + next).next_multiple_of(layout.align()) - base as usize;
            let Some(end) = start.checked_add(layout.size()).filter(|e| *e <= SIZE) else {
                return core::ptr::null_mut();
            };
            match (self.next).compare_exchange_weak(next, end, Ordering::Relaxed, Ordering::Relaxed)
            {
                // SAFETY: `start..end` is inside `memory`.
                Ok(_) => return unsafe { base.add(start) },
                Err(seen) => next = seen,
            }
        }
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}
