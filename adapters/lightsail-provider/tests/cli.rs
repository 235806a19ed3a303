//! The real `lightsail-provider` binary: `demo`, and every subcommand against a local endpoint.

mod common;

use common::{command, text};
use lightsail_test_support::{ACCESS_KEY_TOKEN as TOKEN, LocalEndpointOptions};
use std::process::Output;

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited")
}

#[test]
fn demo_runs_the_lifecycle_and_hides_the_secret() {
    let home = tempfile::tempdir().unwrap();
    let output = command(home.path()).arg("demo").output().unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(code(&output), 0, "{stdout}\n{stderr}");
    for expected in [
        "Create an access key",
        "created example-bucket,AKIA",
        "not available: AWS returns the secret only when the key is created",
        "gone: example-bucket,AKIA",
        "deleted example-bucket,AKIA",
        "Lightsail calls made: 0",
        "read back: \"hello from the new key\"",
        "S3 refuses the deleted key: InvalidAccessKeyId (403)",
    ] {
        assert!(stdout.contains(expected), "{expected:?} missing from:\n{stdout}");
    }
    assert!(stdout.contains("[hidden: --show-secrets shows it]"));
    assert!(stdout.contains("compiled now"));

    // Asked for, the secret is shown; and the second run loads the compiled component from the cache.
    let output = command(home.path()).args(["demo", "--show-secrets"]).output().unwrap();
    let (stdout, _) = text(&output);
    assert_eq!(code(&output), 0);
    assert!(stdout.contains("loaded from the compiled-component cache"), "{stdout}");
    let secret_line =
        stdout.lines().find(|l| l.trim().starts_with("secret access key") && !l.contains("not available")).unwrap();
    let secret = secret_line.split_whitespace().last().unwrap();
    assert_eq!(secret.len(), 40, "{secret_line}");
}

#[test]
fn a_damaged_cache_entry_is_recompiled() {
    let home = tempfile::tempdir().unwrap();
    let cache = home.path().join("cwasm");
    let run = || {
        let output = command(home.path()).args(["demo", "--cache-dir"]).arg(&cache).output().unwrap();
        assert_eq!(code(&output), 0, "{:?}", text(&output));
        text(&output).0
    };
    assert!(run().contains("compiled now"));
    let entry = std::fs::read_dir(&cache).unwrap().next().unwrap().unwrap().path();
    let mut bytes = std::fs::read(&entry).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&entry, bytes).unwrap();
    assert!(run().contains("compiled now"), "the damaged entry was not used");
    assert!(run().contains("loaded from the compiled-component cache"), "and it was rewritten");
}

