//! Property bags as JSON values: serde_json's value type (objects keyed in order, as its map is a
//! B-tree without `preserve_order`), with the few accessors the resources read them with; and
//! [`string_members`], which reads a few string members of an object without building it.

use alloc::borrow::Cow;
use alloc::string::String;
pub use serde_json::{Map, Value};

/// A JSON object.
pub type Object = Map<String, Value>;

/// The JSON value `text` holds, or why it is not JSON and where it broke ("expected `,` or `}` at
/// line 1 column 17"). serde_json refuses nesting 128 deep or more, so no value here is deeper.
pub fn parse(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| alloc::format!("{e}"))
}

/// Of the JSON object `text`, the members named in `names` that are strings, in that order: each
/// borrowed from `text` where it holds no escape, `None` where it is missing or not a string (as
/// [`get_str`] reads it; of a name given twice, the last). The other members are checked as JSON
/// and read through, and no value is built: a read needs a few members of a state of ten, and
/// building them all took a third of its work in the component. `None` when `text` is not a JSON
/// object; [`parse`] says why.
pub fn string_members<'t, const N: usize>(text: &'t str, names: &[&str; N]) -> Option<[Option<Cow<'t, str>>; N]> {
    let mut parser = serde_json::Deserializer::from_str(text);
    let read = serde::de::DeserializeSeed::deserialize(Read { names: Some(names) }, &mut parser).ok()?;
    parser.end().ok()?;
    match read {
        Found::Members(members) => Some(members),
        _ => None,
    }
}

/// What [`Read`] found.
enum Found<'t, const N: usize> {
    /// The named members of an object.
    Members([Option<Cow<'t, str>>; N]),
    String(Cow<'t, str>),
    /// Anything else, read through.
    Other,
}

/// Reads one value: with `names`, an object's members so named; without, a string. One visitor
/// for every level, answering through `deserialize_any`, and a value it does not want is an
/// answer, not an error: each visitor brings its own copy of serde_json's reader, and serde's
/// wording of an unexpected value would bring core's float formatting (33 KB) into the component.
struct Read<'n, const N: usize> {
    names: Option<&'n [&'n str; N]>,
}

impl<const N: usize> Read<'_, N> {
    const ANY: Self = Self { names: None };
}

impl<'de, const N: usize> serde::de::DeserializeSeed<'de> for Read<'_, N> {
    type Value = Found<'de, N>;
    fn deserialize<D: serde::Deserializer<'de>>(self, parser: D) -> Result<Self::Value, D::Error> {
        parser.deserialize_any(self)
    }
}

impl<'de, const N: usize> serde::de::Visitor<'de> for Read<'_, N> {
    type Value = Found<'de, N>;
    fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = [const { None }; N];
        while let Some(named) = map.next_key_seed(MemberName(self.names))? {
            let value = map.next_value_seed(Self::ANY)?;
            if let Some(index) = named {
                found[index] = match value {
                    Found::String(text) => Some(text),
                    _ => None,
                };
            }
        }
        Ok(if self.names.is_some() { Found::Members(found) } else { Found::Other })
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element_seed(Self::ANY)?.is_some() {}
        Ok(Found::Other)
    }
    fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Found::String(Cow::Borrowed(text)))
    }
    fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Found::String(Cow::Owned(text.into())))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Found::Other)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Found::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Found::Other)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Found::Other)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Found::Other)
    }
}

/// A member's name: its place among the names wanted (if any), compared where it lies in the text.
struct MemberName<'n, const N: usize>(Option<&'n [&'n str; N]>);

impl<'de, const N: usize> serde::de::DeserializeSeed<'de> for MemberName<'_, N> {
    type Value = Option<usize>;
    fn deserialize<D: serde::Deserializer<'de>>(self, parser: D) -> Result<Self::Value, D::Error> {
        parser.deserialize_any(self)
    }
}

impl<const N: usize> serde::de::Visitor<'_> for MemberName<'_, N> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
        f.write_str("a member name")
    }
    fn visit_str<E>(self, name: &str) -> Result<Self::Value, E> {
        Ok(self.0.and_then(|names| names.iter().position(|wanted| *wanted == name)))
    }
}

/// `value` as JSON text, object keys in order: a [`Value`], or a bag written straight from its
/// fields, which is cheaper than building a [`Value`] first (a B-tree, every key and string
/// copied: a sixth of a read's time in the component, docs/performance.md). Such a bag declares
/// its fields in name order, so its text is what the same bag as a [`Value`] prints.
pub fn to_string(value: &impl serde::Serialize) -> String {
    // Only a map with non-string keys fails to print: no bag here has one.
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
        // Only string members are read, borrowed where they can be; the rest is checked, not built.
        let text = r#"{"a": "x", "skip": {"deep": [1, {"s": "v"}]}, "n": 5, "e": "v\u00e9", "a": "y", "z": null}"#;
        let [a, n, e, z, gone] = string_members(text, &["a", "n", "e", "z", "gone"]).unwrap();
        assert!(matches!(a, Some(Cow::Borrowed("y"))), "the last of a name given twice, borrowed: {a:?}");
        assert_eq!((n, z, gone), (None, None, None), "not strings, or missing");
        assert!(matches!(e.as_deref(), Some("vé")) && matches!(e, Some(Cow::Owned(_))), "unescaped: {e:?}");
        for broken in ["[1]", "\"a\"", "1.5", "null", "{\"a\": [1,]}", "{} x", "{", ""] {
            assert!(string_members(broken, &["a"]).is_none(), "{broken}");
        }
        let built = object! { "s" => "x", "n" => None::<&str>, "t" => true, "o" => Object::new() };
        assert_eq!(to_string(&built), r#"{"n":null,"o":{},"s":"x","t":true}"#);
    }
}
