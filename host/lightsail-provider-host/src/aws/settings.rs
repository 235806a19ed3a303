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

/// One provider setting: every adapter derives its surface from this table (the Terraform
/// provider schema, the Pulumi package's config, the CLI's flags), and [`options`] checks them all.
#[derive(Debug)]
#[non_exhaustive]
pub struct Setting {
    /// Its name, in camelCase as Pulumi writes it (`aws:maxRetries`); Terraform's is the snake_case
    /// of it (`max_retries`).
    pub name: &'static str,
    /// What it holds, and so its rule.
    pub kind: Kind,
    /// Whether its value is a secret (kept out of plans, state and logs).
    pub secret: bool,
    /// What it does, one sentence without its full stop.
    pub description: &'static str,
    /// How the CLI takes it.
    pub cli: CliSpelling,
}

/// What a setting holds. Exhaustive on purpose: an adapter that derives its surface from the table
/// must say how it takes a new kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, not empty.
    Text,
    /// A whole number from 0 to this.
    Count(u64),
    /// True or false.
    Flag,
    /// A number of seconds, more than 0.
    Seconds,
    /// A list of endpoint objects, `[{lightsail: URL}]`: at most one Lightsail URL.
    Endpoints,
    /// `{tags: {KEY: VALUE}}`, each tag by Lightsail's rules.
    DefaultTags,
}

impl Kind {
    /// The JSON schema type engines declare it with.
    pub fn schema_type(self) -> &'static str {
        match self {
            Kind::Text => "string",
            Kind::Count(_) => "integer",
            Kind::Flag => "boolean",
            Kind::Seconds => "number",
            Kind::Endpoints => "array",
            Kind::DefaultTags => "object",
        }
    }
}

