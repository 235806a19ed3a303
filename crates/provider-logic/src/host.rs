//! What the logic needs from its host: the Lightsail calls, OpenPGP encryption, a lock, waiting and
//! logging. It mirrors the
//! WIT imports one to one; [`WitImports`] implements it over the imports, tests over fakes. A new
//! import is declared here and implemented in `WitImports`: docs/contract.md has the recipe.

use crate::wit;
use crate::wit::lightsail::provider::errors;
use crate::wit::lightsail::provider::lightsail as api;
use alloc::{string::String, vec::Vec};

/// Seconds since the Unix epoch.
pub type Timestamp = f64;

/// A resource's tags, key and value; a tag without a value has an empty one.
pub type Tags = Vec<(String, String)>;

/// The WIT's `operation-status`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationStatus {
    NotStarted,
    Started,
    Failed,
    Completed,
    Succeeded,
}

/// The WIT's `operation`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub id: String,
    pub resource_name: Option<String>,
    pub operation_type: Option<String>,
    pub status: OperationStatus,
    pub is_terminal: bool,
    pub created_at: Option<Timestamp>,
    pub error_code: Option<String>,
    pub error_details: Option<String>,
}

/// The WIT's `access-key-last-used`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, PartialEq)]
pub struct AccessKeyLastUsed {
    pub last_used_date: Option<Timestamp>,
    pub region: Option<String>,
    pub service_name: Option<String>,
}

/// The WIT's `access-key`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Clone, PartialEq)]
pub struct AccessKey {
    pub access_key_id: String,
    pub secret_access_key: Option<String>,
    pub status: Option<String>,
    pub created_at: Option<Timestamp>,
    pub last_used: Option<AccessKeyLastUsed>,
}

impl core::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AccessKey")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key.as_ref().map(|_| "** redacted **"))
            .field("status", &self.status)
            .field("created_at", &self.created_at)
            .field("last_used", &self.last_used)
            .finish()
    }
}

/// The WIT's `created-access-key`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedAccessKey {
    pub access_key: AccessKey,
    pub operations: Vec<Operation>,
}

/// The WIT's `bucket`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bucket {
    pub name: String,
    pub arn: Option<String>,
    pub bundle_id: Option<String>,
    pub created_at: Option<Timestamp>,
    pub url: Option<String>,
    pub availability_zone: Option<String>,
    pub region: Option<String>,
    pub support_code: Option<String>,
    pub tags: Tags,
}

/// The WIT's `bucket-page`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BucketPage {
    pub buckets: Vec<Bucket>,
    pub next_page_token: Option<String>,
}

/// The WIT's `created-bucket`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedBucket {
    pub bucket: Bucket,
    pub operations: Vec<Operation>,
}

/// The WIT's `error-kind`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    InvalidInput,
    AccessDenied,
    NotSent,
    Transport,
    Service,
    Other,
}

impl ErrorKind {
    /// The WIT's lost-answer rule: whether a call that failed so may have been applied.
    pub fn may_have_applied(self) -> bool {
        matches!(self, Self::Transport | Self::Service)
    }
}

/// The WIT's `hint`: the input that makes a refused call succeed, for an engine to word.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub property: String,
    pub value: String,
}

/// The WIT's `api-error`, in the logic's own types: what an import answers, and what an export
/// answers in `provider-error::api`.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub code: String,
    pub message: String,
    pub retryable: bool,
    pub hint: Option<Hint>,
}

impl ApiError {
    /// An error of the component's own, with no hint.
    pub fn new(kind: ErrorKind, code: impl Into<String>, message: impl Into<String>, retryable: bool) -> Self {
        Self { kind, code: code.into(), message: message.into(), retryable, hint: None }
    }
}

/// Why the host took no lock (the WIT's `lock-error`).
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockError {
    Interrupted(String),
    Unavailable(String),
}

/// How far the host's locks reach (the WIT `lock.reach`).
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockReach {
    /// The host's own calls, in one process.
    Process,
    /// Every process on this machine that takes the same locks.
    Machine,
    /// Every creator of keys of the buckets the host serves, as the user declared.
    EveryCreator,
}

/// The WIT's `level`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

/// Why an OpenPGP public key cannot be used (the WIT's `openpgp.key-error`); each holds the host's
/// sentence saying what it found.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    Malformed(String),
    Revoked(String),
    Expired(String),
    NoEncryptionKey(String),
}

