//! The provider itself: its configuration block, the part of the AWS provider's that matters
//! here (`region`, `profile`, `access_key`/`secret_key`, `endpoints { lightsail }`, `max_retries`,
//! `default_tags { tags }`), this provider's lock settings (`lock_directory`,
//! `key_creators_share_lock`),
//! and the resources, one per resource type of the component.

use crate::resource::ComponentResource;
use crate::schema::ResourceSpec;
use crate::schema::snake;
use crate::shared::Shared;
use crate::values::{UNKNOWN, attribute, string};
use async_trait::async_trait;
use lightsail_provider_host::aws::settings;
use lightsail_provider_host::lock::{LockOptions, Locks};
use lightsail_provider_host::{AwsOptions, ComponentRuntime, LightsailApi};
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

/// A setting's description, as the host's table of settings gives it.
fn described(setting: &str) -> String {
    let (.., description) =
        settings::SETTINGS.iter().find(|(name, ..)| *name == setting).expect("a setting of the host");
    format!("{description}.")
}

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
    let text = |name: &str| string(attribute(config, name)).map(|s| serde_json::Value::String(s.to_string()));
    let flag = |name: &str| matches!(attribute(config, name), ValueAny::Bool(true));
    let mut given = serde_json::Map::new();
    for (terraform, setting) in [
        ("region", "region"),
        ("profile", "profile"),
        ("access_key", "accessKey"),
        ("secret_key", "secretKey"),
        ("token", "token"),
        ("lock_directory", "lockDirectory"),
    ] {
        if let Some(value) = text(terraform) {
            given.insert(setting.into(), value);
        }
    }
    // A number or a flag as it is, or the unknown marker.
    for (terraform, setting) in [("max_retries", "maxRetries"), ("key_creators_share_lock", "keyCreatorsShareLock")] {
        let value: serde_json::Value = match attribute(config, terraform) {
            ValueAny::Number(n) => (*n).into(),
            ValueAny::Bool(b) => (*b).into(),
            ValueAny::Unknown => UNKNOWN.into(),
            _ => continue,
        };
        given.insert(setting.into(), value);
    }
    if let ValueAny::List(blocks) = attribute(config, "endpoints") {
        let endpoints: Vec<serde_json::Value> = blocks
            .iter()
            .filter_map(|block| string(attribute(block, "lightsail")))
            .map(|url| serde_json::json!({ "lightsail": url }))
            .collect();
        given.insert("endpoints".into(), endpoints.into());
    }
    if let ValueAny::List(blocks) = attribute(config, "default_tags") {
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
        given.insert("defaultTags".into(), serde_json::json!({ "tags": tags }));
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

#[async_trait]
impl tf_provider::Provider for AdapterProvider {
    type Config<'a> = ValueAny;
    type MetaState<'a> = ValueAny;

    fn schema(&self, _: &mut Diagnostics) -> Option<Schema> {
        let attributes = HashMap::from([
            (
                "region".to_string(),
                optional(AttributeType::String, "The region calls go to when a resource names none.", false),
            ),
            (
                "profile".to_string(),
                optional(AttributeType::String, "The AWS profile for credentials and settings.", false),
            ),
            (
                "access_key".to_string(),
                optional(
                    AttributeType::String,
                    "Access key id (with secret_key), instead of the default credential chain.",
                    false,
                ),
            ),
            ("secret_key".to_string(), optional(AttributeType::String, "Secret access key (with access_key).", true)),
            ("token".to_string(), optional(AttributeType::String, "Session token of temporary credentials.", true)),
            (
                "skip_credentials_validation".to_string(),
                optional(AttributeType::Bool, "Do not check at plan that credentials resolve.", false),
            ),
            (
                "skip_region_validation".to_string(),
                optional(
                    AttributeType::Bool,
                    "Do not check the region at plan (a resource in a region where Lightsail does not run still fails).",
                    false,
                ),
            ),
            (
                "skip_requesting_account_id".to_string(),
                optional(AttributeType::Bool, "Accepted as hashicorp/aws has it; this provider never asks.", false),
            ),
            (
                "skip_metadata_api_check".to_string(),
                optional(
                    AttributeType::Bool,
                    "Accepted as hashicorp/aws has it; the instance metadata service is asked only by the credential chain.",
                    false,
                ),
            ),
            (
                "max_retries".to_string(),
                optional(AttributeType::Number, "Retries of a failed AWS call (throttling, 5xx, network).", false),
            ),
            // This provider's own settings, described where the host declares them.
            ("lock_directory".to_string(), optional(AttributeType::String, &described("lockDirectory"), false)),
            (
                "key_creators_share_lock".to_string(),
                optional(AttributeType::Bool, &described("keyCreatorsShareLock"), false),
            ),
        ]);
        let endpoints = Block {
            attributes: HashMap::from([(
                "lightsail".to_string(),
                optional(AttributeType::String, "URL to send Lightsail calls to instead of AWS.", false),
            )]),
            description: "Custom service endpoints.".into(),
            ..Default::default()
        };
        let default_tags = Block {
            attributes: HashMap::from([(
                "tags".to_string(),
                optional(
                    AttributeType::Map(Box::new(AttributeType::String)),
                    "Tags every resource that takes tags carries (in tags_all); its own tags win.",
                    false,
                ),
            )]),
            description: "Tags for every resource that takes tags, as hashicorp/aws has them.".into(),
            ..Default::default()
        };
        Some(Schema {
            version: 1,
            block: Block {
                attributes,
                blocks: HashMap::from([
                    ("endpoints".to_string(), NestedBlock::Set(endpoints)),
                    ("default_tags".to_string(), NestedBlock::List(default_tags)),
                ]),
                description: "Lightsail buckets and bucket access keys, served by a WebAssembly component.".into(),
                ..Default::default()
            },
        })
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
