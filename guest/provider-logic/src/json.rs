//! Property bags as JSON values: miniserde's value type, whose parser and printer are the same
//! code for every shape (no generic deserializer per type, as serde_json's is), with the few
//! accessors the resources read them with.

use alloc::string::String;
pub use miniserde::json::{Number, Object, Value};

/// The deepest nesting a bag may have, serde_json's default. miniserde parses any depth, but
/// cloning a value recurses, so a deeper bag is refused as not JSON before it is parsed.
const MAX_DEPTH: usize = 128;

/// The JSON value `text` holds; `None` when it is not JSON or nests deeper than [`MAX_DEPTH`].
pub fn parse(text: &str) -> Option<Value> {
    if nests_deeper_than(text, MAX_DEPTH) {
        return None;
    }
    miniserde::json::from_str(text).ok()
}

/// Whether the arrays and objects of `text` nest deeper than `max` (brackets in strings are text).
fn nests_deeper_than(text: &str, max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for byte in text.bytes() {
        match byte {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'[' | b'{' if !in_string => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
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
/// kind, objects member by member). It recurses only as deep as both values go together; the
/// resources compare a bag from state with one their own rules checked (tags: strings only), so
/// an arbitrarily deep state cannot take it deep.
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
        assert!(equal(&value, &parse(&to_string(&value)).unwrap()));
        assert!(!equal(&value, &parse(r#"{"a": {"k": "v"}, "b": []}"#).unwrap()));
        assert_eq!(get_str(get(&value, "a").unwrap(), "k"), Some("v\n\"q\""));
        assert!(parse("{").is_none() && parse("[1,]").is_none());
        let nested = |depth| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse(&nested(MAX_DEPTH)).is_some() && parse(&nested(MAX_DEPTH + 1)).is_none());
        // Brackets in strings, after an escaped backslash and after an escaped quote, are text.
        assert!(parse(&format!(r#"["{}\\", "\"{}"]"#, "[".repeat(200), "{".repeat(200))).is_some());
        let built = object! { "s" => "x", "n" => None::<&str>, "t" => true, "o" => Object::new() };
        assert_eq!(to_string(&built), r#"{"n":null,"o":{},"s":"x","t":true}"#);
    }
}
