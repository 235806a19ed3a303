//! The provider as a WebAssembly component: the WIT glue around `bucket_access_key`, and nothing
//! else. Built for `wasm32-unknown-unknown` and componentized by the host's build script; on other
//! targets this crate is empty.

#[cfg(target_arch = "wasm32")]
mod allocator;
#[cfg(target_arch = "wasm32")]
mod component;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: allocator::BumpAllocator = allocator::BumpAllocator::new();
