//! The bucket's outputs, as the property bag the contract returns.

use super::inputs::{BUNDLE_ID, FORCE_DELETE, Inputs, NAME, REGION};
use super::tags::{TAGS, TAGS_ALL, TagMap};
use crate::host;
use crate::json::{self, Value, object};
use crate::timestamp::rfc3339;
use crate::types::Outputs;
use alloc::vec::Vec;

/// The outputs of a bucket as the API describes it, with its own tags and all it carries.
pub fn of_bucket(bucket: &host::Bucket, region: &str, force_delete: bool, tags: TagMap, all: TagMap) -> Outputs {
    let values = object! {
        "arn" => bucket.arn.as_deref(),
        "availabilityZone" => bucket.availability_zone.as_deref(),
        BUNDLE_ID => bucket.bundle_id.as_deref(),
        "createdAt" => bucket.created_at.and_then(rfc3339),
        FORCE_DELETE => force_delete,
        NAME => &bucket.name,
        REGION => bucket.region.as_deref().unwrap_or(region),
        "supportCode" => bucket.support_code.as_deref(),
        "url" => bucket.url.as_deref(),
        TAGS => tags,
        TAGS_ALL => all,
    };
    Outputs { values: json::to_string(&values), secrets: Vec::new() }
}

/// What a create will answer, as far as the inputs tell before it runs.
pub fn preview(inputs: &Inputs, region: &str, all: Value) -> Outputs {
    let values = object! {
        NAME => &inputs.name,
        BUNDLE_ID => &inputs.bundle_id,
        FORCE_DELETE => inputs.force_delete,
        REGION => region,
        TAGS => inputs.tags.clone(),
        TAGS_ALL => all,
    };
    Outputs { values: json::to_string(&values), secrets: Vec::new() }
}

/// The outputs `olds` with what an update of `news` changes in place.
pub fn updated(olds: &Value, news: &Inputs, all: Value) -> Outputs {
    let mut values = match olds {
        Value::Object(olds) => olds.clone(),
        _ => json::Object::new(),
    };
    values.insert(TAGS.into(), news.tags.clone());
    values.insert(TAGS_ALL.into(), all);
    values.insert(BUNDLE_ID.into(), Value::String(news.bundle_id.clone()));
    values.insert(FORCE_DELETE.into(), Value::Bool(news.force_delete));
    Outputs { values: json::to_string(&Value::Object(values)), secrets: Vec::new() }
}
