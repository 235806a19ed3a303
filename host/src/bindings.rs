//! Rust bindings of the `lightsail:provider/provider` world, for the host side.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "provider",
    imports: { default: async },
    exports: { default: async },
});

pub use exports::lightsail::provider::resource_provider as exported;
pub use lightsail::provider::lightsail as api;
pub use lightsail::provider::log;
