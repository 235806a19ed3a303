//! The awsJson1_1 framing: unknown targets, malformed bodies, wrong types, missing members and
//! oversized requests all get the error AWS would send, never a crash. The requests are signed
//! with the real SDK's signer (through the SDK itself), so only the framing is wrong.

mod common;

use common::*;

#[tokio::test]
async fn unknown_target_is_unknown_operation() {
    let endpoint = endpoint().await;
    for target in ["Lightsail_20161128.LaunchRockets", "Other_20200101.GetBuckets", ""] {
        let err =
            send_rewritten(&endpoint, Rewrite { target: Some(target.to_string()), body: None }).await.unwrap_err();
        assert_eq!(code(&err).as_deref(), Some("UnknownOperationException"), "{target}");
    }
}

#[tokio::test]
async fn malformed_and_mistyped_bodies_are_serialization_errors() {
    let endpoint = endpoint().await;
    for body in [&b"{"[..], b"[1,2]", b"\"text\"", b"{\"bucketName\": 5}", b"{\"bucketName\": [\"x\"]}", b"\xff\xfe"] {
        let rewrite = Rewrite { target: None, body: Some(body.to_vec()) };
        let err = send_rewritten(&endpoint, rewrite).await.unwrap_err();
        assert_eq!(code(&err).as_deref(), Some("SerializationException"), "{}", String::from_utf8_lossy(body));
    }
    // Unknown members are ignored, as AWS does.
    let rewrite = Rewrite { target: None, body: Some(b"{\"somethingNew\": true}".to_vec()) };
    send_rewritten(&endpoint, rewrite).await.unwrap();
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let endpoint = endpoint().await;
    let big = format!("{{\"bucketName\": \"{}\"}}", "a".repeat(lightsail_local::DEFAULT_BODY_LIMIT));
    let rewrite = Rewrite { target: None, body: Some(big.into_bytes()) };
    let err = send_rewritten(&endpoint, rewrite).await.unwrap_err();
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(413));
    assert_eq!(endpoint.stats().total_calls(), 0);
}

#[tokio::test]
async fn other_methods_and_paths_are_the_s3_side() {
    let endpoint = endpoint().await;
    // Not `POST /` with an X-Amz-Target: S3's, which answers an unsigned request in its XML.
    let (status, body) = raw_request(&endpoint, "GET / HTTP/1.1", b"").await.unwrap();
    assert_eq!(status, 403);
    assert!(body.contains("<Code>AccessDenied</Code>"), "{body}");
    let (status, body) = raw_request(&endpoint, "POST /other HTTP/1.1", b"{}").await.unwrap();
    assert_eq!(status, 405);
    assert!(body.contains("<Code>MethodNotAllowed</Code>"), "{body}");
    // `POST /` without a target is neither side's operation.
    let (status, body) = raw_request(&endpoint, "POST / HTTP/1.1", b"{}").await.unwrap();
    assert_eq!(status, 405, "{body}");
    // An unsigned request is anonymous, not unauthenticated: its call counts, refused or not.
    assert_eq!((endpoint.stats().calls_of("ListBuckets"), endpoint.stats().total_calls()), (1, 1));
    // Not HTTP at all: the connection is closed, the server lives on.
    let _ = raw_request(&endpoint, "\u{1}\u{2} garbage", b"").await;
    client(&endpoint, "us-east-1").get_buckets().send().await.unwrap();
}
