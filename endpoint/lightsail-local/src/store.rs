//! The service's state, kept per region, and the rules of each operation. Answers are the model's
//! structs; `protocol` writes them as JSON, `persistence` keeps the state in a file.

use crate::error::ApiError;
use crate::keys;
use crate::model::*;
use crate::objects::{StoredObject, StoredUpload};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

pub const ACCOUNT_ID: &str = "123456789012";
pub const MAX_ACCESS_KEYS_PER_BUCKET: usize = 2;
pub const BUNDLE_IDS: &[&str] = &["small_1_0", "medium_1_0", "large_1_0"];
/// The regions Lightsail runs in (the one list every part of this project checks); a request
/// scoped to another is refused.
pub use lightsail_regions::REGIONS;

/// Operation records per GetOperations page.
const OPERATIONS_PAGE: usize = 100;

/// The continent code and display name of a region.
fn region_names(region: &str) -> (&'static str, &'static str) {
    match region {
        "us-east-1" => ("NA", "Virginia"),
        "us-east-2" => ("NA", "Ohio"),
        "us-west-2" => ("NA", "Oregon"),
        "ca-central-1" => ("NA", "Montreal"),
        "eu-west-1" => ("EU", "Ireland"),
        "eu-west-2" => ("EU", "London"),
        "eu-west-3" => ("EU", "Paris"),
        "eu-central-1" => ("EU", "Frankfurt"),
        "eu-north-1" => ("EU", "Stockholm"),
        "ap-south-1" => ("AP", "Mumbai"),
        "ap-southeast-1" => ("AP", "Singapore"),
        "ap-southeast-2" => ("AP", "Sydney"),
        "ap-southeast-3" => ("AP", "Jakarta"),
        "ap-southeast-5" => ("AP", "Malaysia"),
        "ap-northeast-1" => ("AP", "Tokyo"),
        "ap-northeast-2" => ("AP", "Seoul"),
        _ => ("", ""),
    }
}

/// Whether two times fall in the same calendar month (UTC): the billing cycle.
fn same_month(a: f64, b: f64) -> bool {
    let month = |t: f64| time::OffsetDateTime::from_unix_timestamp(t as i64).map(|d| (d.year(), d.month())).ok();
    month(a).is_some() && month(a) == month(b)
}

fn invalid_page_token(token: &str) -> ApiError {
    ApiError::invalid_input(format!("The page token {token} is not valid: use the nextPageToken of an earlier answer."))
}

fn enum_error(member: &str, value: &str, allowed: &[&str]) -> ApiError {
    ApiError::invalid_input(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: \
         Member must satisfy enum value set: [{}]",
        allowed.join(", ")
    ))
}

/// The most tags a resource carries.
pub const MAX_TAGS: usize = 50;
/// Operation records kept per region; the oldest are forgotten first.
const MAX_OPERATIONS_PER_REGION: usize = 10_000;

/// How the operation records of one call behave (from fault injection).
#[derive(Debug, Clone, Copy, Default)]
pub struct OperationPlan {
    pub pending_polls: u32,
    pub failed: bool,
}

/// Every region's buckets, keys and operation records, and what the calls since the last
/// [`Store::take_changes`] changed (which the database writes, and nothing else).
/// (De)serializable as the JSON state file of earlier versions, which `database` migrates.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Store {
    pub(crate) regions: BTreeMap<String, RegionState>,
    #[serde(skip)]
    pub(crate) changed: BTreeSet<Changed>,
    /// Every secret access key handed out since the endpoint started, deleted keys' too: what a
    /// test looks for where no secret may be.
    #[serde(skip)]
    pub(crate) issued_secrets: Vec<String>,
}

