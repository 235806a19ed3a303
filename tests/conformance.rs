//! The conformance kit (`conformance/`): one suite of cases, run against every host of this
//! project through a small driver per host, and against two hosts broken on purpose, which must
//! fail the case that names the rule they break.
//!
//! A driver runs the probe component (`testing/conformance-probe`) on its host's imports and
//! answers one line per request: the Rust host's is in-process (`conformance::Probe`), the
//! JavaScript and Python hosts' are the scripts in `conformance/drivers`. This runner sets the
//! local endpoint up for each case, sends the case's request, and checks the answer, what reached
//! the endpoint and the lock files.

use lightsail_local::{Config, FaultConfig, LocalEndpoint, ScriptedFault};
use lightsail_provider_host::aws::{AwsOptions, LightsailApi};
use lightsail_provider_host::conformance::Probe;
use lightsail_provider_host::interrupt::Interrupt;
use lightsail_provider_host::lock::{Locks, file_name};
use lightsail_test_support::LocalEndpointOptions;
use lightsail_test_support::gnupg::{self, GnuPg, KeyKind};
use lightsail_test_support::hosts::{self, repository};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

static PROBE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/conformance-probe.wasm"));
const CASES: &str = include_str!("../conformance/cases.json");
/// An endpoint that refuses connections: nothing listens on port 1.
const UNREACHABLE: &str = "http://127.0.0.1:1";
const REGION: &str = "us-east-1";

/// What every case runs against: the endpoint, the lock directory, the keys GnuPG made.
struct Bench {
    endpoint: LocalEndpoint,
    api: LightsailApi,
    locks: tempfile::TempDir,
    /// `$gpg:NAME` → the key's bytes in base64, `$fingerprint:NAME` → its fingerprint.
    substitutions: BTreeMap<String, String>,
}

impl Bench {
    async fn new() -> Self {
        let endpoint = LocalEndpoint::start(Config::default()).await.unwrap();
        let options = AwsOptions { max_attempts: Some(1), ..Default::default() };
        let api = LightsailApi::new(options.with_local_endpoint(&endpoint, REGION)).await.unwrap();
        let mut substitutions = BTreeMap::new();
        if gnupg::installed() {
            let gpg = GnuPg::new();
            for (name, kind) in [
                ("rsa", KeyKind::Rsa3072),
                ("curve25519", KeyKind::Curve25519),
                ("expired", KeyKind::Expired),
                ("revoked", KeyKind::Revoked),
                ("sign-only", KeyKind::SignOnly),
            ] {
                let fingerprint = gpg.generate(kind, &format!("Conformance {name} <{name}@example.com>"));
                substitutions.insert(format!("$gpg:{name}"), gpg.export_base64(&fingerprint));
                substitutions.insert(format!("$fingerprint:{name}"), fingerprint);
            }
        }
        Self { endpoint, api, locks: tempfile::tempdir().unwrap(), substitutions }
    }

    fn lock_file(&self, name: &str) -> PathBuf {
        self.locks.path().join(file_name(name))
    }

    /// Whether another holder could take the lock `name` now.
    fn lock_is_free(&self, name: &str) -> bool {
        let Ok(file) = std::fs::File::options().write(true).create(true).truncate(false).open(self.lock_file(name))
        else {
            return false;
        };
        file.try_lock().is_ok()
    }

