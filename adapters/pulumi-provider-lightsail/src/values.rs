//! Pulumi's property values (`google.protobuf.Struct`) to the component's JSON property bags and
//! back: secrets unwrapped on the way in and wrapped on the way out, and Pulumi's unknown
//! sentinels (one per type) turned into the one marker the component knows, and back.

use lightsail_provider_host::UNKNOWN;
use prost_types::{ListValue, Struct, value::Kind};
use serde_json::{Map, Number, Value};

/// The key and value that mark a secret: `{SIG: SECRET, "value": V}`.
const SIG: &str = "4dabf18193072939515e22adb298388d";
const SECRET: &str = "1b47061264138c4ac30d75fd1eb44270";

/// Pulumi's unknown sentinels, by the type of the value not known yet. The string one is the
/// component's marker.
pub const UNKNOWN_BOOL: &str = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7";
pub const UNKNOWN_NUMBER: &str = "3eeb2bf0-c639-47a8-9e75-3b44932eb421";
pub const UNKNOWN_ARRAY: &str = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";
pub const UNKNOWN_OBJECT: &str = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff";
const UNKNOWNS: [&str; 5] = [UNKNOWN, UNKNOWN_BOOL, UNKNOWN_NUMBER, UNKNOWN_ARRAY, UNKNOWN_OBJECT];

/// A property bag from the engine: the JSON object the component takes, and the names of the
/// top-level properties that arrived as secrets.
pub struct Incoming {
    pub json: Map<String, Value>,
    pub secrets: Vec<String>,
}

impl Incoming {
    /// Whether a value is not known yet (at any depth).
    pub fn has_unknowns(&self) -> bool {
        fn unknown(value: &Value) -> bool {
            match value {
                Value::String(s) => s == UNKNOWN,
                Value::Array(items) => items.iter().any(unknown),
                Value::Object(members) => members.values().any(unknown),
                _ => false,
            }
        }
        self.json.values().any(unknown)
    }

    pub fn text(&self) -> String {
        Value::Object(self.json.clone()).to_string()
    }
}

pub fn incoming(bag: Option<&Struct>) -> Incoming {
    let mut secrets = Vec::new();
    let mut json = Map::new();
    for (name, value) in bag.map(|s| &s.fields).into_iter().flatten() {
        let mut secret = false;
        json.insert(name.clone(), to_json(value, &mut secret));
        if secret {
            secrets.push(name.clone());
        }
    }
    Incoming { json, secrets }
}

/// One value as JSON; `secret` is set when it, or anything in it, was marked secret.
fn to_json(value: &prost_types::Value, secret: &mut bool) -> Value {
    match &value.kind {
        None | Some(Kind::NullValue(_)) => Value::Null,
        Some(Kind::BoolValue(b)) => Value::Bool(*b),
        Some(Kind::NumberValue(n)) => number(*n),
        Some(Kind::StringValue(s)) if UNKNOWNS.contains(&s.as_str()) => Value::String(UNKNOWN.into()),
        Some(Kind::StringValue(s)) => Value::String(s.clone()),
        Some(Kind::ListValue(list)) => Value::Array(list.values.iter().map(|v| to_json(v, secret)).collect()),
        Some(Kind::StructValue(object)) => {
            let is = |key: &str, want: &str| matches!(object.fields.get(key).and_then(|v| v.kind.as_ref()), Some(Kind::StringValue(s)) if s == want);
            if is(SIG, SECRET) {
                *secret = true;
                return object.fields.get("value").map(|v| to_json(v, secret)).unwrap_or(Value::Null);
            }
            Value::Object(object.fields.iter().map(|(k, v)| (k.clone(), to_json(v, secret))).collect())
        }
    }
}

/// Whole numbers as integers (`maxRetries: 3`, not `3.0`), others as they are.
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::Number(Number::from(n as i64))
    } else {
        Number::from_f64(n).map(Value::Number).unwrap_or(Value::Null)
    }
}

/// A property bag for the engine, with the named top-level properties wrapped as secrets.
pub fn outgoing(values: &Value, secrets: &[String]) -> Struct {
    let mut bag = Struct::default();
    if let Value::Object(map) = values {
        for (name, value) in map {
            let value = from_json(value);
            let value = if secrets.contains(name) && !is_null(&value) { wrap_secret(value) } else { value };
            bag.fields.insert(name.clone(), value);
        }
    }
    bag
}

fn is_null(value: &prost_types::Value) -> bool {
    matches!(value.kind, None | Some(Kind::NullValue(_)))
}

fn wrap_secret(value: prost_types::Value) -> prost_types::Value {
    let mut object = Struct::default();
    object.fields.insert(SIG.into(), string(SECRET));
    object.fields.insert("value".into(), value);
    prost_types::Value { kind: Some(Kind::StructValue(object)) }
}

pub fn string(text: &str) -> prost_types::Value {
    prost_types::Value { kind: Some(Kind::StringValue(text.into())) }
}

pub fn from_json(value: &Value) -> prost_types::Value {
    let kind = match value {
        Value::Null => Kind::NullValue(0),
        Value::Bool(b) => Kind::BoolValue(*b),
        Value::Number(n) => Kind::NumberValue(n.as_f64().unwrap_or_default()),
        Value::String(s) => Kind::StringValue(s.clone()),
        Value::Array(items) => Kind::ListValue(ListValue { values: items.iter().map(from_json).collect() }),
        Value::Object(map) => {
            Kind::StructValue(Struct { fields: map.iter().map(|(k, v)| (k.clone(), from_json(v))).collect() })
        }
    };
    prost_types::Value { kind: Some(kind) }
}

/// The unknown sentinel for a value of this schema type (`string`, `boolean`, `number`,
/// `integer`, `array`, `object`, or a `$ref` to an object type).
pub fn unknown_of(schema_type: &str) -> &'static str {
    match schema_type {
        "boolean" => UNKNOWN_BOOL,
        "number" | "integer" => UNKNOWN_NUMBER,
        "array" => UNKNOWN_ARRAY,
        "object" => UNKNOWN_OBJECT,
        _ => UNKNOWN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_unwrapped_and_named_then_wrapped_again() {
        let bag = outgoing(&json!({"bucketName": "b", "region": "eu-west-1"}), &["bucketName".into()]);
        let incoming = incoming(Some(&bag));
        assert_eq!(Value::Object(incoming.json.clone()), json!({"bucketName": "b", "region": "eu-west-1"}));
        assert_eq!(incoming.secrets, ["bucketName"]);
    }

    #[test]
    fn every_unknown_sentinel_becomes_the_component_marker() {
        for sentinel in UNKNOWNS {
            let bag = outgoing(&json!({ "x": sentinel }), &[]);
            assert_eq!(incoming(Some(&bag)).json["x"], UNKNOWN);
        }
        assert_eq!(number(3.0), json!(3));
    }
}
