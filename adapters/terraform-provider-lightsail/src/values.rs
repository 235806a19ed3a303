//! Terraform values to the component's JSON property bags and back: snake_case and camelCase
//! names, and unknown values as Pulumi's unknown marker.

use crate::cty::{self, Type};
use crate::schema::{ResourceSpec, camel};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub use lightsail_provider_host::UNKNOWN;

/// A Terraform value of type `ty` as JSON: an object's attribute names in camelCase, a map's keys
/// (the user's own, such as tag keys) as they are.
pub fn to_json(value: &cty::Value, ty: &Type) -> Value {
    match (value, ty) {
        (cty::Value::String(s), _) => Value::String(s.clone()),
        (cty::Value::Number(n), _) => Value::Number(n.clone()),
        (cty::Value::Bool(b), _) => Value::Bool(*b),
        (cty::Value::List(items), Type::List(inner) | Type::Set(inner)) => {
            Value::Array(items.iter().map(|item| to_json(item, inner)).collect())
        }
        (cty::Value::List(items), _) => Value::Array(items.iter().map(|item| to_json(item, ty)).collect()),
        (cty::Value::Map(map), Type::Map(inner)) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v, inner))).collect())
        }
        (cty::Value::Map(map), Type::Object(fields)) => Value::Object(
            map.iter().map(|(k, v)| (camel(k), to_json(v, fields.get(k).unwrap_or(&Type::String)))).collect(),
        ),
        (cty::Value::Map(map), _) => Value::Object(map.iter().map(|(k, v)| (camel(k), to_json(v, ty))).collect()),
        (cty::Value::Null, _) => Value::Null,
        (cty::Value::Unknown, _) => Value::String(UNKNOWN.into()),
    }
}

fn attribute_type<'a>(spec: &'a ResourceSpec, name: &str) -> &'a Type {
    spec.block.attributes.get(name).map_or(&Type::String, |a| &a.ty)
}

/// Which JSON a value comes from: the component's (camelCase names, Pulumi's unknown marker), or a
/// state Terraform stored (the schema's names, nothing unknown).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Component,
    StoredState,
}

/// A JSON value shaped to a Terraform type (objects get every field, missing ones null).
pub fn from_json(value: &Value, ty: &Type, source: Source) -> cty::Value {
    match (value, ty) {
        (Value::Null, _) => cty::Value::Null,
        (Value::String(s), _) if s == UNKNOWN && source == Source::Component => cty::Value::Unknown,
        (Value::Object(map), Type::Object(fields)) => cty::Value::Map(
            fields
                .iter()
                .map(|(name, field)| {
                    let key = if source == Source::Component { camel(name) } else { name.clone() };
                    (name.clone(), from_json(map.get(&key).unwrap_or(&Value::Null), field, source))
                })
                .collect(),
        ),
        (Value::Object(map), Type::Map(inner)) => {
            cty::Value::Map(map.iter().map(|(k, v)| (k.clone(), from_json(v, inner, source))).collect())
        }
        (Value::Array(items), Type::List(inner) | Type::Set(inner)) => {
            cty::Value::List(items.iter().map(|v| from_json(v, inner, source)).collect())
        }
        (Value::String(s), _) => cty::Value::String(s.clone()),
        (Value::Bool(b), _) => cty::Value::Bool(*b),
        (Value::Number(n), Type::Number) => cty::Value::Number(n.clone()),
        (Value::Number(n), _) => cty::Value::String(n.to_string()),
        (other, _) => cty::Value::String(other.to_string()),
    }
}

pub fn attribute<'a>(object: &'a cty::Value, name: &str) -> &'a cty::Value {
    object.attribute(name)
}

pub fn string(value: &cty::Value) -> Option<&str> {
    value.as_str()
}

/// The inputs of a configuration, as the component's input bag (null inputs left out).
pub fn inputs(spec: &ResourceSpec, config: &cty::Value) -> String {
    let mut bag = Map::new();
    for name in &spec.inputs {
        let value = attribute(config, name);
        if !matches!(value, cty::Value::Null) {
            bag.insert(camel(name), to_json(value, attribute_type(spec, name)));
        }
    }
    Value::Object(bag).to_string()
}

/// A Terraform state, as the component's state bag (its last outputs).
pub fn state(spec: &ResourceSpec, state: &cty::Value) -> String {
    let mut bag = Map::new();
    for name in spec.block.attributes.keys().filter(|n| *n != "id") {
        let value = attribute(state, name);
        if !matches!(value, cty::Value::Null) {
            bag.insert(camel(name), to_json(value, attribute_type(spec, name)));
        }
    }
    Value::Object(bag).to_string()
}

/// A full Terraform object from the component's outputs: every attribute, then `overrides`,
/// and attributes the outputs lack set to `missing`.
pub fn object(spec: &ResourceSpec, outputs: &str, id: cty::Value, missing: cty::Value) -> cty::Value {
    let outputs: Value = serde_json::from_str(outputs).unwrap_or(Value::Null);
    let mut map = BTreeMap::new();
    for (name, attribute) in &spec.block.attributes {
        let value = match outputs.get(camel(name)) {
            Some(value) if !value.is_null() => from_json(value, &attribute.ty, Source::Component),
            Some(_) if missing == cty::Value::Unknown => cty::Value::Unknown,
            Some(_) => cty::Value::Null,
            None => missing.clone(),
        };
        map.insert(name.clone(), value);
    }
    map.insert("id".into(), id);
    cty::Value::Map(map)
}

/// Replaces the inputs of `object` with the values the configuration sets.
pub fn with_config(spec: &ResourceSpec, mut object: cty::Value, config: &cty::Value) -> cty::Value {
    if let cty::Value::Map(map) = &mut object {
        for name in &spec.inputs {
            let value = attribute(config, name);
            if !matches!(value, cty::Value::Null) {
                map.insert(name.clone(), value.clone());
            }
        }
    }
    object
}
