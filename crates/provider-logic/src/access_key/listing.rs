//! The access keys a `list` finds: one bucket's, or every bucket's in a region. Each comes as
//! `import` would answer its id, with no secret (Lightsail never returns one after the create).

use super::id;
use super::inputs::{BUCKET_NAME, Inputs, REGION};
use super::outputs::{self, Secret};
use crate::host::{AccessKey, ErrorKind, Host, Level};
use crate::json;
use crate::list::{self, Paging, SourcePage};
use crate::props::region_or_default;
use crate::types::{ListPage, ProviderError, ReadResult};
use crate::validate;
use crate::wait::reading as read_patiently;
use alloc::{
    format,
    string::{String, ToString},
    vec::Vec,
};

/// The keys the query names, a page at a time: `bucketName`, one bucket's; without it, those of
/// every bucket in the region (`region`, or the host's default).
pub fn list(host: &impl Host, query: &str, paging: Paging) -> Result<ListPage, ProviderError> {
    let query = list::query(query, &[(BUCKET_NAME, validate::bucket_name), (REGION, validate::region)])?;
    let named = |name| query.get(name).and_then(json::Value::as_str).map(ToString::to_string);
    let region = region_or_default(host, named(REGION))?;
    // Ids outside the default region carry it, so that `import` finds them as they are.
    let suffix = if host.default_region() == region { String::new() } else { format!("@{region}") };
    let item = |bucket: &str, key: &AccessKey| ReadResult {
        id: format!("{}{suffix}", id::format(bucket, &key.access_key_id)),
        inputs: Inputs { bucket_name: bucket.to_string(), region: Some(region.clone()), pgp_key: None }.to_json(),
        outputs: listed(outputs::of_key(bucket, &region, key, &Secret::default())),
    };
    match named(BUCKET_NAME) {
        Some(bucket) => list::page(paging, &mut |_| {
            let keys = read_patiently(host, &format!("listing the keys of bucket {bucket}"), &mut || {
                host.get_bucket_access_keys(Some(&region), &bucket)
            })
            .map_err(|e| match e.kind {
                ErrorKind::NotFound => ProviderError::NotFound(format!("no bucket {bucket} in {region}")),
                _ => ProviderError::Api(e),
            })?;
            Ok((keys.iter().map(|key| item(&bucket, key)).collect(), None))
        }),
        None => list::page(paging, &mut |token| -> Result<SourcePage, ProviderError> {
            let page = read_patiently(host, &format!("listing the buckets of {region}"), &mut || {
                host.get_buckets(Some(&region), token)
            })
            .map_err(ProviderError::Api)?;
            let mut items = Vec::new();
            for bucket in &page.buckets {
                let keys = read_patiently(host, &format!("listing the keys of bucket {}", bucket.name), &mut || {
                    host.get_bucket_access_keys(Some(&region), &bucket.name)
                });
                match keys {
                    Ok(keys) => items.extend(keys.iter().map(|key| item(&bucket.name, key))),
                    // Deleted since the buckets were listed: it has no keys to show.
                    Err(e) if e.kind == ErrorKind::NotFound => {
                        host.log(Level::Debug, &format!("bucket {} went while its keys were listed", bucket.name))
                    }
                    Err(e) => return Err(ProviderError::Api(e)),
                }
            }
            Ok((items, page.next_page_token))
        }),
    }
}

/// Listed outputs hold no secret, so none is named (the WIT's `list-page`).
fn listed(mut outputs: crate::types::Outputs) -> crate::types::Outputs {
    outputs.secrets.clear();
    outputs
}
