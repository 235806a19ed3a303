//! The resource `aws:lightsail/bucketAccessKey:BucketAccessKey` (Terraform
//! `aws_lightsail_bucket_access_key`).
//!
//! Rules that hold throughout: input is validated before any API call; a key that exists is never
//! lost track of (a create that cannot be confirmed is reported as not ready, with its id); the
//! secret is returned once, at creation, then only carried from prior state; with `pgpKey` it is
//! returned only encrypted, and exists in plain text nowhere but in the call that made the key.

mod id;
pub mod inputs;
mod listing;
pub mod outputs;
pub mod pgp;
mod prior;

use crate::host::{AccessKey as ListedKey, ApiError, ErrorKind, Host, Level, LockError, LockReach};
use crate::json::{self, Value};
use crate::list::Paging;
use crate::props::{UNKNOWN, region_or_default, state_region};
use crate::resource::Resource;
use crate::types::*;
use crate::{validate, wait};
use alloc::{
    format,
    string::{String, ToString},
    vec::Vec,
};
use id::KeyId;
use inputs::Inputs;
use outputs::Secret;
use pgp::{PGP_KEY, Recipient};
use prior::PriorState;

/// The access key's type token.
pub const TOKEN: &str = "aws:lightsail/bucketAccessKey:BucketAccessKey";

/// How many access keys a bucket holds at most (Lightsail's limit).
const KEYS_PER_BUCKET: usize = 2;

/// The access key resource (Terraform `aws_lightsail_bucket_access_key`).
pub struct AccessKey;

impl Resource for AccessKey {
    const TOKEN: &'static str = TOKEN;

    fn check(host: &impl Host, news: &str) -> Result<CheckResult, ProviderError> {
        Ok(match inputs::parse(news) {
            Ok(inputs) => match recipient(host, &inputs) {
                Ok(_) => CheckResult { inputs: inputs.to_json(), failures: Vec::new() },
                Err(failure) => CheckResult { inputs: news.to_string(), failures: Vec::from([failure]) },
            },
            Err(failures) => CheckResult { inputs: news.to_string(), failures },
        })
    }

    /// Every input forces replacement, with one exception: `pgpKey` on a key whose secret no state
    /// holds (an imported key) changes in place, as a record only, since a new key would be the
    /// one thing replacing it gains. A region left out means the host's default region, which is
    /// compared with the region the key actually lives in.
    fn diff(host: &impl Host, olds: &Value, news: &str) -> Result<DiffResult, ProviderError> {
        let news = inputs::parse(news).map_err(ProviderError::InvalidInput)?;
        let changes = changes(host, olds, &news)?;
        let replaces = changes.replaced().into_iter().map(ToString::to_string).collect();
        Ok(DiffResult {
            changes: !changes.diffs.is_empty(),
            diffs: changes.diffs.iter().map(|d| d.to_string()).collect(),
            replaces,
            delete_before_replace: false,
        })
    }

    fn create(host: &impl Host, inputs: &str, preview: bool) -> Result<Created, ProviderError> {
        let inputs = inputs::parse(inputs).map_err(ProviderError::InvalidInput)?;
        if preview {
            // Without a default region, the region is one more value known only after the create.
            let region = region_or_default(host, inputs.region.clone()).unwrap_or_else(|_| UNKNOWN.to_string());
            let outputs = outputs::preview(&inputs.bucket_name, &region, inputs.pgp_key.as_deref());
            return Ok(Created { id: String::new(), outputs });
        }
        if inputs.has_unknowns() {
            return Err(ProviderError::invalid("", "inputs still hold unknown values; only a preview accepts them"));
        }
        let region = region_or_default(host, inputs.region.clone())?;
        let recipient =
            recipient(host, &inputs).map_err(|failure| ProviderError::InvalidInput(Vec::from([failure])))?;
        create_key(host, &inputs, &region, recipient.as_ref(), None).map(|(created, _)| created)
    }

