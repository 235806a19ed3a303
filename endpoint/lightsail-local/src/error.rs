//! Errors as the awsJson1_1 protocol carries them: `{"__type": ..., "message": ...}` with the
//! HTTP status that the Smithy model (or, for auth and framing, the AWS front door) gives.

use http::StatusCode;
use serde::{Deserialize, Serialize};

/// Declares [`ModeledError`] from one list: each variant with the model's type name, which is
/// both its JSON spelling in a fault and the `__type` it answers with.
macro_rules! modeled_errors {
    ($($variant:ident => $type_name:literal),* $(,)?) => {
        /// The errors Lightsail's model names, as a fault can inject them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        pub enum ModeledError {
            $(#[allow(missing_docs)] #[serde(rename = $type_name)] $variant,)*
        }

        impl ModeledError {
            /// Every one of them.
            pub const ALL: [ModeledError; [$($type_name),*].len()] = [$(ModeledError::$variant),*];

            /// Its `__type`, as Lightsail answers it (`NotFoundException`).
            pub fn type_name(self) -> &'static str {
                match self {
                    $(ModeledError::$variant => $type_name,)*
                }
            }
        }
    };
}

modeled_errors! {
    AccessDenied => "AccessDeniedException",
    Unauthenticated => "UnauthenticatedException",
    OperationFailure => "OperationFailureException",
    AccountSetupInProgress => "AccountSetupInProgressException",
    RegionSetupInProgress => "RegionSetupInProgressException",
    Service => "ServiceException",
    InvalidInput => "InvalidInputException",
    NotFound => "NotFoundException",
}

/// An error answer, ready to be written to the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status of the answer.
    pub status: StatusCode,
    /// Its `__type` (`NotFoundException`).
    pub type_name: &'static str,
    /// Its message.
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, type_name: &'static str, message: impl Into<String>) -> Self {
        Self { status, type_name, message: message.into() }
    }

    // Lightsail's modeled errors.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NotFoundException", message)
    }
    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidInputException", message)
    }
    pub(crate) fn service(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "ServiceException", message)
    }

    /// One of the model's errors by name, with its HTTP status, as a fault answers it.
    pub(crate) fn modeled(error: ModeledError) -> Self {
        let (status, message) = match error {
            ModeledError::AccessDenied => {
                (StatusCode::FORBIDDEN, "You do not have sufficient access to perform this action.")
            }
            ModeledError::Unauthenticated => (StatusCode::UNAUTHORIZED, "The request is not authenticated."),
            ModeledError::OperationFailure => (StatusCode::BAD_REQUEST, "The operation failed."),
            ModeledError::AccountSetupInProgress => {
                (StatusCode::PRECONDITION_REQUIRED, "Your account is still being set up. Try again in a few minutes.")
            }
            ModeledError::RegionSetupInProgress => {
                (StatusCode::PRECONDITION_REQUIRED, "The region is still being set up. Try again in a few minutes.")
            }
            ModeledError::Service => {
                (StatusCode::INTERNAL_SERVER_ERROR, "We encountered an internal error. Please try again.")
            }
            ModeledError::InvalidInput => (StatusCode::BAD_REQUEST, "The request is not valid (injected fault)."),
            ModeledError::NotFound => (StatusCode::NOT_FOUND, "The resource does not exist (injected fault)."),
        };
        Self::new(status, error.type_name(), message)
    }

    /// A member the model requires is absent.
    pub(crate) fn missing_member(member: &str) -> Self {
        Self::invalid_input(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: \
             Member must not be null"
        ))
    }

    // Errors of the AWS front door, shared by every awsJson service.
    pub(crate) fn serialization(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "SerializationException", message)
    }
    pub(crate) fn unknown_operation() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "UnknownOperationException", "")
    }
    /// An operation this endpoint does not serve, saying so.
    pub(crate) fn unknown_operation_named(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "UnknownOperationException", message)
    }
    pub(crate) fn throttling() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ThrottlingException", "Rate exceeded")
    }
    pub(crate) fn missing_authentication_token() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "MissingAuthenticationTokenException", "Missing Authentication Token")
    }
    pub(crate) fn incomplete_signature(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "IncompleteSignatureException", message)
    }
    pub(crate) fn unrecognized_client() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    }
    pub(crate) fn invalid_signature(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidSignatureException", message)
    }
    pub(crate) fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "SerializationException",
            format!("Request body is larger than the limit of {limit} bytes"),
        )
    }

    /// The JSON body. `lightsail_code` adds the Lightsail error shape's own `code` member where
    /// real Lightsail is known to send one: `DoesNotExist` for a resource that does not exist.
    /// Clients prefer `code` over `__type`, so such an error is then not a typed
    /// `NotFoundException` in the SDKs, as against AWS.
    pub(crate) fn body(&self, lightsail_code: bool) -> serde_json::Value {
        let mut body = serde_json::json!({ "__type": self.type_name, "message": self.message });
        if lightsail_code && self.type_name == "NotFoundException" {
            body["code"] = "DoesNotExist".into();
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
