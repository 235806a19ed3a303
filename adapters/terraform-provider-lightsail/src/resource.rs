//! One Terraform resource type, served by forwarding each call to the component. Nothing here
//! knows a resource by name: the token, the schema and the inputs come from the component.

use crate::cty::Value;
use crate::diagnostics::Diagnostics;
use crate::schema::{ResourceSpec, STATE_VERSION, snake};
use crate::shared::{Configured, Shared};
use crate::values::{self, attribute, string};
use lightsail_provider_host::CallError;
use lightsail_provider_host::ProviderError;
use lightsail_provider_host::describe_error;
use std::sync::Arc;

/// The schema versions of stored state this provider reads: its own and hashicorp/aws's
/// ([`STATE_VERSION`]), and 1, which its builds before 0.3.0 wrote.
const UPGRADABLE_VERSIONS: [i64; 2] = [STATE_VERSION, 1];

pub struct ComponentResource {
    spec: Arc<ResourceSpec>,
    shared: Arc<Shared>,
}

impl ComponentResource {
    pub fn new(spec: Arc<ResourceSpec>, shared: Arc<Shared>) -> Self {
        Self { spec, shared }
    }

    pub fn spec(&self) -> &ResourceSpec {
        &self.spec
    }

    fn token(&self) -> &str {
        &self.spec.token
    }

    pub fn configured(&self, diags: &mut Diagnostics) -> Option<Configured> {
        let configured = self.shared.configured();
        if configured.is_none() {
            diags.root_error("the provider is not configured yet", "");
        }
        configured
    }

    pub fn provider(&self, diags: &mut Diagnostics) -> Option<lightsail_provider_host::Provider> {
        self.configured(diags).map(|c| c.provider)
    }

    fn id(&self, diags: &mut Diagnostics, state: &Value) -> Option<String> {
        match string(attribute(state, "id")) {
            Some(id) => Some(id.to_string()),
            None => {
                diags.root_error(format!("{}: the state has no id", self.spec.type_name), "");
                None
            }
        }
    }

    pub fn report(&self, diags: &mut Diagnostics, error: CallError) {
        match error {
            CallError::Provider(ProviderError::InvalidInput(failures)) => {
                for failure in failures {
                    let reason = self.spec.in_terraform_terms(&failure.reason);
                    if failure.property.is_empty() {
                        diags.root_error(format!("Invalid {}", self.spec.type_name), reason);
                    } else {
                        let name = snake(&failure.property);
                        diags.error(format!("Invalid {name}"), reason, &name);
                    }
                }
            }
            CallError::Provider(ProviderError::Api(mut e)) if e.hint.is_some() => {
                // The hint in Terraform's names, then the error as any other.
                let hint = e.hint.take().expect("matched");
                let detail = format!(
                    "AWS error {}: {}; set {} to {} (and apply) to allow it",
                    e.code,
                    e.message.trim_end_matches('.'),
                    snake(&hint.property),
                    hint.value
                );
                diags.root_error(format!("{} failed", self.spec.type_name), detail)
            }
            other => {
                let detail = self.spec.in_terraform_terms(&other.to_string());
                diags.root_error(format!("{} failed", self.spec.type_name), detail)
            }
        }
    }

    /// The value of a successful call; a failed one becomes diagnostics.
    pub fn answer<T>(&self, diags: &mut Diagnostics, result: Result<T, CallError>) -> Option<T> {
        result.map_err(|e| self.report(diags, e)).ok()
    }

    /// The state Terraform records for a resource, from the component's outputs.
    pub fn recorded(&self, outputs: &str, id: String) -> Value {
        values::object(&self.spec, outputs, Value::String(id), Value::Null)
    }

    /// The planned state of a new resource: the configuration, what a preview knows, the rest unknown.
    pub async fn plan_new(&self, diags: &mut Diagnostics, config: &Value) -> Option<Value> {
        let provider = self.provider(diags)?;
        let inputs = values::inputs(&self.spec, config);
        let preview = self.answer(diags, provider.create(self.token(), &inputs, true).await)?;
        let planned = values::object(&self.spec, &preview.outputs.values, Value::Unknown, Value::Unknown);
        Some(values::with_config(&self.spec, planned, config))
    }

    /// `ValidateResourceConfig`: the component's check, offline.
    pub async fn validate(&self, diags: &mut Diagnostics, config: &Value) {
        let inputs = values::inputs(&self.spec, config);
        let Some(checked) = self.answer(diags, self.shared.offline().check(self.token(), None, &inputs).await) else {
            return;
        };
        if !checked.failures.is_empty() {
            self.report(diags, CallError::Provider(ProviderError::InvalidInput(checked.failures)));
        }
    }

