//! `--state-file`: a SQLite database. State survives a restart and a `kill -9` in the middle of a
//! burst of writes; a JSON state file of earlier versions is migrated; a corrupt file stops the
//! start with a clear error.

mod common;

use common::*;
use lightsail_local::{Config, LocalEndpoint, StartError};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// `lightsail-local serve` on a free port with this state file, and its URL.
fn serve(path: &std::path::Path) -> (std::process::Child, String) {
    let mut server = Command::new(env!("CARGO_BIN_EXE_lightsail-local"))
        .args(["serve", "--addr", "127.0.0.1:0", "--state-file"])
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("lightsail-local listening on ").expect("the address").to_string();
    (server, url)
}

async fn start(path: &std::path::Path) -> Result<LocalEndpoint, StartError> {
    LocalEndpoint::start(Config { state_file: Some(path.to_path_buf()), ..Default::default() }).await
}

/// What `sqlite3 STATE "SELECT ..."` would show: the ids of a bucket's keys.
fn key_ids_in_the_file(path: &std::path::Path, bucket: &str) -> Vec<String> {
    let db = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut query = db.prepare("SELECT access_key_id FROM access_keys WHERE bucket = ?1 ORDER BY position").unwrap();
    query.query_map([bucket], |row| row.get(0)).unwrap().map(Result::unwrap).collect()
}

#[tokio::test]
async fn state_survives_a_restart_and_can_be_read_with_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let (key_id, secret) = {
        let endpoint = start(&path).await.unwrap();
        let client = client(&endpoint, "eu-west-2");
        create_bucket(&client, "kept-bucket").await;
        let (id, secret) = new_key(&client, "kept-bucket").await;
        let s3 = s3_client(&endpoint.url(), "eu-west-2", (&id, &secret));
        let body = aws_sdk_s3::primitives::ByteStream::from_static(b"kept across restarts");
        s3.put_object().bucket("kept-bucket").key("notes/kept.txt").body(body).send().await.unwrap();
        (id, secret)
    };
    assert_eq!(key_ids_in_the_file(&path, "kept-bucket"), vec![key_id.clone()]);
    // The secret is kept where the service keeps it (the S3 side checks signatures with it), and
    // nowhere else: not in a log, not in a file beside the database.
    let database = |name: &str| name.starts_with("state.db");
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let file = file.unwrap();
        let bytes = std::fs::read(file.path()).unwrap();
        let holds_secret = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
        let name = file.file_name().into_string().unwrap();
        assert!(!holds_secret || database(&name), "the secret is written to {name}");
    }

    let endpoint = start(&path).await.unwrap();
    let client = client(&endpoint, "eu-west-2");
    let keys = client.get_bucket_access_keys().bucket_name("kept-bucket").send().await.unwrap();
    assert_eq!(keys.access_keys()[0].access_key_id(), Some(key_id.as_str()));
    // Objects survive, and the key still opens them.
    let s3 = s3_client(&endpoint.url(), "eu-west-2", (&key_id, &secret));
    let object = s3.get_object().bucket("kept-bucket").key("notes/kept.txt").send().await.unwrap();
    assert_eq!(&object.body.collect().await.unwrap().into_bytes()[..], b"kept across restarts");
    // Operation records survive too, and polls go on from where they were.
    let op = created_operation(&client).await;
    assert_eq!(
        client.get_operation().operation_id(&op).send().await.unwrap().operation().unwrap().id(),
        Some(op.as_str())
    );
}

async fn created_operation(client: &aws_sdk_lightsail::Client) -> String {
    let made = client.create_bucket().bucket_name("another-bucket").bundle_id("small_1_0").send().await.unwrap();
    made.operations()[0].id().unwrap().to_string()
}

