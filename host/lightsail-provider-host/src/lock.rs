//! The `lock` import: named locks that keep the creators of a bucket's keys apart.
//!
//! Two layers. Within the process, a table of async mutexes: calls on any runtime and instance
//! take turns, in order. Across processes, an OS file lock (`flock` on Unix) on a file per name in
//! a lock directory: every process that uses the same directory (the CLI, the Terraform and Pulumi
//! plugins, an embedding host) takes the same lock, and the OS releases it the moment its holder
//! dies, however it dies. A process waits on the file only once it holds the in-process lock, so
//! at most one of its calls per name waits there.
//!
//! How far that reaches is [`Reach`]: the component deletes a key it cannot tell from another
//! creator's only when the user has declared that every creator takes these locks.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, Weak};
use tokio::sync::OwnedMutexGuard;

/// How far a host's locks reach (the WIT `lock.reach`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The calls of this process.
    Process,
    /// Every process on this machine that uses the same lock directory.
    Machine,
    /// Every creator of keys of the buckets served, as the user declared.
    EveryCreator,
}

/// Where a host's locks live, and what the user declared of their reach. Cheap to share.
#[derive(Debug, Clone)]
pub struct Locks {
    directory: Option<PathBuf>,
    every_creator: bool,
}

/// The lock settings as an engine gives them (see [`crate::aws::settings`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockOptions {
    /// The lock directory; else [`default_directory`].
    pub directory: Option<PathBuf>,
    /// The user's declaration that every creator of keys of these buckets takes these locks.
    pub every_creator: bool,
}

/// A lock directory that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("cannot use the lock directory {}: {source}", path.display())]
pub struct LockDirectoryError {
    path: PathBuf,
    source: std::io::Error,
}

/// A lock that could not be taken (its file could not be opened or locked): the call ends.
#[derive(Debug, thiserror::Error)]
#[error("the host could not take the lock {name:?} (file {}): {source}", path.display())]
pub struct LockError {
    name: String,
    path: PathBuf,
    source: std::io::Error,
}

/// The per-user lock directory every host of this project uses by default:
/// `$XDG_CACHE_HOME/lightsail-provider/locks`, else `~/.cache/lightsail-provider/locks`.
pub fn default_directory() -> Option<PathBuf> {
    crate::cache::default_dir().map(|dir| dir.join("locks"))
}

impl Locks {
    /// Locks that reach only this process's calls.
    pub fn in_process() -> Self {
        Self { directory: None, every_creator: false }
    }

    /// File locks in `directory`, made if missing (private to the user on Unix).
    pub fn in_directory(directory: impl Into<PathBuf>) -> Result<Self, LockDirectoryError> {
        let path = directory.into();
        make_private_dir(&path).map_err(|source| LockDirectoryError { path: path.clone(), source })?;
        Ok(Self { directory: Some(path), every_creator: false })
    }

    /// The locks these settings describe: file locks in their directory or the default one.
    /// Without either (no home directory), the locks reach this process only.
    pub fn from_options(options: &LockOptions) -> Result<Self, LockDirectoryError> {
        let locks = match options.directory.clone().or_else(default_directory) {
            Some(directory) => Self::in_directory(directory)?,
            None => Self::in_process(),
        };
        Ok(if options.every_creator { locks.covering_every_creator() } else { locks })
    }

    /// The user's declaration that every creator of keys of the buckets served takes these locks:
    /// then a key that appears while a create holds the lock is that create's own.
    pub fn covering_every_creator(mut self) -> Self {
        self.every_creator = true;
        self
    }

    /// How far these locks reach.
    pub fn reach(&self) -> Reach {
        match (&self.directory, self.every_creator) {
            (_, true) => Reach::EveryCreator,
            (Some(_), false) => Reach::Machine,
            (None, false) => Reach::Process,
        }
    }

    /// The lock directory, if the locks reach beyond this process.
    pub fn directory(&self) -> Option<&Path> {
        self.directory.as_deref()
    }

    /// The locks of a host that was given none: the default directory's, or this process's
    /// only (said in the log) when it cannot be used. Made once per process.
    pub fn shared_default() -> Arc<Locks> {
        static DEFAULT: LazyLock<Arc<Locks>> = LazyLock::new(|| {
            Arc::new(Locks::from_options(&LockOptions::default()).unwrap_or_else(|e| {
                tracing::warn!("{e}; locks reach this process only");
                Locks::in_process()
            }))
        });
        DEFAULT.clone()
    }

    /// Waits until nobody else holds `name`, then takes it. Waiters in this process are served
    /// in turn; a process waits on the file lock only while no other of its calls does.
    pub async fn acquire(&self, name: &str) -> Result<Guard, LockError> {
        let key = (self.directory.clone(), name.to_string());
        let lock = {
            let mut locks = table();
            match locks.get(&key).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    let lock = Arc::new(tokio::sync::Mutex::new(()));
                    locks.insert(key.clone(), Arc::downgrade(&lock));
                    lock
                }
            }
        };
        let held = lock.lock_owned().await;
        let file = match &self.directory {
            Some(directory) => Some(lock_file(name, directory.join(file_name(name))).await?),
            None => None,
        };
        // The file lock is released before the in-process one (fields drop in order).
        Ok(Guard { key, file, held: Some(held) })
    }
}

/// A held lock (the WIT `guard` resource). Dropping it releases the lock.
pub struct Guard {
    key: (Option<PathBuf>, String),
    /// Closing the file releases the OS lock.
    file: Option<std::fs::File>,
    held: Option<OwnedMutexGuard<()>>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        drop(self.file.take());
        drop(self.held.take());
        // Forget the entry once nobody holds or awaits the lock: every upgrade happens under the
        // table's mutex, so a count of zero seen here stays zero.
        let mut locks = table();
        if locks.get(&self.key).is_some_and(|lock| lock.strong_count() == 0) {
            locks.remove(&self.key);
        }
    }
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard").field("name", &self.key.1).field("file", &self.file.is_some()).finish()
    }
}

