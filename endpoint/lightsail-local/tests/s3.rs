//! The S3 side, driven by the unmodified AWS CLI (`aws s3`, `aws s3api`): a bucket's key opens
//! that bucket and no other, a deleted key opens nothing, a public bucket lets anyone read.

mod common;

use common::{client, create_bucket};
use lightsail_local::LocalEndpoint;
use std::path::Path;
use std::process::Command;

/// The AWS CLI is a peer these tests need; CI sets `REQUIRE_AWS_CLI=1` so they cannot be skipped.
fn have_aws_cli(test: &str) -> bool {
    if Command::new("aws").arg("--version").output().is_ok() {
        return true;
    }
    assert!(std::env::var_os("REQUIRE_AWS_CLI").is_none(), "REQUIRE_AWS_CLI is set but `aws` is not installed");
    eprintln!("SKIPPED: the AWS CLI is not installed (pip install awscli) — {test} did not run");
    false
}

/// A key's id and secret, as the AWS CLI takes them; `None` sends unsigned requests.
type Key = Option<(String, String)>;

/// `aws ARGS --endpoint-url URL` with only this key: its stdout, or its stderr when it fails.
fn aws(endpoint: &LocalEndpoint, key: &Key, args: &[&str]) -> Result<String, String> {
    let mut command = Command::new("aws");
    command
        .args(args)
        .args(["--endpoint-url", &endpoint.url()])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("AWS_DEFAULT_REGION", "us-east-1")
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

async fn key_of(endpoint: &LocalEndpoint, bucket: &str) -> (String, String) {
    let created = client(endpoint, "us-east-1").create_bucket_access_key().bucket_name(bucket).send().await.unwrap();
    let key = created.access_key.unwrap();
    (key.access_key_id.unwrap(), key.secret_access_key.unwrap())
}

fn s3(bucket: &str, key: &str) -> String {
    format!("s3://{bucket}/{key}")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bucket_s_key_copies_lists_reads_and_removes_its_objects_and_stops_once_deleted() {
    if !have_aws_cli("a_bucket_s_key_copies_lists_reads_and_removes_its_objects_and_stops_once_deleted") {
        return;
    }
    let endpoint = common::endpoint().await;
    create_bucket(&client(&endpoint, "us-east-1"), "site-bucket").await;
    let (id, secret) = key_of(&endpoint, "site-bucket").await;
    let key: Key = Some((id.clone(), secret));
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "index.html", b"<h1>hello, bucket</h1>\n");

    let last_used = async || {
        let keys = client(&endpoint, "us-east-1").get_bucket_access_keys().bucket_name("site-bucket").send().await;
        keys.unwrap().access_keys.unwrap().remove(0).last_used.unwrap()
    };
    let never = last_used().await;
    assert_eq!(
        (never.last_used_date, never.region.as_deref(), never.service_name.as_deref()),
        (None, Some("N/A"), Some("N/A"))
    );
    let copied = aws(&endpoint, &key, &["s3", "cp", &file, &s3("site-bucket", "site/index.html")]).unwrap();
    assert!(copied.contains("upload:"), "{copied}");
    // As GetBucketAccessKeys reports a key's use afterwards.
    let used = last_used().await;
    assert!(used.last_used_date.is_some());
    assert_eq!((used.region.as_deref(), used.service_name.as_deref()), (Some("us-east-1"), Some("s3")));
    aws(&endpoint, &key, &["s3", "cp", &file, &s3("site-bucket", "site/a b+c.html")]).unwrap();
    aws(&endpoint, &key, &["s3", "cp", &file, &s3("site-bucket", "top.txt")]).unwrap();

    let top = aws(&endpoint, &key, &["s3", "ls", "s3://site-bucket"]).unwrap();
    assert!(top.contains("PRE site/") && top.contains("top.txt"), "{top}");
    let listed = aws(&endpoint, &key, &["s3", "ls", "s3://site-bucket/site/"]).unwrap();
    assert!(listed.contains(" 23 index.html") && listed.contains("a b+c.html"), "{listed}");

    let down = dir.path().join("down.html");
    aws(&endpoint, &key, &["s3", "cp", &s3("site-bucket", "site/a b+c.html"), down.to_str().unwrap()]).unwrap();
    assert_eq!(std::fs::read(&down).unwrap(), b"<h1>hello, bucket</h1>\n");

    let head = aws(&endpoint, &key, &["s3api", "head-object", "--bucket", "site-bucket", "--key", "site/index.html"]);
    let head: serde_json::Value = serde_json::from_str(&head.unwrap()).unwrap();
    assert_eq!(head["ContentLength"], 23);
    assert_eq!(head["ContentType"], "text/html");
    assert!(head["ETag"].as_str().unwrap().starts_with('"'), "{head}");

    let part = dir.path().join("part");
    let ranged = aws(
        &endpoint,
        &key,
        &[
            "s3api",
            "get-object",
            "--bucket",
            "site-bucket",
            "--key",
            "top.txt",
            "--range",
            "bytes=4-8",
            part.to_str().unwrap(),
        ],
    );
    let ranged: serde_json::Value = serde_json::from_str(&ranged.unwrap()).unwrap();
    assert_eq!(ranged["ContentRange"], "bytes 4-8/23");
    assert_eq!(std::fs::read(&part).unwrap(), b"hello");

    let removed = aws(&endpoint, &key, &["s3", "rm", "--recursive", "s3://site-bucket/site/"]).unwrap();
    assert!(removed.contains("delete: s3://site-bucket/site/index.html"), "{removed}");
    let left = aws(&endpoint, &key, &["s3", "ls", "--recursive", "s3://site-bucket"]).unwrap();
    assert!(left.contains("top.txt") && !left.contains("site/"), "{left}");
    assert_eq!(endpoint.inspect(|store| store.object_count_and_size("us-east-1", "site-bucket")), (1, 23));

    let missing = aws(&endpoint, &key, &["s3api", "head-object", "--bucket", "site-bucket", "--key", "nope"]);
    assert!(missing.unwrap_err().contains("404"));

    client(&endpoint, "us-east-1")
        .delete_bucket_access_key()
        .bucket_name("site-bucket")
        .access_key_id(&id)
        .send()
        .await
        .unwrap();
    let refused = aws(&endpoint, &key, &["s3", "ls", "s3://site-bucket"]).unwrap_err();
    assert!(refused.contains("InvalidAccessKeyId"), "{refused}");
    let refused = aws(&endpoint, &key, &["s3", "cp", &file, &s3("site-bucket", "late.txt")]).unwrap_err();
    assert!(refused.contains("InvalidAccessKeyId"), "{refused}");
    assert_eq!(endpoint.inspect(|store| store.object_count_and_size("us-east-1", "site-bucket")), (1, 23));
}

#[tokio::test(flavor = "multi_thread")]
async fn another_bucket_s_key_a_wrong_secret_and_anonymous_writes_are_refused_and_public_reads_are_not() {
    if !have_aws_cli("another_bucket_s_key_a_wrong_secret_and_anonymous_writes_are_refused_and_public_reads_are_not") {
        return;
    }
    let endpoint = common::endpoint().await;
    let lightsail = client(&endpoint, "us-east-1");
    create_bucket(&lightsail, "mine").await;
    create_bucket(&lightsail, "theirs").await;
    let mine: Key = Some(key_of(&endpoint, "mine").await);
    let theirs: Key = Some(key_of(&endpoint, "theirs").await);
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "f.txt", b"only mine");
    aws(&endpoint, &mine, &["s3", "cp", &file, &s3("mine", "f.txt")]).unwrap();

    let err = aws(&endpoint, &theirs, &["s3", "cp", &s3("mine", "f.txt"), "-"]).unwrap_err();
    assert!(err.contains("403"), "{err}");
    let err = aws(&endpoint, &theirs, &["s3api", "get-object", "--bucket", "mine", "--key", "f.txt", "/dev/null"])
        .unwrap_err();
    assert!(err.contains("AccessDenied"), "{err}");
    let err = aws(&endpoint, &theirs, &["s3", "cp", &file, &s3("mine", "g.txt")]).unwrap_err();
    assert!(err.contains("AccessDenied"), "{err}");

    let wrong = mine.clone().map(|(id, _)| (id, "x".repeat(40)));
    let err = aws(&endpoint, &wrong, &["s3", "ls", "s3://mine"]).unwrap_err();
    assert!(err.contains("SignatureDoesNotMatch"), "{err}");
    let admin = Some((
        lightsail_local::Credentials::TEST_ACCESS_KEY_ID.to_string(),
        lightsail_local::Credentials::TEST_SECRET_ACCESS_KEY.to_string(),
    ));
    let err = aws(&endpoint, &admin, &["s3", "ls", "s3://mine"]).unwrap_err();
    assert!(err.contains("AccessDenied"), "{err}");

    // Private: nobody without a key reads.
    let err = aws(&endpoint, &None, &["s3", "cp", &s3("mine", "f.txt"), "-"]).unwrap_err();
    assert!(err.contains("403"), "{err}");
    let rules = aws_sdk_lightsail::types::AccessRules::builder()
        .get_object(aws_sdk_lightsail::types::AccessType::Public)
        .build();
    lightsail.update_bucket().bucket_name("mine").access_rules(rules).send().await.unwrap();
    let read = aws(&endpoint, &None, &["s3", "cp", &s3("mine", "f.txt"), "-"]).unwrap();
    assert_eq!(read, "only mine");
    let err = aws(&endpoint, &None, &["s3", "cp", &file, &s3("mine", "anon.txt")]).unwrap_err();
    assert!(err.contains("AccessDenied"), "{err}");
    let err = aws(&endpoint, &None, &["s3", "ls", "s3://mine"]).unwrap_err();
    assert!(err.contains("AccessDenied"), "{err}");
    let stats = endpoint.stats();
    assert!(stats.calls_of("GetObject") >= 2 && stats.calls_of("PutObject") >= 1, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_above_the_multipart_threshold_goes_up_in_parts_and_comes_back_whole() {
    if !have_aws_cli("a_file_above_the_multipart_threshold_goes_up_in_parts_and_comes_back_whole") {
        return;
    }
    let endpoint = common::endpoint().await;
    create_bucket(&client(&endpoint, "us-east-1"), "big-bucket").await;
    let key: Key = Some(key_of(&endpoint, "big-bucket").await);
    let dir = tempfile::tempdir().unwrap();
    // 9 MiB of a pattern that no offset repeats early: a misplaced part shows.
    let bytes: Vec<u8> = (0..9 * 1024 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let file = write(dir.path(), "big.bin", &bytes);
    aws(&endpoint, &key, &["s3", "cp", &file, &s3("big-bucket", "big.bin")]).unwrap();
    let stats = endpoint.stats();
    assert_eq!(stats.calls_of("CreateMultipartUpload"), 1, "{stats:?}");
    assert_eq!(stats.calls_of("UploadPart"), 2, "{stats:?}");
    assert_eq!(stats.calls_of("CompleteMultipartUpload"), 1, "{stats:?}");

    let down = dir.path().join("down.bin");
    aws(&endpoint, &key, &["s3", "cp", &s3("big-bucket", "big.bin"), down.to_str().unwrap()]).unwrap();
    assert!(std::fs::read(&down).unwrap() == bytes, "the object read back differs from the file sent");
    let head = aws(&endpoint, &key, &["s3api", "head-object", "--bucket", "big-bucket", "--key", "big.bin"]).unwrap();
    assert!(head.contains("-2\\\""), "a multipart ETag ends with its part count: {head}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bucket_with_objects_is_deleted_only_with_force() {
    if !have_aws_cli("a_bucket_with_objects_is_deleted_only_with_force") {
        return;
    }
    let endpoint = common::endpoint().await;
    let lightsail = client(&endpoint, "us-east-1");
    create_bucket(&lightsail, "full-bucket").await;
    let (id, secret) = key_of(&endpoint, "full-bucket").await;
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "f.txt", b"kept");
    aws(&endpoint, &Some((id.clone(), secret)), &["s3", "cp", &file, &s3("full-bucket", "f.txt")]).unwrap();
    lightsail.delete_bucket_access_key().bucket_name("full-bucket").access_key_id(&id).send().await.unwrap();

    let err = lightsail.delete_bucket().bucket_name("full-bucket").send().await.unwrap_err();
    assert!(common::message(&err).contains("1 object(s)"), "{}", common::message(&err));
    lightsail.delete_bucket().bucket_name("full-bucket").force_delete(true).send().await.unwrap();
    assert_eq!(endpoint.inspect(|store| store.object_count_and_size("us-east-1", "full-bucket")), (0, 0));
}

#[tokio::test]
async fn faults_reach_the_s3_side_a_lost_answer_still_stores_the_object() {
    use lightsail_local::{Fault, FaultConfig, ScriptedFault};
    let endpoint = common::endpoint().await;
    let lightsail = client(&endpoint, "us-east-1");
    create_bucket(&lightsail, "faulty-bucket").await;
    let (id, secret) = key_of(&endpoint, "faulty-bucket").await;
    let s3 = common::s3_client(&endpoint.url(), "us-east-1", (&id, &secret));
    let script = |fault| ScriptedFault { operation: Some("PutObject".into()), fault, hold: None };
    endpoint
        .set_faults(FaultConfig {
            script: vec![script(Fault::Throttle), script(Fault::LostResponse)],
            ..Default::default()
        })
        .unwrap();
    let put = |key: &'static str| {
        s3.put_object()
            .bucket("faulty-bucket")
            .key(key)
            .body(aws_sdk_s3::primitives::ByteStream::from_static(b"x"))
            .send()
    };
    let throttled = put("throttled").await.unwrap_err();
    assert_eq!(throttled.raw_response().map(|r| r.status().as_u16()), Some(503));
    assert!(put("lost").await.is_err(), "the answer was dropped");
    assert!(put("fine").await.is_ok());
    for (key, there) in [("throttled", false), ("lost", true), ("fine", true)] {
        let head = s3.head_object().bucket("faulty-bucket").key(key).send().await;
        assert_eq!(head.is_ok(), there, "{key}");
    }
    let stats = endpoint.stats();
    assert_eq!(stats.calls_of("PutObject"), 3);
    assert_eq!((stats.faults["throttle"], stats.faults["lost_response"]), (1, 1));
}
