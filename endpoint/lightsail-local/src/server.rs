//! The HTTP side: one hyper HTTP/1.1 connection task per client, the awsJson1_1 framing, faults
//! applied to each request, the control routes, the S3 side's entry (`s3`), and the handle that
//! owns a running endpoint.

use crate::auth::{self, Credentials};
use crate::control::{self, CONTROL_PREFIX};
use crate::database::{self, Database};
use crate::error::ApiError;
use crate::faults::{FaultConfig, FaultState, Refusal};
use crate::gates::Gates;
use crate::protocol::{self, Operation, TARGET_PREFIX};
use crate::stats::{self, Stats};
use crate::store::{OperationPlan, Store};
use crate::sync::lock;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// The largest request body served (bytes): Lightsail's own requests are a few hundred.
pub const DEFAULT_BODY_LIMIT: usize = 256 * 1024;
const JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// How to start an endpoint.
#[derive(Debug, Clone)]
pub struct Config {
    /// `127.0.0.1:0` picks a free loopback port.
    pub addr: SocketAddr,
    /// Where the state is kept (SQLite); `None` keeps it in memory, gone when the endpoint stops.
    pub state_file: Option<PathBuf>,
    /// The credentials requests must be signed with.
    pub credentials: Credentials,
    /// The faults it injects from the start.
    pub faults: FaultConfig,
    /// The largest Lightsail request body it serves, in bytes.
    pub body_limit: usize,
    /// The largest S3 request body it serves (an object, or a part of one), in bytes.
    pub object_limit: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            state_file: None,
            credentials: Credentials::test_pair(),
            faults: FaultConfig::default(),
            body_limit: DEFAULT_BODY_LIMIT,
            object_limit: crate::s3::DEFAULT_OBJECT_LIMIT,
        }
    }
}

/// Why an endpoint did not start.
#[derive(Debug, thiserror::Error)]
#[allow(missing_docs)] // the fields: each message says what they hold
pub enum StartError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    /// The state file could not be opened.
    #[error("cannot open the state file {path}: {reason}")]
    ReadState { path: PathBuf, reason: String },
    /// The state file is not one this endpoint can read.
    #[error("the state file {path} is corrupt: {reason} (move it away to start empty)")]
    CorruptState { path: PathBuf, reason: String },
    /// The fault configuration cannot be used (see [`FaultConfig::validate`]).
    #[error("invalid fault configuration: {0}")]
    Faults(String),
}

/// What every request is served from.
pub(crate) struct Shared {
    pub(crate) store: Mutex<Store>,
    /// Where each call's changes are written, in order, before it is answered.
    database: Option<Database>,
    pub(crate) credentials: Credentials,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) gates: Gates,
    pub(crate) stats: Mutex<Stats>,
    body_limit: usize,
    pub(crate) object_limit: usize,
}

impl Shared {
    /// Runs `call` on the store and returns once its changes are written (when there is a state
    /// file): an answered change survives a crash. `Err` when the write failed: the change is in
    /// memory only and must not be acknowledged.
    pub(crate) async fn apply<T>(&self, call: impl FnOnce(&mut Store) -> T) -> Result<T, database::WriteError> {
        let Some(database) = &self.database else {
            let mut store = lock(&self.store);
            let answer = call(&mut store);
            store.take_changes();
            return Ok(answer);
        };
        let (answer, written) = database.apply(&self.store, call).await;
        if let Err(e) = &written {
            tracing::error!(error = %e, "cannot save the state");
        }
        written.map(|()| answer)
    }
}

/// What became of a call once it met its faults.
pub(crate) enum Met<T> {
    /// Served: its answer, or the service's own refusal.
    Served(T),
    /// Served, and its answer to be broken so (see [`crate::faults::Corruption`]).
    Corrupted(T, crate::faults::Corruption),
    /// Refused by an injected fault before it was applied.
    Refused(Refusal),
    /// Applied (or, stalled, not) and its answer dropped.
    Lost,
}

