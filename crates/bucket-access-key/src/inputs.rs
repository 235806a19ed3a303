//! The resource's inputs: parsed from a JSON property bag, every rule checked, every failure named.

use crate::types::CheckFailure;
use crate::validate;
use alloc::{
    format,
    string::{String, ToString},
    vec,
    vec::Vec,
};
use serde_json::{Map, Value};

/// Pulumi's marker for a value not known until an earlier resource exists (in previews).
pub const UNKNOWN: &str = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

pub const BUCKET_NAME: &str = "bucketName";
pub const REGION: &str = "region";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    pub bucket_name: String,
    /// `None`: the host's default region.
    pub region: Option<String>,
}

impl Inputs {
    /// Whether a value is still unknown (allowed in check and preview only).
    pub fn has_unknowns(&self) -> bool {
        self.bucket_name == UNKNOWN || self.region.as_deref() == Some(UNKNOWN)
    }

    pub fn to_json(&self) -> String {
        let mut map = Map::new();
        map.insert(BUCKET_NAME.into(), self.bucket_name.clone().into());
        if let Some(region) = &self.region {
            map.insert(REGION.into(), region.clone().into());
        }
        Value::Object(map).to_string()
    }
}

/// Parses a JSON object of inputs. All failures are reported together.
pub fn parse(json: &str) -> Result<Inputs, Vec<CheckFailure>> {
    let object = object(json)?;
    let mut failures = Vec::new();
    for key in object.keys() {
        if key != BUCKET_NAME && key != REGION {
            failures.push(CheckFailure::new(
                key.clone(),
                format!("unknown property; this resource takes {BUCKET_NAME} (required) and {REGION}"),
            ));
        }
    }
    let bucket_name = string_property(&object, BUCKET_NAME, validate::bucket_name, &mut failures);
    if object.get(BUCKET_NAME).is_none_or(Value::is_null) {
        failures.push(CheckFailure::new(BUCKET_NAME, "is required"));
    }
    let region = string_property(&object, REGION, validate::region, &mut failures);
    match bucket_name {
        Some(bucket_name) if failures.is_empty() => Ok(Inputs { bucket_name, region }),
        _ => Err(failures),
    }
}

/// A bag of inputs as a JSON object, or the one failure that says why it is not one.
pub(crate) fn object(json: &str) -> Result<Map<String, Value>, Vec<CheckFailure>> {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(other) => Err(vec![CheckFailure::new("", format!("inputs must be a JSON object, not {}", kind(&other)))]),
        Err(e) => Err(vec![CheckFailure::new("", format!("inputs are not valid JSON: {e}"))]),
    }
}

/// An optional string property: `None` when absent or null; a failure when of another type or
/// when it breaks its rule. Unknown values pass (previews).
pub(crate) fn string_property(
    object: &Map<String, Value>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(json: &str) -> Vec<(String, String)> {
        parse(json).unwrap_err().into_iter().map(|f| (f.property, f.reason)).collect()
    }

    #[test]
    fn accepts_and_normalizes() {
        let inputs = parse(r#"{"bucketName": "example-bucket", "region": null}"#).unwrap();
        assert_eq!(inputs, Inputs { bucket_name: "example-bucket".into(), region: None });
        assert_eq!(inputs.to_json(), r#"{"bucketName":"example-bucket"}"#);
        let inputs = parse(r#"{"bucketName": "b-1", "region": "eu-west-2"}"#).unwrap();
        assert_eq!(inputs.region.as_deref(), Some("eu-west-2"));
    }

    #[test]
    fn names_every_broken_property_and_rule() {
        let found = failures(r#"{"bucketName": 5, "region": "moon-1", "tags": {}}"#);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found.iter().any(|(p, r)| p == "tags" && r.contains("unknown property")));
        assert!(found.iter().any(|(p, r)| p == "bucketName" && r.contains("must be a string, not a number")));
        assert!(found.iter().any(|(p, r)| p == "region" && r.contains("not a region")));
        assert_eq!(failures("{}"), vec![("bucketName".into(), "is required".into())]);
        assert!(failures("[1]")[0].1.contains("must be a JSON object, not an array"));
        assert!(failures("{").first().unwrap().1.contains("not valid JSON"));
        assert!(failures(r#"{"bucketName": "a--b"}"#)[0].1.contains("two hyphens"));
    }

    #[test]
    fn unknowns_pass_check() {
        let inputs = parse(&format!(r#"{{"bucketName": "{UNKNOWN}"}}"#)).unwrap();
        assert!(inputs.has_unknowns());
    }
}
