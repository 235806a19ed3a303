//! The rules inputs must follow before any API call is made. Each returns the rule broken, in
//! words a person can act on.

use alloc::{format, string::String};

const RESERVED_PREFIXES: &[&str] = &["amzn-s3-demo-", "sthree-configurator", "sthree-"];
const RESERVED_SUFFIX: &str = "-s3alias";

/// Lightsail bucket names: 3 to 54 characters of lowercase letters, digits and hyphens, starting
/// and ending with a letter or digit, no two hyphens in a row, none of AWS's reserved affixes.
pub fn bucket_name(name: &str) -> Result<(), String> {
    let len = name.chars().count();
    if !(3..=54).contains(&len) {
        return Err(format!("must be 3 to 54 characters long, not {len}"));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')) {
        return Err(format!("may contain only lowercase letters, digits and hyphens, not {c:?}"));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err("must start and end with a lowercase letter or a digit".into());
    }
    // Bytes rather than `contains("--")`: a substring search brings its searcher into the component.
    if name.as_bytes().windows(2).any(|pair| pair == b"--") {
        return Err("must not contain two hyphens in a row".into());
    }
    if let Some(prefix) = RESERVED_PREFIXES.iter().find(|p| name.starts_with(*p)) {
        return Err(format!("must not start with the reserved prefix {prefix:?}"));
    }
    if name.ends_with(RESERVED_SUFFIX) {
        return Err(format!("must not end with the reserved suffix {RESERVED_SUFFIX:?}"));
    }
    Ok(())
}

/// `Ok` for a region where Lightsail runs; else the rule, naming the regions.
pub fn region(region: &str) -> Result<(), String> {
    if lightsail_regions::is_region(region) {
        Ok(())
    } else {
        Err(format!("{region:?} is not a region where Lightsail runs (one of: {})", lightsail_regions::Listed))
    }
}

/// Access key ids: 20 characters of uppercase letters and digits.
pub fn access_key_id(id: &str) -> Result<(), String> {
    if id.len() == 20 && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("{id:?} is not an access key id (20 uppercase letters and digits, such as AKIAIOSFODNN7EXAMPLE)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names() {
        for ok in ["abc", "example-bucket", "a1-2b", &"x".repeat(54)] {
            assert_eq!(bucket_name(ok), Ok(()), "{ok}");
        }
        let cases = [
            ("ab", "3 to 54"),
            (&"x".repeat(55), "3 to 54"),
            ("Example", "lowercase"),
            ("my_bucket", "'_'"),
            ("-abc", "start and end"),
            ("abc-", "start and end"),
            ("a--b", "two hyphens"),
            ("sthree-x", "reserved prefix"),
            ("sthree-configurator-x", "\"sthree-configurator\""),
            ("amzn-s3-demo-bucket", "reserved prefix"),
            ("data-s3alias", "reserved suffix"),
            ("ünïcode", "lowercase letters"),
        ];
        for (bad, rule) in cases {
            let err = bucket_name(bad).unwrap_err();
            assert!(err.contains(rule), "{bad}: {err}");
        }
    }

    #[test]
    fn regions_and_key_ids() {
        assert!(region("eu-west-1").is_ok());
        assert!(region("mars-north-1").unwrap_err().contains("not a region where Lightsail runs"));
        assert!(access_key_id("AKIAIOSFODNN7EXAMPLE").is_ok());
        assert!(access_key_id("akiaiosfodnn7example").is_err());
        assert!(access_key_id("AKIA").is_err());
    }
}
