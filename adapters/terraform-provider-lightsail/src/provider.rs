//! The provider itself: its configuration block, derived from the host's table of settings
//! (`region`, `profile`, `access_key`/`secret_key`, `endpoints { lightsail }`, `max_retries`,
//! `default_tags { tags }`, the lock settings, ...) with hashicorp/aws's `skip_*` arguments, and
//! the resources, one per resource type of the component.

use crate::resource::ComponentResource;
use crate::schema::ResourceSpec;
use crate::schema::snake;
use crate::shared::Shared;
use crate::values::{UNKNOWN, attribute, string};
use async_trait::async_trait;
use lightsail_provider_host::ComponentRuntime;
use lightsail_provider_host::aws::settings::{self, Kind};
use lightsail_provider_host::aws::{AwsOptions, LightsailApi};
use lightsail_provider_host::lock::{LockOptions, Locks};
use std::collections::HashMap;
use std::sync::Arc;
use tf_provider::schema::{Attribute, AttributeConstraint, AttributeType, Block, NestedBlock, Schema};
use tf_provider::value::ValueAny;
use tf_provider::{AttributePath, Diagnostics, DynamicResource};

pub struct AdapterProvider {
    shared: Arc<Shared>,
    specs: Vec<Arc<ResourceSpec>>,
}

impl AdapterProvider {
    pub fn new(runtime: Arc<ComponentRuntime>, specs: Vec<ResourceSpec>) -> Self {
        let shared = Arc::new(Shared::new(runtime));
        Self { shared, specs: specs.into_iter().map(Arc::new).collect() }
    }
}

fn optional(attr_type: AttributeType, description: &str, sensitive: bool) -> Attribute {
    Attribute {
        attr_type,
        description: description.into(),
        constraint: AttributeConstraint::Optional,
        sensitive,
        deprecated: false,
    }
}

/// hashicorp/aws's arguments this provider takes besides the host's settings, so that a provider
/// block written for it works here too.
const COMPATIBILITY: &[(&str, &str)] = &[
    ("skip_credentials_validation", "Do not check at plan that credentials resolve."),
    (
        "skip_region_validation",
        "Do not check the region at plan (a resource in a region where Lightsail does not run still fails).",
    ),
    ("skip_requesting_account_id", "Accepted as hashicorp/aws has it; this provider never asks."),
    (
        "skip_metadata_api_check",
        "Accepted as hashicorp/aws has it; the instance metadata service is asked only by the credential chain.",
    ),
];

/// The configuration, read from Terraform's value.
struct Settings {
    options: AwsOptions,
    locks: LockOptions,
    /// `skip_credentials_validation`: configure without resolving credentials (as hashicorp/aws).
    skip_credentials_validation: bool,
}

/// The provider block, checked by the host's settings rules; each failure names its Terraform
/// attribute (`max_retries`, not `maxRetries`).
fn settings(diags: &mut Diagnostics, config: &ValueAny) -> Option<Settings> {
    let flag = |name: &str| matches!(attribute(config, name), ValueAny::Bool(true));
    let mut given = serde_json::Map::new();
    for setting in settings::SETTINGS {
        let value = attribute(config, &snake(setting.name));
        let json: serde_json::Value = match (setting.kind, value) {
            (_, ValueAny::Unknown) => UNKNOWN.into(),
            (Kind::Endpoints, ValueAny::List(blocks)) => blocks
                .iter()
                .filter_map(|block| string(attribute(block, "lightsail")))
                .map(|url| serde_json::json!({ "lightsail": url }))
                .collect::<Vec<_>>()
                .into(),
            (Kind::DefaultTags, ValueAny::List(blocks)) => {
                // Tag keys are the user's, as written: no camelCase here.
                let tags: serde_json::Map<String, serde_json::Value> = blocks
                    .iter()
                    .filter_map(|block| match attribute(block, "tags") {
                        ValueAny::Map(tags) => Some(tags),
                        _ => None,
                    })
                    .flatten()
                    .map(|(key, value)| (key.clone(), string(value).map_or(UNKNOWN.into(), Into::into)))
                    .collect();
                serde_json::json!({ "tags": tags })
            }
            (_, ValueAny::String(text)) => text.as_str().into(),
            (_, ValueAny::Number(n)) => (*n).into(),
            (_, ValueAny::Bool(b)) => (*b).into(),
            _ => continue,
        };
        given.insert(setting.name.into(), json);
    }
    // Unchecked here, the region is still refused per call where Lightsail does not run.
    let unchecked_region = if flag("skip_region_validation") { given.remove("region") } else { None };
    match settings::options(&given) {
        Ok(settings::Settings { aws: mut options, locks }) => {
            if let Some(region) = unchecked_region {
                options.region = region.as_str().map(str::to_string);
            }
            Some(Settings { options, locks, skip_credentials_validation: flag("skip_credentials_validation") })
        }
        Err(failures) => {
            for failure in failures {
                let attribute = snake(&failure.property);
                diags.error(
                    format!("Invalid provider argument {attribute}"),
                    failure.reason,
                    AttributePath::new(attribute),
                );
            }
            None
        }
    }
}

