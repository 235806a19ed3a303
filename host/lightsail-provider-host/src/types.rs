//! What the provider's calls answer, in the host's own types: the generated bindings stay private,
//! so an engine's code does not change when the WIT's generated code does.

use crate::bindings::errors;
use crate::bindings::exported as wit;

/// A property value not known yet (in `check` and previews), as the WIT and Pulumi write it.
pub const UNKNOWN: &str = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/// Property values a provider returns, and which of them are secret. `values` is a JSON object as
/// text; `Debug` shows neither it nor any value in it.
#[derive(Clone, PartialEq, Eq)]
pub struct Outputs {
    /// The values, as a JSON object.
    pub values: String,
    /// Top-level property names whose values are secret: store them encrypted, show them only
    /// when asked.
    pub secrets: Vec<String>,
}

/// The values may hold the new key's secret: the host's copy is wiped when dropped, not left in
/// freed memory. (What an engine copies it into is the engine's to keep.)
impl Drop for Outputs {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.values);
    }
}

impl std::fmt::Debug for Outputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outputs")
            .field("values", &format_args!("<{} bytes, not shown>", self.values.len()))
            .field("secrets", &self.secrets)
            .finish()
    }
}

/// One property that breaks one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFailure {
    /// The property's schema name (`bucketName`), or `""` when the bag as a whole is wrong.
    pub property: String,
    /// The rule it breaks, for a person to read.
    pub reason: String,
}

/// The result of `check`: normalized inputs, or why they cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// The normalized inputs, as a JSON object.
    pub inputs: String,
    /// Empty when the inputs can be used.
    pub failures: Vec<CheckFailure>,
}

/// The result of `diff`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffResult {
    /// Whether anything differs.
    pub changes: bool,
    /// Properties that differ.
    pub diffs: Vec<String>,
    /// Properties that differ and cannot change in place: the resource is replaced.
    pub replaces: Vec<String>,
    /// Whether the old resource must go before the new one is made.
    pub delete_before_replace: bool,
}

/// The result of `create`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The new resource's id; empty in a preview.
    pub id: String,
    /// In a preview, only what is known before the call.
    pub outputs: Outputs,
}

/// The result of `read` and `import`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadResult {
    /// The resource's id.
    pub id: String,
    /// The inputs that would produce this resource, as a JSON object.
    pub inputs: String,
    /// Its current outputs.
    pub outputs: Outputs,
}

/// One page of `list`: what exists, with no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    /// Each resource found, as `import` answers its id (which `import` takes as it is).
    pub items: Vec<ReadResult>,
    /// Given back to `list` with the same type, query and limit, the next page; `None` after the
    /// last.
    pub continuation: Option<String>,
}

/// The result of `rotate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    /// The new resource.
    pub created: Created,
    /// The id of the one deleted to make room for it (in a preview, the one that would be);
    /// `None` when there was room.
    pub deleted: Option<String>,
}

/// A resource that exists but did not become ready: record it, or it is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReady {
    /// The resource's id.
    pub id: String,
    /// Its outputs (with any secret only it knows).
    pub outputs: Outputs,
    /// Why it is not ready.
    pub reason: String,
}

/// What went wrong, as the contract's `error-kind` says: above all, whether the request may have
/// been applied (`Transport`, `Service`) or surely was not (`NotSent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The resource does not exist.
    NotFound,
    /// The request was refused as invalid.
    InvalidInput,
    /// Credentials missing, wrong or not allowed.
    AccessDenied,
    /// The request never left (the endpoint could not be reached, or the call was interrupted):
    /// nothing was applied.
    NotSent,
    /// Sent, and no answer came: it may or may not have been applied.
    Transport,
    /// The service answered with a fault of its own: it may or may not have been applied.
    Service,
    /// Anything else.
    Other,
}

impl ErrorKind {
    /// The kind as the WIT names it (`not-sent`), for output an engine or a script reads.
    pub fn wit_name(self) -> &'static str {
        match self {
            Self::NotFound => "not-found",
            Self::InvalidInput => "invalid-input",
            Self::AccessDenied => "access-denied",
            Self::NotSent => "not-sent",
            Self::Transport => "transport",
            Self::Service => "service",
            Self::Other => "other",
        }
    }
}

/// The input that makes a refused call succeed, for an engine to say in its own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// The input property, by its schema name (`forceDelete`).
    pub property: String,
    /// The value that makes the call succeed, as JSON (`true`).
    pub value: String,
}

