//! Wire shapes of the Lightsail operations this endpoint serves, with the member names of the
//! AWS model (`botocore/data/lightsail/2016-11-28/service-2.json`). Timestamps are epoch seconds.
//!
//! Request members are all optional here: a missing required member is the service's
//! `InvalidInputException`, not a framing error, so presence is checked by the handlers.
//! Unknown members are ignored, as AWS does.

#![allow(missing_docs)] // Lightsail's wire shapes: each field is the API member of the same name (botocore's lightsail model documents them).

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBucketRequest {
    pub bucket_name: Option<String>,
    pub bundle_id: Option<String>,
    pub tags: Option<Vec<Tag>>,
    pub enable_object_versioning: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetBucketsRequest {
    pub bucket_name: Option<String>,
    pub page_token: Option<String>,
    pub include_connected_resources: Option<bool>,
    pub include_cors: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteBucketRequest {
    pub bucket_name: Option<String>,
    pub force_delete: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateBucketBundleRequest {
    pub bucket_name: Option<String>,
    pub bundle_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BucketNameRequest {
    pub bucket_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteBucketAccessKeyRequest {
    pub bucket_name: Option<String>,
    pub access_key_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetOperationRequest {
    pub operation_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagResourceRequest {
    pub resource_name: Option<String>,
    pub resource_arn: Option<String>,
    pub tags: Option<Vec<Tag>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UntagResourceRequest {
    pub resource_name: Option<String>,
    pub resource_arn: Option<String>,
    pub tag_keys: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceLocation {
    pub availability_zone: String,
    pub region_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub id: String,
    pub resource_name: String,
    pub resource_type: String,
    pub created_at: f64,
    pub location: ResourceLocation,
    pub is_terminal: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_details: Option<String>,
    pub operation_type: String,
    pub status: String,
    pub status_changed_at: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_details: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKeyLastUsed {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_date: Option<f64>,
    pub region: String,
    pub service_name: String,
}

impl AccessKeyLastUsed {
    /// What AWS reports for a key that has never been used.
    pub fn never() -> Self {
        Self { last_used_date: None, region: "N/A".into(), service_name: "N/A".into() }
    }
}

/// `AccessKey`. The secret is present only in the CreateBucketAccessKey answer.
#[derive(Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKey {
    pub access_key_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_access_key: Option<String>,
    pub status: String,
    pub created_at: f64,
    pub last_used: AccessKeyLastUsed,
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKey")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key.as_ref().map(|_| "** redacted **"))
            .field("status", &self.status)
            .field("created_at", &self.created_at)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bucket {
    pub resource_type: String,
    pub access_rules: AccessRules,
    pub arn: String,
    pub bundle_id: String,
    pub created_at: f64,
    pub url: String,
    pub location: ResourceLocation,
    pub name: String,
    pub support_code: String,
    pub tags: Vec<Tag>,
    pub object_versioning: String,
    pub able_to_update_bundle: bool,
    pub readonly_access_accounts: Vec<String>,
    pub resources_receiving_access: Vec<serde_json::Value>,
    pub state: BucketState,
    pub access_log_config: AccessLogConfig,
    /// Only when GetBuckets asks with `includeCors`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cors: Option<serde_json::Value>,
}

/// Who may read the bucket's objects (`getObject`: `public` or `private`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessRules {
    pub get_object: String,
    pub allow_public_overrides: bool,
}

impl Default for AccessRules {
    fn default() -> Self {
        Self { get_object: "private".into(), allow_public_overrides: false }
    }
}

/// The bucket's state (`code`: `OK` or `Unknown`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketState {
    pub code: String,
}

/// Whether the bucket logs access, and where to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccessLogConfig {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetBucketBundlesRequest {
    pub include_inactive: Option<bool>,
}

/// `BucketBundle`: a storage plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BucketBundle {
    pub bundle_id: String,
    pub name: String,
    pub price: f64,
    pub storage_per_month_in_gb: u32,
    pub transfer_per_month_in_gb: u32,
    pub is_active: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetRegionsRequest {
    pub include_availability_zones: Option<bool>,
    pub include_relational_database_availability_zones: Option<bool>,
}

/// `Region`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionInfo {
    pub continent_code: String,
    pub description: String,
    pub display_name: String,
    pub name: String,
    pub availability_zones: Vec<AvailabilityZone>,
    pub relational_database_availability_zones: Vec<AvailabilityZone>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AvailabilityZone {
    pub zone_name: String,
    pub state: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateBucketRequest {
    pub bucket_name: Option<String>,
    pub access_rules: Option<AccessRulesRequest>,
    pub versioning: Option<String>,
    pub readonly_access_accounts: Option<Vec<String>>,
    pub access_log_config: Option<AccessLogConfigRequest>,
    pub cors: Option<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessRulesRequest {
    pub get_object: Option<String>,
    pub allow_public_overrides: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogConfigRequest {
    pub enabled: Option<bool>,
    pub destination: Option<String>,
    pub prefix: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetResourceAccessForBucketRequest {
    pub resource_name: Option<String>,
    pub bucket_name: Option<String>,
    pub access: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetOperationsRequest {
    pub page_token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetOperationsForResourceRequest {
    pub resource_name: Option<String>,
    pub page_token: Option<String>,
}
