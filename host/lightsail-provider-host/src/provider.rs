//! The component's exports as a typed async Rust API. Calls of the embedded component reuse
//! instances (one per call in flight, each call from a clean heap); any other component's calls each
//! run in a fresh `Store`, sharing nothing but the compiled component and the AWS clients. Either
//! way any number of calls run at once. [`Provider::reusing_one_instance`] serves them from one
//! instance instead, one at a time.

use crate::aws::LightsailApi;
use crate::engine::{CallTimes, ComponentRuntime, Slots};
use crate::interrupt::Interrupt;
use crate::limits::LimitExceeded;
use crate::lock::Locks;
use crate::state::HostState;
use crate::types::{CheckResult, Created, DiffResult, ListPage, Outputs, ProviderError, ReadResult, Rotated};
use std::sync::Arc;
use std::time::Instant;

/// Why a call did not return a result.
#[derive(Debug)]
#[non_exhaustive]
pub enum CallError {
    /// The provider answered with an error (invalid input, not found, AWS, not ready, ...).
    Provider(ProviderError),
    /// The component could not run or trapped: a bug in it, or a limit it broke.
    Trap(anyhow::Error),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Provider(e) => f.write_str(&describe_error(e)),
            Self::Trap(e) => write!(f, "the provider component failed: {}", explain_trap(e)),
        }
    }
}

impl std::error::Error for CallError {}

/// A trap in words: what the component did, then wasmtime's own account (`{:?}` of the error keeps
/// the wasm backtrace for debugging).
fn explain_trap(error: &anyhow::Error) -> String {
    // The root cause says what happened; the chain above it is a wasm backtrace.
    let text = error.root_cause().to_string();
    let what = if error.downcast_ref::<LimitExceeded>().is_some() {
        "it broke a limit of the host"
    } else if error.downcast_ref::<crate::lock::LockError>().is_some() {
        "the host could not serve it"
    } else if let Some(trap) = error.downcast_ref::<wasmtime::Trap>() {
        match trap {
            wasmtime::Trap::UnreachableCodeReached => "it trapped (the component panicked or aborted)",
            wasmtime::Trap::StackOverflow => "it overflowed its stack",
            wasmtime::Trap::Interrupt => "it was interrupted",
            _ => "it trapped",
        }
    } else {
        "it could not run"
    };
    format!("{what}: {text}")
}

/// A provider error in words (never with secret values: `not-ready` outputs are not printed).
pub fn describe_error(error: &ProviderError) -> String {
    match error {
        ProviderError::InvalidInput(failures) => {
            let list: Vec<String> = failures
                .iter()
                .map(|f| if f.property.is_empty() { f.reason.clone() } else { format!("{}: {}", f.property, f.reason) })
                .collect();
            format!("invalid input: {}", list.join("; "))
        }
        ProviderError::NotFound(what) => format!("not found: {what}"),
        ProviderError::Api(e) => {
            let retry = if e.retryable { " (retryable)" } else { "" };
            // In the schema's names: an engine that spells them otherwise words the hint itself.
            let hint = e.hint.as_ref().map(|h| format!("; set {} to {} to allow it", h.property, h.value));
            format!("AWS error {}: {}{}{retry}", e.code, e.message, hint.unwrap_or_default())
        }
        ProviderError::NotReady(n) => format!("{} was created but is not ready: {}", n.id, n.reason),
        ProviderError::UnknownType(token) => format!("unknown resource type {token}"),
        ProviderError::Unsupported(why) => format!("unsupported: {why}"),
    }
}

/// The component's `resource-provider` export. (Property bags are `&String` in the generated
/// signatures, a WIT type alias, hence the owned copies at the call sites.)
fn exports(provider: &crate::bindings::Provider) -> &crate::bindings::exported::Guest {
    provider.lightsail_provider_resource_provider()
}

/// A component's answer in the host's own types.
fn answer<W, T: From<W>>(result: Result<W, crate::bindings::exported::ProviderError>) -> Result<T, CallError> {
    result.map(Into::into).map_err(|e| CallError::Provider(e.into()))
}

/// The component's exports as typed async calls. By default each call runs in a fresh `Store`:
/// calls share only the compiled component, the AWS clients and the locks, so any number may run
/// at once. Cloning is cheap (a clone shares a reused instance).
#[derive(Clone)]
pub struct Provider {
    runtime: Arc<ComponentRuntime>,
    api: Option<Arc<LightsailApi>>,
    /// `None`: [`Locks::shared_default`], taken when a call first needs a lock.
    locks: Option<Arc<Locks>>,
    interrupt: Interrupt,
    instances: Instances,
}

