//! The allocator of `tool-shim-full`: a bump arena that never frees, falling back
//! to the system allocator when it is full.
//!
//! A shim lives for well under a millisecond and then `exec`s, which drops
//! its whole address space; freeing on the way is wasted work. glibc's
//! `malloc`, `free` and `realloc` were a quarter of the instructions a shim
//! ran before `exec` (callgrind), for a few hundred small blocks. Here an
//! allocation is an aligned bump; the newest block grows and shrinks in place
//! (a `Vec` or `String` being built); freeing the newest block gives its bytes
//! back; any other free is a no-op. Once the arena is full, and for blocks
//! larger than a quarter of it, the system allocator takes over, so the
//! shim's slower paths (an installer run through it, then a reshim) are only
//! as bounded as they were.
//!
//! (`static-alloc`'s `Bump` returns null when full instead of falling back,
//! and copies on every `realloc`; hence this small one.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// A bump allocator over one `N`-byte block taken from the system allocator
/// at the first allocation; see the module.
///
/// The block comes from the heap rather than from a static array: a large
/// array in `.bss` spread the small variables around it (std's, glibc's)
/// over more pages, and every page first written is a fault (about 1.8 µs on
/// a virtual machine, the cost of some 4,000 instructions). Mapping the block
/// with its pages populated measured no faster.
pub struct Arena<const N: usize> {
    /// The block, null until the first allocation.
    memory: AtomicPtr<u8>,
    /// Offset of the first free byte; only ever moved with compare-exchange.
    next: AtomicUsize,
}

impl<const N: usize> Default for Arena<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Arena<N> {
    pub const fn new() -> Self {
        Arena {
            memory: AtomicPtr::new(std::ptr::null_mut()),
            next: AtomicUsize::new(0),
        }
    }

    /// The block, taken from the system at the first call; null when the
    /// system has none to give.
    fn base(&self) -> *mut u8 {
        let memory = self.memory.load(Ordering::Acquire);
        if !memory.is_null() {
            return memory;
        }
        let layout = Self::block_layout();
        // SAFETY: a valid, non-zero layout.
        let fresh = unsafe { System.alloc(layout) };
        if fresh.is_null() {
            return fresh;
        }
        let null = std::ptr::null_mut();
        match (self.memory).compare_exchange(null, fresh, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => fresh,
            Err(theirs) => {
                // Another thread's first allocation won; ours goes back.
                // SAFETY: `fresh` came from `System.alloc(layout)` just now.
                unsafe { System.dealloc(fresh, layout) };
                theirs
            }
        }
    }

    fn block_layout() -> Layout {
        Layout::from_size_align(N, 16).unwrap_or(Layout::new::<u8>())
    }

    /// The offset of `ptr` in the arena, when the arena handed it out.
    fn offset_of(&self, ptr: *mut u8) -> Option<usize> {
        let memory = self.memory.load(Ordering::Acquire);
        let offset = (ptr as usize).wrapping_sub(memory as usize);
        (!memory.is_null() && offset < N).then_some(offset)
    }

    /// Claims `layout` from the arena, or `None` when it does not fit.
    fn bump(&self, layout: Layout) -> Option<*mut u8> {
        if layout.align() > 4096 || layout.size() > N / 4 {
            return None;
        }
        let base = self.base();
        if base.is_null() {
            return None;
        }
        let mut next = self.next.load(Ordering::Relaxed);
        loop {
            // Aligned as an address: the block itself is 16-byte aligned.
            let start = (base as usize + next).next_multiple_of(layout.align()) - base as usize;
            let end = start.checked_add(layout.size())?;
            if end > N {
                return None;
            }
            match (self.next).compare_exchange_weak(next, end, Ordering::Relaxed, Ordering::Relaxed)
            {
                // SAFETY: `start..end` lies inside the block.
                Ok(_) => return Some(unsafe { base.add(start) }),
                Err(now) => next = now,
            }
        }
    }

