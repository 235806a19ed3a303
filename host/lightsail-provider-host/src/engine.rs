//! One wasmtime `Engine` and one `InstancePre` for the provider component; every call gets a fresh
//! `Store`.

use crate::aws::LightsailApi;
use crate::bindings::ProviderPre;
use crate::cache;
use crate::interrupt::Interrupt;
use crate::limits::{CORE_INSTANCES_PER_COMPONENT, LimitExceeded, Limits};
use crate::state::HostState;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, UpdateDeadline};

/// How often the epoch advances, and so how often a running component is checked.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// How an engine allocates instances.
#[derive(Debug, Clone, Copy)]
enum Allocation {
    OnDemand,
    /// `slots` pre-allocated instances of at most `max_memory` bytes of linear memory each.
    Pool {
        slots: u32,
        max_memory: usize,
        reset: SlotReset,
    },
}

/// How a pool slot is made clean for its next instance.
#[derive(Debug, Clone, Copy)]
enum SlotReset {
    /// Rewrite only the pages the last instance dirtied, found with Linux's PAGEMAP_SCAN (6.7+):
    /// the pages stay mapped, so the next call takes no page faults and no other thread's TLB
    /// is flushed. Much cheaper than unmapping when many calls run at once.
    RewriteDirtyPages,
    /// Unmap the used pages (`madvise`), wasmtime's default; the next instance faults them in.
    Unmap,
}

/// Linear memory and tables kept mapped between instances of a slot. The provider's instances
/// use a little over 1 MiB of memory (most of it the guest's stack) and tables of a few KiB.
const KEEP_RESIDENT_MEMORY: usize = 4 << 20;
const KEEP_RESIDENT_TABLES: usize = 64 << 10;

/// The one engine configuration: epoch interruption, and an allocation strategy.
fn engine(allocation: Allocation) -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    // Epochs bound the CPU time of a call: a component that loops forever is interrupted.
    config.epoch_interruption(true);
    // The provider needs little stack; smaller fiber stacks are cheaper to set up for each call.
    config.max_wasm_stack(256 << 10);
    config.async_stack_size(512 << 10);
    if let Allocation::Pool { slots, max_memory, reset } = allocation {
        let mut pooling = PoolingAllocationConfig::default();
        // Per component instance: its core instances, each with its tables, and one linear memory.
        let core_instances = slots * CORE_INSTANCES_PER_COMPONENT as u32;
        pooling
            .total_component_instances(slots)
            .total_core_instances(core_instances)
            .total_memories(slots)
            .total_tables(core_instances)
            .total_stacks(slots)
            .max_memory_size(max_memory);
        if let SlotReset::RewriteDirtyPages = reset {
            // `Yes` fails where the kernel lacks PAGEMAP_SCAN; without it, keeping pages resident
            // would mean rewriting all of them after every call.
            pooling
                .pagemap_scan(Enabled::Yes)
                .linear_memory_keep_resident(KEEP_RESIDENT_MEMORY)
                .table_keep_resident(KEEP_RESIDENT_TABLES);
        }
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
    }
    Engine::new(&config)
}

/// An engine of the one configuration, allocating on demand, for components run one call at a time.
#[cfg(feature = "conformance")]
pub(crate) fn plain_engine() -> wasmtime::Result<Engine> {
    engine(Allocation::OnDemand)
}

/// The cheapest allocation this machine supports for `pool_size` slots.
fn best_engine(pool_size: Option<u32>, max_memory: usize) -> wasmtime::Result<Engine> {
    let Some(slots) = pool_size else { return engine(Allocation::OnDemand) };
    let pool = |reset| engine(Allocation::Pool { slots, max_memory, reset });
    pool(SlotReset::RewriteDirtyPages)
        .or_else(|e| {
            tracing::debug!(error = %e, "no PAGEMAP_SCAN; pool slots are reset by unmapping");
            pool(SlotReset::Unmap)
        })
        .or_else(|e| {
            // A pool may not fit where address space is limited.
            tracing::warn!(error = %e, "cannot reserve the instance pool; allocating on demand");
            engine(Allocation::OnDemand)
        })
}

/// Advances the engine's epoch until the engine is dropped.
fn start_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("wasm-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .expect("the epoch thread starts");
}

