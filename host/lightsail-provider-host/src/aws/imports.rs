//! The `lightsail` import, one function of the WIT at a time: the host's `Host` method, the SDK
//! call that performs it, and its answer in the contract's records. A new import is added here
//! (and in the WIT, the logic and the other hosts): docs/contract.md has the recipe.

use super::{LightsailApi, shared_reads};
use crate::bindings::api;
use crate::bindings::errors::ErrorKind;
use crate::state::{HostState, Performs};
use aws_sdk_lightsail::types;

impl api::Host for HostState {
    async fn default_region(&mut self) -> String {
        self.aws().map(|api| api.default_region().to_string()).unwrap_or_default()
    }
    async fn default_tags(&mut self) -> Vec<(String, String)> {
        self.aws().map(|api| api.default_tags().to_vec()).unwrap_or_default()
    }
    async fn create_bucket_access_key(
        &mut self,
        region: Option<String>,
        bucket_name: String,
    ) -> Result<api::CreatedAccessKey, api::ApiError> {
        self.perform(Performs::Change("CreateBucketAccessKey"), move |api| async move {
            api.changing_keys(region.as_deref(), &bucket_name);
            let created = api.create_bucket_access_key(region.as_deref(), &bucket_name).await;
            // And once it is done, for a listing sent while it was on its way.
            api.changing_keys(region.as_deref(), &bucket_name);
            created
        })
        .await
    }
    async fn get_bucket_access_keys(
        &mut self,
        region: Option<String>,
        bucket_name: String,
    ) -> Result<Vec<api::AccessKey>, api::ApiError> {
        // A call that holds a lock settles what it does on a listing of its own (the WIT's rule).
        let shared = !self.holds_lock();
        self.perform(Performs::Look, move |api| async move {
            if shared {
                api.get_bucket_access_keys_shared(region.as_deref(), &bucket_name).await
            } else {
                api.get_bucket_access_keys(region.as_deref(), &bucket_name).await
            }
        })
        .await
    }
    async fn delete_bucket_access_key(
        &mut self,
        region: Option<String>,
        bucket_name: String,
        access_key_id: String,
    ) -> Result<Vec<api::Operation>, api::ApiError> {
        self.perform(Performs::Look, move |api| async move {
            api.changing_keys(region.as_deref(), &bucket_name);
            let deleted = api.delete_bucket_access_key(region.as_deref(), &bucket_name, &access_key_id).await;
            api.changing_keys(region.as_deref(), &bucket_name);
            deleted
        })
        .await
    }
    async fn get_operation(
        &mut self,
        region: Option<String>,
        operation_id: String,
    ) -> Result<api::Operation, api::ApiError> {
        self.perform(
            Performs::Poll,
            move |api| async move { api.get_operation(region.as_deref(), &operation_id).await },
        )
        .await
    }
    async fn create_bucket(
        &mut self,
        region: Option<String>,
        bucket_name: String,
        bundle_id: String,
        tags: Vec<(String, String)>,
    ) -> Result<api::CreatedBucket, api::ApiError> {
        self.perform(Performs::Change("CreateBucket"), move |api| async move {
            api.create_bucket(region.as_deref(), &bucket_name, &bundle_id, &tags).await
        })
        .await
    }
    async fn get_bucket(&mut self, region: Option<String>, bucket_name: String) -> Result<api::Bucket, api::ApiError> {
        self.perform(Performs::Look, move |api| async move { api.get_bucket(region.as_deref(), &bucket_name).await })
            .await
    }
    async fn get_buckets(
        &mut self,
        region: Option<String>,
        page_token: Option<String>,
    ) -> Result<api::BucketPage, api::ApiError> {
        self.perform(Performs::Look, move |api| async move {
            api.get_buckets(region.as_deref(), page_token.as_deref()).await
        })
        .await
    }
    async fn update_bucket_bundle(
        &mut self,
        region: Option<String>,
        bucket_name: String,
        bundle_id: String,
    ) -> Result<Vec<api::Operation>, api::ApiError> {
        self.perform(Performs::Change("UpdateBucketBundle"), move |api| async move {
            api.update_bucket_bundle(region.as_deref(), &bucket_name, &bundle_id).await
        })
        .await
    }
    async fn delete_bucket(
        &mut self,
        region: Option<String>,
        bucket_name: String,
        force_delete: bool,
    ) -> Result<Vec<api::Operation>, api::ApiError> {
        self.perform(Performs::Look, move |api| async move {
            api.delete_bucket(region.as_deref(), &bucket_name, force_delete).await
        })
        .await
    }
    async fn tag_resource(
        &mut self,
        region: Option<String>,
        resource_name: String,
        tags: Vec<(String, String)>,
    ) -> Result<Vec<api::Operation>, api::ApiError> {
        self.perform(Performs::Change("TagResource"), move |api| async move {
            api.tag_resource(region.as_deref(), &resource_name, &tags).await
        })
        .await
    }
    async fn untag_resource(
        &mut self,
        region: Option<String>,
        resource_name: String,
        tag_keys: Vec<String>,
    ) -> Result<Vec<api::Operation>, api::ApiError> {
        self.perform(Performs::Change("UntagResource"), move |api| async move {
            api.untag_resource(region.as_deref(), &resource_name, &tag_keys).await
        })
        .await
    }
}

