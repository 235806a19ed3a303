//! The `openpgp` import: checks a user's OpenPGP public key and encrypts a secret to it. rPGP (the
//! `pgp` crate) parses, verifies signatures and encrypts; which key of a certificate may be used is
//! decided here, by the rules the WIT states: self-signatures that verify (others are ignored),
//! neither revoked nor expired, marked for encryption. The work runs on a blocking thread: an RSA
//! signature check takes milliseconds, and needs more stack than a call's fiber has.

use crate::bindings::openpgp as wit;
use pgp::composed::{Deserializable, MessageBuilder, SignedPublicKey, SignedSecretKey};
use pgp::crypto::sym::SymmetricKeyAlgorithm;
use pgp::packet::{Signature, SignatureType};
use pgp::types::{KeyDetails, KeyVersion, Tag, Timestamp};
use std::time::SystemTime;

impl wit::Host for crate::state::HostState {
    async fn check_public_key(&mut self, key: Vec<u8>) -> Result<wit::Recipient, wit::KeyError> {
        let checked = self.host_work(move || usable(&key, SystemTime::now()).map(|usable| usable.recipient()));
        checked.await.unwrap_or_else(shutting_down)
    }

    async fn encrypt(&mut self, key: Vec<u8>, message: Vec<u8>) -> Result<wit::Encrypted, wit::KeyError> {
        self.host_work(move || {
            let usable = usable(&key, SystemTime::now())?;
            let encrypted = usable.encrypt(&message)?;
            tracing::debug!(fingerprint = %usable.fingerprint(), "encrypted a secret to an OpenPGP key");
            Ok(wit::Encrypted { message: encrypted, recipient: usable.recipient() })
        })
        .await
        .unwrap_or_else(shutting_down)
    }
}

fn shutting_down<T>() -> Result<T, wit::KeyError> {
    Err(wit::KeyError::Malformed("the key could not be checked: the host is shutting down".into()))
}

/// A certificate that can be encrypted to now, and the key of it that will be.
struct Usable {
    certificate: SignedPublicKey,
    /// `None`: the primary key itself; else the index of the subkey.
    subkey: Option<usize>,
}

impl Usable {
    fn fingerprint(&self) -> String {
        fingerprint(&self.certificate)
    }

    fn recipient(&self) -> wit::Recipient {
        wit::Recipient { fingerprint: self.fingerprint() }
    }

    /// A binary message: the session key encrypted to the chosen key, the data in a SEIPD v1
    /// packet under AES-256, as every RFC 4880 implementation reads it.
    fn encrypt(&self, message: &[u8]) -> Result<Vec<u8>, wit::KeyError> {
        let rng = rand_core::OsRng;
        let mut builder = MessageBuilder::from_bytes("", message.to_vec()).seipd_v1(rng, SymmetricKeyAlgorithm::AES256);
        let sealed = match self.subkey {
            None => builder.encrypt_to_key(rng, &self.certificate.primary_key),
            Some(index) => builder.encrypt_to_key(rng, &self.certificate.public_subkeys[index].key),
        };
        let failed =
            |e: pgp::errors::Error| wit::KeyError::Malformed(format!("encrypting to it failed: {}", first_line(&e)));
        sealed.map_err(failed)?;
        builder.to_vec(rng).map_err(failed)
    }
}

/// The certificate in `bytes` (binary or armored), if it can be encrypted to at `now`.
fn usable(bytes: &[u8], now: SystemTime) -> Result<Usable, wit::KeyError> {
    let certificate = one_certificate(bytes)?;
    let primary = &certificate.primary_key;
    let fingerprint = fingerprint(&certificate);
    if primary.version() != KeyVersion::V4 {
        return Err(wit::KeyError::Malformed(format!(
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
        return Err(wit::KeyError::Revoked(format!("key {fingerprint} is revoked{}", reason(revocation))));
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
        return Err(wit::KeyError::Malformed(format!("key {fingerprint} has no self-signature that verifies")));
    };
    if let Some(expired) = expired_on(primary.created_at(), binding, now) {
        return Err(wit::KeyError::Expired(format!("key {fingerprint} expired on {expired}")));
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
        return Err(wit::KeyError::NoEncryptionKey(format!(
            "key {fingerprint} has no key marked for encryption that uses an encryption algorithm"
        )));
    }
    // ISO dates: the greatest is the last.
    let last_expiry =
        stops.iter().filter_map(|stop| if let Stop::Expired(date) = stop { Some(date) } else { None }).max();
    if let Some(date) = last_expiry {
        return Err(wit::KeyError::Expired(format!(
            "every encryption subkey of key {fingerprint} is expired or revoked; the last expired on {date}"
        )));
    }
    Err(wit::KeyError::Revoked(format!("every encryption subkey of key {fingerprint} is revoked")))
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
fn one_certificate(bytes: &[u8]) -> Result<SignedPublicKey, wit::KeyError> {
    let malformed = |why: String| wit::KeyError::Malformed(why);
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
    let time = aws_smithy_types::DateTime::from_secs(i64::try_from(seconds).unwrap_or(i64::MAX));
    let text = time.fmt(aws_smithy_types::date_time::Format::DateTime).unwrap_or_default();
    text.split('T').next().unwrap_or_default().to_string()
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
            matches!(&e, wit::KeyError::Malformed(why) if why.starts_with("no OpenPGP public key could be read")),
            "{e:?}"
        );
        let e = usable(b"", SystemTime::now()).err().unwrap();
        assert!(matches!(e, wit::KeyError::Malformed(_)), "{e:?}");
    }
}