/// How a [`ComponentRuntime`] compiles, caches and limits the component.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Where compiled components are cached; `None` compiles every time.
    pub cache_dir: Option<PathBuf>,
    /// The longest a component's `wait` really waits.
    pub max_wait: Duration,
    /// Linear memory a single instance may grow to.
    pub max_memory_bytes: usize,
    /// CPU time one call may spend in the component itself (time in host calls does not count).
    pub cpu_time_limit: Duration,
    /// Instances that may exist at once when pre-allocated in a pool (`None`: allocate each one on
    /// demand). Pooling makes instantiation several times faster; the pool reserves address space
    /// (not memory) for every slot.
    pub pool_size: Option<u32>,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        Self {
            cache_dir: cache::default_dir(),
            max_wait: Duration::from_secs(30),
            max_memory_bytes: 64 << 20,
            cpu_time_limit: Duration::from_secs(10),
            pool_size: Some(1_024),
        }
    }
}

/// Where the time of a runtime's calls went, summed over the calls. Divided by `calls`, it says what
/// the component costs on top of the API calls it makes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CallTimes {
    /// How many calls these times cover.
    pub calls: u64,
    /// Of those calls, how many made a new instance (the others reused a kept one).
    pub new_instances: u64,
    /// A fresh store and instance (waiting for a pool slot included).
    pub instantiate: Duration,
    /// The export call, host calls included.
    pub run: Duration,
    /// Of `run`, the time in the Lightsail API and in waits (logging is not counted).
    pub host: Duration,
    /// Dropping the store, which makes its pool slot clean for the next instance.
    pub cleanup: Duration,
}

/// [`CallTimes`] as counters that calls on any thread add to.
#[derive(Default)]
struct TimeCounters {
    calls: AtomicU64,
    new_instances: AtomicU64,
    instantiate: AtomicU64,
    run: AtomicU64,
    host: AtomicU64,
    cleanup: AtomicU64,
}

impl TimeCounters {
    fn add(&self, times: CallTimes) {
        let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.calls.fetch_add(times.calls, Ordering::Relaxed);
        self.new_instances.fetch_add(times.new_instances, Ordering::Relaxed);
        self.instantiate.fetch_add(nanos(times.instantiate), Ordering::Relaxed);
        self.run.fetch_add(nanos(times.run), Ordering::Relaxed);
        self.host.fetch_add(nanos(times.host), Ordering::Relaxed);
        self.cleanup.fetch_add(nanos(times.cleanup), Ordering::Relaxed);
    }

    fn take(&self) -> CallTimes {
        let take = |counter: &AtomicU64| Duration::from_nanos(counter.swap(0, Ordering::Relaxed));
        CallTimes {
            calls: self.calls.swap(0, Ordering::Relaxed),
            new_instances: self.new_instances.swap(0, Ordering::Relaxed),
            instantiate: take(&self.instantiate),
            run: take(&self.run),
            host: take(&self.host),
            cleanup: take(&self.cleanup),
        }
    }
}

/// A pooling runtime's instance slots: how many there are, and how many no instance holds now.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slots {
    pub(crate) total: usize,
    pub(crate) free: usize,
}

/// A loaded component, ready to be instantiated.
pub struct ComponentRuntime {
    engine: Engine,
    /// One permit per pool slot: a call waits for a free slot rather than failing.
    slots: Option<Arc<tokio::sync::Semaphore>>,
    pre: ProviderPre<HostState>,
    options: RuntimeOptions,
    source: cache::Source,
    component_size: usize,
    /// Whether it is the component this host embeds ([`crate::PROVIDER_COMPONENT`]).
    embedded: bool,
    times: TimeCounters,
}

impl ComponentRuntime {
    /// Compiles (or loads from the cache) and links a provider component. A component that imports
    /// anything beyond the `provider` world (WASI, say) is refused here.
    pub fn new(component: &[u8], options: RuntimeOptions) -> anyhow::Result<Self> {
        check_is_component(component)?;
        let engine = best_engine(options.pool_size, options.max_memory_bytes)?;
        start_epoch_ticker(&engine);
        let (compiled, source) = cache::load_or_compile(&engine, component, options.cache_dir.as_deref())?;
        let mut runtime = Self::from_component(engine, compiled, options, source, component.len())?;
        runtime.embedded = component == crate::PROVIDER_COMPONENT;
        Ok(runtime)
    }

