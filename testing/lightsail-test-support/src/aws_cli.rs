//! The unmodified AWS CLI as an S3 client of a local endpoint: a key's holder, as its users are.

use std::process::Command;

/// Whether the AWS CLI is installed; CI sets `REQUIRE_AWS_CLI=1` so that `test` cannot be skipped.
pub fn installed(test: &str) -> bool {
    if Command::new("aws").arg("--version").output().is_ok() {
        return true;
    }
    assert!(std::env::var_os("REQUIRE_AWS_CLI").is_none(), "REQUIRE_AWS_CLI is set but `aws` is not installed");
    eprintln!("SKIPPED: the AWS CLI is not installed (pip install awscli) — {test} did not run");
    false
}

/// `aws ARGS --endpoint-url URL` signed with this key (`None`: unsigned), in an environment of
/// nothing else: its stdout, or its stderr when it fails.
pub fn aws(url: &str, key: Option<(&str, &str)>, args: &[&str]) -> Result<String, String> {
    let mut command = Command::new("aws");
    command
        .args(args)
        .args(["--endpoint-url", url])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("AWS_DEFAULT_REGION", crate::REGION)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_PAGER", "");
    match key {
        Some((id, secret)) => command.env("AWS_ACCESS_KEY_ID", id).env("AWS_SECRET_ACCESS_KEY", secret),
        None => command.arg("--no-sign-request"),
    };
    let output = command.output().map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}
