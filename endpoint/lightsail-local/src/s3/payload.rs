//! An S3 request's payload as clients send it today: whole and hashed into the signature, unsigned
//! (`UNSIGNED-PAYLOAD`), or `aws-chunked` with each chunk signed and/or a trailer carrying the
//! checksum (Amazon S3 API reference, "Signature Version 4 streaming"); then the checksums the
//! request carries (`Content-MD5`, `x-amz-checksum-*`) checked against the bytes.

use super::error::S3Error;
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use sha2::Digest as _;
use std::time::SystemTime;
use subtle::ConstantTimeEq;

/// What signs the chunks of a signed streaming payload: the request's signature seeds them.
pub(crate) struct ChunkSigner<'a> {
    pub(crate) identity: &'a Identity,
    pub(crate) region: &'a str,
    pub(crate) signed_at: SystemTime,
    pub(crate) seed_signature: &'a str,
}

impl ChunkSigner<'_> {
    fn params(&self) -> Result<v4::SigningParams<'_, ()>, v4::signing_params::BuildError> {
        v4::SigningParams::builder()
            .identity(self.identity)
            .region(self.region)
            .name("s3")
            .time(self.signed_at)
            .settings(())
            .build()
    }
}

/// The payload's bytes and the trailing headers that came with it.
pub(crate) struct Payload {
    pub(crate) data: Bytes,
    pub(crate) trailers: Vec<(String, String)>,
}

/// How the payload is sent, from `x-amz-content-sha256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding<'a> {
    /// Its SHA-256, which the signature covers.
    Hashed(&'a str),
    Unsigned,
    Chunked {
        signed: bool,
        trailer: bool,
    },
}

impl<'a> Encoding<'a> {
    pub(crate) fn of(content_sha256: &'a str) -> Result<Self, S3Error> {
        Ok(match content_sha256 {
            "UNSIGNED-PAYLOAD" => Encoding::Unsigned,
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER" => Encoding::Chunked { signed: false, trailer: true },
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" => Encoding::Chunked { signed: true, trailer: false },
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" => Encoding::Chunked { signed: true, trailer: true },
            hash if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => Encoding::Hashed(hash),
            other => {
                return Err(S3Error::invalid_argument(format!(
                    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value or a SHA-256 in hex, not '{other}'"
                )));
            }
        })
    }
}

/// The payload's bytes, checked against how it says it was sent.
pub(crate) fn decode(
    body: Bytes,
    encoding: Encoding<'_>,
    signer: Option<&ChunkSigner<'_>>,
) -> Result<Payload, S3Error> {
    match encoding {
        Encoding::Hashed(expected) => {
            let actual = hex::encode(sha2::Sha256::digest(&body));
            if !bool::from(actual.as_bytes().ct_eq(expected.to_ascii_lowercase().as_bytes())) {
                return Err(S3Error::content_sha256_mismatch());
            }
            Ok(Payload { data: body, trailers: Vec::new() })
        }
        Encoding::Unsigned => Ok(Payload { data: body, trailers: Vec::new() }),
        Encoding::Chunked { signed, trailer } => {
            let signer = match (signed, signer) {
                (true, Some(signer)) => Some(signer),
                (true, None) => {
                    return Err(S3Error::invalid_request("A signed streaming payload needs a signed request."));
                }
                (false, _) => None,
            };
            dechunk(&body, signer, trailer)
        }
    }
}

fn line(body: &[u8], at: usize) -> Result<(&str, usize), S3Error> {
    let rest = &body[at.min(body.len())..];
    let end = rest.windows(2).position(|w| w == b"\r\n").ok_or_else(|| incomplete("a chunk line has no CRLF"))?;
    let text = std::str::from_utf8(&rest[..end]).map_err(|_| incomplete("a chunk line is not text"))?;
    Ok((text, at + end + 2))
}

fn incomplete(why: &str) -> S3Error {
    S3Error::incomplete_body(format!("The aws-chunked payload is malformed: {why}."))
}

