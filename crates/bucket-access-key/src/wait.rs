//! Waiting for a Lightsail operation to finish, polled through GetOperation with growing pauses.

use crate::host::{Host, Level, Operation, OperationStatus};
use alloc::{format, string::String};

/// Pauses between polls: 0.5 s doubling up to 5 s, for at most about ten minutes in all.
const FIRST_PAUSE_MS: u32 = 500;
const MAX_PAUSE_MS: u32 = 5_000;
pub const BUDGET_MS: u64 = 10 * 60 * 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitError {
    Failed { code: Option<String>, details: Option<String> },
    NeverStarted,
    TimedOut { waited_ms: u64, last: String },
    Poll { code: String, message: String },
}

impl core::fmt::Display for WaitError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Failed { code, details } => write!(
                f,
                "the operation failed ({}: {})",
                code.as_deref().unwrap_or("no error code"),
                details.as_deref().unwrap_or("no details")
            ),
            Self::NeverStarted => f.write_str("the operation ended without starting (status NotStarted)"),
            Self::TimedOut { waited_ms, last } => {
                write!(f, "the operation was still {last} after {} s of waiting", waited_ms / 1000)
            }
            Self::Poll { code, message } => write!(f, "the operation could not be polled ({code}: {message})"),
        }
    }
}

impl WaitError {
    /// As the error of a call whose change was not confirmed (a delete or an update).
    pub fn into_error(self, doing: &str) -> crate::types::ProviderError {
        crate::types::ProviderError::Api(crate::types::ApiFailure {
            code: "OperationNotCompleted".into(),
            message: format!("{doing}: {self}"),
            // Trying again may well work: the change was not confirmed, nor known to be refused.
            retryable: true,
        })
    }
}

fn done(op: &Operation) -> Result<bool, WaitError> {
    match op.status {
        OperationStatus::Succeeded | OperationStatus::Completed => Ok(true),
        OperationStatus::Failed => {
            Err(WaitError::Failed { code: op.error_code.clone(), details: op.error_details.clone() })
        }
        OperationStatus::NotStarted if op.is_terminal => Err(WaitError::NeverStarted),
        OperationStatus::NotStarted | OperationStatus::Started => Ok(false),
    }
}

/// Returns when `first` (as the mutating call returned it) has finished well.
pub fn until_done(host: &impl Host, region: Option<&str>, first: &Operation) -> Result<(), WaitError> {
    if done(first)? {
        return Ok(());
    }
    let (mut waited, mut pause) = (0u64, FIRST_PAUSE_MS);
    let mut last = first.status;
    while waited < BUDGET_MS {
        host.wait(pause);
        waited += u64::from(pause);
        pause = (pause * 2).min(MAX_PAUSE_MS);
        let op = host
            .get_operation(region, &first.id)
            .map_err(|e| WaitError::Poll { code: e.code.clone(), message: e.message.clone() })?;
        host.log(Level::Debug, &format!("operation {} is {:?}", op.id, op.status));
        if done(&op)? {
            return Ok(());
        }
        last = op.status;
    }
    Err(WaitError::TimedOut { waited_ms: waited, last: format!("{last:?}") })
}
