//! The JavaScript host in `adapters/js` (jco, Node 24 with JSPI, the AWS SDK for JavaScript) runs
//! the same component bytes as the Rust host against a local endpoint this test starts: its
//! lifecycle test, one instance reused for 10,000 calls with flat memory, and a create beside the
//! CLI's on one bucket, sharing the lock. `.ci/run` installs its pinned npm packages (`npm ci`);
//! elsewhere the tests say SKIPPED unless they are there.

use lightsail_local::LocalEndpoint;
use lightsail_test_support::crossing::{self, FIRST_CREATE, finished, printed_key};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The JS host's directory, its Node binary, and the component transpiled into a directory of
/// the test's own; `None` (said as SKIPPED) where `npm ci` has not been run.
fn javascript_host(test: &str) -> Option<(PathBuf, PathBuf, tempfile::TempDir)> {
    let (js, node) = lightsail_test_support::hosts::javascript_host(test)?;
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("provider.wasm");
    std::fs::write(&wasm, lightsail_provider_host::PROVIDER_COMPONENT).unwrap();
    let transpile =
        Command::new(js.join("scripts/transpile.sh")).arg(&wasm).arg(dir.path().join("generated")).output().unwrap();
    assert!(transpile.status.success(), "{}", String::from_utf8_lossy(&transpile.stderr));
    Some((js, node, dir))
}

/// Node in the JS host's directory, with a clean environment that reaches `endpoint`.
fn node(js: &Path, node: &Path, dir: &Path, endpoint: &LocalEndpoint) -> Command {
    let creds = endpoint.credentials();
    let mut command = Command::new(node);
    command
        .current_dir(js)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("ENDPOINT_URL", endpoint.url())
        .env("ACCESS_KEY_ID", &creds.access_key_id)
        .env("SECRET_ACCESS_KEY", &creds.secret_access_key)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("TRANSPILED", dir.join("generated"));
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_javascript_host_runs_the_same_component() {
    let Some((js, node_binary, dir)) = javascript_host("the_javascript_host_runs_the_same_component") else {
        return;
    };
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let mut test = node(&js, &node_binary, dir.path(), &endpoint);
    test.args(["--test", "test/lifecycle.test.js"]);
    let output = tokio::task::spawn_blocking(move || test.output().unwrap()).await.unwrap();
    let out = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{out}");
    assert!(out.contains("pass 5") && out.contains("fail 0"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_javascript_host_and_the_cli_share_the_bucket_lock() {
    let Some((js, node_binary, dir)) = javascript_host("the_javascript_host_and_the_cli_share_the_bucket_lock") else {
        return;
    };
    const BUCKET: &str = "shared-bucket";
    let endpoint = crossing::endpoint_with_bucket(BUCKET).await;
    let locks = dir.path().join("locks");

    // The JS host's create is held at the endpoint, inside the lock; the CLI waits for it.
    let javascript = node(&js, &node_binary, dir.path(), &endpoint)
        .arg("test/create-key.js")
        .env("BUCKET", BUCKET)
        .env("LOCK_DIRECTORY", &locks)
        .env("KEY_CREATORS_SHARE_LOCK", "true")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    crossing::until_held(&endpoint, FIRST_CREATE).await;
    let cli = crossing::workspace_binary("lightsail-provider");
    let cli = crossing::cli_create(&cli, &endpoint, dir.path(), &locks, BUCKET, &["--key-creators-share-lock"]);
    let file = crossing::bucket_lock_file(&locks, BUCKET);
    crossing::until_waiting_for_lock(cli.id(), &file, || crossing::creates(&endpoint) > 1).await;
    let cli_waited = crossing::creates(&endpoint) == 1;
    endpoint.open_gate(FIRST_CREATE);

    let (javascript, cli) = (finished(javascript).await, finished(cli).await);
    let stdout = String::from_utf8_lossy(&javascript.stdout);
    assert!(javascript.status.success(), "{stdout}{}", String::from_utf8_lossy(&javascript.stderr));
    let created: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(endpoint.stats().faults["lost_response"], 1, "the JS host's first answer was lost");
    let mut both = vec![created["accessKeyId"].as_str().unwrap().to_string(), printed_key(&cli)];
    both.sort();
    assert_eq!(crossing::keys_of(&endpoint, BUCKET), both, "both keys, and no orphan");
    assert!(cli_waited, "the CLI's create waited for the lock the JS host held");
}

/// `pgpKey` through the JS host: OpenPGP.js refuses an expired, a revoked and a sign-only key (and
/// the component a Keybase name) with no request; a Curve25519 key made by gpg gets the secret,
/// which `gpg --decrypt` opens into one the endpoint's S3 side accepts; the fingerprint is gpg's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_javascript_host_encrypts_the_secret_to_a_pgp_key() {
    use lightsail_test_support::gnupg::{self, GnuPg, KeyKind};
    let test = "the_javascript_host_encrypts_the_secret_to_a_pgp_key";
    let Some((js, node_binary, dir)) = javascript_host(test) else { return };
    if !gnupg::installed() {
        eprintln!("SKIPPED {test}: gpg is not installed");
        return;
    }
    let gpg = GnuPg::new();
    let curve = gpg.generate(KeyKind::Curve25519, "Curve <curve@example.com>");
    let bad = gpg.refused_keys();
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let mut script = node(&js, &node_binary, dir.path(), &endpoint);
    script
        .arg("test/pgp-key.js")
        .env("BUCKET", "pgp-bucket")
        .env("BAD_KEYS", bad.to_string())
        .env("PGP_KEY", gpg.export_armored(&curve));
    let output = tokio::task::spawn_blocking(move || script.output().unwrap()).await.unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{stdout}{stderr}");
    let created: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let outputs = &created["outputs"]["values"];
    assert!(outputs["secretAccessKey"].is_null(), "{outputs}");
    assert_eq!(outputs["keyFingerprint"], curve.as_str());
    let secret = gpg.decrypt_base64(outputs["encryptedSecretAccessKey"].as_str().unwrap());
    assert!(!stdout.contains(&secret) && !stderr.contains(&secret), "the plain secret is printed nowhere");
    if lightsail_test_support::aws_cli::installed(test) {
        let key_id = outputs["accessKeyId"].as_str().unwrap();
        let url = endpoint.url();
        let listed = tokio::task::block_in_place(|| {
            lightsail_test_support::aws_cli::aws(&url, Some((key_id, &secret)), &["s3", "ls", "s3://pgp-bucket"])
        });
        assert!(listed.is_ok(), "the decrypted secret signs S3 requests: {listed:?}");
    }
}
