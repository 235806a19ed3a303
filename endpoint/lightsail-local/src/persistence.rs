//! The JSON state file of versions before the database: the store as JSON, with a format number,
//! written whole and atomically on every change. Read to migrate it (`database`), and kept as the
//! baseline the state benchmark measures the database against.

use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::path::Path;

const STATE_FORMAT: u32 = 1;

#[derive(Serialize)]
struct Writing<'a> {
    format: u32,
    #[serde(flatten)]
    store: &'a Store,
}

#[derive(Deserialize)]
struct Reading {
    format: u32,
    #[serde(flatten)]
    store: Store,
}

/// The store a state file holds, or why it cannot be read as one.
pub fn decode(bytes: &[u8]) -> Result<Store, String> {
    let file: Reading = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if file.format != STATE_FORMAT {
        return Err(format!("unsupported state format {} (expected {STATE_FORMAT})", file.format));
    }
    Ok(file.store)
}

/// The store as a state file.
pub fn encode(store: &Store) -> Vec<u8> {
    serde_json::to_vec_pretty(&Writing { format: STATE_FORMAT, store }).expect("the store serializes")
}

/// The store in `path`; an empty one when there is no file yet.
pub fn load(path: &Path) -> Result<Store, LoadError> {
    match std::fs::read(path) {
        Ok(bytes) => decode(&bytes).map_err(LoadError::Corrupt),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Store::new()),
        Err(e) => Err(LoadError::Read(e)),
    }
}

/// Why a state file could not be loaded.
pub enum LoadError {
    /// It could not be read.
    Read(std::io::Error),
    /// It is not a state this endpoint can load.
    Corrupt(String),
}

/// Writes the whole state to a temporary file beside the target, then renames it into place.
pub fn save(path: &Path, store: &Store) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(&encode(store))?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CreateBucketRequest;
    use crate::store::OperationPlan;

    #[test]
    fn state_round_trips_and_rejects_other_formats() {
        let mut store = Store::new();
        store
            .create_bucket(
                "us-east-1",
                1.0,
                CreateBucketRequest {
                    bucket_name: Some("b-1".into()),
                    bundle_id: Some("small_1_0".into()),
                    ..Default::default()
                },
                OperationPlan::default(),
            )
            .unwrap();
        let again = decode(&encode(&store)).unwrap();
        assert_eq!(again.bucket_names("us-east-1"), vec!["b-1"]);
        assert!(decode(b"{\"format\": 99, \"regions\": {}}").unwrap_err().contains("format"));
        assert!(decode(b"{").is_err());
    }
}