#[tokio::test]
async fn a_json_state_file_is_migrated_and_kept_beside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    // The JSON state of earlier versions, as they wrote it.
    let mut old = lightsail_local::Store::new();
    let request = lightsail_local::model::CreateBucketRequest {
        bucket_name: Some("old-bucket".into()),
        bundle_id: Some("small_1_0".into()),
        ..Default::default()
    };
    old.create_bucket("us-east-1", 1.0, request, Default::default()).unwrap();
    lightsail_local::persistence::save(&path, &old).unwrap();

    let endpoint = start(&path).await.unwrap();
    let buckets = client(&endpoint, "us-east-1").get_buckets().send().await.unwrap();
    assert_eq!(buckets.buckets()[0].name(), Some("old-bucket"));
    let backup = dir.path().join("state.json.json-backup");
    assert!(std::fs::read_to_string(&backup).unwrap().contains("old-bucket"), "the JSON is kept");
    assert_eq!(&std::fs::read(&path).unwrap()[..16], b"SQLite format 3\0");
}

#[tokio::test]
async fn a_corrupt_state_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    for corrupt in ["{\"format\": 1, \"regions\": ", "[]", "{\"format\": 7, \"regions\": {}}", "not a database at all"]
    {
        std::fs::write(&path, corrupt).unwrap();
        let err = start(&path).await.err().expect("refused");
        assert!(matches!(err, StartError::CorruptState { .. }), "{corrupt}: {err}");
        assert!(err.to_string().contains("state.db"), "{err}");
    }
    // An absent file is an empty state, not an error.
    std::fs::remove_file(&path).unwrap();
    start(&path).await.unwrap();
}

/// `lightsail-local serve` killed with SIGKILL while clients write as fast as they can: after a
/// restart, every bucket whose creation was answered is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answered_change_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let (server, url) = serve(&path);
    let creds = lightsail_local::Credentials::test_pair();
    let client = aws_sdk_lightsail::Client::from_conf(sdk_config(&url, "us-east-1", &creds).build());

    let answered = answered_until_killed(server, move |writer, i| {
        let client = client.clone();
        async move {
            let name = format!("burst-{writer}-{i}");
            client.create_bucket().bucket_name(&name).bundle_id("small_1_0").send().await.ok().map(|_| name)
        }
    })
    .await;

    let endpoint = start(&path).await.unwrap();
    let client = client_of(&endpoint);
    let kept: std::collections::BTreeSet<String> = client
        .get_buckets()
        .send()
        .await
        .unwrap()
        .buckets()
        .iter()
        .filter_map(|b| b.name().map(str::to_string))
        .collect();
    let lost: Vec<&String> = answered.iter().filter(|name| !kept.contains(*name)).collect();
    assert!(lost.is_empty(), "{} of {} answered creates were lost: {lost:?}", lost.len(), answered.len());
}

/// The same for objects: `kill -9` while four clients put objects as fast as they can; every put
/// that was answered is there after the restart, byte for byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answered_object_write_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let (server, url) = serve(&path);
    let creds = lightsail_local::Credentials::test_pair();
    let lightsail = aws_sdk_lightsail::Client::from_conf(sdk_config(&url, "us-east-1", &creds).build());
    create_bucket(&lightsail, "burst-bucket").await;
    let (id, secret) = new_key(&lightsail, "burst-bucket").await;
    let s3 = s3_client(&url, "us-east-1", (&id, &secret));

    let answered = answered_until_killed(server, move |writer, i| {
        let s3 = s3.clone();
        async move {
            let key = format!("burst/{writer}/{i}");
            let body = aws_sdk_s3::primitives::ByteStream::from(key.repeat(100).into_bytes());
            s3.put_object().bucket("burst-bucket").key(&key).body(body).send().await.ok().map(|_| key)
        }
    })
    .await;

    let endpoint = start(&path).await.unwrap();
    let s3 = s3_client(&endpoint.url(), "us-east-1", (&id, &secret));
    for key in &answered {
        let object = s3.get_object().bucket("burst-bucket").key(key).send().await;
        let object = object.unwrap_or_else(|e| panic!("the answered put of {key} was lost: {e}"));
        assert_eq!(object.body.collect().await.unwrap().into_bytes(), key.repeat(100).as_bytes());
    }
}

