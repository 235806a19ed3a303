//! The state file: a SQLite database (WAL, `synchronous = FULL`) that a call's changes reach in
//! one transaction, row by row, before the call is answered. So a write costs the same however
//! large the state is, an answered change survives a crash (`kill -9`, or the machine's), and the
//! state can be read with `sqlite3`. The service's rules stay in `store`, which serves every call
//! from memory: reads never wait for the disk.
//!
//! A JSON state file of earlier versions is migrated on open; the JSON is kept beside it.

use crate::model::{Operation, Tag};
use crate::objects::{StoredObject, StoredPart, StoredUpload};
use crate::persistence;
use crate::store::{Changed, RegionState, Store, StoredAccessKey, StoredBucket, StoredOperation};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, mpsc};
use tokio::sync::oneshot;

/// The layout's version, in `PRAGMA user_version`: 2 added the keys' secrets and the S3 side's
/// objects and uploads.
const LAYOUT: i64 = 3;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS buckets (
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    bundle_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    arn TEXT NOT NULL,
    object_versioning TEXT NOT NULL,
    tags TEXT NOT NULL,          -- JSON: [{\"key\": ..., \"value\": ...}]
    settings TEXT NOT NULL,      -- JSON: access rules, read-only accounts, access log, CORS, last bundle change
    PRIMARY KEY (region, name)
);
CREATE TABLE IF NOT EXISTS access_keys (
    region TEXT NOT NULL,
    bucket TEXT NOT NULL,
    position INTEGER NOT NULL,   -- the order GetBucketAccessKeys answers in
    access_key_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    secret_access_key TEXT,      -- what the S3 side checks signatures with; NULL for keys of layout 1
    last_used_date REAL,         -- when the S3 side last took a request it signed (from layout 3)
    last_used_region TEXT,       -- and the region that request named
    PRIMARY KEY (region, bucket, access_key_id)
);
CREATE TABLE IF NOT EXISTS operations (
    region TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,        -- recording order: the oldest are forgotten first
    resource_name TEXT NOT NULL,
    operation_type TEXT NOT NULL,
    status TEXT NOT NULL,
    polls_left INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    record TEXT NOT NULL,        -- JSON: the Operation as GetOperation answers it
    PRIMARY KEY (region, id)
);
CREATE INDEX IF NOT EXISTS operations_by_seq ON operations (region, seq);
CREATE TABLE IF NOT EXISTS objects (
    region TEXT NOT NULL,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    data BLOB NOT NULL,
    etag TEXT NOT NULL,
    last_modified REAL NOT NULL,
    headers TEXT NOT NULL,       -- JSON: [[name, value], ...], answered back on GET and HEAD
    PRIMARY KEY (region, bucket, key)
);
CREATE TABLE IF NOT EXISTS uploads (
    region TEXT NOT NULL,
    id TEXT NOT NULL,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    initiated REAL NOT NULL,
    headers TEXT NOT NULL,
    PRIMARY KEY (region, id)
);
CREATE TABLE IF NOT EXISTS upload_parts (
    region TEXT NOT NULL,
    upload TEXT NOT NULL,
    number INTEGER NOT NULL,
    data BLOB NOT NULL,
    etag TEXT NOT NULL,
    PRIMARY KEY (region, upload, number)
);
";

/// Why a state file could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// SQLite refused it.
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    /// It, or its directory, could not be read or made.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// It is not a state file of this endpoint, or one it cannot read.
    #[error("{0}")]
    Corrupt(String),
}

/// Why a call's changes did not reach the file.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// SQLite refused the write.
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The writer thread is gone (it panicked): nothing more can be written.
    #[error("the state file's writer has stopped")]
    Stopped,
}

/// An open state file. Its connection lives on a writer thread of its own, which writes the
/// calls' rows in the order the calls changed the store and says when each is on disk.
pub struct Database {
    writes: mpsc::Sender<(Rows, oneshot::Sender<rusqlite::Result<()>>)>,
}

/// The connection, and the next operation's `seq`.
struct StateFile {
    connection: Connection,
    next_seq: i64,
}

/// The rows to write for a call's changes, copied out of the store so that the write runs
/// without holding it.
struct Rows(Vec<Row>);

