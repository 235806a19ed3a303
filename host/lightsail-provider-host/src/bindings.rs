//! Rust bindings of the `lightsail:provider/provider` world, for the host side.

wasmtime::component::bindgen!({
    path: "../../wit",
    world: "provider",
    // `acquire` may trap: a component that asks for a second lock while it holds one breaks the
    // contract, and would otherwise wait for itself forever. (Every other failure is its
    // `lock-error`.)
    imports: { "lightsail:provider/lock.acquire": async | trappable, default: async },
    exports: { default: async },
    with: { "lightsail:provider/lock.guard": crate::lock::Guard },
});

pub use exports::lightsail::provider::resource_provider as exported;
pub use lightsail::provider::errors;
pub use lightsail::provider::lightsail as api;
pub use lightsail::provider::lock as locks;
pub use lightsail::provider::log;
pub use lightsail::provider::openpgp;

impl errors::ApiError {
    /// A host's error, which carries no hint (the WIT: only the component's do).
    pub(crate) fn new(
        kind: errors::ErrorKind,
        code: impl Into<String>,
        message: impl Into<String>,
        retryable: bool,
    ) -> Self {
        Self { kind, code: code.into(), message: message.into(), retryable, hint: None }
    }
}
