//! SigV4 verification: the expected signature is computed with `aws-sigv4` over exactly the
//! headers the client says it signed, then compared in constant time.

use crate::error::ApiError;
use aws_sigv4::http_request::{
    PercentEncodingMode, SignableBody, SignableRequest, SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use std::time::{Duration, SystemTime};
use subtle::ConstantTimeEq;
use time::{OffsetDateTime, PrimitiveDateTime, format_description::BorrowedFormatItem, macros::format_description};

/// The credentials an endpoint accepts.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id requests must be signed with.
    pub access_key_id: String,
    /// Its secret.
    pub secret_access_key: String,
    /// Set for temporary credentials: every request must then carry this `X-Amz-Security-Token`;
    /// unset, a request that carries one is refused, as AWS refuses a token that is not valid.
    pub session_token: Option<String>,
}

impl Credentials {
    /// The documented test pair (the example keys of AWS's own documentation).
    pub const TEST_ACCESS_KEY_ID: &'static str = "AKIAIOSFODNN7EXAMPLE";
    /// The secret of the test pair.
    pub const TEST_SECRET_ACCESS_KEY: &'static str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    /// Long-term credentials: this key id and secret.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Self { access_key_id: access_key_id.into(), secret_access_key: secret_access_key.into(), session_token: None }
    }

    /// Temporary credentials: the pair and the session token requests must carry.
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// The documented test pair, [`Self::TEST_ACCESS_KEY_ID`] and [`Self::TEST_SECRET_ACCESS_KEY`].
    pub fn test_pair() -> Self {
        Self::new(Self::TEST_ACCESS_KEY_ID, Self::TEST_SECRET_ACCESS_KEY)
    }
}

impl Default for Credentials {
    fn default() -> Self {
        Self::test_pair()
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field("session_token", &self.session_token.as_ref().map(|_| "** redacted **"))
            .finish()
    }
}

/// How far a request's date may be from the endpoint's clock.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);
const SERVICE: &str = "lightsail";
const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const AMZ_DATE: &[BorrowedFormatItem<'static>] = format_description!("[year][month][day]T[hour][minute][second]Z");

/// A SigV4 `Authorization` header's parts.
pub(crate) struct Authorization<'a> {
    pub(crate) access_key_id: &'a str,
    pub(crate) date: &'a str,
    pub(crate) region: &'a str,
    pub(crate) service: &'a str,
    pub(crate) signed_headers: Vec<&'a str>,
    pub(crate) signature: &'a str,
}

/// The header's parts, or what is wrong with it (as AWS words it, for an
/// `IncompleteSignatureException` or S3's `AuthorizationHeaderMalformed`).
pub(crate) fn parse_authorization(value: &str) -> Result<Authorization<'_>, ApiError> {
    let (algorithm, rest) = value.split_once(' ').unwrap_or((value, ""));
    if algorithm != ALGORITHM {
        return Err(ApiError::incomplete_signature(format!(
            "Unsupported AWS 'algorithm': '{algorithm}'. Supported algorithms: {ALGORITHM}"
        )));
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        match part.trim().split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => {}
        }
    }
    let missing = |what: &str| {
        ApiError::incomplete_signature(format!(
            "Authorization header requires '{what}' parameter. Authorization={value}"
        ))
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed_headers = signed_headers.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = scope[..] else {
        return Err(ApiError::incomplete_signature(format!(
            "Credential should be scoped to a valid region, not '{credential}'."
        )));
    };
    if terminator != "aws4_request" {
        return Err(ApiError::incomplete_signature(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
        )));
    }
    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed_headers.split(';').collect(),
        signature,
    })
}

fn format_amz(t: SystemTime) -> String {
    OffsetDateTime::from(t).format(AMZ_DATE).unwrap_or_default()
}

/// An `X-Amz-Date` (`20260101T000000Z`) as a time.
pub(crate) fn parse_amz_date(value: &str) -> Option<SystemTime> {
    Some(PrimitiveDateTime::parse(value, AMZ_DATE).ok()?.assume_utc().into())
}

