//! The provider: the resource types it implements, and each operation dispatched to the resource
//! its type token names.

use crate::host::{ApiError, Host};
use crate::types::*;
use crate::{access_key, bucket};
use alloc::{
    format,
    string::{String, ToString},
    vec,
    vec::Vec,
};
use serde_json::Value;

enum Resource {
    AccessKey,
    Bucket,
}

fn resource(token: &str) -> Result<Resource, ProviderError> {
    match token {
        access_key::TOKEN => Ok(Resource::AccessKey),
        bucket::TOKEN => Ok(Resource::Bucket),
        other => Err(ProviderError::UnknownType(other.to_string())),
    }
}

pub fn resource_types() -> Vec<String> {
    vec![access_key::TOKEN.to_string(), bucket::TOKEN.to_string()]
}

pub fn schema() -> String {
    crate::schema::document()
}

pub(crate) fn api_error(e: ApiError) -> ProviderError {
    ProviderError::Api(ApiFailure { code: e.code, message: e.message, retryable: e.retryable })
}

/// A JSON object from a property bag; an empty string counts as no properties.
pub(crate) fn state_object(property: &str, json: &str) -> Result<Value, ProviderError> {
    if json.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    match serde_json::from_str::<Value>(json) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(ProviderError::invalid(property, "must be a JSON object")),
        Err(e) => Err(ProviderError::invalid(property, format!("is not valid JSON: {e}"))),
    }
}

pub(crate) fn state_region(state: &Value) -> Option<String> {
    state.get("region").and_then(Value::as_str).map(str::to_string)
}

pub fn check(token: &str, olds: Option<&str>, news: &str) -> Result<CheckResult, ProviderError> {
    let resource = resource(token)?;
    // The old inputs do not change how new ones are read; they only have to be a bag.
    if let Some(olds) = olds {
        state_object("olds", olds)?;
    }
    match resource {
        Resource::AccessKey => access_key::check(news),
        Resource::Bucket => bucket::check(news),
    }
}

pub fn diff(host: &impl Host, token: &str, _id: &str, olds: &str, news: &str) -> Result<DiffResult, ProviderError> {
    let resource = resource(token)?;
    let olds = state_object("olds", olds)?;
    match resource {
        Resource::AccessKey => access_key::diff(host, &olds, news),
        Resource::Bucket => bucket::diff(host, &olds, news),
    }
}

pub fn create(host: &impl Host, token: &str, inputs: &str, preview: bool) -> Result<Created, ProviderError> {
    match resource(token)? {
        Resource::AccessKey => access_key::create(host, inputs, preview),
        Resource::Bucket => bucket::create(host, inputs, preview),
    }
}

pub fn read(host: &impl Host, token: &str, id: &str, state: Option<&str>) -> Result<Option<ReadResult>, ProviderError> {
    let resource = resource(token)?;
    let state = state_object("state", state.unwrap_or(""))?;
    match resource {
        Resource::AccessKey => access_key::read(host, id, &state),
        Resource::Bucket => bucket::read(host, id, &state),
    }
}

pub fn update(
    host: &impl Host,
    token: &str,
    id: &str,
    olds: &str,
    news: &str,
    preview: bool,
) -> Result<Outputs, ProviderError> {
    let resource = resource(token)?;
    let olds = state_object("olds", olds)?;
    match resource {
        Resource::AccessKey => access_key::update(),
        Resource::Bucket => bucket::update(host, id, &olds, news, preview),
    }
}

pub fn delete(host: &impl Host, token: &str, id: &str, state: &str) -> Result<(), ProviderError> {
    let resource = resource(token)?;
    let state = state_object("state", state)?;
    match resource {
        Resource::AccessKey => access_key::delete(host, id, &state),
        Resource::Bucket => bucket::delete(host, id, &state),
    }
}

pub fn import(host: &impl Host, token: &str, id: &str) -> Result<ReadResult, ProviderError> {
    match resource(token)? {
        Resource::AccessKey => access_key::import(host, id),
        Resource::Bucket => bucket::import(host, id),
    }
}
