//! The SDK request a `lightsail` import waits for, polled by the call's own task beside the
//! component's fiber rather than on it.
//!
//! A host function's future is polled on the fiber, whose stack is sized for the component: the
//! SDK's deeper paths (its credential chain in a debug build) overflow it. Spawning the request as a
//! task of its own keeps it off the fiber but costs a task and a hand-over between threads (about
//! 20 µs of a read, docs/performance.md). Instead the import leaves the request here and waits on
//! the fiber for its answer; [`PendingRequest::drive`], which runs the export call, polls the
//! request each time the fiber suspends, on the task's own stack (a runtime thread's, as for any
//! task) and with the task's waker: no task, no second stack to size, no guess at the SDK's depth.
//!
//! The component's calls are synchronous (one import at a time), so one request is pending at most.
//! Every export call must run under [`PendingRequest::drive`] (`Provider`'s one call path does):
//! a request left with nothing to poll it would wait for ever.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

type Request = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Where the pending request stands after a poll.
enum Progress {
    NoRequest,
    Running,
    /// It has answered: its import can go on.
    Answered,
}

/// The request an import of the current call waits for, if any.
#[derive(Default)]
pub(crate) struct PendingRequest(Mutex<Option<Request>>);

impl PendingRequest {
    /// Leaves `request` to be polled beside the fiber, and returns its answer once it has one;
    /// `None` if it was dropped unanswered (the call ended first).
    pub(crate) async fn send<T: Send + 'static>(&self, request: impl Future<Output = T> + Send + 'static) -> Option<T> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let request = Box::pin(async move {
            // The receiver is gone only if the call was dropped meanwhile.
            let _ = answer.send(request.await);
        });
        let previous = self.slot().replace(request);
        debug_assert!(previous.is_none(), "the component makes one import call at a time");
        answered.await.ok()
    }

    /// Runs `call` (an export call, which runs the fiber), polling the pending request each time
    /// the call is pending. While a request runs, the fiber only waits for its answer, so the call
    /// is resumed once the request has answered, not at each of the request's wake-ups.
    pub(crate) async fn drive<T>(&self, call: impl Future<Output = T>) -> T {
        let mut call = std::pin::pin!(call);
        std::future::poll_fn(|cx| {
            loop {
                if let Progress::Running = self.poll_request(cx) {
                    return Poll::Pending;
                }
                if let Poll::Ready(done) = call.as_mut().poll(cx) {
                    return Poll::Ready(done);
                }
                // Pending on something else (a wait, a lock, its turn after a yield), which wakes
                // the task; or on a request it has just left, which is polled at once.
                if self.slot().is_none() {
                    return Poll::Pending;
                }
            }
        })
        .await
    }

    /// Polls the pending request, if any.
    fn poll_request(&self, cx: &mut Context<'_>) -> Progress {
        let mut slot = self.slot();
        let Some(request) = slot.as_mut() else { return Progress::NoRequest };
        if request.as_mut().poll(cx).is_pending() {
            return Progress::Running;
        }
        *slot = None;
        Progress::Answered
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Request>> {
        // Only the call's own task touches it, one poll at a time; a panic in a request leaves
        // nothing half-done in the slot.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::PendingRequest;

    /// A request left by the inner future is polled by `drive` and its answer reaches the inner
    /// future: one ready at once, and one that is pending first (as a request on the network is).
    #[tokio::test(flavor = "current_thread")]
    async fn drive_polls_the_request_and_the_call_gets_its_answer() {
        let pending = PendingRequest::default();
        let call = async {
            let first = pending.send(async { 1 }).await;
            let second = pending
                .send(async {
                    tokio::task::yield_now().await;
                    2
                })
                .await;
            (first, second)
        };
        assert_eq!(pending.drive(call).await, (Some(1), Some(2)));
        assert!(pending.slot().is_none(), "nothing is left pending");
    }
}
