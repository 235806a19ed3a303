//! How to reach Lightsail: region, profile, endpoint, credentials, retries and timeouts.

use secrecy::SecretString;
use std::time::Duration;

/// How to reach Lightsail.
#[derive(Clone, Default)]
pub struct AwsOptions {
    /// The default region; else the AWS configuration's (`AWS_REGION`, the profile).
    pub region: Option<String>,
    /// The AWS configuration profile for credentials and region; else `AWS_PROFILE` or `default`.
    pub profile: Option<String>,
    /// Else `AWS_ENDPOINT_URL(_LIGHTSAIL)` or the AWS configuration, else the real service.
    pub endpoint_url: Option<String>,
    /// Static credentials instead of the default chain (the local endpoint uses these): the
    /// access key id and its secret, which is wiped from memory when dropped.
    pub credentials: Option<(String, SecretString)>,
    /// The session token of temporary static credentials (with `credentials`).
    pub session_token: Option<SecretString>,
    /// Attempts per call, the first included (the SDK's standard retry mode; 1 = no retry).
    pub max_attempts: Option<u32>,
    /// The first pause between attempts (it grows, with jitter); else the SDK's 1 s.
    pub initial_backoff: Option<Duration>,
    /// How long one attempt may take before it counts as failed; else no limit.
    pub attempt_timeout: Option<Duration>,
    /// How long a call may take, all attempts included; else no limit.
    pub operation_timeout: Option<Duration>,
    /// Tags every resource that takes tags carries (Terraform's `default_tags`), key and value.
    pub default_tags: Vec<(String, String)>,
}

impl AwsOptions {
    /// These options with every call sent to the Lightsail-compatible endpoint at `url` (the local
    /// one, say) in `region`, signed with its static `credentials` (access key id, secret).
    pub fn at_endpoint(self, url: String, region: &str, credentials: (String, String)) -> Self {
        Self {
            region: Some(region.to_string()),
            profile: None,
            endpoint_url: Some(url),
            credentials: Some((credentials.0, credentials.1.into())),
            session_token: None,
            ..self
        }
    }
}

impl std::fmt::Debug for AwsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsOptions")
            .field("region", &self.region)
            .field("profile", &self.profile)
            .field("endpoint_url", &self.endpoint_url)
            .field("credentials", &self.credentials.as_ref().map(|(id, _)| (id, "** redacted **")))
            .field("session_token", &self.session_token.as_ref().map(|_| "** redacted **"))
            .field("max_attempts", &self.max_attempts)
            .field("initial_backoff", &self.initial_backoff)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("default_tags", &self.default_tags)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_secret_key() {
        let options =
            AwsOptions { credentials: Some(("AKIDEXAMPLE".into(), "s3cr3t-value".into())), ..Default::default() };
        let text = format!("{options:?}");
        assert!(text.contains("AKIDEXAMPLE") && !text.contains("s3cr3t-value"), "{text}");
    }
}
