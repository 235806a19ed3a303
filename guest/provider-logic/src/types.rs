//! The contract's exported types, as plain Rust.

use alloc::{
    string::{String, ToString},
    vec,
    vec::Vec,
};

/// One property that breaks one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFailure {
    pub property: String,
    pub reason: String,
}

impl CheckFailure {
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    pub code: String,
    pub message: String,
    pub retryable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReady {
    pub id: String,
    pub outputs: Outputs,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderError {
    InvalidInput(Vec<CheckFailure>),
    NotFound(String),
    Api(ApiFailure),
    NotReady(NotReady),
    UnknownType(String),
    Unsupported(String),
}

impl ProviderError {
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub inputs: String,
    pub failures: Vec<CheckFailure>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffResult {
    pub changes: bool,
    pub diffs: Vec<String>,
    pub replaces: Vec<String>,
    pub delete_before_replace: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub id: String,
    pub outputs: Outputs,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadResult {
    pub id: String,
    pub inputs: String,
    pub outputs: Outputs,
}
