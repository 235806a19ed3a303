//! Builds the provider component from `crates/provider-component`; the host embeds it.

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let workspace = manifest_dir.parent().and_then(|host| host.parent()).unwrap();
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    component_build::rerun_if_changed(workspace, &["wit", "crates", "Cargo.lock", "Cargo.toml"]);
    let component = component_build::component(
        workspace,
        "provider-component",
        "provider_component",
        &out_dir.join("guest-target"),
    );
    std::fs::write(out_dir.join("provider.wasm"), component.bytes).unwrap();
    println!("cargo:rustc-env=PROVIDER_COMPONENT_SHRUNK={}", component.shrunk);
    // The contract's version, written once: in the WIT's package line.
    let wit = std::fs::read_to_string(workspace.join("wit/provider.wit")).unwrap();
    let version = wit
        .lines()
        .find_map(|line| line.strip_prefix("package lightsail:provider@")?.strip_suffix(';'))
        .expect("wit/provider.wit declares `package lightsail:provider@VERSION;`");
    println!("cargo:rustc-env=CONTRACT_VERSION={version}");
}
