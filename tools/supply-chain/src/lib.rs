//! The supply-chain gate. Every crate in `Cargo.lock` is checked against the RustSec advisory
//! database, read offline from a folder (vulnerabilities, and the informational advisories
//! too: unmaintained, unsound). Every package's licence is checked against an allowed list: the
//! crates (`cargo metadata`), the JavaScript host's npm packages (its `package-lock.json`) and the
//! Python host's (the `METADATA` of an environment it was installed in). All follow one policy
//! file, `supply-chain.toml`, where each exception is written down with its reason. The gate also
//! fails on an exception that no longer matches anything, so the file stays true.

use rustsec::database::Query;
use rustsec::{Collection, Database, Lockfile};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::fmt;

/// The policy file: advisory exceptions and the licence rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Policy {
    #[serde(default, rename = "advisory-exception")]
    pub advisory_exceptions: Vec<AdvisoryException>,
    pub licences: LicencePolicy,
}

/// An advisory accepted for one crate, and why.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvisoryException {
    pub id: String,
    #[serde(rename = "crate")]
    pub krate: String,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LicencePolicy {
    /// SPDX licences (with their `WITH` exceptions) a dependency may be used under.
    pub allowed: Vec<String>,
    /// Packages whose metadata names no SPDX expression (only a licence file, or words): the
    /// expression read from their licence, and where it was read.
    #[serde(default)]
    pub clarified: Vec<Clarification>,
    /// Packages under a licence outside `allowed`, used anyway, and why that use is sound.
    #[serde(default)]
    pub accepted: Vec<Acceptance>,
}

/// Where a package comes from: its licence entries are looked up by ecosystem and name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Ecosystem {
    #[default]
    #[serde(rename = "crates.io")]
    Crates,
    #[serde(rename = "npm")]
    Npm,
    #[serde(rename = "pypi")]
    Pypi,
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ecosystem::Crates => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::Pypi => "pypi",
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clarification {
    #[serde(default)]
    pub ecosystem: Ecosystem,
    pub package: String,
    pub expression: String,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    #[serde(default)]
    pub ecosystem: Ecosystem,
    pub package: String,
    /// The licence as the package states it (or as clarified).
    pub licence: String,
    pub reason: String,
}

/// The shortest reason worth the name: a sentence, not a placeholder.
const MIN_REASON: usize = 20;

impl Policy {
    /// Reads the policy, refusing an exception without a reason or an allowed list naming a
    /// licence SPDX does not know.
    pub fn parse(text: &str) -> Result<Policy, String> {
        let policy: Policy = toml::from_str(text).map_err(|e| e.to_string())?;
        for exception in &policy.advisory_exceptions {
            if !exception.id.starts_with("RUSTSEC-") {
                return Err(format!("advisory-exception `{}`: `id` must be a RUSTSEC- identifier", exception.id));
            }
            if exception.reason.trim().len() < MIN_REASON {
                return Err(format!(
                    "advisory-exception {} ({}): `reason` must say why the advisory does not reach this project",
                    exception.id, exception.krate
                ));
            }
        }
        for licence in &policy.licences.allowed {
            spdx::Expression::parse(licence)
                .map_err(|e| format!("licences.allowed: `{licence}` is not an SPDX licence: {e}"))?;
        }
        for clarified in &policy.licences.clarified {
            spdx::Expression::parse(&clarified.expression)
                .map_err(|e| format!("licences.clarified {}: `expression`: {e}", clarified.package))?;
            if clarified.reason.trim().len() < MIN_REASON {
                return Err(format!(
                    "licences.clarified {}: `reason` must say where the expression was read",
                    clarified.package
                ));
            }
        }
        for accepted in &policy.licences.accepted {
            if accepted.reason.trim().len() < MIN_REASON {
                return Err(format!("licences.accepted {}: `reason` must say why this use is sound", accepted.package));
            }
        }
        Ok(policy)
    }
}

/// One advisory that matches one locked crate version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub id: String,
    pub krate: String,
    pub version: String,
    /// `vulnerability`, or the informational kind (`unmaintained`, `unsound`, `notice`).
    pub kind: String,
    pub title: String,
    /// The versions that fix it, if any.
    pub patched: Vec<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {} ({}): {}", self.id, self.krate, self.version, self.kind, self.title)?;
        match self.patched.as_slice() {
            [] => write!(f, "; no fixed release"),
            patched => write!(f, "; fixed in {}", patched.join(", ")),
        }
    }
}

