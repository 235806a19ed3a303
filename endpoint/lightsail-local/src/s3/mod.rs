//! The S3 side: each bucket's objects over the S3 REST API (path-style on the endpoint's own
//! address, or virtual-hosted with the bucket as the host's first label), authorised as Lightsail
//! authorises it: a request signed (SigV4, service `s3`) with an active access key of *that*
//! bucket; anonymous reads only when the bucket's access rules make objects public.
//!
//! Every request goes the same way: route, read the body, authenticate, decode the payload,
//! count, authorise, meet its faults, serve.

pub(crate) mod error;
pub(crate) mod payload;
pub(crate) mod wire;

use crate::auth::{self, Canonical};
use crate::faults::Refusal;
use crate::objects::{ListQuery, Listing, StoredObject};
use crate::server::{LostResponse, Met, Shared, now_seconds};
use crate::sync::lock;
use aws_sigv4::http_request::SignableBody;
use bytes::Bytes;
use error::S3Error;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use payload::{ChunkSigner, Encoding};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use subtle::ConstantTimeEq;

/// The largest request body the S3 side serves by default (bytes): a PutObject or one part.
pub const DEFAULT_OBJECT_LIMIT: usize = 64 * 1024 * 1024;
/// The most keys a listing answers at once, as S3.
const MAX_KEYS: usize = 1000;

/// The S3 operations served, by the names S3 gives them (the stats count them so).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    ListBuckets,
    HeadBucket,
    GetBucketLocation,
    ListObjects,
    ListObjectsV2,
    DeleteObjects,
    GetObject,
    HeadObject,
    GetObjectTagging,
    PutObject,
    DeleteObject,
    CreateMultipartUpload,
    UploadPart,
    CompleteMultipartUpload,
    AbortMultipartUpload,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::ListBuckets => "ListBuckets",
            Op::HeadBucket => "HeadBucket",
            Op::GetBucketLocation => "GetBucketLocation",
            Op::ListObjects => "ListObjects",
            Op::ListObjectsV2 => "ListObjectsV2",
            Op::DeleteObjects => "DeleteObjects",
            Op::GetObject => "GetObject",
            Op::HeadObject => "HeadObject",
            Op::GetObjectTagging => "GetObjectTagging",
            Op::PutObject => "PutObject",
            Op::DeleteObject => "DeleteObject",
            Op::CreateMultipartUpload => "CreateMultipartUpload",
            Op::UploadPart => "UploadPart",
            Op::CompleteMultipartUpload => "CompleteMultipartUpload",
            Op::AbortMultipartUpload => "AbortMultipartUpload",
        }
    }

    fn is_mutating(self) -> bool {
        matches!(
            self,
            Op::DeleteObjects
                | Op::PutObject
                | Op::DeleteObject
                | Op::CreateMultipartUpload
                | Op::UploadPart
                | Op::CompleteMultipartUpload
                | Op::AbortMultipartUpload
        )
    }

    /// What a public bucket lets anyone do.
    fn is_public_read(self) -> bool {
        matches!(self, Op::GetObject | Op::HeadObject)
    }
}

/// Whether a request is the S3 side's: everything but Lightsail's `POST /` with `X-Amz-Target`.
pub(crate) fn is_s3<B>(req: &Request<B>) -> bool {
    !(req.method() == Method::POST && req.uri().path() == "/" && req.headers().contains_key("x-amz-target"))
}

/// Runs a change on the store and has it written before it is answered.
async fn change<T>(shared: &Shared, call: impl FnOnce(&mut crate::store::Store) -> T) -> Result<T, S3Error> {
    shared.apply(call).await.map_err(|e| S3Error::internal(format!("The state could not be saved: {e}")))
}

/// What the request addresses, decoded.
struct Target {
    bucket: Option<String>,
    key: Option<String>,
    query: Vec<(String, String)>,
}

