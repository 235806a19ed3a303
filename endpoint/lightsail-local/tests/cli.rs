//! The `lightsail-local` binary, and the unmodified AWS CLI talking to it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `lightsail-local serve`, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(extra: &[&str]) -> Result<Self, String> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lightsail-local"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        match line.trim().strip_prefix("lightsail-local listening on ") {
            Some(url) => Ok(Self { url: url.to_string(), child }),
            None => {
                let output = child.wait_with_output().unwrap();
                Err(String::from_utf8_lossy(&output.stderr).to_string())
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serve_refuses_a_corrupt_state_file_and_bad_faults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, "not json").unwrap();
    let err = Server::start(&["--state-file", path.to_str().unwrap()]).err().expect("refused");
    assert!(err.contains("is corrupt") && err.contains("state.json"), "{err}");

    let err = Server::start(&["--faults", r#"{"throttle_rate": 3}"#]).err().expect("refused");
    assert!(err.contains("throttle_rate must be between 0 and 1"), "{err}");
}

#[test]
fn help_names_every_option() {
    let output = Command::new(env!("CARGO_BIN_EXE_lightsail-local")).args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for option in ["--addr", "--state-file", "--access-key-id", "--secret-access-key", "--faults", "--body-limit"] {
        assert!(help.contains(option), "{option} missing from:\n{help}");
    }
    assert!(!help.contains(lightsail_local::Credentials::TEST_SECRET_ACCESS_KEY), "the secret is not shown");
}

fn aws(server: &Server, args: &[&str]) -> Result<serde_json::Value, String> {
    let output = Command::new("aws")
        .args(["lightsail", "--endpoint-url", &server.url, "--output", "json"])
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("AWS_ACCESS_KEY_ID", lightsail_local::Credentials::TEST_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", lightsail_local::Credentials::TEST_SECRET_ACCESS_KEY)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_PAGER", "")
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).to_string());
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    if stdout.trim().is_empty() {
        Ok(serde_json::Value::Null)
    } else {
        serde_json::from_str(&stdout).map_err(|e| e.to_string())
    }
}

/// Runs when the AWS CLI is installed; CI sets `REQUIRE_AWS_CLI=1` so that it cannot be skipped there.
#[test]
fn the_aws_cli_works_against_it() {
    if Command::new("aws").arg("--version").output().is_err() {
        assert!(std::env::var_os("REQUIRE_AWS_CLI").is_none(), "REQUIRE_AWS_CLI is set but `aws` is not installed");
        eprintln!(
            "SKIPPED: the AWS CLI is not installed (pip install awscli) — the_aws_cli_works_against_it did not run"
        );
        return;
    }
    let server = Server::start(&[]).unwrap();

    let bucket =
        aws(&server, &["create-bucket", "--bucket-name", "example-bucket", "--bundle-id", "small_1_0"]).unwrap();
    assert_eq!(bucket["bucket"]["name"], "example-bucket");
    assert_eq!(bucket["operations"][0]["status"], "Succeeded");

    let created = aws(&server, &["create-bucket-access-key", "--bucket-name", "example-bucket"]).unwrap();
    let id = created["accessKey"]["accessKeyId"].as_str().unwrap().to_string();
    assert_eq!(created["accessKey"]["secretAccessKey"].as_str().unwrap().len(), 40);
    assert!(created["accessKey"]["createdAt"].is_number(), "{created}");

    let listed = aws(&server, &["get-bucket-access-keys", "--bucket-name", "example-bucket"]).unwrap();
    assert_eq!(listed["accessKeys"][0]["accessKeyId"], id.as_str());
    assert_eq!(listed["accessKeys"][0]["lastUsed"]["region"], "N/A");

    let err = aws(&server, &["delete-bucket", "--bucket-name", "example-bucket"]).unwrap_err();
    assert!(err.contains("InvalidInputException") && err.contains("1 access key(s)"), "{err}");

    let deleted =
        aws(&server, &["delete-bucket-access-key", "--bucket-name", "example-bucket", "--access-key-id", &id]);
    assert_eq!(deleted.unwrap()["operations"][0]["operationType"], "DeleteBucketAccessKey");
    aws(&server, &["delete-bucket", "--bucket-name", "example-bucket"]).unwrap();

    let err = aws(&server, &["get-bucket-access-keys", "--bucket-name", "example-bucket"]).unwrap_err();
    assert!(err.contains("NotFoundException"), "{err}");
}
