//! GnuPG as the independent OpenPGP party of the `pgpKey` tests: keys made by `gpg --quick-gen-key`
//! in a `GNUPGHOME` of the test's own, exported as a user would, and the ciphertext opened with
//! `gpg --decrypt`. Dropping it stops the agent gpg started and removes the directory.

use std::process::{Command, Output, Stdio};

/// Whether `gpg` is installed; `REQUIRE_GPG` makes its absence a failure (`.ci/run` installs it).
pub fn installed() -> bool {
    let found = Command::new("gpg").arg("--version").stdout(Stdio::null()).status().is_ok_and(|s| s.success());
    assert!(found || std::env::var_os("REQUIRE_GPG").is_none(), "gpg is required here (REQUIRE_GPG) but not installed");
    found
}

/// The kinds of key the tests make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA 3072, with an RSA 3072 encryption subkey.
    Rsa3072,
    /// ed25519 with a cv25519 (ECDH) encryption subkey.
    Curve25519,
    /// ed25519 alone: it can sign, not encrypt.
    SignOnly,
    /// RSA 2048 with an encryption subkey, made in 2020, both expired a day later.
    Expired,
    /// RSA 2048 with an encryption subkey, the key revoked.
    Revoked,
}

/// A `GNUPGHOME` of one test's own.
pub struct GnuPg {
    home: std::path::PathBuf,
}

impl Default for GnuPg {
    fn default() -> Self {
        Self::new()
    }
}

impl GnuPg {
    /// A fresh, empty home.
    pub fn new() -> Self {
        // Short: gpg-agent's socket lives in it, and a socket path has a length limit.
        let home = std::env::temp_dir().join(format!("gpg-{}-{}", std::process::id(), unique()));
        std::fs::create_dir_all(&home).expect("a GNUPGHOME can be made");
        std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700)).expect("chmod");
        Self { home }
    }

    /// The `GNUPGHOME`, for a program that runs gpg itself.
    pub fn home(&self) -> &std::path::Path {
        &self.home
    }

    fn gpg(&self, args: &[&str]) -> Output {
        let output = Command::new("gpg")
            .env("GNUPGHOME", &self.home)
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args(args)
            .output()
            .expect("gpg runs");
        assert!(output.status.success(), "gpg {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        output
    }

    /// Makes a key of this kind for `user`; its fingerprint, as gpg prints it.
    pub fn generate(&self, kind: KeyKind, user: &str) -> String {
        // With an algorithm named, gpg makes the primary key alone: the encryption subkey is added.
        let faked: &[&str] = if kind == KeyKind::Expired { &["--faked-system-time", "20200101T000000!"] } else { &[] };
        let (algorithm, expiry) = match kind {
            KeyKind::Rsa3072 => ("rsa3072", "never"),
            KeyKind::Curve25519 | KeyKind::SignOnly => ("ed25519", "never"),
            KeyKind::Expired => ("rsa2048", "1d"),
            KeyKind::Revoked => ("rsa2048", "never"),
        };
        self.gpg(&[faked, &["--quick-gen-key", user, algorithm, "cert,sign", expiry]].concat());
        let fingerprint = self.fingerprint(user);
        let subkey = match kind {
            KeyKind::SignOnly => None,
            KeyKind::Curve25519 => Some("cv25519"),
            _ => Some(algorithm),
        };
        if let Some(subkey) = subkey {
            self.gpg(&[faked, &["--quick-add-key", &fingerprint, subkey, "encr", expiry]].concat());
        }
        if kind == KeyKind::Revoked {
            // gpg writes a revocation certificate with each key, its armor guarded by a colon.
            let path = self.home.join("openpgp-revocs.d").join(format!("{fingerprint}.rev"));
            let certificate = std::fs::read_to_string(&path).expect("gpg wrote a revocation certificate");
            let unguarded =
                certificate.replace(":-----BEGIN PGP PUBLIC KEY BLOCK-----", "-----BEGIN PGP PUBLIC KEY BLOCK-----");
            std::fs::write(&path, unguarded).expect("write");
            self.gpg(&["--import", path.to_str().expect("utf-8 path")]);
        }
        fingerprint
    }

    /// The primary key's fingerprint of `user`'s key.
    pub fn fingerprint(&self, user: &str) -> String {
        let listing = self.gpg(&["--with-colons", "--fingerprint", user]);
        let text = String::from_utf8_lossy(&listing.stdout);
        let line = text.lines().find(|l| l.starts_with("fpr:")).expect("gpg lists a fingerprint");
        line.split(':').nth(9).expect("the fingerprint field").to_string()
    }

    /// The public key, binary, as `gpg --export` writes it.
    pub fn export(&self, fingerprint: &str) -> Vec<u8> {
        self.gpg(&["--export", fingerprint]).stdout
    }

    /// The public key, base64 as `gpg --export KEY | base64 -w0` writes it: what `pgpKey` takes.
    pub fn export_base64(&self, fingerprint: &str) -> String {
        base64(&self.export(fingerprint))
    }

    /// The public key, ASCII-armored.
    pub fn export_armored(&self, fingerprint: &str) -> String {
        String::from_utf8(self.gpg(&["--armor", "--export", fingerprint]).stdout).expect("armor is text")
    }

    /// The secret key, base64: what a user must not give, and the provider refuses.
    pub fn export_secret_base64(&self, fingerprint: &str) -> String {
        base64(&self.gpg(&["--export-secret-keys", fingerprint]).stdout)
    }

    /// Keys `pgpKey` must refuse, made in this home (an expired, a revoked and a sign-only key, and
    /// a Keybase name), each with words of the rule its refusal names: `[[pgpKey, rule], ...]`, as
    /// the hosts' own test scripts read it.
    pub fn refused_keys(&self) -> serde_json::Value {
        let expired = self.generate(KeyKind::Expired, "Expired <expired@example.com>");
        let revoked = self.generate(KeyKind::Revoked, "Revoked <revoked@example.com>");
        let sign_only = self.generate(KeyKind::SignOnly, "Signer <signer@example.com>");
        serde_json::json!([
            [self.export_base64(&expired), "has expired"],
            [self.export_base64(&revoked), "is revoked"],
            [self.export_base64(&sign_only), "has no key that can encrypt"],
            ["keybase:someone", "Keybase"],
        ])
    }

    /// `base64 -d | gpg --decrypt` of an `encryptedSecretAccessKey`.
    pub fn decrypt_base64(&self, ciphertext: &str) -> String {
        let path = self.home.join(format!("message-{}", unique()));
        let decoded = Command::new("base64").arg("-d").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn();
        let mut child = decoded.expect("base64 runs");
        use std::io::Write;
        child.stdin.take().expect("stdin").write_all(ciphertext.as_bytes()).expect("write");
        let binary = child.wait_with_output().expect("base64 -d");
        assert!(binary.status.success(), "the ciphertext is base64");
        std::fs::write(&path, &binary.stdout).expect("write");
        let plain = self.gpg(&["--quiet", "--decrypt", path.to_str().expect("utf-8 path")]).stdout;
        String::from_utf8(plain).expect("the secret is text")
    }
}

impl Drop for GnuPg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf").env("GNUPGHOME", &self.home).args(["--kill", "all"]).status();
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

fn unique() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
