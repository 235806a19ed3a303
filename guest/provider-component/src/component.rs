wit_bindgen::generate!({
    path: "../../wit",
    world: "provider",
});

use alloc::{string::String, vec::Vec};
use exports::lightsail::provider::resource_provider as wit;
use lightsail::provider::lightsail as api;
use provider_logic::{host, provider, types};

struct Component;

/// The imports, seen by the resource logic as its `Host`.
struct Imports;

impl host::Host for Imports {
    type Guard = lightsail::provider::lock::Guard;
    fn lock(&self, name: &str) -> Self::Guard {
        lightsail::provider::lock::acquire(name)
    }
    fn lock_reach(&self) -> host::LockReach {
        use lightsail::provider::lock::LockReach as Reach;
        match lightsail::provider::lock::reach() {
            Reach::Process => host::LockReach::Process,
            Reach::Machine => host::LockReach::Machine,
            Reach::EveryCreator => host::LockReach::EveryCreator,
        }
    }
    fn default_region(&self) -> String {
        api::default_region()
    }
    fn default_tags(&self) -> host::Tags {
        api::default_tags()
    }
    fn create_bucket_access_key(
        &self,
        region: Option<&str>,
        bucket_name: &str,
    ) -> Result<host::CreatedAccessKey, host::ApiError> {
        let created = api::create_bucket_access_key(region, bucket_name).map_err(api_error)?;
        Ok(host::CreatedAccessKey {
            access_key: access_key(created.access_key),
            operations: created.operations.into_iter().map(operation).collect(),
        })
    }
    fn get_bucket_access_keys(
        &self,
        region: Option<&str>,
        bucket_name: &str,
    ) -> Result<Vec<host::AccessKey>, host::ApiError> {
        Ok(api::get_bucket_access_keys(region, bucket_name).map_err(api_error)?.into_iter().map(access_key).collect())
    }
    fn delete_bucket_access_key(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        access_key_id: &str,
    ) -> Result<Vec<host::Operation>, host::ApiError> {
        let operations = api::delete_bucket_access_key(region, bucket_name, access_key_id).map_err(api_error)?;
        Ok(operations.into_iter().map(operation).collect())
    }
    fn get_operation(&self, region: Option<&str>, operation_id: &str) -> Result<host::Operation, host::ApiError> {
        api::get_operation(region, operation_id).map(operation).map_err(api_error)
    }
    fn create_bucket(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        bundle_id: &str,
        tags: &[(String, String)],
    ) -> Result<host::CreatedBucket, host::ApiError> {
        let created = api::create_bucket(region, bucket_name, bundle_id, tags).map_err(api_error)?;
        Ok(host::CreatedBucket {
            bucket: bucket(created.bucket),
            operations: created.operations.into_iter().map(operation).collect(),
        })
    }
    fn get_bucket(&self, region: Option<&str>, bucket_name: &str) -> Result<host::Bucket, host::ApiError> {
        api::get_bucket(region, bucket_name).map(bucket).map_err(api_error)
    }
    fn update_bucket_bundle(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        bundle_id: &str,
    ) -> Result<Vec<host::Operation>, host::ApiError> {
        let operations = api::update_bucket_bundle(region, bucket_name, bundle_id).map_err(api_error)?;
        Ok(operations.into_iter().map(operation).collect())
    }
    fn delete_bucket(
        &self,
        region: Option<&str>,
        bucket_name: &str,
        force_delete: bool,
    ) -> Result<Vec<host::Operation>, host::ApiError> {
        let operations = api::delete_bucket(region, bucket_name, force_delete).map_err(api_error)?;
        Ok(operations.into_iter().map(operation).collect())
    }
    fn tag_resource(
        &self,
        region: Option<&str>,
        name: &str,
        tags: &[(String, String)],
    ) -> Result<Vec<host::Operation>, host::ApiError> {
        Ok(api::tag_resource(region, name, tags).map_err(api_error)?.into_iter().map(operation).collect())
    }
    fn untag_resource(
        &self,
        region: Option<&str>,
        name: &str,
        keys: &[String],
    ) -> Result<Vec<host::Operation>, host::ApiError> {
        Ok(api::untag_resource(region, name, keys).map_err(api_error)?.into_iter().map(operation).collect())
    }
    fn wait(&self, millis: u32) {
        lightsail::provider::wait::wait(millis);
    }
    fn log(&self, level: host::Level, message: &str) {
        use lightsail::provider::log::Level;
        let level = match level {
            host::Level::Trace => Level::Trace,
            host::Level::Debug => Level::Debug,
            host::Level::Info => Level::Info,
            host::Level::Warn => Level::Warn,
            host::Level::Error => Level::Error,
        };
        lightsail::provider::log::log(level, message);
    }
}

fn api_error(e: api::ApiError) -> host::ApiError {
    let kind = match e.kind {
        api::ErrorKind::NotFound => host::ErrorKind::NotFound,
        api::ErrorKind::InvalidInput => host::ErrorKind::InvalidInput,
        api::ErrorKind::AccessDenied => host::ErrorKind::AccessDenied,
        api::ErrorKind::Service => host::ErrorKind::Service,
        api::ErrorKind::Transport => host::ErrorKind::Transport,
        api::ErrorKind::Other => host::ErrorKind::Other,
    };
    host::ApiError { kind, code: e.code, message: e.message, retryable: e.retryable }
}

