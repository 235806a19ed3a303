//! Interrupting the calls in flight, as a command-line host does on Ctrl-C, without losing what
//! they made.
//!
//! Once interrupted, a call makes nothing new: the imports refuse the calls that create or change
//! (`create-bucket-access-key`, `create-bucket`, `update-bucket-bundle`) and stop waiting for
//! operations (`wait` returns at once, `get-operation` answers `Interrupted`), so a create whose
//! resource exists returns it as `not-ready` with its id and outputs. A call still waiting for a
//! lock another process holds stops waiting, with a guard that holds nothing: under it nothing
//! can be created. The calls that look and
//! clean up (lists, gets, deletes) still go out: a create needs them to settle a lost answer.

use crate::bindings::api;
use std::sync::Arc;

/// The error code of a call an interrupt refused.
pub const INTERRUPTED: &str = "Interrupted";

/// A switch that interrupts every call of the providers that share it. Cloning is cheap.
#[derive(Clone)]
pub struct Interrupt(Arc<tokio::sync::watch::Sender<bool>>);

impl Default for Interrupt {
    fn default() -> Self {
        Self(Arc::new(tokio::sync::watch::Sender::new(false)))
    }
}

impl Interrupt {
    /// A switch not yet thrown.
    pub fn new() -> Self {
        Self::default()
    }

    /// Interrupts the calls in flight and every later one.
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }

    /// Whether [`Interrupt::trigger`] was called.
    pub fn is_triggered(&self) -> bool {
        *self.0.borrow()
    }

    /// Returns once the switch is thrown.
    pub(crate) async fn triggered(&self) {
        // The sender lives as long as `self`, so the wait ends only when the value turns true.
        let _ = self.0.subscribe().wait_for(|on| *on).await;
    }

    /// The refusal of a call that would make or change something, or wait, after an interrupt.
    pub(crate) fn check(&self, what: &str) -> Result<(), api::ApiError> {
        if !self.is_triggered() {
            return Ok(());
        }
        Err(api::ApiError::new(
            crate::bindings::errors::ErrorKind::NotSent,
            INTERRUPTED,
            format!("interrupted: {what} was not sent"),
            false,
        ))
    }
}

/// The error of a request abandoned in flight once the call was interrupted: it may have reached
/// the endpoint, so the contract's kind is `transport`.
pub(crate) fn abandoned() -> api::ApiError {
    api::ApiError::new(
        crate::bindings::errors::ErrorKind::Transport,
        INTERRUPTED,
        "interrupted while waiting for an answer: the request may have arrived",
        false,
    )
}
