//! One Terraform resource type, served by forwarding each call to the component. Nothing here
//! knows a resource by name: the token, the schema and the inputs come from the component.

use crate::schema::{ResourceSpec, snake};
use crate::shared::Shared;
use crate::values::{self, attribute, string};
use async_trait::async_trait;
use lightsail_provider_host::CallError;
use lightsail_provider_host::ProviderError;
use lightsail_provider_host::describe_error;
use std::sync::Arc;
use tf_provider::schema::Schema;
use tf_provider::value::ValueAny;
use tf_provider::{AttributePath, Diagnostics, Resource};

pub struct ComponentResource {
    spec: Arc<ResourceSpec>,
    shared: Arc<Shared>,
}

impl ComponentResource {
    pub fn new(spec: Arc<ResourceSpec>, shared: Arc<Shared>) -> Self {
        Self { spec, shared }
    }

    fn token(&self) -> &str {
        &self.spec.token
    }

    fn provider(&self, diags: &mut Diagnostics) -> Option<lightsail_provider_host::Provider> {
        let provider = self.shared.configured();
        if provider.is_none() {
            diags.root_error_short("the provider is not configured yet");
        }
        provider
    }

    fn id(&self, diags: &mut Diagnostics, state: &ValueAny) -> Option<String> {
        match string(attribute(state, "id")) {
            Some(id) => Some(id.to_string()),
            None => {
                diags.root_error_short(format!("{}: the state has no id", self.spec.type_name));
                None
            }
        }
    }

    fn report(&self, diags: &mut Diagnostics, error: CallError) {
        match error {
            CallError::Provider(ProviderError::InvalidInput(failures)) => {
                for failure in failures {
                    let reason = self.spec.in_terraform_terms(&failure.reason);
                    if failure.property.is_empty() {
                        diags.root_error(format!("Invalid {}", self.spec.type_name), reason);
                    } else {
                        let name = snake(&failure.property);
                        diags.error(format!("Invalid {name}"), reason, AttributePath::new(name));
                    }
                }
            }
            other => {
                let detail = self.spec.in_terraform_terms(&other.to_string());
                diags.root_error(format!("{} failed", self.spec.type_name), detail)
            }
        }
    }

    /// The value of a successful call; a failed one becomes diagnostics.
    fn answer<T>(&self, diags: &mut Diagnostics, result: Result<T, CallError>) -> Option<T> {
        result.map_err(|e| self.report(diags, e)).ok()
    }

    /// The state Terraform records for a resource, from the component's outputs.
    fn recorded(&self, outputs: &str, id: String) -> ValueAny {
        values::object(&self.spec, outputs, ValueAny::String(id), ValueAny::Null)
    }

    /// The planned state of a new resource: the configuration, what a preview knows, the rest unknown.
    async fn plan_new(&self, diags: &mut Diagnostics, config: &ValueAny) -> Option<ValueAny> {
        let provider = self.provider(diags)?;
        let inputs = values::inputs(&self.spec, config);
        let preview = self.answer(diags, provider.create(self.token(), &inputs, true).await)?;
        let planned = values::object(&self.spec, &preview.outputs.values, ValueAny::Unknown, ValueAny::Unknown);
        Some(values::with_config(&self.spec, planned, config))
    }
}

type State<'a> = ValueAny;

#[async_trait]
impl Resource for ComponentResource {
    type State<'a> = ValueAny;
    type PrivateState<'a> = ValueAny;
    type ProviderMetaState<'a> = ValueAny;

    fn schema(&self, _: &mut Diagnostics) -> Option<Schema> {
        Some(self.spec.schema.clone())
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: State<'a>) -> Option<()> {
        let inputs = values::inputs(&self.spec, &config);
        let checked = self.answer(diags, self.shared.offline().check(self.token(), None, &inputs).await)?;
        if checked.failures.is_empty() {
            return Some(());
        }
        self.report(diags, CallError::Provider(ProviderError::InvalidInput(checked.failures)));
        None
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        state: State<'a>,
        private_state: State<'a>,
        _: State<'a>,
    ) -> Option<(State<'a>, State<'a>)> {
        let id = self.id(diags, &state)?;
        let provider = self.provider(diags)?;
        let found =
            self.answer(diags, provider.read(self.token(), &id, Some(&values::state(&self.spec, &state))).await)?;
        match found {
            Some(found) => Some((self.recorded(&found.outputs.values, found.id), private_state)),
            // Gone: a null state tells Terraform to plan its creation again.
            None => Some((ValueAny::Null, private_state)),
        }
    }

