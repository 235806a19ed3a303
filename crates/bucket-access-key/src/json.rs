//! Property bags as JSON values: miniserde's value type, whose parser and printer are the same
//! code for every shape (no generic deserializer per type, as serde_json's is), with the few
//! accessors the resources read them with.

use alloc::string::String;
pub use miniserde::json::{Number, Object, Value};

/// The JSON value `text` holds; `None` when it is not JSON.
pub fn parse(text: &str) -> Option<Value> {
    miniserde::json::from_str(text).ok()
}

/// `value` as JSON text, object keys in order.
pub fn to_string(value: &Value) -> String {
    miniserde::json::to_string(value)
}

/// The member `key` of an object; `None` for any other value.
pub fn get<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    match value {
        Value::Object(object) => object.get(key),
        _ => None,
    }
}

/// The member `key` of an object when it is a string.
pub fn get_str<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    match get(value, key) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    }
}

/// The member `key` of an object when it is a boolean.
pub fn get_bool(value: &Value, key: &str) -> Option<bool> {
    match get(value, key) {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

/// Whether a member is absent or null: both mean "not given".
pub fn is_missing(value: Option<&Value>) -> bool {
    matches!(value, None | Some(Value::Null))
}

/// Whether two values are equal: the same type and the same contents (numbers by value and
/// kind, objects member by member).
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::String(a), Value::String(b)) => a == b,
        (Value::Number(a), Value::Number(b)) => match (a, b) {
            (Number::U64(a), Number::U64(b)) => a == b,
            (Number::I64(a), Number::I64(b)) => a == b,
            (Number::F64(a), Number::F64(b)) => a == b,
            _ => false,
        },
        (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(a, b)| equal(a, b)),
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|((ka, va), (kb, vb))| ka == kb && equal(va, vb))
        }
        _ => false,
    }
}

/// An object of `key => value` members, each value converted with `Value::from`-like rules of
/// [`IntoValue`].
macro_rules! object {
    ($($key:expr => $value:expr),* $(,)?) => {{
        let mut object = $crate::json::Object::new();
        $(object.insert(alloc::string::String::from($key), $crate::json::IntoValue::into_value($value));)*
        $crate::json::Value::Object(object)
    }};
}
pub(crate) use object;

/// What a property bag's member can be made from.
pub trait IntoValue {
    fn into_value(self) -> Value;
}

impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}

impl IntoValue for Object {
    fn into_value(self) -> Value {
        Value::Object(self)
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}

impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::String(self)
    }
}

impl IntoValue for &str {
    fn into_value(self) -> Value {
        Value::String(self.into())
    }
}

impl IntoValue for &String {
    fn into_value(self) -> Value {
        Value::String(self.clone())
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self) -> Value {
        self.map_or(Value::Null, IntoValue::into_value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prints_and_compares() {
        let value = parse(r#"{"b": [1, -2, 2.5, true, null], "a": {"k": "v\n\"q\""}}"#).unwrap();
        assert_eq!(to_string(&value), r#"{"a":{"k":"v\n\"q\""},"b":[1,-2,2.5,true,null]}"#);
        assert!(equal(&value, &parse(&to_string(&value)).unwrap()));
        assert!(!equal(&value, &parse(r#"{"a": {"k": "v"}, "b": []}"#).unwrap()));
        assert_eq!(get_str(get(&value, "a").unwrap(), "k"), Some("v\n\"q\""));
        assert!(parse("{").is_none() && parse("[1,]").is_none());
        let built = object! { "s" => "x", "n" => None::<&str>, "t" => true, "o" => Object::new() };
        assert_eq!(to_string(&built), r#"{"n":null,"o":{},"s":"x","t":true}"#);
    }
}