enum Row {
    Bucket {
        region: String,
        name: String,
        bucket: Option<StoredBucket>,
    },
    Operation {
        region: String,
        id: String,
        operation: Option<StoredOperation>,
    },
    Object {
        region: String,
        bucket: String,
        key: String,
        object: Option<StoredObject>,
    },
    /// An upload's own row; its parts are rows of their own.
    Upload {
        region: String,
        id: String,
        upload: Option<StoredUpload>,
    },
    Part {
        region: String,
        upload: String,
        number: u32,
        part: Option<StoredPart>,
    },
}

impl Rows {
    fn of(store: &Store, changes: BTreeSet<Changed>) -> Self {
        let state = |region: &str| -> Option<&RegionState> { store.regions.get(region) };
        Rows(
            changes
                .into_iter()
                .map(|change| match change {
                    Changed::Bucket { region, name } => {
                        let bucket = store.regions.get(&region).and_then(|r| r.buckets.get(&name)).cloned();
                        Row::Bucket { region, name, bucket }
                    }
                    Changed::Operation { region, id } => {
                        let operation = store.regions.get(&region).and_then(|r| r.operations.get(&id)).cloned();
                        Row::Operation { region, id, operation }
                    }
                    Changed::Object { region, bucket, key } => {
                        let object =
                            state(&region).and_then(|r| r.objects.get(&bucket)).and_then(|o| o.get(&key)).cloned();
                        Row::Object { region, bucket, key, object }
                    }
                    Changed::Upload { region, id } => {
                        // The parts are not copied here: each is a row of its own.
                        let upload = state(&region).and_then(|r| r.uploads.get(&id)).map(|u| StoredUpload {
                            bucket: u.bucket.clone(),
                            key: u.key.clone(),
                            initiated: u.initiated,
                            headers: u.headers.clone(),
                            parts: Default::default(),
                        });
                        Row::Upload { region, id, upload }
                    }
                    Changed::Part { region, upload, number } => {
                        let part = state(&region)
                            .and_then(|r| r.uploads.get(&upload))
                            .and_then(|u| u.parts.get(&number))
                            .cloned();
                        Row::Part { region, upload, number, part }
                    }
                })
                .collect(),
        )
    }
}

impl Database {
    /// Opens (or creates) the state at `path` and loads it; a JSON state file is migrated first.
    pub fn open(path: &Path) -> Result<(Self, Store), OpenError> {
        if is_json(path)? {
            migrate_json(path)?;
        }
        let connection = Connection::open(path)?;
        let mut file = StateFile::configure(connection).map_err(|e| match e {
            OpenError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::NotADatabase => {
                OpenError::Corrupt("it is neither a SQLite database nor a JSON state file".into())
            }
            other => other,
        })?;
        let store = file.load()?;
        let (writes, jobs) = mpsc::channel::<(Rows, oneshot::Sender<rusqlite::Result<()>>)>();
        // Ends, closing the file, once the endpoint is gone and every write sent is done.
        std::thread::Builder::new().name("lightsail-local state".into()).spawn(move || {
            for (rows, done) in jobs {
                let _ = done.send(file.write(rows));
            }
        })?;
        Ok((Self { writes }, store))
    }

    /// Runs `call` on the store, then writes the rows it changed and returns when they are on
    /// disk. The rows are queued while the store is held, so they reach the file in the order the
    /// calls changed it; the store is let go before the write, and the write is awaited, not
    /// blocked on: neither reads, nor other calls' changes, nor the runtime's threads wait for the
    /// disk. When the write fails, the change is in memory but not on disk: the caller must not
    /// acknowledge it.
    pub async fn apply<T>(
        &self,
        store: &Mutex<Store>,
        call: impl FnOnce(&mut Store) -> T,
    ) -> (T, Result<(), WriteError>) {
        let (result, queued) = {
            let mut store = crate::sync::lock(store);
            let result = call(&mut store);
            let changes = store.take_changes();
            if changes.is_empty() {
                return (result, Ok(()));
            }
            let (done, written) = oneshot::channel();
            let queued = self.writes.send((Rows::of(&store, changes), done)).map(|()| written);
            (result, queued)
        };
        let written = match queued {
            Ok(written) => written.await.map_err(|_| WriteError::Stopped).and_then(|w| w.map_err(WriteError::from)),
            Err(_) => Err(WriteError::Stopped),
        };
        (result, written)
    }
}

