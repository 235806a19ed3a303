//! The Pulumi package schema of this provider. An engine (or an adapter to one, such as a
//! Terraform plugin) learns every property from here: type, required or not, computed, secret,
//! and whether a change replaces the resource (`willReplaceOnChanges`).

use crate::provider::TOKEN;
use serde_json::json;

pub const LAST_USED_TYPE: &str = "aws:lightsail/BucketAccessKeyLastUsed:BucketAccessKeyLastUsed";

pub fn document() -> String {
    let bucket_name = json!({
        "type": "string",
        "description": "Name of the bucket the key grants access to: 3 to 54 lowercase letters, digits and hyphens.",
        "willReplaceOnChanges": true,
    });
    let region = json!({
        "type": "string",
        "description": "Region of the bucket. Defaults to the provider's region.",
        "willReplaceOnChanges": true,
    });
    json!({
        "name": "aws",
        "displayName": "AWS Lightsail bucket access keys (WebAssembly component)",
        "version": env!("CARGO_PKG_VERSION"),
        "description": "Access keys that grant programmatic access to an Amazon Lightsail bucket.",
        "meta": { "moduleFormat": "(.*)(?:/[^/]*)" },
        "config": {
            "variables": {
                "region": { "type": "string", "description": "The region calls go to when a resource names none." }
            }
        },
        "types": {
            LAST_USED_TYPE: {
                "type": "object",
                "description": "When and where the key was last used.",
                "properties": {
                    "lastUsedDate": { "type": "string", "description": "RFC 3339 time of last use; absent if never used." },
                    "region": { "type": "string", "description": "Region of last use; \"N/A\" if never used." },
                    "serviceName": { "type": "string", "description": "Service last used with; \"N/A\" if never used." }
                }
            }
        },
        "resources": {
            TOKEN: {
                "description": "An access key for a Lightsail bucket. Every input forces replacement. A bucket holds at most two keys.",
                "properties": {
                    "accessKeyId": { "type": "string", "description": "The access key id." },
                    "bucketName": bucket_name,
                    "createdAt": { "type": "string", "description": "RFC 3339 time the key was created." },
                    "region": region,
                    "secretAccessKey": {
                        "type": "string",
                        "secret": true,
                        "description": "The secret access key. AWS returns it only when the key is created, so it is absent for imported keys."
                    },
                    "status": { "type": "string", "description": "Active or Inactive." },
                    "lastUsed": { "$ref": format!("#/types/{LAST_USED_TYPE}"), "description": "When and where the key was last used (not exposed by Terraform or Pulumi AWS)." }
                },
                "required": ["accessKeyId", "bucketName", "createdAt", "region", "status", "lastUsed"],
                "inputProperties": { "bucketName": bucket_name, "region": region },
                "requiredInputs": ["bucketName"]
            }
        }
    })
    .to_string()
}