/// Checks a request's signature and returns the region of its credential scope.
pub fn verify(
    parts: &http::request::Parts,
    body: &[u8],
    credentials: &Credentials,
    now: SystemTime,
) -> Result<String, ApiError> {
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let authorization = header("authorization").ok_or_else(ApiError::missing_authentication_token)?;
    let auth = parse_authorization(authorization)?;

    if auth.access_key_id != credentials.access_key_id {
        return Err(ApiError::unrecognized_client());
    }
    let token_matches = match (&credentials.session_token, header("x-amz-security-token")) {
        (None, None) => true,
        (Some(expected), Some(given)) => bool::from(expected.as_bytes().ct_eq(given.as_bytes())),
        _ => false,
    };
    if !token_matches {
        return Err(ApiError::unrecognized_client());
    }
    if auth.service != SERVICE {
        return Err(ApiError::invalid_signature(format!(
            "Credential should be scoped to correct service: '{SERVICE}'."
        )));
    }
    let amz_date = header("x-amz-date").ok_or_else(|| {
        ApiError::incomplete_signature(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    })?;
    let signed_at = parse_amz_date(amz_date).ok_or_else(|| {
        ApiError::incomplete_signature(format!("Date must be in ISO-8601 'basic format'. Got '{amz_date}'."))
    })?;
    if !amz_date.starts_with(auth.date) || auth.date.len() != 8 {
        return Err(ApiError::invalid_signature(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{amz_date}'.",
            auth.date,
            &amz_date[..8]
        )));
    }
    if signed_at + MAX_CLOCK_SKEW < now {
        return Err(ApiError::invalid_signature(format!(
            "Signature expired: {amz_date} is now earlier than {} ({} - 15 min.)",
            format_amz(now - MAX_CLOCK_SKEW),
            format_amz(now)
        )));
    }
    if signed_at > now + MAX_CLOCK_SKEW {
        return Err(ApiError::invalid_signature(format!(
            "Signature not yet current: {amz_date} is still later than {} ({} + 15 min.)",
            format_amz(now + MAX_CLOCK_SKEW),
            format_amz(now)
        )));
    }

    let expected = expected_signature(
        parts,
        SignableBody::Bytes(body),
        &credentials.secret_access_key,
        &auth,
        signed_at,
        Canonical::Lightsail,
    )
    .map_err(ApiError::incomplete_signature)?;
    if bool::from(expected.as_bytes().ct_eq(auth.signature.as_bytes())) {
        Ok(auth.region.to_string())
    } else {
        Err(ApiError::invalid_signature(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ))
    }
}

/// How a service builds its canonical request.
#[derive(Clone, Copy)]
pub(crate) enum Canonical {
    /// Every service but S3: the path encoded twice and normalized.
    Lightsail,
    /// S3: the path as the client sent it.
    S3,
}

/// The signature the request calls for with this secret, or why it cannot be computed.
pub(crate) fn expected_signature(
    parts: &http::request::Parts,
    body: SignableBody<'_>,
    secret_access_key: &str,
    auth: &Authorization<'_>,
    signed_at: SystemTime,
    canonical: Canonical,
) -> Result<String, String> {
    let mut headers = Vec::with_capacity(auth.signed_headers.len());
    for name in &auth.signed_headers {
        let values: Vec<&str> = parts.headers.get_all(*name).iter().filter_map(|v| v.to_str().ok()).collect();
        if values.is_empty() {
            return Err(format!("Signed header '{name}' is missing from the request."));
        }
        headers.extend(values.into_iter().map(|v| (*name, v)));
    }
    let identity = signing_identity(auth.access_key_id, secret_access_key);
    // Sign exactly the headers the client signed: none is excluded on our side.
    let mut settings = SigningSettings::default();
    settings.excluded_headers = Some(Vec::new());
    if let Canonical::S3 = canonical {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(auth.service)
        .time(signed_at)
        .settings(settings)
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let host = parts.headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let path_and_query = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let uri = format!("http://{host}{path_and_query}");
    let request = SignableRequest::new(parts.method.as_str(), uri, headers.into_iter(), body)
        .map_err(|e| format!("The request cannot be signed: {e}"))?;
    let (_, signature) = sign(request, &params).map_err(|e| e.to_string())?.into_parts();
    Ok(signature)
}

/// The identity `aws-sigv4` signs with.
pub(crate) fn signing_identity(
    access_key_id: &str,
    secret_access_key: &str,
) -> aws_smithy_runtime_api::client::identity::Identity {
    aws_credential_types::Credentials::new(access_key_id, secret_access_key, None, None, "lightsail-local").into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_secret() {
        let text = format!("{:?}", Credentials::test_pair());
        assert!(!text.contains(Credentials::TEST_SECRET_ACCESS_KEY));
        assert!(text.contains(Credentials::TEST_ACCESS_KEY_ID));
    }

    #[test]
    fn malformed_authorization_headers_are_incomplete_signatures() {
        for bad in [
            "AWS4-HMAC-SHA1 Credential=a/b/c/d/aws4_request",
            "AWS4-HMAC-SHA256",
            "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/lightsail, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/lightsail/aws4_request, Signature=00",
        ] {
            let err = parse_authorization(bad).err().expect(bad);
            assert_eq!(err.type_name, "IncompleteSignatureException", "{bad}");
        }
    }
}
