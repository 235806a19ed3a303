//! S3's errors: an HTTP status and `<Error><Code>…</Code><Message>…</Message>…</Error>`, with the
//! codes and messages S3 documents (Amazon S3 API reference, "Error responses").

use http::StatusCode;

/// An S3 error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Error {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// An element S3 adds to say what the error is about (`Key`, `BucketName`, `AWSAccessKeyId`).
    pub detail: Option<(&'static str, String)>,
}

impl S3Error {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), detail: None }
    }

    fn about(mut self, element: &'static str, value: impl Into<String>) -> Self {
        self.detail = Some((element, value.into()));
        self
    }

    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "AccessDenied", message)
    }
    pub fn invalid_access_key_id(id: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
        )
        .about("AWSAccessKeyId", id)
    }
    pub fn signature_does_not_match() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        )
    }
    pub fn authorization_malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "AuthorizationHeaderMalformed", message)
    }
    pub fn request_time_too_skewed() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
        )
    }
    pub fn no_such_bucket(bucket: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NoSuchBucket", "The specified bucket does not exist")
            .about("BucketName", bucket)
    }
    pub fn no_such_key(key: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NoSuchKey", "The specified key does not exist.").about("Key", key)
    }
    pub fn no_such_upload(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NoSuchUpload",
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        )
        .about("UploadId", id)
    }
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
    }
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidRequest", message)
    }
    pub fn invalid_range(size: usize) -> Self {
        Self::new(StatusCode::RANGE_NOT_SATISFIABLE, "InvalidRange", "The requested range is not satisfiable")
            .about("ActualObjectSize", size.to_string())
    }
    pub fn key_too_long(length: usize) -> Self {
        if length == 0 {
            return Self::invalid_argument("An object key must not be empty.");
        }
        Self::new(StatusCode::BAD_REQUEST, "KeyTooLongError", "Your key is too long").about("Size", length.to_string())
    }
    pub fn malformed_xml(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "MalformedXML", message)
    }
    pub fn invalid_part(number: u32) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "InvalidPart",
            "One or more of the specified parts could not be found. The part may not have been uploaded, or the \
             specified entity tag may not match the part's entity tag.",
        )
        .about("PartNumber", number.to_string())
    }
    pub fn invalid_part_order() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidPartOrder", "The list of parts was not in ascending order.")
    }
    pub fn entity_too_small(number: u32, size: usize) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed size",
        )
        .about("ProposedSize", format!("{size} (part {number}; every part but the last is at least 5 MiB)"))
    }
    pub fn entity_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            format!(
                "Your proposed upload exceeds the maximum allowed size of this endpoint ({limit} bytes a request; see --object-limit)"
            ),
        )
    }
    pub fn bad_digest(what: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadDigest",
            format!("The {what} you specified did not match the calculated checksum."),
        )
    }
    pub fn content_sha256_mismatch() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        )
    }
    pub fn incomplete_body(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "IncompleteBody", message)
    }
    pub fn not_implemented(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            format!(
                "{what} is not implemented by lightsail-local (docs/local-endpoint.md lists what its S3 side serves)"
            ),
        )
    }
    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("The specified method {method} is not allowed against this resource."),
        )
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", message)
    }
    pub fn slow_down() -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "SlowDown", "Please reduce your request rate.")
    }
    pub fn service_unavailable() -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable", "Please reduce your request rate.")
    }

    /// The XML body S3 answers with.
    pub fn body(&self, resource: &str, request_id: &str) -> String {
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>");
        element(&mut xml, "Code", self.code);
        element(&mut xml, "Message", &self.message);
        if let Some((name, value)) = &self.detail {
            element(&mut xml, name, value);
        }
        element(&mut xml, "Resource", resource);
        element(&mut xml, "RequestId", request_id);
        xml.push_str("</Error>");
        xml
    }
}

fn element(xml: &mut String, name: &str, value: &str) {
    xml.push('<');
    xml.push_str(name);
    xml.push('>');
    xml.push_str(&quick_xml::escape::escape(value));
    xml.push_str("</");
    xml.push_str(name);
    xml.push('>');
}

impl std::fmt::Display for S3Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status.as_u16(), self.message)
    }
}