/// What the advisory check found.
#[derive(Debug, Default)]
pub struct AdvisoryAudit {
    /// Matches with no written exception: the gate fails.
    pub unaddressed: Vec<Finding>,
    /// Matches the policy accepts (its reason is written there).
    pub excepted: Vec<Finding>,
    /// Exceptions that match nothing locked: the gate fails, so the file says only what holds.
    pub stale: Vec<AdvisoryException>,
}

impl AdvisoryAudit {
    pub fn passed(&self) -> bool {
        self.unaddressed.is_empty() && self.stale.is_empty()
    }
}

/// Every locked crate version against every advisory of the crates collection that was not withdrawn.
pub fn audit_advisories(db: &Database, lockfile: &Lockfile, policy: &Policy) -> AdvisoryAudit {
    let query = Query::new().collection(Collection::Crates).withdrawn(false);
    let mut findings: Vec<Finding> = db
        .query_vulnerabilities(lockfile, &query)
        .into_iter()
        .map(|matched| Finding {
            id: matched.advisory.id.to_string(),
            krate: matched.package.name.to_string(),
            version: matched.package.version.to_string(),
            kind: matched
                .advisory
                .informational
                .as_ref()
                .map_or_else(|| "vulnerability".to_string(), |kind| kind.as_str().to_string()),
            title: matched.advisory.title.clone(),
            patched: matched.versions.patched().iter().map(ToString::to_string).collect(),
        })
        .collect();
    findings.sort();
    findings.dedup();
    let mut audit = AdvisoryAudit::default();
    let mut used = BTreeSet::new();
    for finding in findings {
        let exception = policy.advisory_exceptions.iter().position(|e| e.id == finding.id && e.krate == finding.krate);
        match exception {
            Some(index) => {
                used.insert(index);
                audit.excepted.push(finding);
            }
            None => audit.unaddressed.push(finding),
        }
    }
    audit.stale = policy
        .advisory_exceptions
        .iter()
        .enumerate()
        .filter(|(index, _)| !used.contains(index))
        .map(|(_, exception)| exception.clone())
        .collect();
    audit
}

/// A package as its metadata states its licence.
#[derive(Debug, Clone)]
pub struct Package {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: String,
    /// An SPDX expression, where the metadata holds one.
    pub licence: Option<String>,
}

/// A package whose licence the policy does not allow (or cannot read).
#[derive(Debug, PartialEq, Eq)]
pub struct LicenceFinding {
    pub ecosystem: Ecosystem,
    pub package: String,
    pub version: String,
    pub problem: String,
}

impl fmt::Display for LicenceFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}: {}", self.ecosystem, self.package, self.version, self.problem)
    }
}

/// Each package's licence expression must be satisfiable with allowed licences only (for `A OR B`,
/// one allowed side is enough; for `A AND B`, both), or be accepted by name with its reason. An
/// entry of `clarified` or `accepted` that no package uses is a finding too.
pub fn audit_licences(packages: &[Package], policy: &LicencePolicy) -> Vec<LicenceFinding> {
    let allowed: BTreeSet<&str> = policy.allowed.iter().map(String::as_str).collect();
    let mut used_clarified = BTreeSet::new();
    let mut used_accepted = BTreeSet::new();
    let mut findings = Vec::new();
    for package in packages {
        let finding = |problem: String| LicenceFinding {
            ecosystem: package.ecosystem,
            package: package.name.clone(),
            version: package.version.clone(),
            problem,
        };
        let named = |ecosystem: Ecosystem, name: &str| ecosystem == package.ecosystem && name == package.name;
        let clarified = policy.clarified.iter().enumerate().find(|(_, c)| named(c.ecosystem, &c.package));
        let expression = match (&package.licence, clarified) {
            (_, Some((index, clarified))) => {
                used_clarified.insert(index);
                clarified.expression.clone()
            }
            (Some(licence), None) => licence.clone(),
            (None, None) => {
                findings
                    .push(finding("names no SPDX licence; read its licence and add it to `licences.clarified`".into()));
                continue;
            }
        };
        // Cargo's manifests still carry the old `/` for OR; npm's lock files `+` for or-later.
        let allowed_by_list = match spdx::Expression::parse_mode(&expression, spdx::ParseMode::LAX) {
            Err(e) => {
                findings.push(finding(format!("licence `{expression}` is not an SPDX expression: {e}")));
                continue;
            }
            Ok(parsed) => parsed.evaluate(|req| allowed.contains(req.to_string().as_str())),
        };
        if allowed_by_list {
            continue;
        }
        match policy.accepted.iter().position(|a| named(a.ecosystem, &a.package) && a.licence == expression) {
            Some(index) => {
                used_accepted.insert(index);
            }
            None => findings.push(finding(format!(
                "licence `{expression}` is not in `licences.allowed` (or accept this package in `licences.accepted`, with its reason)"
            ))),
        }
    }
    let unused = |kind: &str, ecosystem: Ecosystem, name: &str| LicenceFinding {
        ecosystem,
        package: name.to_string(),
        version: "-".to_string(),
        problem: format!("its `licences.{kind}` entry matches no package: remove it"),
    };
    let clarified = policy.clarified.iter().enumerate().filter(|(i, _)| !used_clarified.contains(i));
    findings.extend(clarified.map(|(_, c)| unused("clarified", c.ecosystem, &c.package)));
    let accepted = policy.accepted.iter().enumerate().filter(|(i, _)| !used_accepted.contains(i));
    findings.extend(accepted.map(|(_, a)| unused("accepted", a.ecosystem, &a.package)));
    findings
}

