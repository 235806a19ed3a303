//! The provider itself: its configuration block, derived from the host's table of settings
//! (`region`, `profile`, `access_key`/`secret_key`, `endpoints { lightsail }`, `max_retries`,
//! `default_tags { tags }`, the lock settings, ...) with hashicorp/aws's `skip_*` arguments, and
//! the resources, one per resource type of the component.

use crate::cty::{Type, Value};
use crate::diagnostics::Diagnostics;
use crate::ephemeral;
use crate::schema::{Attribute, Block, Nesting, snake};
use crate::shared::Shared;
use crate::values::{UNKNOWN, attribute, string};
use lightsail_provider_host::aws::settings::{self, Kind};
use lightsail_provider_host::aws::{AwsOptions, LightsailApi};
use lightsail_provider_host::lock::{LockOptions, Locks};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The provider's schema version (its block has not changed in a way that needs one).
pub const PROVIDER_SCHEMA_VERSION: i64 = 1;

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
fn settings(diags: &mut Diagnostics, config: &Value) -> Option<Settings> {
    let flag = |name: &str| matches!(attribute(config, name), Value::Bool(true));
    let mut given = serde_json::Map::new();
    for setting in settings::SETTINGS {
        let value = attribute(config, &snake(setting.name));
        let json: serde_json::Value = match (setting.kind, value) {
            (_, Value::Unknown) => UNKNOWN.into(),
            (Kind::Endpoints, Value::List(blocks)) => blocks
                .iter()
                .filter_map(|block| string(attribute(block, "lightsail")))
                .map(|url| serde_json::json!({ "lightsail": url }))
                .collect::<Vec<_>>()
                .into(),
            (Kind::DefaultTags, Value::List(blocks)) => {
                // Tag keys are the user's, as written: no camelCase here.
                let tags: serde_json::Map<String, serde_json::Value> = blocks
                    .iter()
                    .filter_map(|block| match attribute(block, "tags") {
                        Value::Map(tags) => Some(tags),
                        _ => None,
                    })
                    .flatten()
                    .map(|(key, value)| (key.clone(), string(value).map_or(UNKNOWN.into(), Into::into)))
                    .collect();
                serde_json::json!({ "tags": tags })
            }
            (_, Value::String(text)) => text.as_str().into(),
            (_, Value::Number(n)) => serde_json::Value::Number(n.clone()),
            (_, Value::Bool(b)) => (*b).into(),
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
                diags.error(format!("Invalid provider argument {attribute}"), failure.reason, &attribute);
            }
            None
        }
    }
}

/// The provider block's schema: an attribute or a block per setting of the host's table, and
/// hashicorp/aws's [`COMPATIBILITY`] arguments.
pub fn provider_block() -> Block {
    let mut attributes = BTreeMap::new();
    let mut blocks = BTreeMap::new();
    for setting in settings::SETTINGS {
        let description = format!("{}.", setting.description);
        let name = snake(setting.name);
        let attribute_type = match setting.kind {
            Kind::Endpoints => {
                let endpoint = Block {
                    attributes: BTreeMap::from([(
                        "lightsail".to_string(),
                        Attribute::optional(Type::String, "URL to send Lightsail calls to instead of AWS.", false),
                    )]),
                    description,
                    ..Default::default()
                };
                blocks.insert(name, (Nesting::Set, endpoint));
                continue;
            }
            Kind::DefaultTags => {
                let tags = Type::Map(Box::new(Type::String));
                let default_tags = Block {
                    attributes: BTreeMap::from([(
                        "tags".to_string(),
                        Attribute::optional(
                            tags,
                            "Tags every resource that takes tags carries (in tags_all); its own win.",
                            false,
                        ),
                    )]),
                    description,
                    ..Default::default()
                };
                blocks.insert(name, (Nesting::List, default_tags));
                continue;
            }
            Kind::Text => Type::String,
            Kind::Flag => Type::Bool,
            _ => Type::Number,
        };
        attributes.insert(name, Attribute::optional(attribute_type, &description, setting.secret));
    }
    for (name, description) in COMPATIBILITY {
        attributes.insert(name.to_string(), Attribute::optional(Type::Bool, description, false));
    }
    Block {
        attributes,
        blocks,
        description: "Lightsail buckets and bucket access keys, served by a WebAssembly component.".into(),
    }
}

/// The provider block checked, as `ValidateProviderConfig` asks.
pub fn validate(diags: &mut Diagnostics, config: &Value) {
    settings(diags, config);
}

/// The provider block checked and put to use: from now on, calls reach AWS as it says.
pub async fn configure(diags: &mut Diagnostics, shared: &Shared, config: &Value) {
    let Some(settings) = settings(diags, config) else { return };
    let locks = match Locks::from_options(&settings.locks) {
        Ok(locks) => locks,
        Err(e) => return diags.error("Invalid provider argument lock_directory", e.to_string(), "lock_directory"),
    };
    let api = match LightsailApi::new(settings.options.clone()).await {
        Ok(api) => api,
        Err(e) => return diags.error(format!("Invalid provider argument: {e}"), "", "endpoints"),
    };
    if !settings.skip_credentials_validation
        && let Err(why) = api.resolve_credentials().await
    {
        return diags.root_error("No valid credentials for the provider", why);
    }
    let endpoint = settings.options.endpoint_url.clone().unwrap_or_else(|| ephemeral::AWS.to_string());
    let configured = shared.configure(Arc::new(api), Arc::new(locks), endpoint);
    if let Some(journal) = &configured.journal {
        journal.sweep(diags, &configured.provider, &configured.endpoint).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Terraform's numbers reach the settings as they are: a timeout of 2.5 seconds is 2.5 s.
    #[test]
    fn fractional_seconds_are_kept() {
        let config = Value::Map(
            [("attempt_timeout".to_string(), Value::Number(serde_json::Number::from_f64(2.5).unwrap()))]
                .into_iter()
                .collect(),
        );
        let mut diags = Diagnostics::default();
        let settings = settings(&mut diags, &config).expect("valid");
        assert_eq!(settings.options.attempt_timeout, Some(std::time::Duration::from_millis(2500)));
    }

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
