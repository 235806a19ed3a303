//! `pulumirpc.ResourceProvider`, served from the component: every RPC a custom resource needs,
//! each a translation between Pulumi's messages and the component's calls. Nothing here knows a
//! resource type; types, properties, rules and secrets all come from the component.

// tonic's `Status` is the error of every RPC; helpers return it as the RPCs must.
#![allow(clippy::result_large_err)]

use crate::rpc::resource_provider_server::ResourceProvider;
use crate::rpc::{self, diff_response::DiffChanges, property_diff::Kind as DiffKind};
use crate::schema::Package;
use crate::values::{Incoming, incoming, outgoing, unknown_of};
use lightsail_provider_host::aws::LightsailApi;
use lightsail_provider_host::aws::settings;
use lightsail_provider_host::interrupt::Interrupt;
use lightsail_provider_host::lock::Locks;
use lightsail_provider_host::{CallError, ComponentRuntime, NotReady, Outputs, Provider, ProviderError, UNKNOWN};
use prost::Message;
use serde_json::{Map, Value};
use std::sync::{Arc, RwLock};
use tonic::{Request, Response, Status};

pub struct Service {
    runtime: Arc<ComponentRuntime>,
    package: Arc<Package>,
    configured: RwLock<Option<Provider>>,
    /// Thrown by `Cancel`: creates in flight return what they made, as not ready.
    interrupt: Interrupt,
    /// For calls that need no AWS access (check): one, so that its instances serve the next ones.
    offline: Provider,
}

type Answer<T> = Result<Response<T>, Status>;

impl Service {
    pub fn new(runtime: Arc<ComponentRuntime>, package: Package) -> Self {
        let offline = Provider::new(runtime.clone(), None);
        Self {
            runtime,
            package: Arc::new(package),
            configured: RwLock::new(None),
            interrupt: Interrupt::new(),
            offline,
        }
    }

    fn provider(&self) -> Result<Provider, Status> {
        self.configured
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or_else(|| Status::failed_precondition("the provider is not configured yet (Configure comes first)"))
    }

    /// The engine's property bag for outputs: the component's secrets wrapped, and the properties
    /// that came in secret too.
    fn outputs(&self, outputs: &Outputs, also_secret: &[String]) -> prost_types::Struct {
        outgoing(&parse(&outputs.values), &secret_names(outputs, also_secret))
    }

    /// A preview's outputs: every output of the type that is not known yet is the engine's
    /// unknown of its type.
    fn preview_outputs(&self, token: &str, outputs: &Outputs, also_secret: &[String]) -> prost_types::Struct {
        let mut values = parse(&outputs.values);
        if let (Value::Object(map), Some(resource)) = (&mut values, self.package.resources.get(token)) {
            for (name, kind) in &resource.outputs {
                let known = map.get(name).is_some_and(|v| !v.is_null() && v.as_str() != Some(UNKNOWN));
                if !known {
                    map.insert(name.clone(), Value::String(unknown_of(kind).into()));
                }
            }
        }
        outgoing(&values, &secret_names(outputs, also_secret))
    }
}

/// The outputs the component names secret, and those that came in secret.
fn secret_names(outputs: &Outputs, also_secret: &[String]) -> Vec<String> {
    outputs.secrets.iter().chain(also_secret).cloned().collect()
}

fn parse(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or(Value::Object(Map::new()))
}

/// The resource type: the request's `type`, else the last type of its URN
/// (`urn:pulumi:stack::project::parent$type::name`).
fn token(kind: &str, urn: &str) -> Result<String, Status> {
    if !kind.is_empty() {
        return Ok(kind.to_string());
    }
    urn.split("::")
        .nth(2)
        .and_then(|types| types.rsplit('$').next())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .ok_or_else(|| Status::invalid_argument(format!("cannot tell the resource type from the URN {urn:?}")))
}

/// The encoded `google.rpc.Status` that carries error details, as gRPC sends them.
#[derive(Clone, PartialEq, Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_types::Any>,
}