/// The packages of an npm lock file (version 2 or 3), with the licence npm recorded for each.
pub fn npm_packages(lock: &str) -> Result<Vec<Package>, String> {
    let lock: serde_json::Value = serde_json::from_str(lock).map_err(|e| e.to_string())?;
    let entries = lock["packages"].as_object().ok_or("no `packages` (a lock file of npm 7 or later is needed)")?;
    Ok(entries
        .iter()
        .filter(|(path, _)| !path.is_empty()) // the project itself
        .map(|(path, entry)| Package {
            ecosystem: Ecosystem::Npm,
            // `node_modules/a/node_modules/@b/c` is the package `@b/c`.
            name: path.rsplit_once("node_modules/").map_or(path.as_str(), |(_, name)| name).to_string(),
            version: entry["version"].as_str().unwrap_or_default().to_string(),
            licence: entry["license"].as_str().map(str::to_string),
        })
        .collect())
}

/// A Python distribution's licence from its `METADATA`: `License-Expression` (PEP 639), else a
/// `License` field that is an SPDX expression, else its licence classifiers where each names one
/// licence (joined with OR, as a package listing several offers each).
pub fn python_package(metadata: &str) -> Option<Package> {
    let header = metadata.split("\n\n").next().unwrap_or_default();
    let field = |name: &str| header.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_string());
    let name = field("Name:")?;
    let version = field("Version:").unwrap_or_default();
    let expression = field("License-Expression:");
    let stated = field("License:").filter(|l| spdx::Expression::parse(l).is_ok());
    let classifiers: Vec<Option<&str>> = header
        .lines()
        .filter_map(|l| l.strip_prefix("Classifier: License :: OSI Approved :: "))
        .map(|c| match c.trim() {
            "MIT License" => Some("MIT"),
            "Apache Software License" => Some("Apache-2.0"),
            "ISC License (ISCL)" => Some("ISC"),
            _ => None,
        })
        .collect();
    let classified = (!classifiers.is_empty() && classifiers.iter().all(Option::is_some))
        .then(|| classifiers.iter().flatten().copied().collect::<Vec<_>>().join(" OR "));
    Some(Package { ecosystem: Ecosystem::Pypi, name, version, licence: expression.or(stated).or(classified) })
}

