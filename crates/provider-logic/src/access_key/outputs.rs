//! The resource's outputs, as a property bag with its secret properties named.

use super::pgp::PGP_KEY;
use crate::host::AccessKey;
use crate::json::{self, Value, object};
use crate::timestamp::rfc3339;
use crate::types::Outputs;
use alloc::{
    string::{String, ToString},
    vec,
    vec::Vec,
};
use serde::Serialize;

/// The output holding the key's id.
pub const ACCESS_KEY_ID: &str = "accessKeyId";
/// The output holding its secret (a secret output).
pub const SECRET_ACCESS_KEY: &str = "secretAccessKey";
/// With `pgpKey`, the output holding the secret encrypted to it (base64 of a binary OpenPGP message).
pub const ENCRYPTED_SECRET_ACCESS_KEY: &str = "encryptedSecretAccessKey";
/// With `pgpKey`, the output naming the key it is encrypted to (its fingerprint).
pub const KEY_FINGERPRINT: &str = "keyFingerprint";

/// What the outputs hold of the key's secret. AWS returns the secret once, at creation; after
/// that, all of this comes only from the prior state. An imported key has none of it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret {
    /// The secret in plain text: only without `pgpKey`.
    pub plain: Option<String>,
    /// The `pgpKey` input the key was made (or, imported, recorded) with.
    pub pgp_key: Option<String>,
    /// The secret encrypted to `pgp_key`, base64.
    pub encrypted: Option<String>,
    /// The fingerprint of the key `encrypted` is encrypted to.
    pub fingerprint: Option<String>,
}

impl Secret {
    /// Whether some state holds the secret, plain or encrypted: changing `pgpKey` then replaces
    /// the key, to give a secret in the new form. A key without it (imported) has nothing to lose
    /// by being kept, and nothing to gain but a new key.
    pub fn is_held(&self) -> bool {
        self.plain.is_some() || self.encrypted.is_some()
    }
}

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Secret")
            .field("plain", &self.plain.as_ref().map(|_| "** redacted **"))
            .field("pgp_key", &self.pgp_key)
            .field("encrypted", &self.encrypted)
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

/// The properties an engine must treat as secret.
pub fn secret_names() -> Vec<String> {
    vec![SECRET_ACCESS_KEY.to_string()]
}

/// Outputs of a key, with what is known of its secret (see [`Secret`]); each part missing is
/// `null`, which is what an imported key shows.
pub fn of_key(bucket_name: &str, region: &str, key: &AccessKey, secret: &Secret) -> Outputs {
    let bag = KeyOutputs {
        access_key_id: &key.access_key_id,
        bucket_name,
        created_at: key.created_at.and_then(rfc3339),
        encrypted_secret_access_key: secret.encrypted.as_deref(),
        key_fingerprint: secret.fingerprint.as_deref(),
        last_used: key.last_used.as_ref().map(|used| LastUsed {
            last_used_date: used.last_used_date.and_then(rfc3339),
            region: used.region.as_deref(),
            service_name: used.service_name.as_deref(),
        }),
        pgp_key: secret.pgp_key.as_deref(),
        region,
        secret_access_key: secret.plain.as_deref(),
        status: key.status.as_deref(),
    };
    Outputs { values: json::to_string(&bag), secrets: secret_names() }
}

/// A key's outputs as [`of_key`] writes them: members in name order, each missing one `null`
/// (a test checks the names against the constants above).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyOutputs<'a> {
    access_key_id: &'a str,
    bucket_name: &'a str,
    created_at: Option<String>,
    encrypted_secret_access_key: Option<&'a str>,
    key_fingerprint: Option<&'a str>,
    last_used: Option<LastUsed<'a>>,
    pgp_key: Option<&'a str>,
    region: &'a str,
    secret_access_key: Option<&'a str>,
    status: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LastUsed<'a> {
    last_used_date: Option<String>,
    region: Option<&'a str>,
    service_name: Option<&'a str>,
}

/// What a preview knows before the call: the inputs; the rest is computed by the API.
pub fn preview(bucket_name: &str, region: &str, pgp_key: Option<&str>) -> Outputs {
    let values = object! { "bucketName" => bucket_name, "region" => region, PGP_KEY => pgp_key };
    Outputs { values: json::to_string(&values), secrets: secret_names() }
}

