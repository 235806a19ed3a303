//! Terraform's values (cty) as they cross the protocol: MessagePack for configuration, plans and
//! state, JSON for stored state (`docs/plugin-protocol/object-wire-format.md`), and the type
//! expressions schemas declare.

use serde_json::json;
use std::collections::BTreeMap;

/// A value of a type this provider's schemas use (no `dynamic`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// Known only at apply (refinements, if Terraform sent any, are dropped: always safe).
    Unknown,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    /// A list, a set or a tuple.
    List(Vec<Value>),
    /// A map or an object.
    Map(BTreeMap<String, Value>),
}

/// A type expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
}

impl Type {
    /// The type as a schema declares it: `"string"`, `["map","string"]`, `["object",{...}]`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::List(inner) => json!(["list", inner.to_json()]),
            Type::Set(inner) => json!(["set", inner.to_json()]),
            Type::Map(inner) => json!(["map", inner.to_json()]),
            Type::Object(fields) => {
                let fields: serde_json::Map<_, _> = fields.iter().map(|(k, t)| (k.clone(), t.to_json())).collect();
                json!(["object", fields])
            }
        }
    }
}

/// cty's extension codes for an unknown value: plain, and refined.
const UNKNOWN: i8 = 0;
const REFINED_UNKNOWN: i8 = 12;

/// How deep a value may nest, as rmpv counts (about two for each container). This provider's
/// schemas nest three containers at most; the limit keeps decoding, dropping and encoding (all
/// recursive) far from the end of a tokio worker's 2 MiB stack, whatever bytes arrive (rmpv's own
/// limit, 1,024, does not: found by the fuzz corpus).
const MAX_DEPTH: usize = 64;

/// A value Terraform could not have sent for these schemas.
#[derive(Debug, thiserror::Error)]
#[error("Terraform sent a value this provider cannot read: {0}")]
pub struct DecodeError(String);

impl Value {
    pub fn from_msgpack(bytes: &[u8]) -> Result<Value, DecodeError> {
        let value = rmpv::decode::read_value_with_max_depth(&mut &bytes[..], MAX_DEPTH)
            .map_err(|e| DecodeError(e.to_string()))?;
        from_rmpv(value)
    }

    pub fn to_msgpack(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = rmpv::encode::write_value(&mut out, &to_rmpv(self));
        out
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether any part of the value is unknown.
    pub fn has_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::List(items) => items.iter().any(Value::has_unknown),
            Value::Map(map) => map.values().any(Value::has_unknown),
            _ => false,
        }
    }

    /// An object's attribute (null if absent or not an object).
    pub fn attribute(&self, name: &str) -> &Value {
        match self {
            Value::Map(map) => map.get(name).unwrap_or(&Value::Null),
            _ => &Value::Null,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

fn from_rmpv(value: rmpv::Value) -> Result<Value, DecodeError> {
    use rmpv::Value as M;
    Ok(match value {
        M::Nil => Value::Null,
        M::Boolean(b) => Value::Bool(b),
        M::Integer(i) => Value::Number(match (i.as_i64(), i.as_u64()) {
            (Some(i), _) => i.into(),
            (None, Some(u)) => u.into(),
            (None, None) => return Err(DecodeError("an integer out of range".into())),
        }),
        M::F32(f) => float(f.into())?,
        M::F64(f) => float(f)?,
        M::String(s) => Value::String(s.into_str().ok_or_else(|| DecodeError("a string that is not UTF-8".into()))?),
        M::Array(items) => Value::List(items.into_iter().map(from_rmpv).collect::<Result<_, _>>()?),
        M::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| match k {
                    M::String(k) => Ok((k.into_str().unwrap_or_default(), from_rmpv(v)?)),
                    other => Err(DecodeError(format!("a map key that is not a string ({other})"))),
                })
                .collect::<Result<_, _>>()?,
        ),
        M::Ext(UNKNOWN | REFINED_UNKNOWN, _) => Value::Unknown,
        M::Ext(code, _) => return Err(DecodeError(format!("an extension value of code {code}"))),
        M::Binary(_) => return Err(DecodeError("a dynamically typed value".into())),
    })
}