/// The provider block's schema: an attribute or a block per setting of the host's table, and
/// hashicorp/aws's [`COMPATIBILITY`] arguments.
fn provider_block() -> Block {
    let mut attributes = HashMap::new();
    let mut blocks = HashMap::new();
    for setting in settings::SETTINGS {
        let description = format!("{}.", setting.description);
        let name = snake(setting.name);
        let attribute_type = match setting.kind {
            Kind::Endpoints => {
                let endpoint = Block {
                    attributes: HashMap::from([(
                        "lightsail".to_string(),
                        optional(AttributeType::String, "URL to send Lightsail calls to instead of AWS.", false),
                    )]),
                    description: description.into(),
                    ..Default::default()
                };
                blocks.insert(name, NestedBlock::Set(endpoint));
                continue;
            }
            Kind::DefaultTags => {
                let tags = AttributeType::Map(Box::new(AttributeType::String));
                let default_tags = Block {
                    attributes: HashMap::from([(
                        "tags".to_string(),
                        optional(
                            tags,
                            "Tags every resource that takes tags carries (in tags_all); its own win.",
                            false,
                        ),
                    )]),
                    description: description.into(),
                    ..Default::default()
                };
                blocks.insert(name, NestedBlock::List(default_tags));
                continue;
            }
            Kind::Text => AttributeType::String,
            Kind::Flag => AttributeType::Bool,
            // tf-provider 0.2.2 decodes whole numbers only: timeouts are whole seconds here.
            _ => AttributeType::Number,
        };
        attributes.insert(name, optional(attribute_type, &description, setting.secret));
    }
    for (name, description) in COMPATIBILITY {
        attributes.insert(name.to_string(), optional(AttributeType::Bool, description, false));
    }
    Block {
        attributes,
        blocks,
        description: "Lightsail buckets and bucket access keys, served by a WebAssembly component.".into(),
        ..Default::default()
    }
}

#[async_trait]
impl tf_provider::Provider for AdapterProvider {
    type Config<'a> = ValueAny;
    type MetaState<'a> = ValueAny;

    fn schema(&self, _: &mut Diagnostics) -> Option<Schema> {
        Some(Schema { version: 1, block: provider_block() })
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: ValueAny) -> Option<()> {
        settings(diags, &config).map(|_| ())
    }

    async fn configure<'a>(&self, diags: &mut Diagnostics, _terraform_version: String, config: ValueAny) -> Option<()> {
        let settings = settings(diags, &config)?;
        let locks = match Locks::from_options(&settings.locks) {
            Ok(locks) => locks,
            Err(e) => {
                diags.error(
                    "Invalid provider argument lock_directory",
                    e.to_string(),
                    AttributePath::new("lock_directory"),
                );
                return None;
            }
        };
        let api = match LightsailApi::new(settings.options).await {
            Ok(api) => api,
            Err(e) => {
                diags.error_short(format!("Invalid provider argument: {e}"), AttributePath::new("endpoints"));
                return None;
            }
        };
        if !settings.skip_credentials_validation
            && let Err(why) = api.resolve_credentials().await
        {
            diags.root_error("No valid credentials for the provider", why);
            return None;
        }
        self.shared.configure(Arc::new(api), Arc::new(locks));
        Some(())
    }

    fn get_resources(&self, _: &mut Diagnostics) -> Option<HashMap<String, Box<dyn DynamicResource>>> {
        Some(
            self.specs
                .iter()
                .map(|spec| {
                    let resource: Box<dyn DynamicResource> =
                        ComponentResource::new(spec.clone(), self.shared.clone()).into();
                    (spec.name.clone(), resource)
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The provider block takes exactly the host's settings, by their Terraform names, and
    /// hashicorp/aws's compatibility arguments; a secret setting is sensitive.
    #[test]
    fn the_provider_block_is_the_table_of_settings() {
        let block = provider_block();
        let mut declared: Vec<String> = block.attributes.keys().chain(block.blocks.keys()).cloned().collect();
        declared.sort();
        let mut expected: Vec<String> = settings::SETTINGS.iter().map(|s| snake(s.name)).collect();
        expected.extend(COMPATIBILITY.iter().map(|(name, _)| name.to_string()));
        expected.sort();
        assert_eq!(declared, expected);
        for setting in settings::SETTINGS.iter().filter(|s| !matches!(s.kind, Kind::Endpoints | Kind::DefaultTags)) {
            assert_eq!(block.attributes[&snake(setting.name)].sensitive, setting.secret, "{setting:?}");
        }
    }
}
