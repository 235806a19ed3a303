//! A key the CLI creates opens its bucket to an S3 client nobody here wrote (the AWS CLI), and
//! nothing once the CLI deleted it; a bucket that holds objects goes only when forced, as the
//! CLI's refusal says in its own terms.

mod common;

use common::{command, text};
use lightsail_test_support::aws_cli::{aws, installed};
use lightsail_test_support::{BUCKET_TOKEN, DEMO_BUCKET, LocalEndpointOptions, REGION};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_the_cli_creates_opens_the_bucket_until_the_cli_deletes_it() {
    if !installed("the_key_the_cli_creates_opens_the_bucket_until_the_cli_deletes_it") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let endpoint = lightsail_local::LocalEndpoint::start(Default::default()).await.unwrap();
    let url = endpoint.url();
    let creds = endpoint.credentials().clone();
    let cli = move |args: &[&str]| {
        let output = command(home.path())
            .env("AWS_ACCESS_KEY_ID", &creds.access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key)
            .env("AWS_REGION", REGION)
            .env("AWS_ENDPOINT_URL", &url)
            .args(args)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        (output.status.code(), stdout, stderr)
    };
    let options = lightsail_provider_host::aws::AwsOptions::default().with_local_endpoint(&endpoint, REGION);
    let api = lightsail_provider_host::aws::LightsailApi::new(options).await.unwrap();
    lightsail_test_support::create_bucket(&api, DEMO_BUCKET).await.unwrap();
    let url = endpoint.url();

    let (code, stdout, stderr) = tokio::task::block_in_place(|| {
        cli(&["create", "--bucket-name", DEMO_BUCKET, "--output", "json", "--show-secrets"])
    });
    assert_eq!(code, Some(0), "{stderr}");
    let created: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    let key_id = created["outputs"]["accessKeyId"].as_str().unwrap().to_string();
    let secret = created["outputs"]["secretAccessKey"].as_str().unwrap().to_string();
    let key = Some((key_id.as_str(), secret.as_str()));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.csv");
    std::fs::write(&file, "quarter,total\nq1,42\n").unwrap();
    let file = file.to_str().unwrap();
    let object = format!("s3://{DEMO_BUCKET}/reports/report.csv");
    tokio::task::block_in_place(|| {
        aws(&url, key, &["s3", "cp", file, &object]).unwrap();
        let listed = aws(&url, key, &["s3", "ls", &format!("s3://{DEMO_BUCKET}/reports/")]).unwrap();
        assert!(listed.contains("report.csv"), "{listed}");
        assert_eq!(aws(&url, key, &["s3", "cp", &object, "-"]).unwrap(), "quarter,total\nq1,42\n");
        let head = aws(&url, key, &["s3api", "head-object", "--bucket", DEMO_BUCKET, "--key", "reports/report.csv"]);
        assert!(head.unwrap().contains("\"ContentLength\": 20"));
        aws(&url, key, &["s3", "rm", &object]).unwrap();
        aws(&url, key, &["s3", "cp", file, &object]).unwrap();

        let (code, _, stderr) = cli(&["delete", &id]);
        assert_eq!(code, Some(0), "{stderr}");
        let refused = aws(&url, key, &["s3", "ls", &format!("s3://{DEMO_BUCKET}")]).unwrap_err();
        assert!(refused.contains("InvalidAccessKeyId"), "{refused}");
        let refused = aws(&url, key, &["s3", "cp", &object, "-"]).unwrap_err();
        assert!(refused.contains("403"), "{refused}");

        // The object the key left behind keeps the bucket until it is deleted with force.
        let (code, _, stderr) = cli(&["delete", DEMO_BUCKET, "--type", BUCKET_TOKEN]);
        assert_eq!(code, Some(4), "{stderr}");
        let forced = r#"--state '{"forceDelete": true}'"#;
        assert!(stderr.contains("1 object(s)") && stderr.contains(forced), "{stderr}");
        let (code, stdout, stderr) =
            cli(&["delete", DEMO_BUCKET, "--type", BUCKET_TOKEN, "--state", r#"{"forceDelete": true}"#]);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(stdout.contains("deleted"), "{stdout}");
    });
    assert_eq!(endpoint.inspect(|store| store.bucket_names(REGION)), Vec::<String>::new());
}
