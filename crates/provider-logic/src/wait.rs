//! Waiting: for a Lightsail operation to finish, polled through GetOperation with growing pauses,
//! and between tries of a read that may work later.

use crate::host::{ApiError, ErrorKind, Host, Level, Operation, OperationStatus};
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
        // Trying again may well work: the change was not confirmed, nor known to be refused.
        let message = format!("{doing}: {self}");
        crate::types::ProviderError::Api(ApiError::new(ErrorKind::Service, "OperationNotCompleted", message, true))
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
        let op = match host.get_operation(region, &first.id) {
            Ok(op) => op,
            // A poll is a read: one that may work later is tried again, within the same budget.
            Err(e) if e.retryable => {
                host.log(Level::Warn, &format!("polling operation {} failed, trying again: {}", first.id, e.message));
                continue;
            }
            Err(e) => return Err(WaitError::Poll { code: e.code, message: e.message }),
        };
        host.log(Level::Debug, &format!("operation {} is {:?}", op.id, op.status));
        if done(&op)? {
            return Ok(());
        }
        last = op.status;
    }
    Err(WaitError::TimedOut { waited_ms: waited, last: format!("{last:?}") })
}

/// Pauses between tries of a call that is safe to repeat: 1 s doubling up to 30 s.
const RETRY_FIRST_PAUSE_MS: u32 = 1_000;
const RETRY_MAX_PAUSE_MS: u32 = 30_000;

/// Runs `call` until it succeeds, fails for good, or its retryable failures have used up the same
/// budget an operation gets (about ten minutes of pauses). Only for calls that are safe to repeat:
/// reads, and deletes whose "already gone" counts as done. (`call` keeps its own result: one copy
/// of this loop serves every caller.)
pub fn retrying(host: &impl Host, what: &str, call: &mut dyn FnMut() -> Result<(), ApiError>) -> Result<(), ApiError> {
    let (mut waited, mut pause) = (0u64, RETRY_FIRST_PAUSE_MS);
    loop {
        match call() {
            Err(e) if e.retryable && waited < BUDGET_MS => {
                host.log(Level::Warn, &format!("{what} failed, trying again in {} s: {}", pause / 1000, e.message));
                host.wait(pause);
                waited += u64::from(pause);
                pause = (pause * 2).min(RETRY_MAX_PAUSE_MS);
            }
            other => return other,
        }
    }
}

/// A read's answer, the read retried as [`retrying`] does.
pub fn reading<T>(host: &impl Host, what: &str, read: &mut dyn FnMut() -> Result<T, ApiError>) -> Result<T, ApiError> {
    let mut answer = None;
    retrying(host, what, &mut || {
        answer = Some(read()?);
        Ok(())
    })?;
    // `retrying` returns `Ok` only once the read answered.
    answer.ok_or_else(|| ApiError::new(crate::host::ErrorKind::Other, "NoAnswer", what, false))
}
