//! No input crashes the endpoint: arbitrary bodies and targets, signed correctly, always get
//! an answer with a well-formed error or result, and the server keeps serving.

mod common;

use common::*;
use proptest::prelude::*;

fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(Into::into),
        any::<i64>().prop_map(Into::into),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Into::into),
        "[a-z0-9-]{0,60}".prop_map(Into::into),
        ".{0,20}".prop_map(Into::into),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Into::into),
            prop::collection::btree_map(
                prop_oneof![
                    Just("bucketName".to_string()),
                    Just("accessKeyId".to_string()),
                    Just("operationId".to_string()),
                    Just("bundleId".to_string()),
                    Just("forceDelete".to_string()),
                    Just("tags".to_string()),
                    "[a-zA-Z]{1,8}"
                ],
                inner,
                0..4
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![arbitrary_json().prop_map(|v| v.to_string().into_bytes()), prop::collection::vec(any::<u8>(), 0..64),]
}

fn target() -> impl Strategy<Value = String> {
    let known = lightsail_local::Operation::ALL.iter().map(|op| Just(format!("Lightsail_20161128.{}", op.name())));
    prop_oneof![prop::strategy::Union::new(known), ".{0,30}".prop_map(String::from)]
}

#[test]
fn arbitrary_signed_requests_never_crash_the_endpoint() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let endpoint = runtime.block_on(endpoint());
    runtime.block_on(create_bucket(&client(&endpoint, "us-east-1"), "fuzz-bucket"));

    let config = ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(body in body(), target in target())| {
        let answer = runtime.block_on(signed_request(&endpoint, &target, body));
        let (status, text) = answer.expect("every request gets an answer");
        prop_assert!(status == 200 || (400..500).contains(&status), "status {status}: {text}");
        if status != 200 {
            let value: serde_json::Value = serde_json::from_str(&text).expect("errors are JSON");
            prop_assert!(value["__type"].is_string());
        }
    });
    runtime.block_on(async {
        client(&endpoint, "us-east-1").get_buckets().send().await.expect("still serving");
    });
}

/// Sends `body` with the given target through the SDK's own signer, so the fuzzing reaches the
/// decoder instead of stopping at authentication.
async fn signed_request(
    endpoint: &lightsail_local::LocalEndpoint,
    target: &str,
    body: Vec<u8>,
) -> Option<(u16, String)> {
    // Header values must be visible ASCII; anything else would be refused by the client itself.
    let target: String = target.chars().filter(|c| c.is_ascii_graphic()).collect();
    match send_rewritten(endpoint, Rewrite { target: Some(target), body: Some(body) }).await {
        Ok(_) => Some((200, String::new())),
        Err(err) => {
            let raw = err.raw_response()?;
            let text = String::from_utf8_lossy(raw.body().bytes().unwrap_or_default()).to_string();
            Some((raw.status().as_u16(), text))
        }
    }
}
