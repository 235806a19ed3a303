//! The resource `aws:lightsail/bucket:Bucket` (Terraform `aws_lightsail_bucket`): the bucket the
//! access keys belong to. Its bundle changes in place (UpdateBucketBundle); its name and region
//! force replacement. The id is the bucket name.

mod inputs;
mod outputs;
mod tags;

use crate::host::{ErrorKind, Hint, Host, Level};
use crate::json::{self, Value};
use crate::list::{self, Paging};
use crate::props::{UNKNOWN, region_or_default, state_object, state_region};
use crate::resource::Resource;
use crate::types::*;
use crate::{validate, wait};
use alloc::{
    format,
    string::{String, ToString},
    vec::Vec,
};
use inputs::{BUNDLE_ID, FORCE_DELETE, Inputs, NAME, REGION, parse};
use tags::{TAGS, TAGS_ALL, TagMap};

/// The bucket's type token.
pub const TOKEN: &str = "aws:lightsail/bucket:Bucket";

/// The bucket resource (Terraform `aws_lightsail_bucket`).
pub struct Bucket;

impl Resource for Bucket {
    const TOKEN: &'static str = TOKEN;

    fn check(_: &impl Host, news: &str) -> Result<CheckResult, ProviderError> {
        Ok(match parse(news) {
            Ok(inputs) => CheckResult { inputs: inputs.to_json(), failures: Vec::new() },
            Err(failures) => CheckResult { inputs: news.to_string(), failures },
        })
    }

