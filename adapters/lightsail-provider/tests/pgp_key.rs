//! `pgpKey` through the CLI, with GnuPG as the independent party: the key's secret comes back only
//! encrypted to the user's key (RSA 3072 or Curve25519, binary or armored), `gpg --decrypt` opens
//! it, and the secret it gives signs S3 requests the local endpoint accepts; the plain secret is in
//! no output and no trace log. A key that cannot be used is refused naming `pgpKey`, with no
//! request sent.

mod common;

use common::{command, text};
use lightsail_test_support::gnupg::{GnuPg, KeyKind};
use lightsail_test_support::{DEMO_BUCKET, LocalEndpointOptions, REGION};

struct Cli {
    home: tempfile::TempDir,
    endpoint: lightsail_local::LocalEndpoint,
}

impl Cli {
    /// Exit code, stdout and stderr of the CLI; with `trace`, its logs at trace level too.
    fn run(&self, args: &[&str], trace: bool) -> (Option<i32>, String, String) {
        let creds = self.endpoint.credentials();
        let mut command = command(self.home.path());
        if trace {
            command.env("RUST_LOG", "trace");
        }
        let output = command
            .env("AWS_ACCESS_KEY_ID", &creds.access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key)
            .env("AWS_REGION", REGION)
            .env("AWS_ENDPOINT_URL", self.endpoint.url())
            .args(args)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        (output.status.code(), stdout, stderr)
    }

    fn create(&self, pgp_key: &str, trace: bool) -> (Option<i32>, String, String) {
        let inputs = serde_json::json!({"bucketName": DEMO_BUCKET, "pgpKey": pgp_key}).to_string();
        self.run(&["create", "--inputs", &inputs, "--output", "json", "--show-secrets"], trace)
    }
}

/// The CLI against a local endpoint holding the demo bucket, and a GnuPG home; `None` (the test
/// skipped) without gpg.
async fn set_up() -> Option<(Cli, GnuPg)> {
    if !lightsail_test_support::gnupg::installed() {
        eprintln!("skipped: gpg is not installed");
        return None;
    }
    Some((cli().await, GnuPg::new()))
}

async fn cli() -> Cli {
    let endpoint = lightsail_local::LocalEndpoint::start(Default::default()).await.unwrap();
    let options = lightsail_provider_host::aws::AwsOptions::default().with_local_endpoint(&endpoint, REGION);
    let api = lightsail_provider_host::aws::LightsailApi::new(options).await.unwrap();
    lightsail_test_support::create_bucket(&api, DEMO_BUCKET).await.unwrap();
    Cli { home: tempfile::tempdir().unwrap(), endpoint }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secret_comes_back_only_encrypted_and_opens_the_bucket_once_decrypted() {
    let Some((cli, gpg)) = set_up().await else { return };
    let rsa = gpg.generate(KeyKind::Rsa3072, "RSA User <rsa@example.com>");
    let curve = gpg.generate(KeyKind::Curve25519, "Curve User <curve@example.com>");
    let url = cli.endpoint.url();
    for (fingerprint, pgp_key) in
        [(&rsa, gpg.export_base64(&rsa)), (&curve, gpg.export_base64(&curve)), (&curve, gpg.export_armored(&curve))]
    {
        let (code, stdout, stderr) = tokio::task::block_in_place(|| cli.create(&pgp_key, true));
        assert_eq!(code, Some(0), "{stderr}");
        let created: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let outputs = &created["outputs"];
        assert!(outputs.get("secretAccessKey").is_none_or(serde_json::Value::is_null), "{outputs}");
        assert_eq!(outputs["keyFingerprint"], fingerprint.as_str(), "the fingerprint is gpg's");
        let ciphertext = outputs["encryptedSecretAccessKey"].as_str().unwrap();
        let secret = gpg.decrypt_base64(ciphertext);
        assert_eq!(secret.len(), 40, "a Lightsail secret");
        let leaks: Vec<String> = stdout
            .lines()
            .chain(stderr.lines())
            .filter(|line| line.contains(&secret))
            .map(|line| line.replace(&secret, "<the secret>").chars().take(300).collect())
            .collect();
        assert!(leaks.is_empty(), "the plain secret is in no output or log: {leaks:#?}");
        assert!(stderr.lines().count() > 100, "the log was at trace");

        let key_id = outputs["accessKeyId"].as_str().unwrap().to_string();
        if lightsail_test_support::aws_cli::installed("pgp_key") {
            let listed = tokio::task::block_in_place(|| {
                lightsail_test_support::aws_cli::aws(
                    &url,
                    Some((&key_id, &secret)),
                    &["s3", "ls", &format!("s3://{DEMO_BUCKET}")],
                )
            });
            assert!(listed.is_ok(), "the decrypted secret signs S3 requests: {listed:?}");
        }
        let (code, _, stderr) =
            tokio::task::block_in_place(|| cli.run(&["delete", created["id"].as_str().unwrap()], false));
        assert_eq!(code, Some(0), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_that_cannot_be_used_is_refused_naming_pgp_key_with_no_request() {
    let Some((cli, gpg)) = set_up().await else { return };
    let expired = gpg.generate(KeyKind::Expired, "Expired <expired@example.com>");
    let revoked = gpg.generate(KeyKind::Revoked, "Revoked <revoked@example.com>");
    let sign_only = gpg.generate(KeyKind::SignOnly, "Signer <signer@example.com>");
    let cases = [
        (gpg.export_base64(&expired), "has expired"),
        (gpg.export_base64(&revoked), "is revoked"),
        (gpg.export_base64(&sign_only), "has no key that can encrypt"),
        (gpg.export_secret_base64(&sign_only), "it is a secret key"),
        ("keybase:someone".to_string(), "Keybase"),
        ("not base64!".to_string(), "is not base64"),
        ("bm90IGEga2V5".to_string(), "is not an OpenPGP public key"),
    ];
    let before = cli.endpoint.stats().total_calls();
    for (pgp_key, rule) in cases {
        let (code, stdout, stderr) = tokio::task::block_in_place(|| cli.create(&pgp_key, false));
        assert_eq!(code, Some(2), "{rule}: {code:?} {stdout}{stderr}");
        // With --output json, the failure is JSON on stdout.
        let failures: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_default();
        let said = format!("{failures}");
        assert!(said.contains("pgpKey") && said.contains(rule), "{rule}: {stdout}{stderr}");
    }
    assert_eq!(cli.endpoint.stats().total_calls(), before, "no request was sent");
}
