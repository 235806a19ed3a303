//! A client nobody here wrote: Pulumi's own generated stubs (the PyPI `pulumi` package, pinned in
//! `tests/python/requirements.txt`) drive the plugin through the engine's call sequences; the same
//! script validates the served schema against Pulumi's metaschema and docs/pulumi.md's YAML program
//! against the schema; with GnuPG, a key with `pgpKey` whose checkpoint entry holds no plain secret.
//! `.ci/run` installs the packages and names the interpreter in `PULUMI_TEST_PYTHON`.

use lightsail_test_support::TestEnvironment;
use lightsail_test_support::gnupg::{GnuPg, KeyKind};
use std::path::Path;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pulumis_own_stubs_drive_the_plugin() {
    let Some(python) = std::env::var_os("PULUMI_TEST_PYTHON") else {
        assert!(std::env::var_os("REQUIRE_PULUMI_PYTHON").is_none(), "PULUMI_TEST_PYTHON is not set");
        eprintln!("skipped: set PULUMI_TEST_PYTHON to a Python with tests/python/requirements.txt installed");
        return;
    };
    if !lightsail_test_support::gnupg::installed() {
        eprintln!("skipped: gpg is not installed");
        return;
    }
    let env = TestEnvironment::new().await;
    lightsail_test_support::create_bucket(&env.api, PGP_BUCKET).await.unwrap();
    let gpg = GnuPg::new();
    let curve = gpg.generate(KeyKind::Curve25519, "Curve <curve@example.com>");
    let expired = gpg.generate(KeyKind::Expired, "Expired <expired@example.com>");
    let creds = env.endpoint.credentials().clone();
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let home = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(python);
    command
        .arg(here.join("tests/python/engine_client.py"))
        .env("PLUGIN", env!("CARGO_BIN_EXE_pulumi-resource-aws"))
        .env("ENDPOINT_URL", env.endpoint.url())
        .env("ACCESS_KEY_ID", &creds.access_key_id)
        .env("SECRET_ACCESS_KEY", &creds.secret_access_key)
        .env("METASCHEMA", here.join("tests/python/pulumi-metaschema.json"))
        .env("PULUMI_PAGE", here.join("../../docs/pulumi.md"))
        .env("HOME", home.path())
        .env("PGP_KEY", gpg.export_base64(&curve))
        .env("EXPIRED_PGP_KEY", gpg.export_base64(&expired))
        .env("PGP_BUCKET", PGP_BUCKET)
        .env("PGP_RESULT", home.path().join("sealed.json"))
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.starts_with("ok: "), "{stdout}");

    // The sealed key's checkpoint entry holds no plain secret; gpg opens the ciphertext into one the
    // endpoint's S3 side accepts; the fingerprint is gpg's.
    let entry = std::fs::read_to_string(home.path().join("sealed.json")).unwrap();
    let sealed: serde_json::Value = serde_json::from_str(&entry).unwrap();
    let outputs = &sealed["outputs"];
    assert_eq!(outputs["keyFingerprint"], curve.as_str());
    let secret = gpg.decrypt_base64(outputs["encryptedSecretAccessKey"].as_str().unwrap());
    assert_eq!(secret.len(), 40);
    assert!(!entry.contains(&secret) && !stdout.contains(&secret) && !stderr.contains(&secret));
    if lightsail_test_support::aws_cli::installed("pulumis_own_stubs_drive_the_plugin") {
        let (url, key_id) = (env.endpoint.url(), outputs["accessKeyId"].as_str().unwrap().to_string());
        let listed = tokio::task::block_in_place(|| {
            lightsail_test_support::aws_cli::aws(
                &url,
                Some((&key_id, &secret)),
                &["s3", "ls", &format!("s3://{PGP_BUCKET}")],
            )
        });
        assert!(listed.is_ok(), "the decrypted secret signs S3 requests: {listed:?}");
    }
}

/// The bucket the script makes a key with `pgpKey` of.
const PGP_BUCKET: &str = "py-sealed";
