//! 1,000 concurrent lifecycles, two to a bucket, with about 5% injected faults of every kind
//! (stalls past the attempt timeout among them): every key accounted for (no orphan at the
//! endpoint, no recorded key deleted by its sibling's create, no lost id, no duplicate), through
//! one host and spread over two processes. `cargo run --release --example load` runs the same at a
//! larger scale.

// The worker's side of the shared module is the `load` example's.
#[allow(dead_code)]
#[path = "common/load.rs"]
mod load;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_lifecycles_with_faults_leave_every_key_accounted_for() {
    let report = load::run(1_000, 0.05, 2026).await;
    println!("{report}");
    every_key_accounted_for(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_lifecycles_over_two_processes_leave_every_key_accounted_for() {
    // The workers are the `load` example, which `cargo test` builds beside this test.
    let exe = std::env::current_exe().unwrap();
    let worker = exe.parent().and_then(|deps| deps.parent()).unwrap().join("examples/load");
    assert!(
        worker.exists(),
        "{} is not built (`cargo test` builds the examples; `--test load` alone does not)",
        worker.display()
    );
    let report = load::run_processes(1_000, 0.05, 2026, 2, &worker).await;
    println!("{report}");
    every_key_accounted_for(&report);
}

fn every_key_accounted_for(report: &load::Report) {
    assert_eq!(report.orphans, 0, "{report}");
    assert_eq!(report.deleted_siblings, 0, "{report}");
    assert_eq!(report.duplicates, 0, "{report}");
    assert_eq!(report.undeleted, 0, "{report}");
    assert_eq!(report.completed + report.not_ready + report.create_errors, 1_000, "{report}");
    for kind in [
        "throttle",
        "server_error",
        "unavailable",
        "lost_response",
        "latency",
        "stall_applied",
        "stall_unapplied",
        "operation_failed",
        "operation_pending",
    ] {
        assert!(report.faults.get(kind).copied().unwrap_or(0) > 0, "no {kind} fault was injected: {report}");
    }
}
