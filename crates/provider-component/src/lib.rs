//! The provider as a WebAssembly component: the WIT glue around `bucket_access_key`, and nothing
//! else. Built for `wasm32-unknown-unknown` and componentized by the host's build script; on other
//! targets this crate is empty.

#![deny(missing_docs)]
#![cfg_attr(target_arch = "wasm32", no_std)]

#[cfg(target_arch = "wasm32")]
extern crate alloc;

#[cfg(target_arch = "wasm32")]
mod allocator;
#[cfg(target_arch = "wasm32")]
mod component;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: allocator::BumpAllocator = allocator::BumpAllocator::new();

/// The canonical ABI's allocation function, which only the host calls: to lower a call's
/// arguments, and an import's results. It replaces wit-bindgen's (a weak symbol) to tell the
/// allocator when a new call starts (see `allocator`).
///
/// # Safety
///
/// Called by the host as the canonical ABI says: `old` and `old_len` as this function returned
/// them before (or null and 0), `align` a power of two.
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_realloc(old: *mut u8, old_len: usize, align: usize, new_len: usize) -> *mut u8 {
    use core::alloc::{GlobalAlloc, Layout};
    ALLOCATOR.host_allocates();
    if old_len == 0 && new_len == 0 {
        return align as *mut u8;
    }
    // SAFETY: the canonical ABI passes a valid alignment, and `old` with `old_len` and `align` as
    // this function returned it.
    let new = unsafe {
        if old_len == 0 {
            ALLOCATOR.alloc(Layout::from_size_align_unchecked(new_len, align))
        } else {
            ALLOCATOR.realloc(old, Layout::from_size_align_unchecked(old_len, align), new_len)
        }
    };
    if new.is_null() {
        core::arch::wasm32::unreachable();
    }
    new
}

/// A panic is a bug: the call ends with a trap, which the host reports. Without `std`'s handler the
/// component carries no panic message formatting.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
