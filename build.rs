//! Builds the purpose-made misbehaving component that the tests load into the host.

use std::path::PathBuf;

fn main() {
    let workspace = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    component_build::rerun_if_changed(
        &workspace,
        &["wit", "testing/misbehaving-component", "Cargo.lock", "Cargo.toml"],
    );
    let component = component_build::component(
        &workspace,
        "misbehaving-component",
        "misbehaving_component",
        &out_dir.join("guest-target"),
    );
    std::fs::write(out_dir.join("misbehaving.wasm"), component.bytes).unwrap();
}
