//! Builds the purpose-made components the tests load into the hosts: the misbehaving provider and
//! the conformance kit's probe.

use std::path::PathBuf;

fn main() {
    let workspace = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    component_build::rerun_if_changed(
        &workspace,
        &["wit", "testing/misbehaving-component", "testing/conformance-probe", "Cargo.lock", "Cargo.toml"],
    );
    for (package, artifact, file) in [
        ("misbehaving-component", "misbehaving_component", "misbehaving.wasm"),
        ("conformance-probe", "conformance_probe", "conformance-probe.wasm"),
    ] {
        let component = component_build::component(&workspace, package, artifact, &out_dir.join("guest-target"));
        std::fs::write(out_dir.join(file), component.bytes).unwrap();
    }
}
