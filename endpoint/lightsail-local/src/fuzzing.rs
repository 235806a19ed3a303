//! The endpoint's parsers of what a client sends, one entry per fuzz target (`fuzz/`). Compiled
//! only for the fuzzers (`cfg(fuzzing)`, which cargo fuzz sets) and for this crate's tests, which
//! replay every target's corpus and every input a fuzzer found (`fuzz/corpus`, `fuzz/regressions`).
//! An entry returns normally for any input: an error is an answer, a panic is a finding.

use crate::protocol::{Operation, answer};
use crate::s3::{payload, wire};
use crate::store::{OperationPlan, Store};
use bytes::Bytes;

/// The SigV4 headers a request is authenticated by: `Authorization` (its parts) and `X-Amz-Date`,
/// one per line.
pub fn sigv4_headers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.splitn(2, '\n');
    let _ = crate::auth::parse_authorization(lines.next().unwrap_or_default());
    let _ = crate::auth::parse_amz_date(lines.next().unwrap_or_default());
}

/// A sequence of Lightsail calls on one state, each an operation (its first byte, modulo the
/// number of operations) and a JSON body; calls are separated by 0xFF (never in UTF-8 JSON).
pub fn lightsail_json(data: &[u8]) {
    let mut store = Store::new();
    for (at, call) in data.split(|b| *b == 0xFF).enumerate() {
        let Some((&op, body)) = call.split_first() else { continue };
        let operation = Operation::ALL[usize::from(op) % Operation::ALL.len()];
        let now = 1_800_000_000.0 + at as f64;
        let _ = answer(&mut store, operation, "us-east-1", now, body, OperationPlan::default());
    }
}

/// The XML bodies the S3 side reads: DeleteObjects' and CompleteMultipartUpload's.
pub fn s3_xml(data: &[u8]) {
    let _ = wire::parse::<wire::Delete>(data);
    let _ = wire::parse::<wire::CompleteMultipartUpload>(data);
}

/// An aws-chunked payload: the first byte's low bit says whether it has trailers, the next bit
/// whether its chunks are signed (checked against a fixed request's seed signature, so a forged
/// chunk is refused after its framing was read).
pub fn aws_chunked(data: &[u8]) {
    let Some((&mode, body)) = data.split_first() else { return };
    let identity = crate::auth::signing_identity("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    let signer = payload::ChunkSigner {
        identity: &identity,
        region: "us-east-1",
        signed_at: std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000),
        seed_signature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
    };
    let signed = mode & 2 == 2;
    let encoding = payload::Encoding::Chunked { signed, trailer: mode & 1 == 1 };
    let _ = payload::decode(Bytes::copy_from_slice(body), encoding, signed.then_some(&signer));
}

/// A `Range` header against an object of a size (the first two bytes, little-endian).
pub fn s3_range(data: &[u8]) {
    let (size, value) = match data {
        [a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), rest),
        _ => (0, data),
    };
    let _ = crate::s3::byte_range(&String::from_utf8_lossy(value), size);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each target by the name of its folder under `fuzz/corpus`.
    #[test]
    fn every_corpus_and_finding_replays() {
        fuzz_corpus::replay("sigv4_headers", sigv4_headers);
        fuzz_corpus::replay("lightsail_json", lightsail_json);
        fuzz_corpus::replay("s3_xml", s3_xml);
        fuzz_corpus::replay("aws_chunked", aws_chunked);
        fuzz_corpus::replay("s3_range", s3_range);
    }
}
