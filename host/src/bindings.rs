//! Rust bindings of the `lightsail:provider/provider` world, for the host side.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "provider",
    imports: { default: async },
    exports: { default: async },
    with: { "lightsail:provider/lock.guard": crate::lock::Guard },
});

pub use exports::lightsail::provider::resource_provider as exported;
pub use lightsail::provider::lightsail as api;
pub use lightsail::provider::lock as locks;
pub use lightsail::provider::log;
