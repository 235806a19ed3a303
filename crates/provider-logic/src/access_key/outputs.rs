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
    let last_used = key.last_used.as_ref().map(|used| {
        object! {
            "lastUsedDate" => used.last_used_date.and_then(rfc3339),
            "region" => used.region.as_deref(),
            "serviceName" => used.service_name.as_deref(),
        }
    });
    let values = object! {
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
    };
    Outputs { values: json::to_string(&values), secrets: secret_names() }
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
