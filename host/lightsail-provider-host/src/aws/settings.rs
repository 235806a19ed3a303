//! Provider settings as the users of AWS providers write them (region, profile, static
//! credentials, a Lightsail endpoint, retries), and this provider's own lock settings, checked and
//! turned into [`AwsOptions`] and [`LockOptions`].
//!
//! An adapter passes them as a JSON object with these camelCase names (Pulumi's `aws:accessKey` is
//! `accessKey`); values may be JSON-typed, or text as engines pass configuration
//! (`"3"` for a number, `'[{"lightsail": "..."}]'` for a list). Keys this host does not use are
//! ignored: they belong to other AWS providers that share the configuration. A value not known yet
//! (the unknown marker, in a preview) counts as unset.

use super::AwsOptions;
use crate::lock::LockOptions;
use crate::types::{CheckFailure, UNKNOWN};
use serde_json::{Map, Value};

/// The settings this host understands: name, type in the schema's terms, whether secret, and
/// what it does. An engine's schema must declare the same.
pub const SETTINGS: &[(&str, &str, bool, &str)] = &[
    ("region", "string", false, "The region calls go to when a resource names none"),
    ("profile", "string", false, "The AWS configuration profile for credentials and region"),
    ("accessKey", "string", true, "Access key id of static credentials (with secretKey)"),
    ("secretKey", "string", true, "Secret access key of static credentials (with accessKey)"),
    ("token", "string", true, "Session token of temporary static credentials"),
    ("endpoints", "array", false, "Endpoints to use instead of AWS's: [{lightsail: URL}]"),
    ("maxRetries", "integer", false, "Retries of a failed call (0: none)"),
    ("defaultTags", "object", false, "Tags every resource that takes tags carries: {tags: {KEY: VALUE}}"),
    (
        "lockDirectory",
        "string",
        false,
        "Where the locks that keep creators of a bucket's keys apart live (default: ~/.cache/lightsail-provider/locks); every host of this provider that uses the same directory takes the same locks",
    ),
    (
        "keyCreatorsShareLock",
        "boolean",
        false,
        "Declares that every creator of keys of this provider's buckets, on any machine, takes this provider's locks (the same lock directory): then a key that appears while a create's answer is lost is deleted as that create's orphan. Without it such a key is reported, never deleted",
    ),
];

/// What the settings configure: how to reach Lightsail, and the locks.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Region, credentials, endpoint, retries, default tags.
    pub aws: AwsOptions,
    /// The lock directory, and whether every key creator is declared to take its locks.
    pub locks: LockOptions,
}

/// The most retries `maxRetries` takes: more only delays the answer.
pub const MAX_RETRIES: u64 = 99;

