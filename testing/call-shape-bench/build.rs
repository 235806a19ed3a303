//! Builds the call-shape prototype the bench runs.

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let workspace = manifest_dir.parent().and_then(|testing| testing.parent()).unwrap();
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    component_build::rerun_if_changed(workspace, &["testing/call-shape-prototype", "Cargo.lock", "Cargo.toml"]);
    let component = component_build::component(
        workspace,
        "call-shape-prototype",
        "call_shape_prototype",
        &out_dir.join("guest-target"),
    );
    std::fs::write(out_dir.join("call-shape.wasm"), component.bytes).unwrap();
}
