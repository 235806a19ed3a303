//! SDK errors as the contract's errors, and as words for a person.

use crate::bindings::api;
use crate::bindings::errors::ErrorKind as K;
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
            api::ApiError::new(kind, code, message, kind == K::Service)
        }
        SdkError::TimeoutError(_) => {
            api::ApiError::new(K::Transport, "Timeout", format!("no answer in time: {}", error_chain(&err)), true)
        }
        // Nothing was sent: no credential provider of the chain had any.
        SdkError::DispatchFailure(_) if let Some(why) = missing_credentials(&err) => {
            tracing::debug!("no credentials: {why}");
            api::ApiError::new(K::AccessDenied, NO_CREDENTIALS_CODE, NO_CREDENTIALS, false)
        }
        // No connection was made (refused, a name that does not resolve, a TLS handshake that
        // failed): no byte of the request left. A wrong endpoint or a missing network does not
        // mend within the component's ten minutes of retries, and the SDK has already made its
        // attempts, so this fails now.
        SdkError::DispatchFailure(_) if never_connected(&err) => {
            api::ApiError::new(K::NotSent, "ConnectionFailed", error_chain(&err), false)
        }
        SdkError::DispatchFailure(_) => api::ApiError::new(
            K::Transport,
            "Dispatch",
            format!("the request got no answer: {}", error_chain(&err)),
            true,
        ),
        SdkError::ResponseError(response) => {
            let status = response.raw().status().as_u16();
            let kind = if status >= 500 { K::Service } else { K::Transport };
            api::ApiError::new(kind, format!("HTTP{status}"), format!("unreadable answer: {}", error_chain(&err)), true)
        }
        _ => api::ApiError::new(K::Other, "RequestFailed", error_chain(&err), false),
    }
}

/// Whether the request failed while its connection was being made, so it was never sent:
/// hyper-util's client says so of every failure before the request is written.
fn never_connected(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(err);
    while let Some(cause) = source {
        if let Some(e) = cause.downcast_ref::<hyper_util::client::legacy::Error>() {
            return e.is_connect();
        }
        source = cause.source();
    }
    false
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