    /// Only `pgpKey` of a key whose secret no state holds changes in place (see `diff`): it is
    /// recorded, and nothing is sent.
    fn update(host: &impl Host, id: &str, olds: &Value, news: &str, _preview: bool) -> Result<Outputs, ProviderError> {
        let news = inputs::parse(news).map_err(ProviderError::InvalidInput)?;
        let changes = changes(host, olds, &news)?;
        if let Some(replaced) = changes.replaced().first() {
            return Err(ProviderError::Unsupported(format!(
                "{TOKEN} {id}: {replaced} cannot change in place: a change of it replaces the key"
            )));
        }
        let Value::Object(mut values) = olds.clone() else {
            return Err(ProviderError::invalid("olds", "must be a JSON object"));
        };
        values.insert(PGP_KEY.into(), news.pgp_key.map_or(Value::Null, Value::String));
        host.log(Level::Info, &format!("access key {id}: pgpKey recorded; the key has no secret to encrypt"));
        Ok(Outputs { values: json::to_string(&Value::Object(values)), secrets: outputs::secret_names() })
    }

    fn read(host: &impl Host, id: &str, state: &str) -> Result<Option<ReadResult>, ProviderError> {
        let state = PriorState::parse(state)?;
        let key_id = KeyId::parse(id)?;
        let region = region_or_default(host, state.region()?.or(key_id.region.clone()))?;
        let secret = state.secret(&key_id.access_key_id);
        find(host, &key_id, &region, &secret)
    }

    fn delete(host: &impl Host, id: &str, state: &str) -> Result<(), ProviderError> {
        let state = PriorState::parse(state)?;
        let key_id = KeyId::parse(id)?;
        let region = region_or_default(host, state.region()?.or(key_id.region.clone()))?;
        let operations = match host.delete_bucket_access_key(Some(&region), &key_id.bucket_name, &key_id.access_key_id)
        {
            Ok(operations) => operations,
            Err(e) if e.kind == ErrorKind::NotFound => {
                host.log(Level::Info, &format!("access key {} was already gone", key_id.canonical()));
                return Ok(());
            }
            Err(e) => return Err(ProviderError::Api(e)),
        };
        if let Some(first) = operations.first()
            && let Err(e) = wait::until_done(host, Some(&region), first)
        {
            // The operation says it did not finish well; what counts is whether the key is gone.
            match find(host, &key_id, &region, &Secret::default()) {
                Ok(None) => host.log(Level::Warn, &format!("{}: {e}, but the key is gone", key_id.canonical())),
                _ => return Err(e.into_error(&format!("deleting access key {}", key_id.canonical()))),
            }
        }
        host.log(Level::Info, &format!("deleted access key {}", key_id.canonical()));
        Ok(())
    }

    fn import(host: &impl Host, id: &str) -> Result<ReadResult, ProviderError> {
        let key_id = KeyId::parse(id)?;
        let region = region_or_default(host, key_id.region.clone())?;
        // The secret cannot be had again, plain or encrypted: AWS returns it only at creation.
        find(host, &key_id, &region, &Secret::default())?.ok_or_else(|| {
            ProviderError::NotFound(format!(
                "bucket {} has no access key {} in {region}",
                key_id.bucket_name, key_id.access_key_id
            ))
        })
    }

    fn list(host: &impl Host, query: &str, paging: Paging) -> Result<ListPage, ProviderError> {
        listing::list(host, query, paging)
    }