    async fn plan_create<'a>(
        &self,
        diags: &mut Diagnostics,
        _proposed: State<'a>,
        config: State<'a>,
        _: State<'a>,
    ) -> Option<(State<'a>, State<'a>)> {
        let planned = self.plan_new(diags, &config).await?;
        Some((planned, ValueAny::Null))
    }

    async fn plan_update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: State<'a>,
        _proposed: State<'a>,
        config: State<'a>,
        prior_private_state: State<'a>,
        _: State<'a>,
    ) -> Option<(State<'a>, State<'a>, Vec<AttributePath>)> {
        let id = self.id(diags, &prior)?;
        let provider = self.provider(diags)?;
        let olds = values::state(&self.spec, &prior);
        let news = values::inputs(&self.spec, &config);
        let diff = self.answer(diags, provider.diff(self.token(), &id, &olds, &news).await)?;
        if !diff.changes {
            return Some((prior, prior_private_state, Vec::new()));
        }
        if !diff.replaces.is_empty() {
            let planned = self.plan_new(diags, &config).await?;
            let paths = diff.replaces.iter().map(|p| AttributePath::new(snake(p))).collect();
            return Some((planned, prior_private_state, paths));
        }
        let outputs = self.answer(diags, provider.update(self.token(), &id, &olds, &news, true).await)?;
        let planned = values::object(&self.spec, &outputs.values, ValueAny::String(id), ValueAny::Unknown);
        Some((values::with_config(&self.spec, planned, &config), prior_private_state, Vec::new()))
    }

    async fn plan_destroy<'a>(
        &self,
        _: &mut Diagnostics,
        _: State<'a>,
        prior_private_state: State<'a>,
        _: State<'a>,
    ) -> Option<State<'a>> {
        Some(prior_private_state)
    }

    async fn create<'a>(
        &self,
        diags: &mut Diagnostics,
        _planned: State<'a>,
        config: State<'a>,
        planned_private_state: State<'a>,
        _: State<'a>,
    ) -> Option<(State<'a>, State<'a>)> {
        let provider = self.provider(diags)?;
        match provider.create(self.token(), &values::inputs(&self.spec, &config), false).await {
            Ok(created) => Some((self.recorded(&created.outputs.values, created.id), planned_private_state)),
            // It exists: hand Terraform its state along with the error, so it is recorded (tainted).
            Err(CallError::Provider(ProviderError::NotReady(not_ready))) => {
                let reason = describe_error(&ProviderError::NotReady(not_ready.clone()));
                let reason = self.spec.in_terraform_terms(&reason);
                diags.root_error(format!("{} was created but is not ready", self.spec.type_name), reason);
                Some((self.recorded(&not_ready.outputs.values, not_ready.id), planned_private_state))
            }
            Err(e) => self.answer(diags, Err(e)),
        }
    }

    async fn update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: State<'a>,
        _planned: State<'a>,
        config: State<'a>,
        planned_private_state: State<'a>,
        _: State<'a>,
    ) -> Option<(State<'a>, State<'a>)> {
        let id = self.id(diags, &prior)?;
        let provider = self.provider(diags)?;
        let olds = values::state(&self.spec, &prior);
        let news = values::inputs(&self.spec, &config);
        let outputs = self.answer(diags, provider.update(self.token(), &id, &olds, &news, false).await)?;
        Some((self.recorded(&outputs.values, id), planned_private_state))
    }

    async fn destroy<'a>(&self, diags: &mut Diagnostics, prior: State<'a>, _: State<'a>, _: State<'a>) -> Option<()> {
        let id = self.id(diags, &prior)?;
        let provider = self.provider(diags)?;
        self.answer(diags, provider.delete(self.token(), &id, &values::state(&self.spec, &prior)).await)
    }

    async fn import<'a>(&self, diags: &mut Diagnostics, id: String) -> Option<(State<'a>, State<'a>)> {
        let provider = self.provider(diags)?;
        let found = self.answer(diags, provider.import(self.token(), &id).await)?;
        Some((self.recorded(&found.outputs.values, found.id), ValueAny::Null))
    }
}
