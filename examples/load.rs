//! The load run at a larger scale, with its figures:
//!
//!     cargo run --release --example load -- [LIFECYCLES] [FAULT_RATE] [SEED]
//!
//! Defaults: 5,000 concurrent lifecycles, 5% faults, seed 2026.

#[path = "../tests/common/load.rs"]
mod load;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let lifecycles = args.next().and_then(|a| a.parse().ok()).unwrap_or(5_000);
    let rate = args.next().and_then(|a| a.parse().ok()).unwrap_or(0.05);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(2026);
    let report = load::run(lifecycles, rate, seed).await;
    print!("{report}");
    if report.orphans > 0 || report.deleted_siblings > 0 || report.duplicates > 0 || report.undeleted > 0 {
        std::process::exit(1);
    }
}