impl Shared {
    /// Serves a call through the faults the configuration decides for `operation`, the same way
    /// for the Lightsail and the S3 side: held at its gate, stalled, delayed, refused before it is
    /// applied, or its answer dropped once it is. `serve` gets the plan for the operation records
    /// the call makes; only a side that makes them (`records_operations`) counts their faults.
    pub(crate) async fn meet_faults<A, E>(
        &self,
        operation: &str,
        mutating: bool,
        records_operations: bool,
        serve: impl AsyncFnOnce(OperationPlan) -> Result<A, E>,
    ) -> Met<Result<A, E>> {
        let decision = lock(&self.faults).decide(operation, mutating);
        stats::count_faults(&self.stats, &decision, records_operations);
        let plan = OperationPlan { pending_polls: decision.operation_pending_polls, failed: decision.operation_failed };
        if let Some(gate) = &decision.hold {
            tracing::debug!(operation, gate, "held at the gate");
            self.gates.pass(gate).await;
        }
        if let Some(stall) = decision.stall {
            // Applied before the stall (or never), whether or not the client is still there when
            // it ends: a client that gave up cannot tell which, and tests need no timing luck to
            // see both.
            let served = if stall.apply { Some(serve(plan).await) } else { None };
            tokio::time::sleep(stall.duration).await;
            return served.map_or(Met::Lost, Met::Served);
        }
        if let Some(delay) = decision.delay {
            tokio::time::sleep(delay).await;
        }
        if let Some(refusal) = decision.refusal {
            return Met::Refused(refusal);
        }
        match serve(plan).await {
            Ok(_) if decision.lost_response => {
                tracing::debug!(operation, "applied; dropping the answer");
                Met::Lost
            }
            answer => match decision.corrupt {
                Some(corruption) => Met::Corrupted(answer, corruption),
                None => Met::Served(answer),
            },
        }
    }
}

/// Now, in epoch seconds with millisecond precision, as AWS writes times.
pub(crate) fn now_seconds() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as f64 / 1000.0
}