/// A provider's error as gRPC's. A resource created but not ready carries Pulumi's
/// `ErrorResourceInitFailed`, so the engine records it (id and outputs) instead of losing it.
fn status(error: CallError, secrets: &[String], service: &Service) -> Status {
    let message = error.to_string();
    match error {
        CallError::Provider(ProviderError::NotReady(NotReady { id, outputs, reason })) => {
            let detail = rpc::ErrorResourceInitFailed {
                id,
                properties: Some(service.outputs(&outputs, secrets)),
                reasons: vec![reason],
                inputs: None,
                refresh_before_update: false,
            };
            let any = prost_types::Any {
                type_url: "type.googleapis.com/pulumirpc.ErrorResourceInitFailed".into(),
                value: detail.encode_to_vec(),
            };
            let code = tonic::Code::Unknown;
            let body = RpcStatus { code: code as i32, message: message.clone(), details: vec![any] };
            Status::with_details(code, message, body.encode_to_vec().into())
        }
        CallError::Provider(ProviderError::InvalidInput(_) | ProviderError::UnknownType(_)) => {
            Status::invalid_argument(message)
        }
        CallError::Provider(ProviderError::NotFound(_)) => Status::not_found(message),
        CallError::Provider(ProviderError::Unsupported(_)) => Status::failed_precondition(message),
        CallError::Provider(_) => Status::unknown(message),
        _ => Status::internal(message),
    }
}

fn failures(list: impl IntoIterator<Item = (String, String)>) -> Vec<rpc::CheckFailure> {
    list.into_iter().map(|(property, reason)| rpc::CheckFailure { property, reason }).collect()
}

/// Whether a property path (`bucketName`, `tags.a`, `list[0]`) lies under an `ignoreChanges` one.
fn ignored(property: &str, ignore: &[String]) -> bool {
    ignore.iter().any(|path| {
        property == path || property.starts_with(&format!("{path}.")) || property.starts_with(&format!("{path}["))
    })
}

/// The configuration as the settings the host reads: `args` (typed, newer engines) or `variables`
/// (`aws:region` → `region`, values as text).
fn configuration(package: &str, request: &rpc::ConfigureRequest) -> Map<String, Value> {
    let args = incoming(request.args.as_ref()).json;
    if !args.is_empty() {
        return args;
    }
    let prefix = format!("{package}:");
    request
        .variables
        .iter()
        .map(|(key, value)| (key.strip_prefix(&prefix).unwrap_or(key).to_string(), Value::String(value.clone())))
        .collect()
}

#[tonic::async_trait]
impl ResourceProvider for Service {
    async fn handshake(&self, _: Request<rpc::ProviderHandshakeRequest>) -> Answer<rpc::ProviderHandshakeResponse> {
        Ok(Response::new(rpc::ProviderHandshakeResponse {
            accept_secrets: true,
            accept_resources: false,
            accept_outputs: false,
            supports_autonaming_configuration: false,
            accepts_byte_string: false,
        }))
    }

    async fn get_plugin_info(&self, _: Request<()>) -> Answer<rpc::PluginInfo> {
        Ok(Response::new(rpc::PluginInfo { version: self.package.version.clone() }))
    }

    async fn get_schema(&self, request: Request<rpc::GetSchemaRequest>) -> Answer<rpc::GetSchemaResponse> {
        if !request.get_ref().subpackage_name.is_empty() {
            return Err(Status::not_found("this provider has no subpackages"));
        }
        Ok(Response::new(rpc::GetSchemaResponse { schema: self.package.document.clone() }))
    }

    /// Checks the settings this provider uses; keys meant for other providers of the same package
    /// name (pulumi-aws's) are let be.
    async fn check_config(&self, request: Request<rpc::CheckRequest>) -> Answer<rpc::CheckResponse> {
        let request = request.into_inner();
        let news = incoming(request.news.as_ref());
        let failed = match settings::options(&news.json) {
            Ok(_) => Vec::new(),
            Err(list) => failures(list.into_iter().map(|f| (f.property, f.reason))),
        };
        Ok(Response::new(rpc::CheckResponse { inputs: request.news, failures: failed }))
    }