/// A message encrypted to an OpenPGP public key (the WIT's `openpgp.encrypted`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encrypted {
    /// The binary OpenPGP message.
    pub message: Vec<u8>,
    /// The fingerprint of the key it is encrypted to (its primary key's, upper-case hex).
    pub fingerprint: String,
}

/// What the logic needs from its host, one method per WIT import.
pub trait Host {
    /// Held while it lives; dropping it releases the lock (the WIT `lock` interface).
    type Guard;
    /// Waits until no other holder has the lock `name`, then takes it; or says why it did not.
    fn lock(&self, name: &str) -> Result<Self::Guard, LockError>;
    /// Which creators of a bucket's keys the locks of [`Host::lock`] keep out.
    fn lock_reach(&self) -> LockReach;
    /// The WIT import `default-region` (its doc comment says what a host guarantees).
    fn default_region(&self) -> String;
    /// The engine's default tags, which every resource that takes tags carries.
    fn default_tags(&self) -> Tags;
    /// The WIT import `create-bucket-access-key` (its doc comment says what a host guarantees).
    fn create_bucket_access_key(&self, region: Option<&str>, bucket_name: &str) -> Result<CreatedAccessKey, ApiError>;
    /// The WIT import `get-bucket-access-keys` (its doc comment says what a host guarantees).
    fn get_bucket_access_keys(&self, region: Option<&str>, bucket_name: &str) -> Result<Vec<AccessKey>, ApiError>;
    /// The WIT import `delete-bucket-access-key` (its doc comment says what a host guarantees).
    fn delete_bucket_access_key(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        access_key_id: &str,
    ) -> Result<Vec<Operation>, ApiError>;
    /// The WIT import `get-operation` (its doc comment says what a host guarantees).
    fn get_operation(&self, region: Option<&str>, operation_id: &str) -> Result<Operation, ApiError>;
    /// The WIT import `create-bucket` (its doc comment says what a host guarantees).
    fn create_bucket(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        bundle_id: &str,
        tags: &[(String, String)],
    ) -> Result<CreatedBucket, ApiError>;
    /// The WIT import `get-bucket` (its doc comment says what a host guarantees).
    fn get_bucket(&self, region: Option<&str>, bucket_name: &str) -> Result<Bucket, ApiError>;
    /// The WIT import `get-buckets` (its doc comment says what a host guarantees).
    fn get_buckets(&self, region: Option<&str>, page_token: Option<&str>) -> Result<BucketPage, ApiError>;
    /// The WIT import `update-bucket-bundle` (its doc comment says what a host guarantees).
    fn update_bucket_bundle(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        bundle_id: &str,
    ) -> Result<Vec<Operation>, ApiError>;
    /// The WIT import `delete-bucket` (its doc comment says what a host guarantees).
    fn delete_bucket(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        force_delete: bool,
    ) -> Result<Vec<Operation>, ApiError>;
    /// The WIT import `tag-resource` (its doc comment says what a host guarantees).
    fn tag_resource(
        &self,
        region: Option<&str>,
        name: &str,
        tags: &[(String, String)],
    ) -> Result<Vec<Operation>, ApiError>;
    /// The WIT import `untag-resource` (its doc comment says what a host guarantees).
    fn untag_resource(&self, region: Option<&str>, name: &str, keys: &[String]) -> Result<Vec<Operation>, ApiError>;
    /// The WIT import `check-public-key`: the fingerprint of a public key that can be encrypted to.
    fn check_public_key(&self, key: &[u8]) -> Result<String, KeyError>;
    /// The WIT import `encrypt` (its doc comment says what a host guarantees).
    fn encrypt(&self, key: &[u8], message: &[u8]) -> Result<Encrypted, KeyError>;
    /// The WIT import `wait` (its doc comment says what a host guarantees).
    fn wait(&self, millis: u32);
    /// The WIT import `log` (its doc comment says what a host guarantees).
    fn log(&self, level: Level, message: &str);
}

/// The component's imports, seen by the logic as its [`Host`]: each method calls its WIT import
/// and turns the answer into the logic's types. (Natively, where there are no imports, the
/// logic's tests use fakes instead.)
pub struct WitImports;