impl StateFile {
    fn configure(connection: Connection) -> Result<Self, OpenError> {
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if version > LAYOUT {
            return Err(OpenError::Corrupt(format!(
                "it was written by a newer lightsail-local (layout {version}; this one reads {LAYOUT})"
            )));
        }
        if version == 1 {
            // Layout 1's keys have no secret kept: they stay, and sign nothing on the S3 side.
            connection.execute_batch("ALTER TABLE access_keys ADD COLUMN secret_access_key TEXT")?;
        }
        if (1..=2).contains(&version) {
            // Keys of layouts 1 and 2 were never seen used.
            connection.execute_batch(
                "ALTER TABLE access_keys ADD COLUMN last_used_date REAL; \
                 ALTER TABLE access_keys ADD COLUMN last_used_region TEXT;",
            )?;
        }
        connection.execute_batch(SCHEMA)?;
        connection.pragma_update(None, "user_version", LAYOUT)?;
        let next_seq =
            connection.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM operations", [], |row| row.get(0))?;
        Ok(Self { connection, next_seq })
    }

    fn load(&mut self) -> Result<Store, OpenError> {
        let mut store = Store::new();
        let mut buckets = self.connection.prepare(
            "SELECT region, name, bundle_id, created_at, arn, object_versioning, tags, settings FROM buckets \
             ORDER BY region, name",
        )?;
        let rows = buckets.query_map([], |row| {
            let tags: String = row.get(6)?;
            let settings: String = row.get(7)?;
            Ok((
                row.get::<_, String>(0)?,
                StoredBucket {
                    name: row.get(1)?,
                    bundle_id: row.get(2)?,
                    created_at: row.get(3)?,
                    arn: row.get(4)?,
                    object_versioning: row.get(5)?,
                    tags: serde_json::from_str::<Vec<Tag>>(&tags).unwrap_or_default(),
                    access_keys: Vec::new(),
                    settings: serde_json::from_str(&settings).unwrap_or_default(),
                },
            ))
        })?;
        for row in rows {
            let (region, bucket) = row?;
            region_of(&mut store, &region).buckets.insert(bucket.name.clone(), bucket);
        }
        let mut keys = self.connection.prepare(
            "SELECT region, bucket, access_key_id, status, created_at, secret_access_key, last_used_date, \
             last_used_region FROM access_keys ORDER BY region, bucket, position",
        )?;
        let rows = keys.query_map([], |row| {
            let used: (Option<f64>, Option<String>) = (row.get(6)?, row.get(7)?);
            let key = StoredAccessKey {
                access_key_id: row.get(2)?,
                status: row.get(3)?,
                created_at: row.get(4)?,
                secret_access_key: row.get(5)?,
                last_used: match used {
                    (Some(at), Some(region)) => Some((at, region)),
                    _ => None,
                },
            };
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, key))
        })?;
        for row in rows {
            let (region, bucket, key) = row?;
            if let Some(bucket) = region_of(&mut store, &region).buckets.get_mut(&bucket) {
                bucket.access_keys.push(key);
            }
        }
        let mut operations = self
            .connection
            .prepare("SELECT region, record, polls_left, failed FROM operations ORDER BY region, seq")?;
        let rows = operations.query_map([], |row| {
            let record: String = row.get(1)?;
            Ok((row.get::<_, String>(0)?, record, row.get::<_, u32>(2)?, row.get::<_, bool>(3)?))
        })?;
        self.load_objects(&mut store)?;
        for row in rows {
            let (region, record, polls_left, failed) = row?;
            let record: Operation = serde_json::from_str(&record)
                .map_err(|e| OpenError::Corrupt(format!("an operation record is not readable: {e}")))?;
            let state = region_of(&mut store, &region);
            state.operation_order.push_back(record.id.clone());
            state.operations.insert(record.id.clone(), StoredOperation { record, polls_left, failed });
        }
        Ok(store)
    }

    fn load_objects(&self, store: &mut Store) -> Result<(), OpenError> {
        let headers = |text: String| serde_json::from_str::<Vec<(String, String)>>(&text).unwrap_or_default();
        let mut objects =
            self.connection.prepare("SELECT region, bucket, key, data, etag, last_modified, headers FROM objects")?;
        let rows = objects.query_map([], |row| {
            let object = StoredObject {
                data: row.get::<_, Vec<u8>>(3)?.into(),
                etag: row.get(4)?,
                last_modified: row.get(5)?,
                headers: headers(row.get(6)?),
            };
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?, object))
        })?;
        for row in rows {
            let (region, bucket, key, object) = row?;
            region_of(store, &region).objects.entry(bucket).or_default().insert(key, object);
        }
        let mut uploads = self.connection.prepare("SELECT region, id, bucket, key, initiated, headers FROM uploads")?;
        let rows = uploads.query_map([], |row| {
            let upload = StoredUpload {
                bucket: row.get(2)?,
                key: row.get(3)?,
                initiated: row.get(4)?,
                headers: headers(row.get(5)?),
                parts: Default::default(),
            };
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, upload))
        })?;
        for row in rows {
            let (region, id, upload) = row?;
            region_of(store, &region).uploads.insert(id, upload);
        }
        let mut parts = self.connection.prepare("SELECT region, upload, number, data, etag FROM upload_parts")?;
        let rows = parts.query_map([], |row| {
            let part = StoredPart { data: row.get::<_, Vec<u8>>(3)?.into(), etag: row.get(4)? };
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, u32>(2)?, part))
        })?;
        for row in rows {
            let (region, upload, number, part) = row?;
            if let Some(upload) = region_of(store, &region).uploads.get_mut(&upload) {
                upload.parts.insert(number, part);
            }
        }
        Ok(())
    }

    /// Writes a call's rows in one transaction; when it returns, they are on disk.
    fn write(&mut self, rows: Rows) -> rusqlite::Result<()> {
        let tx = self.connection.transaction()?;
        for row in rows.0 {
            match row {
                Row::Bucket { region, name, bucket } => write_bucket(&tx, &region, &name, bucket.as_ref())?,
                Row::Object { region, bucket, key, object } => {
                    write_object(&tx, &region, &bucket, &key, object.as_ref())?
                }
                Row::Upload { region, id, upload: None } => {
                    tx.execute("DELETE FROM uploads WHERE region = ?1 AND id = ?2", params![region, id])?;
                    tx.execute("DELETE FROM upload_parts WHERE region = ?1 AND upload = ?2", params![region, id])?;
                }
                Row::Upload { region, id, upload: Some(upload) } => {
                    tx.execute(
                        "INSERT OR REPLACE INTO uploads (region, id, bucket, key, initiated, headers) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![region, id, upload.bucket, upload.key, upload.initiated, headers_json(&upload.headers)],
                    )?;
                }
                Row::Part { region, upload, number, part } => match part {
                    None => {
                        tx.execute(
                            "DELETE FROM upload_parts WHERE region = ?1 AND upload = ?2 AND number = ?3",
                            params![region, upload, number],
                        )?;
                    }
                    Some(part) => {
                        tx.execute(
                            "INSERT OR REPLACE INTO upload_parts (region, upload, number, data, etag) VALUES (?1, ?2, ?3, ?4, ?5)",
                            params![region, upload, number, &part.data[..], part.etag],
                        )?;
                    }
                },
                Row::Operation { region, id, operation: None } => {
                    tx.execute("DELETE FROM operations WHERE region = ?1 AND id = ?2", params![region, id])?;
                }
                Row::Operation { region, id, operation: Some(op) } => {
                    // A record keeps its place in the order when it changes (a poll moves it on).
                    let seq: i64 = tx
                        .query_row(
                            "SELECT seq FROM operations WHERE region = ?1 AND id = ?2",
                            params![region, id],
                            |r| r.get(0),
                        )
                        .optional()?
                        .unwrap_or_else(|| {
                            self.next_seq += 1;
                            self.next_seq - 1
                        });
                    let record = serde_json::to_string(&op.record).expect("an operation serializes");
                    tx.execute(
                        "INSERT OR REPLACE INTO operations \
                         (region, id, seq, resource_name, operation_type, status, polls_left, failed, record) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                        params![
                            region,
                            id,
                            seq,
                            op.record.resource_name,
                            op.record.operation_type,
                            op.record.status,
                            op.polls_left,
                            op.failed,
                            record
                        ],
                    )?;
                }
            }
        }
        tx.commit()
    }

    /// Every row of `store`, as a migration writes it.
    fn write_all(&mut self, store: &Store) -> rusqlite::Result<()> {
        let mut changes = BTreeSet::new();
        for (region, state) in &store.regions {
            for name in state.buckets.keys() {
                changes.insert(Changed::Bucket { region: region.clone(), name: name.clone() });
            }
        }
        let mut rows = Rows::of(store, changes).0;
        for (region, state) in &store.regions {
            for id in &state.operation_order {
                let operation = state.operations.get(id).cloned();
                rows.push(Row::Operation { region: region.clone(), id: id.clone(), operation });
            }
        }
        self.write(Rows(rows))
    }
}