/// The SDK calls that perform the imports.
impl LightsailApi {
    pub(crate) async fn create_bucket_access_key(
        &self,
        region: Option<&str>,
        bucket_name: &str,
    ) -> Result<api::CreatedAccessKey, api::ApiError> {
        // Sent once, as the WIT requires: after a lost answer a retry would make a second key
        // whose secret nobody saw. The component retries it once it has settled the first.
        let out = self.client_sending_once(region).create_bucket_access_key().bucket_name(bucket_name).send();
        let out = self.counted(region, "CreateBucketAccessKey", out).await?;
        let key = out.access_key.ok_or_else(|| malformed("CreateBucketAccessKey returned no accessKey"))?;
        Ok(api::CreatedAccessKey { access_key: access_key(key)?, operations: operations(out.operations)? })
    }

    pub(crate) async fn get_bucket_access_keys(
        &self,
        region: Option<&str>,
        bucket_name: &str,
    ) -> Result<Vec<api::AccessKey>, api::ApiError> {
        let out = self.client(region).get_bucket_access_keys().bucket_name(bucket_name).send();
        let out = self.counted(region, "GetBucketAccessKeys", out).await?;
        out.access_keys.unwrap_or_default().into_iter().map(access_key).collect()
    }

    /// `get_bucket_access_keys`, sharing a request in flight for the same bucket (the WIT's rule;
    /// see `shared_reads`).
    pub(crate) async fn get_bucket_access_keys_shared(
        &self,
        region: Option<&str>,
        bucket_name: &str,
    ) -> Result<Vec<api::AccessKey>, api::ApiError> {
        let in_region = region.unwrap_or(&self.default_region);
        match self.shared_reads.turn(in_region, bucket_name) {
            shared_reads::Turn::Lead(lead) => {
                tracing::debug!(bucket = bucket_name, region = in_region, "GetBucketAccessKeys sent, for sharing");
                let listing = self.get_bucket_access_keys(region, bucket_name).await;
                lead.answered(&listing);
                listing
            }
            shared_reads::Turn::Follow(answer) => {
                tracing::debug!(bucket = bucket_name, region = in_region, "GetBucketAccessKeys in flight joined");
                match shared_reads::joined(answer).await {
                    Some(listing) => listing,
                    // Its leader was cancelled before an answer came.
                    None => self.get_bucket_access_keys(region, bucket_name).await,
                }
            }
        }
    }