    /// A change of any setting this provider uses is an update of the provider: the resources'
    /// own diffs then say whether they are replaced (a new default region replaces what lives in
    /// the old one).
    async fn diff_config(&self, request: Request<rpc::DiffRequest>) -> Answer<rpc::DiffResponse> {
        let request = request.into_inner();
        let (olds, news) = (incoming(request.olds.as_ref()).json, incoming(request.news.as_ref()).json);
        let diffs: Vec<String> = settings::SETTINGS
            .iter()
            .map(|setting| setting.name.to_string())
            .filter(|name| olds.get(name) != news.get(name) && !ignored(name, &request.ignore_changes))
            .collect();
        let changes = if diffs.is_empty() { DiffChanges::DiffNone } else { DiffChanges::DiffSome };
        Ok(Response::new(rpc::DiffResponse { changes: changes as i32, diffs, ..Default::default() }))
    }

    async fn configure(&self, request: Request<rpc::ConfigureRequest>) -> Answer<rpc::ConfigureResponse> {
        let request = request.into_inner();
        let config = configuration(&self.package.name, &request);
        let settings = settings::options(&config).map_err(|list| {
            let list: Vec<String> = list.iter().map(|f| format!("{}: {}", f.property, f.reason)).collect();
            Status::invalid_argument(format!("invalid provider configuration: {}", list.join("; ")))
        })?;
        let locks = Locks::from_options(&settings.locks)
            .map_err(|e| Status::invalid_argument(format!("invalid provider configuration: lockDirectory: {e}")))?;
        let api = LightsailApi::new(settings.aws).await.map_err(|e| Status::invalid_argument(e.to_string()))?;
        let provider = Provider::new(self.runtime.clone(), Some(Arc::new(api)))
            .with_locks(Arc::new(locks))
            .with_interrupt(self.interrupt.clone());
        *self.configured.write().unwrap_or_else(|e| e.into_inner()) = Some(provider);
        Ok(Response::new(rpc::ConfigureResponse {
            accept_secrets: true,
            supports_preview: true,
            accept_resources: false,
            accept_outputs: false,
            supports_autonaming_configuration: false,
        }))
    }

