//! The resource's outputs, as a property bag with its secret properties named.

use crate::host::AccessKey;
use crate::json::{self, Value, object};
use crate::timestamp::rfc3339;
use crate::types::Outputs;
use alloc::{
    string::{String, ToString},
    vec,
    vec::Vec,
};

/// The output holding the key's id.
pub const ACCESS_KEY_ID: &str = "accessKeyId";
/// The output holding its secret (a secret output).
pub const SECRET_ACCESS_KEY: &str = "secretAccessKey";

/// The properties an engine must treat as secret.
pub fn secret_names() -> Vec<String> {
    vec![SECRET_ACCESS_KEY.to_string()]
}

/// Outputs of a key. `secret` is the secret access key when known (only ever at creation, then
/// carried in state); `null` otherwise, which is what an imported key shows.
pub fn of_key(bucket_name: &str, region: &str, key: &AccessKey, secret: Option<&str>) -> Outputs {
    let last_used = key.last_used.as_ref().map(|used| {
        object! {
            "lastUsedDate" => used.last_used_date.and_then(rfc3339),
            "region" => used.region.as_deref(),
            "serviceName" => used.service_name.as_deref(),
        }
    });
    let values = object! {
        ACCESS_KEY_ID => &key.access_key_id,
        "bucketName" => bucket_name,
        "createdAt" => key.created_at.and_then(rfc3339),
        "region" => region,
        SECRET_ACCESS_KEY => secret,
        "status" => key.status.as_deref(),
        "lastUsed" => last_used,
    };
    Outputs { values: json::to_string(&values), secrets: secret_names() }
}

/// What a preview knows before the call: the inputs; the rest is computed by the API.
pub fn preview(bucket_name: &str, region: &str) -> Outputs {
    let values = object! { "bucketName" => bucket_name, "region" => region };
    Outputs { values: json::to_string(&values), secrets: secret_names() }
}

/// The secret from a prior state, if it belongs to the same key.
pub fn secret_from_state(state: &Value, access_key_id: &str) -> Option<String> {
    if json::get_str(state, ACCESS_KEY_ID) != Some(access_key_id) {
        return None;
    }
    json::get_str(state, SECRET_ACCESS_KEY).map(str::to_string)
}