/// Where a call's instance comes from.
#[derive(Clone)]
enum Instances {
    /// A fresh instance per call: calls share nothing and any number run at once.
    Fresh,
    /// One instance for every call, one call at a time (each from a clean heap, as the WIT
    /// says); after a trap the instance is dropped and the next call gets a new one.
    Reused(Arc<tokio::sync::Mutex<Option<Instance>>>),
    /// Instances kept between calls, one per call in flight: a call takes an idle one (or makes
    /// one) and puts it back when it returns, so calls run at once and each starts from a clean
    /// heap. A trapped instance is dropped; how many wait idle follows the load ([`Pool`]).
    Pooled(Arc<std::sync::Mutex<Pool<Instance>>>),
}

/// Idle instances a pooled provider keeps when few calls are in flight: enough for the calls a
/// busy engine runs at once (Terraform's parallelism is 10).
pub const IDLE_AT_REST: usize = 16;

/// A pooled provider's idle instances and its calls in flight. The idle instances follow the load:
/// during a burst as many are kept as calls are in flight (each call of a lifecycle after the first
/// then finds one), and as the burst ends they are dropped back to [`IDLE_AT_REST`], giving their
/// pool slots and memory back. (Generic only so that its tests need no instances.)
struct Pool<I> {
    idle: Vec<I>,
    in_flight: usize,
}

impl<I> Default for Pool<I> {
    fn default() -> Self {
        Self { idle: Vec::new(), in_flight: 0 }
    }
}

impl<I> Pool<I> {
    /// A call starts: it takes an idle instance if there is one.
    fn start(&mut self) -> Option<I> {
        self.in_flight += 1;
        self.idle.pop()
    }

    /// A call ends, with its instance if it can be called again; `slots`, the runtime's pool slots
    /// (`None`: instances allocated on demand, no limit). Returns the instances to drop, which the
    /// caller drops after unlocking (dropping one cleans its pool slot).
    fn end(&mut self, instance: Option<I>, slots: Option<Slots>) -> Vec<I> {
        self.in_flight -= 1;
        let mut dropped = Vec::new();
        if let Some(instance) = instance {
            if keeps_another(self.idle.len(), self.in_flight, slots) {
                self.idle.push(instance);
            } else {
                dropped.push(instance);
            }
        }
        let wanted = idle_wanted(self.in_flight);
        if self.idle.len() > wanted {
            dropped.extend(self.idle.drain(wanted..));
        }
        dropped
    }
}

/// Idle instances worth keeping while `in_flight` calls run.
fn idle_wanted(in_flight: usize) -> usize {
    in_flight.max(IDLE_AT_REST)
}

/// Whether a returning instance is kept beside `idle` others while `in_flight` other calls run.
/// Never when no slot is free (a call may be waiting for one, and would wait beside an idle
/// instance), nor when the idle ones and one per call in flight would need more slots than there
/// are (a call in flight that has no instance yet may need one).
fn keeps_another(idle: usize, in_flight: usize, slots: Option<Slots>) -> bool {
    let room = slots.is_none_or(|slots| slots.free > 0 && idle + 1 + in_flight <= slots.total);
    room && idle < idle_wanted(in_flight)
}

/// An instance and the store it lives in.
type Instance = (wasmtime::Store<HostState>, crate::bindings::Provider);

/// A call of a pooled provider, in flight from its start until it ends or its future is dropped.
struct PooledCall<'a> {
    pool: &'a std::sync::Mutex<Pool<Instance>>,
    runtime: &'a ComponentRuntime,
    ended: bool,
}

impl<'a> PooledCall<'a> {
    /// Counts the call in flight and takes an idle instance for it, if there is one.
    fn start(pool: &'a std::sync::Mutex<Pool<Instance>>, runtime: &'a ComponentRuntime) -> (Self, Option<Instance>) {
        let kept = lock(pool).start();
        (Self { pool, runtime, ended: false }, kept)
    }

    /// Ends the call, putting back its instance if it can be called again.
    fn end(mut self, instance: Option<Instance>) {
        self.ended = true;
        let dropped = lock(self.pool).end(instance, self.runtime.slots());
        // Outside the lock: dropping an instance cleans its pool slot.
        drop(dropped);
    }
}

