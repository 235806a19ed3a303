//! The service's state, kept per region, and the rules of each operation. Answers are the model's
//! structs; `protocol` writes them as JSON, `persistence` keeps the state in a file.

use crate::error::ApiError;
use crate::keys;
use crate::model::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

pub const ACCOUNT_ID: &str = "123456789012";
pub const MAX_ACCESS_KEYS_PER_BUCKET: usize = 2;
pub const BUNDLE_IDS: &[&str] = &["small_1_0", "medium_1_0", "large_1_0"];
/// The regions Lightsail's model names (`RegionName`); a request scoped to another is refused.
pub const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ca-central-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-3",
    "ap-southeast-5",
];

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
    changed: BTreeSet<Changed>,
}

/// A row a call changed: a bucket (with its keys and tags) or an operation record. Whether it was
/// made, changed or removed is read from the store when the change is written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Changed {
    Bucket { region: String, name: String },
    Operation { region: String, id: String },
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegionState {
    pub(crate) buckets: BTreeMap<String, StoredBucket>,
    pub(crate) operations: BTreeMap<String, StoredOperation>,
    pub(crate) operation_order: VecDeque<String>,
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
    /// Secrets are never stored: the service returns them once, at creation.
    pub(crate) access_keys: Vec<StoredAccessKey>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredAccessKey {
    pub(crate) access_key_id: String,
    pub(crate) status: String,
    pub(crate) created_at: f64,
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
    pub fn new() -> Self {
        Self::default()
    }

    /// The rows changed since the last call, and forgets them.
    pub fn take_changes(&mut self) -> BTreeSet<Changed> {
        std::mem::take(&mut self.changed)
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
        };
        let wire = bucket_wire(region, &bucket);
        self.region(region).buckets.insert(name.to_string(), bucket);
        let op = self.record_operation(region, now, name, "CreateBucket", None, plan);
        Ok((wire, op))
    }

    pub fn get_buckets(&mut self, region: &str, req: GetBucketsRequest) -> Result<Vec<Bucket>, ApiError> {
        let state = self.region(region);
        let buckets: Vec<Bucket> = match req.bucket_name.as_deref() {
            Some(name) => {
                validate_bucket_name("bucketName", name)?;
                let bucket = state.buckets.get(name).ok_or_else(|| bucket_not_found(name))?;
                vec![bucket_wire(region, bucket)]
            }
            None => state.buckets.values().map(|b| bucket_wire(region, b)).collect(),
        };
        Ok(buckets)
    }

    pub fn delete_bucket(
        &mut self,
        region: &str,
        now: f64,
        req: DeleteBucketRequest,
        plan: OperationPlan,
    ) -> Result<Operation, ApiError> {
        let name = bucket_name(&req.bucket_name)?;
        let bucket = self.bucket_mut(region, name)?;
        if !bucket.access_keys.is_empty() && req.force_delete != Some(true) {
            return Err(ApiError::invalid_input(format!(
                "The bucket {name} has {} access key(s). Delete them first, or set forceDelete to true.",
                bucket.access_keys.len()
            )));
        }
        self.region(region).buckets.remove(name);
        let op = self.record_operation(region, now, name, "DeleteBucket", None, plan);
        Ok(op)
    }

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
        self.bucket_mut(region, name)?.bundle_id = bundle_id.to_string();
        let op = self.record_operation(region, now, name, "UpdateBucketBundle", None, plan);
        Ok(op)
    }

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
        let key = StoredAccessKey { access_key_id: keys::access_key_id(), status: "Active".into(), created_at: now };
        let mut wire = access_key_wire(&key);
        wire.secret_access_key = Some(keys::secret_access_key());
        let key_id = key.access_key_id.clone();
        bucket.access_keys.push(key);
        let op = self.record_operation(region, now, name, "CreateBucketAccessKey", Some(key_id), plan);
        Ok((wire, op))
    }

    pub fn get_bucket_access_keys(&mut self, region: &str, req: BucketNameRequest) -> Result<Vec<AccessKey>, ApiError> {
        let name = bucket_name(&req.bucket_name)?;
        let bucket = self.bucket_mut(region, name)?;
        Ok(bucket.access_keys.iter().map(access_key_wire).collect())
    }

    pub fn delete_bucket_access_key(
        &mut self,
        region: &str,
        now: f64,
        req: DeleteBucketAccessKeyRequest,
        plan: OperationPlan,
    ) -> Result<Operation, ApiError> {
        let name = bucket_name(&req.bucket_name)?;
        let key_id = required("accessKeyId", &req.access_key_id)?;
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
    if name.is_empty() || name.len() > 255 {
        return Err(ApiError::invalid_input(format!("The resource name '{name}' is not valid.")));
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
        last_used: AccessKeyLastUsed::never(),
    }
}

fn bucket_wire(region: &str, bucket: &StoredBucket) -> Bucket {
    Bucket {
        resource_type: "Bucket".into(),
        access_rules: AccessRules { get_object: "private".into(), allow_public_overrides: false },
        arn: bucket.arn.clone(),
        bundle_id: bucket.bundle_id.clone(),
        created_at: bucket.created_at,
        url: format!("https://{}.s3.{region}.amazonaws.com/", bucket.name),
        location: location(region),
        name: bucket.name.clone(),
        support_code: format!("{ACCOUNT_ID}/{}", bucket.name),
        tags: bucket.tags.clone(),
        object_versioning: bucket.object_versioning.clone(),
        able_to_update_bundle: true,
        readonly_access_accounts: Vec::new(),
        resources_receiving_access: Vec::new(),
        state: BucketState { code: "OK".into() },
        access_log_config: AccessLogConfig { enabled: false },
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
