//! Errors as the awsJson1_1 protocol carries them: `{"__type": ..., "message": ...}` with the
//! HTTP status that the Smithy model (or, for auth and framing, the AWS front door) gives.

use http::StatusCode;

/// An error answer, ready to be written to the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub type_name: &'static str,
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, type_name: &'static str, message: impl Into<String>) -> Self {
        Self { status, type_name, message: message.into() }
    }

    // Lightsail's modeled errors.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NotFoundException", message)
    }
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidInputException", message)
    }
    pub fn service(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "ServiceException", message)
    }

    /// A member the model requires is absent.
    pub fn missing_member(member: &str) -> Self {
        Self::invalid_input(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: \
             Member must not be null"
        ))
    }

    // Errors of the AWS front door, shared by every awsJson service.
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "SerializationException", message)
    }
    pub fn unknown_operation() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "UnknownOperationException", "")
    }
    pub fn throttling() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ThrottlingException", "Rate exceeded")
    }
    pub fn missing_authentication_token() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "MissingAuthenticationTokenException", "Missing Authentication Token")
    }
    pub fn incomplete_signature(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "IncompleteSignatureException", message)
    }
    pub fn unrecognized_client() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    }
    pub fn invalid_signature(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidSignatureException", message)
    }
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "SerializationException",
            format!("Request body is larger than the limit of {limit} bytes"),
        )
    }

    /// The JSON body. `lightsail_code` adds the Lightsail error shape's own `code` member,
    /// which clients prefer over `__type` (the "DoesNotExist" quirk seen against real Lightsail).
    pub fn body(&self, lightsail_code: bool) -> serde_json::Value {
        let mut body = serde_json::json!({ "__type": self.type_name, "message": self.message });
        if lightsail_code {
            let code = match self.type_name {
                "NotFoundException" => Some("DoesNotExist"),
                "InvalidInputException" => Some("InvalidInput"),
                _ => None,
            };
            if let Some(code) = code {
                body["code"] = code.into();
            }
        }
        body
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.type_name, self.status.as_u16(), self.message)
    }
}

impl std::error::Error for ApiError {}
