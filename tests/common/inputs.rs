//! Generated inputs for the component: type tokens, property bags (valid, wrong and junk) and ids,
//! shared by `tests/fuzz_component.rs` and `examples/fuzz.rs`.

use proptest::prelude::*;

pub const TOKENS: &[&str] =
    &[lightsail_test_support::ACCESS_KEY_TOKEN, "aws:lightsail/bucket:Bucket", "aws:other:Thing", ""];

pub fn bag() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(Into::into),
        any::<i64>().prop_map(Into::into),
        "[a-z0-9-]{0,60}".prop_map(Into::into),
        "\\PC{0,20}".prop_map(Into::into),
        Just(serde_json::json!([1, {"a": null}])),
    ];
    let key = prop_oneof![
        Just("bucketName".to_string()),
        Just("region".to_string()),
        Just("name".to_string()),
        Just("bundleId".to_string()),
        Just("forceDelete".to_string()),
        "\\PC{0,10}",
    ];
    prop_oneof![
        prop::collection::btree_map(key, value, 0..5).prop_map(|m| serde_json::to_string(&m).unwrap()),
        "\\PC{0,40}",
    ]
}

pub fn id() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z0-9-]{0,60},[A-Z0-9]{0,24}(@[a-z0-9-]{0,14})?", "[a-z0-9-]{0,60}(@[a-z0-9-]{0,14})?", "\\PC{0,40}",]
}
