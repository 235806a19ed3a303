//! SigV4: only requests signed with the configured credentials, at about the right time, pass.

mod common;

use aws_sdk_lightsail::Client;
use common::*;
use lightsail_local::Credentials;
use std::time::{Duration, SystemTime};

#[derive(Debug)]
struct Skewed(Duration, bool);

impl aws_smithy_async::time::TimeSource for Skewed {
    fn now(&self) -> SystemTime {
        if self.1 { SystemTime::now() + self.0 } else { SystemTime::now() - self.0 }
    }
}

fn client_with(endpoint: &lightsail_local::LocalEndpoint, creds: Credentials) -> Client {
    Client::from_conf(sdk_config(&endpoint.url(), "us-east-1", &creds).build())
}

#[tokio::test]
async fn wrong_secret_is_an_invalid_signature() {
    let endpoint = endpoint().await;
    let client = client_with(&endpoint, Credentials::new(Credentials::TEST_ACCESS_KEY_ID, "not-the-secret"));
    let err = client.get_buckets().send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("InvalidSignatureException"));
    assert!(message(&err).contains("does not match"));
    assert_eq!(endpoint.stats().total_calls(), 0, "nothing was dispatched");
    assert_eq!(endpoint.stats().rejected, 1);
}

#[tokio::test]
async fn unknown_access_key_is_unrecognized() {
    let endpoint = endpoint().await;
    let client = client_with(&endpoint, Credentials::new("AKIAUNKNOWNUNKNOWN00", Credentials::TEST_SECRET_ACCESS_KEY));
    let err = client.get_buckets().send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("UnrecognizedClientException"));
}

#[tokio::test]
async fn configured_credentials_replace_the_test_pair() {
    let creds = Credentials::new("AKIAOTHEROTHEROTHER0", "s3cr3t/s3cr3t+s3cr3t/s3cr3t+s3cr3t/s3cr3t");
    let endpoint = lightsail_local::LocalEndpoint::start(lightsail_local::Config {
        credentials: creds.clone(),
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(client_with(&endpoint, creds).get_buckets().send().await.is_ok());
    assert!(client_with(&endpoint, Credentials::test_pair()).get_buckets().send().await.is_err());
}

#[tokio::test]
async fn requests_dated_more_than_15_minutes_off_are_refused() {
    let endpoint = endpoint().await;
    for (skew, later, expected) in [
        (Duration::from_secs(20 * 60), false, "Signature expired"),
        (Duration::from_secs(20 * 60), true, "Signature not yet current"),
    ] {
        let conf = sdk_config(&endpoint.url(), "us-east-1", endpoint.credentials()).time_source(Skewed(skew, later));
        let err = Client::from_conf(conf.build()).get_buckets().send().await.unwrap_err();
        assert_eq!(code(&err).as_deref(), Some("InvalidSignatureException"));
        assert!(message(&err).starts_with(expected), "{}", message(&err));
    }
    // Within the window is fine.
    let conf = sdk_config(&endpoint.url(), "us-east-1", endpoint.credentials())
        .time_source(Skewed(Duration::from_secs(10 * 60), false));
    assert!(Client::from_conf(conf.build()).get_buckets().send().await.is_ok());
}

#[tokio::test]
async fn missing_or_malformed_authorization() {
    let endpoint = endpoint().await;
    let target = "x-amz-target: Lightsail_20161128.GetBuckets\r\ncontent-type: application/x-amz-json-1.1";
    let (status, body) = raw_request(&endpoint, &format!("POST / HTTP/1.1\r\n{target}"), b"{}").await.unwrap();
    assert_eq!((status, error_type(&body).as_str()), (400, "MissingAuthenticationTokenException"));

    let head = format!("POST / HTTP/1.1\r\n{target}\r\nauthorization: AWS4-HMAC-SHA256 Credential=x");
    let (status, body) = raw_request(&endpoint, &head, b"{}").await.unwrap();
    assert_eq!((status, error_type(&body).as_str()), (400, "IncompleteSignatureException"));

    // Well formed, but the signature is not the one the body and headers call for.
    let head = format!(
        "POST / HTTP/1.1\r\n{target}\r\nx-amz-date: {}\r\nauthorization: AWS4-HMAC-SHA256 \
         Credential={}/{}/us-east-1/lightsail/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature={}",
        amz_date(SystemTime::now()),
        Credentials::TEST_ACCESS_KEY_ID,
        &amz_date(SystemTime::now())[..8],
        "0".repeat(64)
    );
    let (status, body) = raw_request(&endpoint, &head, b"{}").await.unwrap();
    assert_eq!((status, error_type(&body).as_str()), (400, "InvalidSignatureException"));

    // Scoped to another service.
    let head = head.replace("/lightsail/", "/s3/");
    let (_, body) = raw_request(&endpoint, &head, b"{}").await.unwrap();
    assert!(body.contains("correct service"), "{body}");
    assert_eq!(endpoint.stats().total_calls(), 0);
}

fn amz_date(t: SystemTime) -> String {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() as i64;
    let dt = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        dt.year(),
        dt.month() as u8,
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// Temporary credentials: with a session token configured, only requests that carry it pass;
/// without one configured, a request that carries a token is refused.
#[tokio::test]
async fn session_tokens_are_checked() {
    let temporary = Credentials::test_pair().with_session_token("FwoGZXIvYXdzEXAMPLETOKEN");
    let config = lightsail_local::Config { credentials: temporary.clone(), ..Default::default() };
    let with_token = lightsail_local::LocalEndpoint::start(config).await.unwrap();
    client_with(&with_token, temporary.clone()).get_buckets().send().await.unwrap();
    for creds in [Credentials::test_pair(), Credentials::test_pair().with_session_token("not-the-token")] {
        let err = client_with(&with_token, creds).get_buckets().send().await.unwrap_err();
        assert_eq!(code(&err).as_deref(), Some("UnrecognizedClientException"));
        assert!(message(&err).contains("security token included in the request is invalid"), "{}", message(&err));
    }
    let plain = endpoint().await;
    let err = client_with(&plain, temporary).get_buckets().send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("UnrecognizedClientException"));
    assert!(!format!("{:?}", Credentials::test_pair().with_session_token("FwoGZXIvYXdzEXAMPLETOKEN")).contains("FwoG"));
}