fn region_of<'a>(store: &'a mut Store, region: &str) -> &'a mut RegionState {
    store.regions.entry(region.to_string()).or_default()
}

fn headers_json(headers: &[(String, String)]) -> String {
    serde_json::to_string(headers).expect("headers serialize")
}

fn write_object(
    tx: &Transaction,
    region: &str,
    bucket: &str,
    key: &str,
    object: Option<&StoredObject>,
) -> rusqlite::Result<()> {
    match object {
        None => tx.execute(
            "DELETE FROM objects WHERE region = ?1 AND bucket = ?2 AND key = ?3",
            params![region, bucket, key],
        )?,
        Some(object) => tx.execute(
            "INSERT OR REPLACE INTO objects (region, bucket, key, data, etag, last_modified, headers) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                region,
                bucket,
                key,
                &object.data[..],
                object.etag,
                object.last_modified,
                headers_json(&object.headers)
            ],
        )?,
    };
    Ok(())
}

fn write_bucket(tx: &Transaction, region: &str, name: &str, bucket: Option<&StoredBucket>) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM access_keys WHERE region = ?1 AND bucket = ?2", params![region, name])?;
    let Some(bucket) = bucket else {
        tx.execute("DELETE FROM buckets WHERE region = ?1 AND name = ?2", params![region, name])?;
        // A bucket deleted with force takes its objects and uploads along.
        tx.execute("DELETE FROM objects WHERE region = ?1 AND bucket = ?2", params![region, name])?;
        tx.execute(
            "DELETE FROM upload_parts WHERE region = ?1 AND upload IN (SELECT id FROM uploads WHERE region = ?1 AND bucket = ?2)",
            params![region, name],
        )?;
        tx.execute("DELETE FROM uploads WHERE region = ?1 AND bucket = ?2", params![region, name])?;
        return Ok(());
    };
    let tags = serde_json::to_string(&bucket.tags).expect("tags serialize");
    let settings = serde_json::to_string(&bucket.settings).expect("settings serialize");
    tx.execute(
        "INSERT OR REPLACE INTO buckets (region, name, bundle_id, created_at, arn, object_versioning, tags, settings) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            region,
            name,
            bucket.bundle_id,
            bucket.created_at,
            bucket.arn,
            bucket.object_versioning,
            tags,
            settings
        ],
    )?;
    for (position, key) in bucket.access_keys.iter().enumerate() {
        tx.execute(
            "INSERT INTO access_keys (region, bucket, position, access_key_id, status, created_at, secret_access_key, \
             last_used_date, last_used_region) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                region,
                name,
                position as i64,
                key.access_key_id,
                key.status,
                key.created_at,
                key.secret_access_key,
                key.last_used.as_ref().map(|(at, _)| *at),
                key.last_used.as_ref().map(|(_, region)| region.as_str()),
            ],
        )?;
    }
    Ok(())
}

