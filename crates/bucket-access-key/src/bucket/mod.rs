//! The resource `aws:lightsail/bucket:Bucket` (Terraform `aws_lightsail_bucket`): the bucket the
//! access keys belong to. Its bundle changes in place (UpdateBucketBundle); its name and region
//! force replacement. The id is the bucket name.

use crate::host::{self, ErrorKind, Host, Level};
use crate::props::{UNKNOWN, api_error, kind, object, state_region, string_property};
use crate::resource::Resource;
use crate::timestamp::rfc3339;
use crate::types::*;
use crate::{validate, wait};
use alloc::{
    format,
    string::{String, ToString},
    vec::Vec,
};
use serde_json::{Map, Value, json};

pub const TOKEN: &str = "aws:lightsail/bucket:Bucket";

/// The bucket resource (Terraform `aws_lightsail_bucket`).
pub struct Bucket;

impl Resource for Bucket {
    const TOKEN: &'static str = TOKEN;

    fn check(news: &str) -> Result<CheckResult, ProviderError> {
        Ok(match parse(news) {
            Ok(inputs) => CheckResult { inputs: inputs.to_json(), failures: Vec::new() },
            Err(failures) => CheckResult { inputs: news.to_string(), failures },
        })
    }

    fn diff(host: &impl Host, olds: &Value, news: &str) -> Result<DiffResult, ProviderError> {
        let news = parse(news).map_err(ProviderError::InvalidInput)?;
        let old = |name: &str| olds.get(name).cloned().unwrap_or(Value::Null);
        let new_region = news.region.clone().unwrap_or_else(|| host.default_region());
        let mut result = DiffResult::default();
        let changes = [
            (NAME, old(NAME) != news.name.as_str(), true),
            (REGION, state_region(olds).as_deref() != Some(new_region.as_str()), true),
            (BUNDLE_ID, old(BUNDLE_ID) != news.bundle_id.as_str(), false),
            (FORCE_DELETE, old(FORCE_DELETE).as_bool().unwrap_or(false) != news.force_delete, false),
        ];
        for (property, changed, replaces) in changes {
            if changed {
                result.diffs.push(property.to_string());
                if replaces {
                    result.replaces.push(property.to_string());
                }
            }
        }
        result.changes = !result.diffs.is_empty();
        Ok(result)
    }

    fn create(host: &impl Host, inputs: &str, preview: bool) -> Result<Created, ProviderError> {
        let inputs = parse(inputs).map_err(ProviderError::InvalidInput)?;
        let region = inputs.region.clone().unwrap_or_else(|| host.default_region());
        if preview {
            let values = json!({ NAME: inputs.name, BUNDLE_ID: inputs.bundle_id, FORCE_DELETE: inputs.force_delete, REGION: region });
            return Ok(Created {
                id: String::new(),
                outputs: Outputs { values: values.to_string(), secrets: Vec::new() },
            });
        }
        if inputs.has_unknowns() {
            return Err(ProviderError::invalid("", "inputs still hold unknown values; only a preview accepts them"));
        }
        host.log(Level::Debug, &format!("creating bucket {} ({}) in {region}", inputs.name, inputs.bundle_id));
        let created =
            host.create_bucket(inputs.region.as_deref(), &inputs.name, &inputs.bundle_id).map_err(api_error)?;
        let outputs = outputs(&created.bucket, &region, inputs.force_delete);
        let id = inputs.name.clone();
        if let Some(first) = created.operations.first() {
            wait::until_done(host, inputs.region.as_deref(), first).map_err(|e| {
                ProviderError::NotReady(NotReady { id: id.clone(), outputs: outputs.clone(), reason: e.to_string() })
            })?;
        }
        host.log(Level::Info, &format!("created bucket {id}"));
        Ok(Created { id, outputs })
    }

    fn read(host: &impl Host, id: &str, state: &Value) -> Result<Option<ReadResult>, ProviderError> {
        let (name, id_region) = parse_id(id)?;
        find(host, &name, state_region(state).or(id_region), force_delete(state))
    }

    /// The bundle changes in place; `forceDelete` is the provider's own setting and only changes state.
    fn update(host: &impl Host, id: &str, olds: &Value, news: &str, preview: bool) -> Result<Outputs, ProviderError> {
        let (name, _) = parse_id(id)?;
        let news = parse(news).map_err(ProviderError::InvalidInput)?;
        let region = state_region(olds).or(news.region.clone());
        if news.name != name {
            return Err(ProviderError::Unsupported(format!(
                "a bucket cannot be renamed in place ({name} → {})",
                news.name
            )));
        }
        let resolved_region = region.clone().unwrap_or_else(|| host.default_region());
        if preview {
            let mut values = olds.clone();
            values[BUNDLE_ID] = news.bundle_id.clone().into();
            values[FORCE_DELETE] = news.force_delete.into();
            return Ok(Outputs { values: values.to_string(), secrets: Vec::new() });
        }
        if olds.get(BUNDLE_ID).and_then(Value::as_str) != Some(news.bundle_id.as_str()) {
            host.log(Level::Debug, &format!("changing the bundle of bucket {name} to {}", news.bundle_id));
            let operations = host.update_bucket_bundle(region.as_deref(), &name, &news.bundle_id).map_err(api_error)?;
            if let Some(first) = operations.first() {
                wait::until_done(host, region.as_deref(), first)
                    .map_err(|e| e.into_error(&format!("changing the bundle of bucket {name}")))?;
            }
        }
        match find(host, &name, Some(resolved_region), news.force_delete)? {
            Some(read) => Ok(read.outputs),
            None => Err(ProviderError::NotFound(format!("bucket {name} disappeared during the update"))),
        }
    }

