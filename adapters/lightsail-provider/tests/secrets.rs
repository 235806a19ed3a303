//! Secrets stay secret: the whole lifecycle run at trace level, with the SDK's own targets, spans
//! and fields asked for at trace, prints neither the secret access key nor the caller's credentials
//! anywhere but where `--show-secrets` asks for them; and a plain run prints no log at all.

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
    // Every form a filter can take: levels, targets, spans by name, spans by field.
    // With whether anything may be logged at all: the targets that log the caller's identity are
    // capped below what they ever log, so asking for them alone logs nothing.
    for (filter, logs_anything) in [
        ("trace", true),
        ("aws_smithy_runtime=trace,aws_sdk_lightsail=trace", true),
        ("aws_smithy_runtime::client::orchestrator=trace", true),
        ("[try_op]=trace", true),
        ("[Lightsail.CreateBucketAccessKey]=trace", true),
        ("[{rpc.method=CreateBucketAccessKey}]=trace", true),
        ("aws_smithy_runtime::client::orchestrator::endpoints=trace,aws_config=trace", false),
    ] {
        let home = tempfile::tempdir().unwrap();
        // Compile the component once without logging: cranelift's own trace is millions of lines.
        assert_eq!(run(home.path(), None, &["schema"]).0, 0);

        let (code, stdout, stderr) = run(
            home.path(),
            Some(filter),
            &["--output", "json", "--show-secrets", "create", "--bucket-name", "example-bucket"],
        );
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(stderr.lines().any(is_log_line), logs_anything, "{filter} logged:\n{stderr}");
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
        // In the logs: an error's example id happens to be AWS's documentation key id, which the
        // local endpoint's test credentials use too.
        let logs: Vec<&str> = printed.lines().filter(|line| is_log_line(line)).collect();
        assert!(
            !logs.iter().any(|line| line.contains(&credentials.access_key_id)),
            "{filter}: the caller's access key id was logged"
        );
        assert!(!printed.contains('\x1b'), "{filter}: colour codes went into a pipe");
        assert!(printed.contains("[hidden: --show-secrets shows it]"));
    }
}

/// A line the log formatter wrote: a timestamp, then the level.
fn is_log_line(line: &str) -> bool {
    line.split_whitespace().nth(1).is_some_and(|level| ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(&level))
}

#[test]
fn a_plain_run_logs_nothing() {
    let home = tempfile::tempdir().unwrap();
    let output = common::command(home.path()).arg("demo").output().unwrap();
    let (stdout, stderr) = common::text(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("Done:"), "{stdout}");
    assert_eq!(stderr, "", "RUST_LOG is unset: nothing but the result");
}
