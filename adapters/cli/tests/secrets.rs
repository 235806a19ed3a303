//! Secrets stay secret: the whole lifecycle run at trace level (and with the SDK's own targets
//! asked for at trace) prints neither the secret access key nor the AWS credentials anywhere but
//! where `--show-secrets` asks for them.

mod common;

use std::path::Path;

fn run(home: &Path, rust_log: Option<&str>, args: &[&str]) -> (i32, String, String) {
    let mut command = common::command(home);
    command.arg("--local").args(args);
    if let Some(filter) = rust_log {
        command.env("RUST_LOG", filter);
    }
    let output = command.output().unwrap();
    let (stdout, stderr) = common::text(&output);
    (output.status.code().unwrap_or(-1), stdout, stderr)
}

#[test]
fn no_secret_in_logs_errors_or_text_output_at_any_level() {
    let credentials = lightsail_local::Credentials::test_pair();
    for filter in
        ["trace", "aws_smithy_runtime=trace,aws_sdk_lightsail=trace", "aws_smithy_runtime::client::orchestrator=trace"]
    {
        let home = tempfile::tempdir().unwrap();
        // Compile the component once without logging: cranelift's own trace is millions of lines.
        assert_eq!(run(home.path(), None, &["schema"]).0, 0);

        let (code, stdout, stderr) = run(
            home.path(),
            Some(filter),
            &["--output", "json", "--show-secrets", "create", "--bucket-name", "example-bucket"],
        );
        assert_eq!(code, 0, "{stderr}");
        assert!(stderr.lines().count() > 20, "{filter} logged: {stderr}");
        let created: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let secret = created["outputs"]["secretAccessKey"].as_str().unwrap().to_string();
        let id = created["id"].as_str().unwrap().to_string();
        let state = created["outputs"].to_string();
        let mut printed = stderr;

        for args in [
            vec!["read", id.as_str(), "--state", state.as_str()],
            vec!["--output", "json", "read", id.as_str(), "--state", state.as_str()],
            vec!["import", id.as_str()],
            vec!["create", "--bucket-name", "example-bucket"],
            vec!["delete", id.as_str(), "--state", state.as_str()],
            vec!["read", "not-an-id"],
            vec!["create", "--bucket-name", "no-such-bucket"],
        ] {
            let (_, stdout, stderr) = run(home.path(), Some(filter), &args);
            printed.push_str(&stdout);
            printed.push_str(&stderr);
        }
        assert!(!printed.contains(&secret), "{filter}: the secret access key was printed");
        assert!(!printed.contains(&credentials.secret_access_key), "{filter}: the AWS secret key was printed");
        assert!(printed.contains("[hidden: --show-secrets shows it]"));
    }
}