/// What a prior state holds of the secret, if it is the same key's.
pub fn secret_from_state(state: &Value, access_key_id: &str) -> Secret {
    prior_secret(access_key_id, &|name| json::get_str(state, name))
}

/// What a prior state, whose string members `member` reads, holds of the secret, if it is the same
/// key's.
pub fn prior_secret<'s>(access_key_id: &str, member: &dyn Fn(&str) -> Option<&'s str>) -> Secret {
    if member(ACCESS_KEY_ID) != Some(access_key_id) {
        return Secret::default();
    }
    let get = |name| member(name).map(str::to_string);
    Secret {
        plain: get(SECRET_ACCESS_KEY),
        pgp_key: get(PGP_KEY),
        encrypted: get(ENCRYPTED_SECRET_ACCESS_KEY),
        fingerprint: get(KEY_FINGERPRINT),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::AccessKeyLastUsed;

    /// The outputs as a bag built member by member, which prints its members in name order.
    fn as_bag(bucket_name: &str, region: &str, key: &AccessKey, secret: &Secret) -> String {
        let last_used = key.last_used.as_ref().map(|used| {
            object! {
                "lastUsedDate" => used.last_used_date.and_then(rfc3339),
                "region" => used.region.as_deref(),
                "serviceName" => used.service_name.as_deref(),
            }
        });
        json::to_string(&object! {
            ACCESS_KEY_ID => &key.access_key_id,
            "bucketName" => bucket_name,
            "createdAt" => key.created_at.and_then(rfc3339),
            "region" => region,
            SECRET_ACCESS_KEY => secret.plain.as_deref(),
            PGP_KEY => secret.pgp_key.as_deref(),
            ENCRYPTED_SECRET_ACCESS_KEY => secret.encrypted.as_deref(),
            KEY_FINGERPRINT => secret.fingerprint.as_deref(),
            "status" => key.status.as_deref(),
            "lastUsed" => last_used,
        })
    }

    /// Written straight from its fields, a key's outputs are the same text as the bag: every
    /// member under the name the rest of the logic reads, in the same order, `null` where missing.
    #[test]
    fn outputs_are_the_bag_member_for_member() {
        let bare = AccessKey {
            access_key_id: "AKIA\"1".into(),
            secret_access_key: None,
            status: None,
            created_at: None,
            last_used: None,
        };
        let full = AccessKey {
            secret_access_key: Some("not an output".into()),
            status: Some("Active".into()),
            created_at: Some(1_479_816_991.349),
            last_used: Some(AccessKeyLastUsed {
                last_used_date: Some(0.0),
                region: Some("eu-west-2".into()),
                service_name: Some("s3\n".into()),
            }),
            ..bare.clone()
        };
        let never_used = AccessKey {
            last_used: Some(AccessKeyLastUsed { last_used_date: None, region: None, service_name: None }),
            ..full.clone()
        };
        let secrets = [
            Secret::default(),
            Secret { plain: Some("s3cr\u{e9}t".into()), ..Secret::default() },
            Secret {
                pgp_key: Some("mQ==\n".into()),
                encrypted: Some("wcBM".into()),
                fingerprint: Some("ABCD".into()),
                ..Secret::default()
            },
        ];
        for key in [&bare, &full, &never_used] {
            for secret in &secrets {
                let written = of_key("b-1", "us-east-1", key, secret);
                assert_eq!(written.values, as_bag("b-1", "us-east-1", key, secret), "{key:?} {secret:?}");
                assert_eq!(written.secrets, [SECRET_ACCESS_KEY]);
            }
        }
        let full_text = of_key("b-1", "us-east-1", &full, &secrets[1]).values;
        assert!(full_text.contains(r#""createdAt":"2016-11-22T12:16:31Z""#), "{full_text}");
        assert!(full_text.contains(r#""lastUsedDate":"1970-01-01T00:00:00Z""#), "{full_text}");
        assert!(!full_text.contains("not an output"), "{full_text}");
    }
}