/// A running endpoint. Dropping it stops the server and closes its connections.
pub struct LocalEndpoint {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl LocalEndpoint {
    /// Binds, loads the state file if any, and starts serving on the current tokio runtime.
    pub async fn start(config: Config) -> Result<Self, StartError> {
        config.faults.validate().map_err(StartError::Faults)?;
        let (database, store) = match &config.state_file {
            Some(path) => {
                let (database, store) = open_state(path)?;
                (Some(database), store)
            }
            None => (None, Store::new()),
        };
        let listener =
            TcpListener::bind(config.addr).await.map_err(|source| StartError::Bind { addr: config.addr, source })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind { addr: config.addr, source })?;
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            database,
            credentials: config.credentials,
            faults: Mutex::new(FaultState::new(config.faults)),
            gates: Gates::default(),
            stats: Mutex::new(Stats::default()),
            body_limit: config.body_limit,
            object_limit: config.object_limit,
        });
        let (shutdown, stop) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, shared.clone(), stop));
        tracing::info!(%addr, "lightsail-local listening");
        Ok(Self { addr, shared, shutdown, task: Some(task) })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, for `--endpoint-url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The credentials requests must be signed with.
    pub fn credentials(&self) -> &Credentials {
        &self.shared.credentials
    }

    /// Replaces the fault configuration (and restarts its generator from the new seed).
    pub fn set_faults(&self, faults: FaultConfig) -> Result<(), String> {
        faults.validate()?;
        *lock(&self.shared.faults) = FaultState::new(faults);
        Ok(())
    }

    /// The fault configuration in force.
    pub fn faults(&self) -> FaultConfig {
        lock(&self.shared.faults).config().clone()
    }

    /// What it has answered so far.
    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).clone()
    }

    /// Opens the gate `name`: the requests a scripted fault holds there go on, as do later ones.
    pub fn open_gate(&self, name: &str) {
        self.shared.gates.open(name);
    }

    /// Every gate a request has met or that was opened, with the requests held there now.
    pub fn gates(&self) -> std::collections::BTreeMap<String, crate::gates::GateState> {
        self.shared.gates.states()
    }

    /// Reads the service state directly (no request, no fault, no counter).
    pub fn inspect<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        f(&lock(&self.shared.store))
    }

    /// Stops accepting, lets requests in flight finish, and waits for the connections to close.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for LocalEndpoint {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            // Aborting the accept task drops its JoinSet, which aborts every connection task.
            task.abort();
        }
    }
}

fn open_state(path: &Path) -> Result<(Database, Store), StartError> {
    Database::open(path).map_err(|e| match e {
        database::OpenError::Corrupt(reason) => StartError::CorruptState { path: path.into(), reason },
        other => StartError::ReadState { path: path.into(), reason: other.to_string() },
    })
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let shared = shared.clone();
                    let mut stop = stop.clone();
                    connections.spawn(async move {
                        let service = hyper::service::service_fn(move |req| handle(shared.clone(), req));
                        let conn = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service);
                        tokio::pin!(conn);
                        tokio::select! {
                            result = conn.as_mut() => {
                                if let Err(e) = result {
                                    tracing::debug!(error = %e, "connection ended");
                                }
                            }
                            _ = stop.changed() => {
                                conn.as_mut().graceful_shutdown();
                                let _ = conn.await;
                            }
                        }
                    });
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    while connections.join_next().await.is_some() {}
}

/// Returned instead of a response to close the connection without answering.
#[derive(Debug, thiserror::Error)]
#[error("response dropped by fault injection")]
pub(crate) struct LostResponse;

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, LostResponse> {
    if req.uri().path().starts_with(CONTROL_PREFIX) {
        return Ok(control::control(&shared.faults, &shared.gates, &shared.stats, shared.body_limit, req).await);
    }
    lock(&shared.stats).http_requests += 1;
    if crate::s3::is_s3(&req) {
        return crate::s3::serve(&shared, req).await;
    }
    let request_id = uuid::Uuid::new_v4().to_string();
    let lightsail_codes = lock(&shared.faults).config().lightsail_error_codes;
    match serve(&shared, req).await {
        Served::Answer(status, body) => Ok(json_response(status, &request_id, body)),
        Served::Error { error, counted } => {
            if !counted {
                lock(&shared.stats).rejected += 1;
            }
            tracing::debug!(%error, "answering with an error");
            Ok(json_response(error.status, &request_id, error.body(lightsail_codes)))
        }
        Served::Unavailable => Ok(Response::builder()
            .status(StatusCode::SERVICE_UNAVAILABLE)
            .header("x-amzn-requestid", request_id)
            .body(Full::new(Bytes::new()))
            .expect("valid response")),
        Served::Lost => Err(LostResponse),
    }
}

enum Served {
    Answer(StatusCode, serde_json::Value),
    /// `counted` = the call already shows in the per-operation counters.
    Error {
        error: ApiError,
        counted: bool,
    },
    Unavailable,
    Lost,
}

impl From<ApiError> for Served {
    fn from(error: ApiError) -> Self {
        Served::Error { error, counted: false }
    }
}

async fn serve(shared: &Shared, req: Request<Incoming>) -> Served {
    let (parts, body) = req.into_parts();
    if parts.method != Method::POST || parts.uri.path() != "/" {
        return ApiError::unknown_operation().into();
    }
    let body = match Limited::new(body, shared.body_limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            return ApiError::payload_too_large(shared.body_limit).into();
        }
        Err(e) => return ApiError::serialization(format!("The request body could not be read: {e}")).into(),
    };
    let region = match auth::verify(&parts, &body, &shared.credentials, SystemTime::now()) {
        Ok(region) => region,
        Err(error) => return error.into(),
    };
    if !crate::store::REGIONS.contains(&region.as_str()) {
        // As AWS answers a signature scoped to a region the service does not run in.
        return ApiError::invalid_signature(format!("Credential should be scoped to a valid region, not '{region}'."))
            .into();
    }
    let target = parts.headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(operation) = target.strip_prefix(TARGET_PREFIX).and_then(Operation::from_name) else {
        return match target.strip_prefix(TARGET_PREFIX) {
            Some(name) if !name.is_empty() => protocol::not_implemented(name).into(),
            _ => ApiError::unknown_operation().into(),
        };
    };
    let name = operation.name();
    *lock(&shared.stats).calls.entry(name.to_string()).or_default() += 1;

    let counted = |error: ApiError| Served::Error { error, counted: true };
    let mutating = operation.is_mutating();
    let met = shared
        .meet_faults(name, mutating, mutating, async |plan| dispatch(shared, operation, &region, &body, plan).await);
    match met.await {
        Met::Served(Ok(value)) => Served::Answer(StatusCode::OK, value),
        Met::Corrupted(Ok(mut value), corruption) => {
            corruption.apply(&mut value);
            Served::Answer(StatusCode::OK, value)
        }
        Met::Served(Err(error)) | Met::Corrupted(Err(error), _) => counted(error),
        Met::Refused(Refusal::Throttle) => counted(ApiError::throttling()),
        Met::Refused(Refusal::ServerError) => {
            counted(ApiError::service("We encountered an internal error. Please try again."))
        }
        Met::Refused(Refusal::Unavailable) => Served::Unavailable,
        Met::Refused(Refusal::Modeled(error)) => counted(ApiError::modeled(error)),
        Met::Lost => Served::Lost,
    }
}

async fn dispatch(
    shared: &Shared,
    operation: Operation,
    region: &str,
    body: &[u8],
    plan: OperationPlan,
) -> Result<serde_json::Value, ApiError> {
    let now = now_seconds();
    let call = |store: &mut Store| protocol::answer(store, operation, region, now, body, plan);
    // Answered only once written: an acknowledged change survives a crash.
    shared.apply(call).await.map_err(|e| ApiError::service(format!("The state could not be saved: {e}")))?
}

fn json_response(status: StatusCode, request_id: &str, body: serde_json::Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, JSON_CONTENT_TYPE)
        .header("x-amzn-requestid", request_id)
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("valid response")
}
