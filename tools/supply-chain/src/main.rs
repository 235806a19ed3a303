//! `supply-chain --db <advisory-db>`: the gate `.ci/run` runs. It prints one line per check and
//! exits 1 naming each advisory or licence the policy does not address.

use anyhow::Context;
use clap::Parser;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use supply_chain::{
    Ecosystem, Package, Policy, audit_advisories, audit_licences, npm_packages, python_package, snapshot_date,
};

#[derive(Parser)]
#[command(about = "Checks Cargo.lock against the RustSec advisory database and every licence against the policy")]
struct Args {
    /// The advisory database: a folder holding `crates/` (a snapshot of rustsec/advisory-db).
    #[arg(long, env = "ADVISORY_DB")]
    db: PathBuf,
    #[arg(long, default_value = "Cargo.lock")]
    lockfile: PathBuf,
    /// Advisory exceptions with their reasons, and the allowed licences.
    #[arg(long, default_value = "supply-chain.toml")]
    policy: PathBuf,
    /// `cargo metadata --format-version 1` output to read licences from; by default cargo is run
    /// beside the lock file.
    #[arg(long)]
    metadata: Option<PathBuf>,
    /// npm lock files whose packages' licences are checked too (the JavaScript host's).
    #[arg(long)]
    npm_lock: Vec<PathBuf>,
    /// Python environments (venvs) whose installed distributions' licences are checked too (the
    /// Python host's, as its pinned requirements installed them).
    #[arg(long)]
    python_env: Vec<PathBuf>,
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("supply-chain: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> anyhow::Result<bool> {
    let policy_text =
        std::fs::read_to_string(&args.policy).with_context(|| format!("reading {}", args.policy.display()))?;
    let policy = Policy::parse(&policy_text).map_err(|e| anyhow::anyhow!("{}: {e}", args.policy.display()))?;
    let db = rustsec::Database::open(&args.db)
        .with_context(|| format!("reading the advisory database in {}", args.db.display()))?;
    let lockfile =
        rustsec::Lockfile::load(&args.lockfile).with_context(|| format!("reading {}", args.lockfile.display()))?;
    let snapshot = std::fs::read_to_string(args.db.join("SNAPSHOT.md")).unwrap_or_default();
    let dated = snapshot_date(&snapshot).map_or_else(String::new, |date| format!(" of {date}"));

    let advisories = audit_advisories(&db, &lockfile, &policy);
    let excepted: Vec<String> = advisories.excepted.iter().map(|f| format!("{} {}", f.id, f.krate)).collect();
    for finding in &advisories.unaddressed {
        eprintln!("advisory {finding}");
        eprintln!("  upgrade it, or write an [[advisory-exception]] with its reason in {}", args.policy.display());
    }
    for exception in &advisories.stale {
        eprintln!(
            "advisory-exception {} ({}) matches nothing in {}: remove it from {}",
            exception.id,
            exception.krate,
            args.lockfile.display(),
            args.policy.display()
        );
    }
    println!(
        "advisories: {} crate versions against the RustSec database{dated} ({} advisories): {} unaddressed, {} written exception(s){}",
        lockfile.packages.len(),
        db.iter().count(),
        advisories.unaddressed.len(),
        excepted.len(),
        if excepted.is_empty() { String::new() } else { format!(" ({})", excepted.join(", ")) },
    );

    let mut packages = crates(args)?;
    for lock in &args.npm_lock {
        let text = std::fs::read_to_string(lock).with_context(|| format!("reading {}", lock.display()))?;
        packages.extend(npm_packages(&text).map_err(|e| anyhow::anyhow!("{}: {e}", lock.display()))?);
    }
    for env in &args.python_env {
        packages.extend(python_distributions(env)?);
    }
    let licences = audit_licences(&packages, &policy.licences);
    for finding in &licences {
        eprintln!("licence {finding}");
    }
    let count = |ecosystem: Ecosystem| packages.iter().filter(|p| p.ecosystem == ecosystem).count();
    println!(
        "licences: {} packages ({} crates, {} npm, {} Python): {} not allowed",
        packages.len(),
        count(Ecosystem::Crates),
        count(Ecosystem::Npm),
        count(Ecosystem::Pypi),
        licences.len()
    );
    Ok(advisories.passed() && licences.is_empty())
}

/// Every package of the dependency graph with its licence, from cargo's metadata.
fn crates(args: &Args) -> anyhow::Result<Vec<Package>> {
    let metadata = match &args.metadata {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            cargo_metadata::MetadataCommand::parse(text)?
        }
        None => {
            let dir = args.lockfile.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            cargo_metadata::MetadataCommand::new()
                .manifest_path(dir.join("Cargo.toml"))
                .other_options(vec!["--locked".to_string()])
                .exec()
                .context("cargo metadata")?
        }
    };
    Ok(metadata
        .packages
        .into_iter()
        .map(|p| Package {
            ecosystem: Ecosystem::Crates,
            name: p.name.to_string(),
            version: p.version.to_string(),
            licence: p.license,
        })
        .collect())
}

/// The distributions installed in a venv (`lib/python*/site-packages/*.dist-info/METADATA`).
fn python_distributions(env: &Path) -> anyhow::Result<Vec<Package>> {
    let lib = env.join("lib");
    let entries = std::fs::read_dir(&lib).with_context(|| format!("reading {} (a Python venv?)", lib.display()))?;
    let mut packages = Vec::new();
    for python in entries.filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().starts_with("python")) {
        let site = python.path().join("site-packages");
        let Ok(distributions) = std::fs::read_dir(&site) else { continue };
        for distribution in distributions.filter_map(Result::ok) {
            if !distribution.file_name().to_string_lossy().ends_with(".dist-info") {
                continue;
            }
            let metadata = distribution.path().join("METADATA");
            let text = std::fs::read_to_string(&metadata).with_context(|| format!("reading {}", metadata.display()))?;
            packages.extend(python_package(&text));
        }
    }
    anyhow::ensure!(!packages.is_empty(), "{} holds no installed distribution", env.display());
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(packages)
}
