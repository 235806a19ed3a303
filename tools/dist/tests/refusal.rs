//! dist writes nothing for binaries that carry another component than the one it would ship
//! beside them: here the CLI carries one component and the Terraform plugin says it carries another.
//! (The whole run, on the real binaries, is the workspace's `tests/dist.rs`.)

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

fn script(dir: &Path, name: &str, body: &str) {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn binaries_that_carry_another_component_are_refused_and_nothing_is_summed() {
    let dir = tempfile::tempdir().unwrap();
    let binaries = dir.path().join("bin");
    std::fs::create_dir(&binaries).unwrap();
    let digest = "$(printf component | sha256sum | cut -d' ' -f1)";
    script(
        &binaries,
        "lightsail-provider",
        &format!(
            "case \"$1\" in\n  component) printf component > \"$3\" ;;\n  --version) echo \"lightsail-provider 0.1.0 (component sha256:{digest})\" ;;\nesac"
        ),
    );
    let other = "0".repeat(64);
    script(
        &binaries,
        "terraform-provider-lightsail",
        &format!("echo 'terraform-provider-lightsail 0.1.0 (component sha256:{other})'"),
    );
    let out = dir.path().join("out");
    let output = Command::new(env!("CARGO_BIN_EXE_dist"))
        .arg("--out")
        .arg(&out)
        .arg("--binaries")
        .arg(&binaries)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("terraform-provider-lightsail carries another component than provider.wasm"), "{stderr}");
    assert!(!out.join("SHA256SUMS").exists(), "nothing is summed");
}