impl Host for WitImports {
    type Guard = wit::lightsail::provider::lock::Guard;
    fn lock(&self, name: &str) -> Result<Self::Guard, LockError> {
        use wit::lightsail::provider::lock::LockError as Wit;
        wit::lightsail::provider::lock::acquire(name).map_err(|e| match e {
            Wit::Interrupted(why) => LockError::Interrupted(why),
            Wit::Unavailable(why) => LockError::Unavailable(why),
        })
    }
    fn lock_reach(&self) -> LockReach {
        use wit::lightsail::provider::lock::LockReach as Reach;
        match wit::lightsail::provider::lock::reach() {
            Reach::Process => LockReach::Process,
            Reach::Machine => LockReach::Machine,
            Reach::EveryCreator => LockReach::EveryCreator,
        }
    }
    fn default_region(&self) -> String {
        api::default_region()
    }
    fn default_tags(&self) -> Tags {
        api::default_tags()
    }
    fn create_bucket_access_key(&self, region: Option<&str>, bucket_name: &str) -> Result<CreatedAccessKey, ApiError> {
        let created = api::create_bucket_access_key(region, bucket_name).map_err(api_error)?;
        Ok(CreatedAccessKey {
            access_key: access_key(created.access_key),
            operations: created.operations.into_iter().map(operation).collect(),
        })
    }
    fn get_bucket_access_keys(&self, region: Option<&str>, bucket_name: &str) -> Result<Vec<AccessKey>, ApiError> {
        Ok(api::get_bucket_access_keys(region, bucket_name).map_err(api_error)?.into_iter().map(access_key).collect())
    }
    fn delete_bucket_access_key(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        access_key_id: &str,
    ) -> Result<Vec<Operation>, ApiError> {
        let operations = api::delete_bucket_access_key(region, bucket_name, access_key_id).map_err(api_error)?;
        Ok(operations.into_iter().map(operation).collect())
    }
    fn get_operation(&self, region: Option<&str>, operation_id: &str) -> Result<Operation, ApiError> {
        api::get_operation(region, operation_id).map(operation).map_err(api_error)
    }
    fn create_bucket(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        bundle_id: &str,
        tags: &[(String, String)],
    ) -> Result<CreatedBucket, ApiError> {
        let created = api::create_bucket(region, bucket_name, bundle_id, tags).map_err(api_error)?;
        Ok(CreatedBucket {
            bucket: bucket(created.bucket),
            operations: created.operations.into_iter().map(operation).collect(),
        })
    }
    fn get_bucket(&self, region: Option<&str>, bucket_name: &str) -> Result<Bucket, ApiError> {
        api::get_bucket(region, bucket_name).map(bucket).map_err(api_error)
    }
    fn get_buckets(&self, region: Option<&str>, page_token: Option<&str>) -> Result<BucketPage, ApiError> {
        let page = api::get_buckets(region, page_token).map_err(api_error)?;
        Ok(BucketPage {
            buckets: page.buckets.into_iter().map(bucket).collect(),
            next_page_token: page.next_page_token,
        })
    }
    fn update_bucket_bundle(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        bundle_id: &str,
    ) -> Result<Vec<Operation>, ApiError> {
        let operations = api::update_bucket_bundle(region, bucket_name, bundle_id).map_err(api_error)?;
        Ok(operations.into_iter().map(operation).collect())
    }
    fn delete_bucket(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        force_delete: bool,
    ) -> Result<Vec<Operation>, ApiError> {
        let operations = api::delete_bucket(region, bucket_name, force_delete).map_err(api_error)?;
        Ok(operations.into_iter().map(operation).collect())
    }
    fn tag_resource(
        &self,
        region: Option<&str>,
        name: &str,
        tags: &[(String, String)],
    ) -> Result<Vec<Operation>, ApiError> {
        Ok(api::tag_resource(region, name, tags).map_err(api_error)?.into_iter().map(operation).collect())
    }
    fn untag_resource(&self, region: Option<&str>, name: &str, keys: &[String]) -> Result<Vec<Operation>, ApiError> {
        Ok(api::untag_resource(region, name, keys).map_err(api_error)?.into_iter().map(operation).collect())
    }
    fn check_public_key(&self, key: &[u8]) -> Result<String, KeyError> {
        Ok(wit::lightsail::provider::openpgp::check_public_key(key).map_err(key_error)?.fingerprint)
    }
    fn encrypt(&self, key: &[u8], message: &[u8]) -> Result<Encrypted, KeyError> {
        let encrypted = wit::lightsail::provider::openpgp::encrypt(key, message).map_err(key_error)?;
        Ok(Encrypted { message: encrypted.message, fingerprint: encrypted.recipient.fingerprint })
    }
    fn wait(&self, millis: u32) {
        wit::lightsail::provider::wait::wait(millis);
    }
    fn log(&self, level: Level, message: &str) {
        use wit::lightsail::provider::log::Level as Wit;
        let level = match level {
            Level::Trace => Wit::Trace,
            Level::Debug => Wit::Debug,
            Level::Info => Wit::Info,
            Level::Warn => Wit::Warn,
            Level::Error => Wit::Error,
        };
        wit::lightsail::provider::log::log(level, message);
    }
}

