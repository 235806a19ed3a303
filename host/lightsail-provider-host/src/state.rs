//! What each `Store` holds, how a `lightsail` import is performed (beside the fiber, timed,
//! refused once interrupted), and the host side of the lock, wait and log imports (`openpgp` has
//! its own module).

use crate::aws::LightsailApi;
use crate::bindings::errors::ErrorKind;
use crate::bindings::{api, locks, log};
use crate::interrupt::Interrupt;
use crate::request::PendingRequest;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::component::{Resource, ResourceTable};

pub struct HostState {
    /// When the call began, how much of it was spent in host calls, and how long it waited for
    /// its turn after yielding: the rest is the component's own CPU time, which the epoch callback
    /// bounds.
    started: Instant,
    host_time: Duration,
    yielded: Arc<YieldedTime>,
    /// `None` for calls that need no AWS access (schema, check): the imports then refuse.
    pub api: Option<Arc<LightsailApi>>,
    /// Once thrown, the call makes nothing new and waits no more.
    interrupt: Interrupt,
    /// The longest a `wait` import really waits (tests shorten it).
    pub max_wait: Duration,
    pub limits: crate::limits::Limits,
    /// Where the `lock` import's locks live, and how far they reach; the shared default ones when
    /// not given, taken at the first lock (so calls that take none touch no lock directory).
    locks: Option<Arc<crate::lock::Locks>>,
    /// The locks the call holds: dropped with the store, so a call that traps releases them too.
    guards: ResourceTable,
    locks_held: usize,
    /// Whether the call has sent a change (a create): then an interrupt leaves it what it needs
    /// to settle a lost answer.
    sent_change: bool,
    /// The pool slot this store's instance holds, given back when the store is dropped.
    _slot: Option<tokio::sync::OwnedSemaphorePermit>,
    /// The SDK request an import waits for, polled beside the fiber by the call's task.
    request: Arc<PendingRequest>,
}

impl HostState {
    pub fn new(
        api: Option<Arc<LightsailApi>>,
        locks: Option<Arc<crate::lock::Locks>>,
        interrupt: Interrupt,
        max_wait: Duration,
        limits: crate::limits::Limits,
        slot: Option<tokio::sync::OwnedSemaphorePermit>,
    ) -> Self {
        Self {
            started: Instant::now(),
            host_time: Duration::ZERO,
            yielded: Arc::default(),
            api,
            interrupt,
            max_wait,
            limits,
            locks,
            guards: ResourceTable::new(),
            locks_held: 0,
            sent_change: false,
            _slot: slot,
            request: Arc::default(),
        }
    }

    /// A new call on a reused instance: its CPU time counts from now. (An instance is reused only
    /// after a call that returned, whose locks [`HostState::release_locks`] released.)
    pub fn start_call(&mut self) {
        self.sent_change = false;
        self.started = Instant::now();
        self.host_time = Duration::ZERO;
        self.yielded = Arc::default();
    }

    /// What the export call must run under ([`PendingRequest::drive`]): it polls the imports'
    /// SDK requests.
    pub(crate) fn pending_request(&self) -> Arc<PendingRequest> {
        self.request.clone()
    }

    /// Releases the locks a call that returned still holds (a component bug): the WIT releases
    /// them when the export call returns, not when the instance next serves one.
    pub fn release_locks(&mut self) {
        if self.locks_held > 0 {
            self.guards = ResourceTable::new();
            self.locks_held = 0;
        }
    }

    /// Whether the export call holds a lock now.
    pub(crate) fn holds_lock(&self) -> bool {
        self.locks_held > 0
    }

    /// The largest size the instance's memory has grown to, in bytes.
    pub fn memory_grown_to(&self) -> usize {
        self.limits.grown_to()
    }

    pub fn guest_time(&self) -> Duration {
        self.started.elapsed().saturating_sub(self.host_time).saturating_sub(self.yielded.total())
    }

    /// Gives the executor to other calls, and books the time until this call's turn comes again
    /// as not the component's: on a busy machine with many calls in flight that wait is long, and
    /// counting it would stop a well-behaved component in the middle of its work.
    pub fn yield_turn(&self) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
        let yielded = self.yielded.clone();
        Box::pin(async move {
            let started = Instant::now();
            tokio::task::yield_now().await;
            yielded.add(started.elapsed());
        })
    }

    /// Time spent in the Lightsail API and in waits.
    pub fn host_time(&self) -> Duration {
        self.host_time
    }
}

/// Time a call spent waiting for its turn after yielding (written by the yield's future, which
/// cannot reach the store).
#[derive(Default)]
struct YieldedTime(std::sync::atomic::AtomicU64);

impl YieldedTime {
    fn add(&self, time: Duration) {
        let nanos = u64::try_from(time.as_nanos()).unwrap_or(u64::MAX);
        self.0.fetch_add(nanos, std::sync::atomic::Ordering::Relaxed);
    }

    fn total(&self) -> Duration {
        Duration::from_nanos(self.0.load(std::sync::atomic::Ordering::Relaxed))
    }
}

/// Runs a host call and books its time as host time.
macro_rules! host_call {
    ($self:ident, $body:expr) => {{
        let started = Instant::now();
        let result = $body;
        $self.host_time += started.elapsed();
        result
    }};
}

impl crate::bindings::lightsail::provider::wait::Host for HostState {
    async fn wait(&mut self, millis: u32) {
        let pause = tokio::time::sleep(Duration::from_millis(millis.into()).min(self.max_wait));
        host_call!(self, tokio::select! { () = pause => {}, () = self.interrupt.triggered() => {} })
    }
}