/// The snapshot's date as its `SNAPSHOT.md` states it (the first `YYYY-MM-DD` there).
pub fn snapshot_date(snapshot_md: &str) -> Option<&str> {
    snapshot_md.char_indices().find_map(|(start, _)| {
        let candidate = snapshot_md.get(start..start + 10)?;
        let bytes = candidate.as_bytes();
        let shape =
            bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
        shape.then_some(candidate)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> Policy {
        Policy::parse(text).unwrap()
    }

    #[test]
    fn an_exception_without_a_reason_is_refused() {
        let text = "[[advisory-exception]]\nid = \"RUSTSEC-2023-0071\"\ncrate = \"rsa\"\nreason = \"ok\"\n\
                    [licences]\nallowed = [\"MIT\"]\n";
        let error = Policy::parse(text).unwrap_err();
        assert!(error.contains("RUSTSEC-2023-0071 (rsa): `reason` must say why"), "{error}");
    }

    #[test]
    fn an_unknown_licence_in_the_allowed_list_is_refused() {
        let error = Policy::parse("[licences]\nallowed = [\"MIT\", \"Apache2\"]\n").unwrap_err();
        assert!(error.contains("`Apache2` is not an SPDX licence"), "{error}");
    }

    #[test]
    fn licences_are_satisfied_by_one_side_of_or_and_both_sides_of_and() {
        let licences = policy("[licences]\nallowed = [\"MIT\", \"Apache-2.0\", \"Unicode-3.0\"]\n").licences;
        let package = |name: &str, licence: Option<&str>| Package {
            ecosystem: Ecosystem::Crates,
            name: name.into(),
            version: "1.0.0".into(),
            licence: licence.map(Into::into),
        };
        let packages = [
            package("either", Some("MIT OR Apache-2.0")),
            package("old-slash", Some("MIT/Apache-2.0")),
            package("both", Some("(MIT OR Apache-2.0) AND Unicode-3.0")),
            package("one-side-missing", Some("MIT AND GPL-3.0-only")),
            package("copyleft", Some("GPL-3.0-only")),
            package("unstated", None),
        ];
        let names: Vec<_> = audit_licences(&packages, &licences).into_iter().map(|f| f.package).collect();
        assert_eq!(names, ["one-side-missing", "copyleft", "unstated"]);
    }

    #[test]
    fn a_clarified_expression_stands_for_a_licence_file() {
        let licences = policy(
            "[licences]\nallowed = [\"ISC\"]\n[[licences.clarified]]\npackage = \"ring\"\n\
             expression = \"ISC\"\nreason = \"its LICENSE file, read for this version\"\n",
        )
        .licences;
        let ring =
            Package { ecosystem: Ecosystem::Crates, name: "ring".into(), version: "0.17.0".into(), licence: None };
        assert_eq!(audit_licences(&[ring], &licences), []);
    }

    #[test]
    fn an_accepted_licence_passes_for_that_package_only_and_unused_entries_are_findings() {
        let licences = policy(
            "[licences]\nallowed = [\"MIT\"]\n[[licences.accepted]]\necosystem = \"npm\"\npackage = \"openpgp\"\n\
             licence = \"LGPL-3.0+\"\nreason = \"installed as its own module, unmodified\"\n\
             [[licences.clarified]]\npackage = \"gone\"\nexpression = \"MIT\"\nreason = \"read from a crate no longer used\"\n",
        )
        .licences;
        let npm = |name: &str| Package {
            ecosystem: Ecosystem::Npm,
            name: name.into(),
            version: "6.3.2".into(),
            licence: Some("LGPL-3.0+".into()),
        };
        let findings: Vec<String> =
            audit_licences(&[npm("openpgp"), npm("other")], &licences).iter().map(ToString::to_string).collect();
        assert_eq!(
            findings,
            [
                "npm other 6.3.2: licence `LGPL-3.0+` is not in `licences.allowed` (or accept this package in `licences.accepted`, with its reason)",
                "crates.io gone -: its `licences.clarified` entry matches no package: remove it",
            ]
        );
    }

    #[test]
    fn npm_lock_files_give_each_package_with_its_licence() {
        let lock = r#"{"lockfileVersion": 3, "packages": {
            "": {"name": "host", "license": "Apache-2.0"},
            "node_modules/openpgp": {"version": "6.3.2", "license": "LGPL-3.0+"},
            "node_modules/a/node_modules/@b/c": {"version": "1.0.0", "license": "MIT"},
            "node_modules/unstated": {"version": "0.1.0"}}}"#;
        let packages: Vec<_> = npm_packages(lock).unwrap().into_iter().map(|p| (p.name, p.licence)).collect();
        assert_eq!(
            packages,
            [
                ("@b/c".into(), Some("MIT".into())),
                ("openpgp".into(), Some("LGPL-3.0+".into())),
                ("unstated".into(), None),
            ]
        );
        assert!(npm_packages("{}").unwrap_err().contains("npm 7 or later"));
    }

    #[test]
    fn python_metadata_gives_the_expression_else_an_spdx_licence_field_else_the_classifiers() {
        let licence = |metadata: &str| python_package(metadata).unwrap().licence;
        let expression = "Name: wasmtime\nVersion: 51.0.0\nLicense-Expression: Apache-2.0 WITH LLVM-exception\n\nbody";
        assert_eq!(licence(expression).as_deref(), Some("Apache-2.0 WITH LLVM-exception"));
        assert_eq!(licence("Name: boto3\nLicense: Apache-2.0\n").as_deref(), Some("Apache-2.0"));
        let classified = "Name: s3transfer\nLicense: Apache License 2.0\nClassifier: License :: OSI Approved :: Apache Software License\n";
        assert_eq!(licence(classified).as_deref(), Some("Apache-2.0"));
        let bsd = "Name: Jinja2\nClassifier: License :: OSI Approved :: BSD License\n";
        assert_eq!(licence(bsd), None, "BSD License names no one licence: it needs `clarified`");
        assert!(python_package("Version: 1\n").is_none());
    }

    #[test]
    fn the_snapshot_date_is_read_from_its_note() {
        let note = "The `crates/` folder (rustsec/advisory-db, commit bf5c0d2, 2026-08-21), with its licence";
        assert_eq!(snapshot_date(note), Some("2026-08-21"));
        assert_eq!(snapshot_date("no date"), None);
    }
}