fn access_key(k: api::AccessKey) -> host::AccessKey {
    host::AccessKey {
        access_key_id: k.access_key_id,
        secret_access_key: k.secret_access_key,
        status: k.status,
        created_at: k.created_at,
        last_used: k.last_used.map(|u| host::AccessKeyLastUsed {
            last_used_date: u.last_used_date,
            region: u.region,
            service_name: u.service_name,
        }),
    }
}

fn bucket(b: api::Bucket) -> host::Bucket {
    host::Bucket {
        name: b.name,
        arn: b.arn,
        bundle_id: b.bundle_id,
        created_at: b.created_at,
        url: b.url,
        availability_zone: b.availability_zone,
        region: b.region,
        support_code: b.support_code,
        tags: b.tags,
    }
}

fn operation(o: api::Operation) -> host::Operation {
    let status = match o.status {
        api::OperationStatus::NotStarted => host::OperationStatus::NotStarted,
        api::OperationStatus::Started => host::OperationStatus::Started,
        api::OperationStatus::Failed => host::OperationStatus::Failed,
        api::OperationStatus::Completed => host::OperationStatus::Completed,
        api::OperationStatus::Succeeded => host::OperationStatus::Succeeded,
    };
    host::Operation {
        id: o.id,
        resource_name: o.resource_name,
        operation_type: o.operation_type,
        status,
        is_terminal: o.is_terminal,
        created_at: o.created_at,
        error_code: o.error_code,
        error_details: o.error_details,
    }
}

fn failure(f: types::CheckFailure) -> wit::CheckFailure {
    wit::CheckFailure { property: f.property, reason: f.reason }
}

fn outputs(o: types::Outputs) -> wit::Outputs {
    wit::Outputs { values: o.values, secrets: o.secrets }
}

fn error(e: types::ProviderError) -> wit::ProviderError {
    use types::ProviderError as E;
    match e {
        E::InvalidInput(failures) => wit::ProviderError::InvalidInput(failures.into_iter().map(failure).collect()),
        E::NotFound(what) => wit::ProviderError::NotFound(what),
        E::Api(a) => {
            wit::ProviderError::Api(wit::ApiError { code: a.code, message: a.message, retryable: a.retryable })
        }
        E::NotReady(n) => {
            wit::ProviderError::NotReady(wit::NotReady { id: n.id, outputs: outputs(n.outputs), reason: n.reason })
        }
        E::UnknownType(token) => wit::ProviderError::UnknownType(token),
        E::Unsupported(why) => wit::ProviderError::Unsupported(why),
    }
}

fn read_result(r: types::ReadResult) -> wit::ReadResult {
    wit::ReadResult { id: r.id, inputs: r.inputs, outputs: outputs(r.outputs) }
}

/// Each export holds the allocator's call guard while it runs: see `allocator` for why.
impl wit::Guest for Component {
    fn resource_types() -> Vec<String> {
        let _call = crate::ALLOCATOR.call();
        provider::resource_types()
    }

    fn schema() -> String {
        let _call = crate::ALLOCATOR.call();
        provider::schema()
    }

    fn check(token: String, olds: Option<String>, news: String) -> Result<wit::CheckResult, wit::ProviderError> {
        let _call = crate::ALLOCATOR.call();
        let checked = provider::check(&token, olds.as_deref(), &news).map_err(error)?;
        Ok(wit::CheckResult { inputs: checked.inputs, failures: checked.failures.into_iter().map(failure).collect() })
    }

    fn diff(token: String, id: String, olds: String, news: String) -> Result<wit::DiffResult, wit::ProviderError> {
        let _call = crate::ALLOCATOR.call();
        let d = provider::diff(&Imports, &token, &id, &olds, &news).map_err(error)?;
        Ok(wit::DiffResult {
            changes: d.changes,
            diffs: d.diffs,
            replaces: d.replaces,
            delete_before_replace: d.delete_before_replace,
        })
    }

    fn create(token: String, inputs: String, preview: bool) -> Result<wit::Created, wit::ProviderError> {
        let _call = crate::ALLOCATOR.call();
        let created = provider::create(&Imports, &token, &inputs, preview).map_err(error)?;
        Ok(wit::Created { id: created.id, outputs: outputs(created.outputs) })
    }

    fn read(token: String, id: String, state: Option<String>) -> Result<Option<wit::ReadResult>, wit::ProviderError> {
        let _call = crate::ALLOCATOR.call();
        Ok(provider::read(&Imports, &token, &id, state.as_deref()).map_err(error)?.map(read_result))
    }

    fn update(
        token: String,
        id: String,
        olds: String,
        news: String,
        preview: bool,
    ) -> Result<wit::Outputs, wit::ProviderError> {
        let _call = crate::ALLOCATOR.call();
        provider::update(&Imports, &token, &id, &olds, &news, preview).map(outputs).map_err(error)
    }

    fn delete(token: String, id: String, state: String) -> Result<(), wit::ProviderError> {
        let _call = crate::ALLOCATOR.call();
        provider::delete(&Imports, &token, &id, &state).map_err(error)
    }

    fn import(token: String, id: String) -> Result<wit::ReadResult, wit::ProviderError> {
        let _call = crate::ALLOCATOR.call();
        provider::import(&Imports, &token, &id).map(read_result).map_err(error)
    }
}

export!(Component);