/// How the CLI takes a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CliSpelling {
    /// As this flag (`--NAME`); a list or a map kind takes one entry per flag (`--default-tag K=V`).
    Flag(&'static str),
    /// Not on the command line, where other processes can read it: from this environment
    /// variable or the AWS profile, as the AWS CLI takes it (the SDK's credential chain).
    AwsEnvironment(&'static str),
}

/// The settings this host understands.
pub const SETTINGS: &[Setting] = &[
    Setting {
        name: "region",
        kind: Kind::Text,
        secret: false,
        description: "The region calls go to when a resource names none",
        cli: CliSpelling::Flag("region"),
    },
    Setting {
        name: "profile",
        kind: Kind::Text,
        secret: false,
        description: "The AWS configuration profile for credentials and region",
        cli: CliSpelling::Flag("profile"),
    },
    Setting {
        name: "accessKey",
        kind: Kind::Text,
        secret: true,
        description: "Access key id of static credentials, set with their secret, instead of the default credential chain",
        cli: CliSpelling::AwsEnvironment("AWS_ACCESS_KEY_ID"),
    },
    Setting {
        name: "secretKey",
        kind: Kind::Text,
        secret: true,
        description: "Secret access key of static credentials, set with their key id",
        cli: CliSpelling::AwsEnvironment("AWS_SECRET_ACCESS_KEY"),
    },
    Setting {
        name: "token",
        kind: Kind::Text,
        secret: true,
        description: "Session token of temporary static credentials",
        cli: CliSpelling::AwsEnvironment("AWS_SESSION_TOKEN"),
    },
    Setting {
        name: "endpoints",
        kind: Kind::Endpoints,
        secret: false,
        description: "Endpoints to use instead of AWS's (lightsail: a URL)",
        cli: CliSpelling::Flag("endpoint-url"),
    },
    Setting {
        name: "maxRetries",
        kind: Kind::Count(MAX_RETRIES),
        secret: false,
        description: "Retries of a failed call (throttling, 5xx, network; 0: none)",
        cli: CliSpelling::Flag("max-retries"),
    },
    Setting {
        name: "attemptTimeout",
        kind: Kind::Seconds,
        secret: false,
        description: "Seconds one attempt of an AWS call may take before it counts as failed (default: no limit)",
        cli: CliSpelling::Flag("attempt-timeout"),
    },
    Setting {
        name: "operationTimeout",
        kind: Kind::Seconds,
        secret: false,
        description: "Seconds an AWS call may take in all, retries included (default: no limit)",
        cli: CliSpelling::Flag("operation-timeout"),
    },
    Setting {
        name: "defaultTags",
        kind: Kind::DefaultTags,
        secret: false,
        description: "Tags every resource that takes tags carries besides its own (tags: KEY to VALUE)",
        cli: CliSpelling::Flag("default-tag"),
    },
    Setting {
        name: "lockDirectory",
        kind: Kind::Text,
        secret: false,
        description: "Where the locks that keep creators of a bucket's keys apart live (default: ~/.cache/lightsail-provider/locks); every host of this provider that uses the same directory takes the same locks",
        cli: CliSpelling::Flag("lock-directory"),
    },
    Setting {
        name: "keyCreatorsShareLock",
        kind: Kind::Flag,
        secret: false,
        description: "Declares that every creator of keys of this provider's buckets, on any machine, takes this provider's locks (the same lock directory): then a key that appears while a create's answer is lost is deleted as that create's orphan. Without it such a key is reported, never deleted",
        cli: CliSpelling::Flag("key-creators-share-lock"),
    },
];

/// The setting of this name.
pub fn setting(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

/// What the settings configure: how to reach Lightsail, and the locks.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Region, credentials, endpoint, retries, default tags.
    pub aws: AwsOptions,
    /// The lock directory, and whether every key creator is declared to take its locks.
    pub locks: LockOptions,
}

/// The most retries `maxRetries` takes: more only delays the answer.
const MAX_RETRIES: u64 = 99;

/// A setting's value as checked by its kind.
enum Checked {
    Text(String),
    Count(u64),
    Flag(bool),
    Seconds(std::time::Duration),
    Urls(Vec<String>),
    Tags(Vec<(String, String)>),
}

/// The options these settings give, or every setting that is wrong and why.
pub fn options(settings: &Map<String, Value>) -> Result<Settings, Vec<CheckFailure>> {
    let mut failures = Vec::new();
    let mut values = std::collections::HashMap::new();
    for setting in SETTINGS {
        let Some(value) = settings.get(setting.name) else { continue };
        match check(setting.kind, value) {
            Ok(Some(checked)) => drop(values.insert(setting.name, checked)),
            Ok(None) => {}
            Err(reason) => failures.push(CheckFailure { property: setting.name.into(), reason }),
        }
    }
    let mut take = |name: &str| values.remove(name);
    let mut fail = |property: &str, reason: String| failures.push(CheckFailure { property: property.into(), reason });
    let mut options = AwsOptions::default();
    let text = |checked: Option<Checked>| match checked {
        Some(Checked::Text(text)) => Some(text),
        _ => None,
    };
    options.profile = text(take("profile"));
    if let Some(region) = text(take("region")) {
        if lightsail_regions::is_region(&region) {
            options.region = Some(region);
        } else {
            let list = lightsail_regions::Listed;
            fail("region", format!("{region:?} is not a region where Lightsail runs (one of: {list})"));
        }
    }
    let (access_key, secret_key, token) = (text(take("accessKey")), text(take("secretKey")), text(take("token")));
    match (access_key, secret_key) {
        (Some(id), Some(secret)) => options.credentials = Some((id, secret.into())),
        (None, None) if token.is_some() => fail("token", "needs accessKey and secretKey too".into()),
        (None, None) => {}
        (Some(_), None) => fail("secretKey", "must be set with accessKey".into()),
        (None, Some(_)) => fail("accessKey", "must be set with secretKey".into()),
    }
    options.session_token = token.map(Into::into);
    if let Some(Checked::Count(retries)) = take("maxRetries") {
        options.max_attempts = Some(retries as u32 + 1);
    }
    if let Some(Checked::Seconds(limit)) = take("attemptTimeout") {
        options.attempt_timeout = Some(limit);
    }
    if let Some(Checked::Seconds(limit)) = take("operationTimeout") {
        options.operation_timeout = Some(limit);
    }
    if let Some(Checked::Urls(mut urls)) = take("endpoints") {
        match urls.len() {
            0 | 1 => options.endpoint_url = urls.pop(),
            _ => fail("endpoints", "names more than one lightsail endpoint".into()),
        }
    }
    if let Some(Checked::Tags(tags)) = take("defaultTags") {
        options.default_tags = tags;
    }
    let mut locks = LockOptions { directory: text(take("lockDirectory")).map(Into::into), every_creator: false };
    if let Some(Checked::Flag(declared)) = take("keyCreatorsShareLock") {
        locks.every_creator = declared;
    }
    if failures.is_empty() {
        return Ok(Settings { aws: options, locks });
    }
    // In the table's order, whichever rule found them.
    failures.sort_by_key(|failure| SETTINGS.iter().position(|s| s.name == failure.property));
    Err(failures)
}

/// A value by the rule of its kind: `None` when it is unset (null, or the unknown marker of a
/// preview), else the value or the rule it breaks.
fn check(kind: Kind, value: &Value) -> Result<Option<Checked>, String> {
    let value = match value {
        Value::Null => return Ok(None),
        Value::String(s) if s == UNKNOWN => return Ok(None),
        Value::String(_) if kind != Kind::Text => typed(value),
        other => other.clone(),
    };
    match (kind, value) {
        (Kind::Text, Value::String(s)) if s.trim().is_empty() => Err("must not be empty".into()),
        (Kind::Text, Value::String(s)) => Ok(Some(Checked::Text(s))),
        (Kind::Text, other) => Err(format!("must be a string, not {}", kind_of(&other))),
        (Kind::Count(max), Value::Number(n)) => match n.as_u64() {
            Some(count) if count <= max => Ok(Some(Checked::Count(count))),
            _ => Err(format!("must be a whole number from 0 to {max}, not {n}")),
        },
        (Kind::Count(_), other) => Err(format!("must be a whole number, not {}", kind_of(&other))),
        (Kind::Flag, Value::Bool(flag)) => Ok(Some(Checked::Flag(flag))),
        (Kind::Flag, other) => Err(format!("must be true or false, not {}", kind_of(&other))),
        (Kind::Seconds, Value::Number(n)) => match n.as_f64() {
            Some(s) if s > 0.0 && s < 1e9 => Ok(Some(Checked::Seconds(std::time::Duration::from_secs_f64(s)))),
            _ => Err(format!("must be a number of seconds greater than 0, such as 30 or 2.5, not {n}")),
        },
        (Kind::Seconds, Value::String(s)) => {
            Err(format!("must be a number of seconds greater than 0, such as 30 or 2.5, not {s:?}"))
        }
        (Kind::Seconds, other) => Err(format!("must be a number of seconds, not {}", kind_of(&other))),
        (Kind::Endpoints, Value::Array(list)) => endpoints(&list).map(|urls| Some(Checked::Urls(urls))),
        (Kind::Endpoints, other) => Err(format!("must be a list, not {}", kind_of(&other))),
        (Kind::DefaultTags, Value::Object(block)) => match block.get("tags") {
            None | Some(Value::Null) => Ok(Some(Checked::Tags(Vec::new()))),
            Some(Value::Object(tags)) => {
                let mut rules = Vec::new();
                let mut checked = Vec::new();
                for (key, value) in tags {
                    match tag_value(key, value) {
                        Ok(value) => checked.push((key.clone(), value.to_string())),
                        Err(rule) => rules.push(rule),
                    }
                }
                if rules.is_empty() { Ok(Some(Checked::Tags(checked))) } else { Err(rules.join("; ")) }
            }
            Some(other) => Err(format!("tags must be an object of strings, not {}", kind_of(other))),
        },
        (Kind::DefaultTags, other) => Err(format!("must be an object with tags, not {}", kind_of(&other))),
    }
}

/// The Lightsail URLs of a list of endpoint objects (other services' entries are let be).
fn endpoints(list: &[Value]) -> Result<Vec<String>, String> {
    let mut urls = Vec::new();
    for entry in list {
        match entry {
            Value::Object(entry) => match entry.get("lightsail") {
                None | Some(Value::Null) => {}
                Some(Value::String(url)) if url == UNKNOWN => {}
                Some(Value::String(url)) if is_url(url) => urls.push(url.clone()),
                Some(Value::String(url)) => {
                    return Err(format!("lightsail must be an http:// or https:// URL with a host, not {url:?}"));
                }
                Some(other) => return Err(format!("lightsail must be a string, not {}", kind_of(other))),
            },
            other => return Err(format!("must be a list of objects, not of {}", kind_of(other))),
        }
    }
    Ok(urls)
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
        other => Err(format!("the value of tag {key} must be a string, not {}", kind_of(other))),
    }
}

