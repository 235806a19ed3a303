//! Property bags, as every resource reads them: JSON objects whose values may still be unknown in
//! a preview, and the state's values every resource needs.

use crate::host::Host;
use crate::json::{self, Object, Value};
use crate::types::{CheckFailure, ProviderError};
use crate::validate;
use alloc::{
    format,
    string::{String, ToString},
    vec,
    vec::Vec,
};

/// Pulumi's marker for a value not known until an earlier resource exists (in previews).
pub const UNKNOWN: &str = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/// Whether a value is Pulumi's unknown.
pub(crate) fn is_unknown(value: &Value) -> bool {
    matches!(value, Value::String(text) if text == UNKNOWN)
}

/// A bag of inputs as a JSON object, or the one failure that says why it is not one.
pub(crate) fn object(text: &str) -> Result<Object, Vec<CheckFailure>> {
    match json::parse(text) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(other) => Err(vec![CheckFailure::new("", format!("inputs must be a JSON object, not {}", kind(&other)))]),
        Err(broken) => Err(vec![CheckFailure::new("", format!("inputs are not valid JSON: {broken}"))]),
    }
}

/// An optional string property: `None` when absent or null; a failure when of another type or
/// when it breaks its rule. Unknown values pass (previews).
pub(crate) fn string_property(
    object: &Object,
    name: &str,
    rule: fn(&str) -> Result<(), String>,
    failures: &mut Vec<CheckFailure>,
) -> Option<String> {
    let problem = match object.get(name)? {
        Value::Null => return None,
        Value::String(value) if value == UNKNOWN => return Some(value.clone()),
        Value::String(value) => match rule(value) {
            Ok(()) => return Some(value.clone()),
            Err(broken) => broken,
        },
        other => format!("must be a string, not {}", kind(other)),
    };
    failures.push(CheckFailure::new(name, problem));
    None
}

pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON object from a property bag; an empty string counts as no properties.
pub(crate) fn state_object(property: &str, text: &str) -> Result<Value, ProviderError> {
    if text.trim().is_empty() {
        return Ok(Value::Object(Object::new()));
    }
    match json::parse(text) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(ProviderError::invalid(property, "must be a JSON object")),
        Err(broken) => Err(ProviderError::invalid(property, format!("is not valid JSON: {broken}"))),
    }
}

/// Why `text` is not a property bag, in [`state_object`]'s words.
pub(crate) fn not_an_object(property: &str, text: &str) -> ProviderError {
    match state_object(property, text) {
        Err(why) => why,
        Ok(_) => ProviderError::invalid(property, "must be a JSON object"),
    }
}

/// The region recorded in a resource's state, if any; one where Lightsail does not run is refused
/// (a hand-edited state must not send calls to a region that cannot answer, or read as "gone").
pub(crate) fn state_region(state: &Value) -> Result<Option<String>, ProviderError> {
    prior_region(json::get_str(state, "region"))
}

/// A region a prior state records, checked as [`state_region`] checks it.
pub(crate) fn prior_region(region: Option<&str>) -> Result<Option<String>, ProviderError> {
    let Some(region) = region else { return Ok(None) };
    validate::region(region).map_err(|rule| ProviderError::invalid("region", format!("in the prior state: {rule}")))?;
    Ok(Some(region.to_string()))
}

/// The region a call acts in: the one named (already validated), else the host's default region,
/// which comes from the engine's settings and is checked here like any input.
pub(crate) fn region_or_default(host: &impl Host, named: Option<String>) -> Result<String, ProviderError> {
    if let Some(region) = named {
        return Ok(region);
    }
    let default = host.default_region();
    if default.is_empty() {
        return Err(ProviderError::invalid("region", "is not given, and no default region is configured"));
    }
    validate::region(&default).map_err(|rule| {
        ProviderError::invalid("region", format!("is not given, and the provider's default region {rule}"))
    })?;
    Ok(default)
}
