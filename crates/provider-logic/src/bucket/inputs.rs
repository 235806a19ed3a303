//! The bucket's inputs: parsed from a JSON property bag, every rule checked, every failure named.

use super::tags::{self, TAGS};
use crate::json::{self, Object, Value};
use crate::props::{UNKNOWN, is_unknown, kind, object, string_property};
use crate::types::CheckFailure;
use crate::validate;
use alloc::{format, string::String, vec::Vec};

pub const NAME: &str = "name";
pub const BUNDLE_ID: &str = "bundleId";
pub const FORCE_DELETE: &str = "forceDelete";
pub const REGION: &str = "region";

#[derive(Debug, Clone)]
pub struct Inputs {
    pub name: String,
    pub bundle_id: String,
    pub force_delete: bool,
    pub region: Option<String>,
    /// The bucket's own tags: an object of strings, or unknown in a preview.
    pub tags: Value,
}

impl Inputs {
    pub fn to_json(&self) -> String {
        let mut bag = Object::new();
        bag.insert(NAME.into(), Value::String(self.name.clone()));
        bag.insert(BUNDLE_ID.into(), Value::String(self.bundle_id.clone()));
        bag.insert(FORCE_DELETE.into(), Value::Bool(self.force_delete));
        if let Some(region) = &self.region {
            bag.insert(REGION.into(), Value::String(region.clone()));
        }
        bag.insert(TAGS.into(), self.tags.clone());
        json::to_string(&Value::Object(bag))
    }

    pub fn has_unknowns(&self) -> bool {
        let tags_unknown = match &self.tags {
            Value::Object(tags) => tags.values().any(is_unknown),
            other => is_unknown(other),
        };
        tags_unknown
            || [Some(&self.name), Some(&self.bundle_id), self.region.as_ref()]
                .into_iter()
                .flatten()
                .any(|v| v == UNKNOWN)
    }
}

fn bundle_id(bundle: &str) -> Result<(), String> {
    if !bundle.is_empty() && bundle.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        Ok(())
    } else {
        Err(format!("{bundle:?} is not a bundle id (such as small_1_0 or medium_1_0)"))
    }
}

pub fn parse(json: &str) -> Result<Inputs, Vec<CheckFailure>> {
    let object = object(json)?;
    let mut failures = Vec::new();
    for key in object.keys() {
        if ![NAME, BUNDLE_ID, FORCE_DELETE, REGION, TAGS].contains(&key.as_str()) {
            failures.push(CheckFailure::new(
                key.clone(),
                format!(
                    "unknown property; this resource takes {NAME}, {BUNDLE_ID}, {FORCE_DELETE}, {REGION} and {TAGS}"
                ),
            ));
        }
    }
    let name = string_property(&object, NAME, validate::bucket_name, &mut failures);
    let bundle = string_property(&object, BUNDLE_ID, bundle_id, &mut failures);
    for (property, value) in [(NAME, &name), (BUNDLE_ID, &bundle)] {
        if value.is_none() && json::is_missing(object.get(property)) {
            failures.push(CheckFailure::new(property, "is required"));
        }
    }
    let region = string_property(&object, REGION, validate::region, &mut failures);
    let tags = tags::parse(object.get(TAGS), &mut failures);
    let force_delete = match object.get(FORCE_DELETE) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            failures.push(CheckFailure::new(FORCE_DELETE, format!("must be a boolean, not {}", kind(other))));
            false
        }
    };
    match (name, bundle) {
        (Some(name), Some(bundle_id)) if failures.is_empty() => {
            Ok(Inputs { name, bundle_id, force_delete, region, tags })
        }
        _ => Err(failures),
    }
}
