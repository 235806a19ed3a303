//! The resource `aws:lightsail/bucketAccessKey:BucketAccessKey` (Terraform
//! `aws_lightsail_bucket_access_key`).
//!
//! Rules that hold throughout: input is validated before any API call; a key that exists is never
//! lost track of (a create that cannot be confirmed is reported as not ready, with its id); the
//! secret is returned once, at creation, then only carried from prior state.

use crate::host::{ErrorKind, Host, Level};
use crate::id::{self, KeyId};
use crate::inputs::{self, Inputs};
use crate::outputs;
use crate::provider::{api_error, state_region};
use crate::types::*;
use crate::wait;
use alloc::{
    format,
    string::{String, ToString},
    vec::Vec,
};
use serde_json::Value;

pub const TOKEN: &str = "aws:lightsail/bucketAccessKey:BucketAccessKey";

pub fn check(news: &str) -> Result<CheckResult, ProviderError> {
    Ok(match inputs::parse(news) {
        Ok(inputs) => CheckResult { inputs: inputs.to_json(), failures: Vec::new() },
        Err(failures) => CheckResult { inputs: news.to_string(), failures },
    })
}

/// Every input forces replacement. A region left out means the host's default region, which is
/// compared with the region the key actually lives in.
pub fn diff(host: &impl Host, olds: &Value, news: &str) -> Result<DiffResult, ProviderError> {
    let news = inputs::parse(news).map_err(ProviderError::InvalidInput)?;
    let mut diffs = Vec::new();
    if olds.get(inputs::BUCKET_NAME).and_then(Value::as_str) != Some(news.bucket_name.as_str()) {
        diffs.push(inputs::BUCKET_NAME.to_string());
    }
    let new_region = news.region.clone().unwrap_or_else(|| host.default_region());
    if state_region(olds).as_deref() != Some(new_region.as_str()) {
        diffs.push(inputs::REGION.to_string());
    }
    Ok(DiffResult { changes: !diffs.is_empty(), replaces: diffs.clone(), diffs, delete_before_replace: false })
}

pub fn create(host: &impl Host, inputs: &str, preview: bool) -> Result<Created, ProviderError> {
    let inputs = inputs::parse(inputs).map_err(ProviderError::InvalidInput)?;
    let region = inputs.region.clone().unwrap_or_else(|| host.default_region());
    if preview {
        return Ok(Created { id: String::new(), outputs: outputs::preview(&inputs.bucket_name, &region) });
    }
    if inputs.has_unknowns() {
        return Err(ProviderError::invalid("", "inputs still hold unknown values; only a preview accepts them"));
    }
    create_key(host, &inputs, &region)
}

/// Attempts at CreateBucketAccessKey, each after reconciling the bucket's keys.
const CREATE_ATTEMPTS: u32 = 3;
const RETRY_PAUSE_MS: u32 = 1_000;

fn key_ids(host: &impl Host, region: Option<&str>, bucket: &str) -> Result<Vec<String>, ProviderError> {
    let keys = host.get_bucket_access_keys(region, bucket).map_err(api_error)?;
    Ok(keys.into_iter().map(|k| k.access_key_id).collect())
}

/// Creates a key without ever leaving one behind unrecorded. CreateBucketAccessKey is not
/// idempotent: when its answer is lost (a dropped connection, a timeout, a 5xx) the key may exist
/// anyway, with a secret nobody saw. So the bucket's keys are listed before the call; after a
/// failure whose outcome is unknown they are listed again, any new key (the orphan) is deleted,
/// and only then is the call tried again. This assumes nothing else creates keys in the same
/// bucket meanwhile, as an IaC engine managing the bucket does. Deleting the orphan first also
/// keeps the retry clear of the bucket's two-key limit.
fn create_key(host: &impl Host, inputs: &Inputs, region: &str) -> Result<Created, ProviderError> {
    let bucket = &inputs.bucket_name;
    let call_region = inputs.region.as_deref();
    host.log(Level::Debug, &format!("creating an access key for bucket {bucket} in {region}"));
    let before = key_ids(host, call_region, bucket)?;
    let mut tried = Vec::new();
    let mut orphans_deleted = Vec::new();
    let created = loop {
        match host.create_bucket_access_key(call_region, bucket) {
            Ok(created) => break created,
            Err(e) if e.retryable => {
                tried.push(format!("{}: {}", e.code, e.message));
                // A request that timed out may still be applied: give it time to land first.
                host.wait(RETRY_PAUSE_MS * tried.len() as u32);
                reconcile(host, call_region, bucket, &before, &mut orphans_deleted)?;
                if tried.len() as u32 >= CREATE_ATTEMPTS {
                    let orphans = if orphans_deleted.is_empty() {
                        "no key was left behind".to_string()
                    } else {
                        format!("the keys these attempts left behind were deleted: {}", orphans_deleted.join(", "))
                    };
                    return Err(ProviderError::Api(ApiFailure {
                        code: e.code,
                        message: format!(
                            "creating an access key for bucket {bucket} failed {} times ({}); {orphans}",
                            tried.len(),
                            tried.join("; ")
                        ),
                        retryable: true,
                    }));
                }
            }
            Err(e) => return Err(api_error(e)),
        }
    };
    let key = &created.access_key;
    let id = id::format(bucket, &key.access_key_id);
    let outputs = outputs::of_key(bucket, region, key, key.secret_access_key.as_deref());
    host.log(Level::Info, &format!("created access key {id}"));

    let not_ready =
        |reason: String| ProviderError::NotReady(NotReady { id: id.clone(), outputs: outputs.clone(), reason });
    let Some(first) = created.operations.first() else {
        return Err(not_ready("the API returned no operation to wait for".into()));
    };
    wait::until_done(host, call_region, first).map_err(|e| not_ready(e.to_string()))?;
    Ok(Created { id, outputs })
}