    /// A key made where the bucket may be full: see [`Room`].
    fn rotate(host: &impl Host, inputs: &str, replace: Option<&str>, preview: bool) -> Result<Rotated, ProviderError> {
        let inputs = inputs::parse(inputs).map_err(ProviderError::InvalidInput)?;
        let bucket = &inputs.bucket_name;
        let room = Room::parse(bucket, replace)?;
        if inputs.has_unknowns() {
            // Even a preview reads the bucket's keys, to say which one would go.
            return Err(ProviderError::invalid("", "inputs still hold unknown values; a rotation needs them known"));
        }
        let region = region_or_default(host, inputs.region.clone())?;
        let recipient =
            recipient(host, &inputs).map_err(|failure| ProviderError::InvalidInput(Vec::from([failure])))?;
        if preview {
            let keys = list_patiently(host, inputs.region.as_deref(), bucket).map_err(ProviderError::Api)?;
            let deleted = room.victim(bucket, &keys)?.map(|key| id::format(bucket, &key.access_key_id));
            let outputs = outputs::preview(bucket, &region, inputs.pgp_key.as_deref());
            return Ok(Rotated { created: Created { id: String::new(), outputs }, deleted });
        }
        let (created, deleted) = create_key(host, &inputs, &region, recipient.as_ref(), Some(&room))?;
        Ok(Rotated { created, deleted })
    }
}

/// How a rotation makes room for its key when the bucket holds all the keys Lightsail allows: it
/// deletes the key named, or else the oldest. It chooses among the keys listed under the bucket's
/// lock, so a key made while it works (by a creator the lock keeps out, or not) is never the one.
struct Room {
    /// The access key id named to go.
    replace: Option<String>,
}

impl Room {
    /// `replace` as a key id of `list` (`BUCKET,KEY_ID`, `@REGION` allowed) or a bare access key id.
    fn parse(bucket: &str, replace: Option<&str>) -> Result<Self, ProviderError> {
        const REPLACE: &str = "replace";
        let Some(replace) = replace else { return Ok(Self { replace: None }) };
        let key = if replace.contains(',') {
            let named = KeyId::parse(replace).map_err(|e| match e {
                ProviderError::InvalidInput(failures) => ProviderError::InvalidInput(
                    failures.into_iter().map(|f| CheckFailure::new(REPLACE, f.reason)).collect(),
                ),
                other => other,
            })?;
            if named.bucket_name != *bucket {
                let other = &named.bucket_name;
                return Err(ProviderError::invalid(REPLACE, format!("names a key of bucket {other}, not of {bucket}")));
            }
            named.access_key_id
        } else {
            validate::access_key_id(replace).map_err(|rule| ProviderError::invalid(REPLACE, rule))?;
            replace.to_string()
        };
        Ok(Self { replace: Some(key) })
    }

    /// The key to delete among the bucket's `keys`; `None` while there is room. A key named that
    /// the bucket does not hold is refused, full or not.
    fn victim<'k>(&self, bucket: &str, keys: &'k [ListedKey]) -> Result<Option<&'k ListedKey>, ProviderError> {
        let full = keys.len() >= KEYS_PER_BUCKET;
        if let Some(named) = &self.replace {
            let Some(found) = keys.iter().find(|k| k.access_key_id == *named) else {
                let held: Vec<&str> = keys.iter().map(|k| k.access_key_id.as_str()).collect();
                let held = if held.is_empty() { "none".to_string() } else { held.join(", ") };
                return Err(ProviderError::invalid(
                    "replace",
                    format!("bucket {bucket} has no access key {named} (it has {held})"),
                ));
            };
            return Ok(full.then_some(found));
        }
        // The first of the oldest; a key without a creation date counts as the newest.
        let age = |k: &ListedKey| k.created_at.unwrap_or(f64::INFINITY);
        Ok(if full { keys.iter().min_by(|a, b| age(a).total_cmp(&age(b))) } else { None })
    }
}

/// The `pgpKey` of these inputs, read and checked by the host; `None` without one, or while it is
/// unknown (a preview's check). A failure names `pgpKey`.
fn recipient(host: &impl Host, inputs: &Inputs) -> Result<Option<Recipient>, CheckFailure> {
    match inputs.pgp_key.as_deref() {
        None => Ok(None),
        Some(_) if inputs.pgp_key_is_unknown() => Ok(None),
        Some(value) => Recipient::checked(host, value).map(Some).map_err(|rule| CheckFailure::new(PGP_KEY, rule)),
    }
}

