//! The rules of the `openpgp` capability, as the WIT states them: which key of a user's OpenPGP
//! certificate a secret may be encrypted to (self-signatures that verify, others ignored; neither
//! revoked nor expired; marked for encryption; the newest such key, as gpg chooses), and the
//! encryption itself. rPGP (the `pgp` crate) parses, verifies signatures and encrypts. The bytes
//! are the user's, so this is one of the fuzzed parsers (fuzz/).

use pgp::composed::{Deserializable, MessageBuilder, SignedPublicKey, SignedSecretKey};
use pgp::crypto::sym::SymmetricKeyAlgorithm;
use pgp::packet::{Signature, SignatureType};
use pgp::types::{KeyDetails, KeyVersion, Tag, Timestamp};
use std::fmt;
use std::time::SystemTime;

/// Why a key cannot be encrypted to, in the user's terms (the WIT's `key-error` cases).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    Malformed(String),
    Revoked(String),
    Expired(String),
    NoEncryptionKey(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Malformed(why)
            | KeyError::Revoked(why)
            | KeyError::Expired(why)
            | KeyError::NoEncryptionKey(why) => f.write_str(why),
        }
    }
}

/// A certificate that can be encrypted to now, and the key of it that will be.
pub struct Usable {
    certificate: SignedPublicKey,
    /// `None`: the primary key itself; else the index of the subkey.
    subkey: Option<usize>,
}

impl Usable {
    /// The primary key's fingerprint, as `gpg --with-colons --fingerprint` prints it.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.certificate)
    }

    /// A binary message: the session key encrypted to the chosen key, the data in a SEIPD v1
    /// packet under AES-256, as every RFC 4880 implementation reads it.
    pub fn encrypt(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = rand_core::OsRng;
        let mut builder = MessageBuilder::from_bytes("", message.to_vec()).seipd_v1(rng, SymmetricKeyAlgorithm::AES256);
        let sealed = match self.subkey {
            None => builder.encrypt_to_key(rng, &self.certificate.primary_key),
            Some(index) => builder.encrypt_to_key(rng, &self.certificate.public_subkeys[index].key),
        };
        let failed =
            |e: pgp::errors::Error| KeyError::Malformed(format!("encrypting to it failed: {}", first_line(&e)));
        sealed.map_err(failed)?;
        builder.to_vec(rng).map_err(failed)
    }
}

/// The certificate in `bytes` (binary or armored), if it can be encrypted to at `now`.
pub fn usable(bytes: &[u8], now: SystemTime) -> Result<Usable, KeyError> {
    let certificate = one_certificate(bytes)?;
    let primary = &certificate.primary_key;
    let fingerprint = fingerprint(&certificate);
    if primary.version() != KeyVersion::V4 {
        return Err(KeyError::Malformed(format!(
            "key {fingerprint} is a version {} key; only version 4 keys (as GnuPG makes them) are supported",
            u8::from(primary.version())
        )));
    }
    let now = Timestamp::try_from(now).unwrap_or_else(|_| Timestamp::from_secs(u32::MAX));
    if let Some(revocation) = certificate
        .details
        .revocation_signatures
        .iter()
        .find(|sig| sig.typ() == Some(SignatureType::KeyRevocation) && sig.verify_key(primary).is_ok())
    {
        return Err(KeyError::Revoked(format!("key {fingerprint} is revoked{}", reason(revocation))));
    }
    // The primary key's newest self-signature says when it expires and what it may do.
    let self_signatures = certificate
        .details
        .users
        .iter()
        .flat_map(|user| {
            user.signatures.iter().filter(|sig| sig.is_certification()).filter(|sig| {
                sig.typ() != Some(SignatureType::CertRevocation)
                    && sig.verify_certification(primary, Tag::UserId, &user.id).is_ok()
            })
        })
        .chain(certificate.details.direct_signatures.iter().filter(|sig| sig.verify_key(primary).is_ok()));
    let Some(binding) = newest(self_signatures) else {
        return Err(KeyError::Malformed(format!("key {fingerprint} has no self-signature that verifies")));
    };
    if let Some(expired) = expired_on(primary.created_at(), binding, now) {
        return Err(KeyError::Expired(format!("key {fingerprint} expired on {expired}")));
    }

    // The keys marked for encryption, and what stops each.
    let mut candidates = Vec::new();
    if binding.key_flags().encrypt_comms() || binding.key_flags().encrypt_storage() {
        candidates.push((None, primary.algorithm(), primary.created_at(), Ok(())));
    }
    for (index, subkey) in certificate.public_subkeys.iter().enumerate() {
        let key = &subkey.key;
        let bindings = subkey.signatures.iter().filter(|sig| {
            sig.typ() == Some(SignatureType::SubkeyBinding) && sig.verify_subkey_binding(primary, key).is_ok()
        });
        let Some(binding) = newest(bindings) else { continue };
        if !(binding.key_flags().encrypt_comms() || binding.key_flags().encrypt_storage()) {
            continue;
        }
        let revoked = subkey.signatures.iter().any(|sig| {
            sig.typ() == Some(SignatureType::SubkeyRevocation) && sig.verify_subkey_binding(primary, key).is_ok()
        });
        let state = if revoked {
            Err(Stop::Revoked)
        } else if let Some(date) = expired_on(key.created_at(), binding, now) {
            Err(Stop::Expired(date))
        } else {
            Ok(())
        };
        candidates.push((Some(index), key.algorithm(), key.created_at(), state));
    }
    candidates.retain(|(_, algorithm, _, _)| algorithm.can_encrypt());
    // gpg's choice too: the newest usable one.
    let chosen = candidates.iter().filter(|c| c.3.is_ok()).max_by_key(|c| c.2.as_secs());
    if let Some((subkey, ..)) = chosen {
        return Ok(Usable { subkey: *subkey, certificate });
    }
    let stops: Vec<&Stop> = candidates.iter().filter_map(|c| c.3.as_ref().err()).collect();
    if stops.is_empty() {
        return Err(KeyError::NoEncryptionKey(format!(
            "key {fingerprint} has no key marked for encryption that uses an encryption algorithm"
        )));
    }
    // ISO dates: the greatest is the last.
    let last_expiry =
        stops.iter().filter_map(|stop| if let Stop::Expired(date) = stop { Some(date) } else { None }).max();
    if let Some(date) = last_expiry {
        return Err(KeyError::Expired(format!(
            "every encryption subkey of key {fingerprint} is expired or revoked; the last expired on {date}"
        )));
    }
    Err(KeyError::Revoked(format!("every encryption subkey of key {fingerprint} is revoked")))
}

