//! Many create → read → delete lifecycles at once through one host, two to a bucket, against a
//! local endpoint that injects faults of every kind (stalls past the attempt timeout among them),
//! then an account of every key. Shared by the load test and the `load` example (the larger run).

use lightsail_local::{Config, FaultConfig, LocalEndpoint};
use lightsail_provider_host::ProviderError;
use lightsail_provider_host::{AwsOptions, CallError, ComponentRuntime, LightsailApi, Provider, RuntimeOptions};
use lightsail_test_support::{ACCESS_KEY_TOKEN as TOKEN, DEMO_BUNDLE, LocalEndpointOptions, REGION};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Barrier;

#[derive(Debug, Default)]
pub struct Report {
    pub lifecycles: usize,
    pub buckets: usize,
    /// Created, read back and deleted.
    pub completed: usize,
    /// Created but reported not ready (with their id), then deleted.
    pub not_ready: usize,
    /// Creates that ended in a clear error (and, by the account below, left no key).
    pub create_errors: usize,
    /// Recorded keys whose delete kept failing.
    pub undeleted: usize,
    /// Keys left at the endpoint that no lifecycle recorded.
    pub orphans: usize,
    /// Recorded keys that were gone before their lifecycle deleted them: taken for another
    /// create's orphan.
    pub deleted_siblings: usize,
    /// Ids reported twice.
    pub duplicates: usize,
    pub faults: BTreeMap<String, u64>,
    pub calls: u64,
    pub elapsed: Duration,
    pub first_errors: Vec<String>,
}

/// Lifecycles per bucket: two, as `count = 2` on one bucket makes them.
const PER_BUCKET: usize = 2;
/// Each attempt's timeout, and a stall that outlasts it.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
const STALL_MS: u64 = 3_000;

/// The fault configuration: `rate` split evenly over the kinds, plus every operation pending one poll.
pub fn faults(rate: f64, seed: u64) -> FaultConfig {
    let each = rate / 7.0;
    FaultConfig {
        seed,
        throttle_rate: each,
        server_error_rate: each,
        unavailable_rate: each,
        lost_response_rate: each,
        latency_rate: each,
        latency_ms: 20,
        operation_failure_rate: each,
        stall_rate: each,
        stall_ms: STALL_MS,
        operation_pending_polls: 1,
        ..Default::default()
    }
}

/// Retries a call whose error is marked retryable, with growing pauses, as an engine would (the
/// SDK has already retried within its budget).
async fn persist<T, F, Fut>(mut call: F) -> Result<T, CallError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, CallError>>,
{
    let mut tries = 0;
    loop {
        match call().await {
            Err(CallError::Provider(ProviderError::Api(e))) if e.retryable && tries < 6 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(50 << tries)).await;
            }
            other => return other,
        }
    }
}

pub async fn run(lifecycles: usize, fault_rate: f64, seed: u64) -> Report {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let endpoint = LocalEndpoint::start(Config::default()).await.unwrap();
    let options = AwsOptions {
        max_attempts: Some(4),
        initial_backoff: Some(Duration::from_millis(5)),
        attempt_timeout: Some(ATTEMPT_TIMEOUT),
        ..Default::default()
    };
    let api = Arc::new(LightsailApi::new(options.with_local_endpoint(&endpoint, REGION)).await.unwrap());
    let options = RuntimeOptions { cache_dir: None, max_wait: Duration::from_millis(5), ..Default::default() };
    let runtime = Arc::new(ComponentRuntime::new(lightsail_provider_host::PROVIDER_COMPONENT, options).unwrap());
    let provider = Provider::new(runtime, Some(api.clone())).with_locks(lightsail_test_support::test_locks());

    // One bucket per two lifecycles, made before the faults start.
    let buckets: Vec<String> = (0..lifecycles.div_ceil(PER_BUCKET)).map(|i| format!("load-{i:05}")).collect();
    let client = api.client(None);
    let mut made = tokio::task::JoinSet::new();
    for chunk in buckets.chunks(100) {
        for bucket in chunk {
            let client = client.clone();
            let bucket = bucket.clone();
            made.spawn(async move { client.create_bucket().bucket_name(bucket).bundle_id(DEMO_BUNDLE).send().await });
        }
        while let Some(result) = made.join_next().await {
            result.unwrap().expect("bucket created");
        }
    }

    endpoint.set_faults(faults(fault_rate, seed)).unwrap();
    let started = Instant::now();
    let endpoint = Arc::new(endpoint);
    let deleted_siblings = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for (n, bucket) in buckets.iter().enumerate() {
        let sharing = (lifecycles - n * PER_BUCKET).min(PER_BUCKET);
        let creates_done = Arc::new(Barrier::new(sharing));
        for _ in 0..sharing {
            let shared = Shared {
                provider: provider.clone(),
                endpoint: endpoint.clone(),
                bucket: bucket.clone(),
                creates_done: creates_done.clone(),
                deleted_siblings: deleted_siblings.clone(),
            };
            tasks.spawn(async move { lifecycle(&shared).await });
        }
    }
    let mut report = Report { lifecycles, buckets: buckets.len(), ..Default::default() };
    let mut ids = HashSet::new();
    while let Some(outcome) = tasks.join_next().await {
        let outcome = outcome.unwrap();
        if let Some(id) = &outcome.id
            && !ids.insert(id.clone())
        {
            report.duplicates += 1;
        }
        match outcome.kind {
            Kind::Completed => report.completed += 1,
            Kind::NotReady => report.not_ready += 1,
            Kind::CreateError => report.create_errors += 1,
            Kind::Undeleted => report.undeleted += 1,
        }
        if let Some(error) = outcome.error
            && report.first_errors.len() < 5
        {
            report.first_errors.push(error);
        }
    }
    report.elapsed = started.elapsed();
    report.deleted_siblings = deleted_siblings.load(Ordering::Relaxed);
    let stats = endpoint.stats();
    report.faults = stats.faults.clone();
    report.calls = stats.total_calls();

    // The account: whatever is left at the endpoint and was never recorded is an orphan.
    endpoint.set_faults(FaultConfig::default()).unwrap();
    for bucket in &buckets {
        for key in endpoint.inspect(|s| s.access_key_ids(REGION, bucket)).unwrap_or_default() {
            if !ids.contains(&format!("{bucket},{key}")) {
                report.orphans += 1;
            }
        }
    }
    report
}

