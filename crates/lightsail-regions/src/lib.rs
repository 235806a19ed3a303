//! The regions where Amazon Lightsail runs: where the service has endpoints (the `lightsail`
//! service of the `aws` partition in botocore's `endpoints.json`, which the AWS CLI and SDKs
//! resolve endpoints from). The resource logic (inside the component), the host's provider
//! settings and the local endpoint all check regions against this one list; a test compares it
//! with botocore's data and with the model's `RegionName` enum.

#![deny(missing_docs)]
#![no_std]

/// Regions where Lightsail runs. (The model's `RegionName` enum also names `us-west-1`, where
/// Lightsail has no endpoint.)
pub const REGIONS: &[&str] = &[
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-5",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "us-east-1",
    "us-east-2",
    "us-west-2",
];

/// Whether Lightsail runs in `region`.
pub fn is_region(region: &str) -> bool {
    REGIONS.contains(&region)
}

/// The list, as a person reads it in an error message: `ap-east-1, ap-northeast-1, ...`.
pub struct Listed;

impl core::fmt::Display for Listed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for (i, region) in REGIONS.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(region)?;
        }
        Ok(())
    }
}
