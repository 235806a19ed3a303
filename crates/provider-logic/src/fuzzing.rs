//! The component's inputs, state and ids, fuzzed natively: the same logic the component runs,
//! reached through [`crate::provider`] as the component's exports reach it. Compiled only for the
//! fuzzers (`cfg(fuzzing)`, which cargo fuzz sets) and for this crate's tests, which replay the
//! corpus and every input a fuzzer found (`fuzz/corpus`, `fuzz/regressions`). Whatever the bytes,
//! a call answers (an error is an answer); a panic, which the component turns into a trap, is a
//! finding.

use crate::host::*;
use crate::provider;
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// One export call: the first byte picks the resource (its low bit) and the call (the rest, modulo
/// nine); the remaining bytes are up to three text arguments separated by 0xFF (never in UTF-8):
/// check(olds, news), diff(id, olds, news), create(inputs) as a preview, read(id, state),
/// update(id, olds, news) as a preview, delete(id, state), import(id), list(query, continuation)
/// in pages of 1, rotate(inputs, replace) as a preview.
pub fn component_inputs(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else { return };
    let token = if selector & 1 == 0 { crate::access_key::TOKEN } else { crate::bucket::TOKEN };
    let mut fields = rest.splitn(3, |b| *b == 0xFF).map(String::from_utf8_lossy);
    let mut next = || fields.next().unwrap_or_default();
    let (a, b, c) = (next(), next(), next());
    let host = AnsweringHost;
    let _ = match (selector >> 1) % 9 {
        0 => provider::check(&host, token, (!a.is_empty()).then_some(&*a), &b).map(drop),
        1 => provider::diff(&host, token, &a, &b, &c).map(drop),
        2 => provider::create(&host, token, &a, true).map(drop),
        3 => provider::read(&host, token, &a, Some(&b)).map(drop),
        4 => provider::update(&host, token, &a, &b, &c, true).map(drop),
        5 => provider::delete(&host, token, &a, &b),
        6 => provider::import(&host, token, &a).map(drop),
        7 => provider::list(&host, token, &a, 0, 1, (!b.is_empty()).then_some(&*b)).map(drop),
        _ => provider::rotate(&host, token, &a, (!b.is_empty()).then_some(&*b), true).map(drop),
    };
}

/// A host whose account has, in every bucket asked about, one active key; whose changes answer
/// with no operation to wait for; and whose creates are refused, so a fuzzed call never loops.
struct AnsweringHost;

fn refused() -> ApiError {
    ApiError::new(ErrorKind::Service, "AccessDeniedException", "refused by the fuzzing host", false)
}

impl Host for AnsweringHost {
    type Guard = ();
    fn lock(&self, _name: &str) -> Result<(), LockError> {
        Ok(())
    }
    fn lock_reach(&self) -> LockReach {
        LockReach::EveryCreator
    }
    fn default_region(&self) -> String {
        "us-east-1".to_owned()
    }
    fn default_tags(&self) -> Tags {
        vec![("team".to_owned(), "fuzz".to_owned())]
    }
    fn create_bucket_access_key(&self, _: Option<&str>, _: &str) -> Result<CreatedAccessKey, ApiError> {
        Err(refused())
    }
    fn get_bucket_access_keys(&self, _: Option<&str>, _: &str) -> Result<Vec<AccessKey>, ApiError> {
        Ok(vec![AccessKey {
            access_key_id: "AKIAFUZZFUZZFUZZFUZZ".to_owned(),
            secret_access_key: None,
            status: Some("Active".to_owned()),
            created_at: Some(1_800_000_000.0),
            last_used: None,
        }])
    }
    fn delete_bucket_access_key(&self, _: Option<&str>, _: &str, _: &str) -> Result<Vec<Operation>, ApiError> {
        Ok(Vec::new())
    }
    fn get_operation(&self, _: Option<&str>, _: &str) -> Result<Operation, ApiError> {
        Err(refused())
    }
    fn create_bucket(
        &self,
        _: Option<&str>,
        _: &str,
        _: &str,
        _: &[(String, String)],
    ) -> Result<CreatedBucket, ApiError> {
        Err(refused())
    }
    fn get_bucket(&self, region: Option<&str>, bucket_name: &str) -> Result<Bucket, ApiError> {
        Ok(Bucket {
            name: bucket_name.to_owned(),
            arn: None,
            bundle_id: Some("small_1_0".to_owned()),
            created_at: Some(1_800_000_000.0),
            url: None,
            availability_zone: None,
            region: Some(region.unwrap_or("us-east-1").to_owned()),
            support_code: None,
            tags: vec![("team".to_owned(), "web".to_owned())],
        })
    }
    fn get_buckets(&self, region: Option<&str>, page_token: Option<&str>) -> Result<BucketPage, ApiError> {
        // Two pages of one bucket each.
        let (name, next) = match page_token {
            None => ("fuzz-bucket-1", Some("page-2".to_owned())),
            Some(_) => ("fuzz-bucket-2", None),
        };
        Ok(BucketPage { buckets: vec![self.get_bucket(region, name)?], next_page_token: next })
    }
    fn update_bucket_bundle(&self, _: Option<&str>, _: &str, _: &str) -> Result<Vec<Operation>, ApiError> {
        Ok(Vec::new())
    }
    fn delete_bucket(&self, _: Option<&str>, _: &str, _: bool) -> Result<Vec<Operation>, ApiError> {
        Ok(Vec::new())
    }
    fn tag_resource(&self, _: Option<&str>, _: &str, _: &[(String, String)]) -> Result<Vec<Operation>, ApiError> {
        Ok(Vec::new())
    }
    fn untag_resource(&self, _: Option<&str>, _: &str, _: &[String]) -> Result<Vec<Operation>, ApiError> {
        Ok(Vec::new())
    }
    fn check_public_key(&self, _: &[u8]) -> Result<String, KeyError> {
        Err(KeyError::Malformed("the fuzzing host reads no key".to_owned()))
    }
    fn encrypt(&self, _: &[u8], _: &[u8]) -> Result<Encrypted, KeyError> {
        Err(KeyError::Malformed("the fuzzing host reads no key".to_owned()))
    }
    fn wait(&self, _millis: u32) {}
    fn log(&self, _level: Level, _message: &str) {}
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_corpus_and_finding_replays() {
        fuzz_corpus::replay("component_inputs", super::component_inputs);
    }
}