/// A row a call changed: a bucket (with its keys and tags) or an operation record. Whether it was
/// made, changed or removed is read from the store when the change is written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Changed {
    Bucket { region: String, name: String },
    Operation { region: String, id: String },
    Object { region: String, bucket: String, key: String },
    Upload { region: String, id: String },
    Part { region: String, upload: String, number: u32 },
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegionState {
    pub(crate) buckets: BTreeMap<String, StoredBucket>,
    pub(crate) operations: BTreeMap<String, StoredOperation>,
    pub(crate) operation_order: VecDeque<String>,
    /// Each bucket's objects, by key (the S3 side; the JSON state file of earlier versions had none).
    #[serde(skip)]
    pub(crate) objects: BTreeMap<String, BTreeMap<String, StoredObject>>,
    /// Multipart uploads in progress, by upload id.
    #[serde(skip)]
    pub(crate) uploads: BTreeMap<String, StoredUpload>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredBucket {
    pub(crate) name: String,
    pub(crate) bundle_id: String,
    pub(crate) created_at: f64,
    pub(crate) arn: String,
    pub(crate) tags: Vec<Tag>,
    pub(crate) object_versioning: String,
    /// The secret is answered once, at creation.
    pub(crate) access_keys: Vec<StoredAccessKey>,
    /// What UpdateBucket and UpdateBucketBundle change besides the above.
    #[serde(default)]
    pub(crate) settings: BucketSettings,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct BucketSettings {
    pub(crate) access_rules: AccessRules,
    pub(crate) readonly_access_accounts: Vec<String>,
    pub(crate) access_log_config: AccessLogConfig,
    pub(crate) cors: Option<serde_json::Value>,
    /// When the bundle last changed: Lightsail allows one change per monthly billing cycle.
    pub(crate) bundle_changed_at: Option<f64>,
}

#[cfg(test)]
impl StoredBucket {
    /// A bucket of this name with nothing set.
    pub(crate) fn for_tests(name: &str) -> Self {
        Self {
            name: name.into(),
            bundle_id: "small_1_0".into(),
            created_at: 0.0,
            arn: String::new(),
            tags: Vec::new(),
            object_versioning: "NeverEnabled".into(),
            access_keys: Vec::new(),
            settings: BucketSettings::default(),
        }
    }
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredAccessKey {
    pub(crate) access_key_id: String,
    pub(crate) status: String,
    pub(crate) created_at: f64,
    /// Kept so that the S3 side can check the requests signed with it, as AWS keeps it; answered
    /// only by CreateBucketAccessKey. Keys of the JSON state file of earlier versions have none
    /// (they were never kept there) and sign nothing.
    #[serde(skip)]
    pub(crate) secret_access_key: Option<String>,
    /// When, and in which region, the S3 side last took a request signed with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) last_used: Option<(f64, String)>,
}

impl std::fmt::Debug for StoredAccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredAccessKey")
            .field("access_key_id", &self.access_key_id)
            .field("status", &self.status)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredOperation {
    pub(crate) record: Operation,
    pub(crate) polls_left: u32,
    pub(crate) failed: bool,
}

/// The model's `BucketName` pattern: `^[a-z0-9][a-z0-9-]{1,52}[a-z0-9]$`.
pub fn validate_bucket_name(member: &str, name: &str) -> Result<(), ApiError> {
    let bytes = name.as_bytes();
    let edge_ok = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let valid = (3..=54).contains(&bytes.len())
        && bytes.iter().all(|b| edge_ok(b) || *b == b'-')
        && edge_ok(&bytes[0])
        && edge_ok(&bytes[bytes.len() - 1]);
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid_input(format!(
            "1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: ^[a-z0-9][a-z0-9-]{{1,52}}[a-z0-9]$"
        )))
    }
}

/// The naming rules AWS applies when a bucket is created, beyond the pattern.
fn validate_new_bucket_name(name: &str) -> Result<(), ApiError> {
    validate_bucket_name("bucketName", name)?;
    let reserved_prefix = ["amzn-s3-demo-", "sthree-", "sthree-configurator"].into_iter().find(|p| name.starts_with(p));
    let rule = if name.contains("--") {
        Some("must not contain two adjacent hyphens".to_string())
    } else if let Some(prefix) = reserved_prefix {
        Some(format!("must not start with the reserved prefix '{prefix}'"))
    } else if name.ends_with("-s3alias") {
        Some("must not end with the reserved suffix '-s3alias'".to_string())
    } else {
        None
    };
    match rule {
        Some(rule) => Err(ApiError::invalid_input(format!("The bucket name '{name}' is not valid: it {rule}."))),
        None => Ok(()),
    }
}

fn required<'a>(member: &str, value: &'a Option<String>) -> Result<&'a str, ApiError> {
    value.as_deref().ok_or_else(|| ApiError::missing_member(member))
}

/// The `bucketName` member: present, and of the model's pattern.
fn bucket_name(value: &Option<String>) -> Result<&str, ApiError> {
    let name = required("bucketName", value)?;
    validate_bucket_name("bucketName", name)?;
    Ok(name)
}

fn bucket_not_found(name: &str) -> ApiError {
    ApiError::not_found(format!("The bucket does not exist: {name}"))
}

impl Store {
    /// An empty state: no buckets, no keys.
    pub fn new() -> Self {
        Self::default()
    }

    /// The rows changed since the last call, and forgets them.
    pub fn take_changes(&mut self) -> BTreeSet<Changed> {
        std::mem::take(&mut self.changed)
    }

