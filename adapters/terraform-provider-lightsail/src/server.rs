//! The `tfplugin6.Provider` service: each call decoded, routed to its resource type by name and
//! answered; what the provider does not offer (data sources, functions, list resources, state
//! stores, actions) answered with an error that says so, though Terraform asks for none of it: the
//! schema and the server capabilities declare exactly what is there.

use crate::cty::Value;
use crate::diagnostics::Diagnostics;
use crate::ephemeral::EphemeralResource;
use crate::provider::{self, PROVIDER_SCHEMA_VERSION};
use crate::resource::ComponentResource;
use crate::schema::{Block, ResourceSpec, STATE_VERSION};
use crate::shared::Shared;
use crate::tfplugin6::{self as tf, provider_server::Provider as ProviderService};
use lightsail_provider_host::ComponentRuntime;
use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;
use tonic::{Request, Response, Status, Streaming};

pub struct Server {
    shared: Arc<Shared>,
    provider_block: Block,
    resources: BTreeMap<String, Arc<ComponentResource>>,
    ephemeral: BTreeMap<String, EphemeralResource>,
}

impl Server {
    pub fn new(runtime: Arc<ComponentRuntime>, specs: Vec<ResourceSpec>) -> Self {
        let shared = Arc::new(Shared::new(runtime));
        let mut resources = BTreeMap::new();
        let mut ephemeral = BTreeMap::new();
        for spec in specs {
            let name = spec.type_name.clone();
            let is_ephemeral = spec.ephemeral;
            let resource = Arc::new(ComponentResource::new(Arc::new(spec), shared.clone()));
            if is_ephemeral {
                ephemeral.insert(name.clone(), EphemeralResource::new(resource.clone()));
            }
            resources.insert(name, resource);
        }
        Self { shared, provider_block: provider::provider_block(), resources, ephemeral }
    }

    pub fn shared(&self) -> Arc<Shared> {
        self.shared.clone()
    }

    fn capabilities() -> tf::ServerCapabilities {
        tf::ServerCapabilities {
            // A destroy needs no planning of its own, but Terraform may as well ask.
            plan_destroy: true,
            get_provider_schema_optional: true,
            move_resource_state: false,
            generate_resource_config: false,
        }
    }

    fn resource(&self, diags: &mut Diagnostics, name: &str) -> Option<&ComponentResource> {
        let found = self.resources.get(name).map(|r| r.as_ref());
        if found.is_none() {
            diags.root_error(format!("This provider has no resource type {name}"), self.offered());
        }
        found
    }

    fn ephemeral(&self, diags: &mut Diagnostics, name: &str) -> Option<&EphemeralResource> {
        let found = self.ephemeral.get(name);
        if found.is_none() {
            let offered: Vec<&str> = self.ephemeral.keys().map(String::as_str).collect();
            diags.root_error(
                format!("This provider has no ephemeral resource type {name}"),
                format!("Its ephemeral resource types: {}.", offered.join(", ")),
            );
        }
        found
    }

    fn offered(&self) -> String {
        let names: Vec<&str> = self.resources.keys().map(String::as_str).collect();
        format!("Its resource types: {}.", names.join(", "))
    }

    /// The answer for a kind of thing this provider has none of, with what it has.
    fn none_of(&self, kind: &str) -> Vec<tf::Diagnostic> {
        let ephemeral: Vec<&str> = self.ephemeral.keys().map(String::as_str).collect();
        let mut diags = Diagnostics::default();
        diags.root_error(
            format!("This provider offers no {kind}"),
            format!("{} Its ephemeral resource types: {}.", self.offered(), ephemeral.join(", ")),
        );
        diags.into_vec()
    }
}

/// A value Terraform sent (MessagePack; JSON only where it stores state), or null if absent.
fn decode(diags: &mut Diagnostics, value: Option<tf::DynamicValue>) -> Option<Value> {
    let Some(value) = value else { return Some(Value::Null) };
    if value.msgpack.is_empty() {
        // Terraform sends JSON only as stored state (UpgradeResourceState's raw state).
        return Some(Value::Null);
    }
    Value::from_msgpack(&value.msgpack).map_err(|e| diags.root_error(e.to_string(), "")).ok()
}

fn encode(value: Value) -> Option<tf::DynamicValue> {
    Some(tf::DynamicValue { msgpack: value.to_msgpack(), json: Vec::new() })
}

type Answer<T> = Result<Response<T>, Status>;
type Stream<T> = Pin<Box<dyn tokio_stream::Stream<Item = Result<T, Status>> + Send>>;

