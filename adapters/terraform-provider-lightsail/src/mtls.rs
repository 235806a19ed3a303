//! go-plugin's AutoMTLS: Terraform makes a certificate for the run and passes it in
//! `PLUGIN_CLIENT_CERT`; the plugin makes its own, sends it in the handshake line, and then takes
//! connections only from the holder of Terraform's certificate (that exact certificate, pinned).
//!
//! go-plugin's certificates are ECDSA P-521 keys signing with SHA-512, which rustls's ring provider
//! does not verify: the client's handshake signature of that scheme is checked with RustCrypto's
//! `p521`, every other scheme with ring. (Without it, Terraform's client sends no certificate at
//! all, and only the server would be authenticated.)

use anyhow::Context;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm, UnixTime,
};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;

/// The plugin's side of AutoMTLS for one run.
pub struct AutoMtls {
    pub acceptor: TlsAcceptor,
    /// The server certificate (DER), for the handshake line.
    pub certificate_der: Vec<u8>,
}

/// AutoMTLS for Terraform's certificate in `PLUGIN_CLIENT_CERT`; none if Terraform passed none.
pub fn from_environment() -> anyhow::Result<Option<AutoMtls>> {
    let client = std::env::var("PLUGIN_CLIENT_CERT").unwrap_or_default();
    if client.is_empty() {
        return Ok(None);
    }
    let client = CertificateDer::pem_slice_iter(client.as_bytes())
        .next()
        .context("PLUGIN_CLIENT_CERT holds no certificate")?
        .context("PLUGIN_CLIENT_CERT is not a PEM certificate")?;
    let (certificate, key) = server_certificate()?;
    // rustls deprecates ring's provider for its lack of post-quantum key exchange. This channel
    // never leaves the machine (Terraform to its plugin, over loopback), and ring is the one
    // TLS library the whole tree already links (the AWS SDK's client too).
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(TerraformOnly { certificate: client, ring: provider.signature_verification_algorithms });
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![certificate.clone()], key)?;
    // gRPC is HTTP/2, which Go's client asks for by ALPN.
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Some(AutoMtls { acceptor: TlsAcceptor::from(Arc::new(config)), certificate_der: certificate.to_vec() }))
}

/// A certificate for `localhost` made for this run. go-plugin's client takes it as its root, so it
/// is a CA certificate too.
fn server_certificate() -> anyhow::Result<(CertificateDer<'static>, rustls::pki_types::PrivateKeyDer<'static>)> {
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])?;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::seconds(30);
    params.not_after = now + time::Duration::days(365);
    params.distinguished_name.push(rcgen::DnType::OrganizationName, "HashiCorp");
    params.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyAgreement,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages =
        vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth, rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let certificate = params.self_signed(&key)?;
    let key = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).map_err(|e| anyhow::anyhow!(e))?;
    Ok((certificate.der().clone(), key))
}

/// Accepts exactly the certificate Terraform passed, and a handshake signed with its key.
#[derive(Debug)]
struct TerraformOnly {
    certificate: CertificateDer<'static>,
    ring: WebPkiSupportedAlgorithms,
}

impl TerraformOnly {
    fn algorithms(&self, scheme: SignatureScheme) -> &WebPkiSupportedAlgorithms {
        if scheme == SignatureScheme::ECDSA_NISTP521_SHA512 { &P521_SHA512_ONLY } else { &self.ring }
    }
}

impl ClientCertVerifier for TerraformOnly {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.certificate.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, self.algorithms(dss.scheme))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, self.algorithms(dss.scheme))
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        let mut schemes = self.ring.supported_schemes();
        schemes.push(SignatureScheme::ECDSA_NISTP521_SHA512);
        schemes
    }
}

/// ECDSA on P-521 with SHA-512, verified with RustCrypto's `p521`.
#[derive(Debug)]
struct EcdsaP521Sha512;

impl SignatureVerificationAlgorithm for EcdsaP521Sha512 {
    fn verify_signature(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
        use p521::ecdsa::signature::Verifier;
        let key = p521::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
        let signature = p521::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
        key.verify(message, &signature).map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        rustls::pki_types::alg_id::ECDSA_P521
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        rustls::pki_types::alg_id::ECDSA_SHA512
    }
}

static P521_SHA512: EcdsaP521Sha512 = EcdsaP521Sha512;

static P521_SHA512_ONLY: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
    all: &[&P521_SHA512],
    mapping: &[(SignatureScheme::ECDSA_NISTP521_SHA512, &[&P521_SHA512])],
};

#[cfg(test)]
mod tests {
    use super::*;

    /// A P-521 signature as Go makes them (DER ECDSA over SHA-512) verifies; a changed message
    /// does not.
    #[test]
    fn p521_sha512_signatures_verify() {
        use p521::ecdsa::signature::Signer;
        // A fixed scalar below the group's order: the test is about the signature scheme.
        let mut scalar = [0x5au8; 66];
        scalar[0] = 0x01;
        let signing = p521::ecdsa::SigningKey::from_slice(&scalar).unwrap();
        let public = p521::ecdsa::VerifyingKey::from(&signing).to_sec1_point(false);
        let signature: p521::ecdsa::Signature = signing.sign(b"handshake");
        let der = signature.to_der();
        assert!(P521_SHA512.verify_signature(public.as_bytes(), b"handshake", der.as_bytes()).is_ok());
        assert!(P521_SHA512.verify_signature(public.as_bytes(), b"handshakE", der.as_bytes()).is_err());
    }
}
