//! Terraform values to the component's JSON property bags and back: snake_case and camelCase
//! names, and unknown values as Pulumi's unknown marker.

use crate::cty::{Type as AttributeType, Value as ValueAny};
use crate::schema::{ResourceSpec, camel};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub use lightsail_provider_host::UNKNOWN;

/// A Terraform value of type `ty` as JSON: an object's attribute names in camelCase, a map's keys
/// (the user's own, such as tag keys) as they are.
pub fn to_json(value: &ValueAny, ty: &AttributeType) -> Value {
    match (value, ty) {
        (ValueAny::String(s), _) => Value::String(s.clone()),
        (ValueAny::Number(n), _) => Value::Number(n.clone()),
        (ValueAny::Bool(b), _) => Value::Bool(*b),
        (ValueAny::List(items), AttributeType::List(inner) | AttributeType::Set(inner)) => {
            Value::Array(items.iter().map(|item| to_json(item, inner)).collect())
        }
        (ValueAny::List(items), _) => Value::Array(items.iter().map(|item| to_json(item, ty)).collect()),
        (ValueAny::Map(map), AttributeType::Map(inner)) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v, inner))).collect())
        }
        (ValueAny::Map(map), AttributeType::Object(fields)) => Value::Object(
            map.iter().map(|(k, v)| (camel(k), to_json(v, fields.get(k).unwrap_or(&AttributeType::String)))).collect(),
        ),
        (ValueAny::Map(map), _) => Value::Object(map.iter().map(|(k, v)| (camel(k), to_json(v, ty))).collect()),
        (ValueAny::Null, _) => Value::Null,
        (ValueAny::Unknown, _) => Value::String(UNKNOWN.into()),
    }
}

fn attribute_type<'a>(spec: &'a ResourceSpec, name: &str) -> &'a AttributeType {
    spec.block.attributes.get(name).map_or(&AttributeType::String, |a| &a.ty)
}

/// A JSON value shaped to a Terraform type (objects get every field, missing ones null).
pub fn from_json(value: &Value, ty: &AttributeType) -> ValueAny {
    match (value, ty) {
        (Value::Null, _) => ValueAny::Null,
        (Value::String(s), _) if s == UNKNOWN => ValueAny::Unknown,
        (Value::Object(map), AttributeType::Object(fields)) => ValueAny::Map(
            fields
                .iter()
                .map(|(name, field)| (name.clone(), from_json(map.get(&camel(name)).unwrap_or(&Value::Null), field)))
                .collect(),
        ),
        (Value::Object(map), AttributeType::Map(inner)) => {
            ValueAny::Map(map.iter().map(|(k, v)| (k.clone(), from_json(v, inner))).collect())
        }
        (Value::Array(items), AttributeType::List(inner) | AttributeType::Set(inner)) => {
            ValueAny::List(items.iter().map(|v| from_json(v, inner)).collect())
        }
        (Value::String(s), _) => ValueAny::String(s.clone()),
        (Value::Bool(b), _) => ValueAny::Bool(*b),
        (Value::Number(n), AttributeType::Number) => ValueAny::Number(n.clone()),
        (Value::Number(n), _) => ValueAny::String(n.to_string()),
        (other, _) => ValueAny::String(other.to_string()),
    }
}

pub fn attribute<'a>(object: &'a ValueAny, name: &str) -> &'a ValueAny {
    object.attribute(name)
}

pub fn string(value: &ValueAny) -> Option<&str> {
    value.as_str()
}

/// The inputs of a configuration, as the component's input bag (null inputs left out).
pub fn inputs(spec: &ResourceSpec, config: &ValueAny) -> String {
    let mut bag = Map::new();
    for name in &spec.inputs {
        let value = attribute(config, name);
        if !matches!(value, ValueAny::Null) {
            bag.insert(camel(name), to_json(value, attribute_type(spec, name)));
        }
    }
    Value::Object(bag).to_string()
}

/// A Terraform state, as the component's state bag (its last outputs).
pub fn state(spec: &ResourceSpec, state: &ValueAny) -> String {
    let mut bag = Map::new();
    for name in spec.block.attributes.keys().filter(|n| *n != "id") {
        let value = attribute(state, name);
        if !matches!(value, ValueAny::Null) {
            bag.insert(camel(name), to_json(value, attribute_type(spec, name)));
        }
    }
    Value::Object(bag).to_string()
}

/// A full Terraform object from the component's outputs: every attribute, then `overrides`,
/// and attributes the outputs lack set to `missing`.
pub fn object(spec: &ResourceSpec, outputs: &str, id: ValueAny, missing: ValueAny) -> ValueAny {
    let outputs: Value = serde_json::from_str(outputs).unwrap_or(Value::Null);
    let mut map = BTreeMap::new();
    for (name, attribute) in &spec.block.attributes {
        let value = match outputs.get(camel(name)) {
            Some(value) if !value.is_null() => from_json(value, &attribute.ty),
            Some(_) if missing == ValueAny::Unknown => ValueAny::Unknown,
            Some(_) => ValueAny::Null,
            None => missing.clone(),
        };
        map.insert(name.clone(), value);
    }
    map.insert("id".into(), id);
    ValueAny::Map(map)
}

/// Replaces the inputs of `object` with the values the configuration sets.
pub fn with_config(spec: &ResourceSpec, mut object: ValueAny, config: &ValueAny) -> ValueAny {
    if let ValueAny::Map(map) = &mut object {
        for name in &spec.inputs {
            let value = attribute(config, name);
            if !matches!(value, ValueAny::Null) {
                map.insert(name.clone(), value.clone());
            }
        }
    }
    object
}