    fn from_component(
        engine: Engine,
        component: Component,
        options: RuntimeOptions,
        source: cache::Source,
        component_size: usize,
    ) -> anyhow::Result<Self> {
        check_contract_version(&engine, &component)?;
        let mut linker = Linker::<HostState>::new(&engine);
        crate::bindings::Provider::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |state| state)?;
        let pre = ProviderPre::new(linker.instantiate_pre(&component)?)?;
        let slots = options.pool_size.map(|n| Arc::new(tokio::sync::Semaphore::new(n as usize)));
        Ok(Self {
            engine,
            slots,
            pre,
            options,
            source,
            component_size,
            embedded: false,
            times: TimeCounters::default(),
        })
    }

    /// Whether this is the component the host embeds: the one whose instances a [`crate::Provider`]
    /// reuses by default.
    pub fn is_embedded(&self) -> bool {
        self.embedded
    }

    /// The wasmtime engine the component is compiled for.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether the compiled component came from the on-disk cache.
    pub fn source(&self) -> cache::Source {
        self.source
    }

    /// The component's size in bytes, as given.
    pub fn component_size(&self) -> usize {
        self.component_size
    }

    /// The times of the calls since the last `take_call_times` (or since the runtime was made), and
    /// a fresh start. Counters are taken one by one: a call that ends meanwhile may be split between
    /// this take and the next.
    pub fn take_call_times(&self) -> CallTimes {
        self.times.take()
    }

    /// The pool's slots, if instances are allocated from a pool.
    pub(crate) fn slots(&self) -> Option<Slots> {
        let free = self.slots.as_ref()?.available_permits();
        Some(Slots { total: self.options.pool_size? as usize, free })
    }

    pub(crate) fn add_call_times(&self, times: CallTimes) {
        self.times.add(times);
    }

    /// The compiled component, as the cache stores it.
    pub fn compiled_artifact(&self) -> wasmtime::Result<Vec<u8>> {
        self.pre.instance_pre().component().serialize()
    }

    /// A fresh store and instance, for one call.
    pub(crate) async fn instantiate(
        &self,
        api: Option<Arc<LightsailApi>>,
        locks: Option<Arc<crate::lock::Locks>>,
        interrupt: Interrupt,
    ) -> anyhow::Result<(wasmtime::Store<HostState>, crate::bindings::Provider)> {
        let limits = Limits::new(self.options.max_memory_bytes);
        let slot = match &self.slots {
            Some(slots) => Some(slots.clone().acquire_owned().await?),
            None => None,
        };
        let state = HostState::new(api, locks, interrupt, self.options.max_wait, limits, slot);
        let mut store = wasmtime::Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limits);
        let limit = self.options.cpu_time_limit;
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |context| {
            let used = context.data().guest_time();
            if used > limit {
                return Err(LimitExceeded::CpuTime { limit }.into());
            }
            // Each tick, let other calls in flight run too.
            Ok(UpdateDeadline::YieldCustom(1, context.data().yield_turn()))
        });
        let instance = self.pre.instantiate_async(&mut store).await?;
        Ok((store, instance))
    }
}

/// Says in words what a file that is not a component is, before wasmtime's parser dumps its bytes.
/// Refuses, saying what to do, a provider component of another contract version than this host's:
/// the versioning policy (docs/contract.md) says which versions a host serves.
fn check_contract_version(engine: &Engine, component: &Component) -> anyhow::Result<()> {
    const EXPORT: &str = "lightsail:provider/resource-provider@";
    let ty = component.component_type();
    let Some(version) = ty.exports(engine).find_map(|(name, _)| name.strip_prefix(EXPORT).map(str::to_string)) else {
        return Ok(()); // not a provider at all: linking says what it lacks
    };
    if crate::contract_serves(&version) {
        return Ok(());
    }
    anyhow::bail!(
        "this component implements the contract lightsail:provider {version}; this host serves {}: use the component \
         built for this host (lightsail-provider component --out provider.wasm), or a host of {version}",
        crate::CONTRACT_VERSION
    )
}

fn check_is_component(bytes: &[u8]) -> anyhow::Result<()> {
    const MAGIC: &[u8] = b"\0asm";
    // After the magic: a version of 2 bytes, then the layer (1 for a component, 0 for a module).
    match bytes.get(..8) {
        Some(header) if header.starts_with(MAGIC) && header[6..8] == [1, 0] => Ok(()),
        Some(header) if header.starts_with(MAGIC) => anyhow::bail!(
            "this is a core WebAssembly module, not a component (make one with `wasm-tools component new`)"
        ),
        _ => anyhow::bail!("this is not a WebAssembly component (its first bytes are not \"\\0asm\")"),
    }
}