/// The inputs that differ between a key's state and new inputs.
struct Changes {
    diffs: Vec<&'static str>,
    /// Whether the state holds the key's secret, plain or encrypted.
    secret_held: bool,
}

impl Changes {
    /// The inputs whose change replaces the key.
    fn replaced(&self) -> Vec<&'static str> {
        self.diffs.iter().copied().filter(|&d| d != PGP_KEY || self.secret_held).collect()
    }
}

fn changes(host: &impl Host, olds: &Value, news: &Inputs) -> Result<Changes, ProviderError> {
    let mut diffs = Vec::new();
    if json::get_str(olds, inputs::BUCKET_NAME) != Some(news.bucket_name.as_str()) {
        diffs.push(inputs::BUCKET_NAME);
    }
    let new_region = region_or_default(host, news.region.clone())?;
    if state_region(olds)?.as_deref() != Some(new_region.as_str()) {
        diffs.push(inputs::REGION);
    }
    if json::get_str(olds, PGP_KEY) != news.pgp_key.as_deref() {
        diffs.push(PGP_KEY);
    }
    let secret = outputs::secret_from_state(olds, json::get_str(olds, outputs::ACCESS_KEY_ID).unwrap_or_default());
    Ok(Changes { diffs, secret_held: secret.is_held() })
}

/// Attempts at CreateBucketAccessKey, each after settling what the one before may have made.
const CREATE_ATTEMPTS: u32 = 3;
/// The pause before the keys are listed after a lost answer (times the attempt's number): a
/// request that timed out may still be landing.
const SETTLE_PAUSE_MS: u32 = 1_000;

/// The lock that makes one create at a time, as far as the host's locks reach, the only one on a
/// bucket's keys.
fn lock_name(region: &str, bucket: &str) -> String {
    format!("lightsail/{region}/bucket/{bucket}/access-keys")
}

/// Creates a key without ever leaving one behind unrecorded, or deleting one somebody recorded.
///
/// CreateBucketAccessKey is not idempotent: when its answer is lost (a dropped connection, a
/// timeout, a 5xx: the kinds the WIT's lost-answer rule names) the key may exist anyway, with a
/// secret nobody saw. So, holding the bucket's
/// lock, the logic lists the keys before the call and again after an answer is lost. A key that
/// appeared meanwhile is its own orphan only if the lock keeps every other creator out: then it is
/// deleted before the next attempt (which also keeps the retry clear of the bucket's two-key
/// limit). Otherwise it may be another creator's new key, so nothing is deleted and the create
/// stops, naming the keys. The lock is let go as soon as the outcome is known: waiting for the
/// key's operation needs no lock.
///
/// A rotation (`room`) first makes room, under the same lock: see [`Room`]. It answers the id of
/// the key it deleted, and any error after that delete says which key went and which remain.
fn create_key<H: Host>(
    host: &H,
    inputs: &Inputs,
    region: &str,
    recipient: Option<&Recipient>,
    room: Option<&Room>,
) -> Result<(Created, Option<String>), ProviderError> {
    let bucket = &inputs.bucket_name;
    let call_region = inputs.region.as_deref();
    host.log(Level::Debug, &format!("creating an access key for bucket {bucket} in {region}"));
    let guard = host.lock(&lock_name(region, bucket)).map_err(|e| lock_failed(e, bucket))?;
    let listed = list_patiently(host, call_region, bucket).map_err(ProviderError::Api)?;
    let victim = match room {
        Some(room) => room.victim(bucket, &listed)?.map(|key| key.access_key_id.clone()),
        None => None,
    };
    let mut before: Vec<String> = listed.into_iter().map(|key| key.access_key_id).collect();
    let Some(victim) = victim else {
        return create_listed(host, inputs, region, recipient, guard, before).map(|created| (created, None));
    };
    make_room(host, call_region, bucket, &victim)?;
    before.retain(|key| *key != victim);
    let deleted = id::format(bucket, &victim);
    let kept = if before.is_empty() { "no other key".to_string() } else { before.join(", ") };
    let note = format!("; to make room, access key {deleted} was deleted, and the bucket keeps {kept}");
    match create_listed(host, inputs, region, recipient, guard, before) {
        Ok(created) => Ok((created, Some(deleted))),
        Err(ProviderError::Api(mut e)) => {
            e.message.push_str(&note);
            Err(ProviderError::Api(e))
        }
        Err(ProviderError::NotReady(mut n)) => {
            n.reason.push_str(&note);
            Err(ProviderError::NotReady(n))
        }
        Err(other) => {
            host.log(Level::Warn, &format!("{other}{note}"));
            Err(other)
        }
    }
}