impl Target {
    fn of(parts: &http::request::Parts, shared: &Shared) -> Result<Self, S3Error> {
        let decode = |text: &str| {
            percent_decode_str(text)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| S3Error::invalid_argument("The path is not UTF-8 once decoded."))
        };
        let query = form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes()).into_owned().collect();
        let path = parts.uri.path().strip_prefix('/').unwrap_or(parts.uri.path());
        // Virtual-hosted style: `BUCKET.HOST`, when the first label names a bucket.
        let host = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(name, _)| name);
        if let Some((label, _)) = host.split_once('.')
            && host.parse::<std::net::IpAddr>().is_err()
            && lock(&shared.store).bucket_region(label).is_some()
        {
            let key = (!path.is_empty()).then(|| decode(path)).transpose()?;
            return Ok(Self { bucket: Some(label.to_string()), key, query });
        }
        let (bucket, key) = match path.split_once('/') {
            Some((bucket, key)) => (bucket, (!key.is_empty()).then_some(key)),
            None => (path, None),
        };
        let bucket = (!bucket.is_empty()).then(|| decode(bucket)).transpose()?;
        let key = key.map(decode).transpose()?;
        Ok(Self { bucket, key, query })
    }

    fn has(&self, name: &str) -> bool {
        self.query.iter().any(|(n, _)| n == name)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Subresources of S3 this endpoint does not serve (and that clients send as a bare `?name`).
const UNSERVED: &[&str] = &[
    "accelerate",
    "acl",
    "analytics",
    "attributes",
    "cors",
    "encryption",
    "intelligent-tiering",
    "inventory",
    "legal-hold",
    "lifecycle",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "ownershipControls",
    "policy",
    "policyStatus",
    "publicAccessBlock",
    "replication",
    "requestPayment",
    "restore",
    "retention",
    "select",
    "torrent",
    "versioning",
    "versions",
    "website",
];

fn route(method: &Method, target: &Target, headers: &http::HeaderMap) -> Result<Op, S3Error> {
    let unserved = |what: String| Err(S3Error::not_implemented(&what));
    if let Some(sub) = UNSERVED.iter().find(|sub| target.has(sub)) {
        return unserved(format!("{method} ?{sub}"));
    }
    if target.has("X-Amz-Signature") {
        return unserved("Query-string authentication (presigned URLs)".into());
    }
    let op = match (&target.bucket, &target.key) {
        (None, _) if method == Method::GET => Op::ListBuckets,
        (None, _) => return Err(S3Error::method_not_allowed(method.as_str())),
        (Some(_), None) => match *method {
            Method::HEAD => Op::HeadBucket,
            Method::GET if target.has("location") => Op::GetBucketLocation,
            Method::GET if target.has("tagging") => return unserved("GetBucketTagging".into()),
            Method::GET if target.has("uploads") => return unserved("ListMultipartUploads".into()),
            Method::GET if target.get("list-type") == Some("2") => Op::ListObjectsV2,
            Method::GET => Op::ListObjects,
            Method::POST if target.has("delete") => Op::DeleteObjects,
            Method::PUT | Method::DELETE => {
                return unserved(format!(
                    "{} over S3 (a Lightsail bucket is made and deleted with Lightsail's CreateBucket and DeleteBucket)",
                    if *method == Method::PUT { "CreateBucket" } else { "DeleteBucket" }
                ));
            }
            _ => return Err(S3Error::method_not_allowed(method.as_str())),
        },
        (Some(_), Some(_)) => match *method {
            Method::GET if target.has("tagging") => Op::GetObjectTagging,
            Method::GET if target.has("uploadId") => return unserved("ListParts".into()),
            Method::GET => Op::GetObject,
            Method::HEAD => Op::HeadObject,
            Method::PUT if target.has("tagging") => return unserved("PutObjectTagging".into()),
            Method::PUT if headers.contains_key("x-amz-copy-source") => return unserved("CopyObject".into()),
            Method::PUT if target.has("uploadId") => Op::UploadPart,
            Method::PUT => Op::PutObject,
            Method::POST if target.has("uploads") => Op::CreateMultipartUpload,
            Method::POST if target.has("uploadId") => Op::CompleteMultipartUpload,
            Method::DELETE if target.has("tagging") => return unserved("DeleteObjectTagging".into()),
            Method::DELETE if target.has("uploadId") => Op::AbortMultipartUpload,
            Method::DELETE => Op::DeleteObject,
            _ => return Err(S3Error::method_not_allowed(method.as_str())),
        },
    };
    Ok(op)
}

/// Who sent the request.
enum Caller {
    Anonymous,
    /// An active access key of `bucket`, whose signature checked out.
    Key {
        bucket: String,
        scope_region: String,
    },
}

/// An error, and whether the call already shows in the per-operation counters.
struct Failed {
    error: S3Error,
    counted: bool,
}

impl From<S3Error> for Failed {
    fn from(error: S3Error) -> Self {
        Failed { error, counted: false }
    }
}

/// Serves one S3 request.
pub(crate) async fn serve(shared: &Shared, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, LostResponse> {
    let request_id = crate::keys::uuid().replace('-', "")[..16].to_ascii_uppercase();
    let resource = req.uri().path().to_string();
    let head = req.method() == Method::HEAD;
    match handle(shared, req).await {
        Ok(Some(mut response)) => {
            response.headers_mut().insert("x-amz-request-id", HeaderValue::from_str(&request_id).expect("ascii"));
            Ok(response)
        }
        Ok(None) => Err(LostResponse),
        Err(Failed { error, counted }) => {
            if !counted {
                lock(&shared.stats).rejected += 1;
            }
            tracing::debug!(%error, "answering with an error");
            let body = if head { Bytes::new() } else { Bytes::from(error.body(&resource, &request_id)) };
            Ok(Response::builder()
                .status(error.status)
                .header(header::CONTENT_TYPE, "application/xml")
                .header("x-amz-request-id", &request_id)
                .body(Full::new(body))
                .expect("valid response"))
        }
    }
}

async fn handle(shared: &Shared, req: Request<Incoming>) -> Result<Option<Response<Full<Bytes>>>, Failed> {
    let (parts, body) = req.into_parts();
    let target = Target::of(&parts, shared)?;
    let op = route(&parts.method, &target, &parts.headers)?;
    let body = match Limited::new(body, shared.object_limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            return Err(S3Error::entity_too_large(shared.object_limit).into());
        }
        Err(e) => return Err(S3Error::incomplete_body(format!("The request body could not be read: {e}")).into()),
    };
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());

    // Authentication: the signature, checked with the key's own secret.
    let (caller, signer) = match header("authorization") {
        None => (Caller::Anonymous, None),
        Some(value) => {
            let signed = authenticate(shared, &parts, value)?;
            // As GetBucketAccessKeys reports it afterwards: the key's last use.
            let (key, region, now) = (&signed.access_key_id, &signed.region, crate::server::now_seconds());
            if lock(&shared.store).key_use_is_news(key, region, now) {
                change(shared, |store| store.record_key_use(key, region, now)).await?;
            }
            (Caller::Key { bucket: signed.bucket, scope_region: signed.region.clone() }, Some(signed.chunks))
        }
    };
    let encoding = match header("x-amz-content-sha256") {
        Some(value) => Encoding::of(value)?,
        None => Encoding::Unsigned,
    };
    let chunk_signer = signer.as_ref().map(|s| ChunkSigner {
        identity: &s.identity,
        region: &s.region,
        signed_at: s.signed_at,
        seed_signature: &s.seed,
    });
    let payload = payload::decode(body, encoding, chunk_signer.as_ref())?;
    if let Some(length) = header("x-amz-decoded-content-length")
        && length.parse::<usize>().ok() != Some(payload.data.len())
    {
        return Err(S3Error::incomplete_body(format!(
            "x-amz-decoded-content-length says {length} bytes; the payload holds {}",
            payload.data.len()
        ))
        .into());
    }
    payload::verify_checksums(&parts.headers, &payload.trailers, &payload.data)?;

    *lock(&shared.stats).calls.entry(op.name().to_string()).or_default() += 1;
    let counted = |error: S3Error| Failed { error, counted: true };

    // Authorisation: a key opens its own bucket only; anyone may read a public bucket's objects.
    let region = match &target.bucket {
        Some(bucket) => {
            let store = lock(&shared.store);
            let region = store.bucket_region(bucket).ok_or_else(|| counted(S3Error::no_such_bucket(bucket)))?;
            match &caller {
                Caller::Key { bucket: own, scope_region } => {
                    if own != bucket {
                        return Err(counted(S3Error::access_denied(format!(
                            "Access Denied: the access key is one of bucket {own}, not of {bucket}"
                        ))));
                    }
                    if scope_region != region {
                        return Err(counted(S3Error::authorization_malformed(format!(
                            "The authorization header is malformed; the region '{scope_region}' is wrong; expecting '{region}'"
                        ))));
                    }
                }
                Caller::Anonymous if op.is_public_read() && store.is_public_read(region, bucket) => {}
                Caller::Anonymous => return Err(counted(S3Error::access_denied("Access Denied"))),
            }
            Some(region.to_string())
        }
        None => match &caller {
            Caller::Key { .. } => None,
            Caller::Anonymous => return Err(counted(S3Error::access_denied("Access Denied"))),
        },
    };

    // Faults, as on the Lightsail side (S3 calls make no operation records).
    let request =
        Served { op, target: &target, region: region.as_deref(), caller: &caller, parts: &parts, data: payload.data };
    match shared.meet_faults(op.name(), op.is_mutating(), false, async |_| request.serve(shared).await).await {
        // Corruptions are of Lightsail's JSON answers: the S3 side serves its answer as it is.
        Met::Served(Ok(response)) | Met::Corrupted(Ok(response), _) => Ok(Some(response)),
        Met::Served(Err(error)) | Met::Corrupted(Err(error), _) => Err(counted(error)),
        Met::Refused(Refusal::Throttle) => Err(counted(S3Error::slow_down())),
        Met::Refused(Refusal::ServerError) => {
            Err(counted(S3Error::internal("We encountered an internal error. Please try again.")))
        }
        Met::Refused(Refusal::Unavailable) => Err(counted(S3Error::service_unavailable())),
        Met::Refused(Refusal::Modeled(error)) => Err(counted(modeled(error))),
        Met::Lost => Ok(None),
    }
}

