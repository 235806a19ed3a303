//! The component's allocator. The component keeps nothing between calls, so nothing needs to go
//! back to a free list: allocating bumps a pointer, freeing does nothing, and the latest allocation
//! grows in place, so a growing string or vector does not copy. Smaller and faster than a general
//! allocator: with `dealloc` empty, the compiler drops the drop glue that would only free memory,
//! about 9 KB of the component. The host caps how far an instance's memory grows.
//!
//! A host may reuse an instance for many calls (jco does), so each call starts from a clean heap.
//! Once a call has returned, everything on the heap is garbage as soon as the host has read the
//! results, which it does before it may start another call. The next call begins either when the
//! host lowers its arguments (its first `cabi_realloc`) or, for a call without any, when the export
//! is entered: whichever comes first starts the heap afresh. Allocations of the component's own
//! glue after an export returns (lowering its results) never reset it: only the host calls
//! `cabi_realloc`.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::Cell;
use core::ptr::null_mut;

const PAGE: usize = 64 << 10;

pub struct BumpAllocator {
    /// The first free byte; 0 until the first allocation, and after a reset.
    next: Cell<usize>,
    phase: Cell<Phase>,
}

/// Where the instance stands between and within calls.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The host may be lowering a call's arguments (or no call has come yet).
    Starting,
    /// An export is running.
    InCall,
    /// An export has returned: the heap holds its results until the host has read them.
    Returned,
}

// SAFETY: wasm32-unknown-unknown without the atomics feature runs one thread.
unsafe impl Sync for BumpAllocator {}

impl BumpAllocator {
    pub const fn new() -> Self {
        Self { next: Cell::new(0), phase: Cell::new(Phase::Starting) }
    }

    /// The host allocates (`cabi_realloc`): lowering the arguments of a new call, if the last one
    /// has returned, or the results of an import within a call.
    pub fn host_allocates(&self) {
        if self.phase.get() == Phase::Returned {
            self.next.set(0);
            self.phase.set(Phase::Starting);
        }
    }

    /// An export is entered; the heap is reset unless the host has just lowered its arguments.
    /// The call ends when the returned guard is dropped, before its results are lowered.
    pub fn call(&self) -> CallGuard<'_> {
        if self.phase.get() == Phase::Returned {
            self.next.set(0);
        }
        self.phase.set(Phase::InCall);
        CallGuard(self)
    }

    fn next(&self) -> usize {
        match self.next.get() {
            0 => {
                unsafe extern "C" {
                    // Where the linker ends the stack and data; the heap starts here.
                    static __heap_base: u8;
                }
                core::ptr::addr_of!(__heap_base) as usize
            }
            next => next,
        }
    }

    /// Makes `[.., end)` addressable, growing memory as needed.
    fn reserve_to(&self, end: usize) -> bool {
        let size = wasm32::memory_size(0) * PAGE;
        end <= size || wasm32::memory_grow(0, (end - size).div_ceil(PAGE)) != usize::MAX
    }
}

/// The running export; dropped as it returns.
pub struct CallGuard<'a>(&'a BumpAllocator);

impl Drop for CallGuard<'_> {
    fn drop(&mut self) {
        self.0.phase.set(Phase::Returned);
    }
}

unsafe impl GlobalAlloc for BumpAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let start = match self.next().checked_next_multiple_of(layout.align()) {
            Some(start) => start,
            None => return null_mut(),
        };
        match start.checked_add(layout.size()) {
            Some(end) if self.reserve_to(end) => {
                self.next.set(end);
                start as *mut u8
            }
            _ => null_mut(),
        }
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // The latest allocation grows or shrinks where it is.
        if ptr as usize + layout.size() == self.next() {
            return match (ptr as usize).checked_add(new_size) {
                Some(end) if self.reserve_to(end) => {
                    self.next.set(end);
                    ptr
                }
                _ => null_mut(),
            };
        }
        // SAFETY: the caller's guarantees for `realloc` cover these calls.
        unsafe {
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            }
            new
        }
    }
}
