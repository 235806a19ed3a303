//! Many create → read → delete lifecycles at once, two to a bucket, against a local endpoint that
//! injects faults of every kind (stalls past the attempt timeout among them), then an account of
//! every key. Through one host ([`run`]), or spread over worker processes so that the two keys of
//! each bucket are created by two processes ([`run_processes`]; each worker is the `load` example
//! run with `--worker`). Shared by the load test and the `load` example (the larger run).

use lightsail_local::{Config, FaultConfig, LocalEndpoint};
use lightsail_provider_host::ProviderError;
use lightsail_provider_host::aws::{AwsOptions, LightsailApi};
use lightsail_provider_host::{CallError, ComponentRuntime, Provider, RuntimeOptions};
use lightsail_test_support::{ACCESS_KEY_TOKEN as TOKEN, DEMO_BUNDLE, LocalEndpointOptions, REGION};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Barrier;

#[derive(Debug, Default)]
pub struct Report {
    pub lifecycles: usize,
    /// Worker processes the lifecycles were spread over (0: all in this one).
    pub processes: usize,
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

/// AWS options of every host of the run: a few SDK attempts, each with a timeout a stall outlasts.
fn aws_options() -> AwsOptions {
    AwsOptions {
        max_attempts: Some(4),
        initial_backoff: Some(Duration::from_millis(5)),
        attempt_timeout: Some(ATTEMPT_TIMEOUT),
        ..Default::default()
    }
}

fn runtime() -> Arc<ComponentRuntime> {
    let options = RuntimeOptions { cache_dir: None, max_wait: Duration::from_millis(5), ..Default::default() };
    Arc::new(ComponentRuntime::new(lightsail_provider_host::PROVIDER_COMPONENT, options).unwrap())
}

fn bucket_names(lifecycles: usize) -> Vec<String> {
    (0..lifecycles.div_ceil(PER_BUCKET)).map(|i| format!("load-{i:05}")).collect()
}

/// How many of `lifecycles` fall on bucket number `n`.
fn sharing(lifecycles: usize, n: usize) -> usize {
    (lifecycles - n * PER_BUCKET).min(PER_BUCKET)
}

/// A local endpoint with the run's buckets, made before the faults start.
async fn endpoint_with_buckets(buckets: &[String]) -> (LocalEndpoint, Arc<LightsailApi>) {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let endpoint = LocalEndpoint::start(Config::default()).await.unwrap();
    let api = Arc::new(LightsailApi::new(aws_options().with_local_endpoint(&endpoint, REGION)).await.unwrap());
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
    (endpoint, api)
}

/// Every lifecycle through one host.
pub async fn run(lifecycles: usize, fault_rate: f64, seed: u64) -> Report {
    let buckets = bucket_names(lifecycles);
    let (endpoint, api) = endpoint_with_buckets(&buckets).await;
    let provider = Provider::new(runtime(), Some(api)).with_locks(lightsail_test_support::test_locks());
    endpoint.set_faults(faults(fault_rate, seed)).unwrap();
    let started = Instant::now();
    let endpoint = Arc::new(endpoint);
    let mut tasks = tokio::task::JoinSet::new();
    for (n, bucket) in buckets.iter().enumerate() {
        let creates_done = Arc::new(Barrier::new(sharing(lifecycles, n)));
        for _ in 0..sharing(lifecycles, n) {
            let meeting = Meeting::InProcess { barrier: creates_done.clone(), endpoint: endpoint.clone() };
            let (provider, bucket) = (provider.clone(), bucket.clone());
            tasks.spawn(async move { lifecycle(&provider, &bucket, &meeting).await });
        }
    }
    let mut report = Report { lifecycles, buckets: buckets.len(), ..Default::default() };
    let mut ids = HashSet::new();
    while let Some(outcome) = tasks.join_next().await {
        report.add(&outcome.unwrap(), &mut ids);
    }
    report.elapsed = started.elapsed();
    report.account(&endpoint, &buckets, &ids);
    report
}

/// The lifecycles spread over `processes` worker processes (`worker` is the binary to run with
/// `--worker`), each bucket's keys created by different ones, all of them taking file locks in
/// one lock directory and declaring that they are every creator (which they are).
pub async fn run_processes(lifecycles: usize, fault_rate: f64, seed: u64, processes: usize, worker: &Path) -> Report {
    let buckets = bucket_names(lifecycles);
    let (endpoint, _) = endpoint_with_buckets(&buckets).await;
    endpoint.set_faults(faults(fault_rate, seed)).unwrap();
    let shared = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let creds = endpoint.credentials();
    let children: Vec<_> = (0..processes)
        .map(|index| {
            let config = serde_json::json!({
                "url": endpoint.url(),
                "access_key_id": creds.access_key_id,
                "secret_access_key": creds.secret_access_key,
                "lifecycles": lifecycles,
                "index": index,
                "processes": processes,
                "directory": shared.path(),
            });
            std::process::Command::new(worker)
                .arg("--worker")
                .arg(config.to_string())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::inherit())
                .spawn()
                .expect("the worker starts")
        })
        .collect();
    let mut report = Report { lifecycles, buckets: buckets.len(), ..Default::default() };
    let mut ids = HashSet::new();
    for child in children {
        let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
        assert!(output.status.success(), "a worker failed: {:?}", output.status);
        let outcomes: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).expect("the worker's outcomes");
        for outcome in &outcomes {
            report.add(&Outcome::from_json(outcome), &mut ids);
        }
    }
    report.elapsed = started.elapsed();
    report.processes = processes;
    report.account(&endpoint, &buckets, &ids);
    report
}