impl locks::Host for HostState {
    async fn acquire(
        &mut self,
        name: String,
    ) -> wasmtime::Result<Result<Resource<crate::lock::Guard>, locks::LockError>> {
        // One lock at a time, as the WIT says: then no two holders can ever wait for each other.
        if self.locks_held > 0 {
            return Err(crate::limits::LimitExceeded::SecondLock { name }.into());
        }
        let locks = self.locks();
        // An interrupted call stops waiting for another holder, as it stops every other wait.
        let interrupt = self.interrupt.clone();
        let taken = host_call!(
            self,
            tokio::select! {
                biased;
                () = interrupt.triggered() => Err(locks::LockError::Interrupted(
                    format!("interrupted while waiting for the lock {name:?}")
                )),
                guard = locks.acquire(&name) => guard.map_err(|e| locks::LockError::Unavailable(e.to_string())),
            }
        );
        match taken {
            Ok(guard) => {
                self.locks_held += 1;
                Ok(Ok(self.guards.push(guard)?))
            }
            Err(refused) => Ok(Err(refused)),
        }
    }

    async fn reach(&mut self) -> locks::LockReach {
        match self.locks().reach() {
            crate::lock::Reach::Process => locks::LockReach::Process,
            crate::lock::Reach::Machine => locks::LockReach::Machine,
            crate::lock::Reach::EveryCreator => locks::LockReach::EveryCreator,
        }
    }
}

impl locks::HostGuard for HostState {
    async fn drop(&mut self, guard: Resource<crate::lock::Guard>) -> wasmtime::Result<()> {
        self.guards.delete(guard)?;
        self.locks_held -= 1;
        Ok(())
    }
}

/// `errors` declares types only: there is nothing to perform.
impl crate::bindings::errors::Host for HostState {}

impl log::Host for HostState {
    async fn log(&mut self, level: log::Level, message: String) {
        // The component promises no secrets in messages; the host still logs them as data only.
        match level {
            log::Level::Trace => tracing::trace!(target: "component", "{message}"),
            log::Level::Debug => tracing::debug!(target: "component", "{message}"),
            log::Level::Info => tracing::info!(target: "component", "{message}"),
            log::Level::Warn => tracing::warn!(target: "component", "{message}"),
            log::Level::Error => tracing::error!(target: "component", "{message}"),
        }
    }
}

/// What a `lightsail` import does, for what an interrupt stops.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Performs {
    /// Reads or deletes: safe to repeat, and what a create needs to settle a lost answer.
    Look,
    /// Makes or changes something (the operation's name).
    Change(&'static str),
    /// Polls an operation (`GetOperation`).
    Poll,
}

impl HostState {
    fn locks(&mut self) -> Arc<crate::lock::Locks> {
        self.locks.get_or_insert_with(crate::lock::Locks::shared_default).clone()
    }

    /// Performs a `lightsail` import with `call`: refused when the call was made without AWS
    /// access; once the call is interrupted, refused if it changes something or polls, and, in a
    /// call that has sent no change (so has nothing to settle), refused or abandoned in flight
    /// whatever it is (see [`crate::interrupt`]); polled beside the fiber (see
    /// [`crate::request`]) and timed as a host call.
    pub(crate) async fn perform<T, F>(
        &mut self,
        performs: Performs,
        call: impl FnOnce(Arc<LightsailApi>) -> F,
    ) -> Result<T, api::ApiError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, api::ApiError>> + Send + 'static,
    {
        match performs {
            Performs::Change(operation) => {
                self.interrupt.check(operation)?;
                self.sent_change = true;
            }
            Performs::Poll => self.interrupt.check("GetOperation")?,
            Performs::Look if !self.sent_change => self.interrupt.check("the request")?,
            Performs::Look => {}
        }
        let api = self.api()?;
        let request = self.request.clone();
        let work = call(api);
        // Nothing to settle: an interrupt abandons the request in flight (a Ctrl-C before any
        // create ends the call at once, however slow the endpoint). It may have arrived, so the
        // error is `transport`, not `not-sent`.
        let abandon = (!self.sent_change).then(|| self.interrupt.clone());
        let work = async move {
            let Some(interrupt) = abandon else { return work.await };
            tokio::select! {
                biased;
                () = interrupt.triggered() => Err(crate::interrupt::abandoned()),
                answer = work => answer,
            }
        };
        host_call!(self, request.send(work).await).unwrap_or_else(|| {
            // Only a call dropped mid-request loses its answer, and then nobody reads this.
            Err(api::ApiError::new(ErrorKind::Transport, "Cancelled", "the call was cancelled", true))
        })
    }

    /// Runs CPU-bound host work (OpenPGP) on a blocking thread: off the fiber, whose stack is
    /// the component's, and off the executor's threads. Timed as a host call. `None` only when
    /// the runtime shuts down under it.
    pub(crate) async fn host_work<T: Send + 'static>(
        &mut self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let task = tokio::task::spawn_blocking(work);
        match host_call!(self, task.await) {
            Ok(done) => Some(done),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => None,
        }
    }

    /// What the host was given of AWS: its default region and default tags, or nothing.
    pub(crate) fn aws(&self) -> Option<&LightsailApi> {
        self.api.as_deref()
    }

    fn api(&self) -> Result<Arc<LightsailApi>, api::ApiError> {
        self.api.clone().ok_or_else(|| {
            api::ApiError::new(ErrorKind::NotSent, "NoAwsAccess", "this call was made without AWS access", false)
        })
    }
}