    /// Moves the end of the newest block from `old_end` to `new_end`; false
    /// when the block at `old_end` is no longer the newest.
    fn resize_newest(&self, old_end: usize, new_end: usize) -> bool {
        new_end <= N
            && (self.next)
                .compare_exchange(old_end, new_end, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }
}

impl<const N: usize> Drop for Arena<N> {
    fn drop(&mut self) {
        let memory = *self.memory.get_mut();
        if !memory.is_null() {
            // SAFETY: the block came from `System.alloc(block_layout())`.
            unsafe { System.dealloc(memory, Self::block_layout()) };
        }
    }
}

// SAFETY: every block handed out is `layout.size()` bytes aligned to
// `layout.align()` and disjoint from every other live block: arena blocks are
// claimed by compare-exchange and only given back (or resized) while they are
// the newest; blocks outside the arena come from, and go back to, `System`.
unsafe impl<const N: usize> GlobalAlloc for Arena<N> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match self.bump(layout) {
            Some(ptr) => ptr,
            // SAFETY: the caller's contract for `layout` is `System`'s too.
            None => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match self.offset_of(ptr) {
            // The newest block's bytes come back; any other stays claimed.
            Some(start) => _ = self.resize_newest(start + layout.size(), start),
            // SAFETY: not from the arena, so `System` handed it out.
            None => unsafe { System.dealloc(ptr, layout) },
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Some(start) = self.offset_of(ptr) else {
            // SAFETY: not from the arena, so `System` handed it out.
            return unsafe { System.realloc(ptr, layout, new_size) };
        };
        let old_end = start + layout.size();
        if new_size <= layout.size() || self.resize_newest(old_end, start + new_size) {
            return ptr;
        }
        // SAFETY: the caller guarantees `new_size` with this alignment is a
        // valid layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as `alloc`; the old block is live and `layout.size()` long.
        unsafe {
            let new = self.alloc(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size());
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn blocks_are_aligned_disjoint_and_the_newest_grows_in_place() {
        let arena = Arena::<4096>::new();
        // SAFETY: the layouts are valid and non-zero; every block is freed
        // with the layout it has.
        unsafe {
            let a = arena.alloc(layout(3, 1));
            let b = arena.alloc(layout(16, 16));
            assert_eq!(b as usize % 16, 0);
            assert!(b as usize >= a as usize + 3, "blocks overlap");
            let grown = arena.realloc(b, layout(16, 16), 64);
            assert_eq!(grown, b, "the newest block grows where it is");
            let moved = arena.realloc(a, layout(3, 1), 100);
            assert_ne!(moved, a, "an older block cannot grow in place");
            assert!(
                moved as usize >= b as usize + 64,
                "the copy overlaps a live block"
            );
            arena.dealloc(moved, layout(100, 1));
            let reused = arena.alloc(layout(8, 1));
            assert_eq!(
                reused, moved,
                "the newest block's bytes come back when it is freed"
            );
        }
    }

    #[test]
    fn contents_survive_a_move() {
        let arena = Arena::<4096>::new();
        // SAFETY: valid layouts; the blocks are written within their sizes.
        unsafe {
            let a = arena.alloc(layout(4, 1));
            a.copy_from(b"abcd".as_ptr(), 4);
            let _b = arena.alloc(layout(1, 1));
            let moved = arena.realloc(a, layout(4, 1), 8);
            assert_eq!(std::slice::from_raw_parts(moved, 4), b"abcd");
        }
    }

    #[test]
    fn a_full_arena_and_large_blocks_fall_back_to_the_system() {
        let arena = Arena::<4096>::new();
        // SAFETY: valid layouts; blocks from `System` are freed through the
        // arena, which hands them back to `System`.
        unsafe {
            let big = arena.alloc(layout(4096, 8));
            assert!(!big.is_null());
            assert!(
                arena.offset_of(big).is_none(),
                "a block that large is the system's"
            );
            arena.dealloc(big, layout(4096, 8));
            let mut inside = 0;
            for _ in 0..8 {
                let p = arena.alloc(layout(4096 / 5, 8));
                assert!(!p.is_null());
                inside += usize::from(arena.offset_of(p).is_some());
            }
            assert_eq!(inside, 4, "four fifths fit, the rest come from the system");
            let grown = arena.realloc(arena.alloc(layout(8, 8)), layout(8, 8), 1 << 16);
            assert!(!grown.is_null() && arena.offset_of(grown).is_none());
        }
    }
}