    async fn check(&self, request: Request<rpc::CheckRequest>) -> Answer<rpc::CheckResponse> {
        let request = request.into_inner();
        let token = token(&request.r#type, &request.urn)?;
        let news = incoming(request.news.as_ref());
        let olds = request.olds.as_ref().filter(|o| !o.fields.is_empty()).map(|o| incoming(Some(o)).text());
        let checked = self.offline.check(&token, olds.as_deref(), &news.text()).await;
        let checked = checked.map_err(|e| status(e, &news.secrets, self))?;
        Ok(Response::new(rpc::CheckResponse {
            inputs: Some(outgoing(&parse(&checked.inputs), &news.secrets)),
            failures: failures(checked.failures.into_iter().map(|f| (f.property, f.reason))),
        }))
    }

    async fn diff(&self, request: Request<rpc::DiffRequest>) -> Answer<rpc::DiffResponse> {
        let request = request.into_inner();
        let token = token(&request.r#type, &request.urn)?;
        let olds = incoming(request.olds.as_ref());
        let mut news = incoming(request.news.as_ref());
        // Ignored properties keep their old values: they neither differ nor replace.
        for name in &request.ignore_changes {
            match olds.json.get(name) {
                Some(old) => news.json.insert(name.clone(), old.clone()),
                None => news.json.remove(name),
            };
        }
        let diff = self.provider()?.diff(&token, &request.id, &olds.text(), &news.text()).await;
        let diff = diff.map_err(|e| status(e, &news.secrets, self))?;
        let diffs: Vec<String> = diff.diffs.into_iter().filter(|p| !ignored(p, &request.ignore_changes)).collect();
        let replaces: Vec<String> = diff.replaces.into_iter().filter(|p| diffs.contains(p)).collect();
        let detailed = diffs
            .iter()
            .map(|property| {
                let (had, has) = (olds.json.get(property), news.json.get(property));
                let replace = replaces.contains(property);
                let kind = match (had.is_some_and(|v| !v.is_null()), has.is_some_and(|v| !v.is_null()), replace) {
                    (false, true, false) => DiffKind::Add,
                    (false, true, true) => DiffKind::AddReplace,
                    (true, false, false) => DiffKind::Delete,
                    (true, false, true) => DiffKind::DeleteReplace,
                    (_, _, false) => DiffKind::Update,
                    (_, _, true) => DiffKind::UpdateReplace,
                };
                (property.clone(), rpc::PropertyDiff { kind: kind as i32, input_diff: true })
            })
            .collect();
        // Inputs that do not differ keep their values through an update.
        let stables = match self.package.resources.get(&token) {
            Some(resource) => resource.inputs.iter().filter(|p| !diffs.contains(p)).cloned().collect(),
            None => Vec::new(),
        };
        let changes = if diffs.is_empty() { DiffChanges::DiffNone } else { DiffChanges::DiffSome };
        Ok(Response::new(rpc::DiffResponse {
            replaces,
            stables,
            delete_before_replace: diff.delete_before_replace,
            changes: changes as i32,
            diffs,
            detailed_diff: detailed,
            has_detailed_diff: true,
        }))
    }

    async fn create(&self, request: Request<rpc::CreateRequest>) -> Answer<rpc::CreateResponse> {
        let request = request.into_inner();
        let token = token(&request.r#type, &request.urn)?;
        let inputs: Incoming = incoming(request.properties.as_ref());
        let created = self.provider()?.create(&token, &inputs.text(), request.preview).await;
        let created = created.map_err(|e| status(e, &inputs.secrets, self))?;
        let properties = if request.preview {
            self.preview_outputs(&token, &created.outputs, &inputs.secrets)
        } else {
            self.outputs(&created.outputs, &inputs.secrets)
        };
        Ok(Response::new(rpc::CreateResponse {
            id: created.id,
            properties: Some(properties),
            refresh_before_update: false,
        }))
    }

    /// Refresh (state given: an empty id answers "gone") and import (only the id: the answer's
    /// inputs are what the engine then checks and diffs, and they produce no change).
    async fn read(&self, request: Request<rpc::ReadRequest>) -> Answer<rpc::ReadResponse> {
        let request = request.into_inner();
        let token = token(&request.r#type, &request.urn)?;
        let state = incoming(request.properties.as_ref());
        let given_inputs = incoming(request.inputs.as_ref());
        let mut secrets = state.secrets.clone();
        secrets.extend(given_inputs.secrets.iter().cloned());
        let provider = self.provider()?;
        let found = if state.json.is_empty() && given_inputs.json.is_empty() {
            Some(provider.import(&token, &request.id).await.map_err(|e| status(e, &secrets, self))?)
        } else {
            provider.read(&token, &request.id, Some(&state.text())).await.map_err(|e| status(e, &secrets, self))?
        };
        let Some(found) = found else {
            return Ok(Response::new(rpc::ReadResponse { id: String::new(), ..Default::default() }));
        };
        Ok(Response::new(rpc::ReadResponse {
            id: found.id,
            properties: Some(self.outputs(&found.outputs, &secrets)),
            inputs: Some(outgoing(&parse(&found.inputs), &given_inputs.secrets)),
            refresh_before_update: false,
        }))
    }

    async fn update(&self, request: Request<rpc::UpdateRequest>) -> Answer<rpc::UpdateResponse> {
        let request = request.into_inner();
        let token = token(&request.r#type, &request.urn)?;
        let olds = incoming(request.olds.as_ref());
        let news = incoming(request.news.as_ref());
        let updated = self.provider()?.update(&token, &request.id, &olds.text(), &news.text(), request.preview).await;
        let outputs = updated.map_err(|e| status(e, &news.secrets, self))?;
        let properties = if request.preview {
            self.preview_outputs(&token, &outputs, &news.secrets)
        } else {
            self.outputs(&outputs, &news.secrets)
        };
        Ok(Response::new(rpc::UpdateResponse { properties: Some(properties), refresh_before_update: false }))
    }

    async fn delete(&self, request: Request<rpc::DeleteRequest>) -> Answer<()> {
        let request = request.into_inner();
        let token = token(&request.r#type, &request.urn)?;
        let state = incoming(request.properties.as_ref());
        let deleted = self.provider()?.delete(&token, &request.id, &state.text()).await;
        deleted.map_err(|e| status(e, &state.secrets, self))?;
        Ok(Response::new(()))
    }

    /// The engine is shutting down: creates in flight stop waiting and return what they made.
    async fn cancel(&self, _: Request<()>) -> Answer<()> {
        self.interrupt.trigger();
        Ok(Response::new(()))
    }

    async fn parameterize(&self, _: Request<rpc::ParameterizeRequest>) -> Answer<rpc::ParameterizeResponse> {
        Err(Status::unimplemented("this provider takes no parameters"))
    }

    async fn invoke(&self, _: Request<rpc::InvokeRequest>) -> Answer<rpc::InvokeResponse> {
        Err(Status::unimplemented("this provider has no functions"))
    }

    async fn call(&self, _: Request<rpc::CallRequest>) -> Answer<rpc::CallResponse> {
        Err(Status::unimplemented("this provider has no methods"))
    }

    type ListStream = tokio_stream::Iter<std::vec::IntoIter<Result<rpc::ListResponse, Status>>>;

    /// One page of the component's `list`: its items (each id importable by `Read`), then the
    /// continuation when there is another page. A query that holds an unknown value is answered
    /// `Computed`, as the protocol asks.
    async fn list(&self, request: Request<rpc::ListRequest>) -> Answer<Self::ListStream> {
        use rpc::list_response::{Computed, Continuation, Response as Entry, Result as Found};
        let request = request.into_inner();
        let query = incoming(request.query.as_ref());
        let entry = |response| Ok(rpc::ListResponse { response: Some(response) });
        if query.has_unknowns() {
            return Ok(Response::new(tokio_stream::iter(vec![entry(Entry::Computed(Computed {}))])));
        }
        // Below 1: no limit, the provider's page size (the protocol's words, the contract's 0).
        let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
        let continuation = Some(request.continuation_token.as_str()).filter(|token| !token.is_empty());
        let listed = self
            .provider()?
            .list(&request.token, &query.text(), count(request.limit), count(request.page_size), continuation)
            .await;
        let page = listed.map_err(|e| status(e, &query.secrets, self))?;
        let mut entries: Vec<_> = page
            .items
            .into_iter()
            .map(|item| entry(Entry::Result(Found { id: item.id, name: String::new() })))
            .collect();
        if let Some(continuation_token) = page.continuation {
            entries.push(entry(Entry::Continuation(Continuation { continuation_token })));
        }
        Ok(Response::new(tokio_stream::iter(entries)))
    }

    async fn construct(&self, _: Request<rpc::ConstructRequest>) -> Answer<rpc::ConstructResponse> {
        Err(Status::unimplemented("this provider has no component resources"))
    }

    async fn attach(&self, _: Request<rpc::PluginAttach>) -> Answer<()> {
        Err(Status::unimplemented("this provider is started by the engine"))
    }

    async fn get_mapping(&self, _: Request<rpc::GetMappingRequest>) -> Answer<rpc::GetMappingResponse> {
        Ok(Response::new(rpc::GetMappingResponse::default()))
    }

    async fn get_mappings(&self, _: Request<rpc::GetMappingsRequest>) -> Answer<rpc::GetMappingsResponse> {
        Ok(Response::new(rpc::GetMappingsResponse::default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_comes_from_the_request_or_the_urn() {
        let urn = "urn:pulumi:dev::proj::aws:lightsail/bucketAccessKey:BucketAccessKey::key";
        assert_eq!(token("", urn).unwrap(), "aws:lightsail/bucketAccessKey:BucketAccessKey");
        let nested = "urn:pulumi:dev::proj::my:Parent$aws:lightsail/bucket:Bucket::b";
        assert_eq!(token("", nested).unwrap(), "aws:lightsail/bucket:Bucket");
        assert_eq!(token("x:y:Z", urn).unwrap(), "x:y:Z");
        assert!(token("", "not-a-urn").is_err());
    }

    #[test]
    fn ignore_changes_covers_nested_paths() {
        let ignore = vec!["tags".to_string()];
        assert!(ignored("tags", &ignore) && ignored("tags.a", &ignore) && ignored("tags[0]", &ignore));
        assert!(!ignored("tagsAll", &ignore));
    }
}