    /// Whether a request signed with this key, in `region`, at `now`, is news to its last use:
    /// like AWS, the endpoint keeps the time to the minute, so a key used again within one in the
    /// same region is not written again.
    pub(crate) fn key_use_is_news(&self, access_key_id: &str, region: &str, now: f64) -> bool {
        let keys = self.regions.values().flat_map(|state| state.buckets.values()).flat_map(|b| &b.access_keys);
        keys.filter(|k| k.access_key_id == access_key_id)
            .any(|k| !k.last_used.as_ref().is_some_and(|(at, r)| r == region && now - at < 60.0))
    }

    /// Records that the S3 side took a request signed with this key, in `region`, at `now`, as
    /// GetBucketAccessKeys then reports it.
    pub(crate) fn record_key_use(&mut self, access_key_id: &str, region: &str, now: f64) {
        for (bucket_region, state) in &mut self.regions {
            for bucket in state.buckets.values_mut() {
                if let Some(key) = bucket.access_keys.iter_mut().find(|k| k.access_key_id == access_key_id) {
                    key.last_used = Some((now, region.to_string()));
                    self.changed.insert(Changed::Bucket { region: bucket_region.clone(), name: bucket.name.clone() });
                    return;
                }
            }
        }
    }

    /// The access key ids of a bucket, or `None` when the bucket does not exist.
    pub fn access_key_ids(&self, region: &str, bucket: &str) -> Option<Vec<String>> {
        let bucket = self.regions.get(region)?.buckets.get(bucket)?;
        Some(bucket.access_keys.iter().map(|k| k.access_key_id.clone()).collect())
    }

    /// A bucket's tags as key and value (a tag without a value has an empty one), or `None` when
    /// the bucket does not exist.
    pub fn bucket_tags(&self, region: &str, bucket: &str) -> Option<Vec<(String, String)>> {
        let bucket = self.regions.get(region)?.buckets.get(bucket)?;
        let tags = bucket.tags.iter().filter_map(|t| Some((t.key.clone()?, t.value.clone().unwrap_or_default())));
        Some(tags.collect())
    }

    /// Every secret access key handed out since the endpoint started (deleted keys' too).
    pub fn issued_secrets(&self) -> &[String] {
        &self.issued_secrets
    }

    /// All bucket names of a region.
    pub fn bucket_names(&self, region: &str) -> Vec<String> {
        self.regions.get(region).map(|r| r.buckets.keys().cloned().collect()).unwrap_or_default()
    }

    fn region(&mut self, region: &str) -> &mut RegionState {
        self.regions.entry(region.to_string()).or_default()
    }

    fn bucket_mut(&mut self, region: &str, name: &str) -> Result<&mut StoredBucket, ApiError> {
        self.regions.get_mut(region).and_then(|r| r.buckets.get_mut(name)).ok_or_else(|| bucket_not_found(name))
    }

    /// Records an operation and returns it as the caller first sees it.
    fn record_operation(
        &mut self,
        region: &str,
        now: f64,
        resource_name: &str,
        operation_type: &str,
        details: Option<String>,
        plan: OperationPlan,
    ) -> Operation {
        let pending = plan.pending_polls > 0;
        let mut record = Operation {
            id: keys::uuid(),
            resource_name: resource_name.to_string(),
            resource_type: "Bucket".into(),
            created_at: now,
            location: location(region),
            is_terminal: false,
            operation_details: details,
            operation_type: operation_type.to_string(),
            status: "Started".into(),
            status_changed_at: now,
            error_code: None,
            error_details: None,
        };
        let stored = StoredOperation { record: record.clone(), polls_left: plan.pending_polls, failed: plan.failed };
        // Every call that changes a bucket (or its keys or tags) records an operation on it.
        self.changed.insert(Changed::Bucket { region: region.into(), name: resource_name.into() });
        self.changed.insert(Changed::Operation { region: region.into(), id: record.id.clone() });
        let state = self.regions.entry(region.to_string()).or_default();
        state.operation_order.push_back(record.id.clone());
        state.operations.insert(record.id.clone(), stored);
        while state.operation_order.len() > MAX_OPERATIONS_PER_REGION {
            if let Some(old) = state.operation_order.pop_front() {
                state.operations.remove(&old);
                self.changed.insert(Changed::Operation { region: region.into(), id: old });
            }
        }
        if !pending {
            let stored = state.operations.get_mut(&record.id).expect("just inserted");
            finish(stored, now);
            record = stored.record.clone();
        }
        record
    }

