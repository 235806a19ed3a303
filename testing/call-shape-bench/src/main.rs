//! The 1.0 call-shape decision, measured (docs/contract.md#versions): the same work in the shape the
//! contract has, imports awaited on a fiber, and in the shape it could take, each request handed
//! back to the host and the work resumed by another export call, made synchronously, with no
//! fiber. Both against the same work done natively, in the same run:
//!
//!     cargo run --release -p call-shape-bench
//!
//! The component is `testing/call-shape-prototype`: `imports` calls to a `fetch` import whose
//! future is pending once (as a request on the network is), with `context` bytes of the call's
//! context kept across them (in memory, or handed back and forth as the state).

use std::time::{Duration, Instant};
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Engine, Store};

static PROTOTYPE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/call-shape.wasm"));

/// Today's shape: imports and exports async, the component on a fiber.
mod awaiting {
    wasmtime::component::bindgen!({
        path: "../call-shape-prototype/wit",
        world: "call-shape",
        imports: { default: async },
        exports: { default: async },
    });
}

/// The handed-back shape: everything synchronous.
mod handing_back {
    wasmtime::component::bindgen!({ path: "../call-shape-prototype/wit", world: "call-shape" });
}

/// The host's `fetch`: pending once, then `n + 1`.
struct Awaiting;

impl awaiting::lightsail_prototype::call_shape::api::Host for Awaiting {
    async fn fetch(&mut self, n: u32) -> u32 {
        tokio::task::yield_now().await;
        n + 1
    }
}

/// The handed-back shape never calls `fetch`: the host performs it between export calls.
struct HandingBack;

impl handing_back::lightsail_prototype::call_shape::api::Host for HandingBack {
    fn fetch(&mut self, n: u32) -> u32 {
        n + 1
    }
}

/// What the host does for one request, the same in every shape.
async fn fetch(n: u32) -> u32 {
    tokio::task::yield_now().await;
    n + 1
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn micros(d: Duration) -> String {
    format!("{:.2} µs", d.as_secs_f64() * 1e6)
}

const ROUNDS: usize = 20_000;

#[tokio::main(flavor = "current_thread")]
async fn main() -> wasmtime::Result<()> {
    // One engine for both: wasmtime 48 runs a store's calls synchronously (`call`) or on a fiber
    // (`call_async`) as the caller asks.
    let engine = Engine::new(&Config::new())?;
    let (async_engine, sync_engine) = (&engine, &engine);

    let mut linker = Linker::<Awaiting>::new(async_engine);
    awaiting::CallShape::add_to_linker::<Awaiting, HasSelf<Awaiting>>(&mut linker, |s| s)?;
    let mut awaiting_store = Store::new(async_engine, Awaiting);
    let component = Component::new(async_engine, PROTOTYPE)?;
    let awaiting = awaiting::CallShape::instantiate_async(&mut awaiting_store, &component, &linker).await?;

    let mut linker = Linker::<HandingBack>::new(sync_engine);
    handing_back::CallShape::add_to_linker::<HandingBack, HasSelf<HandingBack>>(&mut linker, |s| s)?;
    let mut handing_back_store = Store::new(sync_engine, HandingBack);
    let component = Component::new(sync_engine, PROTOTYPE)?;
    let handing_back = handing_back::CallShape::instantiate(&mut handing_back_store, &component, &linker)?;

    println!(
        "| imports | context | native | awaited on a fiber | handed back | handed back / awaited (overhead beyond native) |"
    );
    println!("|---|---|---|---|---|---|");
    for (imports, context) in [(1, 512), (5, 512), (5, 4096)] {
        let (mut native, mut awaited, mut handed) = (Vec::new(), Vec::new(), Vec::new());
        // Taking turns round by round, so that the machine's state is the same for all three.
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let mut answer = 0;
            let kept = vec![1u8; context as usize];
            for _ in 0..imports {
                answer = fetch(answer).await;
            }
            std::hint::black_box((answer, kept));
            native.push(started.elapsed());

            let started = Instant::now();
            let shapes = awaiting.lightsail_prototype_call_shape_shapes();
            let answer = shapes.call_run(&mut awaiting_store, imports, context).await?;
            awaited.push(started.elapsed());
            assert_eq!(answer, imports, "the awaited shape's work");

            let started = Instant::now();
            use handing_back::exports::lightsail_prototype::call_shape::shapes::Step;
            let shapes = handing_back.lightsail_prototype_call_shape_shapes();
            let mut step = shapes.call_start(&mut handing_back_store, imports, context)?;
            let answer = loop {
                match step {
                    Step::Done(answer) => break answer,
                    Step::Needs(needs) => {
                        let answer = fetch(needs.arg).await;
                        step = shapes.call_resume(&mut handing_back_store, &needs.state, answer)?;
                    }
                }
            };
            handed.push(started.elapsed());
            assert_eq!(answer, imports, "the handed-back shape's work");
        }
        let (native, awaited, handed) = (median(native), median(awaited), median(handed));
        let beyond = |shape: Duration| shape.saturating_sub(native).as_secs_f64();
        println!(
            "| {imports} | {context} B | {} | {} | {} | {:.2}x ({:.2}x) |",
            micros(native),
            micros(awaited),
            micros(handed),
            handed.as_secs_f64() / awaited.as_secs_f64(),
            beyond(handed) / beyond(awaited).max(f64::EPSILON),
        );
    }
    println!(
        "\nHeld while a request is in flight: awaited, the instance and a fiber stack (the host's is 512 KiB, \
         reserved); handed back, the state bytes only, and the instance serves other calls meanwhile."
    );
    Ok(())
}
