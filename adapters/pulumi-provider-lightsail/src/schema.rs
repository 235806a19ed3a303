//! What the adapter reads from the component's Pulumi schema: the package's name and version, and
//! per resource type its outputs' types (to answer a preview's unknowns) and its inputs.

use serde_json::Value;
use std::collections::BTreeMap;

pub struct Package {
    pub name: String,
    pub version: String,
    /// The schema as the component serves it.
    pub document: String,
    pub resources: BTreeMap<String, ResourceType>,
}

pub struct ResourceType {
    /// Output property names and their schema types (`string`, `object`, ...).
    pub outputs: BTreeMap<String, String>,
    pub inputs: Vec<String>,
}

impl Package {
    pub fn parse(document: String) -> anyhow::Result<Self> {
        let schema: Value = serde_json::from_str(&document)?;
        let text = |v: &Value| v.as_str().map(str::to_string);
        let name = text(&schema["name"]).ok_or_else(|| anyhow::anyhow!("the component's schema has no name"))?;
        let version = text(&schema["version"]).unwrap_or_else(|| env!("CARGO_PKG_VERSION").into());
        let mut resources = BTreeMap::new();
        for (token, resource) in schema["resources"].as_object().into_iter().flatten() {
            let outputs = resource["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, property)| (name.clone(), type_of(&schema, property)))
                .collect();
            let inputs =
                resource["inputProperties"].as_object().into_iter().flatten().map(|(n, _)| n.clone()).collect();
            resources.insert(token.clone(), ResourceType { outputs, inputs });
        }
        Ok(Self { name, version, document, resources })
    }
}

/// A property's type; a `$ref` to one of the schema's types is that type's (`object`).
fn type_of(schema: &Value, property: &Value) -> String {
    if let Some(kind) = property["type"].as_str() {
        return kind.to_string();
    }
    let referenced = property["$ref"].as_str().and_then(|r| r.strip_prefix("#/types/"));
    referenced.and_then(|name| schema["types"][name]["type"].as_str()).unwrap_or("string").to_string()
}