/// A Lightsail error a fault names, as the S3 side answers it.
fn modeled(error: crate::ModeledError) -> S3Error {
    use crate::ModeledError as M;
    match error {
        M::AccessDenied | M::Unauthenticated => S3Error::access_denied("Access Denied (injected fault)"),
        M::NotFound => S3Error::no_such_key("(injected fault)"),
        M::InvalidInput | M::OperationFailure => S3Error::invalid_request("The request is not valid (injected fault)."),
        M::AccountSetupInProgress | M::RegionSetupInProgress | M::Service => {
            S3Error::internal("We encountered an internal error. Please try again. (injected fault)")
        }
    }
}

/// A request's signer, once its signature checked out.
struct Signed {
    access_key_id: String,
    bucket: String,
    region: String,
    chunks: ChunkKeys,
}

/// What signs the chunks of a streaming payload.
struct ChunkKeys {
    identity: aws_smithy_runtime_api::client::identity::Identity,
    region: String,
    signed_at: SystemTime,
    seed: String,
}

fn authenticate(shared: &Shared, parts: &http::request::Parts, authorization: &str) -> Result<Signed, S3Error> {
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let auth = auth::parse_authorization(authorization).map_err(|e| S3Error::authorization_malformed(e.message))?;
    if auth.access_key_id == shared.credentials.access_key_id {
        return Err(S3Error::access_denied(
            "Access Denied: a Lightsail bucket is reached with one of its access keys (CreateBucketAccessKey), \
             not with the account's credentials",
        ));
    }
    let (bucket, secret) = {
        let store = lock(&shared.store);
        let key = store
            .find_access_key(auth.access_key_id)
            .filter(|key| key.active)
            .ok_or_else(|| S3Error::invalid_access_key_id(auth.access_key_id))?;
        (key.bucket.to_string(), key.secret.map(str::to_string))
    };
    let secret = secret.ok_or_else(|| S3Error {
        message: "This key was made before lightsail-local kept secrets: it signs nothing.".into(),
        ..S3Error::signature_does_not_match()
    })?;
    if auth.service != "s3" {
        return Err(S3Error::authorization_malformed(format!(
            "The authorization header is malformed; incorrect service '{}'. This endpoint belongs to 's3'.",
            auth.service
        )));
    }
    let amz_date = header("x-amz-date")
        .ok_or_else(|| S3Error::access_denied("AWS authentication requires a valid Date or x-amz-date header"))?;
    let signed_at = auth::parse_amz_date(amz_date)
        .ok_or_else(|| S3Error::access_denied("AWS authentication requires a valid Date or x-amz-date header"))?;
    if !amz_date.starts_with(auth.date) || auth.date.len() != 8 {
        return Err(S3Error::authorization_malformed(format!(
            "The authorization header is malformed; Invalid credential date \"{}\". This date is not the same as X-Amz-Date: \"{}\".",
            auth.date,
            &amz_date[..8]
        )));
    }
    let now = SystemTime::now();
    if signed_at + auth::MAX_CLOCK_SKEW < now || signed_at > now + auth::MAX_CLOCK_SKEW {
        return Err(S3Error::request_time_too_skewed());
    }
    let content_sha256 = header("x-amz-content-sha256")
        .ok_or_else(|| S3Error::invalid_request("Missing required header for this request: x-amz-content-sha256"))?;
    let expected = auth::expected_signature(
        parts,
        SignableBody::Precomputed(content_sha256.to_string()),
        &secret,
        &auth,
        signed_at,
        Canonical::S3,
    )
    .map_err(S3Error::authorization_malformed)?;
    if !bool::from(expected.as_bytes().ct_eq(auth.signature.as_bytes())) {
        return Err(S3Error::signature_does_not_match());
    }
    Ok(Signed {
        access_key_id: auth.access_key_id.to_string(),
        bucket,
        region: auth.region.to_string(),
        chunks: ChunkKeys {
            identity: auth::signing_identity(auth.access_key_id, &secret),
            region: auth.region.to_string(),
            signed_at,
            seed: auth.signature.to_string(),
        },
    })
}