/// One worker of [`run_processes`]: its share of every bucket's lifecycles, through its own host;
/// prints the outcomes as JSON.
pub async fn worker(config: &str) {
    let config: serde_json::Value = serde_json::from_str(config).expect("a worker configuration");
    let text = |name: &str| config[name].as_str().expect(name).to_string();
    let number = |name: &str| config[name].as_u64().expect(name) as usize;
    let (lifecycles, index, processes) = (number("lifecycles"), number("index"), number("processes"));
    let directory = PathBuf::from(text("directory"));
    let options = AwsOptions {
        region: Some(REGION.into()),
        endpoint_url: Some(text("url")),
        credentials: Some((text("access_key_id"), text("secret_access_key").into())),
        ..aws_options()
    };
    let api = Arc::new(LightsailApi::new(options).await.unwrap());
    let locks =
        lightsail_provider_host::lock::Locks::in_directory(directory.join("locks")).unwrap().covering_every_creator();
    let provider = Provider::new(runtime(), Some(api)).with_locks(Arc::new(locks));
    let mut tasks = tokio::task::JoinSet::new();
    for (n, bucket) in bucket_names(lifecycles).into_iter().enumerate() {
        for slot in 0..sharing(lifecycles, n) {
            // Slot s of bucket n goes to worker (n * PER_BUCKET + s) mod processes: with two
            // workers, each bucket's two keys are made by both.
            if (n * PER_BUCKET + slot) % processes != index {
                continue;
            }
            let meeting = Meeting::Files { directory: directory.join("met"), slot, sharing: sharing(lifecycles, n) };
            let (provider, bucket) = (provider.clone(), bucket.clone());
            tasks.spawn(async move { lifecycle(&provider, &bucket, &meeting).await.to_json() });
        }
    }
    let mut outcomes = Vec::new();
    while let Some(outcome) = tasks.join_next().await {
        outcomes.push(outcome.unwrap());
    }
    println!("{}", serde_json::Value::Array(outcomes));
}

impl Report {
    fn add(&mut self, outcome: &Outcome, ids: &mut HashSet<String>) {
        if let Some(id) = &outcome.id
            && !ids.insert(id.clone())
        {
            self.duplicates += 1;
        }
        match outcome.kind {
            Kind::Completed => self.completed += 1,
            Kind::NotReady => self.not_ready += 1,
            Kind::CreateError => self.create_errors += 1,
            Kind::Undeleted => self.undeleted += 1,
        }
        if outcome.deleted_by_sibling {
            self.deleted_siblings += 1;
        }
        if let Some(error) = &outcome.error
            && self.first_errors.len() < 5
        {
            self.first_errors.push(error.clone());
        }
    }

