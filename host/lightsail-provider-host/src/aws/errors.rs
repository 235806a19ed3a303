//! SDK errors as the contract's errors, and as words for a person.

use crate::bindings::api;
use aws_sdk_lightsail::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::http::Response as HttpResponse;

/// The error code of a call that could not be sent for want of credentials.
pub const NO_CREDENTIALS_CODE: &str = "NoCredentials";

/// What a person reads when no credentials are found, and what to do.
pub const NO_CREDENTIALS: &str = "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, use a \
                                  profile that has them (AWS_PROFILE), or run where a role provides them";

/// Maps an SDK error onto the WIT error. Lightsail sometimes answers "not found" with a code of
/// `DoesNotExist` instead of a typed `NotFoundException`; both are `not-found`.
pub(crate) fn api_error<E>(err: SdkError<E, HttpResponse>) -> api::ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    use api::ErrorKind as K;
    match &err {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = err.code().unwrap_or("").to_string();
            let message = err.message().unwrap_or("").to_string();
            let kind = match code.as_str() {
                "NotFoundException" | "DoesNotExist" => K::NotFound,
                _ if message.contains("DoesNotExist") => K::NotFound,
                "InvalidInputException" => K::InvalidInput,
                "AccessDeniedException"
                | "UnauthenticatedException"
                | "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "IncompleteSignatureException"
                | "MissingAuthenticationTokenException"
                | "ExpiredTokenException" => K::AccessDenied,
                "ThrottlingException" | "ServiceException" | "ServiceUnavailable" => K::Service,
                _ if status >= 500 => K::Service,
                _ => K::Other,
            };
            let code = if code.is_empty() { format!("HTTP{status}") } else { code };
            api::ApiError { retryable: kind == K::Service, kind, code, message }
        }
        SdkError::TimeoutError(_) => api::ApiError {
            kind: K::Transport,
            code: "Timeout".into(),
            message: format!("no answer in time: {}", error_chain(&err)),
            retryable: true,
        },
        // Nothing was sent: no credential provider of the chain had any.
        SdkError::DispatchFailure(_) if let Some(why) = missing_credentials(&err) => {
            tracing::debug!("no credentials: {why}");
            api::ApiError {
                kind: K::AccessDenied,
                code: NO_CREDENTIALS_CODE.into(),
                message: NO_CREDENTIALS.into(),
                retryable: false,
            }
        }
        SdkError::DispatchFailure(_) => api::ApiError {
            kind: K::Transport,
            code: "Dispatch".into(),
            message: format!("the request could not be sent or got no answer: {}", error_chain(&err)),
            retryable: true,
        },
        SdkError::ResponseError(response) => {
            let status = response.raw().status().as_u16();
            api::ApiError {
                kind: if status >= 500 { K::Service } else { K::Transport },
                code: format!("HTTP{status}"),
                message: format!("unreadable answer: {}", error_chain(&err)),
                retryable: true,
            }
        }
        _ => {
            api::ApiError { kind: K::Other, code: "RequestFailed".into(), message: error_chain(&err), retryable: false }
        }
    }
}

/// Why no credentials could be had, when that is why a request was not sent: the credential
/// chain's own account of what it tried (for the debug log; it runs to many lines).
fn missing_credentials(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    use aws_credential_types::provider::error::CredentialsError;
    let mut source = Some(err);
    while let Some(cause) = source {
        if let Some(e @ (CredentialsError::CredentialsNotLoaded(_) | CredentialsError::InvalidConfiguration(_))) =
            cause.downcast_ref::<CredentialsError>()
        {
            return Some(error_chain(e));
        }
        source = cause.source();
    }
    None
}

/// An error and its sources, each as its `Display` says it, for a person to read. (The SDK's
/// `DisplayErrorContext` also appends the error's `Debug` form.) A source that only repeats the
/// message before it is left out.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if parts.last().is_none_or(|last| !last.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_chain_reads_as_words_without_debug_output() {
        type ListError = aws_sdk_lightsail::operation::get_bucket_access_keys::GetBucketAccessKeysError;
        let timeout = SdkError::<ListError, HttpResponse>::timeout_error(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "operation attempt timeout occurred after 2s",
        ));
        let error = api_error(timeout);
        assert_eq!(error.code, "Timeout");
        assert!(error.message.ends_with("occurred after 2s"), "{}", error.message);
        assert!(!error.message.contains("Custom {") && !error.message.contains("kind:"), "{}", error.message);
    }
}