/// Decodes `aws-chunked`: `SIZE[;chunk-signature=SIG]\r\nDATA\r\n` …, a zero-sized chunk, then the
/// trailing headers (with `x-amz-trailer-signature` when signed) and an empty line.
fn dechunk(body: &[u8], signer: Option<&ChunkSigner<'_>>, trailer: bool) -> Result<Payload, S3Error> {
    let mut data = Vec::with_capacity(body.len());
    let mut at = 0;
    let mut previous = signer.map(|s| s.seed_signature.to_string());
    let params = signer.map(ChunkSigner::params).transpose().map_err(|e| S3Error::internal(e.to_string()))?;
    loop {
        let (header, next) = line(body, at)?;
        let (size, signature) = match header.split_once(';') {
            Some((size, extension)) => (size, extension.strip_prefix("chunk-signature=")),
            None => (header, None),
        };
        let size = usize::from_str_radix(size.trim(), 16).map_err(|_| incomplete("a chunk size is not hex"))?;
        // A size near usize::MAX must not wrap past the end of the body.
        let end = next.checked_add(size).filter(|end| *end <= body.len());
        let chunk = end.map(|end| &body[next..end]).ok_or_else(|| incomplete("a chunk is shorter than its size"))?;
        if let (Some(params), Some(previous)) = (&params, previous.as_mut()) {
            let given = signature.ok_or_else(|| incomplete("a chunk of a signed payload has no chunk-signature"))?;
            let expected = v4::sign_chunk(&Bytes::copy_from_slice(chunk), previous, params)
                .map_err(|e| S3Error::internal(e.to_string()))?
                .into_parts()
                .1;
            if !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
                return Err(S3Error::signature_does_not_match());
            }
            *previous = expected;
        }
        data.extend_from_slice(chunk);
        at = next + size;
        if size == 0 {
            break;
        }
        if body.get(at..at + 2) != Some(b"\r\n") {
            return Err(incomplete("a chunk does not end with CRLF"));
        }
        at += 2;
    }
    let mut trailers = Vec::new();
    if trailer {
        let mut trailer_signature = None;
        loop {
            let (text, next) = line(body, at)?;
            at = next;
            if text.is_empty() {
                break;
            }
            let (name, value) = text.split_once(':').ok_or_else(|| incomplete("a trailer has no colon"))?;
            let name = name.trim().to_ascii_lowercase();
            if name == "x-amz-trailer-signature" {
                trailer_signature = Some(value.trim().to_string());
            } else {
                trailers.push((name, value.trim().to_string()));
            }
        }
        if let (Some(params), Some(previous)) = (&params, previous.as_ref()) {
            let given =
                trailer_signature.ok_or_else(|| incomplete("a signed trailer has no x-amz-trailer-signature"))?;
            let mut headers = aws_smithy_runtime_api::http::Headers::new();
            for (name, value) in &trailers {
                headers.insert(name.clone(), value.clone());
            }
            let expected = v4::sign_trailer(&headers, previous, params)
                .map_err(|e| S3Error::internal(e.to_string()))?
                .into_parts()
                .1;
            if !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
                return Err(S3Error::signature_does_not_match());
            }
        }
    } else if body.get(at..at + 2) == Some(b"\r\n") {
        at += 2;
    }
    if at != body.len() {
        return Err(incomplete("bytes follow the last chunk"));
    }
    Ok(Payload { data: data.into(), trailers })
}

/// The checksum algorithms S3 takes, by their header's name (`x-amz-checksum-crc32`).
const ALGORITHMS: [&str; 5] = ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"];

fn checksum(algorithm: &str, data: &[u8]) -> Vec<u8> {
    use crc_fast::{CrcAlgorithm, checksum as crc};
    match algorithm {
        "crc32" => (crc(CrcAlgorithm::Crc32IsoHdlc, data) as u32).to_be_bytes().to_vec(),
        "crc32c" => (crc(CrcAlgorithm::Crc32Iscsi, data) as u32).to_be_bytes().to_vec(),
        "crc64nvme" => crc(CrcAlgorithm::Crc64Nvme, data).to_be_bytes().to_vec(),
        "sha1" => <sha1::Sha1 as sha1::Digest>::digest(data).to_vec(),
        _ => sha2::Sha256::digest(data).to_vec(),
    }
}