    fn substitute(&self, value: &Value) -> Value {
        match value {
            Value::String(text) => Value::String(self.substitutions.get(text).cloned().unwrap_or_else(|| text.clone())),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.substitute(v)).collect()),
            Value::Object(members) => {
                Value::Object(members.iter().map(|(k, v)| (k.clone(), self.substitute(v))).collect())
            }
            other => other.clone(),
        }
    }

    /// The case's buckets, keys and faults, on the endpoint.
    async fn set_up(&self, case: &Value) {
        self.endpoint.set_faults(FaultConfig::default()).unwrap();
        let setup = &case["setup"];
        for bucket in setup["buckets"].as_array().into_iter().flatten() {
            let bucket = bucket.as_str().unwrap();
            if self.endpoint.inspect(|s| s.access_key_ids(REGION, bucket)).is_none() {
                lightsail_test_support::create_bucket(&self.api, bucket).await.unwrap();
            }
        }
        for (bucket, keys) in setup["keys"].as_object().into_iter().flatten() {
            for _ in 0..keys.as_u64().unwrap() {
                self.api.client(None).create_bucket_access_key().bucket_name(bucket).send().await.unwrap();
            }
        }
        let script: Vec<ScriptedFault> = serde_json::from_value(setup["faults"].clone()).unwrap_or_default();
        self.endpoint.set_faults(FaultConfig { script, ..Default::default() }).unwrap();
    }
}

/// One host's way to the probe: a request goes out, its answer comes back (`{"trap": ...}` when
/// the call trapped).
enum Driver {
    Rust { probe: Arc<Probe>, pending: Option<tokio::task::JoinHandle<Value>> },
    Process(Box<Script>),
}

/// A driver script's process, and its two ends.
struct Script {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    stdout: BufReader<tokio::process::ChildStdout>,
}

impl Driver {
    async fn rust(bench: &Bench, endpoint: &str) -> Self {
        let creds = bench.endpoint.credentials();
        let options = AwsOptions {
            default_tags: vec![("team".into(), "conformance".into())],
            ..AwsOptions::default().at_endpoint(
                endpoint.into(),
                REGION,
                (creds.access_key_id.clone(), creds.secret_access_key.clone()),
            )
        };
        let api = Arc::new(LightsailApi::new(options).await.unwrap());
        let locks = Arc::new(Locks::in_directory(bench.locks.path()).unwrap());
        let probe = Probe::new(PROBE, Some(api), locks, Interrupt::new()).unwrap();
        Self::Rust { probe: Arc::new(probe), pending: None }
    }

    /// A driver script run by `program`, its environment naming the endpoint, the settings and
    /// the probe.
    fn process(bench: &Bench, endpoint: &str, mut command: tokio::process::Command) -> Self {
        let creds = bench.endpoint.credentials();
        command
            .env("ENDPOINT_URL", endpoint)
            .env("ACCESS_KEY_ID", &creds.access_key_id)
            .env("SECRET_ACCESS_KEY", &creds.secret_access_key)
            .env("AWS_REGION", REGION)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("DEFAULT_TAGS", json!({"team": "conformance"}).to_string())
            .env("LOCK_DIRECTORY", bench.locks.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Self::Process(Box::new(Script { child, stdin, stdout }))
    }

    async fn send(&mut self, request: &Value) {
        match self {
            Self::Rust { probe, pending } => {
                let (probe, request) = (probe.clone(), request.to_string());
                *pending = Some(tokio::spawn(async move {
                    match probe.call(&request).await {
                        Ok(answer) => serde_json::from_str(&answer).unwrap(),
                        Err(trap) => json!({"trap": format!("{trap:#}")}),
                    }
                }));
            }
            Self::Process(script) => {
                let stdin = &mut script.stdin;
                stdin.write_all(format!("{request}\n").as_bytes()).await.unwrap();
                stdin.flush().await.unwrap();
            }
        }
    }

    async fn answer(&mut self) -> Value {
        match self {
            Self::Rust { pending, .. } => pending.take().unwrap().await.unwrap(),
            Self::Process(script) => {
                let mut line = String::new();
                let read = script.stdout.read_line(&mut line).await.unwrap();
                assert!(read > 0, "the driver ended: {:?}", script.child.try_wait());
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("the driver answered {line:?}: {e}"))
            }
        }
    }
}

