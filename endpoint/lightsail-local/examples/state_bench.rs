//! The state file's cost, SQLite against the JSON file of earlier versions, in the same run: the
//! latency of a write (a CreateBucket applied and saved) and of a read (a bucket's keys) while two
//! threads write as fast as their answers come, with a state of 100, 10,000 and 100,000 changes already made.
//!
//! ```sh
//! cargo run --release -p lightsail-local --example state_bench
//! ```
//!
//! Both formats are driven the way the endpoint drives them, below HTTP (which costs both the
//! same): SQLite through `Database::apply`, the endpoint's own path; the JSON file as earlier
//! versions kept it, rewritten whole under the store's lock on every change. Each state is made in
//! memory (half buckets, half keys) and written once before the measurements.

use lightsail_local::Store;
use lightsail_local::database::Database;
use lightsail_local::model::{BucketNameRequest, CreateBucketRequest};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn main() {
    println!("| Changes before | State file | Write: median (p90) | Read under 2 writers: median (p90) |");
    println!("|---|---|---|---|");
    for changes in [100, 10_000, 100_000] {
        for json in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("state");
            // Written as JSON; opening it as a database migrates it.
            lightsail_local::persistence::save(&path, &made(changes)).unwrap();
            let (store, database) = if json {
                (lightsail_local::persistence::load(&path).ok().unwrap(), None)
            } else {
                let (database, store) = Database::open(&path).unwrap();
                (store, Some(database))
            };
            // Few samples where each write rewrites tens of megabytes.
            let samples = match (json, changes) {
                (true, 100_000) => 10,
                (true, 10_000) => 30,
                _ => 100,
            };
            let state = State { store: Mutex::new(store), database, path: &path };
            let (write, read) = measure(&state, samples);
            let label = if json { "JSON, rewritten whole (before)" } else { "SQLite, rows changed (now)" };
            println!("| {changes} | {label} | {} | {} |", show(&write), show(&read));
        }
    }
}

struct State<'a> {
    store: Mutex<Store>,
    database: Option<Database>,
    path: &'a Path,
}

impl State<'_> {
    /// One CreateBucket, saved as each format saves it.
    fn write(&self, name: String) {
        let request =
            CreateBucketRequest { bucket_name: Some(name), bundle_id: Some("small_1_0".into()), ..Default::default() };
        let create = |store: &mut Store| store.create_bucket("us-east-1", 1.0, request, Default::default()).unwrap();
        match &self.database {
            Some(database) => block_on(database.apply(&self.store, create)).1.unwrap(),
            None => {
                let mut store = self.store.lock().unwrap();
                create(&mut store);
                store.take_changes();
                lightsail_local::persistence::save(self.path, &store).unwrap();
            }
        }
    }

    fn read(&self) {
        std::hint::black_box(self.store.lock().unwrap().access_key_ids("us-east-1", "made-0"));
    }
}

/// Runs `future` to its end on this thread, as a request's task would await it.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    thread_local! {
        static RUNTIME: tokio::runtime::Runtime =
            tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
    }
    RUNTIME.with(|runtime| runtime.block_on(future))
}

/// A store after `changes` changes: buckets, each with one key.
fn made(changes: usize) -> Store {
    let mut store = Store::new();
    for i in 0..changes / 2 {
        let name = format!("made-{i}");
        let bucket = CreateBucketRequest {
            bucket_name: Some(name.clone()),
            bundle_id: Some("small_1_0".into()),
            ..Default::default()
        };
        store.create_bucket("us-east-1", 1.0, bucket, Default::default()).unwrap();
        let key = BucketNameRequest { bucket_name: Some(name) };
        store.create_bucket_access_key("us-east-1", 1.0, key, Default::default()).unwrap();
    }
    store.take_changes();
    store
}

/// Write latency alone, then read latency while two writers go on.
fn measure(state: &State, samples: usize) -> (Vec<Duration>, Vec<Duration>) {
    let counter = AtomicUsize::new(0);
    let next = || format!("bench-{}", counter.fetch_add(1, Ordering::Relaxed));
    let mut writes = Vec::new();
    for _ in 0..samples {
        let started = Instant::now();
        state.write(next());
        writes.push(started.elapsed());
    }
    let stop = AtomicBool::new(false);
    let reads = std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    state.write(next());
                    // A client waits for its answer before it sends the next request.
                    std::thread::sleep(Duration::from_millis(1));
                }
            });
        }
        let mut reads = Vec::new();
        for _ in 0..samples {
            let started = Instant::now();
            state.read();
            reads.push(started.elapsed());
            // A client's requests are not back to back: the writers get the lock between reads.
            std::thread::sleep(Duration::from_millis(2));
        }
        stop.store(true, Ordering::Relaxed);
        reads
    });
    (writes, reads)
}

fn show(samples: &[Duration]) -> String {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    format!("{} ({})", ms(at(0.5)), ms(at(0.9)))
}

fn ms(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    }
}