/// What stops a key marked for encryption from being used.
enum Stop {
    Revoked,
    Expired(String),
}

/// The primary key's fingerprint, as `gpg --with-colons --fingerprint` prints it.
fn fingerprint(certificate: &SignedPublicKey) -> String {
    format!("{:X}", certificate.primary_key.fingerprint())
}

/// One public certificate from binary packets or armor; a secret key or several keys are refused
/// with what to give instead.
fn one_certificate(bytes: &[u8]) -> Result<SignedPublicKey, KeyError> {
    let malformed = |why: String| KeyError::Malformed(why);
    let mut certificates = match SignedPublicKey::from_reader_many(bytes) {
        Ok((certificates, _)) => certificates,
        Err(e) => return Err(malformed(unreadable(bytes, &e))),
    };
    let first = match certificates.next() {
        Some(Ok(certificate)) => certificate,
        Some(Err(e)) => return Err(malformed(unreadable(bytes, &e))),
        None if is_secret_key(bytes) => return Err(malformed(SECRET_KEY.into())),
        None => return Err(malformed("it holds no public key".into())),
    };
    if certificates.next().is_some() {
        return Err(malformed("it holds more than one key: export just one (gpg --export FINGERPRINT)".into()));
    }
    Ok(first)
}

/// Why the bytes are no public key, in a user's terms where the cause is a common one.
fn unreadable(bytes: &[u8], e: &pgp::errors::Error) -> String {
    if is_secret_key(bytes) {
        return SECRET_KEY.into();
    }
    format!("no OpenPGP public key could be read: {}", first_line(e))
}

const SECRET_KEY: &str = "it is a secret key: give the public key (gpg --export, not --export-secret-keys)";

fn is_secret_key(bytes: &[u8]) -> bool {
    SignedSecretKey::from_reader_single(bytes).is_ok()
}

fn first_line(e: &pgp::errors::Error) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

/// The signature created last.
fn newest<'a>(signatures: impl Iterator<Item = &'a Signature>) -> Option<&'a Signature> {
    signatures.max_by_key(|sig| sig.created().map_or(0, Timestamp::as_secs))
}

/// The date a key created at `created` expired, by its binding signature, if that is before `now`.
fn expired_on(created: Timestamp, binding: &Signature, now: Timestamp) -> Option<String> {
    let lifetime = binding.key_expiration_time()?.as_secs();
    let expiry = u64::from(created.as_secs()) + u64::from(lifetime);
    (lifetime != 0 && expiry <= u64::from(now.as_secs())).then(|| date(expiry))
}

/// A revocation's reason, as " (reason)".
fn reason(revocation: &Signature) -> String {
    match revocation.revocation_reason_string() {
        Some(text) if !text.is_empty() => format!(" ({})", String::from_utf8_lossy(text)),
        _ => String::new(),
    }
}

/// `2026-12-02` of seconds since the epoch.
fn date(seconds: u64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    i64::try_from(seconds)
        .ok()
        .and_then(|seconds| time::OffsetDateTime::from_unix_timestamp(seconds).ok())
        .and_then(|date| date.format(&format).ok())
        .unwrap_or_else(|| "9999-12-31".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_796_256_000), "2026-12-03");
        assert_eq!(date(951_782_400), "2000-02-29");
    }

    #[test]
    fn what_is_no_key_says_why() {
        let e = usable(b"not a key at all", SystemTime::now()).err().unwrap();
        assert!(
            matches!(&e, KeyError::Malformed(why) if why.starts_with("no OpenPGP public key could be read")),
            "{e:?}"
        );
        let e = usable(b"", SystemTime::now()).err().unwrap();
        assert!(matches!(e, KeyError::Malformed(_)), "{e:?}");
    }
}

/// The fuzz target's entry (`fuzz/`): a user's `pgpKey` bytes, checked and, if usable, encrypted
/// to. Compiled only for the fuzzers (`cfg(fuzzing)`) and this crate's tests, which replay the
/// corpus and every input a fuzzer found.
#[cfg(any(fuzzing, test))]
pub mod fuzzing {
    use std::time::{Duration, SystemTime};

    /// Any bytes as a `pgpKey`, at a fixed moment (2027-01-15), so that a finding replays.
    pub fn openpgp_key(data: &[u8]) {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        if let Ok(usable) = super::usable(data, now) {
            let _ = usable.encrypt(b"fuzz");
        }
    }

    #[cfg(test)]
    #[test]
    fn every_corpus_and_finding_replays() {
        fuzz_corpus::replay("openpgp_key", openpgp_key);
    }
}