fn float(f: f64) -> Result<Value, DecodeError> {
    serde_json::Number::from_f64(f).map(Value::Number).ok_or_else(|| DecodeError("a number that is not finite".into()))
}

fn to_rmpv(value: &Value) -> rmpv::Value {
    use rmpv::Value as M;
    match value {
        Value::Null => M::Nil,
        // cty writes an unrefined unknown as a one-byte extension of code 0, payload ignored.
        Value::Unknown => M::Ext(UNKNOWN, vec![0]),
        Value::Bool(b) => M::Boolean(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => M::from(i),
            (None, Some(u)) => M::from(u),
            _ => M::F64(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => M::from(s.as_str()),
        Value::List(items) => M::Array(items.iter().map(to_rmpv).collect()),
        Value::Map(map) => M::Map(map.iter().map(|(k, v)| (M::from(k.as_str()), to_rmpv(v))).collect()),
    }
}

/// The fuzz target's entry (`fuzz/fuzz_targets/terraform_msgpack.rs` includes this file): what
/// Terraform sends is read or refused, and what is read encodes back to the same value.
#[cfg(any(fuzzing, test))]
pub fn fuzz_msgpack(data: &[u8]) {
    if let Ok(value) = Value::from_msgpack(data) {
        let again = Value::from_msgpack(&value.to_msgpack()).expect("an encoded value decodes");
        assert_eq!(again, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_corpus_and_finding_replays() {
        fuzz_corpus::replay("terraform_msgpack", fuzz_msgpack);
    }

    /// Terraform's own encodings: a refined unknown (extension 12) reads as unknown, a float and
    /// a large integer keep their value, and what is written reads back the same.
    #[test]
    fn messagepack_round_trips_and_reads_refined_unknowns() {
        let refined = [0xc7, 0x03, 12, 0x81, 0x01, 0xc2]; // ext8, code 12, {1: false}
        assert_eq!(Value::from_msgpack(&refined).unwrap(), Value::Unknown);
        let value = Value::Map(BTreeMap::from([
            ("a".into(), Value::Number(serde_json::Number::from_f64(1.5).unwrap())),
            ("b".into(), Value::Number(u64::MAX.into())),
            ("c".into(), Value::List(vec![Value::Unknown, Value::Null, Value::Bool(true)])),
            ("d".into(), Value::String("é".into())),
        ]));
        assert_eq!(Value::from_msgpack(&value.to_msgpack()).unwrap(), value);
        assert_eq!(Value::Unknown.to_msgpack(), [0xd4, 0, 0]);
        assert!(Value::from_msgpack(&[0xc4, 0x01, 0x00]).is_err(), "binary (dynamic) is refused");
    }

    /// Found by replaying the fuzz corpus: 1,000 arrays nested in one another overflowed a test thread's stack.
    #[test]
    fn values_nested_past_the_limit_are_refused_not_recursed_into() {
        let mut deep = vec![0x91; 1_000]; // fixarray of one element, 1,000 times
        deep.push(0xc0);
        let error = Value::from_msgpack(&deep).unwrap_err().to_string();
        assert!(error.starts_with("Terraform sent a value this provider cannot read"), "{error}");
        let mut fine = vec![0x91; 12];
        fine.push(0xc0);
        assert!(Value::from_msgpack(&fine).is_ok(), "well past this provider's three levels");
    }

    #[test]
    fn types_are_written_as_schemas_declare_them() {
        let ty = Type::Object(BTreeMap::from([("tags".into(), Type::Map(Box::new(Type::String)))]));
        assert_eq!(ty.to_json().to_string(), r#"["object",{"tags":["map","string"]}]"#);
    }
}
