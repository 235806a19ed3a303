//! Arbitrary command lines never crash the CLI: every run ends with one of the documented exit
//! codes and no panic. AWS is "reached" through a closed loopback port, so nothing leaves the machine.

use proptest::prelude::*;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_lightsail-provider");

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "schema",
            "types",
            "check",
            "diff",
            "create",
            "read",
            "import",
            "delete",
            "component",
            "--bucket-name",
            "--inputs",
            "--olds",
            "--state",
            "--type",
            "--preview",
            "--region",
            "--output",
            "json",
            "text",
            "--show-secrets",
            "--max-retries",
            "--attempt-timeout",
            "--operation-timeout",
            "--cache-dir",
            "--no-cache",
            "--help",
            "-h",
            "example-bucket",
            "example-bucket,AKIAIOSFODNN7EXAMPLE",
            "{}",
            "{\"bucketName\": 3}",
            "us-east-1",
            "-1",
            "NaN",
            "0",
            "--",
            "-",
        ])
        .prop_map(String::from),
        "\\PC{0,16}",
    ]
}

#[test]
fn arbitrary_arguments_never_panic() {
    let home = tempfile::tempdir().unwrap();
    // Warm the compiled-component cache once, so each case is quick.
    let warm = Command::new(BIN).arg("types").env("XDG_CACHE_HOME", home.path()).output().unwrap();
    assert!(warm.status.success());
    let config = ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(args in prop::collection::vec(word(), 0..6))| {
        // `component --out X` writes a file: keep it inside the temporary directory.
        let output = Command::new(BIN)
            .args(&args)
            .current_dir(home.path())
            .env_clear()
            .env("HOME", home.path())
            .env("XDG_CACHE_HOME", home.path())
            .env("XDG_STATE_HOME", home.path())
            .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "not-a-real-secret")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("AWS_MAX_ATTEMPTS", "1")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        prop_assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        let code = output.status.code();
        prop_assert!(matches!(code, Some(0..=5)), "{args:?}: exit {code:?}: {stderr}");
    });
}
