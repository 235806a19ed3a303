//! The bucket's tags as hashicorp/aws and pulumi-aws have them: `tags`, the resource's own, and
//! `tagsAll`, those with the engine's default tags added (the resource's own win), which is what
//! the bucket carries.

use crate::host::Host;
use crate::json::{self, Object, Value};
use crate::props::{is_unknown, kind};
use crate::types::CheckFailure;
use alloc::{format, string::String, vec::Vec};

pub const TAGS: &str = "tags";
pub const TAGS_ALL: &str = "tagsAll";

/// Tags as a property bag holds them: key → string value.
pub type TagMap = Object;

/// The most tags a Lightsail resource takes.
const MAX_TAGS: usize = 50;

/// The `tags` input: an object of strings (absent or null: none), or unknown in a preview. Each
/// broken rule of Lightsail's (at most 50; keys of 1 to 128 characters, not `aws:`; values of at
/// most 256) is a failure.
pub fn parse(value: Option<&Value>, failures: &mut Vec<CheckFailure>) -> Value {
    let map = match value {
        None | Some(Value::Null) => return Value::Object(TagMap::new()),
        Some(unknown) if is_unknown(unknown) => return unknown.clone(),
        Some(Value::Object(map)) => map,
        Some(other) => {
            failures.push(CheckFailure::new(TAGS, format!("must be an object of strings, not {}", kind(other))));
            return Value::Object(TagMap::new());
        }
    };
    if map.len() > MAX_TAGS {
        failures.push(CheckFailure::new(TAGS, format!("may hold at most {MAX_TAGS} tags, not {}", map.len())));
    }
    for (key, value) in map {
        let fits = |text: &str, max| text.chars().count() <= max;
        let ok = !key.is_empty()
            && fits(key, 128)
            && !key.starts_with("aws:")
            && matches!(value, Value::String(v) if fits(v, 256));
        if !ok {
            // One message for every rule keeps the component small; each rule is named in it.
            failures.push(CheckFailure::new(
                TAGS,
                format!("{key}: keys must be 1 to 128 characters and not start with aws:, values text of at most 256"),
            ));
        }
    }
    Value::Object(map.clone())
}

/// The tags in a property bag (state or inputs); none when absent, null or unknown.
pub fn of(bag: &Value, name: &str) -> TagMap {
    json::get(bag, name).map(map).unwrap_or_default()
}

/// Tags as a map; none when unknown.
pub fn map(tags: &Value) -> TagMap {
    match tags {
        Value::Object(tags) => tags.clone(),
        _ => TagMap::new(),
    }
}

/// The engine's default tags.
pub fn defaults(host: &impl Host) -> TagMap {
    from_wire(host.default_tags())
}

/// `own` with the default tags it does not set itself: what the bucket carries.
pub fn all(host: &impl Host, own: &Value) -> Value {
    match own {
        Value::Object(own) => {
            let mut all = defaults(host);
            for (key, value) in own {
                all.insert(key.clone(), value.clone());
            }
            Value::Object(all)
        }
        unknown => unknown.clone(),
    }
}

/// Which of the tags a bucket carries are its own: those the resource set before (`known`), and
/// any that are not a default tag with the same value (set outside the engine, they are the
/// resource's to keep or remove).
pub fn own(carried: &TagMap, known: &TagMap, defaults: &TagMap) -> TagMap {
    let mut own = TagMap::new();
    for (key, value) in carried {
        if known.contains_key(key) || !defaults.get(key).is_some_and(|default| default == value) {
            own.insert(key.clone(), value.clone());
        }
    }
    own
}

// Inserts rather than `collect()`: collecting into a map brings a sort and a bulk build of the
// tree into the component, several KiB for maps of a few entries.
pub fn from_wire(tags: Vec<(String, String)>) -> TagMap {
    let mut map = TagMap::new();
    for (key, value) in tags {
        map.insert(key, Value::String(value));
    }
    map
}

/// The tags of `tags` whose value differs from the one in `than` (all, against an empty map), as
/// the API takes them.
pub fn to_wire(tags: &TagMap, than: &TagMap) -> Vec<(String, String)> {
    tags.iter()
        .filter(|(key, value)| !than.get(*key).is_some_and(|other| other == *value))
        .map(|(key, value)| match value {
            Value::String(text) => (key.clone(), text.clone()),
            _ => (key.clone(), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::props::UNKNOWN;

    fn map(text: &str) -> TagMap {
        match json::parse(text) {
            Ok(Value::Object(map)) => map,
            _ => panic!("not an object: {text}"),
        }
    }

    #[test]
    fn rules() {
        let mut failures = Vec::new();
        let long = "k".repeat(129);
        let given =
            format!(r#"{{"": "x", "aws:owner": "me", "{long}": "v", "n": 3, "big": "{}", "ok": ""}}"#, "v".repeat(257));
        parse(Some(&Value::Object(map(&given))), &mut failures);
        assert!(
            failures
                .iter()
                .all(|f| f.property == TAGS && f.reason.contains("1 to 128 characters and not start with aws:")),
            "{failures:?}"
        );
        let named: Vec<&str> = failures.iter().map(|f| f.reason.split(": ").next().unwrap()).collect();
        assert_eq!(named, ["", "aws:owner", "big", &long, "n"]);
        let many: TagMap = (0..51).map(|i| (format!("k{i}"), Value::String("v".into()))).collect();
        let mut failures = Vec::new();
        parse(Some(&Value::Object(many)), &mut failures);
        assert_eq!(failures.len(), 1);
        assert!(failures[0].reason.contains("at most 50 tags, not 51"));
        let mut failures = Vec::new();
        assert_eq!(json::to_string(&parse(None, &mut failures)), "{}");
        let unknown = Value::String(UNKNOWN.into());
        assert_eq!(parse(Some(&unknown), &mut failures), unknown);
        assert!(failures.is_empty());
    }

    #[test]
    fn own_tags_are_the_known_and_the_ones_not_defaulted() {
        let carried = map(r#"{"env": "prod", "team": "a", "extra": "x", "owner": "b"}"#);
        let defaults = map(r#"{"env": "prod", "team": "z", "owner": "b"}"#);
        // `owner` was set by the resource itself with the default's value: it stays its own.
        let known = map(r#"{"owner": "b"}"#);
        let own = Value::Object(own(&carried, &known, &defaults));
        assert_eq!(json::to_string(&own), r#"{"extra":"x","owner":"b","team":"a"}"#);
    }
}
