//! Many calls at once: an engine that plans a whole graph hands over every call that is ready and
//! gets the answers back in the same order. Calls run concurrently on one runtime, each in its own
//! `Store`, at most `max_in_flight` at a time.

use crate::provider::{CallError, Provider};
use crate::types::{CheckResult, Created, DiffResult, Outputs, ReadResult};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// One call of a batch. Each variant's fields are the parameters of the [`Provider`] method of the
/// same name, and mean what they mean there.
#[derive(Debug, Clone)]
#[allow(missing_docs)] // the fields: documented on the methods
pub enum Call {
    /// [`Provider::check`].
    Check { token: String, olds: Option<String>, news: String },
    /// [`Provider::diff`].
    Diff { token: String, id: String, olds: String, news: String },
    /// [`Provider::create`].
    Create { token: String, inputs: String, preview: bool },
    /// [`Provider::read`].
    Read { token: String, id: String, state: Option<String> },
    /// [`Provider::update`].
    Update { token: String, id: String, olds: String, news: String, preview: bool },
    /// [`Provider::delete`].
    Delete { token: String, id: String, state: String },
    /// [`Provider::import`].
    Import { token: String, id: String },
}

/// The answer to a [`Call`] of the same kind.
#[derive(Debug)]
pub enum Answer {
    /// To [`Call::Check`].
    Checked(CheckResult),
    /// To [`Call::Diff`].
    Diffed(DiffResult),
    /// To [`Call::Create`].
    Created(Created),
    /// To [`Call::Read`]; `None`: the resource is gone.
    Read(Option<ReadResult>),
    /// To [`Call::Update`].
    Updated(Outputs),
    /// To [`Call::Delete`].
    Deleted,
    /// To [`Call::Import`].
    Imported(ReadResult),
}

impl Provider {
    /// Runs `calls` concurrently, at most `max_in_flight` at once, and returns their answers in
    /// the order of `calls`.
    pub async fn run_batch(&self, calls: Vec<Call>, max_in_flight: usize) -> Vec<Result<Answer, CallError>> {
        let permits = Arc::new(Semaphore::new(max_in_flight.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        let count = calls.len();
        for (index, call) in calls.into_iter().enumerate() {
            let provider = self.clone();
            let permits = permits.clone();
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await.expect("the semaphore is never closed");
                (index, provider.run(call).await)
            });
        }
        let mut answers: Vec<Option<Result<Answer, CallError>>> = (0..count).map(|_| None).collect();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((index, answer)) => answers[index] = Some(answer),
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            }
        }
        answers.into_iter().map(|a| a.expect("every call answered")).collect()
    }

    /// Runs one [`Call`].
    pub async fn run(&self, call: Call) -> Result<Answer, CallError> {
        Ok(match call {
            Call::Check { token, olds, news } => Answer::Checked(self.check(&token, olds.as_deref(), &news).await?),
            Call::Diff { token, id, olds, news } => Answer::Diffed(self.diff(&token, &id, &olds, &news).await?),
            Call::Create { token, inputs, preview } => Answer::Created(self.create(&token, &inputs, preview).await?),
            Call::Read { token, id, state } => Answer::Read(self.read(&token, &id, state.as_deref()).await?),
            Call::Update { token, id, olds, news, preview } => {
                Answer::Updated(self.update(&token, &id, &olds, &news, preview).await?)
            }
            Call::Delete { token, id, state } => {
                self.delete(&token, &id, &state).await?;
                Answer::Deleted
            }
            Call::Import { token, id } => Answer::Imported(self.import(&token, &id).await?),
        })
    }
}
