//! The Pulumi package schema of this provider. An engine (or an adapter to one, such as a
//! Terraform plugin) learns every property from here: type, required or not, computed, secret,
//! and whether a change replaces the resource (`willReplaceOnChanges`).

use crate::{access_key, bucket};
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
            access_key::TOKEN: {
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
            },
            bucket::TOKEN: bucket_resource()
        }
    })
    .to_string()
}

fn bucket_resource() -> serde_json::Value {
    let name = json!({
        "type": "string",
        "description": "The bucket's name: 3 to 54 lowercase letters, digits and hyphens, unique across AWS.",
        "willReplaceOnChanges": true,
    });
    let bundle_id = json!({
        "type": "string",
        "description": "The bundle (storage plan), such as small_1_0 or medium_1_0. Changes in place.",
    });
    let force_delete = json!({
        "type": "boolean",
        "description": "Delete the bucket even when it still has access keys or objects.",
        "default": false,
    });
    let region = json!({
        "type": "string",
        "description": "Region of the bucket. Defaults to the provider's region.",
        "willReplaceOnChanges": true,
    });
    let text = |description: &str| json!({ "type": "string", "description": description });
    json!({
        "description": "A Lightsail object storage bucket. The id is its name.",
        "properties": {
            "arn": text("The bucket's ARN."),
            "availabilityZone": text("The availability zone (\"all\" for buckets)."),
            "bundleId": bundle_id,
            "createdAt": text("RFC 3339 time the bucket was created."),
            "forceDelete": force_delete,
            "name": name,
            "region": region,
            "supportCode": text("The code AWS support asks for."),
            "url": text("The bucket's URL.")
        },
        "required": ["arn", "availabilityZone", "bundleId", "createdAt", "forceDelete", "name", "region", "supportCode", "url"],
        "inputProperties": { "name": name, "bundleId": bundle_id, "forceDelete": force_delete, "region": region },
        "requiredInputs": ["name", "bundleId"]
    })
}
