//! The tree by level, read from `cargo metadata`: each package lives in `LEVEL/PACKAGE-NAME/`, and no
//! package's normal or build dependency runs back up to a level above its own, so no product links
//! a test crate. Tests (dev-dependencies) may use anything below the root.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The levels, lowest first; a folder of the same rank may import the other (the host and the local
/// endpoint do not, but neither is above the other). The root package (end-to-end tests) is last.
const LEVELS: &[(&str, u8)] =
    &[("tools", 0), ("crates", 1), ("host", 2), ("endpoint", 2), ("adapters", 3), ("testing", 4)];
const ROOT: u8 = 5;

struct Package {
    name: String,
    level: u8,
    /// (dependency name, kind): "normal", "build" or "dev".
    dependencies: Vec<(String, String)>,
}

fn workspace() -> Vec<Package> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let root = Path::new(metadata["workspace_root"].as_str().unwrap());
    let text = |value: &Value| value.as_str().unwrap_or_default().to_string();
    let packages = metadata["packages"].as_array().unwrap().iter().map(|package| {
        let name = text(&package["name"]);
        let folder = Path::new(package["manifest_path"].as_str().unwrap()).parent().unwrap();
        let relative = folder.strip_prefix(root).unwrap();
        let parts: Vec<&str> = relative.iter().map(|p| p.to_str().unwrap()).collect();
        let level = match parts[..] {
            [] => ROOT,
            [level, folder] => {
                assert_eq!(folder, name, "the folder of package {name} is named after it");
                LEVELS.iter().find(|(l, _)| *l == level).unwrap_or_else(|| panic!("{name}: no level {level}")).1
            }
            _ => panic!("package {name} is at {}, not LEVEL/{name}", relative.display()),
        };
        let dependencies = package["dependencies"].as_array().unwrap().iter().filter(|d| d["path"].is_string());
        let dependencies = dependencies.map(|d| (text(&d["name"]), d["kind"].as_str().unwrap_or("normal").into()));
        Package { name, level, dependencies: dependencies.collect() }
    });
    packages.collect()
}

#[test]
fn no_import_runs_back_up_and_no_product_links_a_test_crate() {
    let packages = workspace();
    let level = |name: &str| packages.iter().find(|p| p.name == name).map(|p| p.level).unwrap();
    let mut upward = Vec::new();
    for package in &packages {
        for (dependency, kind) in &package.dependencies {
            let allowed = if kind == "dev" { ROOT - 1 } else { package.level };
            if level(dependency) > allowed {
                upward.push(format!("{} -> {dependency} ({kind})", package.name));
            }
        }
    }
    assert!(upward.is_empty(), "imports that run back up: {upward:?}");
    assert!(packages.len() >= 12, "every package is read: {}", packages.len());
}
