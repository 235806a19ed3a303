//! Resource ids as Terraform writes them: `bucket-name,ACCESS_KEY_ID`, and for import also
//! `bucket-name,ACCESS_KEY_ID@region`.

use crate::types::{CheckFailure, ProviderError};
use crate::validate;
use alloc::{
    format,
    string::{String, ToString},
    vec,
    vec::Vec,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyId {
    pub bucket_name: String,
    pub access_key_id: String,
    pub region: Option<String>,
}

const SHAPE: &str = "must be BUCKET_NAME,ACCESS_KEY_ID or BUCKET_NAME,ACCESS_KEY_ID@REGION \
                     (for example example-bucket,AKIAIOSFODNN7EXAMPLE)";

impl KeyId {
    pub fn parse(id: &str) -> Result<Self, ProviderError> {
        let invalid = |reason: String| ProviderError::InvalidInput(vec![CheckFailure::new("id", reason)]);
        let parts: Vec<&str> = id.split(',').collect();
        let [bucket_name, key] = parts[..] else {
            return Err(invalid(format!("{id:?} {SHAPE}")));
        };
        let (access_key_id, region) = match key.split_once('@') {
            Some((key, region)) => (key, Some(region)),
            None => (key, None),
        };
        if bucket_name.is_empty() || access_key_id.is_empty() {
            return Err(invalid(format!("{id:?} {SHAPE}")));
        }
        validate::bucket_name(bucket_name).map_err(|rule| invalid(format!("bucket name {bucket_name:?} {rule}")))?;
        validate::access_key_id(access_key_id).map_err(invalid)?;
        if let Some(region) = region {
            validate::region(region).map_err(invalid)?;
        }
        Ok(Self {
            bucket_name: bucket_name.to_string(),
            access_key_id: access_key_id.to_string(),
            region: region.map(str::to_string),
        })
    }

    /// The id the resource is recorded under (never with the region).
    pub fn canonical(&self) -> String {
        format(&self.bucket_name, &self.access_key_id)
    }
}

pub fn format(bucket_name: &str, access_key_id: &str) -> String {
    [bucket_name, access_key_id].join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms() {
        let id = KeyId::parse("example-bucket,AKIAIOSFODNN7EXAMPLE").unwrap();
        assert_eq!((id.bucket_name.as_str(), id.region), ("example-bucket", None));
        let id = KeyId::parse("example-bucket,AKIAIOSFODNN7EXAMPLE@eu-west-1").unwrap();
        assert_eq!(id.region.as_deref(), Some("eu-west-1"));
        assert_eq!(id.canonical(), "example-bucket,AKIAIOSFODNN7EXAMPLE");
    }

    #[test]
    fn refuses_everything_else_naming_the_id() {
        for bad in [
            "",
            "example-bucket",
            ",AKIAIOSFODNN7EXAMPLE",
            "example-bucket,",
            "a,b,c",
            "Bad_Bucket,AKIAIOSFODNN7EXAMPLE",
            "example-bucket,short",
            "example-bucket,AKIAIOSFODNN7EXAMPLE@nowhere-1",
            "example-bucket,AKIAIOSFODNN7EXAMPLE@",
        ] {
            match KeyId::parse(bad) {
                Err(ProviderError::InvalidInput(f)) => assert_eq!(f[0].property, "id", "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