    /// Faults and calls from the endpoint, and whatever is left there that no lifecycle recorded:
    /// an orphan.
    fn account(&mut self, endpoint: &LocalEndpoint, buckets: &[String], ids: &HashSet<String>) {
        let stats = endpoint.stats();
        self.faults = stats.faults.clone();
        self.calls = stats.total_calls();
        for bucket in buckets {
            for key in endpoint.inspect(|s| s.access_key_ids(REGION, bucket)).unwrap_or_default() {
                if !ids.contains(&format!("{bucket},{key}")) {
                    self.orphans += 1;
                }
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Completed,
    NotReady,
    CreateError,
    Undeleted,
}

const KINDS: [(Kind, &str); 4] = [
    (Kind::Completed, "completed"),
    (Kind::NotReady, "not-ready"),
    (Kind::CreateError, "create-error"),
    (Kind::Undeleted, "undeleted"),
];

struct Outcome {
    kind: Kind,
    id: Option<String>,
    /// Its key was gone once every create on the bucket had ended: taken for another's orphan.
    deleted_by_sibling: bool,
    error: Option<String>,
}

impl Outcome {
    fn to_json(&self) -> serde_json::Value {
        let kind = KINDS.iter().find(|(k, _)| *k == self.kind).map(|(_, name)| *name);
        serde_json::json!({ "kind": kind, "id": self.id, "deleted_by_sibling": self.deleted_by_sibling, "error": self.error })
    }

    fn from_json(value: &serde_json::Value) -> Self {
        let kind = value["kind"].as_str().and_then(|name| KINDS.iter().find(|(_, n)| *n == name)).expect("a kind").0;
        let text = |name: &str| value[name].as_str().map(str::to_string);
        Outcome { kind, id: text("id"), deleted_by_sibling: value["deleted_by_sibling"] == true, error: text("error") }
    }
}

/// How the lifecycles of one bucket meet once all their creates have ended, and how they then
/// look for their key.
enum Meeting {
    /// In one process: a barrier, then the endpoint's state read directly.
    InProcess { barrier: Arc<Barrier>, endpoint: Arc<LocalEndpoint> },
    /// Across processes: a file per create that ended, in `directory`; then a read through the
    /// provider (the endpoint is in another process).
    Files { directory: PathBuf, slot: usize, sharing: usize },
}

impl Meeting {
    /// Waits until every create on `bucket` has ended, well or not.
    async fn creates_done(&self, bucket: &str) {
        match self {
            Meeting::InProcess { barrier, .. } => {
                barrier.wait().await;
            }
            Meeting::Files { directory, slot, sharing } => {
                std::fs::create_dir_all(directory).unwrap();
                std::fs::write(directory.join(format!("{bucket}.{slot}")), b"").unwrap();
                while !(0..*sharing).all(|s| directory.join(format!("{bucket}.{s}")).exists()) {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    }

    /// Whether the key `id` is still there, or why that could not be told.
    async fn still_there(&self, provider: &Provider, bucket: &str, id: &str, state: &str) -> Result<bool, String> {
        match self {
            Meeting::InProcess { endpoint, .. } => {
                let key = id.split_once(',').map(|(_, key)| key.to_string()).unwrap_or_default();
                Ok(endpoint.inspect(|s| s.access_key_ids(REGION, bucket)).unwrap_or_default().contains(&key))
            }
            Meeting::Files { .. } => match persist(|| provider.read(TOKEN, id, Some(state))).await {
                Ok(found) => Ok(found.is_some()),
                Err(e) => Err(format!("read {id}: {e}")),
            },
        }
    }
}

async fn lifecycle(provider: &Provider, bucket: &str, meeting: &Meeting) -> Outcome {
    let inputs = serde_json::json!({ "bucketName": bucket }).to_string();
    // Create is never blindly retried: the provider settles a lost answer and retries it itself.
    let created = match provider.create(TOKEN, &inputs, false).await {
        Ok(mut created) => Ok((created.id, std::mem::take(&mut created.outputs.values), false)),
        Err(CallError::Provider(ProviderError::NotReady(mut n))) => {
            Ok((n.id, std::mem::take(&mut n.outputs.values), true))
        }
        Err(e) => Err(e.to_string()),
    };
    // Only a create deletes keys it did not record (the orphans of its lost answers). Once every
    // create on the bucket has ended, each recorded key must still be there.
    meeting.creates_done(bucket).await;
    let (id, state, not_ready) = match created {
        Ok(created) => created,
        Err(error) => {
            return Outcome { kind: Kind::CreateError, id: None, deleted_by_sibling: false, error: Some(error) };
        }
    };
    let mut error = None;
    let deleted_by_sibling = match meeting.still_there(provider, bucket, &id, &state).await {
        Ok(there) => !there,
        Err(why) => {
            error = Some(why);
            false
        }
    };
    if !not_ready && matches!(meeting, Meeting::InProcess { .. }) {
        match persist(|| provider.read(TOKEN, &id, Some(&state))).await {
            Ok(Some(_)) => {}
            Ok(None) => error = Some(format!("{id} read as gone right after its create")),
            Err(e) => error = Some(format!("read {id}: {e}")),
        }
    }
    match persist(|| provider.delete(TOKEN, &id, &state)).await {
        Ok(()) => {
            let kind = if not_ready { Kind::NotReady } else { Kind::Completed };
            Outcome { kind, id: Some(id), deleted_by_sibling, error }
        }
        Err(e) => Outcome {
            kind: Kind::Undeleted,
            error: Some(format!("delete {id}: {e}")),
            id: Some(id),
            deleted_by_sibling,
        },
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let over = if self.processes > 0 { format!(", over {} processes", self.processes) } else { String::new() };
        writeln!(f, "lifecycles run concurrently   {} (on {} buckets{over})", self.lifecycles, self.buckets)?;
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