/// Deletes a rotation's chosen key, and waits until it is gone; one already gone is fine.
fn make_room(host: &impl Host, region: Option<&str>, bucket: &str, victim: &str) -> Result<(), ProviderError> {
    host.log(Level::Info, &format!("deleting access key {bucket},{victim} to make room for a new one"));
    let mut operations = Vec::new();
    let deleted = wait::retrying(host, &format!("deleting access key {bucket},{victim}"), &mut || match host
        .delete_bucket_access_key(region, bucket, victim)
    {
        Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
        other => other.map(|answered| operations = answered),
    });
    if let Err(mut e) = deleted {
        e.message = format!("no access key was created: deleting {bucket},{victim} to make room failed: {}", e.message);
        return Err(ProviderError::Api(e));
    }
    if let Some(first) = operations.first()
        && let Err(e) = wait::until_done(host, region, first)
    {
        let keys = list_patiently(host, region, bucket).map_err(ProviderError::Api)?;
        if keys.iter().any(|key| key.access_key_id == victim) {
            return Err(e.into_error(&format!("deleting access key {bucket},{victim} to make room")));
        }
    }
    Ok(())
}

/// The create once the bucket's keys are listed (`before`) under the lock `guard` holds.
fn create_listed<H: Host>(
    host: &H,
    inputs: &Inputs,
    region: &str,
    recipient: Option<&Recipient>,
    guard: H::Guard,
    before: Vec<String>,
) -> Result<Created, ProviderError> {
    let bucket = &inputs.bucket_name;
    let call_region = inputs.region.as_deref();
    let reach = host.lock_reach();
    if before.len() >= KEYS_PER_BUCKET {
        // The API would refuse it; say why, and which keys hold the places.
        let message = format!(
            "bucket {bucket} already holds {} access keys ({}), the most Lightsail allows a bucket: delete one of \
             them (or the resource that holds it) before another key can be created",
            before.len(),
            before.join(", ")
        );
        return Err(ProviderError::Api(ApiError::new(ErrorKind::InvalidInput, "AccessKeyLimit", message, false)));
    }
    let mut orphans = Orphans { region, bucket, reach, before, attempts: 0, reasons: Vec::new(), deleted: Vec::new() };
    let created = loop {
        match host.create_bucket_access_key(call_region, bucket) {
            Ok(created) => break created,
            // The WIT's lost-answer rule: this attempt may have made a key, whatever `retryable`
            // says of trying again.
            Err(e) if e.kind.may_have_applied() => {
                orphans.failed(format!("{}: {}", e.code, e.message));
                host.wait(SETTLE_PAUSE_MS * orphans.attempts);
                if let Err(why) = orphans.settle(host, call_region, None) {
                    // Trying again as it is could add a second orphan: the user must look first.
                    let message = orphans.unknown_outcome(&why);
                    return Err(ProviderError::Api(ApiError::new(
                        ErrorKind::Transport,
                        "OutcomeUnknown",
                        message,
                        false,
                    )));
                }
                if !e.retryable || orphans.attempts >= CREATE_ATTEMPTS {
                    return Err(ProviderError::Api(ApiError::new(e.kind, e.code, orphans.gave_up(), e.retryable)));
                }
            }
            Err(e) => return Err(ProviderError::Api(e)),
        }
    };
    let key = &created.access_key;
    let id = id::format(bucket, &key.access_key_id);
    // A lost attempt's request may have landed after the keys were listed: look once more, before
    // anything else can end the call. The new key is recorded whatever this finds, so nothing the
    // engine is told of is lost.
    let settled =
        if orphans.attempts > 0 { orphans.settle(host, call_region, Some(&key.access_key_id)) } else { Ok(()) };
    let secret = match recipient {
        None => Secret { plain: key.secret_access_key.clone(), ..Secret::default() },
        Some(recipient) => encrypted_secret(host, inputs, region, key, recipient)?,
    };
    let outputs = outputs::of_key(bucket, region, key, &secret);
    host.log(Level::Info, &format!("created access key {id}"));
    let not_ready =
        |reason: String| ProviderError::NotReady(NotReady { id: id.clone(), outputs: outputs.clone(), reason });
    if let Err(why) = settled {
        return Err(not_ready(orphans.unknown_outcome(&why)));
    }
    drop(guard);

    let Some(first) = created.operations.first() else {
        return Err(not_ready("the API returned no operation to wait for".into()));
    };
    wait::until_done(host, call_region, first).map_err(|e| not_ready(e.to_string()))?;
    Ok(Created { id, outputs })
}