    /// CreateBucket, as Lightsail answers it.
    pub fn create_bucket(
        &mut self,
        region: &str,
        now: f64,
        req: CreateBucketRequest,
        plan: OperationPlan,
    ) -> Result<(Bucket, Operation), ApiError> {
        let name = required("bucketName", &req.bucket_name)?;
        let bundle_id = required("bundleId", &req.bundle_id)?;
        validate_new_bucket_name(name)?;
        validate_bundle(bundle_id)?;
        let tags = req.tags.unwrap_or_default();
        validate_tags(&tags)?;
        if tags.len() > MAX_TAGS {
            return Err(too_many_tags(tags.len()));
        }
        // Bucket names are global, as in S3.
        if self.regions.values().any(|r| r.buckets.contains_key(name)) {
            return Err(ApiError::invalid_input(format!(
                "The bucket name {name} is already in use. Bucket names must be unique across all of AWS."
            )));
        }
        let bucket = StoredBucket {
            name: name.to_string(),
            bundle_id: bundle_id.to_string(),
            created_at: now,
            arn: format!("arn:aws:lightsail:{region}:{ACCOUNT_ID}:Bucket/{}", keys::uuid()),
            tags,
            object_versioning: if req.enable_object_versioning == Some(true) { "Enabled" } else { "NeverEnabled" }
                .into(),
            access_keys: Vec::new(),
            settings: BucketSettings::default(),
        };
        let wire = bucket_wire(region, &bucket, now, false);
        self.region(region).buckets.insert(name.to_string(), bucket);
        let op = self.record_operation(region, now, name, "CreateBucket", None, plan);
        Ok((wire, op))
    }

    /// GetBuckets.
    pub fn get_buckets(&mut self, region: &str, now: f64, req: GetBucketsRequest) -> Result<Vec<Bucket>, ApiError> {
        // This endpoint answers every bucket in one page, so it issued no token a client could send.
        if let Some(token) = &req.page_token {
            return Err(invalid_page_token(token));
        }
        let cors = req.include_cors == Some(true);
        let Some(state) = self.regions.get(region) else {
            return match req.bucket_name.as_deref() {
                Some(name) => validate_bucket_name("bucketName", name).and(Err(bucket_not_found(name))),
                None => Ok(Vec::new()),
            };
        };
        let buckets: Vec<Bucket> = match req.bucket_name.as_deref() {
            Some(name) => {
                validate_bucket_name("bucketName", name)?;
                let bucket = state.buckets.get(name).ok_or_else(|| bucket_not_found(name))?;
                vec![bucket_wire(region, bucket, now, cors)]
            }
            None => state.buckets.values().map(|b| bucket_wire(region, b, now, cors)).collect(),
        };
        Ok(buckets)
    }

    /// DeleteBucket.
    pub fn delete_bucket(
        &mut self,
        region: &str,
        now: f64,
        req: DeleteBucketRequest,
        plan: OperationPlan,
    ) -> Result<Operation, ApiError> {
        let name = bucket_name(&req.bucket_name)?;
        let keys = self.bucket_mut(region, name)?.access_keys.len();
        let state = self.region(region);
        let objects = state.objects.get(name).map_or(0, BTreeMap::len);
        if (keys > 0 || objects > 0) && req.force_delete != Some(true) {
            return Err(ApiError::invalid_input(format!(
                "The bucket {name} has {keys} access key(s) and {objects} object(s): delete them first, or delete it with forceDelete."
            )));
        }
        state.buckets.remove(name);
        // Forced: its objects and uploads go with it (the database drops their rows with the bucket's).
        state.objects.remove(name);
        state.uploads.retain(|_, upload| upload.bucket != name);
        let op = self.record_operation(region, now, name, "DeleteBucket", None, plan);
        Ok(op)
    }

    /// UpdateBucketBundle.
    pub fn update_bucket_bundle(
        &mut self,
        region: &str,
        now: f64,
        req: UpdateBucketBundleRequest,
        plan: OperationPlan,
    ) -> Result<Operation, ApiError> {
        let name = bucket_name(&req.bucket_name)?;
        let bundle_id = required("bundleId", &req.bundle_id)?;
        validate_bundle(bundle_id)?;
        let bucket = self.bucket_mut(region, name)?;
        if let Some(changed) = bucket.settings.bundle_changed_at.filter(|at| same_month(*at, now)) {
            return Err(ApiError::invalid_input(format!(
                "The bundle of bucket {name} was already changed in this monthly billing cycle (at {changed}); \
                 it can be changed once per cycle."
            )));
        }
        bucket.bundle_id = bundle_id.to_string();
        bucket.settings.bundle_changed_at = Some(now);
        let op = self.record_operation(region, now, name, "UpdateBucketBundle", None, plan);
        Ok(op)
    }

