//! The buckets' objects and multipart uploads, and the rules of the S3 operations on them. Like the
//! rest of the state they are served from memory and written to the database before a change is
//! answered; `s3` reads and writes the wire.

use crate::s3::error::S3Error;
use crate::store::{Changed, Store};
use bytes::Bytes;
use md5::{Digest, Md5};
use std::collections::BTreeMap;

/// S3's smallest part, but for the last one (5 MiB).
pub const MIN_PART_SIZE: usize = 5 * 1024 * 1024;
/// S3's part numbers run from 1 to 10,000.
pub const MAX_PART_NUMBER: u32 = 10_000;
/// S3's longest key, in UTF-8 bytes.
pub const MAX_KEY_LENGTH: usize = 1024;

/// An object: its bytes and what S3 answers about it.
#[derive(Clone)]
pub(crate) struct StoredObject {
    pub(crate) data: Bytes,
    /// With its quotes, as S3 writes it: `"<md5 hex>"`, or `"<md5 of the parts' md5s>-<parts>"`.
    pub(crate) etag: String,
    /// Epoch seconds.
    pub(crate) last_modified: f64,
    /// The headers given at upload that S3 answers back: `content-type`, `cache-control`,
    /// `content-disposition`, `content-encoding`, `content-language`, `expires`, `x-amz-meta-*`.
    pub(crate) headers: Vec<(String, String)>,
}

impl std::fmt::Debug for StoredObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredObject").field("size", &self.data.len()).field("etag", &self.etag).finish()
    }
}

/// A multipart upload in progress.
#[derive(Debug, Clone)]
pub(crate) struct StoredUpload {
    pub(crate) bucket: String,
    pub(crate) key: String,
    pub(crate) initiated: f64,
    /// The object's headers, given when the upload was created.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) parts: BTreeMap<u32, StoredPart>,
}

#[derive(Clone)]
pub(crate) struct StoredPart {
    pub(crate) data: Bytes,
    pub(crate) etag: String,
}

impl std::fmt::Debug for StoredPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredPart").field("size", &self.data.len()).field("etag", &self.etag).finish()
    }
}

/// One object of a listing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Listed {
    pub(crate) key: String,
    pub(crate) size: usize,
    pub(crate) etag: String,
    pub(crate) last_modified: f64,
}

/// A page of a listing, in key order.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    pub(crate) objects: Vec<Listed>,
    pub(crate) common_prefixes: Vec<String>,
    /// Set when more follow: the last key or prefix of this page, to start after.
    pub(crate) next_after: Option<String>,
}

/// What a listing asks for.
pub(crate) struct ListQuery<'a> {
    pub(crate) prefix: &'a str,
    pub(crate) delimiter: Option<&'a str>,
    /// Keys at or before this are left out.
    pub(crate) after: Option<&'a str>,
    pub(crate) max_keys: usize,
}

/// `"<md5 hex>"` of `data`.
pub(crate) fn etag_of(data: &[u8]) -> String {
    format!("\"{}\"", hex::encode(Md5::digest(data)))
}

/// S3's key rules: 1 to 1,024 bytes of UTF-8.
pub(crate) fn validate_key(key: &str) -> Result<(), S3Error> {
    if key.is_empty() || key.len() > MAX_KEY_LENGTH {
        return Err(S3Error::key_too_long(key.len()));
    }
    Ok(())
}

impl Store {
    /// The region of the bucket of this name (bucket names are global).
    pub(crate) fn bucket_region(&self, bucket: &str) -> Option<&str> {
        self.regions.iter().find(|(_, state)| state.buckets.contains_key(bucket)).map(|(region, _)| region.as_str())
    }