/// A lock the host did not take, as the create's error: nothing was sent.
fn lock_failed(e: LockError, bucket: &str) -> ProviderError {
    let (code, why) = match e {
        LockError::Interrupted(why) => ("Interrupted", why),
        LockError::Unavailable(why) => ("LockUnavailable", why),
    };
    let message = format!("no access key was created for bucket {bucket}: the lock on its keys was not taken ({why})");
    ProviderError::Api(ApiError::new(ErrorKind::NotSent, code, message, false))
}

/// The new key's secret encrypted to `recipient`, the plain text dropped. Should the host refuse
/// now what it accepted a moment ago (the key expired meanwhile), the new key, whose secret would
/// otherwise be lost, is deleted; if even that fails, it is reported as not ready, so that the
/// engine records it and deletes it later.
fn encrypted_secret(
    host: &impl Host,
    inputs: &Inputs,
    region: &str,
    key: &crate::host::AccessKey,
    recipient: &Recipient,
) -> Result<Secret, ProviderError> {
    let bucket = &inputs.bucket_name;
    let mut secret = Secret { pgp_key: inputs.pgp_key.clone(), ..Secret::default() };
    let Some(plain) = key.secret_access_key.as_deref() else { return Ok(secret) };
    let rule = match recipient.encrypt(host, plain) {
        Ok((ciphertext, encrypted)) => {
            secret.encrypted = Some(ciphertext);
            secret.fingerprint = Some(encrypted.fingerprint);
            return Ok(secret);
        }
        Err(rule) => rule,
    };
    let id = id::format(bucket, &key.access_key_id);
    let deleted = host.delete_bucket_access_key(inputs.region.as_deref(), bucket, &key.access_key_id);
    match deleted {
        Ok(_) => {
            host.log(Level::Warn, &format!("deleted access key {id}: its secret could not be encrypted"));
            Err(ProviderError::invalid(PGP_KEY, format!("{rule} (the key made meanwhile, {id}, was deleted)")))
        }
        Err(e) => Err(ProviderError::NotReady(NotReady {
            id: id.clone(),
            outputs: outputs::of_key(bucket, region, key, &secret),
            reason: format!(
                "its secret could not be encrypted to pgpKey, which {rule}, and the key could not be deleted \
                 ({}: {}); delete it (aws lightsail delete-bucket-access-key --region {region} --bucket-name \
                 {bucket} --access-key-id {})",
                e.code, e.message, key.access_key_id
            ),
        })),
    }
}