    /// CreateBucketAccessKey (at most two keys per bucket).
    pub fn create_bucket_access_key(
        &mut self,
        region: &str,
        now: f64,
        req: BucketNameRequest,
        plan: OperationPlan,
    ) -> Result<(AccessKey, Operation), ApiError> {
        let name = bucket_name(&req.bucket_name)?;
        let bucket = self.bucket_mut(region, name)?;
        if bucket.access_keys.len() >= MAX_ACCESS_KEYS_PER_BUCKET {
            return Err(ApiError::invalid_input(format!(
                "You have reached the maximum number of access keys ({MAX_ACCESS_KEYS_PER_BUCKET}) for bucket {name}. \
                 Delete an access key before you create another."
            )));
        }
        let secret = keys::secret_access_key();
        let key = StoredAccessKey {
            access_key_id: keys::access_key_id(),
            status: "Active".into(),
            created_at: now,
            secret_access_key: Some(secret.clone()),
            last_used: None,
        };
        let mut wire = access_key_wire(&key);
        wire.secret_access_key = Some(secret);
        let key_id = key.access_key_id.clone();
        bucket.access_keys.push(key);
        self.issued_secrets.extend(wire.secret_access_key.clone());
        let op = self.record_operation(region, now, name, "CreateBucketAccessKey", Some(key_id), plan);
        Ok((wire, op))
    }

    /// GetBucketAccessKeys.
    pub fn get_bucket_access_keys(&mut self, region: &str, req: BucketNameRequest) -> Result<Vec<AccessKey>, ApiError> {
        let name = bucket_name(&req.bucket_name)?;
        let bucket = self.bucket_mut(region, name)?;
        Ok(bucket.access_keys.iter().map(access_key_wire).collect())
    }