/// The locks someone in this process holds or waits for, by directory and name.
type Table = HashMap<(Option<PathBuf>, String), Weak<tokio::sync::Mutex<()>>>;

fn table() -> std::sync::MutexGuard<'static, Table> {
    static LOCKS: LazyLock<Mutex<Table>> = LazyLock::new(Default::default);
    LOCKS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Opens and locks `path`. Taken at once when free; otherwise a thread of its own waits for the OS
/// to grant it. If the call is dropped meanwhile, that thread lets the lock go as soon as it has it;
/// a detached thread, not the runtime's blocking pool, so that a process ending meanwhile (a CLI
/// interrupted while it waits) does not wait for it.
async fn lock_file(name: &str, path: PathBuf) -> Result<std::fs::File, LockError> {
    let failed = |source| LockError { name: name.to_string(), path: path.clone(), source };
    // Lock files are never removed: removing one while another process opens it would let two
    // holders lock two different files of the same name.
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    // The WIT's mode for a lock file: the user's alone, like its directory.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&path).map_err(failed)?;
    match file.try_lock() {
        Ok(()) => return Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {}
        Err(std::fs::TryLockError::Error(e)) => return Err(failed(e)),
    }
    tracing::debug!(lock = name, "waiting for the lock, which another process holds");
    let (sender, receiver) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("lock-wait".into())
        .spawn(move || {
            // A waiter that has gone drops the file, and the lock with it.
            let _ = sender.send(file.lock().map(|()| file));
        })
        .map_err(failed)?;
    match receiver.await {
        Ok(locked) => locked.map_err(failed),
        Err(_) => Err(failed(std::io::Error::other("the thread waiting for the lock ended"))),
    }
}

/// A lock's file name, by the WIT's rule (`lock.acquire`): the name with every byte outside
/// `[A-Za-z0-9._-]` written `%XX`, or, for a name too long for a file name, `sha256-` and its
/// SHA-256 in hex. Every host derives the same (`conformance/lock-file-names.json`).
pub fn file_name(name: &str) -> String {
    let mut encoded = String::with_capacity(name.len());
    for byte in name.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => encoded.push(byte as char),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    if encoded.len() > 200 {
        let digest = Sha256::digest(name.as_bytes());
        encoded = format!("sha256-{}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>());
    }
    encoded + ".lock"
}

/// Makes `path` (and its parents); on Unix the directory itself is the user's alone.
fn make_private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)?;
    // A directory that exists but cannot take files is found now, not at the first create.
    let probe = tempfile::NamedTempFile::new_in(path)?;
    drop(probe);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn one_holder_per_name_and_entries_go_with_their_last_user() {
        let locks = Locks::in_process();
        let first = locks.acquire("test/a").await.unwrap();
        let other = locks.acquire("test/b").await.unwrap();
        let waiting = tokio::spawn({
            let locks = locks.clone();
            async move { locks.acquire("test/a").await.unwrap() }
        });
        // Not a timing assertion: whatever the machine's speed, the waiter cannot finish while
        // `first` is held.
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "a second holder got test/a");
        drop(first);
        let second = waiting.await.unwrap();
        drop((second, other));
        let names = table();
        assert!(!names.keys().any(|(_, name)| name == "test/a" || name == "test/b"), "entries are forgotten");
    }

    #[tokio::test]
    async fn a_file_lock_keeps_out_another_open_of_the_same_file_and_only_that() {
        let dir = tempfile::tempdir().unwrap();
        let locks = Locks::in_directory(dir.path()).unwrap();
        assert_eq!(locks.reach(), Reach::Machine);
        let held = locks.acquire("lightsail/us-east-1/bucket/b/access-keys").await.unwrap();
        let path = dir.path().join("lightsail%2Fus-east-1%2Fbucket%2Fb%2Faccess-keys.lock");
        // Another open file description is what another process has.
        let other = std::fs::File::options().write(true).open(&path).unwrap();
        assert!(matches!(other.try_lock(), Err(std::fs::TryLockError::WouldBlock)));
        // Another directory is another lock, even in this process.
        let elsewhere = tempfile::tempdir().unwrap();
        drop(Locks::in_directory(elsewhere.path()).unwrap().acquire("lightsail/us-east-1/bucket/b/access-keys").await);
        drop(held);
        other.try_lock().expect("released with the guard");
    }

    #[test]
    fn file_names_follow_the_shared_vectors() {
        let text = include_str!("../../../conformance/lock-file-names.json");
        let vectors: serde_json::Value = serde_json::from_str(text).unwrap();
        for vector in vectors["vectors"].as_array().unwrap() {
            assert_eq!(file_name(vector["name"].as_str().unwrap()), vector["file"].as_str().unwrap());
        }
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn lock_files_are_the_users_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        drop(Locks::in_directory(dir.path()).unwrap().acquire("mode").await.unwrap());
        let mode = std::fs::metadata(dir.path().join("mode.lock")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn reach_follows_directory_and_declaration() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Locks::in_process().reach(), Reach::Process);
        assert_eq!(Locks::in_process().covering_every_creator().reach(), Reach::EveryCreator);
        let options = LockOptions { directory: Some(dir.path().join("made/below")), every_creator: true };
        let locks = Locks::from_options(&options).unwrap();
        assert_eq!((locks.reach(), locks.directory().unwrap().is_dir()), (Reach::EveryCreator, true));
    }
}
