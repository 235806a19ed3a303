//! The contract's exported types, as plain Rust.

use crate::host::ApiError;
use alloc::{
    string::{String, ToString},
    vec,
    vec::Vec,
};

/// One property that breaks one rule.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFailure {
    pub property: String,
    pub reason: String,
}

impl CheckFailure {
    /// A failure of `property`, breaking the rule `reason` states.
    pub fn new(property: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { property: property.into(), reason: reason.into() }
    }
}

impl core::fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.property.is_empty() {
            f.write_str(&self.reason)
        } else {
            write!(f, "{}: {}", self.property, self.reason)
        }
    }
}

/// Property values and the names of those that are secret.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Clone, PartialEq, Eq)]
pub struct Outputs {
    pub values: String,
    pub secrets: Vec<String>,
}

impl core::fmt::Debug for Outputs {
    // The values may hold secrets: show only their names.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Outputs").field("values", &"..").field("secrets", &self.secrets).finish()
    }
}

/// The WIT's `not-ready`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReady {
    pub id: String,
    pub outputs: Outputs,
    pub reason: String,
}

/// The WIT's `provider-error`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderError {
    InvalidInput(Vec<CheckFailure>),
    NotFound(String),
    Api(ApiError),
    NotReady(NotReady),
    UnknownType(String),
    Unsupported(String),
}

impl ProviderError {
    /// Invalid input: one failure of `property`.
    pub fn invalid(property: &str, reason: impl Into<String>) -> Self {
        Self::InvalidInput(vec![CheckFailure::new(property, reason)])
    }
}

impl core::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::InvalidInput(failures) => {
                let list: Vec<String> = failures.iter().map(ToString::to_string).collect();
                write!(f, "invalid input: {}", list.join("; "))
            }
            Self::NotFound(what) => write!(f, "not found: {what}"),
            Self::Api(e) => write!(f, "{}: {}", e.code, e.message),
            Self::NotReady(n) => write!(f, "{} was created but is not ready: {}", n.id, n.reason),
            Self::UnknownType(token) => write!(f, "unknown resource type {token}"),
            Self::Unsupported(why) => write!(f, "unsupported: {why}"),
        }
    }
}

impl core::error::Error for ProviderError {}

/// The WIT's `check-result`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub inputs: String,
    pub failures: Vec<CheckFailure>,
}

/// The WIT's `diff-result`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffResult {
    pub changes: bool,
    pub diffs: Vec<String>,
    pub replaces: Vec<String>,
    pub delete_before_replace: bool,
}

/// The WIT's `created`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub id: String,
    pub outputs: Outputs,
}

/// The WIT's `read-result`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadResult {
    pub id: String,
    pub inputs: String,
    pub outputs: Outputs,
}

/// The WIT's `list-page`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPage {
    pub items: Vec<ReadResult>,
    pub continuation: Option<String>,
}

/// The WIT's `rotated`, in the logic's own types.
#[allow(missing_docs)] // its members are the WIT's, documented there
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    pub created: Created,
    pub deleted: Option<String>,
}
