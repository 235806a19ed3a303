//! Regions, credentials and the smaller points of the command line, through the real binary
//! against a local endpoint the test starts.

mod common;

use common::{command, text};
use lightsail_local::LocalEndpoint;
use lightsail_test_support::{DEMO_BUCKET as BUCKET, TestEnvironment};
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The binary, reaching `endpoint` with its credentials, `region` as the default region.
fn cli(home: &std::path::Path, endpoint: &LocalEndpoint, region: &str) -> Command {
    let creds = endpoint.credentials();
    let mut command = command(home);
    command
        .env("AWS_ACCESS_KEY_ID", &creds.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key)
        .env("AWS_REGION", region)
        .env("AWS_ENDPOINT_URL", endpoint.url())
        .env("AWS_MAX_ATTEMPTS", "1");
    command
}

async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_of_another_region_is_never_falsely_gone_or_deleted() {
    let env = TestEnvironment::new().await;
    env.bucket(BUCKET).await;
    let home = tempfile::tempdir().unwrap();
    let elsewhere = |args: &[&str]| {
        let mut command = cli(home.path(), &env.endpoint, "eu-west-1");
        command.args(args);
        command
    };

    // Created in us-east-1 from a run whose default is eu-west-1: the id says where it lives.
    let inputs = format!(r#"{{"bucketName": "{BUCKET}", "region": "us-east-1"}}"#);
    let created = run(elsewhere(&["--output", "json", "create", "--inputs", &inputs])).await;
    assert_eq!(code(&created), 0, "{}", text(&created).1);
    let created: Value = serde_json::from_slice(&created.stdout).unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    assert!(id.ends_with("@us-east-1"), "{id}");
    let bare = id.trim_end_matches("@us-east-1").to_string();

    // With the id as printed, the same flags find it.
    let read = run(elsewhere(&["read", &id])).await;
    assert_eq!(code(&read), 0, "{}", text(&read).1);
    assert!(text(&read).0.contains(&format!("found {id}")), "{}", text(&read).0);

    // Without the region, the answers say where they looked, and nothing is called deleted.
    let read = run(elsewhere(&["read", &bare])).await;
    assert_eq!(code(&read), 3);
    assert!(text(&read).0.contains("does not exist in eu-west-1"), "{}", text(&read).0);
    let delete = run(elsewhere(&["delete", &bare])).await;
    assert_eq!(code(&delete), 0, "{}", text(&delete).1);
    assert!(text(&delete).0.contains("nothing to delete") && text(&delete).0.contains("eu-west-1"));
    assert!(!text(&delete).0.contains("deleted"), "{}", text(&delete).0);
    let key = bare.split_once(',').unwrap().1;
    assert_eq!(env.keys(BUCKET), [key], "the key is still there");

    // With it, the key is deleted.
    let delete = run(elsewhere(&["--output", "json", "delete", &id])).await;
    let answer: Value = serde_json::from_slice(&delete.stdout).unwrap();
    assert_eq!((answer["deleted"].as_bool(), answer["region"].as_str()), (Some(true), Some("us-east-1")));
    assert!(env.keys(BUCKET).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_region_lightsail_does_not_run_in_is_refused_wherever_it_enters() {
    let env = TestEnvironment::new().await;
    let home = tempfile::tempdir().unwrap();
    let profile = home.path().join("config");
    std::fs::write(&profile, "[default]\nregion = mars-1\n").unwrap();
    let id = "example-bucket,AKIAIOSFODNN7EXAMPLE";
    let from_flag = {
        let mut c = cli(home.path(), &env.endpoint, "us-east-1");
        c.args(["--region", "mars-1", "read", id]);
        c
    };
    let from_environment = {
        let mut c = cli(home.path(), &env.endpoint, "mars-1");
        c.args(["delete", id]);
        c
    };
    let from_profile = {
        let mut c = cli(home.path(), &env.endpoint, "unused");
        c.env_remove("AWS_REGION").env("AWS_CONFIG_FILE", &profile).args(["create", "--bucket-name", BUCKET]);
        c
    };
    let from_state = {
        let mut c = cli(home.path(), &env.endpoint, "us-east-1");
        c.args(["read", id, "--state", r#"{"region": "mars-1"}"#]);
        c
    };
    for (from, command) in [
        ("--region", from_flag),
        ("AWS_REGION", from_environment),
        ("the profile", from_profile),
        ("--state", from_state),
    ] {
        let output = run(command).await;
        let stderr = text(&output).1;
        assert_eq!(code(&output), 2, "{from}: {stderr}");
        assert!(stderr.contains("region") && stderr.contains("\"mars-1\" is not a region"), "{from}: {stderr}");
    }
    assert_eq!(env.calls(), 0, "nothing was sent");
}

/// A debug build (what `cargo run` and these tests build) with no credentials anywhere and an
/// instance metadata service that does not answer: the error says what to set, with no stack
/// overflow and no dump.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_credentials_the_error_says_what_to_set() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: this test is about the debug build (the binary under test is built like the test)");
        return;
    }
    let env = TestEnvironment::new().await;
    // A port nothing listens on: the metadata service refuses the connection.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let home = tempfile::tempdir().unwrap();
    for format in ["text", "json"] {
        let mut command = cli(home.path(), &env.endpoint, "us-east-1");
        command
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_EC2_METADATA_DISABLED")
            .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", format!("http://{closed}"))
            .args(["--output", format, "read", "example-bucket,AKIAIOSFODNN7EXAMPLE"]);
        let output = run(command).await;
        let (stdout, stderr) = text(&output);
        assert_eq!(code(&output), 2, "{format}: {stdout}{stderr}");
        let said = if format == "json" { &stdout } else { &stderr };
        assert!(said.contains("no AWS credentials found") && said.contains("AWS_ACCESS_KEY_ID"), "{said}");
        for noise in ["overflowed", "Dispatch", "retryable)", "{ source", "ConnectorError"] {
            assert!(!stdout.contains(noise) && !stderr.contains(noise), "{noise}: {stdout}{stderr}");
        }
        if format == "json" {
            let answer: Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(answer["error"]["code"], "NoCredentials", "{answer}");
        }
    }
    assert_eq!(env.calls(), 0, "nothing unsigned was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_smaller_points() {
    let env = TestEnvironment::new().await;
    env.bucket(BUCKET).await;
    let home = tempfile::tempdir().unwrap();
    let local = |args: &[&str]| {
        let mut command = cli(home.path(), &env.endpoint, "us-east-1");
        command.args(args);
        command
    };
    let no_region = |args: &[&str]| {
        let mut command = command(home.path());
        command.args(args);
        command
    };

    // A preview and a diff make no call, so they need no region; the region is then unknown.
    let preview = run(no_region(&["create", "--bucket-name", BUCKET, "--preview"])).await;
    assert_eq!(code(&preview), 0, "{}", text(&preview).1);
    let region = text(&preview).0.lines().find(|l| l.trim_start().starts_with("region ")).map(str::to_string);
    assert!(region.is_some_and(|l| l.ends_with(" (known after the create)")), "{}", text(&preview).0);
    let preview = run(no_region(&["--output", "json", "create", "--bucket-name", BUCKET, "--preview"])).await;
    let preview: Value = serde_json::from_slice(&preview.stdout).unwrap();
    assert_eq!(
        (preview["outputs"]["region"].clone(), preview["unknown"].clone()),
        (Value::Null, serde_json::json!(["region"]))
    );
    let olds = format!(r#"{{"bucketName": "{BUCKET}", "region": "us-east-1"}}"#);
    let diff =
        run(no_region(&["diff", "example-bucket,AKIAIOSFODNN7EXAMPLE", "--olds", &olds, "--inputs", &olds])).await;
    assert_eq!((code(&diff), text(&diff).0.trim()), (0, "no changes"), "{}", text(&diff).1);

    // Absurd retry settings are refused before anything runs.
    let retries = run(local(&["--max-retries", "100000000", "read", "example-bucket,AKIAIOSFODNN7EXAMPLE"])).await;
    assert_eq!(code(&retries), 2);
    assert!(text(&retries).1.contains("--max-retries: must be a whole number from 0 to 99"), "{}", text(&retries).1);
    let url = run(local(&["--endpoint-url", "not a url", "read", "example-bucket,AKIAIOSFODNN7EXAMPLE"])).await;
    assert_eq!(code(&url), 2);
    assert!(text(&url).1.contains("--endpoint-url: must be an http:// or https:// URL"), "{}", text(&url).1);

    // Inputs from a file and from standard input.
    let file = home.path().join("inputs.json");
    std::fs::write(&file, format!(r#"{{"bucketName": "{BUCKET}"}}"#)).unwrap();
    let created = run(local(&["--output", "json", "create", "--inputs", &format!("@{}", file.display())])).await;
    assert_eq!(code(&created), 0, "{}", text(&created).1);
    assert_eq!(text(&created).1, "", "no progress line when standard error is not a terminal");
    let created: Value = serde_json::from_slice(&created.stdout).unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    let mut read = local(&["read", &id, "--state", "-"]);
    let mut child = read.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(created["outputs"].to_string().as_bytes()).unwrap();
    let read = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    assert_eq!(code(&read), 0);
    let (stdout, _) = text(&read);
    // Last use reads as words; outputs without a value are left out; the values form one column.
    let line = |label: &str| stdout.lines().find(|l| l.trim_start().starts_with(label)).unwrap_or_default();
    assert!(line("last used").ends_with("  never used"), "{stdout}");
    assert!(!stdout.contains("pgp key") && !stdout.contains(" -\n") && !stdout.contains("N/A"), "{stdout}");
    let column = |label: &str, value: &str| line(label).find(value).unwrap();
    assert_eq!(column("last used", "never used"), column("bucket name", BUCKET), "{stdout}");
    let missing = run(local(&["create", "--inputs", "@/nonexistent/inputs.json"])).await;
    assert_eq!(code(&missing), 2);
    assert!(text(&missing).1.contains("--inputs @/nonexistent/inputs.json: cannot read it"), "{}", text(&missing).1);

    // Under --output json, errors are JSON on standard output too.
    let bad = run(local(&["--output", "json", "read", "not-an-id"])).await;
    assert_eq!(code(&bad), 2);
    let error: Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(
        (error["error"]["kind"].as_str(), error["error"]["failures"][0]["property"].as_str()),
        (Some("invalid-input"), Some("id"))
    );

    // A symlinked --local-state stays a link; the state goes to its target.
    let target = home.path().join("real-state.sqlite3");
    let link = home.path().join("state-link.sqlite3");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let mut local_run = command(home.path());
    local_run.args(["--local", "--local-state"]).arg(&link).args(["create", "--bucket-name", BUCKET]);
    let made = run(local_run).await;
    assert_eq!(code(&made), 0, "{}", text(&made).1);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is kept");
    assert!(std::fs::read(&target).unwrap().starts_with(b"SQLite format 3\0"), "the state is in the target");
}

/// An endpoint that refuses connections (a typo, no network): nothing was sent, so the create fails
/// at once, after the SDK's own attempts, naming the endpoint; the component neither retries the
/// list nor settles anything: one list, of the SDK's three attempts (its backoff totals at most
/// three seconds), then the answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_that_refuses_connections_fails_at_once_naming_it() {
    let home = tempfile::tempdir().unwrap();
    let create = |args: &[&str]| {
        let mut create = command(home.path());
        create
            .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
            .args(args)
            .args(["create", "--bucket-name", BUCKET]);
        create
    };
    let output = run(create(&[])).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(code(&output), 4, "{stdout}{stderr}");
    assert!(stderr.contains("http://127.0.0.1:1 could not be reached"), "{stderr}");
    assert!(stderr.contains("(GetBucketAccessKeys, 3 attempts)"), "the SDK's attempts, once: {stderr}");
    assert!(!stderr.contains("trying again"), "{stderr}");

    // In JSON, the contract's kind says that nothing reached AWS.
    let output = run(create(&["--output", "json"])).await;
    let (stdout, stderr) = text(&output);
    let answer: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"));
    let error = &answer["error"];
    assert_eq!(error["errorKind"], "not-sent", "{error}");
    assert_eq!(error["retryable"], false, "{error}");
    assert!(error["hint"].is_null(), "{error}");
}
