//! S3's XML bodies, with the element names of the S3 API reference, written and read with
//! quick-xml's serde support.

use serde::{Deserialize, Serialize};

const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// An answer as S3 writes it: the declaration, then the root element.
pub(crate) fn document<T: Serialize>(root: &str, value: &T) -> String {
    let body = quick_xml::se::to_string_with_root(root, value).expect("S3 answers serialize");
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}")
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListAllMyBucketsResult {
    #[serde(rename = "@xmlns", serialize_with = "ns")]
    pub(crate) xmlns: (),
    pub(crate) owner: Owner,
    pub(crate) buckets: Buckets,
}

/// Every answer's `xmlns`: a unit field serialized as the namespace, so no answer can get it wrong.
fn ns<S: serde::Serializer>(_: &(), serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(NAMESPACE)
}

#[derive(Serialize)]
pub(crate) struct Owner {
    #[serde(rename = "ID")]
    pub(crate) id: String,
    #[serde(rename = "DisplayName")]
    pub(crate) display_name: String,
}

#[derive(Serialize)]
pub(crate) struct Buckets {
    #[serde(rename = "Bucket")]
    pub(crate) bucket: Vec<BucketEntry>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BucketEntry {
    pub(crate) name: String,
    pub(crate) creation_date: String,
}

/// ListObjectsV2's answer, and ListObjects' (v1: `Marker` and `NextMarker` instead of the tokens).
#[derive(Serialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListBucketResult {
    #[serde(rename = "@xmlns", serialize_with = "ns")]
    pub(crate) xmlns: (),
    pub(crate) name: String,
    pub(crate) prefix: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) marker: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) next_marker: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) start_after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) continuation_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) next_continuation_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) key_count: Option<usize>,
    pub(crate) max_keys: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) delimiter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) encoding_type: Option<String>,
    pub(crate) is_truncated: bool,
    pub(crate) contents: Vec<Contents>,
    pub(crate) common_prefixes: Vec<CommonPrefix>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Contents {
    pub(crate) key: String,
    pub(crate) last_modified: String,
    #[serde(rename = "ETag")]
    pub(crate) etag: String,
    pub(crate) size: usize,
    pub(crate) storage_class: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CommonPrefix {
    pub(crate) prefix: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct InitiateMultipartUploadResult {
    #[serde(rename = "@xmlns", serialize_with = "ns")]
    pub(crate) xmlns: (),
    pub(crate) bucket: String,
    pub(crate) key: String,
    pub(crate) upload_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CompleteMultipartUploadResult {
    #[serde(rename = "@xmlns", serialize_with = "ns")]
    pub(crate) xmlns: (),
    pub(crate) location: String,
    pub(crate) bucket: String,
    pub(crate) key: String,
    #[serde(rename = "ETag")]
    pub(crate) etag: String,
}

/// CompleteMultipartUpload's request.
#[derive(Deserialize)]
pub(crate) struct CompleteMultipartUpload {
    #[serde(rename = "Part", default)]
    pub(crate) parts: Vec<CompletedPart>,
}

#[derive(Deserialize)]
pub(crate) struct CompletedPart {
    #[serde(rename = "PartNumber")]
    pub(crate) part_number: u32,
    #[serde(rename = "ETag")]
    pub(crate) etag: String,
}

/// DeleteObjects' request.
#[derive(Deserialize)]
pub(crate) struct Delete {
    #[serde(rename = "Object", default)]
    pub(crate) objects: Vec<ObjectIdentifier>,
    #[serde(rename = "Quiet", default)]
    pub(crate) quiet: bool,
}

#[derive(Deserialize)]
pub(crate) struct ObjectIdentifier {
    #[serde(rename = "Key")]
    pub(crate) key: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeleteResult {
    #[serde(rename = "@xmlns", serialize_with = "ns")]
    pub(crate) xmlns: (),
    pub(crate) deleted: Vec<Deleted>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Deleted {
    pub(crate) key: String,
}

/// GetObjectTagging's answer: objects here carry no tags.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Tagging {
    #[serde(rename = "@xmlns", serialize_with = "ns")]
    pub(crate) xmlns: (),
    pub(crate) tag_set: TagSet,
}

#[derive(Serialize)]
pub(crate) struct TagSet {}

/// GetBucketLocation's answer: the region, empty for us-east-1 (as S3 answers it).
#[derive(Serialize)]
pub(crate) struct LocationConstraint {
    #[serde(rename = "@xmlns", serialize_with = "ns")]
    pub(crate) xmlns: (),
    #[serde(rename = "$text")]
    pub(crate) region: String,
}

/// A request body as one of the shapes above, or S3's `MalformedXML`.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, super::error::S3Error> {
    let text = std::str::from_utf8(body).map_err(|_| super::error::S3Error::malformed_xml("The XML is not UTF-8."))?;
    quick_xml::de::from_str(text).map_err(|e| {
        super::error::S3Error::malformed_xml(format!(
            "The XML you provided was not well-formed or did not validate against our published schema: {e}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_is_written_as_s3_writes_it() {
        let listing = ListBucketResult {
            name: "b".into(),
            key_count: Some(1),
            max_keys: 1000,
            delimiter: Some("/".into()),
            contents: vec![Contents {
                key: "a&b".into(),
                last_modified: "2026-01-01T00:00:00.000Z".into(),
                etag: "\"x\"".into(),
                size: 3,
                storage_class: "STANDARD",
            }],
            common_prefixes: vec![CommonPrefix { prefix: "p/".into() }],
            ..Default::default()
        };
        let xml = document("ListBucketResult", &listing);
        assert!(xml.starts_with("<?xml"), "{xml}");
        for part in [
            "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
            "<Name>b</Name><Prefix/>",
            "<Contents><Key>a&amp;b</Key>",
            "<ETag>\"x\"</ETag><Size>3</Size>",
            "<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes>",
            "<IsTruncated>false</IsTruncated>",
        ] {
            assert!(xml.contains(part), "{part} not in {xml}");
        }
    }

    #[test]
    fn a_completion_is_read_with_its_parts() {
        let body = br#"<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>"e1"</ETag><PartNumber>1</PartNumber></Part><Part><ETag>"e2"</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>"#;
        let parsed: CompleteMultipartUpload = parse(body).unwrap();
        let parts: Vec<(u32, &str)> = parsed.parts.iter().map(|p| (p.part_number, p.etag.as_str())).collect();
        assert_eq!(parts, [(1, "\"e1\""), (2, "\"e2\"")]);
        assert_eq!(parse::<CompleteMultipartUpload>(b"<nope").err().unwrap().code, "MalformedXML");
    }
}
