//! The awsJson1_1 side of each operation: its name in `X-Amz-Target`, its request decoded from the
//! body, and its answer written as the JSON object the AWS model names (`{"accessKey": ...,
//! "operations": [...]}`). The rules are the store's; this module only reads and writes.

use crate::error::ApiError;
use crate::store::{OperationPlan, Store};
use serde_json::{Value, json};

/// What every target starts with: `Lightsail_20161128.CreateBucketAccessKey`.
pub const TARGET_PREFIX: &str = "Lightsail_20161128.";

macro_rules! operations {
    ($($variant:ident => $mutating:expr),* $(,)?) => {
        /// The operations this endpoint serves.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Operation { $(#[allow(missing_docs)] $variant),* }

        impl Operation {
            /// Every one of them.
            pub const ALL: &'static [Operation] = &[$(Operation::$variant),*];

            /// The operation of this name (`CreateBucketAccessKey`).
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $(stringify!($variant) => Some(Operation::$variant),)* _ => None }
            }

            /// Its name, as in `X-Amz-Target`.
            pub fn name(self) -> &'static str {
                match self { $(Operation::$variant => stringify!($variant)),* }
            }

            /// Whether the call changes state (and so can lose its answer after being applied).
            pub fn is_mutating(self) -> bool {
                match self { $(Operation::$variant => $mutating),* }
            }
        }
    };
}

operations! {
    CreateBucket => true,
    GetBuckets => false,
    DeleteBucket => true,
    UpdateBucketBundle => true,
    CreateBucketAccessKey => true,
    GetBucketAccessKeys => false,
    DeleteBucketAccessKey => true,
    GetOperation => false,
    TagResource => true,
    UntagResource => true,
    UpdateBucket => true,
    SetResourceAccessForBucket => true,
    GetOperations => false,
    GetOperationsForResource => false,
    GetBucketBundles => false,
    GetRegions => false,
}

fn parse<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    // Clients send `{}` for empty input; an empty body is taken the same way.
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| ApiError::serialization(e.to_string()))
}

/// Serves one call on `store` and writes its answer.
pub(crate) fn answer(
    store: &mut Store,
    operation: Operation,
    region: &str,
    now: f64,
    body: &[u8],
    plan: OperationPlan,
) -> Result<Value, ApiError> {
    Ok(match operation {
        Operation::CreateBucket => {
            let (bucket, op) = store.create_bucket(region, now, parse(body)?, plan)?;
            json!({ "bucket": bucket, "operations": [op] })
        }
        Operation::GetBuckets => json!({ "buckets": store.get_buckets(region, now, parse(body)?)? }),
        Operation::DeleteBucket => json!({ "operations": [store.delete_bucket(region, now, parse(body)?, plan)?] }),
        Operation::UpdateBucketBundle => {
            json!({ "operations": [store.update_bucket_bundle(region, now, parse(body)?, plan)?] })
        }
        Operation::CreateBucketAccessKey => {
            let (key, op) = store.create_bucket_access_key(region, now, parse(body)?, plan)?;
            json!({ "accessKey": key, "operations": [op] })
        }
        Operation::GetBucketAccessKeys => json!({ "accessKeys": store.get_bucket_access_keys(region, parse(body)?)? }),
        Operation::DeleteBucketAccessKey => {
            json!({ "operations": [store.delete_bucket_access_key(region, now, parse(body)?, plan)?] })
        }
        Operation::GetOperation => json!({ "operation": store.get_operation(region, now, parse(body)?)? }),
        Operation::TagResource => json!({ "operations": [store.tag_resource(region, now, parse(body)?, plan)?] }),
        Operation::UntagResource => json!({ "operations": [store.untag_resource(region, now, parse(body)?, plan)?] }),
        Operation::UpdateBucket => {
            let (bucket, op) = store.update_bucket(region, now, parse(body)?, plan)?;
            json!({ "bucket": bucket, "operations": [op] })
        }
        Operation::SetResourceAccessForBucket => {
            json!({ "operations": [store.set_resource_access_for_bucket(region, parse(body)?)?] })
        }
        Operation::GetOperations => paged(store.get_operations(region, parse(body)?)?),
        Operation::GetOperationsForResource => paged(store.get_operations_for_resource(region, parse(body)?)?),
        Operation::GetBucketBundles => json!({ "bundles": store.get_bucket_bundles(parse(body)?) }),
        Operation::GetRegions => json!({ "regions": store.get_regions(parse(body)?) }),
    })
}

fn paged((operations, next): (Vec<crate::model::Operation>, Option<String>)) -> Value {
    let mut answer = json!({ "operations": operations });
    if let Some(next) = next {
        answer["nextPageToken"] = next.into();
    }
    answer
}

/// The answer to a target this endpoint does not serve: what it is and what the endpoint serves.
pub fn not_implemented(target: &str) -> ApiError {
    let implemented: Vec<&str> = Operation::ALL.iter().map(|op| op.name()).collect();
    ApiError::unknown_operation_named(format!(
        "{target} is not implemented by lightsail-local (it implements {})",
        implemented.join(", ")
    ))
}