/// The options these settings give, or every setting that is wrong and why.
pub fn options(settings: &Map<String, Value>) -> Result<Settings, Vec<CheckFailure>> {
    let mut failures = Vec::new();
    let mut fail = |property: &str, reason: String| failures.push(CheckFailure { property: property.into(), reason });
    let mut text = |name: &str| match settings.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == UNKNOWN => None,
        Some(Value::String(s)) if s.trim().is_empty() => {
            fail(name, "must not be empty".into());
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            fail(name, format!("must be a string, not {}", kind(other)));
            None
        }
    };
    let region = text("region");
    let profile = text("profile");
    let lock_directory = text("lockDirectory");
    let (access_key, secret_key, token) = (text("accessKey"), text("secretKey"), text("token"));
    let mut options = AwsOptions { profile, ..AwsOptions::default() };
    if let Some(region) = region {
        if lightsail_regions::is_region(&region) {
            options.region = Some(region);
        } else {
            let list = lightsail_regions::Listed;
            fail("region", format!("{region:?} is not a region where Lightsail runs (one of: {list})"));
        }
    }
    match (access_key, secret_key) {
        (Some(id), Some(secret)) => options.credentials = Some((id, secret)),
        (None, None) if token.is_some() => fail("token", "needs accessKey and secretKey too".into()),
        (None, None) => {}
        (Some(_), None) => fail("secretKey", "must be set with accessKey".into()),
        (None, Some(_)) => fail("accessKey", "must be set with secretKey".into()),
    }
    options.session_token = token;
    match settings.get("maxRetries").map(typed) {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == UNKNOWN => {}
        Some(Value::Number(n)) => match n.as_u64() {
            Some(retries) if retries <= MAX_RETRIES => options.max_attempts = Some(retries as u32 + 1),
            _ => fail("maxRetries", format!("must be a whole number from 0 to {MAX_RETRIES}, not {n}")),
        },
        Some(other) => fail("maxRetries", format!("must be a whole number, not {}", kind(&other))),
    }
    match settings.get("endpoints").map(typed) {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == UNKNOWN => {}
        Some(Value::Array(list)) => {
            let mut urls = Vec::new();
            for entry in &list {
                match entry {
                    Value::Object(entry) => match entry.get("lightsail") {
                        None | Some(Value::Null) => {}
                        Some(Value::String(url)) if url == UNKNOWN => {}
                        Some(Value::String(url)) if is_url(url) => urls.push(url.clone()),
                        Some(Value::String(url)) => fail(
                            "endpoints",
                            format!("lightsail must be an http:// or https:// URL with a host, not {url:?}"),
                        ),
                        Some(other) => fail("endpoints", format!("lightsail must be a string, not {}", kind(other))),
                    },
                    other => fail("endpoints", format!("must be a list of objects, not of {}", kind(other))),
                }
            }
            match urls.len() {
                0 | 1 => options.endpoint_url = urls.pop(),
                _ => fail("endpoints", "names more than one lightsail endpoint".into()),
            }
        }
        Some(other) => fail("endpoints", format!("must be a list, not {}", kind(&other))),
    }
    match settings.get("defaultTags").map(typed) {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == UNKNOWN => {}
        Some(Value::Object(block)) => match block.get("tags") {
            None | Some(Value::Null) => {}
            Some(Value::Object(tags)) => {
                for (key, value) in tags {
                    match tag_value(key, value) {
                        Ok(value) => options.default_tags.push((key.clone(), value.to_string())),
                        Err(rule) => fail("defaultTags", rule),
                    }
                }
            }
            Some(other) => fail("defaultTags", format!("tags must be an object of strings, not {}", kind(other))),
        },
        Some(other) => fail("defaultTags", format!("must be an object with tags, not {}", kind(&other))),
    }
    let mut locks = LockOptions { directory: lock_directory.map(Into::into), every_creator: false };
    match settings.get("keyCreatorsShareLock").map(typed) {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == UNKNOWN => {}
        Some(Value::Bool(declared)) => locks.every_creator = declared,
        Some(other) => fail("keyCreatorsShareLock", format!("must be true or false, not {}", kind(&other))),
    }
    if failures.is_empty() { Ok(Settings { aws: options, locks }) } else { Err(failures) }
}

/// A default tag's value, or the rule of Lightsail's for any tag that it breaks.
fn tag_value<'a>(key: &str, value: &'a Value) -> Result<&'a str, String> {
    let len = key.chars().count();
    match value {
        _ if !(1..=128).contains(&len) => Err(format!("tag keys must be 1 to 128 characters long; one is {len}")),
        _ if key.starts_with("aws:") => Err(format!("tag key {key} starts with aws:, which AWS reserves")),
        Value::String(value) if value.chars().count() > 256 => {
            Err(format!("the value of tag {key} is longer than 256 characters"))
        }
        Value::String(value) => Ok(value),
        other => Err(format!("the value of tag {key} must be a string, not {}", kind(other))),
    }
}

/// A value given as text (as engines pass configuration) read as the JSON it holds, if it does.
fn typed(value: &Value) -> Value {
    match value {
        Value::String(s) if s != UNKNOWN => serde_json::from_str(s).unwrap_or_else(|_| value.clone()),
        other => other.clone(),
    }
}