/// An error the cloud API answered with, a failure to reach it, or an outcome the provider could
/// not settle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// What went wrong, by the contract's kinds.
    pub kind: ErrorKind,
    /// The service's error code (`InvalidInputException`), the host's own (`NoCredentials`,
    /// `ConnectionFailed`, `Timeout`; `Interrupted`, see [`crate::interrupt`]), or the provider's
    /// (`OutcomeUnknown`).
    pub code: String,
    /// What happened, for a person to read.
    pub message: String,
    /// Whether trying again later may succeed.
    pub retryable: bool,
    /// The input that makes the call succeed, when there is one.
    pub hint: Option<Hint>,
}

/// Why the provider refused a call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProviderError {
    /// The input breaks the schema's rules; no API call was made.
    InvalidInput(Vec<CheckFailure>),
    /// The resource does not exist.
    NotFound(String),
    /// The cloud API refused the call or could not be reached.
    Api(ApiError),
    /// Created, but not ready; the id and outputs are here, so nothing is lost.
    NotReady(NotReady),
    /// The type token names no resource of this provider.
    UnknownType(String),
    /// The operation is not one this resource supports.
    Unsupported(String),
}

impl From<wit::Outputs> for Outputs {
    fn from(o: wit::Outputs) -> Self {
        Self { values: o.values, secrets: o.secrets }
    }
}

impl From<wit::CheckFailure> for CheckFailure {
    fn from(f: wit::CheckFailure) -> Self {
        Self { property: f.property, reason: f.reason }
    }
}

impl From<wit::CheckResult> for CheckResult {
    fn from(r: wit::CheckResult) -> Self {
        Self { inputs: r.inputs, failures: r.failures.into_iter().map(Into::into).collect() }
    }
}

impl From<wit::DiffResult> for DiffResult {
    fn from(d: wit::DiffResult) -> Self {
        Self {
            changes: d.changes,
            diffs: d.diffs,
            replaces: d.replaces,
            delete_before_replace: d.delete_before_replace,
        }
    }
}

impl From<wit::Created> for Created {
    fn from(c: wit::Created) -> Self {
        Self { id: c.id, outputs: c.outputs.into() }
    }
}

impl From<wit::ReadResult> for ReadResult {
    fn from(r: wit::ReadResult) -> Self {
        Self { id: r.id, inputs: r.inputs, outputs: r.outputs.into() }
    }
}

impl From<wit::ListPage> for ListPage {
    fn from(p: wit::ListPage) -> Self {
        Self { items: p.items.into_iter().map(Into::into).collect(), continuation: p.continuation }
    }
}

impl From<wit::Rotated> for Rotated {
    fn from(r: wit::Rotated) -> Self {
        Self { created: r.created.into(), deleted: r.deleted }
    }
}

impl From<wit::ProviderError> for ProviderError {
    fn from(e: wit::ProviderError) -> Self {
        match e {
            wit::ProviderError::InvalidInput(failures) => {
                Self::InvalidInput(failures.into_iter().map(Into::into).collect())
            }
            wit::ProviderError::NotFound(what) => Self::NotFound(what),
            wit::ProviderError::Api(e) => Self::Api(e.into()),
            wit::ProviderError::NotReady(n) => {
                Self::NotReady(NotReady { id: n.id, outputs: n.outputs.into(), reason: n.reason })
            }
            wit::ProviderError::UnknownType(token) => Self::UnknownType(token),
            wit::ProviderError::Unsupported(why) => Self::Unsupported(why),
        }
    }
}

impl From<errors::ApiError> for ApiError {
    fn from(e: errors::ApiError) -> Self {
        let kind = match e.kind {
            errors::ErrorKind::NotFound => ErrorKind::NotFound,
            errors::ErrorKind::InvalidInput => ErrorKind::InvalidInput,
            errors::ErrorKind::AccessDenied => ErrorKind::AccessDenied,
            errors::ErrorKind::NotSent => ErrorKind::NotSent,
            errors::ErrorKind::Transport => ErrorKind::Transport,
            errors::ErrorKind::Service => ErrorKind::Service,
            errors::ErrorKind::Other => ErrorKind::Other,
        };
        let hint = e.hint.map(|h| Hint { property: h.property, value: h.value });
        Self { kind, code: e.code, message: e.message, retryable: e.retryable, hint }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_property_value() {
        let outputs = Outputs {
            values: r#"{"secretAccessKey":"do-not-print-me"}"#.into(),
            secrets: vec!["secretAccessKey".into()],
        };
        let created = Created { id: "b,AKIA".into(), outputs };
        let text = format!("{created:?}");
        assert!(!text.contains("do-not-print-me"), "{text}");
        assert!(text.contains("secretAccessKey"), "the names of secret properties are not secret: {text}");
    }
}
