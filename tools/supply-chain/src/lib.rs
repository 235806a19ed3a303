//! The supply-chain gate. Every crate in `Cargo.lock` is checked against the RustSec advisory
//! database, read offline from a folder (vulnerabilities, and the informational advisories
//! too: unmaintained, unsound). Every package's licence is checked against an allowed list. Both
//! follow one policy file, `supply-chain.toml`, where each exception is written down with its
//! reason. The gate also fails on an exception that no longer matches anything, so the file stays
//! true.

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
    /// Packages whose manifest names no SPDX expression (only a licence file): the expression read
    /// from that file, and who read it.
    #[serde(default)]
    pub clarified: Vec<Clarification>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clarification {
    pub package: String,
    pub expression: String,
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
    /// Matches the policy accepts, with the reason written there.
    pub excepted: Vec<(Finding, String)>,
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
                audit.excepted.push((finding, policy.advisory_exceptions[index].reason.clone()));
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

/// A package as its manifest states its licence.
#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    pub version: String,
    /// The manifest's SPDX `license` expression.
    pub licence: Option<String>,
}

/// A package whose licence the policy does not allow (or cannot read).
#[derive(Debug, PartialEq, Eq)]
pub struct LicenceFinding {
    pub package: String,
    pub version: String,
    pub problem: String,
}

impl fmt::Display for LicenceFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.package, self.version, self.problem)
    }
}

/// Each package's licence expression must be satisfiable with allowed licences only (for `A OR B`,
/// one allowed side is enough; for `A AND B`, both).
pub fn audit_licences(packages: &[Package], policy: &LicencePolicy) -> Vec<LicenceFinding> {
    let allowed: BTreeSet<&str> = policy.allowed.iter().map(String::as_str).collect();
    let mut findings = Vec::new();
    for package in packages {
        let clarified = policy.clarified.iter().find(|c| c.package == package.name);
        let expression = match (&package.licence, clarified) {
            (_, Some(clarified)) => clarified.expression.clone(),
            (Some(licence), None) => licence.clone(),
            (None, None) => {
                findings.push(LicenceFinding {
                    package: package.name.clone(),
                    version: package.version.clone(),
                    problem: "names no SPDX licence; read its licence file and add it to `licences.clarified`"
                        .to_string(),
                });
                continue;
            }
        };
        // Cargo's manifests still carry the old `/` for OR.
        let parsed = spdx::Expression::parse_mode(&expression, spdx::ParseMode::LAX);
        let problem = match parsed {
            Err(e) => Some(format!("licence `{expression}` is not an SPDX expression: {e}")),
            Ok(parsed) if !parsed.evaluate(|req| allowed.contains(req.to_string().as_str())) => {
                Some(format!("licence `{expression}` is not in `licences.allowed`"))
            }
            Ok(_) => None,
        };
        if let Some(problem) = problem {
            findings.push(LicenceFinding { package: package.name.clone(), version: package.version.clone(), problem });
        }
    }
    findings
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
        let ring = Package { name: "ring".into(), version: "0.17.0".into(), licence: None };
        assert_eq!(audit_licences(&[ring], &licences), []);
    }

    #[test]
    fn the_snapshot_date_is_read_from_its_note() {
        let note = "The `crates/` folder (rustsec/advisory-db, commit bf5c0d2, 2026-08-21), with its licence";
        assert_eq!(snapshot_date(note), Some("2026-08-21"));
        assert_eq!(snapshot_date("no date"), None);
    }
}