/// A value given as text (as engines pass configuration) read as the JSON it holds, if it does.
fn typed(value: &Value) -> Value {
    match value {
        Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| value.clone()),
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

fn kind_of(value: &Value) -> &'static str {
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
    fn timeouts_are_seconds_above_zero() {
        let aws = options(&settings(json!({"attemptTimeout": "2.5", "operationTimeout": 30}))).unwrap().aws;
        assert_eq!(aws.attempt_timeout, Some(std::time::Duration::from_millis(2500)));
        assert_eq!(aws.operation_timeout, Some(std::time::Duration::from_secs(30)));
        let failures = options(&settings(json!({"attemptTimeout": -1, "operationTimeout": "soon"}))).unwrap_err();
        assert!(failures.iter().all(|f| f.reason.contains("greater than 0")), "{failures:?}");
    }

    #[test]
    fn every_setting_has_a_kind_a_description_and_one_cli_spelling() {
        let mut flags: Vec<_> = SETTINGS.iter().map(|s| s.cli).collect();
        flags.sort_by_key(|c| format!("{c:?}"));
        flags.dedup();
        assert_eq!(flags.len(), SETTINGS.len(), "no two settings share a CLI spelling");
        for setting in SETTINGS {
            assert!(!setting.description.is_empty() && !setting.description.ends_with('.'), "{setting:?}");
            // Secrets stay off the command line, where other processes can read them.
            assert_eq!(setting.secret, matches!(setting.cli, CliSpelling::AwsEnvironment(_)), "{setting:?}");
        }
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
            ["region", "profile", "secretKey", "endpoints", "maxRetries", "lockDirectory", "keyCreatorsShareLock"],
            "in the table's order: {failures:?}"
        );
        let region = failures.iter().find(|f| f.property == "region").unwrap();
        assert!(region.reason.contains("\"mars-1\" is not a region where Lightsail runs"));
    }
}