/// An authorised request, ready to be served.
struct Served<'a> {
    op: Op,
    target: &'a Target,
    region: Option<&'a str>,
    caller: &'a Caller,
    parts: &'a http::request::Parts,
    data: Bytes,
}

/// `2026-01-01T00:00:00.000Z`, as S3's XML writes times.
fn iso8601(seconds: f64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos((seconds * 1e9) as i128)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"))
        .unwrap_or_default()
}

fn http_date(seconds: f64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs_f64(seconds.max(0.0)))
}

/// The headers of an upload that S3 keeps with the object and answers back.
fn object_headers(parts: &http::request::Parts) -> Vec<(String, String)> {
    let mut kept = Vec::new();
    for (name, value) in &parts.headers {
        let Ok(value) = value.to_str() else { continue };
        let name = name.as_str();
        let value = if name == "content-encoding" {
            // `aws-chunked` says how the request was sent, not what the object is.
            let rest: Vec<&str> = value.split(',').map(str::trim).filter(|e| *e != "aws-chunked").collect();
            if rest.is_empty() {
                continue;
            }
            rest.join(",")
        } else {
            value.to_string()
        };
        let kept_header = matches!(
            name,
            "content-type"
                | "cache-control"
                | "content-disposition"
                | "content-encoding"
                | "content-language"
                | "expires"
        ) || name.starts_with("x-amz-meta-");
        if kept_header {
            kept.push((name.to_string(), value));
        }
    }
    if !kept.iter().any(|(name, _)| name == "content-type") {
        kept.push(("content-type".into(), "binary/octet-stream".into()));
    }
    kept
}