    fn delete(host: &impl Host, id: &str, state: &Value) -> Result<(), ProviderError> {
        let (name, id_region) = parse_id(id)?;
        let region = state_region(state).or(id_region);
        let operations = match host.delete_bucket(region.as_deref(), &name, force_delete(state)) {
            Ok(operations) => operations,
            Err(e) if e.kind == ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(api_error(e)),
        };
        if let Some(first) = operations.first()
            && let Err(e) = wait::until_done(host, region.as_deref(), first)
        {
            // The operation says it did not finish well; what counts is whether the bucket is gone.
            match host.get_bucket(region.as_deref(), &name) {
                Err(gone) if gone.kind == ErrorKind::NotFound => {
                    host.log(Level::Warn, &format!("bucket {name}: {e}, but the bucket is gone"))
                }
                _ => return Err(e.into_error(&format!("deleting bucket {name}"))),
            }
        }
        host.log(Level::Info, &format!("deleted bucket {name}"));
        Ok(())
    }

    fn import(host: &impl Host, id: &str) -> Result<ReadResult, ProviderError> {
        let (name, region) = parse_id(id)?;
        find(host, &name, region.clone(), false)?.ok_or_else(|| {
            ProviderError::NotFound(format!("no bucket {name} in {}", region.unwrap_or_else(|| host.default_region())))
        })
    }
}

const NAME: &str = "name";
const BUNDLE_ID: &str = "bundleId";
const FORCE_DELETE: &str = "forceDelete";
const REGION: &str = "region";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    pub name: String,
    pub bundle_id: String,
    pub force_delete: bool,
    pub region: Option<String>,
}

impl Inputs {
    fn to_json(&self) -> String {
        let mut map = Map::new();
        map.insert(NAME.into(), self.name.clone().into());
        map.insert(BUNDLE_ID.into(), self.bundle_id.clone().into());
        map.insert(FORCE_DELETE.into(), self.force_delete.into());
        if let Some(region) = &self.region {
            map.insert(REGION.into(), region.clone().into());
        }
        Value::Object(map).to_string()
    }

    fn has_unknowns(&self) -> bool {
        [Some(&self.name), Some(&self.bundle_id), self.region.as_ref()].into_iter().flatten().any(|v| v == UNKNOWN)
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
        if ![NAME, BUNDLE_ID, FORCE_DELETE, REGION].contains(&key.as_str()) {
            failures.push(CheckFailure::new(
                key.clone(),
                format!("unknown property; this resource takes {NAME}, {BUNDLE_ID}, {FORCE_DELETE} and {REGION}"),
            ));
        }
    }
    let name = string_property(&object, NAME, validate::bucket_name, &mut failures);
    let bundle = string_property(&object, BUNDLE_ID, bundle_id, &mut failures);
    for (property, value) in [(NAME, &name), (BUNDLE_ID, &bundle)] {
        if value.is_none() && object.get(property).is_none_or(Value::is_null) {
            failures.push(CheckFailure::new(property, "is required"));
        }
    }
    let region = string_property(&object, REGION, validate::region, &mut failures);
    let force_delete = match object.get(FORCE_DELETE) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            failures.push(CheckFailure::new(FORCE_DELETE, format!("must be a boolean, not {}", kind(other))));
            false
        }
    };
    match (name, bundle) {
        (Some(name), Some(bundle_id)) if failures.is_empty() => Ok(Inputs { name, bundle_id, force_delete, region }),
        _ => Err(failures),
    }
}

fn outputs(bucket: &host::Bucket, region: &str, force_delete: bool) -> Outputs {
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
    });
    Outputs { values: values.to_string(), secrets: Vec::new() }
}

/// An id is the bucket name, for import optionally `name@region`.
fn parse_id(id: &str) -> Result<(String, Option<String>), ProviderError> {
    let (name, region) = match id.split_once('@') {
        Some((name, region)) => (name, Some(region)),
        None => (id, None),
    };
    let invalid = |reason: String| ProviderError::invalid("id", reason);
    validate::bucket_name(name).map_err(|rule| invalid(format!("bucket name {name:?} {rule}")))?;
    if let Some(region) = region {
        validate::region(region).map_err(invalid)?;
    }
    Ok((name.to_string(), region.map(str::to_string)))
}

fn find(
    host: &impl Host,
    name: &str,
    region: Option<String>,
    force_delete: bool,
) -> Result<Option<ReadResult>, ProviderError> {
    let bucket = match host.get_bucket(region.as_deref(), name) {
        Ok(bucket) => bucket,
        Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(api_error(e)),
    };
    let region = region.unwrap_or_else(|| host.default_region());
    let inputs = Inputs {
        name: name.to_string(),
        bundle_id: bucket.bundle_id.clone().unwrap_or_default(),
        force_delete,
        region: Some(region.clone()),
    };
    Ok(Some(ReadResult {
        id: name.to_string(),
        inputs: inputs.to_json(),
        outputs: outputs(&bucket, &region, force_delete),
    }))
}

fn force_delete(state: &Value) -> bool {
    state.get(FORCE_DELETE).and_then(Value::as_bool).unwrap_or(false)
}
