//! The Pulumi package schema of this provider, kept as the JSON document it is (`schema.json`). An
//! engine, or an adapter to one such as the Terraform plugin, learns every property from here: type,
//! required or not, computed, secret, and whether a change replaces the resource
//! (`willReplaceOnChanges`). A document rather than code also keeps the component small.

use alloc::string::String;

/// `schema.json` with this crate's version in it, minified by the build script.
const DOCUMENT: &str = include_str!(concat!(env!("OUT_DIR"), "/schema.json"));

/// The component's Pulumi package schema, as `schema` answers it.
pub fn document() -> String {
    DOCUMENT.into()
}

#[cfg(test)]
mod tests {
    use crate::access_key::{self, outputs};
    use crate::bucket;
    use alloc::{format, string::String, vec, vec::Vec};
    use serde_json::Value;

    #[test]
    fn the_document_describes_both_resources() {
        let schema: Value = serde_json::from_str(&super::document()).unwrap();
        assert_eq!(schema["version"], env!("CARGO_PKG_VERSION"));
        let key = &schema["resources"][access_key::TOKEN];
        assert_eq!(key["properties"][outputs::SECRET_ACCESS_KEY]["secret"], true);
        assert_eq!(key["requiredInputs"], serde_json::json!(["bucketName"]));
        let bucket = &schema["resources"][bucket::TOKEN];
        assert_eq!(bucket["requiredInputs"], serde_json::json!(["name", "bundleId"]));
        assert!(bucket["inputProperties"]["bundleId"].get("willReplaceOnChanges").is_none());
        // Every $ref points at a type the document defines.
        let last_used = key["properties"]["lastUsed"]["$ref"].as_str().unwrap();
        assert!(schema["types"].get(last_used.trim_start_matches("#/types/")).is_some());
        // The WIT's rule: each resource's list query is the type named by its token and `ListQuery`.
        for (token, properties) in [(access_key::TOKEN, vec!["bucketName", "region"]), (bucket::TOKEN, vec!["region"])]
        {
            let query = &schema["types"][format!("{token}ListQuery")]["properties"];
            let names: Vec<&str> = query.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(names, properties, "{token}");
        }
    }
}
