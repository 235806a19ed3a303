//! The provider as a WebAssembly component: the WIT glue around `bucket_access_key`, and nothing
//! else. Built for `wasm32-unknown-unknown` and componentized by the host's build script; on other
//! targets this crate is empty.

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

/// A panic is a bug: the call ends with a trap, which the host reports. Without `std`'s handler the
/// component carries no panic message formatting.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