/// Whether `actual` matches `pattern`: an object, the members it names; `"*"`, anything but null;
/// a string starting with `~`, a string that contains the rest; anything else, equal.
fn matches(pattern: &Value, actual: &Value) -> bool {
    match (pattern, actual) {
        (Value::String(p), actual) if p == "*" => !actual.is_null(),
        (Value::String(p), Value::String(a)) if p.starts_with('~') => a.contains(&p[1..]),
        (Value::Object(p), Value::Object(a)) => p.iter().all(|(k, v)| matches(v, a.get(k).unwrap_or(&Value::Null))),
        (Value::Array(p), Value::Array(a)) => p.len() == a.len() && p.iter().zip(a).all(|(p, a)| matches(p, a)),
        (p, a) => p == a,
    }
}

/// Runs every case on the drivers `main` and `unreachable` (its endpoint refuses connections);
/// returns the failures, each with the case's name and rule.
async fn run_cases(bench: &Bench, main: &mut Driver, unreachable: &mut Driver) -> Vec<String> {
    let cases: Value = serde_json::from_str(CASES).unwrap();
    let (mut failures, mut ran) = (Vec::new(), 0);
    for case in cases["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let needs_gpg = case["request"].to_string().contains("$gpg:");
        if needs_gpg && bench.substitutions.is_empty() {
            eprintln!("SKIPPED case {name}: gpg is not installed");
            continue;
        }
        if let Err(why) = run_case(bench, case, main, unreachable).await {
            failures.push(format!("{name} ({}): {why}", case["rule"].as_str().unwrap()));
        }
        ran += 1;
    }
    eprintln!("{ran} conformance cases run, {} failed", failures.len());
    failures
}

async fn run_case(bench: &Bench, case: &Value, main: &mut Driver, unreachable: &mut Driver) -> Result<(), String> {
    bench.set_up(case).await;
    let before = bench.endpoint.stats();
    let driver = if case["driver"] == "unreachable" { unreachable } else { main };
    driver.send(&bench.substitute(&case["request"])).await;
    if let Some(held) = case["held"].as_object() {
        let gate = held["gate"].as_str().unwrap();
        lightsail_test_support::crossing::until_held(&bench.endpoint, gate).await;
        let lock = held["lock"].as_str().unwrap();
        let mode = std::fs::metadata(bench.lock_file(lock)).map(|m| m.permissions().mode() & 0o777);
        let free = bench.lock_is_free(lock);
        bench.endpoint.open_gate(gate);
        if free {
            driver.answer().await;
            return Err(format!("the lock {lock:?} (file {}) was free while its holder's call ran", file_name(lock)));
        }
        if mode.as_ref().ok() != Some(&0o600) {
            driver.answer().await;
            let mode = mode.map(|m| format!("{m:o}")).unwrap_or_else(|e| e.to_string());
            return Err(format!("the lock file {} has mode {mode}, not 600", file_name(lock)));
        }
    }
    let answer = driver.answer().await;
    let expected = bench.substitute(&case["expect"]);
    if !matches(&expected, &answer) {
        return Err(format!("answered {answer}, expected {expected}"));
    }
    let after = bench.endpoint.stats();
    for (operation, count) in case["calls"].as_object().into_iter().flatten() {
        let sent = after.calls_of(operation) - before.calls_of(operation);
        if sent != count.as_u64().unwrap() {
            return Err(format!("{sent} {operation} requests reached the endpoint, expected {count}"));
        }
    }
    for (bucket, count) in case["keys"].as_object().into_iter().flatten() {
        let keys = bench.endpoint.inspect(|s| s.access_key_ids(REGION, bucket)).unwrap_or_default();
        if keys.len() as u64 != count.as_u64().unwrap() {
            return Err(format!("bucket {bucket} holds {} keys, expected {count}", keys.len()));
        }
    }
    for lock in case["locks_free"].as_array().into_iter().flatten() {
        let lock = lock.as_str().unwrap();
        if !bench.lock_is_free(lock) {
            return Err(format!("the lock {lock:?} (file {}) is still held after the call", file_name(lock)));
        }
    }
    Ok(())
}