    /// DeleteBucketAccessKey.
    pub fn delete_bucket_access_key(
        &mut self,
        region: &str,
        now: f64,
        req: DeleteBucketAccessKeyRequest,
        plan: OperationPlan,
    ) -> Result<Operation, ApiError> {
        let name = bucket_name(&req.bucket_name)?;
        let key_id = required("accessKeyId", &req.access_key_id)?;
        if key_id.len() != 20 || !key_id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
            return Err(ApiError::invalid_input(format!(
                "The access key ID {key_id} is not valid: it is 20 uppercase letters and digits."
            )));
        }
        let bucket = self.bucket_mut(region, name)?;
        let index =
            bucket.access_keys.iter().position(|k| k.access_key_id == key_id).ok_or_else(|| {
                ApiError::not_found(format!("The access key {key_id} does not exist for bucket {name}"))
            })?;
        bucket.access_keys.remove(index);
        let op = self.record_operation(region, now, name, "DeleteBucketAccessKey", Some(key_id.to_string()), plan);
        Ok(op)
    }

    /// Adds tags to a bucket, or changes their values (buckets are the only resources here).
    pub fn tag_resource(
        &mut self,
        region: &str,
        now: f64,
        req: TagResourceRequest,
        plan: OperationPlan,
    ) -> Result<Operation, ApiError> {
        let name = resource_name(&req.resource_name, &req.resource_arn)?;
        let tags = req.tags.ok_or_else(|| ApiError::missing_member("tags"))?;
        validate_tags(&tags)?;
        let bucket = self.bucket_mut(region, name)?;
        let mut merged = bucket.tags.clone();
        for tag in tags {
            merged.retain(|t| t.key != tag.key);
            merged.push(tag);
        }
        if merged.len() > MAX_TAGS {
            return Err(too_many_tags(merged.len()));
        }
        bucket.tags = merged;
        // The model's OperationType has no tagging type: a bucket's tags change as an UpdateBucket.
        Ok(self.record_operation(region, now, name, "UpdateBucket", None, plan))
    }

    /// Removes tags of a bucket by key; keys it does not carry are ignored, as AWS does.
    pub fn untag_resource(
        &mut self,
        region: &str,
        now: f64,
        req: UntagResourceRequest,
        plan: OperationPlan,
    ) -> Result<Operation, ApiError> {
        let name = resource_name(&req.resource_name, &req.resource_arn)?;
        let keys = req.tag_keys.ok_or_else(|| ApiError::missing_member("tagKeys"))?;
        let bucket = self.bucket_mut(region, name)?;
        bucket.tags.retain(|t| !t.key.as_ref().is_some_and(|key| keys.contains(key)));
        Ok(self.record_operation(region, now, name, "UpdateBucket", None, plan))
    }

    /// Changes a bucket's access rules, versioning, read-only accounts, access logging and CORS.
    pub fn update_bucket(
        &mut self,
        region: &str,
        now: f64,
        req: UpdateBucketRequest,
        plan: OperationPlan,
    ) -> Result<(Bucket, Operation), ApiError> {
        let name = bucket_name(&req.bucket_name)?.to_string();
        if let Some(rules) = &req.access_rules
            && let Some(get_object) = &rules.get_object
            && !["public", "private"].contains(&get_object.as_str())
        {
            return Err(enum_error("accessRules.getObject", get_object, &["public", "private"]));
        }
        if let Some(versioning) = &req.versioning
            && !["Enabled", "Suspended"].contains(&versioning.as_str())
        {
            return Err(enum_error("versioning", versioning, &["Enabled", "Suspended"]));
        }
        if let Some(accounts) = &req.readonly_access_accounts {
            if accounts.len() > 10 {
                return Err(ApiError::invalid_input("A bucket can give read-only access to at most 10 accounts."));
            }
            if let Some(bad) = accounts.iter().find(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit())) {
                return Err(ApiError::invalid_input(format!("The account ID {bad} is not a 12-digit AWS account ID.")));
            }
        }
        if let Some(log) = &req.access_log_config {
            let enabled = log.enabled.ok_or_else(|| ApiError::missing_member("accessLogConfig.enabled"))?;
            if enabled {
                let destination = required("accessLogConfig.destination", &log.destination)?;
                if !self.regions.get(region).is_some_and(|r| r.buckets.contains_key(destination)) {
                    return Err(bucket_not_found(destination));
                }
            }
            if let Some(prefix) = &log.prefix
                && (prefix.is_empty()
                    || prefix.len() > 100
                    || !prefix.chars().all(|c| c.is_alphanumeric() || "_/!.*')(-".contains(c)))
            {
                return Err(ApiError::invalid_input(format!("The access log prefix {prefix} is not valid.")));
            }
        }
        if let Some(cors) = &req.cors
            && cors["rules"].as_array().is_some_and(|rules| rules.len() > 20)
        {
            return Err(ApiError::invalid_input("A bucket takes at most 20 CORS rules."));
        }
        let bucket = self.bucket_mut(region, &name)?;
        if let Some(rules) = req.access_rules {
            let current = &mut bucket.settings.access_rules;
            current.get_object = rules.get_object.unwrap_or_else(|| current.get_object.clone());
            current.allow_public_overrides = rules.allow_public_overrides.unwrap_or(current.allow_public_overrides);
        }
        if let Some(versioning) = req.versioning {
            bucket.object_versioning = versioning;
        }
        if let Some(accounts) = req.readonly_access_accounts {
            bucket.settings.readonly_access_accounts = accounts;
        }
        if let Some(log) = req.access_log_config {
            bucket.settings.access_log_config = AccessLogConfig {
                enabled: log.enabled.unwrap_or(false),
                destination: log.destination,
                prefix: log.prefix,
            };
        }
        if let Some(cors) = req.cors {
            bucket.settings.cors = Some(cors);
        }
        let wire = bucket_wire(region, bucket, now, false);
        let op = self.record_operation(region, now, &name, "UpdateBucket", None, plan);
        Ok((wire, op))
    }

    /// Gives an instance access to a bucket. There are no instances here: a valid request names
    /// one that does not exist.
    pub fn set_resource_access_for_bucket(
        &mut self,
        region: &str,
        req: SetResourceAccessForBucketRequest,
    ) -> Result<Operation, ApiError> {
        let resource = resource_name(&req.resource_name, &None)?;
        let name = bucket_name(&req.bucket_name)?;
        let access = required("access", &req.access)?;
        if !["allow", "deny"].contains(&access) {
            return Err(enum_error("access", access, &["allow", "deny"]));
        }
        self.bucket_mut(region, name)?;
        Err(ApiError::not_found(format!(
            "The instance {resource} does not exist (lightsail-local has buckets, not instances)."
        )))
    }

    /// The region's operation records, newest first, a page at a time.
    pub fn get_operations(
        &self,
        region: &str,
        req: GetOperationsRequest,
    ) -> Result<(Vec<Operation>, Option<String>), ApiError> {
        self.operations_page(region, None, req.page_token.as_deref())
    }

    /// The operation records of one resource, newest first, a page at a time.
    pub fn get_operations_for_resource(
        &self,
        region: &str,
        req: GetOperationsForResourceRequest,
    ) -> Result<(Vec<Operation>, Option<String>), ApiError> {
        let resource = resource_name(&req.resource_name, &None)?;
        let (page, next) = self.operations_page(region, Some(resource), req.page_token.as_deref())?;
        let exists = self.regions.get(region).is_some_and(|r| r.buckets.contains_key(resource));
        if page.is_empty() && !exists {
            return Err(ApiError::not_found(format!("The resource {resource} does not exist.")));
        }
        Ok((page, next))
    }

    fn operations_page(
        &self,
        region: &str,
        resource: Option<&str>,
        token: Option<&str>,
    ) -> Result<(Vec<Operation>, Option<String>), ApiError> {
        let start = match token {
            None => 0,
            Some(token) => token
                .strip_prefix("page-")
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| invalid_page_token(token))?,
        };
        let Some(state) = self.regions.get(region) else { return Ok((Vec::new(), None)) };
        let matching: Vec<&Operation> = state
            .operation_order
            .iter()
            .rev()
            .filter_map(|id| state.operations.get(id))
            .map(|stored| &stored.record)
            .filter(|record| resource.is_none_or(|r| record.resource_name == r))
            .collect();
        if start > matching.len() {
            return Err(invalid_page_token(token.unwrap_or_default()));
        }
        let end = (start + OPERATIONS_PAGE).min(matching.len());
        let next = (end < matching.len()).then(|| format!("page-{end}"));
        Ok((matching[start..end].iter().map(|op| (*op).clone()).collect(), next))
    }

    pub(crate) fn get_bucket_bundles(&self, req: GetBucketBundlesRequest) -> Vec<BucketBundle> {
        // All of them are active; `includeInactive` would add the retired ones, of which there are none.
        let _ = req.include_inactive;
        [
            ("small_1_0", "Small", 1.0, 5, 25),
            ("medium_1_0", "Medium", 3.0, 100, 250),
            ("large_1_0", "Large", 5.0, 250, 500),
        ]
        .into_iter()
        .map(|(id, name, price, storage, transfer)| BucketBundle {
            bundle_id: id.into(),
            name: name.into(),
            price,
            storage_per_month_in_gb: storage,
            transfer_per_month_in_gb: transfer,
            is_active: true,
        })
        .collect()
    }

    pub(crate) fn get_regions(&self, req: GetRegionsRequest) -> Vec<RegionInfo> {
        let zones = |region: &str, wanted: Option<bool>| -> Vec<AvailabilityZone> {
            match wanted {
                Some(true) => ["a", "b"]
                    .iter()
                    .map(|z| AvailabilityZone { zone_name: format!("{region}{z}"), state: "available".into() })
                    .collect(),
                _ => Vec::new(),
            }
        };
        REGIONS
            .iter()
            .map(|name| {
                let (continent, display) = region_names(name);
                RegionInfo {
                    continent_code: continent.into(),
                    description: format!("Lightsail in {display} ({name})"),
                    display_name: display.into(),
                    name: name.to_string(),
                    availability_zones: zones(name, req.include_availability_zones),
                    relational_database_availability_zones: zones(
                        name,
                        req.include_relational_database_availability_zones,
                    ),
                }
            })
            .collect()
    }

    /// Each poll of a pending operation brings it one step closer to its end.
    pub fn get_operation(&mut self, region: &str, now: f64, req: GetOperationRequest) -> Result<Operation, ApiError> {
        let id = required("operationId", &req.operation_id)?;
        let stored = self
            .regions
            .get_mut(region)
            .and_then(|state| state.operations.get_mut(id))
            .ok_or_else(|| ApiError::not_found(format!("The operation does not exist: {id}")))?;
        if !stored.record.is_terminal {
            self.changed.insert(Changed::Operation { region: region.into(), id: id.into() });
            if stored.polls_left == 0 {
                finish(stored, now);
            } else {
                stored.polls_left -= 1;
            }
        }
        Ok(stored.record.clone())
    }
}