#[test]
fn schema_types_and_check_need_no_aws() {
    let home = tempfile::tempdir().unwrap();
    let output = command(home.path()).args(["schema", "--no-cache"]).output().unwrap();
    assert_eq!(code(&output), 0);
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(schema["resources"][TOKEN]["properties"]["secretAccessKey"]["secret"], true);

    let output = command(home.path()).args(["types", "--no-cache"]).output().unwrap();
    assert_eq!(text(&output).0.lines().collect::<Vec<_>>(), vec![TOKEN, "aws:lightsail/bucket:Bucket"]);
    assert!(!home.path().join("cache/lightsail-provider/locks").exists(), "offline commands take no lock");

    let output =
        command(home.path()).args(["check", "--bucket-name", "example-bucket", "--no-cache"]).output().unwrap();
    assert_eq!(code(&output), 0);
    assert!(text(&output).0.contains(r#"valid: {"bucketName":"example-bucket"}"#));

    let output = command(home.path())
        .args(["--output", "json", "--no-cache", "check", "--inputs", r#"{"bucketName": "Bad", "x": 1}"#])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2, "invalid input is a user error");
    let checked: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let properties: Vec<&str> =
        checked["failures"].as_array().unwrap().iter().map(|f| f["property"].as_str().unwrap()).collect();
    assert_eq!(properties, vec!["x", "bucketName"]);
}

#[test]
fn component_is_written_for_other_hosts() {
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("provider.wasm");
    let output = command(home.path()).args(["component", "--out"]).arg(&out).output().unwrap();
    assert_eq!(code(&output), 0);
    assert_eq!(std::fs::read(&out).unwrap(), lightsail_provider_host::PROVIDER_COMPONENT);
    // The binary names the component it carries by its digest, as coreutils computes it.
    let digest = lightsail_test_support::component_digest_by_coreutils();
    assert!(text(&output).0.contains(&digest), "{}", text(&output).0);
    let version = command(home.path()).arg("--version").output().unwrap();
    assert_eq!(
        text(&version).0.trim(),
        format!("lightsail-provider {} (component {digest})", env!("CARGO_PKG_VERSION"))
    );

    // --component loads it from there; something that is not a component is refused clearly.
    let output = command(home.path()).args(["types", "--no-cache", "--component"]).arg(&out).output().unwrap();
    assert_eq!((code(&output), text(&output).0.lines().next()), (0, Some(TOKEN)));
    // A file the user names is their input (exit 2), and it is described, never dumped.
    for (junk, says) in [
        (&b"\0asm not really"[..], "cannot load the provider component"),
        (b"hello, world", "not a WebAssembly component"),
        (b"\0asm\x01\0\0\0", "a core WebAssembly module, not a component"),
    ] {
        let path = home.path().join("junk.wasm");
        std::fs::write(&path, junk).unwrap();
        let output = command(home.path()).args(["types", "--no-cache", "--component"]).arg(&path).output().unwrap();
        let stderr = text(&output).1;
        assert_eq!(code(&output), 2, "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert!(!stderr.contains("0x") && !stderr.contains('['), "{stderr}");
    }
}

#[test]
fn help_reads_well_and_usage_errors_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let output = command(home.path()).arg("--help").output().unwrap();
    let (help, _) = text(&output);
    let words = [
        "schema", "check", "diff", "create", "read", "import", "delete", "list", "rotate", "demo", "--region",
        "--local",
    ];
    for word in words.into_iter().chain(["Exit codes"]) {
        assert!(help.contains(word), "{word} missing from --help:\n{help}");
    }
    let output = command(home.path()).args(["create"]).output().unwrap();
    assert_eq!(code(&output), 2);
    assert!(text(&output).1.contains("--bucket-name"));
    // Limits that make no sense are refused, not quietly ignored.
    let output = command(home.path()).args(["--attempt-timeout", "-1", "schema"]).output().unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        text(&output).1.contains("--attempt-timeout: must be a number of seconds greater than 0"),
        "{}",
        text(&output).1
    );
    let output = command(home.path()).args(["--max-retries", "100", "schema"]).output().unwrap();
    assert_eq!(code(&output), 2);
    assert!(text(&output).1.contains("--max-retries: must be a whole number from 0 to 99"), "{}", text(&output).1);
    // Only keys have a last use: asked of buckets, the filter is refused before anything runs.
    let args = ["list", "--type", "aws:lightsail/bucket:Bucket", "--unused-for", "30"];
    let output = command(home.path()).args(args).output().unwrap();
    assert_eq!(code(&output), 2);
    assert!(text(&output).1.contains("--unused-for: only access keys have a last use"), "{}", text(&output).1);
}

/// Every subcommand against a local endpoint started by the test, reached with --endpoint-url and
/// the AWS credentials of the environment (the default chain), with global flags in both places.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subcommands_against_a_local_endpoint() {
    let home = tempfile::tempdir().unwrap();
    let endpoint = lightsail_local::LocalEndpoint::start(Default::default()).await.unwrap();
    let url = endpoint.url();
    let creds = endpoint.credentials().clone();
    let run = move |args: &[&str]| {
        let output = command(home.path())
            .env("AWS_ACCESS_KEY_ID", &creds.access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", &url)
            .env("AWS_MAX_ATTEMPTS", "1")
            .args(args)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        (code(&output), stdout, stderr)
    };
    let run = std::sync::Arc::new(run);
    let call = |args: Vec<String>| {
        let run = run.clone();
        tokio::task::spawn_blocking(move || run(&args.iter().map(String::as_str).collect::<Vec<_>>()))
    };
    let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    // A bucket that does not exist is an AWS error (exit 4).
    let (code, _, stderr) = call(args(&["create", "--bucket-name", "example-bucket"])).await.unwrap();
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("DoesNotExist") && stderr.contains("does not exist"), "{stderr}");

    let options = lightsail_provider_host::aws::AwsOptions::default().with_local_endpoint(&endpoint, "us-east-1");
    let api = lightsail_provider_host::aws::LightsailApi::new(options).await.unwrap();
    let client = api.client(None);
    client
        .create_bucket()
        .bucket_name("example-bucket")
        .bundle_id(lightsail_test_support::DEMO_BUNDLE)
        .send()
        .await
        .unwrap();

    // Preview: no call.
    let before = endpoint.stats().total_calls();
    let (code, stdout, _) = call(args(&["create", "--bucket-name", "example-bucket", "--preview"])).await.unwrap();
    assert_eq!((code, endpoint.stats().total_calls()), (0, before));
    assert!(stdout.contains("preview, no AWS call made"));

    // Create, as JSON, with the secret (flags after the subcommand).
    let (code, stdout, stderr) =
        call(args(&["create", "--bucket-name", "example-bucket", "--output", "json", "--show-secrets"])).await.unwrap();
    assert_eq!(code, 0, "{stderr}");
    let created: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    let secret = created["outputs"]["secretAccessKey"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 40);
    assert_eq!(created["secrets"], serde_json::json!(["secretAccessKey"]));
    let state = created["outputs"].to_string();

    // Read in text: found, secret hidden though known from state.
    let (code, stdout, _) = call(args(&["read", &id, "--state", &state])).await.unwrap();
    assert_eq!(code, 0);
    assert!(stdout.contains(&format!("found {id}")));
    assert!(!stdout.contains(&secret), "text output hides the secret");

    // Read in JSON without --show-secrets: the secret is withheld as null and said to be hidden,
    // never replaced by a string a script could take for it.
    let (code, stdout, _) = call(args(&["--output", "json", "read", &id, "--state", &state])).await.unwrap();
    assert_eq!(code, 0);
    let read: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(read["outputs"]["secretAccessKey"].is_null(), "{read}");
    assert_eq!(read["hidden"], serde_json::json!(["secretAccessKey"]));
    assert_eq!(read["secrets"], serde_json::json!(["secretAccessKey"]));

    // Import (flags before the subcommand): no secret.
    let (code, stdout, _) = call(args(&["--output", "json", "import", &id])).await.unwrap();
    assert_eq!(code, 0);
    let imported: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(imported["outputs"]["secretAccessKey"].is_null());
    assert_eq!(imported["hidden"], serde_json::json!([]), "nothing withheld: the secret is not known");
    assert_eq!(imported["inputs"]["bucketName"], "example-bucket");

    // Diff: a new bucket name forces replacement.
    let (code, stdout, _) =
        call(args(&["diff", &id, "--olds", &state, "--bucket-name", "other-bucket"])).await.unwrap();
    assert_eq!(code, 0);
    assert!(stdout.contains("bucketName: forces replacement"), "{stdout}");

    // Delete, then read: gone (exit 3); import: not found (exit 3); delete again: fine.
    assert_eq!(call(args(&["delete", &id])).await.unwrap().0, 0);
    let (code, stdout, _) = call(args(&["read", &id])).await.unwrap();
    assert_eq!(code, 3);
    assert!(stdout.contains("gone"));
    assert_eq!(call(args(&["import", &id])).await.unwrap().0, 3);
    assert_eq!(call(args(&["delete", &id])).await.unwrap().0, 0);

    // A malformed id is a user error, and reaches no endpoint.
    let before = endpoint.stats().total_calls();
    let (code, _, stderr) = call(args(&["read", "not-an-id"])).await.unwrap();
    assert_eq!(code, 2);
    assert!(stderr.contains("id:"), "{stderr}");
    assert_eq!(endpoint.stats().total_calls(), before);
}

/// `list` shows a bucket's keys with their last use in words (one used through S3 by the AWS CLI,
/// one never), filters them by it, and holds no secret in JSON; `rotate` makes room in the full
/// bucket by deleting the oldest key, and its preview only reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_shows_last_use_and_rotate_makes_room() {
    if !lightsail_test_support::aws_cli::installed("list_shows_last_use_and_rotate_makes_room") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let endpoint = lightsail_local::LocalEndpoint::start(Default::default()).await.unwrap();
    let (url, creds) = (endpoint.url(), endpoint.credentials().clone());
    let run = {
        let url = url.clone();
        move |args: Vec<&str>| {
            let output = command(home.path())
                .env("AWS_ACCESS_KEY_ID", &creds.access_key_id)
                .env("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key)
                .env("AWS_REGION", "us-east-1")
                .env("AWS_ENDPOINT_URL", &url)
                .args(args)
                .output()
                .unwrap();
            let (stdout, stderr) = text(&output);
            assert_eq!(code(&output), 0, "{stdout}\n{stderr}");
            stdout
        }
    };
    let options = lightsail_provider_host::aws::AwsOptions::default().with_local_endpoint(&endpoint, "us-east-1");
    let api = lightsail_provider_host::aws::LightsailApi::new(options).await.unwrap();
    lightsail_test_support::create_bucket(&api, "audit-bucket").await.unwrap();
    let create = || {
        let created = run(vec!["create", "--bucket-name", "audit-bucket", "--output", "json", "--show-secrets"]);
        let created: serde_json::Value = serde_json::from_str(&created).unwrap();
        let key = created["outputs"]["accessKeyId"].as_str().unwrap().to_string();
        (key, created["outputs"]["secretAccessKey"].as_str().unwrap().to_string())
    };
    let (used, used_secret) = create();
    let (idle, idle_secret) = create();
    lightsail_test_support::aws_cli::aws(&url, Some((&used, &used_secret)), &["s3", "ls", "s3://audit-bucket"])
        .unwrap();

    let listed = run(vec!["list", "--bucket-name", "audit-bucket"]);
    let line = |key: &str| listed.lines().find(|l| l.contains(key)).unwrap_or_default().to_string();
    assert!(listed.starts_with("ID ") && listed.contains("LAST USED"), "{listed}");
    assert!(line(&used).ends_with(" UTC in us-east-1 (s3)"), "{listed}");
    assert!(line(&idle).ends_with("  never used"), "{listed}");
    let column = |l: String| l.find("Active").unwrap();
    assert_eq!(column(line(&used)), column(line(&idle)), "the columns hold:\n{listed}");

    let unused = run(vec!["list", "--bucket-name", "audit-bucket", "--unused-for", "30"]);
    assert!(unused.contains(&idle) && !unused.contains(&used), "{unused}");
    let json = run(vec!["--output", "json", "list", "--bucket-name", "audit-bucket"]);
    assert!(!json.contains(&used_secret) && !json.contains(&idle_secret), "no secret in: {json}");
    let items: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(items["items"].as_array().unwrap().len(), 2);
    assert_eq!(items["items"][0]["outputs"]["lastUsed"]["serviceName"], "s3");

    let writes = || ["CreateBucketAccessKey", "DeleteBucketAccessKey"].map(|op| endpoint.stats().calls_of(op));
    let before = writes();
    let preview = run(vec!["rotate", "--bucket-name", "audit-bucket", "--preview"]);
    assert!(preview.contains(&format!("would delete audit-bucket,{used} to make room")), "{preview}");
    assert_eq!(writes(), before, "a preview changes nothing");
    let rotated = run(vec!["rotate", "--bucket-name", "audit-bucket"]);
    assert!(
        rotated.starts_with(&format!("deleted audit-bucket,{used} to make room\ncreated audit-bucket,")),
        "{rotated}"
    );
    let keys = endpoint.inspect(|s| s.access_key_ids("us-east-1", "audit-bucket")).unwrap();
    assert_eq!((keys.len(), keys[0].as_str()), (2, idle.as_str()));
}

#[test]
fn local_flag_keeps_state_between_invocations() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = command(home.path()).arg("--local").args(args).output().unwrap();
        let (stdout, stderr) = text(&output);
        (code(&output), stdout, stderr)
    };
    let (code, stdout, stderr) = run(&["create", "--bucket-name", "example-bucket"]);
    assert_eq!(code, 0, "{stderr}");
    let id = stdout.lines().next().unwrap().strip_prefix("created ").unwrap().to_string();
    assert_eq!(run(&["read", &id]).0, 0);
    assert_eq!(run(&["delete", &id]).0, 0);
    assert_eq!(run(&["read", &id]).0, 3);
    assert!(home.path().join("state/lightsail-provider/local-endpoint.sqlite3").exists());
}

