//! Property bags as JSON values: serde_json's value type (objects keyed in order, as its map is a
//! B-tree without `preserve_order`), with the few accessors the resources read them with.

use alloc::string::String;
pub use serde_json::{Map, Value};

/// A JSON object.
pub type Object = Map<String, Value>;

/// The JSON value `text` holds, or why it is not JSON and where it broke ("expected `,` or `}` at
/// line 1 column 17"). serde_json refuses nesting 128 deep or more, so no value here is deeper.
pub fn parse(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| alloc::format!("{e}"))
}

/// `value` as JSON text, object keys in order.
pub fn to_string(value: &Value) -> String {
    // Only a map with non-string keys fails to print, and a `Value`'s keys are strings.
    serde_json::to_string(value).unwrap_or_default()
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

/// An object value of `key => value` members, each value made a JSON value by [`IntoValue`]
/// (`None` is null).
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
    /// The value as JSON.
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

impl IntoValue for u64 {
    fn into_value(self) -> Value {
        Value::Number(self.into())
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
    use alloc::format;

    #[test]
    fn parses_prints_and_compares() {
        let value = parse(r#"{"b": [1, -2, 2.5, true, null], "a": {"k": "v\n\"q\""}}"#).unwrap();
        assert_eq!(to_string(&value), r#"{"a":{"k":"v\n\"q\""},"b":[1,-2,2.5,true,null]}"#);
        assert_eq!(value, parse(&to_string(&value)).unwrap());
        assert_ne!(value, parse(r#"{"a": {"k": "v"}, "b": []}"#).unwrap());
        assert_eq!(get_str(get(&value, "a").unwrap(), "k"), Some("v\n\"q\""));
        // Where it broke, in the words of serde_json.
        assert_eq!(parse("{").unwrap_err(), "EOF while parsing an object at line 1 column 1");
        assert_eq!(parse("[1,]").unwrap_err(), "trailing comma at line 1 column 4");
        let nested = |depth| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse(&nested(127)).is_ok());
        assert_eq!(parse(&nested(128)).unwrap_err(), "recursion limit exceeded at line 1 column 128");
        let built = object! { "s" => "x", "n" => None::<&str>, "t" => true, "o" => Object::new() };
        assert_eq!(to_string(&built), r#"{"n":null,"o":{},"s":"x","t":true}"#);
    }
}