enum Kind {
    Completed,
    NotReady,
    CreateError,
    Undeleted,
}

struct Outcome {
    kind: Kind,
    id: Option<String>,
    error: Option<String>,
}

/// What the lifecycles of one bucket share.
struct Shared {
    provider: Provider,
    endpoint: Arc<LocalEndpoint>,
    bucket: String,
    /// Passed once every create on the bucket has ended, well or not.
    creates_done: Arc<Barrier>,
    deleted_siblings: Arc<AtomicUsize>,
}

async fn lifecycle(shared: &Shared) -> Outcome {
    let Shared { provider, bucket, .. } = shared;
    let inputs = serde_json::json!({ "bucketName": bucket }).to_string();
    // Create is never blindly retried: the provider settles a lost answer and retries it itself.
    let created = match provider.create(TOKEN, &inputs, false).await {
        Ok(created) => Ok((created.id, created.outputs.values, false)),
        Err(CallError::Provider(ProviderError::NotReady(n))) => Ok((n.id, n.outputs.values, true)),
        Err(e) => Err(e.to_string()),
    };
    // Only a create deletes keys it did not record (the orphans of its lost answers). Once every
    // create on the bucket has ended, each recorded key must still be there.
    shared.creates_done.wait().await;
    let (id, state, not_ready) = match created {
        Ok(created) => created,
        Err(error) => return Outcome { kind: Kind::CreateError, id: None, error: Some(error) },
    };
    let key = id.split_once(',').map(|(_, key)| key.to_string()).unwrap_or_default();
    let keys = shared.endpoint.inspect(|s| s.access_key_ids(REGION, bucket)).unwrap_or_default();
    if !keys.contains(&key) {
        shared.deleted_siblings.fetch_add(1, Ordering::Relaxed);
    }
    let mut error = None;
    if !not_ready {
        match persist(|| provider.read(TOKEN, &id, Some(&state))).await {
            Ok(Some(_)) => {}
            Ok(None) => error = Some(format!("{id} read as gone right after its create")),
            Err(e) => error = Some(format!("read {id}: {e}")),
        }
    }
    match persist(|| provider.delete(TOKEN, &id, &state)).await {
        Ok(()) => {
            let kind = if not_ready { Kind::NotReady } else { Kind::Completed };
            Outcome { kind, id: Some(id), error }
        }
        Err(e) => Outcome { kind: Kind::Undeleted, error: Some(format!("delete {id}: {e}")), id: Some(id) },
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "lifecycles run concurrently   {} (on {} buckets)", self.lifecycles, self.buckets)?;
        writeln!(f, "  completed                   {}", self.completed)?;
        writeln!(f, "  created not ready (deleted) {}", self.not_ready)?;
        writeln!(f, "  create failed, clear error  {}", self.create_errors)?;
        writeln!(f, "  recorded but not deleted    {}", self.undeleted)?;
        writeln!(f, "orphan keys at the endpoint   {}", self.orphans)?;
        writeln!(f, "recorded keys deleted by a sibling's create {}", self.deleted_siblings)?;
        writeln!(f, "duplicate ids                 {}", self.duplicates)?;
        writeln!(f, "Lightsail calls               {}", self.calls)?;
        writeln!(f, "faults injected               {:?}", self.faults)?;
        writeln!(f, "elapsed                       {:.1} s", self.elapsed.as_secs_f64())?;
        for error in &self.first_errors {
            writeln!(f, "  e.g. {error}")?;
        }
        Ok(())
    }
}