/// Checks every checksum the request carries, in its headers or its trailer, against `data`.
pub(crate) fn verify_checksums(
    headers: &http::HeaderMap,
    trailers: &[(String, String)],
    data: &[u8],
) -> Result<(), S3Error> {
    if let Some(md5) = headers.get("content-md5").and_then(|v| v.to_str().ok()) {
        let given = BASE64.decode(md5.trim()).map_err(|_| {
            S3Error::new(http::StatusCode::BAD_REQUEST, "InvalidDigest", "The Content-MD5 you specified was invalid.")
        })?;
        if given != <md5::Md5 as md5::Digest>::digest(data).as_slice() {
            return Err(S3Error::bad_digest("Content-MD5"));
        }
    }
    for algorithm in ALGORITHMS {
        let name = format!("x-amz-checksum-{algorithm}");
        let given = headers
            .get(&name)
            .and_then(|v| v.to_str().ok())
            .or_else(|| trailers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()));
        let Some(given) = given else { continue };
        let given = BASE64
            .decode(given.trim())
            .map_err(|_| S3Error::invalid_request(format!("Value for {name} header is invalid.")))?;
        if given != checksum(algorithm, data) {
            return Err(S3Error::bad_digest(&algorithm.to_ascii_uppercase()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by replaying the fuzz corpus: a chunk size near usize::MAX wrapped past the body's end (a panic where
    /// overflow is checked); it is an incomplete body like any other too-short chunk.
    #[test]
    fn a_chunk_size_past_the_body_is_incomplete_whatever_its_size() {
        for size in ["fffffffffffffff0", "ffffffffffffffff", "10"] {
            let body = format!("{size}\r\nhello\r\n0\r\n\r\n");
            let error = dechunk(body.as_bytes(), None, false).err().expect("refused");
            assert!(format!("{error:?}").contains("a chunk is shorter than its size"), "{size}: {error:?}");
        }
    }

    fn signer_parts() -> (Identity, SystemTime) {
        let identity = crate::auth::signing_identity("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        (identity, SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000))
    }

    /// A chunked body as a signing client writes it, chunk signatures chained from `seed`.
    fn signed_body(chunks: &[&[u8]], trailer: Option<(&str, &str)>, signer: &ChunkSigner<'_>) -> Vec<u8> {
        let params = signer.params().unwrap();
        let mut previous = signer.seed_signature.to_string();
        let mut body = Vec::new();
        for chunk in chunks.iter().chain([&&b""[..]]) {
            let signature = v4::sign_chunk(&Bytes::copy_from_slice(chunk), &previous, &params).unwrap().into_parts().1;
            body.extend_from_slice(format!("{:x};chunk-signature={signature}\r\n", chunk.len()).as_bytes());
            body.extend_from_slice(chunk);
            if !chunk.is_empty() {
                body.extend_from_slice(b"\r\n");
            }
            previous = signature;
        }
        match trailer {
            Some((name, value)) => {
                let mut headers = aws_smithy_runtime_api::http::Headers::new();
                headers.insert(name.to_string(), value.to_string());
                let signature = v4::sign_trailer(&headers, &previous, &params).unwrap().into_parts().1;
                body.extend_from_slice(
                    format!("{name}:{value}\r\nx-amz-trailer-signature:{signature}\r\n\r\n").as_bytes(),
                );
            }
            None => body.extend_from_slice(b"\r\n"),
        }
        body
    }

    #[test]
    fn signed_chunks_and_trailers_are_checked() {
        let (identity, signed_at) = signer_parts();
        let seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
        let signer = ChunkSigner { identity: &identity, region: "us-east-1", signed_at, seed_signature: seed };
        let crc = BASE64.encode(checksum("crc32", b"hello world"));
        let body = signed_body(&[b"hello ", b"world"], Some(("x-amz-checksum-crc32", &crc)), &signer);
        let encoding = Encoding::Chunked { signed: true, trailer: true };
        let payload = decode(body.clone().into(), encoding, Some(&signer)).unwrap();
        assert_eq!(&payload.data[..], b"hello world");
        verify_checksums(&http::HeaderMap::new(), &payload.trailers, &payload.data).unwrap();

        // One byte changed in a chunk: its signature no longer matches.
        let mut tampered = body.clone();
        let at = tampered.windows(5).position(|w| w == b"world").unwrap();
        tampered[at] = b'W';
        let err = decode(tampered.into(), encoding, Some(&signer)).err().unwrap();
        assert_eq!(err.code, "SignatureDoesNotMatch");

        // Without signatures, a trailer's checksum still guards the bytes.
        let unsigned = format!("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n");
        let payload =
            decode(unsigned.into_bytes().into(), Encoding::Chunked { signed: false, trailer: true }, None).unwrap();
        assert_eq!(
            verify_checksums(&http::HeaderMap::new(), &payload.trailers, &payload.data).unwrap_err().code,
            "BadDigest"
        );
    }

    #[test]
    fn a_hashed_payload_must_match_its_hash() {
        let hash = hex::encode(sha2::Sha256::digest(b"abc"));
        assert!(decode(Bytes::from_static(b"abc"), Encoding::of(&hash).unwrap(), None).is_ok());
        let err = decode(Bytes::from_static(b"abd"), Encoding::of(&hash).unwrap(), None).err().unwrap();
        assert_eq!(err.code, "XAmzContentSHA256Mismatch");
        assert_eq!(Encoding::of("nonsense").unwrap_err().code, "InvalidArgument");
    }
}