/// Four writers call `write(writer, i)` for i = 0, 1, … as fast as the answers come, until one is
/// refused or lost; the server is killed (SIGKILL) after the 60th answered write, in the middle of
/// the burst. What the answered writes returned.
async fn answered_until_killed<W, F>(mut server: std::process::Child, write: W) -> Vec<String>
where
    W: Fn(usize, usize) -> F + Clone + Send + 'static,
    F: std::future::Future<Output = Option<String>> + Send,
{
    let answered = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut writers = tokio::task::JoinSet::new();
    for writer in 0..4 {
        let (write, answered) = (write.clone(), answered.clone());
        writers.spawn(async move {
            for i in 0.. {
                match write(writer, i).await {
                    Some(name) => answered.lock().unwrap().push(name),
                    None => return,
                }
            }
        });
    }
    while answered.lock().unwrap().len() < 60 {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    while writers.join_next().await.is_some() {}
    answered.lock().unwrap().clone()
}

fn client_of(endpoint: &LocalEndpoint) -> aws_sdk_lightsail::Client {
    client(endpoint, "us-east-1")
}

/// A database of layout 1 (before the S3 side kept secrets) opens upgraded: its buckets and keys
/// are there, its keys sign nothing on the S3 side (their secrets were never kept), new keys do.
#[tokio::test]
async fn a_layout_1_database_is_upgraded_and_its_keys_sign_nothing() {
    use aws_sdk_s3::error::ProvideErrorMetadata;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let old_key = "AKIAOLDOLDOLDOLDOLD2";
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(&format!(
            "CREATE TABLE buckets (region TEXT NOT NULL, name TEXT NOT NULL, bundle_id TEXT NOT NULL,
                created_at REAL NOT NULL, arn TEXT NOT NULL, object_versioning TEXT NOT NULL, tags TEXT NOT NULL,
                settings TEXT NOT NULL, PRIMARY KEY (region, name));
             CREATE TABLE access_keys (region TEXT NOT NULL, bucket TEXT NOT NULL, position INTEGER NOT NULL,
                access_key_id TEXT NOT NULL, status TEXT NOT NULL, created_at REAL NOT NULL,
                PRIMARY KEY (region, bucket, access_key_id));
             CREATE TABLE operations (region TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL,
                resource_name TEXT NOT NULL, operation_type TEXT NOT NULL, status TEXT NOT NULL,
                polls_left INTEGER NOT NULL, failed INTEGER NOT NULL, record TEXT NOT NULL, PRIMARY KEY (region, id));
             INSERT INTO buckets VALUES ('us-east-1', 'old-bucket', 'small_1_0', 1.0, 'arn', 'NeverEnabled', '[]', '{{}}');
             INSERT INTO access_keys VALUES ('us-east-1', 'old-bucket', 0, '{old_key}', 'Active', 1.0);
             PRAGMA user_version = 1;"
        ))
        .unwrap();
    let endpoint = start(&path).await.unwrap();
    let lightsail = client_of(&endpoint);
    let keys = lightsail.get_bucket_access_keys().bucket_name("old-bucket").send().await.unwrap();
    assert_eq!(keys.access_keys()[0].access_key_id(), Some(old_key));
    let s3 = s3_client(&endpoint.url(), "us-east-1", (old_key, "whatever-it-was"));
    let err = s3.list_objects_v2().bucket("old-bucket").send().await.unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{err:?}");
    let (id, secret) = new_key(&lightsail, "old-bucket").await;
    let s3 = s3_client(&endpoint.url(), "us-east-1", (&id, &secret));
    s3.list_objects_v2().bucket("old-bucket").send().await.unwrap();
}