impl Drop for PooledCall<'_> {
    fn drop(&mut self) {
        if !self.ended {
            let dropped = lock(self.pool).end(None, self.runtime.slots());
            drop(dropped);
        }
    }
}

/// A pool's lock; no code panics while holding it, and its counts stay whole if one did.
fn lock(pool: &std::sync::Mutex<Pool<Instance>>) -> std::sync::MutexGuard<'_, Pool<Instance>> {
    pool.lock().unwrap_or_else(|e| e.into_inner())
}

/// One call's times: getting its instance (`started` to `ready`; `made`: a new one), running it
/// (to `ran`, of which `host` in host calls), and putting the instance back or away (from `ran`
/// to now).
fn call_times(started: Instant, made: bool, ready: Instant, ran: Instant, host: std::time::Duration) -> CallTimes {
    let (instantiate, run, cleanup) = (ready - started, ran - ready, ran.elapsed());
    CallTimes { calls: 1, new_instances: made.into(), instantiate, run, host, cleanup }
}

impl Provider {
    /// The one way a call runs, in every instance mode: get an instance (kept, or new), start the
    /// call, run it, release the locks it still holds, put the instance back if it answered (a
    /// trapped one cannot be called again), and record the call's times.
    async fn call<T>(
        &self,
        export: impl AsyncFnOnce(&mut wasmtime::Store<HostState>, &crate::bindings::Provider) -> wasmtime::Result<T>,
    ) -> Result<T, CallError> {
        let started = Instant::now();
        // A reused instance serves one call at a time: its slot is held for the whole call.
        let mut slot = match &self.instances {
            Instances::Reused(slot) => Some(slot.lock().await),
            Instances::Fresh | Instances::Pooled(_) => None,
        };
        // Out of its slot or pool for the call: a call whose future is dropped before it returns
        // takes its instance with it, rather than leave one stopped mid-call.
        let (pooled, kept) = match (&self.instances, slot.as_mut()) {
            (Instances::Reused(_), Some(slot)) => (None, slot.take()),
            (Instances::Pooled(pool), _) => {
                let (call, kept) = PooledCall::start(pool, &self.runtime);
                (Some(call), kept)
            }
            _ => (None, None),
        };
        let made = kept.is_none();
        let (mut store, instance) = match kept {
            Some(kept) => kept,
            None => self
                .runtime
                .instantiate(self.api.clone(), self.locks.clone(), self.interrupt.clone())
                .await
                .map_err(CallError::Trap)?,
        };
        store.data_mut().start_call();
        let ready = Instant::now();
        let request = store.data().pending_request();
        let result = request.drive(export(&mut store, &instance)).await.map_err(|e| CallError::Trap(e.into()));
        let ran = Instant::now();
        let host = store.data().host_time();
        store.data_mut().release_locks();
        // A trapped instance cannot be called again.
        let reusable = result.is_ok().then_some((store, instance));
        match (pooled, slot.as_mut()) {
            (Some(call), _) => call.end(reusable),
            (None, Some(slot)) => **slot = reusable,
            (None, None) => drop(reusable),
        }
        drop(slot);
        self.runtime.add_call_times(call_times(started, made, ready, ran, host));
        result
    }

    /// `api: None` is enough for `schema`, `resource_types` and `check`. The embedded component's
    /// instances are reused (see [`Provider::reusing_instances`]; faster and a fraction of the
    /// memory, as docs/performance.md measures); a component loaded from elsewhere gets a fresh
    /// instance per call, so that no call sees what another left behind.
    pub fn new(runtime: Arc<ComponentRuntime>, api: Option<Arc<LightsailApi>>) -> Self {
        let instances = if runtime.is_embedded() { Instances::Pooled(Arc::default()) } else { Instances::Fresh };
        Self { runtime, api, locks: None, interrupt: Interrupt::new(), instances }
    }

    /// The locks this provider's creates take (by default [`Locks::shared_default`]: file locks
    /// in the per-user lock directory, which every host of this project on the machine uses).
    /// Kept instances were made with the locks of their time, so this provider starts its own.
    pub fn with_locks(mut self, locks: Arc<Locks>) -> Self {
        self.locks = Some(locks);
        self.without_kept_instances()
    }

    /// Instances are made with the provider's API, locks and interrupt: a provider that changes
    /// one keeps none of the instances made before.
    fn without_kept_instances(mut self) -> Self {
        self.instances = match self.instances {
            Instances::Fresh => Instances::Fresh,
            Instances::Reused(_) => Instances::Reused(Arc::default()),
            Instances::Pooled(_) => Instances::Pooled(Arc::default()),
        };
        self
    }

