//! The `openpgp` import: checks a user's OpenPGP public key and encrypts a secret to it, by the
//! rules of `openpgp-recipient`. The work runs on a blocking thread: an RSA signature check takes
//! milliseconds, and needs more stack than a call's fiber has.

use crate::bindings::openpgp as wit;
use openpgp_recipient::{KeyError, Usable, usable};
use std::time::SystemTime;

impl wit::Host for crate::state::HostState {
    async fn check_public_key(&mut self, key: Vec<u8>) -> Result<wit::Recipient, wit::KeyError> {
        let checked = self.host_work(move || usable(&key, SystemTime::now()).map(|usable| recipient(&usable)));
        checked.await.unwrap_or_else(shutting_down).map_err(to_wit)
    }

    async fn encrypt(&mut self, key: Vec<u8>, message: Vec<u8>) -> Result<wit::Encrypted, wit::KeyError> {
        // The message is the key's secret in clear: wiped once encrypted.
        let message = zeroize::Zeroizing::new(message);
        self.host_work(move || {
            let usable = usable(&key, SystemTime::now())?;
            let encrypted = usable.encrypt(&message)?;
            tracing::debug!(fingerprint = %usable.fingerprint(), "encrypted a secret to an OpenPGP key");
            Ok(wit::Encrypted { message: encrypted, recipient: recipient(&usable) })
        })
        .await
        .unwrap_or_else(shutting_down)
        .map_err(to_wit)
    }
}

fn recipient(usable: &Usable) -> wit::Recipient {
    wit::Recipient { fingerprint: usable.fingerprint() }
}

fn shutting_down<T>() -> Result<T, KeyError> {
    Err(KeyError::Malformed("the key could not be checked: the host is shutting down".into()))
}

fn to_wit(error: KeyError) -> wit::KeyError {
    match error {
        KeyError::Revoked(why) => wit::KeyError::Revoked(why),
        KeyError::Expired(why) => wit::KeyError::Expired(why),
        KeyError::NoEncryptionKey(why) => wit::KeyError::NoEncryptionKey(why),
        KeyError::Malformed(why) => wit::KeyError::Malformed(why),
    }
}
