//! The gate as `.ci/run` runs it, on lock files it must refuse and pass: the workspace's own
//! `Cargo.lock` with an advisory-hit version put back in, against a one-advisory database
//! (`tests/advisory-db`, RUSTSEC-2026-0194 for quick-xml < 0.41).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const POLICY: &str = "[licences]\nallowed = [\"MIT\", \"Apache-2.0\"]\n";

/// [`POLICY`] with an exception for quick-xml's RUSTSEC-2026-0194.
fn policy_excepting_quick_xml() -> String {
    "[[advisory-exception]]\nid = \"RUSTSEC-2026-0194\"\ncrate = \"quick-xml\"\n\
     reason = \"this test's own reason, long enough to be one\"\n"
        .to_string()
        + POLICY
}

fn advisory_db() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/advisory-db")
}

/// The workspace's lock file with quick-xml at `version`.
fn lockfile_with_quick_xml(version: &str) -> String {
    let lock = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock")).unwrap();
    let entry = "name = \"quick-xml\"\nversion = \"";
    let start = lock.find(entry).expect("quick-xml is in Cargo.lock") + entry.len();
    let end = start + lock[start..].find('"').unwrap();
    format!("{}{version}{}", &lock[..start], &lock[end..])
}

/// `cargo metadata` output of a graph with no packages: these cases are about advisories.
const NO_PACKAGES: &str = r#"{"packages":[],"workspace_members":[],"workspace_default_members":[],"resolve":null,
    "target_directory":"/nonexistent/target","version":1,"workspace_root":"/nonexistent"}"#;

fn gate(dir: &Path, lockfile: &str, policy: &str) -> Output {
    std::fs::write(dir.join("Cargo.lock"), lockfile).unwrap();
    std::fs::write(dir.join("supply-chain.toml"), policy).unwrap();
    std::fs::write(dir.join("metadata.json"), NO_PACKAGES).unwrap();
    Command::new(env!("CARGO_BIN_EXE_supply-chain"))
        .current_dir(dir)
        .args(["--metadata", "metadata.json", "--db"])
        .arg(advisory_db())
        .env_remove("ADVISORY_DB")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn an_advisory_hit_version_in_the_lock_file_fails_the_gate_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = gate(dir.path(), &lockfile_with_quick_xml("0.38.4"), POLICY);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("advisory RUSTSEC-2026-0194 quick-xml 0.38.4 (vulnerability)"), "{stderr}");
    assert!(stderr.contains("fixed in >=0.41.0"), "{stderr}");
    assert!(stderr.contains("write an [[advisory-exception]] with its reason in supply-chain.toml"), "{stderr}");
    assert!(stdout.contains("against the RustSec database of 2026-08-21 (1 advisories): 1 unaddressed"), "{stdout}");
}

#[test]
fn the_workspace_lock_file_passes_and_a_fixed_version_passes() {
    let dir = tempfile::tempdir().unwrap();
    let output = gate(dir.path(), &lockfile_with_quick_xml("0.41.0"), POLICY);
    assert!(output.status.success(), "{}{}", text(&output.stdout), text(&output.stderr));
    assert_eq!(text(&output.stderr), "");
}

#[test]
fn a_written_exception_passes_the_gate_and_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let policy = policy_excepting_quick_xml();
    let output = gate(dir.path(), &lockfile_with_quick_xml("0.38.4"), &policy);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
    assert!(stdout.contains("0 unaddressed, 1 written exception(s) (RUSTSEC-2026-0194 quick-xml)"), "{stdout}");
}

#[test]
fn an_exception_that_matches_nothing_fails_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let policy = policy_excepting_quick_xml();
    let output = gate(dir.path(), &lockfile_with_quick_xml("0.42.0"), &policy);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("advisory-exception RUSTSEC-2026-0194 (quick-xml) matches nothing in Cargo.lock"),
        "{stderr}"
    );
}

#[test]
fn a_licence_outside_the_allowed_list_fails_the_gate_naming_the_package() {
    // A real crate, read by the real `cargo metadata`.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"copyleft\"\nversion = \"1.2.3\"\nedition = \"2024\"\nlicense = \"GPL-3.0-only\"\n",
    )
    .unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let generated =
        Command::new(cargo).current_dir(dir.path()).args(["generate-lockfile", "--offline"]).output().unwrap();
    assert!(generated.status.success(), "{}", text(&generated.stderr));
    std::fs::write(dir.path().join("supply-chain.toml"), POLICY).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_supply-chain"))
        .current_dir(dir.path())
        .arg("--db")
        .arg(advisory_db())
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("licence crates.io copyleft 1.2.3: licence `GPL-3.0-only` is not in `licences.allowed`"),
        "{stderr}"
    );
    assert!(stdout.contains("licences: 1 packages (1 crates, 0 npm, 0 Python): 1 not allowed"), "{stdout}");
}

#[test]
fn a_database_that_is_not_there_is_an_error_naming_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("supply-chain.toml"), POLICY).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_supply-chain"))
        .current_dir(dir.path())
        .args(["--db", "no-such-db"])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("supply-chain: reading the advisory database in no-such-db"), "{stderr}");
}