    /// Each call on a fresh instance, whatever the component: calls share nothing.
    pub fn with_fresh_instances(mut self) -> Self {
        self.instances = Instances::Fresh;
        self
    }

    /// Calls on this provider (and its clones) share one instance, one call at a time, each from
    /// a clean heap. Cheaper per call than a fresh instance, but a call waits for the one before:
    /// for hosts that run calls one after another.
    pub fn reusing_one_instance(mut self) -> Self {
        self.instances = Instances::Reused(Arc::default());
        self
    }

    /// Calls on this provider (and its clones) reuse instances: each call takes an idle instance
    /// (or makes one), runs from a clean heap, and puts it back; calls still run at once, each on
    /// its own instance. What a call leaves in an instance's memory (not its heap, which is reset)
    /// is seen by later calls: for components this host trusts, such as the embedded one.
    pub fn reusing_instances(mut self) -> Self {
        self.instances = Instances::Pooled(Arc::default());
        self
    }

    /// With a reused instance, the largest size its memory has grown to (bytes); `None` before
    /// the first call, or for fresh instances.
    pub async fn instance_memory(&self) -> Option<usize> {
        match &self.instances {
            Instances::Reused(slot) => slot.lock().await.as_ref().map(|(store, _)| store.data().memory_grown_to()),
            Instances::Fresh | Instances::Pooled(_) => None,
        }
    }

    /// Calls that `interrupt` interrupts, in flight or later (see [`crate::interrupt`]).
    pub fn with_interrupt(mut self, interrupt: Interrupt) -> Self {
        self.interrupt = interrupt;
        self.without_kept_instances()
    }

    /// The runtime the calls run on.
    pub fn runtime(&self) -> &ComponentRuntime {
        &self.runtime
    }

    /// The type tokens of the resources the component implements.
    pub async fn resource_types(&self) -> Result<Vec<String>, CallError> {
        self.call(async |store, provider| exports(provider).call_resource_types(store).await).await
    }

    /// The component's Pulumi package schema (JSON).
    pub async fn schema(&self) -> Result<String, CallError> {
        self.call(async |store, provider| exports(provider).call_schema(store).await).await
    }

    /// Validates and normalizes new inputs (`news`), given the old ones when the resource exists.
    /// Failures come back in the result, each naming a property and a rule.
    pub async fn check(&self, token: &str, olds: Option<&str>, news: &str) -> Result<CheckResult, CallError> {
        let (olds, news) = (olds.map(str::to_owned), news.to_owned());
        answer(
            self.call(async |store, provider| exports(provider).call_check(store, token, olds.as_ref(), &news).await)
                .await?,
        )
    }

    /// Compares a resource's state (`olds`, its last outputs) with new inputs.
    pub async fn diff(&self, token: &str, id: &str, olds: &str, news: &str) -> Result<DiffResult, CallError> {
        let (olds, news) = (olds.to_owned(), news.to_owned());
        answer(
            self.call(async |store, provider| exports(provider).call_diff(store, token, id, &olds, &news).await)
                .await?,
        )
    }

    /// Creates a resource; a `preview` makes no API call and answers what is known before it.
    pub async fn create(&self, token: &str, inputs: &str, preview: bool) -> Result<Created, CallError> {
        let inputs = inputs.to_owned();
        answer(
            self.call(async |store, provider| exports(provider).call_create(store, token, &inputs, preview).await)
                .await?,
        )
    }

    /// Reads a resource's current state; `Ok(None)`: it is gone. `state`, its last outputs, gives
    /// what the API never returns again (a secret).
    pub async fn read(&self, token: &str, id: &str, state: Option<&str>) -> Result<Option<ReadResult>, CallError> {
        let state = state.map(str::to_owned);
        let read = self
            .call(async |store, provider| exports(provider).call_read(store, token, id, state.as_ref()).await)
            .await?;
        read.map(|found| found.map(Into::into)).map_err(|e| CallError::Provider(e.into()))
    }

    /// Changes a resource in place; a `preview` makes no API call.
    pub async fn update(
        &self,
        token: &str,
        id: &str,
        olds: &str,
        news: &str,
        preview: bool,
    ) -> Result<Outputs, CallError> {
        let (olds, news) = (olds.to_owned(), news.to_owned());
        let update = async |store: &mut _, provider: &_| {
            exports(provider).call_update(store, token, id, &olds, &news, preview).await
        };
        answer(self.call(update).await?)
    }

