//! The bucket's outputs, as the property bag the contract returns.

use super::inputs::{BUNDLE_ID, FORCE_DELETE, Inputs, NAME, REGION};
use super::tags::{TAGS, TAGS_ALL, TagMap};
use crate::host;
use crate::timestamp::rfc3339;
use crate::types::Outputs;
use alloc::{string::ToString, vec::Vec};
use serde_json::{Value, json};

/// The outputs of a bucket as the API describes it, with its own tags and all it carries.
pub fn of_bucket(bucket: &host::Bucket, region: &str, force_delete: bool, tags: TagMap, all: TagMap) -> Outputs {
    let values = json!({
        "arn": bucket.arn,
        "availabilityZone": bucket.availability_zone,
        BUNDLE_ID: bucket.bundle_id,
        "createdAt": bucket.created_at.and_then(rfc3339),
        FORCE_DELETE: force_delete,
        NAME: bucket.name,
        REGION: bucket.region.clone().unwrap_or_else(|| region.to_string()),
        "supportCode": bucket.support_code,
        "url": bucket.url,
        TAGS: Value::Object(tags),
        TAGS_ALL: Value::Object(all),
    });
    Outputs { values: values.to_string(), secrets: Vec::new() }
}

/// What a create will answer, as far as the inputs tell before it runs.
pub fn preview(inputs: &Inputs, region: &str, all: Value) -> Outputs {
    let values = json!({
        NAME: inputs.name,
        BUNDLE_ID: inputs.bundle_id,
        FORCE_DELETE: inputs.force_delete,
        REGION: region,
        TAGS: inputs.tags,
        TAGS_ALL: all,
    });
    Outputs { values: values.to_string(), secrets: Vec::new() }
}

/// The outputs `olds` with what an update of `news` changes in place.
pub fn updated(olds: &Value, news: &Inputs, all: Value) -> Outputs {
    let mut values = olds.clone();
    values[TAGS] = news.tags.clone();
    values[TAGS_ALL] = all;
    values[BUNDLE_ID] = news.bundle_id.clone().into();
    values[FORCE_DELETE] = news.force_delete.into();
    Outputs { values: values.to_string(), secrets: Vec::new() }
}
