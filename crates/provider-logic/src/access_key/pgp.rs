//! `pgpKey`: the OpenPGP public key a new key's secret is encrypted to, so that no state holds the
//! secret in plain text (as `pgp_key` on hashicorp/aws's `aws_iam_access_key`). The value is read
//! here, in the user's terms; the key itself is checked and used by the host (`openpgp` import).

use crate::host::{Encrypted, Host, KeyError};
use alloc::{format, string::String, vec::Vec};
use base64ct::{Base64, Encoding as _};

/// The input holding the public key.
pub const PGP_KEY: &str = "pgpKey";

/// The header line of an ASCII-armored OpenPGP block.
const ARMOR: &str = "-----BEGIN PGP ";

/// A `pgpKey` the host accepted, as the host takes it.
pub struct Recipient {
    key: Vec<u8>,
}

impl Recipient {
    /// Reads a `pgpKey` value and has the host check that it can be encrypted to now; the error is
    /// the rule it breaks, to go with the property's name.
    pub fn checked(host: &impl Host, value: &str) -> Result<Self, String> {
        let key = decode(value)?;
        host.check_public_key(&key).map_err(rule)?;
        Ok(Self { key })
    }

    /// Encrypts the secret to this key; the ciphertext is base64 of the binary message, as the
    /// output carries it.
    pub fn encrypt(&self, host: &impl Host, secret: &str) -> Result<(String, Encrypted), String> {
        let encrypted = host.encrypt(&self.key, secret.as_bytes()).map_err(rule)?;
        Ok((Base64::encode_string(&encrypted.message), encrypted))
    }
}

/// The key as the host takes it: the armored text as given, or the binary packets that base64
/// (as `gpg --export KEY | base64` writes it, line breaks and all) decodes to.
fn decode(value: &str) -> Result<Vec<u8>, String> {
    let text = value.trim();
    if let Some(user) = text.strip_prefix("keybase:") {
        return Err(format!(
            "names the Keybase user {user:?}, but this provider fetches no keys from Keybase: give the \
             public key itself, base64-encoded (gpg --export KEY | base64 -w0)"
        ));
    }
    if text.starts_with(ARMOR) {
        return Ok(text.as_bytes().to_vec());
    }
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return Err("is empty: give a public key, base64-encoded (gpg --export KEY | base64 -w0), or unset it".into());
    }
    let bytes = Base64::decode_vec(&compact).map_err(|e| {
        format!(
            "is not base64 ({e}): give the public key base64-encoded (gpg --export KEY | base64 -w0), \
             or ASCII-armored (gpg --export --armor KEY)"
        )
    })?;
    Ok(bytes)
}

/// The rule a key the host refused breaks, with what the host found.
fn rule(e: KeyError) -> String {
    match e {
        KeyError::Malformed(why) => format!(
            "is not an OpenPGP public key ({why}): give one as gpg --export KEY | base64 -w0 writes it, \
             or ASCII-armored"
        ),
        KeyError::Revoked(why) => format!("is revoked ({why}): give a key that is not"),
        KeyError::Expired(why) => {
            format!("has expired ({why}): give a key valid now, or extend it (gpg --quick-set-expire)")
        }
        KeyError::NoEncryptionKey(why) => format!(
            "has no key that can encrypt ({why}): add an encryption subkey \
             (gpg --quick-add-key FINGERPRINT cv25519 encr) or give another key"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_base64_with_line_breaks_and_armor_as_given() {
        assert_eq!(decode("AQID\nBA==\n").unwrap(), [1, 2, 3, 4]);
        let armored = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAQID\n-----END PGP PUBLIC KEY BLOCK-----";
        assert_eq!(decode(&format!("  {armored}\n")).unwrap(), armored.as_bytes());
    }

    #[test]
    fn refuses_keybase_empty_and_non_base64_saying_how_to_give_a_key() {
        let keybase = decode("keybase:someone").unwrap_err();
        assert!(keybase.contains("Keybase user \"someone\"") && keybase.contains("gpg --export"), "{keybase}");
        assert!(decode(" \n").unwrap_err().starts_with("is empty"));
        let not_base64 = decode("not a key!").unwrap_err();
        assert!(not_base64.starts_with("is not base64") && not_base64.contains("--armor"), "{not_base64}");
    }
}