#[tonic::async_trait]
impl ProviderService for Server {
    async fn get_metadata(&self, _: Request<tf::get_metadata::Request>) -> Answer<tf::get_metadata::Response> {
        use tf::get_metadata::{EphemeralMetadata, ResourceMetadata};
        Ok(Response::new(tf::get_metadata::Response {
            server_capabilities: Some(Self::capabilities()),
            resources: self.resources.keys().map(|name| ResourceMetadata { type_name: name.clone() }).collect(),
            ephemeral_resources: self
                .ephemeral
                .keys()
                .map(|name| EphemeralMetadata { type_name: name.clone() })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<tf::get_provider_schema::Request>,
    ) -> Answer<tf::get_provider_schema::Response> {
        let schemas = |names: &mut dyn Iterator<Item = &String>| -> std::collections::HashMap<String, tf::Schema> {
            names.map(|name| (name.clone(), self.resources[name].spec().block.to_proto(STATE_VERSION))).collect()
        };
        Ok(Response::new(tf::get_provider_schema::Response {
            provider: Some(self.provider_block.to_proto(PROVIDER_SCHEMA_VERSION)),
            resource_schemas: schemas(&mut self.resources.keys()),
            ephemeral_resource_schemas: schemas(&mut self.ephemeral.keys()),
            server_capabilities: Some(Self::capabilities()),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<tf::validate_provider_config::Request>,
    ) -> Answer<tf::validate_provider_config::Response> {
        let mut diags = Diagnostics::default();
        if let Some(config) = decode(&mut diags, request.into_inner().config) {
            provider::validate(&mut diags, &config);
        }
        Ok(Response::new(tf::validate_provider_config::Response { diagnostics: diags.into_vec() }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<tf::validate_resource_config::Request>,
    ) -> Answer<tf::validate_resource_config::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        if let Some(resource) = self.resource(&mut diags, &request.type_name)
            && let Some(config) = decode(&mut diags, request.config)
        {
            resource.validate(&mut diags, &config).await;
        }
        Ok(Response::new(tf::validate_resource_config::Response { diagnostics: diags.into_vec() }))
    }

    async fn validate_data_resource_config(
        &self,
        _: Request<tf::validate_data_resource_config::Request>,
    ) -> Answer<tf::validate_data_resource_config::Response> {
        Ok(Response::new(tf::validate_data_resource_config::Response { diagnostics: self.none_of("data sources") }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<tf::upgrade_resource_state::Request>,
    ) -> Answer<tf::upgrade_resource_state::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let json = request.raw_state.map(|raw| raw.json).unwrap_or_default();
        let upgraded = match self.resource(&mut diags, &request.type_name) {
            Some(_) if json.is_empty() => {
                diags.root_error(
                    format!("{}: the stored state is in the legacy flatmap format", request.type_name),
                    "Terraform 0.11 and earlier wrote it; this provider reads the JSON state of Terraform 0.12 and later.",
                );
                None
            }
            Some(resource) => resource.upgrade(&mut diags, request.version, &json),
            None => None,
        };
        Ok(Response::new(tf::upgrade_resource_state::Response {
            upgraded_state: upgraded.and_then(encode),
            diagnostics: diags.into_vec(),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<tf::get_resource_identity_schemas::Request>,
    ) -> Answer<tf::get_resource_identity_schemas::Response> {
        // No resource declares an identity (Terraform 1.12's import by identity); an id imports.
        Ok(Response::new(tf::get_resource_identity_schemas::Response::default()))
    }

    async fn upgrade_resource_identity(
        &self,
        _: Request<tf::upgrade_resource_identity::Request>,
    ) -> Answer<tf::upgrade_resource_identity::Response> {
        Ok(Response::new(tf::upgrade_resource_identity::Response {
            diagnostics: self.none_of("resource identities (import by id)"),
            ..Default::default()
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<tf::configure_provider::Request>,
    ) -> Answer<tf::configure_provider::Response> {
        let mut diags = Diagnostics::default();
        if let Some(config) = decode(&mut diags, request.into_inner().config) {
            provider::configure(&mut diags, &self.shared, &config).await;
        }
        Ok(Response::new(tf::configure_provider::Response { diagnostics: diags.into_vec() }))
    }

    async fn read_resource(&self, request: Request<tf::read_resource::Request>) -> Answer<tf::read_resource::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let mut new_state = None;
        if let Some(resource) = self.resource(&mut diags, &request.type_name)
            && let Some(state) = decode(&mut diags, request.current_state)
        {
            // On an error, the state stays as it was.
            new_state = Some(resource.read(&mut diags, &state).await.unwrap_or(state));
        }
        Ok(Response::new(tf::read_resource::Response {
            new_state: new_state.and_then(encode),
            diagnostics: diags.into_vec(),
            private: request.private,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<tf::plan_resource_change::Request>,
    ) -> Answer<tf::plan_resource_change::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let mut answer = tf::plan_resource_change::Response::default();
        if let Some(resource) = self.resource(&mut diags, &request.type_name)
            && let (Some(prior), Some(proposed), Some(config)) = (
                decode(&mut diags, request.prior_state),
                decode(&mut diags, request.proposed_new_state),
                decode(&mut diags, request.config),
            )
            && let Some((planned, replaces)) = resource.plan(&mut diags, &prior, &proposed, &config).await
        {
            answer.planned_state = encode(planned);
            answer.requires_replace = replaces.iter().map(|name| attribute_path(name)).collect();
            answer.planned_private = request.prior_private;
        }
        answer.diagnostics = diags.into_vec();
        Ok(Response::new(answer))
    }

    async fn apply_resource_change(
        &self,
        request: Request<tf::apply_resource_change::Request>,
    ) -> Answer<tf::apply_resource_change::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let mut answer = tf::apply_resource_change::Response::default();
        if let Some(resource) = self.resource(&mut diags, &request.type_name)
            && let (Some(prior), Some(planned), Some(config)) = (
                decode(&mut diags, request.prior_state),
                decode(&mut diags, request.planned_state),
                decode(&mut diags, request.config),
            )
        {
            answer.new_state = encode(resource.apply(&mut diags, &prior, &planned, &config).await);
            answer.private = request.planned_private;
        }
        answer.diagnostics = diags.into_vec();
        Ok(Response::new(answer))
    }

    async fn import_resource_state(
        &self,
        request: Request<tf::import_resource_state::Request>,
    ) -> Answer<tf::import_resource_state::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let mut imported_resources = Vec::new();
        if let Some(resource) = self.resource(&mut diags, &request.type_name)
            && let Some(state) = resource.import(&mut diags, &request.id).await
        {
            imported_resources.push(tf::import_resource_state::ImportedResource {
                type_name: request.type_name,
                state: encode(state),
                ..Default::default()
            });
        }
        Ok(Response::new(tf::import_resource_state::Response {
            imported_resources,
            diagnostics: diags.into_vec(),
            ..Default::default()
        }))
    }

    async fn move_resource_state(
        &self,
        request: Request<tf::move_resource_state::Request>,
    ) -> Answer<tf::move_resource_state::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        diags.root_error(
            format!("{} cannot be moved into this provider with a moved block", request.source_type_name),
            "This provider takes the state of its resource types as it is: `terraform state replace-provider` \
             moves them (docs/terraform.md, \"Moving state from hashicorp/aws and back\").",
        );
        Ok(Response::new(tf::move_resource_state::Response { diagnostics: diags.into_vec(), ..Default::default() }))
    }

    async fn read_data_source(
        &self,
        _: Request<tf::read_data_source::Request>,
    ) -> Answer<tf::read_data_source::Response> {
        Ok(Response::new(tf::read_data_source::Response {
            diagnostics: self.none_of("data sources"),
            ..Default::default()
        }))
    }

    async fn generate_resource_config(
        &self,
        _: Request<tf::generate_resource_config::Request>,
    ) -> Answer<tf::generate_resource_config::Response> {
        Ok(Response::new(tf::generate_resource_config::Response {
            diagnostics: self.none_of("configuration generation"),
            ..Default::default()
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<tf::validate_ephemeral_resource_config::Request>,
    ) -> Answer<tf::validate_ephemeral_resource_config::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        if self.ephemeral(&mut diags, &request.type_name).is_some()
            && let Some(config) = decode(&mut diags, request.config)
        {
            self.resources[&request.type_name].validate(&mut diags, &config).await;
        }
        Ok(Response::new(tf::validate_ephemeral_resource_config::Response { diagnostics: diags.into_vec() }))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<tf::open_ephemeral_resource::Request>,
    ) -> Answer<tf::open_ephemeral_resource::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let mut answer = tf::open_ephemeral_resource::Response::default();
        if let Some(ephemeral) = self.ephemeral(&mut diags, &request.type_name)
            && let Some(config) = decode(&mut diags, request.config)
            && let Some((result, private)) = ephemeral.open(&mut diags, &config).await
        {
            answer.result = encode(result);
            answer.private = Some(private);
        }
        answer.diagnostics = diags.into_vec();
        Ok(Response::new(answer))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<tf::renew_ephemeral_resource::Request>,
    ) -> Answer<tf::renew_ephemeral_resource::Response> {
        // Nothing expires: an access key lives until it is deleted, so no renewal is ever asked for.
        Ok(Response::new(tf::renew_ephemeral_resource::Response {
            private: request.into_inner().private,
            ..Default::default()
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<tf::close_ephemeral_resource::Request>,
    ) -> Answer<tf::close_ephemeral_resource::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        if let Some(ephemeral) = self.ephemeral(&mut diags, &request.type_name) {
            ephemeral.close(&mut diags, request.private.as_deref().unwrap_or_default()).await;
        }
        Ok(Response::new(tf::close_ephemeral_resource::Response { diagnostics: diags.into_vec() }))
    }

    type ListResourceStream = Stream<tf::list_resource::Event>;

    async fn list_resource(&self, _: Request<tf::list_resource::Request>) -> Answer<Self::ListResourceStream> {
        // Terraform 1.14's list resources need resource identity, which Terraform 1.11 (what can be
        // tested here) lacks: docs/terraform.md says what to use instead.
        Err(Status::unimplemented(
            "this provider offers no list resources yet: `lightsail-provider list` lists keys with their import ids",
        ))
    }

    async fn validate_list_resource_config(
        &self,
        _: Request<tf::validate_list_resource_config::Request>,
    ) -> Answer<tf::validate_list_resource_config::Response> {
        Ok(Response::new(tf::validate_list_resource_config::Response { diagnostics: self.none_of("list resources") }))
    }

    async fn get_functions(&self, _: Request<tf::get_functions::Request>) -> Answer<tf::get_functions::Response> {
        Ok(Response::new(tf::get_functions::Response::default()))
    }

    async fn call_function(&self, request: Request<tf::call_function::Request>) -> Answer<tf::call_function::Response> {
        let name = request.into_inner().name;
        Ok(Response::new(tf::call_function::Response {
            result: None,
            error: Some(tf::FunctionError {
                text: format!("this provider offers no function {name}"),
                function_argument: None,
            }),
        }))
    }

    async fn validate_state_store_config(
        &self,
        _: Request<tf::validate_state_store::Request>,
    ) -> Answer<tf::validate_state_store::Response> {
        Ok(Response::new(tf::validate_state_store::Response { diagnostics: self.none_of("state stores") }))
    }

    async fn configure_state_store(
        &self,
        _: Request<tf::configure_state_store::Request>,
    ) -> Answer<tf::configure_state_store::Response> {
        Ok(Response::new(tf::configure_state_store::Response {
            diagnostics: self.none_of("state stores"),
            ..Default::default()
        }))
    }

    type ReadStateBytesStream = Stream<tf::read_state_bytes::Response>;

    async fn read_state_bytes(&self, _: Request<tf::read_state_bytes::Request>) -> Answer<Self::ReadStateBytesStream> {
        Err(Status::unimplemented("this provider offers no state stores"))
    }

    async fn write_state_bytes(
        &self,
        _: Request<Streaming<tf::write_state_bytes::RequestChunk>>,
    ) -> Answer<tf::write_state_bytes::Response> {
        Ok(Response::new(tf::write_state_bytes::Response { diagnostics: self.none_of("state stores") }))
    }

    async fn lock_state(&self, _: Request<tf::lock_state::Request>) -> Answer<tf::lock_state::Response> {
        Ok(Response::new(tf::lock_state::Response { diagnostics: self.none_of("state stores"), ..Default::default() }))
    }

    async fn unlock_state(&self, _: Request<tf::unlock_state::Request>) -> Answer<tf::unlock_state::Response> {
        Ok(Response::new(tf::unlock_state::Response { diagnostics: self.none_of("state stores") }))
    }

    async fn get_states(&self, _: Request<tf::get_states::Request>) -> Answer<tf::get_states::Response> {
        Ok(Response::new(tf::get_states::Response { diagnostics: self.none_of("state stores"), ..Default::default() }))
    }

    async fn delete_state(&self, _: Request<tf::delete_state::Request>) -> Answer<tf::delete_state::Response> {
        Ok(Response::new(tf::delete_state::Response { diagnostics: self.none_of("state stores") }))
    }

    async fn plan_action(&self, _: Request<tf::plan_action::Request>) -> Answer<tf::plan_action::Response> {
        Ok(Response::new(tf::plan_action::Response { diagnostics: self.none_of("actions"), ..Default::default() }))
    }

    type InvokeActionStream = Stream<tf::invoke_action::Event>;

    async fn invoke_action(&self, _: Request<tf::invoke_action::Request>) -> Answer<Self::InvokeActionStream> {
        Err(Status::unimplemented("this provider offers no actions"))
    }

    async fn validate_action_config(
        &self,
        _: Request<tf::validate_action_config::Request>,
    ) -> Answer<tf::validate_action_config::Response> {
        Ok(Response::new(tf::validate_action_config::Response { diagnostics: self.none_of("actions") }))
    }

    async fn stop_provider(&self, _: Request<tf::stop_provider::Request>) -> Answer<tf::stop_provider::Response> {
        // Calls in flight finish: a create cut off between its call and its answer would leave a
        // key nobody records. Terraform sends no new ones.
        Ok(Response::new(tf::stop_provider::Response { error: String::new() }))
    }
}

fn attribute_path(name: &str) -> tf::AttributePath {
    use tf::attribute_path::{Step, step::Selector};
    tf::AttributePath { steps: vec![Step { selector: Some(Selector::AttributeName(name.into())) }] }
}
