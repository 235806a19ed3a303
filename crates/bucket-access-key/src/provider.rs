//! The provider operations for `aws:lightsail/bucketAccessKey:BucketAccessKey`.
//!
//! Rules that hold throughout: input is validated before any API call; a key that exists is never
//! lost track of (a create that cannot be confirmed is reported as not ready, with its id); the
//! secret is returned once, at creation, then only carried from prior state.

use crate::host::{ApiError, ErrorKind, Host, Level};
use crate::id::{self, KeyId};
use crate::inputs::{self, Inputs};
use crate::outputs;
use crate::types::*;
use crate::wait;
use serde_json::Value;

pub const TOKEN: &str = "aws:lightsail/bucketAccessKey:BucketAccessKey";

pub fn resource_types() -> Vec<String> {
    vec![TOKEN.to_string()]
}

pub fn schema() -> String {
    crate::schema::document()
}

fn known_type(token: &str) -> Result<(), ProviderError> {
    if token == TOKEN { Ok(()) } else { Err(ProviderError::UnknownType(token.to_string())) }
}

fn api_error(e: ApiError) -> ProviderError {
    ProviderError::Api(ApiFailure { code: e.code, message: e.message, retryable: e.retryable })
}

/// A JSON object from a property bag; an empty string counts as no properties.
fn state_object(property: &str, json: &str) -> Result<Value, ProviderError> {
    if json.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    match serde_json::from_str::<Value>(json) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(ProviderError::invalid(property, "must be a JSON object")),
        Err(e) => Err(ProviderError::invalid(property, format!("is not valid JSON: {e}"))),
    }
}

fn state_region(state: &Value) -> Option<String> {
    state.get(inputs::REGION).and_then(Value::as_str).map(str::to_string)
}

pub fn check(token: &str, olds: Option<&str>, news: &str) -> Result<CheckResult, ProviderError> {
    known_type(token)?;
    // The old inputs do not change how new ones are read; they only have to be a bag.
    if let Some(olds) = olds {
        state_object("olds", olds)?;
    }
    Ok(match inputs::parse(news) {
        Ok(inputs) => CheckResult { inputs: inputs.to_json(), failures: Vec::new() },
        Err(failures) => CheckResult { inputs: news.to_string(), failures },
    })
}

/// Every input forces replacement. A region left out means the host's default region, which is
/// compared with the region the key actually lives in.
pub fn diff(host: &impl Host, token: &str, _id: &str, olds: &str, news: &str) -> Result<DiffResult, ProviderError> {
    known_type(token)?;
    let olds = state_object("olds", olds)?;
    let news = inputs::parse(news).map_err(ProviderError::InvalidInput)?;
    let mut diffs = Vec::new();
    if olds.get(inputs::BUCKET_NAME).and_then(Value::as_str) != Some(news.bucket_name.as_str()) {
        diffs.push(inputs::BUCKET_NAME.to_string());
    }
    let new_region = news.region.clone().unwrap_or_else(|| host.default_region());
    if state_region(&olds).as_deref() != Some(new_region.as_str()) {
        diffs.push(inputs::REGION.to_string());
    }
    Ok(DiffResult { changes: !diffs.is_empty(), replaces: diffs.clone(), diffs, delete_before_replace: false })
}

pub fn create(host: &impl Host, token: &str, inputs: &str, preview: bool) -> Result<Created, ProviderError> {
    known_type(token)?;
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

fn create_key(host: &impl Host, inputs: &Inputs, region: &str) -> Result<Created, ProviderError> {
    let bucket = &inputs.bucket_name;
    host.log(Level::Debug, &format!("creating an access key for bucket {bucket} in {region}"));
    let created = host.create_bucket_access_key(inputs.region.as_deref(), bucket).map_err(api_error)?;
    let key = &created.access_key;
    let id = id::format(bucket, &key.access_key_id);
    let outputs = outputs::of_key(bucket, region, key, key.secret_access_key.as_deref());
    host.log(Level::Info, &format!("created access key {id}"));

    let not_ready =
        |reason: String| ProviderError::NotReady(NotReady { id: id.clone(), outputs: outputs.clone(), reason });
    let Some(first) = created.operations.first() else {
        return Err(not_ready("the API returned no operation to wait for".into()));
    };
    wait::until_done(host, inputs.region.as_deref(), first).map_err(|e| not_ready(e.to_string()))?;
    Ok(Created { id, outputs })
}

pub fn read(host: &impl Host, token: &str, id: &str, state: Option<&str>) -> Result<Option<ReadResult>, ProviderError> {
    known_type(token)?;
    let key_id = KeyId::parse(id)?;
    let state = state_object("state", state.unwrap_or(""))?;
    let region = state_region(&state).or(key_id.region.clone());
    let secret = outputs::secret_from_state(&state, &key_id.access_key_id);
    find(host, &key_id, region, secret)
}

pub fn import(host: &impl Host, token: &str, id: &str) -> Result<ReadResult, ProviderError> {
    known_type(token)?;
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

pub fn update(token: &str, _id: &str, _olds: &str, _news: &str, _preview: bool) -> Result<Outputs, ProviderError> {
    known_type(token)?;
    Err(ProviderError::Unsupported(format!(
        "{TOKEN} cannot change in place: every input forces replacement, so an update is never planned"
    )))
}

pub fn delete(host: &impl Host, token: &str, id: &str, state: &str) -> Result<(), ProviderError> {
    known_type(token)?;
    let key_id = KeyId::parse(id)?;
    let state = state_object("state", state)?;
    let region = state_region(&state).or(key_id.region.clone());
    let operations = match host.delete_bucket_access_key(region.as_deref(), &key_id.bucket_name, &key_id.access_key_id)
    {
        Ok(operations) => operations,
        Err(e) if e.kind == ErrorKind::NotFound => {
            host.log(Level::Info, &format!("access key {} was already gone", key_id.canonical()));
            return Ok(());
        }
        Err(e) => return Err(api_error(e)),
    };
    if let Some(first) = operations.first() {
        wait::until_done(host, region.as_deref(), first).map_err(|e| {
            ProviderError::Api(ApiFailure {
                code: "OperationNotCompleted".into(),
                message: format!("deleting access key {}: {e}", key_id.canonical()),
                retryable: matches!(e, wait::WaitError::TimedOut { .. } | wait::WaitError::Poll { .. }),
            })
        })?;
    }
    host.log(Level::Info, &format!("deleted access key {}", key_id.canonical()));
    Ok(())
}