fn finish(stored: &mut StoredOperation, now: f64) {
    let record = &mut stored.record;
    record.is_terminal = true;
    record.status_changed_at = now;
    if stored.failed {
        record.status = "Failed".into();
        record.error_code = Some("InternalError".into());
        record.error_details = Some(format!("The {} operation failed (injected fault)", record.operation_type));
    } else {
        record.status = "Succeeded".into();
    }
}

/// The `resourceName` member, present and naming a resource (a bucket, here). An ARN given beside
/// it must be that bucket's; it is otherwise not looked at.
fn resource_name<'a>(name: &'a Option<String>, _arn: &Option<String>) -> Result<&'a str, ApiError> {
    let name = required("resourceName", name)?;
    // The model's ResourceName: `\w[\w\-]*\w`.
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let valid = name.chars().count() >= 2
        && name.chars().next().is_some_and(word)
        && name.chars().last().is_some_and(word)
        && name.chars().all(|c| word(c) || c == '-');
    if !valid {
        return Err(ApiError::invalid_input(format!(
            "1 validation error detected: Value '{name}' at 'resourceName' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: \\w[\\w\\-]*\\w"
        )));
    }
    Ok(name)
}

/// Lightsail's tag rules: keys of 1 to 128 characters, not starting with `aws:`; values of at
/// most 256 characters.
fn validate_tags(tags: &[Tag]) -> Result<(), ApiError> {
    for tag in tags {
        let key = tag.key.as_deref().ok_or_else(|| ApiError::invalid_input("A tag key is required."))?;
        let rule = if !(1..=128).contains(&key.chars().count()) {
            "Tag keys must be 1 to 128 characters long."
        } else if key.to_ascii_lowercase().starts_with("aws:") {
            "Tag keys must not start with aws:, which is reserved for AWS use."
        } else if tag.value.as_deref().unwrap_or_default().chars().count() > 256 {
            "Tag values must be at most 256 characters long."
        } else {
            continue;
        };
        return Err(ApiError::invalid_input(format!("The tag '{key}' is not valid: {rule}")));
    }
    Ok(())
}

