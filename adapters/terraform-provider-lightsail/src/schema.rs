//! Terraform schemas derived from the component's own Pulumi package schema, so that a component
//! with other resources needs no change here: names become snake_case, required inputs
//! `required`, other inputs `optional` + `computed` (the provider may fill them, as it does the
//! region), outputs `computed`, secret outputs `sensitive`. Which changes force replacement is the
//! component's answer to `diff`, given per plan.

use anyhow::{Context, anyhow};
use serde_json::Value;
use std::collections::HashMap;
use tf_provider::schema::{Attribute, AttributeConstraint, AttributeType, Block, Schema};

/// The schema version of every resource's state: hashicorp/aws's (0), so that state moves between
/// the two providers with `terraform state replace-provider`. Each side passes the other's state
/// through unchanged, so every attribute hashicorp/aws records for a resource must exist here with
/// the same type (a component property of that name), and hashicorp/aws drops the ones it lacks.
pub const STATE_VERSION: i64 = 0;

/// One resource type, as Terraform sees it.
pub struct ResourceSpec {
    /// The component's type token (`aws:lightsail/bucketAccessKey:BucketAccessKey`).
    pub token: String,
    /// The Terraform type name without the provider prefix (`lightsail_bucket_access_key`).
    pub name: String,
    /// The type name as Terraform shows it (`aws_lightsail_bucket_access_key`).
    pub type_name: String,
    /// The component's property names that Terraform spells otherwise (`forceDelete` →
    /// `force_delete`), to put messages in Terraform's terms.
    pub renamed: Vec<(String, String)>,
    pub schema: Schema,
    /// Terraform names of the inputs (what `check` and `create` take).
    pub inputs: Vec<String>,
}

/// `accessKeyId` → `access_key_id`.
pub fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `access_key_id` → `accessKeyId`.
pub fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `aws:lightsail/bucketAccessKey:BucketAccessKey` → (`aws`, `lightsail_bucket_access_key`).
fn terraform_name(token: &str) -> anyhow::Result<(String, String)> {
    let mut parts = token.split(':');
    let (Some(package), Some(module), Some(kind), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(anyhow!("resource token {token:?} is not package:module:Type"));
    };
    let module = module.split('/').next().unwrap_or(module);
    Ok((package.to_string(), format!("{}_{}", snake(module), snake(kind))))
}

fn attribute_type(property: &Value, types: &Value) -> anyhow::Result<AttributeType> {
    if let Some(reference) = property.get("$ref").and_then(Value::as_str) {
        let name = reference.strip_prefix("#/types/").ok_or_else(|| anyhow!("unsupported $ref {reference}"))?;
        let object = types.get(name).ok_or_else(|| anyhow!("the schema has no type {name}"))?;
        let mut fields = HashMap::new();
        for (field, spec) in object.get("properties").and_then(Value::as_object).into_iter().flatten() {
            fields.insert(snake(field), attribute_type(spec, types)?);
        }
        return Ok(AttributeType::Object(fields));
    }
    Ok(match property.get("type").and_then(Value::as_str) {
        Some("string") => AttributeType::String,
        Some("boolean") => AttributeType::Bool,
        Some("integer" | "number") => AttributeType::Number,
        Some("array") => AttributeType::List(Box::new(attribute_type(&property["items"], types)?)),
        Some("object") => AttributeType::Map(Box::new(match property.get("additionalProperties") {
            Some(items) => attribute_type(items, types)?,
            None => AttributeType::String,
        })),
        other => return Err(anyhow!("unsupported property type {other:?}")),
    })
}

/// The provider name and its resources, from a Pulumi package schema.
pub fn from_pulumi(document: &str) -> anyhow::Result<(String, Vec<ResourceSpec>)> {
    let schema: Value = serde_json::from_str(document).context("the component's schema is not JSON")?;
    let types = schema.get("types").cloned().unwrap_or(Value::Null);
    let mut provider_name = None;
    let mut specs = Vec::new();
    for (token, resource) in schema["resources"].as_object().into_iter().flatten() {
        let (package, name) = terraform_name(token)?;
        provider_name.get_or_insert(package.clone());
        let required: Vec<&str> =
            resource["requiredInputs"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let inputs = resource["inputProperties"].as_object().cloned().unwrap_or_default();
        let mut attributes = HashMap::new();
        for (property, spec) in resource["properties"].as_object().into_iter().flatten().chain(inputs.iter()) {
            let constraint = if required.contains(&property.as_str()) {
                AttributeConstraint::Required
            } else if inputs.contains_key(property) {
                AttributeConstraint::OptionalComputed
            } else {
                AttributeConstraint::Computed
            };
            let attribute = Attribute {
                attr_type: attribute_type(spec, &types).with_context(|| format!("{token}: {property}"))?,
                description: spec["description"].as_str().unwrap_or("").into(),
                constraint,
                sensitive: spec["secret"].as_bool().unwrap_or(false),
                deprecated: false,
            };
            attributes.insert(snake(property), attribute);
        }
        attributes.insert(
            "id".into(),
            Attribute {
                attr_type: AttributeType::String,
                description: "The resource's id.".into(),
                constraint: AttributeConstraint::Computed,
                ..Default::default()
            },
        );
        let description = resource["description"].as_str().unwrap_or("").to_string();
        let renamed = resource["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .chain(inputs.iter())
            .map(|(property, _)| (property.clone(), snake(property)))
            .filter(|(property, terraform)| property != terraform)
            .collect();
        specs.push(ResourceSpec {
            token: token.clone(),
            type_name: format!("{package}_{name}"),
            renamed,
            name,
            schema: Schema {
                version: STATE_VERSION,
                block: Block {
                    version: STATE_VERSION,
                    attributes,
                    description: description.into(),
                    ..Default::default()
                },
            },
            inputs: inputs.keys().map(|k| snake(k)).collect(),
        });
    }
    let provider_name = provider_name.ok_or_else(|| anyhow!("the component's schema has no resources"))?;
    Ok((provider_name, specs))
}

impl ResourceSpec {
    /// `text` with the component's property names as Terraform spells them, whole words only:
    /// "forceDelete is true" → "force_delete is true".
    pub fn in_terraform_terms(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            let renamed = self.renamed.iter().find(|(property, _)| property == word);
            out.push_str(renamed.map_or(word.as_str(), |(_, terraform)| terraform.as_str()));
            word.clear();
        };
        for c in text.chars() {
            if c.is_ascii_alphanumeric() || c == '_' {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("accessKeyId"), "access_key_id");
        assert_eq!(camel("access_key_id"), "accessKeyId");
        assert_eq!(camel(&snake("lastUsedDate")), "lastUsedDate");
        let (package, name) = terraform_name("aws:lightsail/bucketAccessKey:BucketAccessKey").unwrap();
        assert_eq!((package.as_str(), name.as_str()), ("aws", "lightsail_bucket_access_key"));
        assert!(terraform_name("nonsense").is_err());
    }
}