    /// The bucket and secret of an access key, wherever it is (key ids are global).
    pub(crate) fn find_access_key(&self, access_key_id: &str) -> Option<FoundKey<'_>> {
        self.regions.values().find_map(|state| {
            state.buckets.values().find_map(|bucket| {
                let key = bucket.access_keys.iter().find(|k| k.access_key_id == access_key_id)?;
                Some(FoundKey {
                    bucket: &bucket.name,
                    active: key.status == "Active",
                    secret: key.secret_access_key.as_deref(),
                })
            })
        })
    }

    /// Whether anyone may read the bucket's objects (its access rules say `getObject: public`).
    pub(crate) fn is_public_read(&self, region: &str, bucket: &str) -> bool {
        self.regions
            .get(region)
            .and_then(|r| r.buckets.get(bucket))
            .is_some_and(|b| b.settings.access_rules.get_object == "public")
    }

    /// The object, if the bucket holds it.
    pub(crate) fn object(&self, region: &str, bucket: &str, key: &str) -> Result<&StoredObject, S3Error> {
        self.regions
            .get(region)
            .and_then(|r| r.objects.get(bucket))
            .and_then(|objects| objects.get(key))
            .ok_or_else(|| S3Error::no_such_key(key))
    }

    /// The bucket's objects and the total of their sizes.
    pub fn object_count_and_size(&self, region: &str, bucket: &str) -> (usize, usize) {
        let objects = self.regions.get(region).and_then(|r| r.objects.get(bucket));
        objects.map_or((0, 0), |objects| (objects.len(), objects.values().map(|o| o.data.len()).sum()))
    }

    /// Checked again where an object or upload is made, under the store's lock: the request was
    /// authorised before it got there, and a forced DeleteBucket may have come in between.
    fn require_bucket(&self, region: &str, bucket: &str) -> Result<(), S3Error> {
        match self.regions.get(region).is_some_and(|r| r.buckets.contains_key(bucket)) {
            true => Ok(()),
            false => Err(S3Error::no_such_bucket(bucket)),
        }
    }

    /// Stores an object (replacing one of the same key) and returns its ETag.
    pub(crate) fn put_object(
        &mut self,
        region: &str,
        bucket: &str,
        key: &str,
        now: f64,
        data: Bytes,
        headers: Vec<(String, String)>,
    ) -> Result<String, S3Error> {
        validate_key(key)?;
        self.require_bucket(region, bucket)?;
        let etag = etag_of(&data);
        let object = StoredObject { data, etag: etag.clone(), last_modified: now, headers };
        self.insert_object(region, bucket, key, object);
        Ok(etag)
    }

    fn insert_object(&mut self, region: &str, bucket: &str, key: &str, object: StoredObject) {
        let state = self.regions.entry(region.to_string()).or_default();
        state.objects.entry(bucket.to_string()).or_default().insert(key.to_string(), object);
        self.changed.insert(Changed::Object { region: region.into(), bucket: bucket.into(), key: key.into() });
    }

    /// Deletes an object; one that is not there is fine, as S3 has it.
    pub(crate) fn delete_object(&mut self, region: &str, bucket: &str, key: &str) {
        let Some(objects) = self.regions.get_mut(region).and_then(|r| r.objects.get_mut(bucket)) else { return };
        if objects.remove(key).is_some() {
            self.changed.insert(Changed::Object { region: region.into(), bucket: bucket.into(), key: key.into() });
        }
    }

    /// A page of the bucket's keys under `prefix`, with the keys that share a part up to the
    /// delimiter rolled up into common prefixes, as S3 lists them.
    pub(crate) fn list_objects(&self, region: &str, bucket: &str, query: &ListQuery<'_>) -> Listing {
        let mut listing = Listing::default();
        let Some(objects) = self.regions.get(region).and_then(|r| r.objects.get(bucket)) else { return listing };
        let mut last_prefix: Option<String> = None;
        let mut entries = 0;
        for (key, object) in
            objects.range::<str, _>((std::ops::Bound::Included(query.prefix), std::ops::Bound::Unbounded))
        {
            if !key.starts_with(query.prefix) {
                break;
            }
            if query.after.is_some_and(|after| key.as_str() <= after) {
                continue;
            }
            let rolled = query.delimiter.filter(|d| !d.is_empty()).and_then(|delimiter| {
                let rest = &key[query.prefix.len()..];
                rest.find(delimiter).map(|at| key[..query.prefix.len() + at + delimiter.len()].to_string())
            });
            if let Some(prefix) = &rolled
                && last_prefix.as_ref() == Some(prefix)
            {
                continue;
            }
            if entries == query.max_keys {
                listing.next_after = match &last_prefix {
                    // Resume past every key the rolled-up prefix stands for: after PREFIX + U+10FFFF.
                    Some(prefix) => Some(format!("{prefix}\u{10FFFF}")),
                    None => listing.objects.last().map(|o| o.key.clone()),
                };
                break;
            }
            entries += 1;
            match rolled {
                Some(prefix) => {
                    listing.common_prefixes.push(prefix.clone());
                    last_prefix = Some(prefix);
                }
                None => {
                    last_prefix = None;
                    listing.objects.push(Listed {
                        key: key.clone(),
                        size: object.data.len(),
                        etag: object.etag.clone(),
                        last_modified: object.last_modified,
                    })
                }
            }
        }
        listing
    }

    /// Starts a multipart upload and returns its id.
    pub(crate) fn create_multipart_upload(
        &mut self,
        region: &str,
        bucket: &str,
        key: &str,
        now: f64,
        headers: Vec<(String, String)>,
    ) -> Result<String, S3Error> {
        validate_key(key)?;
        self.require_bucket(region, bucket)?;
        let id = crate::keys::upload_id();
        let upload =
            StoredUpload { bucket: bucket.into(), key: key.into(), initiated: now, headers, parts: BTreeMap::new() };
        self.regions.entry(region.to_string()).or_default().uploads.insert(id.clone(), upload);
        self.changed.insert(Changed::Upload { region: region.into(), id: id.clone() });
        Ok(id)
    }

    fn upload_mut(&mut self, region: &str, bucket: &str, key: &str, id: &str) -> Result<&mut StoredUpload, S3Error> {
        self.regions
            .get_mut(region)
            .and_then(|r| r.uploads.get_mut(id))
            .filter(|upload| upload.bucket == bucket && upload.key == key)
            .ok_or_else(|| S3Error::no_such_upload(id))
    }

    /// Stores a part of an upload (replacing one of the same number) and returns its ETag.
    pub(crate) fn upload_part(
        &mut self,
        region: &str,
        bucket: &str,
        key: &str,
        id: &str,
        number: u32,
        data: Bytes,
    ) -> Result<String, S3Error> {
        if !(1..=MAX_PART_NUMBER).contains(&number) {
            return Err(S3Error::invalid_argument(format!(
                "Part number must be an integer between 1 and {MAX_PART_NUMBER}, inclusive"
            )));
        }
        let etag = etag_of(&data);
        self.upload_mut(region, bucket, key, id)?.parts.insert(number, StoredPart { data, etag: etag.clone() });
        self.changed.insert(Changed::Part { region: region.into(), upload: id.into(), number });
        Ok(etag)
    }

    /// Joins the parts the client lists (in ascending order, each but the last at least 5 MiB)
    /// into the object, ends the upload, and returns the object's ETag.
    pub(crate) fn complete_multipart_upload(
        &mut self,
        region: &str,
        bucket: &str,
        key: &str,
        id: &str,
        now: f64,
        listed: &[(u32, String)],
    ) -> Result<String, S3Error> {
        let upload = self.upload_mut(region, bucket, key, id)?;
        if listed.is_empty() {
            return Err(S3Error::malformed_xml("You must specify at least one part"));
        }
        if listed.windows(2).any(|pair| pair[0].0 >= pair[1].0) {
            return Err(S3Error::invalid_part_order());
        }
        let mut parts = Vec::with_capacity(listed.len());
        for (number, etag) in listed {
            let part = upload.parts.get(number).filter(|part| unquoted(&part.etag) == unquoted(etag));
            parts.push(part.ok_or_else(|| S3Error::invalid_part(*number))?);
        }
        if let Some(small) = parts[..parts.len() - 1].iter().position(|part| part.data.len() < MIN_PART_SIZE) {
            return Err(S3Error::entity_too_small(listed[small].0, parts[small].data.len()));
        }
        let mut data = Vec::with_capacity(parts.iter().map(|part| part.data.len()).sum());
        let mut digests = Md5::new();
        for part in &parts {
            data.extend_from_slice(&part.data);
            digests.update(hex::decode(unquoted(&part.etag)).unwrap_or_default());
        }
        let etag = format!("\"{}-{}\"", hex::encode(digests.finalize()), parts.len());
        let headers = std::mem::take(&mut upload.headers);
        let numbers: Vec<u32> = upload.parts.keys().copied().collect();
        self.end_upload(region, id, numbers);
        let object = StoredObject { data: data.into(), etag: etag.clone(), last_modified: now, headers };
        self.insert_object(region, bucket, key, object);
        Ok(etag)
    }

    /// Ends an upload and forgets its parts.
    pub(crate) fn abort_multipart_upload(
        &mut self,
        region: &str,
        bucket: &str,
        key: &str,
        id: &str,
    ) -> Result<(), S3Error> {
        let numbers: Vec<u32> = self.upload_mut(region, bucket, key, id)?.parts.keys().copied().collect();
        self.end_upload(region, id, numbers);
        Ok(())
    }

    fn end_upload(&mut self, region: &str, id: &str, numbers: Vec<u32>) {
        if let Some(state) = self.regions.get_mut(region) {
            state.uploads.remove(id);
        }
        self.changed.insert(Changed::Upload { region: region.into(), id: id.into() });
        for number in numbers {
            self.changed.insert(Changed::Part { region: region.into(), upload: id.into(), number });
        }
    }
}

