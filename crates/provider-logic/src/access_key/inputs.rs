//! The access key's inputs: parsed from a JSON property bag, every rule checked, every failure named.

use super::pgp::PGP_KEY;
use crate::json;
use crate::props::{UNKNOWN, object, string_property};
use crate::types::CheckFailure;
use crate::validate;
use alloc::{format, string::String, vec::Vec};
use serde::Serialize;

/// The input naming the key's bucket.
pub const BUCKET_NAME: &str = "bucketName";
/// The input naming its region.
pub const REGION: &str = "region";

/// An access key's inputs, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    /// The bucket the key opens.
    pub bucket_name: String,
    /// `None`: the host's default region.
    pub region: Option<String>,
    /// The OpenPGP public key the secret is encrypted to, as the user wrote it (read and checked
    /// by [`super::pgp::Recipient`]); `None`: the secret is returned in plain text.
    pub pgp_key: Option<String>,
}

impl Inputs {
    /// Whether a value is still unknown (allowed in check and preview only).
    pub fn has_unknowns(&self) -> bool {
        self.bucket_name == UNKNOWN || self.region.as_deref() == Some(UNKNOWN) || self.pgp_key_is_unknown()
    }

    /// Whether `pgpKey` is still unknown (then check cannot look at it yet).
    pub fn pgp_key_is_unknown(&self) -> bool {
        self.pgp_key.as_deref() == Some(UNKNOWN)
    }

    /// The inputs as the JSON object engines keep.
    pub fn to_json(&self) -> String {
        json::to_string(&Bag {
            bucket_name: &self.bucket_name,
            pgp_key: self.pgp_key.as_deref(),
            region: self.region.as_deref(),
        })
    }
}

/// The inputs as [`Inputs::to_json`] writes them: members in name order, those not given left out.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bag<'a> {
    bucket_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pgp_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
}

/// Parses a JSON object of inputs. All failures are reported together.
pub fn parse(json: &str) -> Result<Inputs, Vec<CheckFailure>> {
    let object = object(json)?;
    let mut failures = Vec::new();
    for key in object.keys() {
        if key != BUCKET_NAME && key != REGION && key != PGP_KEY {
            failures.push(CheckFailure::new(
                key.clone(),
                format!("unknown property; this resource takes {BUCKET_NAME} (required), {REGION} and {PGP_KEY}"),
            ));
        }
    }
    let bucket_name = string_property(&object, BUCKET_NAME, validate::bucket_name, &mut failures);
    if json::is_missing(object.get(BUCKET_NAME)) {
        failures.push(CheckFailure::new(BUCKET_NAME, "is required"));
    }
    let region = string_property(&object, REGION, validate::region, &mut failures);
    // Its content is the host's to check (it needs OpenPGP): see `super::pgp`.
    let pgp_key = string_property(&object, PGP_KEY, |_| Ok(()), &mut failures);
    match bucket_name {
        Some(bucket_name) if failures.is_empty() => Ok(Inputs { bucket_name, region, pgp_key }),
        _ => Err(failures),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn failures(json: &str) -> Vec<(String, String)> {
        parse(json).unwrap_err().into_iter().map(|f| (f.property, f.reason)).collect()
    }

    #[test]
    fn accepts_and_normalizes() {
        let inputs = parse(r#"{"bucketName": "example-bucket", "region": null}"#).unwrap();
        assert_eq!(inputs, Inputs { bucket_name: "example-bucket".into(), region: None, pgp_key: None });
        assert_eq!(inputs.to_json(), r#"{"bucketName":"example-bucket"}"#);
        let inputs = parse(r#"{"bucketName": "b-1", "region": "eu-west-2"}"#).unwrap();
        assert_eq!(inputs.region.as_deref(), Some("eu-west-2"));
        let inputs = parse(r#"{"bucketName": "b-1", "pgpKey": " mQINBGV \n"}"#).unwrap();
        assert_eq!(
            inputs.pgp_key.as_deref(),
            Some(" mQINBGV \n"),
            "kept as written: Terraform compares it with the configuration"
        );
        assert_eq!(inputs.to_json(), r#"{"bucketName":"b-1","pgpKey":" mQINBGV \n"}"#);
        // Every member written under the name it is read by, in name order.
        let all = Inputs { bucket_name: "b-1".into(), region: Some("eu-west-2".into()), pgp_key: Some("k\"".into()) };
        assert_eq!(all.to_json(), r#"{"bucketName":"b-1","pgpKey":"k\"","region":"eu-west-2"}"#);
        assert_eq!(parse(&all.to_json()), Ok(all));
    }

    #[test]
    fn names_every_broken_property_and_rule() {
        let found = failures(r#"{"bucketName": 5, "region": "moon-1", "tags": {}, "pgpKey": 1}"#);
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found.iter().any(|(p, r)| p == "pgpKey" && r.contains("must be a string, not a number")));
        assert!(found.iter().any(|(p, r)| p == "tags" && r.contains("unknown property")));
        assert!(found.iter().any(|(p, r)| p == "bucketName" && r.contains("must be a string, not a number")));
        assert!(found.iter().any(|(p, r)| p == "region" && r.contains("not a region")));
        assert_eq!(failures("{}"), vec![("bucketName".into(), "is required".into())]);
        assert!(failures("[1]")[0].1.contains("must be a JSON object, not an array"));
        assert!(failures("{").first().unwrap().1.contains("not valid JSON"));
        assert!(failures(r#"{"bucketName": "a--b"}"#)[0].1.contains("two hyphens"));
    }

    #[test]
    fn unknowns_pass_check() {
        let inputs = parse(&format!(r#"{{"bucketName": "{UNKNOWN}"}}"#)).unwrap();
        assert!(inputs.has_unknowns());
    }
}