    /// A change of a bucket's keys begins: later listings are sent after it.
    fn changing_keys(&self, region: Option<&str>, bucket_name: &str) {
        self.shared_reads.changing(region.unwrap_or(&self.default_region), bucket_name);
    }

    pub(crate) async fn delete_bucket_access_key(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        access_key_id: &str,
    ) -> Result<Vec<api::Operation>, api::ApiError> {
        let out =
            self.client(region).delete_bucket_access_key().bucket_name(bucket_name).access_key_id(access_key_id).send();
        let out = self.counted(region, "DeleteBucketAccessKey", out).await?;
        operations(out.operations)
    }

    pub(crate) async fn get_operation(
        &self,
        region: Option<&str>,
        operation_id: &str,
    ) -> Result<api::Operation, api::ApiError> {
        let out = self.client(region).get_operation().operation_id(operation_id).send();
        let out = self.counted(region, "GetOperation", out).await?;
        operation(out.operation.ok_or_else(|| malformed("GetOperation returned no operation"))?)
    }

    pub(crate) async fn create_bucket(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        bundle_id: &str,
        tags: &[(String, String)],
    ) -> Result<api::CreatedBucket, api::ApiError> {
        let out = self
            .client(region)
            .create_bucket()
            .bucket_name(bucket_name)
            .bundle_id(bundle_id)
            .set_tags(if tags.is_empty() { None } else { Some(tags.iter().map(tag).collect()) })
            .send();
        let out = self.counted(region, "CreateBucket", out).await?;
        let created = out.bucket.ok_or_else(|| malformed("CreateBucket returned no bucket"))?;
        Ok(api::CreatedBucket { bucket: bucket(created)?, operations: operations(out.operations)? })
    }

    pub(crate) async fn get_bucket(
        &self,
        region: Option<&str>,
        bucket_name: &str,
    ) -> Result<api::Bucket, api::ApiError> {
        let out = self.client(region).get_buckets().bucket_name(bucket_name).send();
        let out = self.counted(region, "GetBuckets", out).await?;
        let found = out.buckets.unwrap_or_default().into_iter().find(|b| b.name.as_deref() == Some(bucket_name));
        match found {
            Some(found) => bucket(found),
            // An empty answer for a named bucket means the same as NotFoundException.
            None => Err(api::ApiError::new(
                ErrorKind::NotFound,
                "NotFoundException",
                format!("no bucket {bucket_name}"),
                false,
            )),
        }
    }

    pub(crate) async fn get_buckets(
        &self,
        region: Option<&str>,
        page_token: Option<&str>,
    ) -> Result<api::BucketPage, api::ApiError> {
        let out = self.client(region).get_buckets().set_page_token(page_token.map(str::to_owned)).send();
        let out = self.counted(region, "GetBuckets", out).await?;
        let buckets = out.buckets.unwrap_or_default().into_iter().map(bucket).collect::<Result<_, _>>()?;
        Ok(api::BucketPage { buckets, next_page_token: out.next_page_token })
    }

    pub(crate) async fn update_bucket_bundle(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        bundle_id: &str,
    ) -> Result<Vec<api::Operation>, api::ApiError> {
        let out = self.client(region).update_bucket_bundle().bucket_name(bucket_name).bundle_id(bundle_id).send();
        let out = self.counted(region, "UpdateBucketBundle", out).await?;
        operations(out.operations)
    }

    pub(crate) async fn delete_bucket(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        force_delete: bool,
    ) -> Result<Vec<api::Operation>, api::ApiError> {
        let out = self.client(region).delete_bucket().bucket_name(bucket_name).force_delete(force_delete).send();
        let out = self.counted(region, "DeleteBucket", out).await?;
        operations(out.operations)
    }

