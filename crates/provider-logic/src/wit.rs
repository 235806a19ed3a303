//! The guest side's one binding of the WIT world (`wit/provider.wit`): the imports, which
//! [`crate::host::WitImports`] calls, and the exports, which `provider-component` implements.
//! Natively the imports are stubs that are never called.

#![allow(missing_docs, clippy::all)]

wit_bindgen::generate!({
    path: "../../wit",
    world: "provider",
    pub_export_macro: true,
    default_bindings_module: "provider_logic::wit",
});
