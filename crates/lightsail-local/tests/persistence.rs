//! `--state-file`: state survives a restart; a corrupt file stops the start with a clear error.

mod common;

use common::*;
use lightsail_local::{Config, LocalEndpoint, StartError};

async fn start(path: &std::path::Path) -> Result<LocalEndpoint, StartError> {
    LocalEndpoint::start(Config { state_file: Some(path.to_path_buf()), ..Default::default() }).await
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let key_id = {
        let endpoint = start(&path).await.unwrap();
        let client = client(&endpoint, "eu-west-2");
        create_bucket(&client, "kept-bucket").await;
        let created = client.create_bucket_access_key().bucket_name("kept-bucket").send().await.unwrap();
        created.access_key().unwrap().access_key_id().unwrap().to_string()
    };
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains(&key_id));
    assert!(!saved.to_lowercase().contains("secret"), "secrets are never written down");
    // Only the state file is left: the temporary file was renamed into place.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let endpoint = start(&path).await.unwrap();
    let client = client(&endpoint, "eu-west-2");
    let keys = client.get_bucket_access_keys().bucket_name("kept-bucket").send().await.unwrap();
    assert_eq!(keys.access_keys()[0].access_key_id(), Some(key_id.as_str()));
}

#[tokio::test]
async fn a_corrupt_state_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    for corrupt in ["{\"format\": 1, \"regions\": ", "[]", "{\"format\": 7, \"regions\": {}}"] {
        std::fs::write(&path, corrupt).unwrap();
        let err = start(&path).await.err().expect("refused");
        assert!(matches!(err, StartError::CorruptState { .. }), "{err}");
        assert!(err.to_string().contains("state.json"), "{err}");
    }
    // An absent file is an empty state, not an error.
    std::fs::remove_file(&path).unwrap();
    start(&path).await.unwrap();
}