    /// Deletes a resource; one already gone counts as deleted.
    pub async fn delete(&self, token: &str, id: &str, state: &str) -> Result<(), CallError> {
        let state = state.to_owned();
        let deleted =
            self.call(async |store, provider| exports(provider).call_delete(store, token, id, &state).await).await?;
        deleted.map_err(|e| CallError::Provider(e.into()))
    }

    /// Adopts an existing resource by its id, with the inputs that would produce it.
    pub async fn import(&self, token: &str, id: &str) -> Result<ReadResult, CallError> {
        answer(self.call(async |store, provider| exports(provider).call_import(store, token, id).await).await?)
    }

    /// One page of the resources of a type that exist, as far as `query` (a JSON object of the
    /// schema's `TOKENListQuery` properties) narrows them; `limit` and `page_size` 0: none, the
    /// component's choice. Only reads are made, and no secret is answered.
    pub async fn list(
        &self,
        token: &str,
        query: &str,
        limit: u32,
        page_size: u32,
        continuation: Option<&str>,
    ) -> Result<ListPage, CallError> {
        let (query, continuation) = (query.to_owned(), continuation.map(str::to_owned));
        let list = async |store: &mut _, provider: &_| {
            exports(provider).call_list(store, token, &query, limit, page_size, continuation.as_deref()).await
        };
        answer(self.call(list).await?)
    }

    /// Creates a resource, first deleting `replace` (an id of `list`'s) or the oldest where its
    /// container is full (a bucket's two keys); a `preview` only reads which would go.
    pub async fn rotate(
        &self,
        token: &str,
        inputs: &str,
        replace: Option<&str>,
        preview: bool,
    ) -> Result<Rotated, CallError> {
        let inputs = inputs.to_owned();
        let rotate = async |store: &mut _, provider: &_| {
            exports(provider).call_rotate(store, token, &inputs, replace, preview).await
        };
        answer(self.call(rotate).await?)
    }
}

#[cfg(test)]
mod tests {
    use crate::interrupt::Interrupt;
    use crate::{ComponentRuntime, PROVIDER_COMPONENT, RuntimeOptions};
    use std::time::Duration;

