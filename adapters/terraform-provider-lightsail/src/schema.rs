//! Terraform schemas derived from the component's own Pulumi package schema, so that a component
//! with other resources needs no change here: names become snake_case, required inputs
//! `required`, other inputs `optional` + `computed` (the provider may fill them, as it does the
//! region), outputs `computed`, secret outputs `sensitive`. Which changes force replacement is the
//! component's answer to `diff`, given per plan. A resource the component marks
//! `language.terraform.ephemeral` is offered as an ephemeral resource too, with the same block.

use crate::cty::Type;
use crate::tfplugin6 as proto;
use anyhow::{Context, anyhow};
use serde_json::Value;
use std::collections::BTreeMap;

/// The schema version of every resource's state: hashicorp/aws's (0), so that state moves between
/// the two providers with `terraform state replace-provider`. Each side passes the other's state
/// through unchanged, so every attribute hashicorp/aws records for a resource must exist here with
/// the same type (a component property of that name), and hashicorp/aws drops the ones it lacks.
pub const STATE_VERSION: i64 = 0;

/// An attribute of a block: its type, and who sets it.
#[derive(Debug, Clone)]
pub struct Attribute {
    pub ty: Type,
    pub description: String,
    /// The configuration must set it.
    pub required: bool,
    /// The configuration may set it.
    pub optional: bool,
    /// The provider sets it (or fills it when the configuration does not).
    pub computed: bool,
    pub sensitive: bool,
}

impl Attribute {
    pub fn optional(ty: Type, description: &str, sensitive: bool) -> Self {
        Self { ty, description: description.into(), required: false, optional: true, computed: false, sensitive }
    }
}

/// How a nested block repeats.
#[derive(Debug, Clone, Copy)]
pub enum Nesting {
    List,
    Set,
}

/// A configuration block: a provider's, a resource's.
#[derive(Debug, Clone, Default)]
pub struct Block {
    pub attributes: BTreeMap<String, Attribute>,
    pub blocks: BTreeMap<String, (Nesting, Block)>,
    pub description: String,
}

impl Block {
    /// The object type of the block's values (a nested block's as a list of its objects).
    pub fn value_type(&self) -> Type {
        let mut fields: BTreeMap<String, Type> =
            self.attributes.iter().map(|(name, attribute)| (name.clone(), attribute.ty.clone())).collect();
        for (name, (nesting, block)) in &self.blocks {
            let element = Box::new(block.value_type());
            fields.insert(
                name.clone(),
                if matches!(nesting, Nesting::Set) { Type::Set(element) } else { Type::List(element) },
            );
        }
        Type::Object(fields)
    }

    /// The block as the protocol declares it, at schema `version`.
    pub fn to_proto(&self, version: i64) -> proto::Schema {
        proto::Schema { version, block: Some(self.proto_block(version)) }
    }

    fn proto_block(&self, version: i64) -> proto::schema::Block {
        use proto::schema::nested_block::NestingMode;
        proto::schema::Block {
            version,
            attributes: self
                .attributes
                .iter()
                .map(|(name, a)| proto::schema::Attribute {
                    name: name.clone(),
                    r#type: a.ty.to_json().to_string().into_bytes(),
                    description: a.description.clone(),
                    required: a.required,
                    optional: a.optional,
                    computed: a.computed,
                    sensitive: a.sensitive,
                    ..Default::default()
                })
                .collect(),
            block_types: self
                .blocks
                .iter()
                .map(|(name, (nesting, block))| proto::schema::NestedBlock {
                    type_name: name.clone(),
                    block: Some(block.proto_block(version)),
                    nesting: match nesting {
                        Nesting::List => NestingMode::List,
                        Nesting::Set => NestingMode::Set,
                    } as i32,
                    ..Default::default()
                })
                .collect(),
            description: self.description.clone(),
            ..Default::default()
        }
    }
}

/// One resource type, as Terraform sees it.
pub struct ResourceSpec {
    /// The component's type token (`aws:lightsail/bucketAccessKey:BucketAccessKey`).
    pub token: String,
    /// The type name as Terraform shows it (`aws_lightsail_bucket_access_key`).
    pub type_name: String,
    /// The component's property names that Terraform spells otherwise (`forceDelete` →
    /// `force_delete`), to put messages in Terraform's terms.
    pub renamed: Vec<(String, String)>,
    pub block: Block,
    /// Terraform names of the inputs (what `check` and `create` take).
    pub inputs: Vec<String>,
    /// Whether the component offers the type as an ephemeral resource too (Terraform 1.10 and
    /// later): opened for a run, closed at its end, stored nowhere. Its schema is the same block.
    pub ephemeral: bool,
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

fn attribute_type(property: &Value, types: &Value) -> anyhow::Result<Type> {
    if let Some(reference) = property.get("$ref").and_then(Value::as_str) {
        let name = reference.strip_prefix("#/types/").ok_or_else(|| anyhow!("unsupported $ref {reference}"))?;
        let object = types.get(name).ok_or_else(|| anyhow!("the schema has no type {name}"))?;
        let mut fields = BTreeMap::new();
        for (field, spec) in object.get("properties").and_then(Value::as_object).into_iter().flatten() {
            fields.insert(snake(field), attribute_type(spec, types)?);
        }
        return Ok(Type::Object(fields));
    }
    Ok(match property.get("type").and_then(Value::as_str) {
        Some("string") => Type::String,
        Some("boolean") => Type::Bool,
        Some("integer" | "number") => Type::Number,
        Some("array") => Type::List(Box::new(attribute_type(&property["items"], types)?)),
        Some("object") => Type::Map(Box::new(match property.get("additionalProperties") {
            Some(items) => attribute_type(items, types)?,
            None => Type::String,
        })),
        other => return Err(anyhow!("unsupported property type {other:?}")),
    })
}

/// The resources of a Pulumi package schema.
pub fn from_pulumi(document: &str) -> anyhow::Result<Vec<ResourceSpec>> {
    let schema: Value = serde_json::from_str(document).context("the component's schema is not JSON")?;
    let types = schema.get("types").cloned().unwrap_or(Value::Null);
    let mut specs = Vec::new();
    for (token, resource) in schema["resources"].as_object().into_iter().flatten() {
        let (package, name) = terraform_name(token)?;
        let required: Vec<&str> =
            resource["requiredInputs"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let inputs = resource["inputProperties"].as_object().cloned().unwrap_or_default();
        let mut attributes = BTreeMap::new();
        for (property, spec) in resource["properties"].as_object().into_iter().flatten().chain(inputs.iter()) {
            let required = required.contains(&property.as_str());
            let input = inputs.contains_key(property);
            let attribute = Attribute {
                ty: attribute_type(spec, &types).with_context(|| format!("{token}: {property}"))?,
                description: spec["description"].as_str().unwrap_or("").into(),
                required,
                optional: input && !required,
                computed: !required,
                sensitive: spec["secret"].as_bool().unwrap_or(false),
            };
            attributes.insert(snake(property), attribute);
        }
        attributes.insert(
            "id".into(),
            Attribute {
                ty: Type::String,
                description: "The resource's id.".into(),
                required: false,
                optional: false,
                computed: true,
                sensitive: false,
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
            block: Block { attributes, blocks: BTreeMap::new(), description },
            inputs: inputs.keys().map(|k| snake(k)).collect(),
            ephemeral: resource.pointer("/language/terraform/ephemeral").and_then(Value::as_bool).unwrap_or(false),
        });
    }
    if specs.is_empty() {
        return Err(anyhow!("the component's schema has no resources"));
    }
    Ok(specs)
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