/// An access key as the S3 side checks it.
pub(crate) struct FoundKey<'a> {
    pub(crate) bucket: &'a str,
    pub(crate) active: bool,
    pub(crate) secret: Option<&'a str>,
}

fn unquoted(etag: &str) -> &str {
    etag.trim_matches('"')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoredBucket;

    fn store_with(keys: &[&str]) -> Store {
        let mut store = Store::new();
        let state = store.regions.entry("us-east-1".into()).or_default();
        state.buckets.insert("b".into(), StoredBucket::for_tests("b"));
        for key in keys {
            store.put_object("us-east-1", "b", key, 1.0, Bytes::from_static(b"x"), Vec::new()).unwrap();
        }
        store
    }

    fn list(store: &Store, prefix: &str, delimiter: Option<&str>, after: Option<&str>, max_keys: usize) -> Listing {
        store.list_objects("us-east-1", "b", &ListQuery { prefix, delimiter, after, max_keys })
    }

    fn keys(listing: &Listing) -> Vec<&str> {
        listing.objects.iter().map(|o| o.key.as_str()).collect()
    }

    #[test]
    fn listings_roll_up_by_delimiter_and_page_past_whole_prefixes() {
        let store = store_with(&["a/1", "a/2", "a/3", "b", "c/1", "d"]);
        let all = list(&store, "", Some("/"), None, 1000);
        assert_eq!((keys(&all), all.common_prefixes.clone()), (vec!["b", "d"], vec!["a/".into(), "c/".into()]));
        assert_eq!(all.next_after, None);

        // Two entries a page: a rolled-up prefix counts once, and the next page starts after it.
        let first = list(&store, "", Some("/"), None, 2);
        assert_eq!((keys(&first), first.common_prefixes.clone()), (vec!["b"], vec!["a/".into()]));
        let second = list(&store, "", Some("/"), first.next_after.as_deref(), 2);
        assert_eq!((keys(&second), second.common_prefixes.clone()), (vec!["d"], vec!["c/".into()]));
        assert_eq!(second.next_after, None);

        let under_a = list(&store, "a/", None, Some("a/1"), 1);
        assert_eq!((keys(&under_a), under_a.next_after.as_deref()), (vec!["a/2"], Some("a/2")));
    }

    #[test]
    fn multipart_parts_must_be_listed_in_order_and_large_enough() {
        let mut store = store_with(&[]);
        let id = store.create_multipart_upload("us-east-1", "b", "big", 1.0, Vec::new()).unwrap();
        let big = Bytes::from(vec![7u8; MIN_PART_SIZE]);
        let one = store.upload_part("us-east-1", "b", "big", &id, 1, big.clone()).unwrap();
        let two = store.upload_part("us-east-1", "b", "big", &id, 2, Bytes::from_static(b"end")).unwrap();
        let complete = |store: &mut Store, parts: &[(u32, String)]| {
            store.complete_multipart_upload("us-east-1", "b", "big", &id, 2.0, parts).map_err(|e| e.code)
        };
        assert_eq!(complete(&mut store, &[(2, two.clone()), (1, one.clone())]), Err("InvalidPartOrder"));
        assert_eq!(complete(&mut store, &[(1, two.clone())]), Err("InvalidPart"));
        assert_eq!(complete(&mut store, &[(2, two.clone()), (3, one.clone())]), Err("InvalidPart"));
        let etag = complete(&mut store, &[(1, one), (2, two)]).unwrap();
        assert!(etag.ends_with("-2\""), "{etag}");
        let object = store.object("us-east-1", "b", "big").unwrap();
        assert_eq!(object.data.len(), MIN_PART_SIZE + 3);
        // The upload is over.
        let err = store.upload_part("us-east-1", "b", "big", &id, 3, big).unwrap_err();
        assert_eq!(err.code, "NoSuchUpload");
    }

    #[test]
    fn nothing_is_stored_in_a_bucket_deleted_after_the_request_was_authorised() {
        let mut store = store_with(&[]);
        store.regions.get_mut("us-east-1").unwrap().buckets.remove("b");
        let put = store.put_object("us-east-1", "b", "late", 1.0, Bytes::from_static(b"x"), Vec::new());
        assert_eq!(put.unwrap_err().code, "NoSuchBucket");
        let upload = store.create_multipart_upload("us-east-1", "b", "late", 1.0, Vec::new());
        assert_eq!(upload.unwrap_err().code, "NoSuchBucket");
        assert_eq!(store.object_count_and_size("us-east-1", "b"), (0, 0));
    }
}