    /// The embedded component's calls run on instances kept between calls, one per call in flight;
    /// any other component's calls each get a fresh instance.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_embedded_component_reuses_instances_and_others_do_not() {
        use super::{IDLE_AT_REST, Instances, Provider};
        let options = RuntimeOptions { cache_dir: None, ..Default::default() };
        let runtime = std::sync::Arc::new(ComponentRuntime::new(PROVIDER_COMPONENT, options.clone()).unwrap());
        let provider = Provider::new(runtime, None);
        let Instances::Pooled(pool) = &provider.instances else { panic!("the embedded component is pooled") };
        let token = "aws:lightsail/bucketAccessKey:BucketAccessKey";
        let calls: Vec<_> = (0..40)
            .map(|i| {
                let provider = provider.clone();
                tokio::spawn(async move { provider.check(token, None, &format!(r#"{{"bucketName": "b-{i}"}}"#)).await })
            })
            .collect();
        for call in calls {
            assert!(call.await.unwrap().unwrap().failures.is_empty());
        }
        let kept = pool.lock().unwrap().idle.len();
        assert!((1..=IDLE_AT_REST).contains(&kept), "{kept} instances kept");
        for _ in 0..100 {
            provider.resource_types().await.unwrap();
        }
        assert_eq!(pool.lock().unwrap().idle.len(), kept, "calls one after another reuse one instance");
        assert_eq!(pool.lock().unwrap().in_flight, 0);

        // The same component with one more custom section is a component from elsewhere.
        let mut other = PROVIDER_COMPONENT.to_vec();
        other.extend_from_slice(&[0, 6, 5, b'o', b't', b'h', b'e', b'r']);
        let runtime = std::sync::Arc::new(ComponentRuntime::new(&other, options).unwrap());
        assert!(!runtime.is_embedded());
        let provider = Provider::new(runtime, None);
        assert!(matches!(provider.instances, Instances::Fresh));
        assert_eq!(provider.resource_types().await.unwrap().len(), 2);
    }

    /// The idle instances follow the calls in flight: kept while a burst runs, so that its later
    /// calls find one, dropped back to the resting number as it ends, and never holding a slot a
    /// call in flight may need.
    #[test]
    fn idle_instances_follow_the_load() {
        use super::{IDLE_AT_REST, Slots, idle_wanted, keeps_another};
        let plenty = Some(Slots { total: 1_024, free: 500 });
        assert_eq!(idle_wanted(0), IDLE_AT_REST);
        assert_eq!(idle_wanted(900), 900);
        assert!(keeps_another(0, 0, plenty) && keeps_another(IDLE_AT_REST - 1, 0, plenty));
        assert!(!keeps_another(IDLE_AT_REST, 0, plenty), "at rest, no more than {IDLE_AT_REST}");
        assert!(keeps_another(400, 500, plenty), "in a burst, one per call in flight");
        assert!(!keeps_another(500, 500, plenty));
        assert!(keeps_another(400, 500, None), "no pool, no slot limit");
        let none_free = Some(Slots { total: 1_024, free: 0 });
        assert!(!keeps_another(0, 1_000, none_free), "a call may be waiting for the slot");
        let full = Some(Slots { total: 1_024, free: 10 });
        assert!(keeps_another(23, 1_000, full) && !keeps_another(24, 1_000, full), "idle + in flight fit the pool");

        // A burst of 200 calls, each making an instance, then ending one after another.
        let mut pool = super::Pool::<u32>::default();
        for _ in 0..200 {
            assert_eq!(pool.start(), None);
        }
        let mut most_idle = 0;
        for call in 0..200 {
            let dropped = pool.end(Some(call), plenty);
            assert!(pool.idle.len() <= idle_wanted(pool.in_flight), "call {call}: {} idle", pool.idle.len());
            // As it winds down, a call drops its own instance and one that waited.
            assert!(dropped.len() <= 2, "call {call}: {} dropped", dropped.len());
            most_idle = most_idle.max(pool.idle.len());
        }
        assert_eq!(most_idle, 100, "half the burst's instances wait idle at its height");
        assert_eq!((pool.idle.len(), pool.in_flight), (IDLE_AT_REST, 0), "back to rest");
        // The next burst's calls find them; a call dropped before it ends still counts out.
        assert!((0..IDLE_AT_REST).all(|_| pool.start().is_some()));
        assert_eq!(pool.end(None, plenty), Vec::<u32>::new());
        assert_eq!(pool.in_flight, IDLE_AT_REST - 1);
    }

    /// A host may call one instance many times (jco does): each call starts from a clean heap,
    /// so memory stops growing once the largest call has run: 100,000 calls, mixed.
    #[tokio::test]
    async fn a_reused_instance_does_not_grow() {
        // The CPU limit counts a store's whole life; this one lives for all the calls.
        let options =
            RuntimeOptions { cache_dir: None, cpu_time_limit: Duration::from_secs(3600), ..Default::default() };
        let runtime = ComponentRuntime::new(PROVIDER_COMPONENT, options).unwrap();
        let (mut store, instance) = runtime.instantiate(None, None, Interrupt::new()).await.unwrap();
        let exports = instance.lightsail_provider_resource_provider();
        let token = "aws:lightsail/bucketAccessKey:BucketAccessKey".to_string();
        let news = r#"{"bucketName": "example-bucket", "region": "eu-west-1"}"#.to_string();
        let bad = r#"{"bucketName": "Bad_Name", "colour": 1}"#.to_string();
        let state = r#"{"region": "eu-west-1", "secretAccessKey": "s"}"#.to_string();
        let id = "example-bucket,AKIAIOSFODNN7EXAMPLE".to_string();
        let mut sizes = Vec::new();
        // Five calls a turn: 2,000 + 9,000 + 9,000 turns make 100,000 calls.
        for (stage, turns) in [2_000, 9_000, 9_000].into_iter().enumerate() {
            for _ in 0..turns {
                exports.call_schema(&mut store).await.unwrap();
                exports.call_resource_types(&mut store).await.unwrap();
                let checked = exports.call_check(&mut store, &token, None, &news).await.unwrap().unwrap();
                assert!(checked.failures.is_empty());
                let refused = exports.call_check(&mut store, &token, Some(&news), &bad).await.unwrap().unwrap();
                assert_eq!(refused.failures.len(), 2, "stage {stage}");
                // Without AWS access the import is refused: the error path allocates too.
                assert!(exports.call_read(&mut store, &token, &id, Some(&state)).await.unwrap().is_err());
            }
            sizes.push(store.data().limits.grown_to());
        }
        assert!(sizes[0] > 0, "{sizes:?}");
        assert_eq!(sizes[0], sizes[2], "memory stays as the first 10,000 calls left it: {sizes:?}");
    }
}