    /// `UpgradeResourceState`: a stored state of any schema version this provider or
    /// hashicorp/aws has written, as the current schema's object. Every version so far differs
    /// from the current one only by attributes it lacks (null until the next refresh) or that
    /// are gone (dropped): version 1 (this provider before 0.3.0) had no `tags`, `tags_all` or
    /// `pgp_key`; hashicorp/aws's version 0 has no `region` and no `last_used`.
    pub fn upgrade(&self, diags: &mut Diagnostics, version: i64, json: &[u8]) -> Option<Value> {
        if !UPGRADABLE_VERSIONS.contains(&version) {
            diags.root_error(
                format!("{}: the state's schema version {version} is unknown to this provider", self.spec.type_name),
                "This provider reads state of schema versions 0 (its own and hashicorp/aws's) and 1 (its \
                 builds before 0.3.0); a newer provider wrote this state: use that provider's version, or \
                 newer.",
            );
            return None;
        }
        match serde_json::from_slice::<serde_json::Value>(json) {
            Ok(stored) => Some(values::from_json(&stored, &self.spec.block.value_type(), values::Source::StoredState)),
            Err(e) => {
                diags.root_error(format!("{}: the stored state is not JSON", self.spec.type_name), e.to_string());
                None
            }
        }
    }

    /// `ReadResource`: the resource as it is now; null when it is gone.
    pub async fn read(&self, diags: &mut Diagnostics, state: &Value) -> Option<Value> {
        let id = self.id(diags, state)?;
        let provider = self.provider(diags)?;
        let found =
            self.answer(diags, provider.read(self.token(), &id, Some(&values::state(&self.spec, state))).await)?;
        // Gone: a null state tells Terraform to plan its creation again.
        Some(found.map_or(Value::Null, |found| self.recorded(&found.outputs.values, found.id)))
    }

    /// `PlanResourceChange`: the planned state and the attributes whose change replaces.
    pub async fn plan(
        &self,
        diags: &mut Diagnostics,
        prior: &Value,
        proposed: &Value,
        config: &Value,
    ) -> Option<(Value, Vec<String>)> {
        if proposed.is_null() {
            // A destroy: nothing to plan.
            return Some((Value::Null, Vec::new()));
        }
        if prior.is_null() {
            return Some((self.plan_new(diags, config).await?, Vec::new()));
        }
        let id = self.id(diags, prior)?;
        let provider = self.provider(diags)?;
        let olds = values::state(&self.spec, prior);
        let news = values::inputs(&self.spec, config);
        let diff = self.answer(diags, provider.diff(self.token(), &id, &olds, &news).await)?;
        if !diff.changes {
            return Some((prior.clone(), Vec::new()));
        }
        if !diff.replaces.is_empty() {
            let planned = self.plan_new(diags, config).await?;
            return Some((planned, diff.replaces.iter().map(|p| snake(p)).collect()));
        }
        let outputs = self.answer(diags, provider.update(self.token(), &id, &olds, &news, true).await)?;
        let planned = values::object(&self.spec, &outputs.values, Value::String(id), Value::Unknown);
        Some((values::with_config(&self.spec, planned, config), Vec::new()))
    }

    /// `ApplyResourceChange`: the state to record. A failed update or delete keeps the prior
    /// state (the object is still there); a failed create records nothing, unless the object
    /// exists (not ready), which Terraform then records as tainted.
    pub async fn apply(&self, diags: &mut Diagnostics, prior: &Value, planned: &Value, config: &Value) -> Value {
        let Some(provider) = self.provider(diags) else { return prior.clone() };
        if planned.is_null() {
            let Some(id) = self.id(diags, prior) else { return prior.clone() };
            let deleted = provider.delete(self.token(), &id, &values::state(&self.spec, prior)).await;
            return self.answer(diags, deleted).map_or_else(|| prior.clone(), |()| Value::Null);
        }
        if prior.is_null() {
            return match provider.create(self.token(), &values::inputs(&self.spec, config), false).await {
                Ok(created) => self.recorded(&created.outputs.values, created.id),
                Err(CallError::Provider(ProviderError::NotReady(not_ready))) => {
                    let reason = describe_error(&ProviderError::NotReady(not_ready.clone()));
                    let reason = self.spec.in_terraform_terms(&reason);
                    diags.root_error(format!("{} was created but is not ready", self.spec.type_name), reason);
                    self.recorded(&not_ready.outputs.values, not_ready.id)
                }
                Err(e) => {
                    self.report(diags, e);
                    Value::Null
                }
            };
        }
        let Some(id) = self.id(diags, prior) else { return prior.clone() };
        let olds = values::state(&self.spec, prior);
        let news = values::inputs(&self.spec, config);
        match self.answer(diags, provider.update(self.token(), &id, &olds, &news, false).await) {
            Some(outputs) => self.recorded(&outputs.values, id),
            None => prior.clone(),
        }
    }

    /// `ImportResourceState`: the resource of an id, as its state.
    pub async fn import(&self, diags: &mut Diagnostics, id: &str) -> Option<Value> {
        let provider = self.provider(diags)?;
        let found = self.answer(diags, provider.import(self.token(), id).await)?;
        Some(self.recorded(&found.outputs.values, found.id))
    }
}
