//! Identifiers and secrets, drawn from the thread-local CSPRNG (ChaCha, seeded from the OS).

use rand::RngExt;

/// Base32's alphabet: the characters real access key ids are made of (`[A-Z2-7]`), which fits
/// both the API model (`[A-Z0-9]`) and Terraform's acceptance-test pattern (`[0-7A-Z]`).
const KEY_ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn draw(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| alphabet[rng.random_range(0..alphabet.len())] as char).collect()
}

/// A 20-character access key id starting with `AKIA`.
pub fn access_key_id() -> String {
    format!("AKIA{}", draw(KEY_ID_ALPHABET, 16))
}

/// A 40-character secret access key of `[A-Za-z0-9+/]`.
pub fn secret_access_key() -> String {
    draw(SECRET_ALPHABET, 40)
}

/// A multipart upload's id: 64 characters of `[A-Za-z0-9._-]`, as opaque as S3's.
pub fn upload_id() -> String {
    draw(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-", 64)
}

/// A random UUID, for operation ids and bucket ARNs.
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_and_secrets_have_the_documented_shape() {
        for _ in 0..200 {
            let id = access_key_id();
            assert_eq!(id.len(), 20);
            assert!(id.starts_with("AKIA"));
            assert!(id.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
            let secret = secret_access_key();
            assert_eq!(secret.len(), 40);
            assert!(secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/'));
        }
        assert_ne!(secret_access_key(), secret_access_key());
    }
}