/// Deletes the keys that appeared since `before`: made by a call whose answer was lost.
fn reconcile(
    host: &impl Host,
    region: Option<&str>,
    bucket: &str,
    before: &[String],
    deleted: &mut Vec<String>,
) -> Result<(), ProviderError> {
    let unknown_outcome = |why: String| {
        ProviderError::Api(ApiFailure {
            code: "OutcomeUnknown".into(),
            message: format!(
                "a create's answer was lost and the keys of bucket {bucket} could not be checked ({why}); \
                 list them and delete any key you have no secret for"
            ),
            retryable: false,
        })
    };
    let after = key_ids(host, region, bucket).map_err(|e| unknown_outcome(e.to_string()))?;
    for orphan in after.iter().filter(|id| !before.contains(id)) {
        host.log(Level::Warn, &format!("deleting access key {bucket},{orphan}: its creator never got its answer"));
        match host.delete_bucket_access_key(region, bucket, orphan) {
            Ok(_) => deleted.push(orphan.clone()),
            Err(e) if e.kind == ErrorKind::NotFound => {}
            Err(e) => return Err(unknown_outcome(format!("deleting the orphan {orphan} failed: {}", e.message))),
        }
    }
    Ok(())
}

pub fn read(host: &impl Host, id: &str, state: &Value) -> Result<Option<ReadResult>, ProviderError> {
    let key_id = KeyId::parse(id)?;
    let region = state_region(state).or(key_id.region.clone());
    let secret = outputs::secret_from_state(state, &key_id.access_key_id);
    find(host, &key_id, region, secret)
}

pub fn import(host: &impl Host, id: &str) -> Result<ReadResult, ProviderError> {
    let key_id = KeyId::parse(id)?;
    let region = key_id.region.clone();
    // The secret cannot be had again: AWS returns it only at creation.
    find(host, &key_id, region, None)?.ok_or_else(|| {
        ProviderError::NotFound(format!(
            "bucket {} has no access key {} in {}",
            key_id.bucket_name,
            key_id.access_key_id,
            key_id.region.clone().unwrap_or_else(|| host.default_region())
        ))
    })
}

/// Looks the key up in its bucket's list; a missing bucket or key means the key is gone.
fn find(
    host: &impl Host,
    key_id: &KeyId,
    region: Option<String>,
    secret: Option<String>,
) -> Result<Option<ReadResult>, ProviderError> {
    let keys = match host.get_bucket_access_keys(region.as_deref(), &key_id.bucket_name) {
        Ok(keys) => keys,
        Err(e) if e.kind == ErrorKind::NotFound => {
            host.log(Level::Info, &format!("bucket {} is gone, and its keys with it", key_id.bucket_name));
            return Ok(None);
        }
        Err(e) => return Err(api_error(e)),
    };
    let Some(key) = keys.iter().find(|k| k.access_key_id == key_id.access_key_id) else {
        host.log(Level::Info, &format!("access key {} is gone", key_id.canonical()));
        return Ok(None);
    };
    let region = region.unwrap_or_else(|| host.default_region());
    let inputs = Inputs { bucket_name: key_id.bucket_name.clone(), region: Some(region.clone()) };
    Ok(Some(ReadResult {
        id: key_id.canonical(),
        inputs: inputs.to_json(),
        outputs: outputs::of_key(&key_id.bucket_name, &region, key, secret.as_deref()),
    }))
}

pub fn update() -> Result<Outputs, ProviderError> {
    Err(ProviderError::Unsupported(format!(
        "{TOKEN} cannot change in place: every input forces replacement, so an update is never planned"
    )))
}

pub fn delete(host: &impl Host, id: &str, state: &Value) -> Result<(), ProviderError> {
    let key_id = KeyId::parse(id)?;
    let region = state_region(state).or(key_id.region.clone());
    let operations = match host.delete_bucket_access_key(region.as_deref(), &key_id.bucket_name, &key_id.access_key_id)
    {
        Ok(operations) => operations,
        Err(e) if e.kind == ErrorKind::NotFound => {
            host.log(Level::Info, &format!("access key {} was already gone", key_id.canonical()));
            return Ok(());
        }
        Err(e) => return Err(api_error(e)),
    };
    if let Some(first) = operations.first()
        && let Err(e) = wait::until_done(host, region.as_deref(), first)
    {
        // The operation says it did not finish well; what counts is whether the key is gone.
        match find(host, &key_id, region.clone(), None) {
            Ok(None) => host.log(Level::Warn, &format!("{}: {e}, but the key is gone", key_id.canonical())),
            _ => return Err(e.into_error(&format!("deleting access key {}", key_id.canonical()))),
        }
    }
    host.log(Level::Info, &format!("deleted access key {}", key_id.canonical()));
    Ok(())
}
