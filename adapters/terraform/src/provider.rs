//! The provider itself: its configuration block, the part of the AWS provider's that matters
//! here (`region`, `profile`, `access_key`/`secret_key`, `endpoints { lightsail }`, `max_retries`),
//! and the resources, one per resource type of the component.

use crate::resource::ComponentResource;
use crate::schema::ResourceSpec;
use crate::shared::Shared;
use crate::values::{attribute, string};
use async_trait::async_trait;
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

/// The configuration, read from Terraform's value.
struct Settings {
    options: AwsOptions,
}

fn settings(diags: &mut Diagnostics, config: &ValueAny) -> Option<Settings> {
    let text = |name: &str| string(attribute(config, name)).map(str::to_string);
    let mut options = AwsOptions { region: text("region"), profile: text("profile"), ..Default::default() };
    match (text("access_key"), text("secret_key")) {
        (Some(id), Some(secret)) => options.credentials = Some((id, secret)),
        (None, None) => {}
        (Some(_), None) => {
            diags.error("Incomplete credentials", "access_key needs secret_key too", AttributePath::new("secret_key"));
            return None;
        }
        (None, Some(_)) => {
            diags.error("Incomplete credentials", "secret_key needs access_key too", AttributePath::new("access_key"));
            return None;
        }
    }
    match attribute(config, "max_retries") {
        ValueAny::Number(n) if *n >= 0 => options.max_attempts = Some(*n as u32 + 1),
        ValueAny::Number(n) => {
            diags.error(
                "Invalid max_retries",
                format!("must be 0 or more, not {n}"),
                AttributePath::new("max_retries"),
            );
            return None;
        }
        _ => {}
    }
    if let ValueAny::List(blocks) = attribute(config, "endpoints") {
        if blocks.len() > 1 {
            diags.error("Too many endpoints blocks", "give one endpoints block", AttributePath::new("endpoints"));
            return None;
        }
        options.endpoint_url = blocks.first().and_then(|b| string(attribute(b, "lightsail"))).map(str::to_string);
    }
    Some(Settings { options })
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
            (
                "max_retries".to_string(),
                optional(AttributeType::Number, "Retries of a failed AWS call (throttling, 5xx, network).", false),
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
        Some(Schema {
            version: 1,
            block: Block {
                attributes,
                blocks: HashMap::from([("endpoints".to_string(), NestedBlock::Set(endpoints))]),
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
        match LightsailApi::new(settings.options).await {
            Ok(api) => {
                self.shared.configure(Arc::new(api));
                Some(())
            }
            Err(e) => {
                diags.root_error("Cannot configure the provider", e.to_string());
                None
            }
        }
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