fn too_many_tags(count: usize) -> ApiError {
    ApiError::invalid_input(format!("A resource can have at most {MAX_TAGS} tags; this request would give it {count}."))
}

fn validate_bundle(bundle_id: &str) -> Result<(), ApiError> {
    if BUNDLE_IDS.contains(&bundle_id) {
        Ok(())
    } else {
        Err(ApiError::invalid_input(format!(
            "The bundle ID {bundle_id} is not valid. Valid bundle IDs: {}",
            BUNDLE_IDS.join(", ")
        )))
    }
}

fn location(region: &str) -> ResourceLocation {
    ResourceLocation { availability_zone: "all".into(), region_name: region.to_string() }
}

fn access_key_wire(key: &StoredAccessKey) -> AccessKey {
    AccessKey {
        access_key_id: key.access_key_id.clone(),
        secret_access_key: None,
        status: key.status.clone(),
        created_at: key.created_at,
        last_used: match &key.last_used {
            Some((at, region)) => {
                AccessKeyLastUsed { last_used_date: Some(*at), region: region.clone(), service_name: "s3".into() }
            }
            None => AccessKeyLastUsed::never(),
        },
    }
}

fn bucket_wire(region: &str, bucket: &StoredBucket, now: f64, include_cors: bool) -> Bucket {
    let settings = &bucket.settings;
    Bucket {
        resource_type: "Bucket".into(),
        access_rules: settings.access_rules.clone(),
        arn: bucket.arn.clone(),
        bundle_id: bucket.bundle_id.clone(),
        created_at: bucket.created_at,
        url: format!("https://{}.s3.{region}.amazonaws.com/", bucket.name),
        location: location(region),
        name: bucket.name.clone(),
        support_code: format!("{ACCOUNT_ID}/{}", bucket.name),
        tags: bucket.tags.clone(),
        object_versioning: bucket.object_versioning.clone(),
        able_to_update_bundle: settings.bundle_changed_at.is_none_or(|at| !same_month(at, now)),
        readonly_access_accounts: settings.readonly_access_accounts.clone(),
        resources_receiving_access: Vec::new(),
        state: BucketState { code: "OK".into() },
        access_log_config: settings.access_log_config.clone(),
        cors: if include_cors {
            Some(settings.cors.clone().unwrap_or_else(|| serde_json::json!({"rules": []})))
        } else {
            None
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_name_pattern() {
        for ok in ["abc", "example-bucket", "0a-9", &"a".repeat(54)] {
            assert!(validate_bucket_name("bucketName", ok).is_ok(), "{ok}");
        }
        for bad in ["ab", "-abc", "abc-", "ABC", "a_b", "a.b", "", &"a".repeat(55), "ünï"] {
            let err = validate_bucket_name("bucketName", bad).unwrap_err();
            assert!(err.message.contains("'bucketName'"), "{bad}: {err}");
        }
        for bad in ["a--b", "sthree-x", "amzn-s3-demo-x", "x-s3alias"] {
            assert!(validate_new_bucket_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pending_operations_finish_after_their_polls() {
        let mut store = Store::new();
        let plan = OperationPlan { pending_polls: 2, failed: true };
        let created = store
            .create_bucket(
                "us-east-1",
                1.0,
                CreateBucketRequest {
                    bucket_name: Some("b-1".into()),
                    bundle_id: Some("small_1_0".into()),
                    ..Default::default()
                },
                plan,
            )
            .unwrap();
        let (_, op) = created;
        assert_eq!(op.status, "Started");
        let id = op.id.clone();
        let poll = |store: &mut Store| {
            store
                .get_operation("us-east-1", 2.0, GetOperationRequest { operation_id: Some(id.clone()) })
                .unwrap()
                .status
        };
        assert_eq!(poll(&mut store), "Started");
        assert_eq!(poll(&mut store), "Started");
        assert_eq!(poll(&mut store), "Failed");
        assert_eq!(poll(&mut store), "Failed");
        // Operations are regional.
        assert!(store.get_operation("eu-west-1", 2.0, GetOperationRequest { operation_id: Some(id) }).is_err());
    }
}
