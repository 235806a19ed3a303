//! The SDK's shapes turned into the contract's (the WIT records of the `lightsail` import).

use crate::bindings::api;
use aws_sdk_lightsail::types;

pub(super) fn bucket(b: types::Bucket) -> Result<api::Bucket, api::ApiError> {
    let location = b.location;
    Ok(api::Bucket {
        name: b.name.ok_or_else(|| malformed("a bucket came without its name"))?,
        arn: b.arn,
        bundle_id: b.bundle_id,
        created_at: timestamp(b.created_at),
        url: b.url,
        availability_zone: location.as_ref().and_then(|l| l.availability_zone.clone()),
        region: location.as_ref().and_then(|l| l.region_name.as_ref()).map(|r| r.as_str().to_string()),
        support_code: b.support_code,
        tags: b
            .tags
            .unwrap_or_default()
            .into_iter()
            .filter_map(|t| Some((t.key?, t.value.unwrap_or_default())))
            .collect(),
    })
}

pub(super) fn malformed(message: &str) -> api::ApiError {
    api::ApiError {
        kind: api::ErrorKind::Other,
        code: "MalformedResponse".into(),
        message: message.into(),
        retryable: false,
    }
}

fn timestamp(t: Option<aws_smithy_types::DateTime>) -> Option<f64> {
    t.map(|t| t.as_secs_f64())
}

pub(super) fn access_key(k: types::AccessKey) -> Result<api::AccessKey, api::ApiError> {
    Ok(api::AccessKey {
        access_key_id: k.access_key_id.ok_or_else(|| malformed("an access key came without its id"))?,
        secret_access_key: k.secret_access_key,
        status: k.status.map(|s| s.as_str().to_string()),
        created_at: timestamp(k.created_at),
        last_used: k.last_used.map(|u| api::AccessKeyLastUsed {
            last_used_date: timestamp(u.last_used_date),
            region: u.region,
            service_name: u.service_name,
        }),
    })
}

/// The operation records of a mutating call (none when the answer has no list).
pub(super) fn operations(records: Option<Vec<types::Operation>>) -> Result<Vec<api::Operation>, api::ApiError> {
    records.unwrap_or_default().into_iter().map(operation).collect()
}

pub(super) fn operation(o: types::Operation) -> Result<api::Operation, api::ApiError> {
    let status = match o.status {
        Some(types::OperationStatus::NotStarted) => api::OperationStatus::NotStarted,
        Some(types::OperationStatus::Started) => api::OperationStatus::Started,
        Some(types::OperationStatus::Failed) => api::OperationStatus::Failed,
        Some(types::OperationStatus::Completed) => api::OperationStatus::Completed,
        Some(types::OperationStatus::Succeeded) => api::OperationStatus::Succeeded,
        other => return Err(malformed(&format!("an operation came with an unknown status {other:?}"))),
    };
    Ok(api::Operation {
        id: o.id.ok_or_else(|| malformed("an operation came without its id"))?,
        resource_name: o.resource_name,
        operation_type: o.operation_type.map(|t| t.as_str().to_string()),
        status,
        is_terminal: o.is_terminal.unwrap_or(false),
        created_at: timestamp(o.created_at),
        error_code: o.error_code,
        error_details: o.error_details,
    })
}