/// Twenty `--local` runs at once on two buckets of one state file: each run waits for the state's
/// lock, so the file ends with exactly the keys the runs reported, at most two a bucket.
#[test]
fn parallel_local_runs_lose_no_update_and_keep_the_limit() {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state.sqlite3");
    let local = |args: &[&str]| {
        let mut command = command(home.path());
        command.args(["--local", "--local-state"]).arg(&state).args(["--output", "json"]).args(args);
        command
    };
    // The second bucket (the first, example-bucket, every --local run makes), and the component
    // compiled into the cache once.
    let bucket = r#"{"name": "second-bucket", "bundleId": "small_1_0"}"#;
    let made = local(&["create", "--type", "aws:lightsail/bucket:Bucket", "--inputs", bucket]).output().unwrap();
    assert_eq!(made.status.code(), Some(0), "{}", text(&made).1);

    let runs: Vec<_> = (0..20)
        .map(|i| {
            let bucket = if i % 2 == 0 { "example-bucket" } else { "second-bucket" };
            let mut command = local(&["create", "--bucket-name", bucket]);
            command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap()
        })
        .collect();
    // Every run has ended before anything is asserted: a failure leaves no process behind.
    let outputs: Vec<_> = runs.into_iter().map(|run| run.wait_with_output().unwrap()).collect();
    let mut reported = Vec::new();
    for output in outputs {
        match output.status.code() {
            Some(0) => {
                let created: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
                reported.push(created["id"].as_str().unwrap().to_string());
            }
            // The two-key limit: seen in the bucket's keys before any create (under --output json,
            // the error is JSON).
            Some(4) => {
                let error: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
                assert_eq!(error["error"]["code"], "AccessKeyLimit", "{error}");
            }
            other => panic!("exit {other:?}: {}", text(&output).1),
        }
    }
    assert_eq!(reported.len(), 4, "two keys for each of the two buckets: {reported:?}");

    let saved = rusqlite::Connection::open_with_flags(&state, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut query =
        saved.prepare("SELECT bucket || ',' || access_key_id FROM access_keys WHERE region = 'us-east-1'").unwrap();
    let mut in_file: Vec<String> = query.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect();
    reported.sort();
    in_file.sort();
    assert_eq!(in_file, reported, "the state file holds exactly the keys reported created");
}

/// Every subcommand takes `--type`: the CLI deletes a bucket it created.
#[test]
fn every_type_for_every_subcommand() {
    let home = tempfile::tempdir().unwrap();
    let bucket = ["--type", lightsail_test_support::BUCKET_TOKEN];
    let local = |args: &[&str]| {
        let output = command(home.path()).args(["--local", "--output", "json"]).args(args).output().unwrap();
        let (stdout, stderr) = text(&output);
        (output.status.code(), stdout, stderr)
    };
    let inputs = r#"{"name": "typed-bucket", "bundleId": "small_1_0"}"#;
    let (code, stdout, stderr) = local(&[&["create", "--inputs", inputs][..], &bucket].concat());
    assert_eq!(code, Some(0), "{stderr}");
    let created: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(created["id"], "typed-bucket");

    let (code, stdout, stderr) = local(&[&["read", "typed-bucket"][..], &bucket].concat());
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&stdout).unwrap()["outputs"]["bundleId"], "small_1_0");
    let (code, stdout, stderr) = local(&[&["import", "typed-bucket@us-east-1"][..], &bucket].concat());
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&stdout).unwrap()["inputs"]["name"], "typed-bucket");

    let (code, _, stderr) = local(&[&["delete", "typed-bucket"][..], &bucket].concat());
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stdout, _) = local(&[&["read", "typed-bucket"][..], &bucket].concat());
    assert_eq!(code, Some(3), "gone: {stdout}");
    // The default is still the access key: a bucket name is not an access key id.
    let (code, _, stderr) = local(&["read", "typed-bucket"]);
    assert_eq!(code, Some(2), "{stderr}");
}