/// Whether `text` is an http or https URL with a host.
pub fn is_url(text: &str) -> bool {
    match text.parse::<http::Uri>() {
        Ok(uri) => matches!(uri.scheme_str(), Some("http" | "https")) && uri.host().is_some_and(|h| !h.is_empty()),
        Err(_) => false,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn default_tags_are_checked_as_tags() {
        let options = options(&settings(json!({"defaultTags": {"tags": {"env": "dev"}}}))).unwrap().aws;
        assert_eq!(options.default_tags, vec![("env".to_string(), "dev".to_string())]);
        let text = options_failures(json!({"defaultTags": "{\"tags\": {\"aws:x\": \"1\", \"n\": 2}}"}));
        assert!(text.contains("aws:x starts with aws:") && text.contains("tag n must be a string"), "{text}");
        assert!(options_failures(json!({"defaultTags": [1]})).contains("must be an object with tags"));
    }

    fn options_failures(given: Value) -> String {
        let failures = options(&settings(given)).unwrap_err();
        assert!(failures.iter().all(|f| f.property == "defaultTags"), "{failures:?}");
        failures.iter().map(|f| f.reason.as_str()).collect::<Vec<_>>().join("; ")
    }

    #[test]
    fn typed_and_textual_values_give_the_same_options() {
        for given in [
            json!({"region": "eu-west-1", "maxRetries": 2, "endpoints": [{"lightsail": "http://127.0.0.1:4566"}]}),
            json!({"region": "eu-west-1", "maxRetries": "2", "endpoints": "[{\"lightsail\": \"http://127.0.0.1:4566\"}]"}),
        ] {
            let options = options(&settings(given)).unwrap().aws;
            assert_eq!(options.region.as_deref(), Some("eu-west-1"));
            assert_eq!(options.max_attempts, Some(3));
            assert_eq!(options.endpoint_url.as_deref(), Some("http://127.0.0.1:4566"));
        }
    }

    #[test]
    fn a_region_where_lightsail_has_no_endpoint_is_refused_by_name() {
        let failures = options(&settings(json!({"region": "us-west-1"}))).unwrap_err();
        assert_eq!(failures[0].property, "region");
        assert!(failures[0].reason.contains("\"us-west-1\" is not a region where Lightsail runs"), "{failures:?}");
    }

    #[test]
    fn lock_settings_name_a_directory_and_declare_the_reach() {
        let given = json!({"lockDirectory": "/run/shared/locks", "keyCreatorsShareLock": "true"});
        let locks = options(&settings(given)).unwrap().locks;
        assert_eq!(locks, LockOptions { directory: Some("/run/shared/locks".into()), every_creator: true });
        assert_eq!(options(&settings(json!({}))).unwrap().locks, LockOptions::default());
    }

    #[test]
    fn keys_of_other_providers_and_unknowns_are_let_be() {
        let given = json!({"skipCredentialsValidation": true, "defaultTags": {"tags": {}}, "region": UNKNOWN,
                           "endpoints": [{"s3": "http://elsewhere"}]});
        let options = options(&settings(given)).unwrap().aws;
        assert_eq!((options.region, options.endpoint_url), (None, None));
    }

    #[test]
    fn every_wrong_setting_is_named_with_its_rule() {
        let given = json!({"region": "mars-1", "profile": 3, "accessKey": "AKID", "token": "t", "maxRetries": -1,
                           "endpoints": [{"lightsail": "not a url"}], "lockDirectory": "", "keyCreatorsShareLock": 1});
        let failures = options(&settings(given)).unwrap_err();
        let named: Vec<&str> = failures.iter().map(|f| f.property.as_str()).collect();
        assert_eq!(
            named,
            ["profile", "lockDirectory", "region", "secretKey", "maxRetries", "endpoints", "keyCreatorsShareLock"],
            "{failures:?}"
        );
        assert!(failures[2].reason.contains("\"mars-1\" is not a region where Lightsail runs"));
    }
}