fn assert_passes(host: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "the {host} host fails {} conformance cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_host_passes_every_case() {
    let bench = Bench::new().await;
    let mut main = Driver::rust(&bench, &bench.endpoint.url()).await;
    let mut unreachable = Driver::rust(&bench, UNREACHABLE).await;
    assert_passes("Rust", &run_cases(&bench, &mut main, &mut unreachable).await);
}

/// The Python host's driver, run with the venv `.ci/run` makes; `None` (said as SKIPPED) without.
fn python_driver(test: &str, bench: &Bench, endpoint: &str, broken: Option<&str>) -> Option<Driver> {
    let venv = hosts::python_host(test)?;
    let probe = bench.locks.path().join("probe.wasm");
    std::fs::write(&probe, PROBE).unwrap();
    let mut command = tokio::process::Command::new(venv.join("bin/python"));
    command
        .arg(repository().join("conformance/drivers/python_driver.py"))
        .env("PROBE_WASM", &probe)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("CONFORMANCE_BREAK", broken.unwrap_or_default());
    Some(Driver::process(bench, endpoint, command))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_host_passes_every_case() {
    let test = "the_python_host_passes_every_case";
    let bench = Bench::new().await;
    let Some(mut main) = python_driver(test, &bench, &bench.endpoint.url(), None) else { return };
    let mut unreachable = python_driver(test, &bench, UNREACHABLE, None).unwrap();
    assert_passes("Python", &run_cases(&bench, &mut main, &mut unreachable).await);
}

/// A host that lets its SDK retry a create, and one that reports a create whose answer was lost as
/// never sent, each fail the case that names the rule they break.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosts_broken_on_purpose_fail_the_case_that_names_their_rule() {
    let test = "hosts_broken_on_purpose_fail_the_case_that_names_their_rule";
    for (broken, case) in [
        ("create-twice", "create-sent-once-when-its-answer-is-lost"),
        ("lost-as-not-sent", "create-sent-once-when-its-answer-is-lost"),
    ] {
        let bench = Bench::new().await;
        let Some(mut main) = python_driver(test, &bench, &bench.endpoint.url(), Some(broken)) else { return };
        let mut unreachable = python_driver(test, &bench, UNREACHABLE, Some(broken)).unwrap();
        let failures = run_cases(&bench, &mut main, &mut unreachable).await;
        assert!(failures.iter().any(|f| f.starts_with(&format!("{case} ("))), "{broken}: {failures:#?}");
        let rule = if broken == "create-twice" { "at most once" } else { "answers transport" };
        assert!(failures.iter().any(|f| f.contains(rule)), "{broken}: the failure quotes the rule: {failures:#?}");
    }
}

/// The JavaScript host's driver, with the probe transpiled by jco; `None` (said as SKIPPED) where
/// `npm ci` has not been run.
fn node_driver(test: &str, bench: &Bench, endpoint: &str, transpiled: &Path) -> Option<Driver> {
    let (js, node) = hosts::javascript_host(test)?;
    if !transpiled.exists() {
        let probe = bench.locks.path().join("probe.wasm");
        std::fs::write(&probe, PROBE).unwrap();
        let output = std::process::Command::new(js.join("scripts/transpile.sh"))
            .arg(&probe)
            .arg(transpiled)
            .arg("probe")
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let mut command = tokio::process::Command::new(node);
    command.arg(repository().join("conformance/drivers/node_driver.mjs")).env("TRANSPILED", transpiled);
    Some(Driver::process(bench, endpoint, command))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_javascript_host_passes_every_case() {
    let test = "the_javascript_host_passes_every_case";
    let bench = Bench::new().await;
    let transpiled = bench.locks.path().join("transpiled");
    let Some(mut main) = node_driver(test, &bench, &bench.endpoint.url(), &transpiled) else { return };
    let mut unreachable = node_driver(test, &bench, UNREACHABLE, &transpiled).unwrap();
    assert_passes("JavaScript", &run_cases(&bench, &mut main, &mut unreachable).await);
}