    fn diff(host: &impl Host, olds: &Value, news: &str) -> Result<DiffResult, ProviderError> {
        let news = parse(news).map_err(ProviderError::InvalidInput)?;
        let new_region = region_or_default(host, news.region.clone())?;
        let old_region = state_region(olds)?;
        let mut result = DiffResult::default();
        let changes = [
            (NAME, json::get_str(olds, NAME) != Some(news.name.as_str()), true),
            (REGION, old_region.as_deref() != Some(new_region.as_str()), true),
            (BUNDLE_ID, json::get_str(olds, BUNDLE_ID) != Some(news.bundle_id.as_str()), false),
            (FORCE_DELETE, force_delete(olds) != news.force_delete, false),
            // Absent and null tags are no tags, as Terraform's null map is.
            (TAGS, Value::Object(tags::of(olds, TAGS)) != news.tags, false),
            (TAGS_ALL, Value::Object(tags::of(olds, TAGS_ALL)) != tags::all(host, &news.tags), false),
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
        if preview {
            // Without a default region, the region is one more value known only after the create.
            let region = region_or_default(host, inputs.region.clone()).unwrap_or_else(|_| UNKNOWN.to_string());
            return Ok(Created {
                id: String::new(),
                outputs: outputs::preview(&inputs, &region, tags::all(host, &inputs.tags)),
            });
        }
        if inputs.has_unknowns() {
            return Err(ProviderError::invalid("", "inputs still hold unknown values; only a preview accepts them"));
        }
        let region = region_or_default(host, inputs.region.clone())?;
        host.log(Level::Debug, &format!("creating bucket {} ({}) in {region}", inputs.name, inputs.bundle_id));
        let own = tags::map(&inputs.tags);
        let all = tags::map(&tags::all(host, &inputs.tags));
        let created = host
            .create_bucket(Some(&region), &inputs.name, &inputs.bundle_id, &tags::to_wire(&all, &TagMap::new()))
            .map_err(ProviderError::Api)?;
        let outputs = outputs::of_bucket(&created.bucket, &region, inputs.force_delete, own, all);
        let id = inputs.name.clone();
        if let Some(first) = created.operations.first() {
            wait::until_done(host, Some(&region), first).map_err(|e| {
                ProviderError::NotReady(NotReady { id: id.clone(), outputs: outputs.clone(), reason: e.to_string() })
            })?;
        }
        host.log(Level::Info, &format!("created bucket {id}"));
        Ok(Created { id, outputs })
    }

    fn read(host: &impl Host, id: &str, state: &str) -> Result<Option<ReadResult>, ProviderError> {
        let state = &state_object("state", state)?;
        let (name, id_region) = parse_id(id)?;
        let region = region_or_default(host, state_region(state)?.or(id_region))?;
        find(host, &name, &region, force_delete(state), &tags::of(state, TAGS))
    }

    /// The bundle changes in place; `forceDelete` is the provider's own setting and only changes state.
    fn update(host: &impl Host, id: &str, olds: &Value, news: &str, preview: bool) -> Result<Outputs, ProviderError> {
        let (name, _) = parse_id(id)?;
        let news = parse(news).map_err(ProviderError::InvalidInput)?;
        let region = region_or_default(host, state_region(olds)?.or(news.region.clone()))?;
        if news.name != name {
            return Err(ProviderError::Unsupported(format!(
                "a bucket cannot be renamed in place ({name} → {})",
                news.name
            )));
        }
        let wanted = tags::all(host, &news.tags);
        if preview {
            return Ok(outputs::updated(olds, &news, wanted));
        }
        if news.has_unknowns() {
            return Err(ProviderError::invalid("", "inputs still hold unknown values; only a preview accepts them"));
        }
        let settle = |what: &str, operations: Result<Vec<crate::host::Operation>, crate::host::ApiError>| {
            host.log(Level::Debug, &format!("{what} of bucket {name}"));
            match operations.map_err(ProviderError::Api)?.first() {
                Some(first) => wait::until_done(host, Some(&region), first)
                    .map_err(|e| e.into_error(&format!("{what} of bucket {name}"))),
                None => Ok(()),
            }
        };
        if json::get_str(olds, BUNDLE_ID) != Some(news.bundle_id.as_str()) {
            settle("changing the bundle", host.update_bucket_bundle(Some(&region), &name, &news.bundle_id))?;
        }
        let carried = tags::of(olds, TAGS_ALL);
        let wanted = tags::map(&wanted);
        let removed: Vec<String> = carried.keys().filter(|key| !wanted.contains_key(*key)).cloned().collect();
        let changed = tags::to_wire(&wanted, &carried);
        if !removed.is_empty() {
            settle("removing tags", host.untag_resource(Some(&region), &name, &removed))?;
        }
        if !changed.is_empty() {
            settle("setting tags", host.tag_resource(Some(&region), &name, &changed))?;
        }
        match find(host, &name, &region, news.force_delete, &tags::map(&news.tags))? {
            Some(read) => Ok(read.outputs),
            None => Err(ProviderError::NotFound(format!("bucket {name} disappeared during the update"))),
        }
    }

    fn delete(host: &impl Host, id: &str, state: &str) -> Result<(), ProviderError> {
        let state = &state_object("state", state)?;
        let (name, id_region) = parse_id(id)?;
        let region = region_or_default(host, state_region(state)?.or(id_region))?;
        let forced = force_delete(state);
        let operations = match host.delete_bucket(Some(&region), &name, forced) {
            Ok(operations) => operations,
            Err(e) if e.kind == ErrorKind::NotFound => return Ok(()),
            // Lightsail refuses a bucket that still has keys or objects: the hint says which input
            // deletes them with it, for each engine to word in its own terms.
            Err(mut e) if e.kind == ErrorKind::InvalidInput && !forced => {
                e.hint = Some(Hint { property: FORCE_DELETE.into(), value: "true".into() });
                return Err(ProviderError::Api(e));
            }
            Err(e) => return Err(ProviderError::Api(e)),
        };
        if let Some(first) = operations.first()
            && let Err(e) = wait::until_done(host, Some(&region), first)
        {
            // The operation says it did not finish well; what counts is whether the bucket is gone.
            match host.get_bucket(Some(&region), &name) {
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
        let region = region_or_default(host, region)?;
        find(host, &name, &region, false, &TagMap::new())?
            .ok_or_else(|| ProviderError::NotFound(format!("no bucket {name} in {region}")))
    }

    /// The buckets of a region (`region`, or the host's default), as `import` answers them.
    fn list(host: &impl Host, query: &str, paging: Paging) -> Result<ListPage, ProviderError> {
        let query = list::query(query, &[(REGION, validate::region)])?;
        let region = region_or_default(host, query.get(REGION).and_then(Value::as_str).map(ToString::to_string))?;
        let suffix = if host.default_region() == region { String::new() } else { format!("@{region}") };
        list::page(paging, &mut |token| {
            let page = wait::reading(host, &format!("listing the buckets of {region}"), &mut || {
                host.get_buckets(Some(&region), token)
            })
            .map_err(ProviderError::Api)?;
            let items = page.buckets.iter().map(|bucket| {
                let mut item = read_result(host, bucket, &region, false, &TagMap::new());
                item.id.push_str(&suffix);
                item
            });
            Ok((items.collect(), page.next_page_token))
        })
    }

    fn rotate(_: &impl Host, _: &str, _: Option<&str>, _: bool) -> Result<Rotated, ProviderError> {
        Err(ProviderError::Unsupported(format!("{TOKEN} has no limit to make room in: create it instead")))
    }
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

/// The bucket as it is, or `None` when it is gone. `known` are the tags the resource set itself.
fn find(
    host: &impl Host,
    name: &str,
    region: &str,
    force_delete: bool,
    known: &TagMap,
) -> Result<Option<ReadResult>, ProviderError> {
    let bucket = match host.get_bucket(Some(region), name) {
        Ok(bucket) => bucket,
        Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ProviderError::Api(e)),
    };
    Ok(Some(read_result(host, &bucket, region, force_delete, known)))
}

/// A bucket as `read` answers it, under the id `name`.
fn read_result(
    host: &impl Host,
    bucket: &crate::host::Bucket,
    region: &str,
    force_delete: bool,
    known: &TagMap,
) -> ReadResult {
    let carried = tags::from_wire(bucket.tags.clone());
    let own = tags::own(&carried, known, &tags::defaults(host));
    let inputs = Inputs {
        name: bucket.name.clone(),
        bundle_id: bucket.bundle_id.clone().unwrap_or_default(),
        force_delete,
        region: Some(region.to_string()),
        tags: Value::Object(own.clone()),
    };
    ReadResult {
        id: bucket.name.clone(),
        inputs: inputs.to_json(),
        outputs: outputs::of_bucket(bucket, region, force_delete, own, carried),
    }
}

fn force_delete(state: &Value) -> bool {
    json::get_bool(state, FORCE_DELETE).unwrap_or(false)
}