/// Whether `path` holds a JSON state file (of the versions before the database).
fn is_json(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let mut first = [0u8; 1];
    match std::fs::File::open(path) {
        Ok(mut file) => {
            let read = file.read(&mut first)?;
            Ok(read == 1 && first[0] == b'{')
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Replaces the JSON state file at `path` with a database holding the same state; the JSON stays
/// beside it as `PATH.json-backup`.
fn migrate_json(path: &Path) -> Result<(), OpenError> {
    let store = persistence::load(path).map_err(|e| match e {
        persistence::LoadError::Read(e) => OpenError::Io(e),
        persistence::LoadError::Corrupt(reason) => OpenError::Corrupt(reason),
    })?;
    let migrating = with_suffix(path, ".migrating");
    let _ = std::fs::remove_file(&migrating);
    {
        let mut database = StateFile::configure(Connection::open(&migrating)?)?;
        database.write_all(&store)?;
        // Folds the WAL into the file, so that the renamed file is whole by itself.
        database.connection.pragma_update(None, "journal_mode", "DELETE")?;
    }
    let backup = with_suffix(path, ".json-backup");
    std::fs::rename(path, &backup)?;
    std::fs::rename(&migrating, path)?;
    tracing::info!(path = %path.display(), backup = %backup.display(), "migrated the JSON state file to SQLite");
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}
