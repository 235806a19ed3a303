//! The package schema an engine is given: the component's (its resources and types), with the
//! provider's settings added from what this host understands ([`crate::aws::settings::SETTINGS`]),
//! both as stack configuration (`config.variables`) and as an explicit provider's inputs
//! (`provider`). The settings are the host's: a component knows nothing of credentials.

use crate::aws::settings::{Kind, SETTINGS};
use serde_json::{Map, Value, json};

/// `document` (the component's schema) with the settings added.
pub fn with_settings(document: &str) -> Result<String, serde_json::Error> {
    let mut schema: Value = serde_json::from_str(document)?;
    let name = schema["name"].as_str().unwrap_or("provider").to_string();
    let endpoint = format!("{name}:index/ProviderEndpoint:ProviderEndpoint");
    let default_tags = format!("{name}:index/ProviderDefaultTags:ProviderDefaultTags");
    let mut properties = Map::new();
    for setting in SETTINGS {
        let mut property = match setting.kind {
            Kind::Endpoints => json!({ "type": "array", "items": { "$ref": format!("#/types/{endpoint}") } }),
            Kind::DefaultTags => json!({ "$ref": format!("#/types/{default_tags}") }),
            kind => json!({ "type": kind.schema_type() }),
        };
        property["description"] = json!(format!("{}.", setting.description));
        if setting.secret {
            property["secret"] = json!(true);
        }
        properties.insert(setting.name.to_string(), property);
    }
    schema["config"] = json!({ "variables": properties });
    schema["provider"] = json!({
        "description": "Where and how the provider reaches Lightsail.",
        "inputProperties": properties,
    });
    schema["types"][&endpoint] = json!({
        "description": "An endpoint to use instead of AWS's.",
        "type": "object",
        "properties": { "lightsail": { "type": "string", "description": "The Lightsail endpoint's URL." } },
    });
    schema["types"][&default_tags] = json!({
        "description": "Tags every resource that takes tags carries besides its own.",
        "type": "object",
        "properties": {
            "tags": {
                "type": "object",
                "additionalProperties": { "type": "string" },
                "description": "The tags, key and value; a resource's own tag of the same key wins."
            }
        },
    });
    serde_json::to_string(&schema)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_setting_is_in_the_config_and_the_provider() {
        let component = r#"{"name": "aws", "resources": {"aws:lightsail/bucket:Bucket": {}}, "types": {}}"#;
        let document = super::with_settings(component).unwrap();
        let schema: serde_json::Value = serde_json::from_str(&document).unwrap();
        let names = |object: &serde_json::Value| object.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        let mut table: Vec<String> = crate::aws::settings::SETTINGS.iter().map(|s| s.name.to_string()).collect();
        table.sort();
        assert_eq!(names(&schema["config"]["variables"]), table, "the config holds exactly the table's settings");
        assert_eq!(names(&schema["provider"]["inputProperties"]), table, "and so does the provider");
        for setting in crate::aws::settings::SETTINGS {
            let secret = schema["provider"]["inputProperties"][setting.name]["secret"].as_bool().unwrap_or(false);
            assert_eq!(secret, setting.secret, "{setting:?}");
        }
        let items = schema["provider"]["inputProperties"]["endpoints"]["items"]["$ref"].as_str().unwrap();
        assert!(schema["types"].get(items.trim_start_matches("#/types/")).is_some(), "{items}");
        assert!(schema["resources"].as_object().is_some_and(|r| !r.is_empty()), "the resources are kept");
    }
}