/// Keys and prefixes in a listing asked for with `encoding-type=url`.
const LISTING_ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b'/');

fn xml(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/xml")
        .body(Full::new(Bytes::from(body)))
        .expect("valid response")
}

fn empty(status: StatusCode) -> http::response::Builder {
    Response::builder().status(status)
}

/// `bytes=A-B`, `bytes=A-` or `bytes=-N` of an object of `size` bytes, as the range it names; a
/// header S3 would ignore (several ranges, another unit) gives the whole object.
pub(crate) fn byte_range(value: &str, size: usize) -> Result<Option<(usize, usize)>, S3Error> {
    let Some(spec) = value.trim().strip_prefix("bytes=") else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((start, end)) = spec.split_once('-') else { return Ok(None) };
    let (start, end) = (start.trim(), end.trim());
    let range = match (start.parse::<usize>(), end.parse::<usize>()) {
        (Ok(start), Ok(end)) if start <= end => Some((start, end.min(size.saturating_sub(1)))),
        (Ok(start), Err(_)) if end.is_empty() => Some((start, size.saturating_sub(1))),
        (Err(_), Ok(suffix)) if start.is_empty() && suffix > 0 => {
            Some((size.saturating_sub(suffix), size.saturating_sub(1)))
        }
        _ => return Ok(None),
    };
    match range {
        Some((start, _)) if start >= size => Err(S3Error::invalid_range(size)),
        other => Ok(other),
    }
}