/// An import's error in the logic's types (a host's `hint` is not one the logic reads).
fn api_error(e: errors::ApiError) -> ApiError {
    let kind = match e.kind {
        errors::ErrorKind::NotFound => ErrorKind::NotFound,
        errors::ErrorKind::InvalidInput => ErrorKind::InvalidInput,
        errors::ErrorKind::AccessDenied => ErrorKind::AccessDenied,
        errors::ErrorKind::NotSent => ErrorKind::NotSent,
        errors::ErrorKind::Transport => ErrorKind::Transport,
        errors::ErrorKind::Service => ErrorKind::Service,
        errors::ErrorKind::Other => ErrorKind::Other,
    };
    ApiError::new(kind, e.code, e.message, e.retryable)
}

/// An export's error as the WIT's record.
pub fn wit_api_error(e: ApiError) -> errors::ApiError {
    let kind = match e.kind {
        ErrorKind::NotFound => errors::ErrorKind::NotFound,
        ErrorKind::InvalidInput => errors::ErrorKind::InvalidInput,
        ErrorKind::AccessDenied => errors::ErrorKind::AccessDenied,
        ErrorKind::NotSent => errors::ErrorKind::NotSent,
        ErrorKind::Transport => errors::ErrorKind::Transport,
        ErrorKind::Service => errors::ErrorKind::Service,
        ErrorKind::Other => errors::ErrorKind::Other,
    };
    let hint = e.hint.map(|h| errors::Hint { property: h.property, value: h.value });
    errors::ApiError { kind, code: e.code, message: e.message, retryable: e.retryable, hint }
}

fn key_error(e: wit::lightsail::provider::openpgp::KeyError) -> KeyError {
    use wit::lightsail::provider::openpgp::KeyError as Wit;
    match e {
        Wit::Malformed(why) => KeyError::Malformed(why),
        Wit::Revoked(why) => KeyError::Revoked(why),
        Wit::Expired(why) => KeyError::Expired(why),
        Wit::NoEncryptionKey(why) => KeyError::NoEncryptionKey(why),
    }
}

fn access_key(k: api::AccessKey) -> AccessKey {
    AccessKey {
        access_key_id: k.access_key_id,
        secret_access_key: k.secret_access_key,
        status: k.status,
        created_at: k.created_at,
        last_used: k.last_used.map(|u| AccessKeyLastUsed {
            last_used_date: u.last_used_date,
            region: u.region,
            service_name: u.service_name,
        }),
    }
}

fn bucket(b: api::Bucket) -> Bucket {
    Bucket {
        name: b.name,
        arn: b.arn,
        bundle_id: b.bundle_id,
        created_at: b.created_at,
        url: b.url,
        availability_zone: b.availability_zone,
        region: b.region,
        support_code: b.support_code,
        tags: b.tags,
    }
}

fn operation(o: api::Operation) -> Operation {
    let status = match o.status {
        api::OperationStatus::NotStarted => OperationStatus::NotStarted,
        api::OperationStatus::Started => OperationStatus::Started,
        api::OperationStatus::Failed => OperationStatus::Failed,
        api::OperationStatus::Completed => OperationStatus::Completed,
        api::OperationStatus::Succeeded => OperationStatus::Succeeded,
    };
    Operation {
        id: o.id,
        resource_name: o.resource_name,
        operation_type: o.operation_type,
        status,
        is_terminal: o.is_terminal,
        created_at: o.created_at,
        error_code: o.error_code,
        error_details: o.error_details,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::{format, vec};

    #[test]
    fn debug_hides_secrets() {
        let key = AccessKey {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: Some("do-not-print-me".into()),
            status: None,
            created_at: None,
            last_used: None,
        };
        assert!(!format!("{key:?}").contains("do-not-print-me"));
        let outputs =
            crate::types::Outputs { values: r#"{"secretAccessKey":"do-not-print-me"}"#.into(), secrets: vec![] };
        assert!(!format!("{outputs:?}").contains("do-not-print-me"));
    }
}
