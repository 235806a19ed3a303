//! The load run at a larger scale, with its figures:
//!
//!     cargo run --release --example load -- [LIFECYCLES] [FAULT_RATE] [SEED] [--processes N]
//!
//! Defaults: 5,000 concurrent lifecycles, 5% faults, seed 2026, all through one host. With
//! `--processes N` they are spread over N worker processes (this binary, run with `--worker`), so
//! that the two keys of each bucket are created by two processes at once.

#[path = "../tests/common/load.rs"]
mod load;

#[tokio::main]
async fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, config] = args.as_slice()
        && flag == "--worker"
    {
        return load::worker(config).await;
    }
    let processes = match args.iter().position(|a| a == "--processes") {
        Some(at) => {
            let n = args.get(at + 1).and_then(|n| n.parse().ok()).filter(|n| *n > 0).expect("--processes N, N > 0");
            args.drain(at..at + 2);
            n
        }
        None => 0,
    };
    let mut args = args.into_iter();
    let lifecycles = args.next().and_then(|a| a.parse().ok()).unwrap_or(5_000);
    let rate = args.next().and_then(|a| a.parse().ok()).unwrap_or(0.05);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(2026);
    let report = if processes == 0 {
        load::run(lifecycles, rate, seed).await
    } else {
        let this = std::env::current_exe().expect("this binary's path");
        load::run_processes(lifecycles, rate, seed, processes, &this).await
    };
    print!("{report}");
    if report.orphans > 0 || report.deleted_siblings > 0 || report.duplicates > 0 || report.undeleted > 0 {
        std::process::exit(1);
    }
}