impl Served<'_> {
    fn bucket(&self) -> &str {
        self.target.bucket.as_deref().unwrap_or_default()
    }

    fn key(&self) -> &str {
        self.target.key.as_deref().unwrap_or_default()
    }

    fn region(&self) -> &str {
        self.region.unwrap_or_default()
    }

    async fn serve(&self, shared: &Shared) -> Result<Response<Full<Bytes>>, S3Error> {
        let (bucket, key, region) = (self.bucket(), self.key(), self.region());
        let now = now_seconds();
        match self.op {
            Op::ListBuckets => {
                let Caller::Key { bucket: own, .. } = self.caller else {
                    return Err(S3Error::access_denied("Access Denied"));
                };
                let store = lock(&shared.store);
                let created =
                    store.bucket_region(own).and_then(|r| store.regions[r].buckets.get(own)).map(|b| b.created_at);
                let listed = wire::ListAllMyBucketsResult {
                    xmlns: (),
                    owner: wire::Owner { id: crate::store::ACCOUNT_ID.into(), display_name: "lightsail-local".into() },
                    buckets: wire::Buckets {
                        bucket: created
                            .map(|at| wire::BucketEntry { name: own.clone(), creation_date: iso8601(at) })
                            .into_iter()
                            .collect(),
                    },
                };
                Ok(xml(StatusCode::OK, wire::document("ListAllMyBucketsResult", &listed)))
            }
            Op::HeadBucket => {
                Ok(empty(StatusCode::OK).header("x-amz-bucket-region", region).body(Full::default()).expect("valid"))
            }
            Op::GetBucketLocation => {
                let region = if region == "us-east-1" { String::new() } else { region.to_string() };
                Ok(xml(
                    StatusCode::OK,
                    wire::document("LocationConstraint", &wire::LocationConstraint { xmlns: (), region }),
                ))
            }
            Op::ListObjects | Op::ListObjectsV2 => self.list(shared),
            Op::GetObject | Op::HeadObject => {
                let object = lock(&shared.store).object(region, bucket, key)?.clone();
                self.object_response(object)
            }
            Op::GetObjectTagging => {
                lock(&shared.store).object(region, bucket, key)?;
                Ok(xml(
                    StatusCode::OK,
                    wire::document("Tagging", &wire::Tagging { xmlns: (), tag_set: wire::TagSet {} }),
                ))
            }
            Op::PutObject => {
                let (data, headers) = (self.data.clone(), object_headers(self.parts));
                let etag = change(shared, |store| store.put_object(region, bucket, key, now, data, headers)).await??;
                Ok(empty(StatusCode::OK).header(header::ETAG, etag).body(Full::default()).expect("valid"))
            }
            Op::DeleteObject => {
                change(shared, |store| store.delete_object(region, bucket, key)).await?;
                Ok(empty(StatusCode::NO_CONTENT).body(Full::default()).expect("valid"))
            }
            Op::DeleteObjects => {
                let request: wire::Delete = wire::parse(&self.data)?;
                if request.objects.len() > MAX_KEYS {
                    return Err(S3Error::malformed_xml("A DeleteObjects request names at most 1000 keys."));
                }
                let keys: Vec<String> = request.objects.into_iter().map(|o| o.key).collect();
                let deleted = keys.clone();
                change(shared, move |store| keys.iter().for_each(|key| store.delete_object(region, bucket, key)))
                    .await?;
                let deleted = if request.quiet {
                    Vec::new()
                } else {
                    deleted.into_iter().map(|key| wire::Deleted { key }).collect()
                };
                Ok(xml(StatusCode::OK, wire::document("DeleteResult", &wire::DeleteResult { xmlns: (), deleted })))
            }
            Op::CreateMultipartUpload => {
                let headers = object_headers(self.parts);
                let id =
                    change(shared, |store| store.create_multipart_upload(region, bucket, key, now, headers)).await??;
                let answer = wire::InitiateMultipartUploadResult {
                    xmlns: (),
                    bucket: bucket.into(),
                    key: key.into(),
                    upload_id: id,
                };
                Ok(xml(StatusCode::OK, wire::document("InitiateMultipartUploadResult", &answer)))
            }
            Op::UploadPart => {
                let id = self.target.get("uploadId").unwrap_or_default();
                let number = self.target.get("partNumber").and_then(|n| n.parse::<u32>().ok()).ok_or_else(|| {
                    S3Error::invalid_argument("Part number must be an integer between 1 and 10000, inclusive")
                })?;
                let data = self.data.clone();
                let etag = change(shared, |store| store.upload_part(region, bucket, key, id, number, data)).await??;
                Ok(empty(StatusCode::OK).header(header::ETAG, etag).body(Full::default()).expect("valid"))
            }
            Op::CompleteMultipartUpload => {
                let id = self.target.get("uploadId").unwrap_or_default();
                let request: wire::CompleteMultipartUpload = wire::parse(&self.data)?;
                let listed: Vec<(u32, String)> = request.parts.into_iter().map(|p| (p.part_number, p.etag)).collect();
                let etag =
                    change(shared, |store| store.complete_multipart_upload(region, bucket, key, id, now, &listed))
                        .await??;
                let host = self.parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
                let answer = wire::CompleteMultipartUploadResult {
                    xmlns: (),
                    location: format!("http://{host}/{bucket}/{}", utf8_percent_encode(key, LISTING_ENCODE)),
                    bucket: bucket.into(),
                    key: key.into(),
                    etag,
                };
                Ok(xml(StatusCode::OK, wire::document("CompleteMultipartUploadResult", &answer)))
            }
            Op::AbortMultipartUpload => {
                let id = self.target.get("uploadId").unwrap_or_default();
                change(shared, |store| store.abort_multipart_upload(region, bucket, key, id)).await??;
                Ok(empty(StatusCode::NO_CONTENT).body(Full::default()).expect("valid"))
            }
        }
    }

    fn object_response(&self, object: StoredObject) -> Result<Response<Full<Bytes>>, S3Error> {
        let size = object.data.len();
        let range = match self.parts.headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
            Some(value) => byte_range(value, size)?,
            None => None,
        };
        let mut response = empty(if range.is_some() { StatusCode::PARTIAL_CONTENT } else { StatusCode::OK })
            .header(header::ETAG, &object.etag)
            .header(header::LAST_MODIFIED, http_date(object.last_modified))
            .header(header::ACCEPT_RANGES, "bytes");
        for (name, value) in &object.headers {
            response = response.header(name, value);
        }
        let body = match range {
            Some((start, end)) => {
                response = response.header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{size}"));
                object.data.slice(start..=end)
            }
            None => object.data,
        };
        response = response.header(header::CONTENT_LENGTH, body.len());
        let body = if self.op == Op::HeadObject { Bytes::new() } else { body };
        Ok(response.body(Full::new(body)).expect("valid response"))
    }

    fn list(&self, shared: &Shared) -> Result<Response<Full<Bytes>>, S3Error> {
        let get = |name: &str| self.target.get(name);
        let max_keys = match get("max-keys") {
            Some(n) => n
                .parse::<usize>()
                .map_err(|_| S3Error::invalid_argument("Provided max-keys not an integer or within integer range"))?
                .min(MAX_KEYS),
            None => MAX_KEYS,
        };
        let url = match get("encoding-type") {
            None => false,
            Some("url") => true,
            Some(other) => {
                return Err(S3Error::invalid_argument(format!(
                    "Invalid Encoding Method specified in Request: {other}"
                )));
            }
        };
        let v2 = self.op == Op::ListObjectsV2;
        let token = get("continuation-token");
        let after = match token {
            Some(token) => Some(decode_token(token)?),
            None if v2 => get("start-after").map(str::to_string),
            None => get("marker").map(str::to_string),
        };
        let prefix = get("prefix").unwrap_or("");
        let delimiter = get("delimiter").filter(|d| !d.is_empty());
        let listing: Listing = lock(&shared.store).list_objects(
            self.region(),
            self.bucket(),
            &ListQuery { prefix, delimiter, after: after.as_deref(), max_keys },
        );
        let encode =
            |text: &str| if url { utf8_percent_encode(text, LISTING_ENCODE).to_string() } else { text.to_string() };
        let truncated = listing.next_after.is_some();
        let result = wire::ListBucketResult {
            xmlns: (),
            name: self.bucket().into(),
            prefix: encode(prefix),
            marker: (!v2).then(|| encode(get("marker").unwrap_or(""))),
            next_marker: if v2 || delimiter.is_none() { None } else { listing.next_after.as_deref().map(&encode) },
            start_after: if v2 { get("start-after").map(&encode) } else { None },
            continuation_token: if v2 { token.map(str::to_string) } else { None },
            next_continuation_token: if v2 { listing.next_after.as_deref().map(encode_token) } else { None },
            key_count: v2.then_some(listing.objects.len() + listing.common_prefixes.len()),
            max_keys,
            delimiter: delimiter.map(&encode),
            encoding_type: url.then(|| "url".to_string()),
            is_truncated: truncated,
            contents: listing
                .objects
                .iter()
                .map(|o| wire::Contents {
                    key: encode(&o.key),
                    last_modified: iso8601(o.last_modified),
                    etag: o.etag.clone(),
                    size: o.size,
                    storage_class: "STANDARD",
                })
                .collect(),
            common_prefixes: listing.common_prefixes.iter().map(|p| wire::CommonPrefix { prefix: encode(p) }).collect(),
        };
        Ok(xml(StatusCode::OK, wire::document("ListBucketResult", &result)))
    }
}

/// A continuation token: the key to resume after, opaque to clients (base64url).
fn encode_token(after: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(after)
}

fn decode_token(token: &str) -> Result<String, S3Error> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| S3Error::invalid_argument("The continuation token provided is incorrect"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_as_s3_reads_them() {
        assert_eq!(byte_range("bytes=0-9", 100).unwrap(), Some((0, 9)));
        assert_eq!(byte_range("bytes=90-200", 100).unwrap(), Some((90, 99)));
        assert_eq!(byte_range("bytes=95-", 100).unwrap(), Some((95, 99)));
        assert_eq!(byte_range("bytes=-10", 100).unwrap(), Some((90, 99)));
        assert_eq!(byte_range("bytes=0-1,5-6", 100).unwrap(), None);
        assert_eq!(byte_range("items=0-1", 100).unwrap(), None);
        assert_eq!(byte_range("bytes=100-", 100).unwrap_err().code, "InvalidRange");
    }
}