    pub(crate) async fn tag_resource(
        &self,
        region: Option<&str>,
        resource_name: &str,
        tags: &[(String, String)],
    ) -> Result<Vec<api::Operation>, api::ApiError> {
        let out = self
            .client(region)
            .tag_resource()
            .resource_name(resource_name)
            .set_tags(Some(tags.iter().map(tag).collect()))
            .send();
        operations(self.counted(region, "TagResource", out).await?.operations)
    }

    pub(crate) async fn untag_resource(
        &self,
        region: Option<&str>,
        resource_name: &str,
        keys: &[String],
    ) -> Result<Vec<api::Operation>, api::ApiError> {
        let out =
            self.client(region).untag_resource().resource_name(resource_name).set_tag_keys(Some(keys.to_vec())).send();
        operations(self.counted(region, "UntagResource", out).await?.operations)
    }
}

fn tag((key, value): &(String, String)) -> aws_sdk_lightsail::types::Tag {
    aws_sdk_lightsail::types::Tag::builder().key(key).value(value).build()
}

// The SDK's shapes in the contract's records.

fn bucket(b: types::Bucket) -> Result<api::Bucket, api::ApiError> {
    let location = b.location;
    Ok(api::Bucket {
        name: b.name.ok_or_else(|| malformed("a bucket came without its name"))?,
        arn: b.arn,
        bundle_id: b.bundle_id,
        created_at: timestamp(b.created_at),
        url: b.url,
        availability_zone: location.as_ref().and_then(|l| l.availability_zone.clone()),
        region: location.as_ref().and_then(|l| l.region_name.as_ref()).map(|r| r.as_str().to_string()),
        support_code: b.support_code,
        tags: b
            .tags
            .unwrap_or_default()
            .into_iter()
            .filter_map(|t| Some((t.key?, t.value.unwrap_or_default())))
            .collect(),
    })
}

/// An answer that lacks what the records require: the WIT's `MalformedResponse`, never a guess.
fn malformed(message: &str) -> api::ApiError {
    api::ApiError::new(ErrorKind::Other, "MalformedResponse", message, false)
}

fn timestamp(t: Option<aws_smithy_types::DateTime>) -> Option<f64> {
    t.map(|t| t.as_secs_f64())
}

fn access_key(k: types::AccessKey) -> Result<api::AccessKey, api::ApiError> {
    Ok(api::AccessKey {
        access_key_id: k.access_key_id.ok_or_else(|| malformed("an access key came without its id"))?,
        secret_access_key: k.secret_access_key,
        status: k.status.map(|s| s.as_str().to_string()),
        created_at: timestamp(k.created_at),
        last_used: k.last_used.map(|u| api::AccessKeyLastUsed {
            last_used_date: timestamp(u.last_used_date),
            region: u.region,
            service_name: u.service_name,
        }),
    })
}

/// The operation records of a mutating call (none when the answer has no list).
fn operations(records: Option<Vec<types::Operation>>) -> Result<Vec<api::Operation>, api::ApiError> {
    records.unwrap_or_default().into_iter().map(operation).collect()
}

fn operation(o: types::Operation) -> Result<api::Operation, api::ApiError> {
    let status = match o.status {
        Some(types::OperationStatus::NotStarted) => api::OperationStatus::NotStarted,
        Some(types::OperationStatus::Started) => api::OperationStatus::Started,
        Some(types::OperationStatus::Failed) => api::OperationStatus::Failed,
        Some(types::OperationStatus::Completed) => api::OperationStatus::Completed,
        Some(types::OperationStatus::Succeeded) => api::OperationStatus::Succeeded,
        other => return Err(malformed(&format!("an operation came with an unknown status {other:?}"))),
    };
    Ok(api::Operation {
        id: o.id.ok_or_else(|| malformed("an operation came without its id"))?,
        resource_name: o.resource_name,
        operation_type: o.operation_type.map(|t| t.as_str().to_string()),
        status,
        is_terminal: o.is_terminal.unwrap_or(false),
        created_at: timestamp(o.created_at),
        error_code: o.error_code,
        error_details: o.error_details,
    })
}