/// The bucket's keys; the list is retried while it may work later.
fn list_patiently(host: &impl Host, region: Option<&str>, bucket: &str) -> Result<Vec<ListedKey>, ApiError> {
    wait::reading(host, &format!("listing the keys of bucket {bucket}"), &mut || {
        host.get_bucket_access_keys(region, bucket)
    })
}

/// The keys a create's lost answers may have left, and what was done about them.
struct Orphans<'a> {
    region: &'a str,
    bucket: &'a str,
    /// Whom the lock held keeps out: only when it is every creator is a new key surely an orphan.
    reach: LockReach,
    /// The bucket's keys before the first attempt.
    before: Vec<String>,
    /// Attempts whose outcome is unknown, and why they failed (a reason met again in a row is
    /// counted, not repeated).
    attempts: u32,
    reasons: Vec<(String, u32)>,
    deleted: Vec<String>,
}

/// Why the keys a lost answer may have made could not be settled.
enum Unsettled {
    /// The bucket's keys could not be listed.
    Unlisted(String),
    /// This key appeared and could not be deleted.
    Undeleted { key: String, why: String },
    /// These keys appeared, and the lock does not keep every other creator out: each may be a lost
    /// attempt's orphan or another creator's new key.
    Unproven(Vec<String>),
}

impl Orphans<'_> {
    /// Deletes every key that is neither one of `before` nor `mine`, made by an attempt whose
    /// answer was lost, where the lock proves that; where it does not, deletes nothing and names
    /// them. The list and the deletes are safe to repeat, so they are retried for as long as an
    /// operation may take.
    fn settle(&mut self, host: &impl Host, region: Option<&str>, mine: Option<&str>) -> Result<(), Unsettled> {
        let bucket = self.bucket;
        let after = list_patiently(host, region, bucket).map_err(|e| Unsettled::Unlisted(e.message))?;
        let new: Vec<String> = after
            .into_iter()
            .map(|k| k.access_key_id)
            .filter(|k| !self.before.contains(k) && Some(k.as_str()) != mine)
            .collect();
        if !new.is_empty() && self.reach != LockReach::EveryCreator {
            let keys = new.join(", ");
            host.log(Level::Warn, &format!("bucket {bucket} gained keys that may be another creator's: {keys}"));
            return Err(Unsettled::Unproven(new));
        }
        for orphan in new {
            host.log(Level::Warn, &format!("deleting access key {bucket},{orphan}: its creator never got its answer"));
            let deleted = wait::retrying(host, &format!("deleting the orphan {bucket},{orphan}"), &mut || match host
                .delete_bucket_access_key(region, bucket, &orphan)
            {
                Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
                other => other.map(drop),
            });
            match deleted {
                Ok(()) => self.deleted.push(orphan),
                Err(e) => return Err(Unsettled::Undeleted { key: orphan, why: e.message }),
            }
        }
        Ok(())
    }

    fn failed(&mut self, reason: String) {
        self.attempts += 1;
        match self.reasons.last_mut() {
            Some((last, times)) if *last == reason => *times += 1,
            _ => self.reasons.push((reason, 1)),
        }
    }

    /// "3 attempts got no usable answer (A; B, 2 times)".
    fn what_attempts_met(&self) -> String {
        let plural = if self.attempts == 1 { "" } else { "s" };
        let mut reasons = String::new();
        for (reason, times) in &self.reasons {
            if !reasons.is_empty() {
                reasons.push_str("; ");
            }
            reasons.push_str(reason);
            if *times > 1 {
                reasons.push_str(&format!(", {times} times"));
            }
        }
        format!("{} attempt{plural} got no usable answer ({reasons})", self.attempts)
    }

    /// All attempts failed; every key they made was deleted.
    fn gave_up(&self) -> String {
        let orphans = if self.deleted.is_empty() {
            "no key was left behind".to_string()
        } else {
            format!("the keys these attempts left behind were deleted: {}", self.deleted.join(", "))
        };
        format!("creating an access key for bucket {} failed: {}; {orphans}", self.bucket, self.what_attempts_met())
    }

    /// What a user must know, and do, when a lost answer's key may still exist.
    fn unknown_outcome(&self, why: &Unsettled) -> String {
        let (bucket, region) = (self.bucket, self.region);
        let lead = format!("creating an access key for bucket {bucket} in {region}: {}", self.what_attempts_met());
        let before = if self.before.is_empty() {
            "it had none before".to_string()
        } else {
            format!("it had {} before", self.before.join(", "))
        };
        match why {
            Unsettled::Unlisted(error) => {
                format!(
                    "{lead}, and the bucket's keys could not be listed to find a key they may have made ({error}). \
                     Such a key's secret was never seen: list the bucket's keys \
                     (aws lightsail get-bucket-access-keys --region {region} --bucket-name {bucket}; {before}) \
                     and delete any key that is not in your state"
                )
            }
            Unsettled::Undeleted { key, why } => format!(
                "{lead}. Key {key} was made by such an attempt and could not be deleted ({why}). \
                 Its secret was never seen: delete it \
                 (aws lightsail delete-bucket-access-key --region {region} --bucket-name {bucket} --access-key-id {key})"
            ),
            Unsettled::Unproven(keys) => {
                let (these, each) = if keys.len() == 1 { ("key", "It") } else { ("keys", "Each") };
                let reach = match self.reach {
                    LockReach::Process => "only the calls of its own process",
                    LockReach::Machine | LockReach::EveryCreator => {
                        "only the creators on this machine that share its locks"
                    }
                };
                let delete = keys
                    .iter()
                    .map(|key| {
                        format!(
                            "aws lightsail delete-bucket-access-key --region {region} --bucket-name {bucket} \
                             --access-key-id {key}"
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                format!(
                    "{lead}. Meanwhile the bucket gained the {these} {}. {each} is the key such an attempt made, \
                     whose secret was never seen, or a key another creator made: the host's lock keeps out \
                     {reach}, so nothing was deleted. Check the bucket's keys \
                     (aws lightsail get-bucket-access-keys --region {region} --bucket-name {bucket}; {before}) \
                     and delete a key that no state of yours records ({delete}). If every creator of this \
                     bucket's keys takes this host's lock, declare it in the provider's \
                     settings (that key creators share the lock), and such a key is deleted for you",
                    keys.join(", ")
                )
            }
        }
    }
}

/// Looks the key up in its bucket's list; a missing bucket or key means the key is gone.
fn find(host: &impl Host, key_id: &KeyId, region: &str, secret: &Secret) -> Result<Option<ReadResult>, ProviderError> {
    let keys = match host.get_bucket_access_keys(Some(region), &key_id.bucket_name) {
        Ok(keys) => keys,
        Err(e) if e.kind == ErrorKind::NotFound => {
            host.log(Level::Info, &format!("bucket {} is gone, and its keys with it", key_id.bucket_name));
            return Ok(None);
        }
        Err(e) => return Err(ProviderError::Api(e)),
    };
    let Some(key) = keys.iter().find(|k| k.access_key_id == key_id.access_key_id) else {
        host.log(Level::Info, &format!("access key {} is gone", key_id.canonical()));
        return Ok(None);
    };
    let inputs = Inputs {
        bucket_name: key_id.bucket_name.clone(),
        region: Some(region.to_string()),
        pgp_key: secret.pgp_key.clone(),
    };
    Ok(Some(ReadResult {
        id: key_id.canonical(),
        inputs: inputs.to_json(),
        outputs: outputs::of_key(&key_id.bucket_name, region, key, secret),
    }))
}
