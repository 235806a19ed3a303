//! The provider logic against an in-memory host, natively. (The same logic runs in the component
//! against the real endpoint in the workspace's end-to-end tests.)

use proptest::prelude::*;
use provider_logic::host::*;
use provider_logic::provider;
use provider_logic::types::ProviderError;
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;

const T: &str = provider_logic::access_key::TOKEN;

#[derive(Default)]
struct FakeHost {
    keys: RefCell<Vec<(String, String)>>,
    calls: Rc<RefCell<Vec<String>>>,
    /// Polls an operation stays Started for, and how it ends.
    pending_polls: u32,
    ends: Option<OperationStatus>,
    polls: RefCell<u32>,
    waited_ms: RefCell<u64>,
    /// Keys made so far: the next key's number.
    made: RefCell<u32>,
    /// What the next calls of an operation meet, taken in order before the call is served.
    script: RefCell<Vec<(&'static str, Scripted)>>,
    /// The engine's default region, when not us-east-1 ("" for none).
    default_region: Option<&'static str>,
    default_tags: Tags,
    /// The tags the bucket carries (every bucket of this host has the same).
    bucket_tags: RefCell<Tags>,
    /// How far the locks reach; every creator when not set.
    reach: Option<LockReach>,
    /// The OpenPGP imports called (apart from `calls`, which are the API's and the lock's).
    openpgp: RefCell<Vec<String>>,
    /// Whether `encrypt` refuses a key `check-public-key` accepted (it expired meanwhile).
    key_expires_before_encrypt: bool,
    /// Why `acquire` takes no lock, if it takes none.
    lock_refused: Option<LockError>,
}

#[derive(Clone)]
enum Scripted {
    /// Served as usual (holds a place in the script).
    Answers,
    /// The create is applied; its answer is lost.
    LostApplied,
    /// No answer, and nothing was made.
    LostUnapplied,
    /// No answer, nothing was made, but meanwhile another creator (whom the lock does not keep
    /// out) made a key of the bucket.
    LostWhileAnotherCreates,
    /// Answered, and meanwhile another creator made a key of the bucket.
    AnsweredWhileAnotherCreates,
    /// The create is applied, and the host answers with this error.
    AppliedButFails(ApiError),
    Fails(ApiError),
}

fn transport() -> ApiError {
    ApiError::new(ErrorKind::Transport, "Timeout", "no answer", true)
}

impl FakeHost {
    fn op(&self, status: OperationStatus) -> Operation {
        Operation {
            id: "op-1".into(),
            resource_name: None,
            operation_type: None,
            status,
            is_terminal: !matches!(status, OperationStatus::Started),
            created_at: None,
            error_code: None,
            error_details: None,
        }
    }
    fn calls(&self) -> usize {
        self.calls.borrow().len()
    }
    fn scripted(&self, call: &str) -> Option<Scripted> {
        let mut script = self.script.borrow_mut();
        let at = script.iter().position(|(c, _)| *c == call)?;
        Some(script.remove(at).1)
    }
    fn with_script(script: Vec<(&'static str, Scripted)>) -> Self {
        Self { script: RefCell::new(script), ..Default::default() }
    }
    fn keys_of(&self, bucket: &str) -> Vec<String> {
        self.keys.borrow().iter().filter(|(b, _)| b == bucket).map(|(_, k)| k.clone()).collect()
    }
    fn log(&self) -> Vec<String> {
        self.calls.borrow().clone()
    }
}

fn not_found() -> ApiError {
    ApiError::new(ErrorKind::NotFound, "NotFoundException", "gone", false)
}

/// Writes "unlock" into the host's call log when it is released.
struct FakeGuard(Rc<RefCell<Vec<String>>>);

impl Drop for FakeGuard {
    fn drop(&mut self) {
        self.0.borrow_mut().push("unlock".into());
    }
}

/// The fake's OpenPGP public keys: `FAKE:` and a fingerprint; `EXPIRED:`, `REVOKED:` and
/// `SIGNONLY:` keys are refused as such, anything else is malformed. It "encrypts" by flipping
/// bits, so a test can open the message.
const FAKE_KEY: &str = "FAKE:0123456789ABCDEF0123456789ABCDEF01234567";

fn fake_seal(message: &[u8]) -> Vec<u8> {
    message.iter().map(|b| b ^ 0x55).collect()
}

impl Host for FakeHost {
    type Guard = FakeGuard;
    fn check_public_key(&self, key: &[u8]) -> Result<String, KeyError> {
        self.openpgp.borrow_mut().push("check-public-key".into());
        let key = String::from_utf8_lossy(key);
        match key.split_once(':') {
            Some(("FAKE", fingerprint)) => Ok(fingerprint.into()),
            Some(("EXPIRED", _)) => Err(KeyError::Expired("it expired on 2020-01-02".into())),
            Some(("REVOKED", _)) => Err(KeyError::Revoked("its primary key is revoked".into())),
            Some(("SIGNONLY", _)) => Err(KeyError::NoEncryptionKey("it can only sign".into())),
            _ => Err(KeyError::Malformed("no public key packet".into())),
        }
    }
    fn encrypt(&self, key: &[u8], message: &[u8]) -> Result<Encrypted, KeyError> {
        let fingerprint = self.check_public_key(key)?;
        self.openpgp.borrow_mut().push("encrypt".into());
        if self.key_expires_before_encrypt {
            return Err(KeyError::Expired("it expired a moment ago".into()));
        }
        Ok(Encrypted { message: fake_seal(message), fingerprint })
    }
    fn lock(&self, name: &str) -> Result<FakeGuard, LockError> {
        self.calls.borrow_mut().push(format!("lock {name}"));
        match &self.lock_refused {
            Some(why) => Err(why.clone()),
            None => Ok(FakeGuard(self.calls.clone())),
        }
    }
    fn lock_reach(&self) -> LockReach {
        self.reach.unwrap_or(LockReach::EveryCreator)
    }
    fn default_region(&self) -> String {
        self.default_region.unwrap_or("us-east-1").into()
    }
    fn default_tags(&self) -> Tags {
        self.default_tags.clone()
    }
    fn create_bucket_access_key(&self, _: Option<&str>, bucket: &str) -> Result<CreatedAccessKey, ApiError> {
        self.calls.borrow_mut().push("create".into());
        if bucket == "missing" {
            return Err(not_found());
        }
        let scripted = self.scripted("create");
        if let Some(Scripted::LostWhileAnotherCreates | Scripted::AnsweredWhileAnotherCreates) = &scripted {
            self.keys.borrow_mut().push((bucket.into(), "AKIAANOTHERCREATOR00".into()));
        }
        match &scripted {
            Some(Scripted::LostUnapplied | Scripted::LostWhileAnotherCreates) => return Err(transport()),
            Some(Scripted::Fails(e)) => return Err(e.clone()),
            _ => {}
        }
        let id = format!("AKIA{:016}", self.made.replace_with(|n| *n + 1));
        self.keys.borrow_mut().push((bucket.into(), id.clone()));
        match scripted {
            Some(Scripted::LostApplied) => return Err(transport()),
            Some(Scripted::AppliedButFails(e)) => return Err(e),
            _ => {}
        }
        let status = if self.pending_polls > 0 { OperationStatus::Started } else { OperationStatus::Succeeded };
        Ok(CreatedAccessKey {
            access_key: AccessKey {
                access_key_id: id,
                secret_access_key: Some("s".repeat(40)),
                status: Some("Active".into()),
                created_at: Some(1479816991.349),
                last_used: Some(AccessKeyLastUsed {
                    last_used_date: None,
                    region: Some("N/A".into()),
                    service_name: Some("N/A".into()),
                }),
            },
            operations: vec![self.op(status)],
        })
    }
    fn get_bucket_access_keys(&self, _: Option<&str>, bucket: &str) -> Result<Vec<AccessKey>, ApiError> {
        self.calls.borrow_mut().push("get".into());
        if bucket == "missing" {
            return Err(not_found());
        }
        if let Some(Scripted::Fails(e)) = self.scripted("get") {
            return Err(e);
        }
        Ok(self
            .keys
            .borrow()
            .iter()
            .filter(|(b, _)| b == bucket)
            .map(|(_, id)| AccessKey {
                access_key_id: id.clone(),
                secret_access_key: None,
                status: Some("Active".into()),
                created_at: Some(1479816991.0),
                last_used: None,
            })
            .collect())
    }
    fn delete_bucket_access_key(&self, _: Option<&str>, bucket: &str, id: &str) -> Result<Vec<Operation>, ApiError> {
        self.calls.borrow_mut().push("delete".into());
        if let Some(Scripted::Fails(e)) = self.scripted("delete") {
            return Err(e);
        }
        let mut keys = self.keys.borrow_mut();
        let before = keys.len();
        keys.retain(|(b, k)| !(b == bucket && k == id));
        if keys.len() == before { Err(not_found()) } else { Ok(vec![self.op(OperationStatus::Succeeded)]) }
    }
    fn get_operation(&self, _: Option<&str>, _: &str) -> Result<Operation, ApiError> {
        self.calls.borrow_mut().push("get-operation".into());
        let mut polls = self.polls.borrow_mut();
        *polls += 1;
        if *polls < self.pending_polls {
            return Ok(self.op(OperationStatus::Started));
        }
        Ok(self.op(self.ends.unwrap_or(OperationStatus::Succeeded)))
    }
    fn create_bucket(
        &self,
        _: Option<&str>,
        name: &str,
        bundle: &str,
        tags: &[(String, String)],
    ) -> Result<CreatedBucket, ApiError> {
        self.calls.borrow_mut().push("create-bucket".into());
        *self.bucket_tags.borrow_mut() = tags.to_vec();
        let bucket = Bucket { name: name.into(), bundle_id: Some(bundle.into()), ..Default::default() };
        Ok(CreatedBucket { bucket, operations: vec![self.op(OperationStatus::Succeeded)] })
    }
    fn get_bucket(&self, _: Option<&str>, name: &str) -> Result<Bucket, ApiError> {
        self.calls.borrow_mut().push("get-bucket".into());
        if name == "missing" {
            return Err(not_found());
        }
        let tags = self.bucket_tags.borrow().clone();
        Ok(Bucket { name: name.into(), bundle_id: Some("small_1_0".into()), tags, ..Default::default() })
    }
    /// The buckets that have keys, one a page (the token is the next one's number).
    fn get_buckets(&self, region: Option<&str>, token: Option<&str>) -> Result<BucketPage, ApiError> {
        self.calls.borrow_mut().push(format!("get-buckets {}", token.unwrap_or("-")));
        let mut names: Vec<String> = self.keys.borrow().iter().map(|(b, _)| b.clone()).collect();
        names.dedup();
        let at: usize = token.map_or(0, |t| t.parse().unwrap());
        let buckets = names.get(at).map(|name| self.get_bucket(region, name).unwrap()).into_iter().collect();
        let next_page_token = (at + 1 < names.len()).then(|| (at + 1).to_string());
        Ok(BucketPage { buckets, next_page_token })
    }
    fn update_bucket_bundle(&self, _: Option<&str>, _: &str, _: &str) -> Result<Vec<Operation>, ApiError> {
        self.calls.borrow_mut().push("update-bucket-bundle".into());
        Ok(vec![self.op(OperationStatus::Succeeded)])
    }
    fn delete_bucket(&self, _: Option<&str>, name: &str, force: bool) -> Result<Vec<Operation>, ApiError> {
        self.calls.borrow_mut().push("delete-bucket".into());
        match name {
            "missing" => Err(not_found()),
            "with-keys" if !force => {
                Err(ApiError::new(ErrorKind::InvalidInput, "InvalidInputException", "The bucket has keys.", false))
            }
            _ => Ok(vec![self.op(OperationStatus::Succeeded)]),
        }
    }
    fn tag_resource(&self, _: Option<&str>, _: &str, tags: &[(String, String)]) -> Result<Vec<Operation>, ApiError> {
        self.calls.borrow_mut().push(format!("tag {tags:?}"));
        let mut carried = self.bucket_tags.borrow_mut();
        carried.retain(|(key, _)| !tags.iter().any(|(k, _)| k == key));
        carried.extend(tags.iter().cloned());
        Ok(vec![self.op(OperationStatus::Succeeded)])
    }
    fn untag_resource(&self, _: Option<&str>, _: &str, keys: &[String]) -> Result<Vec<Operation>, ApiError> {
        self.calls.borrow_mut().push(format!("untag {keys:?}"));
        self.bucket_tags.borrow_mut().retain(|(key, _)| !keys.contains(key));
        Ok(vec![self.op(OperationStatus::Succeeded)])
    }
    fn wait(&self, millis: u32) {
        *self.waited_ms.borrow_mut() += u64::from(millis);
    }
    fn log(&self, _: Level, message: &str) {
        assert!(!message.contains(&"s".repeat(40)), "a secret was logged: {message}");
    }
}

fn values(json: &str) -> Value {
    serde_json::from_str(json).unwrap()
}

#[test]
fn create_read_import_delete() {
    let host = FakeHost::default();
    let created = provider::create(&host, T, r#"{"bucketName": "example-bucket"}"#, false).unwrap();
    assert_eq!(created.id, "example-bucket,AKIA0000000000000000");
    let out = values(&created.outputs.values);
    assert_eq!(out["secretAccessKey"], "s".repeat(40));
    assert_eq!(out["createdAt"], "2016-11-22T12:16:31Z");
    assert_eq!(out["region"], "us-east-1");
    assert_eq!(out["lastUsed"]["region"], "N/A");
    assert_eq!(created.outputs.secrets, vec!["secretAccessKey"]);

    // Read keeps the secret from state.
    let read = provider::read(&host, T, &created.id, Some(&created.outputs.values)).unwrap().unwrap();
    assert_eq!(values(&read.outputs.values)["secretAccessKey"], "s".repeat(40));
    assert_eq!(values(&read.inputs), serde_json::json!({"bucketName": "example-bucket", "region": "us-east-1"}));

    // Import fills bucketName and region from the id; the secret is plainly absent.
    let imported = provider::import(&host, T, &format!("{}@us-east-1", created.id)).unwrap();
    assert_eq!(imported.id, created.id);
    assert_eq!(values(&imported.inputs)["bucketName"], "example-bucket");
    assert!(values(&imported.outputs.values)["secretAccessKey"].is_null());

    provider::delete(&host, T, &created.id, &created.outputs.values).unwrap();
    assert_eq!(provider::read(&host, T, &created.id, None).unwrap(), None, "gone after delete");
    provider::delete(&host, T, &created.id, "").unwrap();
    let err = provider::import(&host, T, &created.id).unwrap_err();
    assert!(matches!(err, ProviderError::NotFound(_)), "{err:?}");
}

/// `read` and `delete` read of the prior state only its region and secret members, as strings,
/// and refuse a state that is not a JSON object as every call does, in the same words.
#[test]
fn read_and_delete_take_the_region_and_secret_from_any_state_object() {
    let host = FakeHost::default();
    let created = provider::create(&host, T, r#"{"bucketName": "example-bucket"}"#, false).unwrap();
    let id = &created.id;
    let key_id = id.split(',').nth(1).unwrap();
    let secret_read = |state: &str| {
        let read = provider::read(&host, T, id, Some(state)).unwrap().unwrap();
        values(&read.outputs.values)["secretAccessKey"].clone()
    };
    // Other members, nested or not, are read through; an escaped secret is read unescaped; a
    // member that is not a string is absent, and of one given twice the last counts.
    let state = format!(
        r#"{{"lastUsed": {{"deep": [[{{"a": 1.5e3}}], null, true]}}, "accessKeyId": "{key_id}",
            "secretAccessKey": "a\/b\u0041", "region": 7, "pgpKey": null}}"#
    );
    assert_eq!(secret_read(&state), "a/bA");
    let twice = format!(r#"{{"accessKeyId": "{key_id}", "secretAccessKey": "one", "secretAccessKey": "two"}}"#);
    assert_eq!(secret_read(&twice), "two");
    let other_key = r#"{"accessKeyId": "AKIAOTHER0000000000", "secretAccessKey": "not-this-one"}"#;
    assert_eq!(secret_read(other_key), Value::Null, "another key's secret is not taken");
    // A state that is not an object is refused before any call, as it was when states were parsed
    // whole: the same words for every resource.
    let bucket_type = provider_logic::bucket::TOKEN;
    let calls = host.calls();
    for (state, reason) in [
        ("[1]", "must be a JSON object".to_string()),
        ("\"text\"", "must be a JSON object".to_string()),
        (r#"{"region": "us-east-1",}"#, "is not valid JSON: trailing comma at line 1 column 24".to_string()),
        ("{} {}", "is not valid JSON: trailing characters at line 1 column 4".to_string()),
        (&format!("{}{}", "[".repeat(200), "]".repeat(200)), "is not valid JSON: recursion limit exceeded".to_string()),
    ] {
        for (token, id) in [(T, id.as_str()), (bucket_type, "example-bucket")] {
            for result in
                [provider::read(&host, token, id, Some(state)).map(drop), provider::delete(&host, token, id, state)]
            {
                match result {
                    Err(ProviderError::InvalidInput(f)) => {
                        assert_eq!(f[0].property, "state");
                        assert!(f[0].reason.starts_with(&reason), "{token} {state}: {:?}", f[0].reason);
                    }
                    other => panic!("{token} {state}: {other:?}"),
                }
            }
        }
    }
    assert_eq!(host.calls(), calls, "no call for a state refused");
    provider::delete(&host, T, id, &state).unwrap();
}

#[test]
fn a_missing_bucket_means_gone() {
    let host = FakeHost::default();
    assert_eq!(provider::read(&host, T, "missing,AKIAIOSFODNN7EXAMPLE", None).unwrap(), None);
    provider::delete(&host, T, "missing,AKIAIOSFODNN7EXAMPLE", "{}").unwrap();
}

#[test]
fn invalid_input_and_previews_make_no_call() {
    let host = FakeHost::default();
    for bad in [r#"{}"#, r#"{"bucketName": "Bad"}"#, r#"{"bucketName": "ok-name", "extra": 1}"#, "nope"] {
        let err = provider::create(&host, T, bad, false).unwrap_err();
        assert!(matches!(err, ProviderError::InvalidInput(_)), "{bad}: {err:?}");
    }
    for bad_id in ["x", "bucket,short", "Bad,AKIAIOSFODNN7EXAMPLE"] {
        assert!(matches!(provider::read(&host, T, bad_id, None), Err(ProviderError::InvalidInput(_))));
        assert!(matches!(provider::delete(&host, T, bad_id, "{}"), Err(ProviderError::InvalidInput(_))));
        assert!(matches!(provider::import(&host, T, bad_id), Err(ProviderError::InvalidInput(_))));
    }
    let preview = provider::create(&host, T, r#"{"bucketName": "example-bucket"}"#, true).unwrap();
    assert_eq!(preview.id, "");
    assert!(values(&preview.outputs.values)["accessKeyId"].is_null());
    assert_eq!(host.calls(), 0);
}

#[test]
fn a_region_where_lightsail_has_no_endpoint_is_refused_at_check() {
    // us-west-1 is in the API model's RegionName enum, but Lightsail has no endpoint there.
    for (token, news) in [
        (T, r#"{"bucketName": "example-bucket", "region": "us-west-1"}"#),
        (
            provider_logic::bucket::TOKEN,
            r#"{"name": "example-bucket", "bundleId": "small_1_0", "region": "us-west-1"}"#,
        ),
    ] {
        let checked = provider::check(&FakeHost::default(), token, None, news).unwrap();
        let region = checked.failures.iter().find(|f| f.property == "region").expect("region is named");
        assert!(region.reason.contains("\"us-west-1\" is not a region where Lightsail runs"), "{region:?}");
    }
}

#[test]
fn a_region_lightsail_does_not_run_in_is_refused_wherever_it_comes_from() {
    let bucket_type = provider_logic::bucket::TOKEN;
    let key = "example-bucket,AKIAIOSFODNN7EXAMPLE";
    let refused = |result: Result<_, ProviderError>, from: &str| match result {
        Err(ProviderError::InvalidInput(f)) => {
            assert_eq!(f[0].property, "region", "{from}");
            assert!(f[0].reason.contains("mars-1") || f[0].reason.contains("no default region"), "{from}: {f:?}");
        }
        Err(other) => panic!("{from}: {other:?}"),
        Ok(_) => panic!("{from}: accepted"),
    };
    for default in ["mars-1", ""] {
        let host = FakeHost { default_region: Some(default), ..Default::default() };
        let inputs = r#"{"bucketName": "example-bucket"}"#;
        refused(provider::create(&host, T, inputs, false).map(drop), "create");
        refused(provider::read(&host, T, key, None).map(drop), "read");
        refused(provider::delete(&host, T, key, "{}"), "delete");
        refused(provider::import(&host, T, key).map(drop), "import");
        refused(provider::diff(&host, T, key, r#"{"region": "us-east-1"}"#, inputs).map(drop), "diff");
        refused(provider::read(&host, bucket_type, "example-bucket", None).map(drop), "bucket read");
        refused(provider::delete(&host, bucket_type, "example-bucket", "{}"), "bucket delete");
        // A preview makes no call: without a usable default the region is not known yet.
        let preview = provider::create(&host, T, inputs, true).unwrap();
        assert_eq!(values(&preview.outputs.values)["region"], provider_logic::UNKNOWN);
        // A region named in the id or the inputs needs no default.
        assert_eq!(provider::read(&host, T, &format!("{key}@eu-west-1"), None).unwrap(), None);
        assert_eq!(host.log(), ["get"]);
    }
    let host = FakeHost::default();
    refused(provider::read(&host, T, key, Some(r#"{"region": "mars-1"}"#)).map(drop), "state");
    refused(provider::delete(&host, T, key, r#"{"region": "mars-1"}"#), "state");
    assert_eq!(host.calls(), 0);
}

fn throttled() -> ApiError {
    ApiError::new(ErrorKind::Service, "ThrottlingException", "slow down", true)
}

const LOCK: &str = "lock lightsail/us-east-1/bucket/b-1/access-keys";
const B1: &str = r#"{"bucketName": "b-1"}"#;

#[test]
fn a_lost_answer_is_settled_under_the_bucket_lock_and_only_its_own_key_goes() {
    let host = FakeHost::with_script(vec![("create", Scripted::LostApplied)]);
    host.keys.borrow_mut().push(("b-1".into(), "AKIAEXISTING00000000".into()));
    let created = provider::create(&host, T, B1, false).unwrap();
    let mine = created.id.split_once(',').unwrap().1.to_string();
    assert_eq!(host.keys_of("b-1"), vec!["AKIAEXISTING00000000".to_string(), mine]);
    // The lost attempt's key (AKIA...0) was deleted; the key that was there before was not.
    assert_eq!(created.id, "b-1,AKIA0000000000000001");
    assert_eq!(
        host.log(),
        [LOCK, "get", "create", "get", "delete", "create", "get", "unlock"],
        "listed before, settled after the lost answer and once more after the answered one, all under the lock"
    );
}

#[test]
fn an_answered_create_takes_the_lock_for_the_list_and_the_call_only() {
    let host = FakeHost { pending_polls: 2, ..Default::default() };
    provider::create(&host, T, B1, false).unwrap();
    assert_eq!(host.log(), [LOCK, "get", "create", "unlock", "get-operation", "get-operation"]);
}

#[test]
fn an_unapplied_attempt_leaves_nothing_to_delete() {
    let host = FakeHost::with_script(vec![("create", Scripted::LostUnapplied)]);
    let created = provider::create(&host, T, B1, false).unwrap();
    assert_eq!(host.keys_of("b-1"), vec![created.id.split_once(',').unwrap().1.to_string()]);
    assert!(!host.log().contains(&"delete".to_string()));
}

#[test]
fn the_checks_after_a_lost_answer_are_retried_until_they_can_be_made() {
    let mut script = vec![("create", Scripted::LostApplied)];
    script.extend((0..6).map(|_| ("get", Scripted::Fails(throttled()))));
    script.extend((0..3).map(|_| ("delete", Scripted::Fails(transport()))));
    let host = FakeHost::with_script(script);
    let created = provider::create(&host, T, B1, false).unwrap();
    assert_eq!(host.keys_of("b-1"), vec![created.id.split_once(',').unwrap().1.to_string()]);
    assert!(host.script.borrow().is_empty(), "every scripted failure was met");
}

#[test]
fn a_create_that_cannot_be_settled_says_which_bucket_and_what_to_do() {
    // The list before the create answers; every list after the lost answer fails.
    let mut script = vec![("get", Scripted::Answers), ("create", Scripted::LostApplied)];
    script.extend((0..1000).map(|_| ("get", Scripted::Fails(throttled()))));
    let host = FakeHost::with_script(script);
    host.keys.borrow_mut().push(("b-1".into(), "AKIAEXISTING00000000".into()));
    match provider::create(&host, T, B1, false).unwrap_err() {
        ProviderError::Api(e) => {
            assert_eq!(e.code, "OutcomeUnknown");
            assert!(!e.retryable, "trying again blindly could leave a second orphan");
            for part in [
                "bucket b-1 in us-east-1",
                "1 attempt got no usable answer (Timeout: no answer)",
                "could not be listed",
                "slow down",
                "it had AKIAEXISTING00000000 before",
                "aws lightsail get-bucket-access-keys --region us-east-1 --bucket-name b-1",
                "delete any key that is not in your state",
            ] {
                assert!(e.message.contains(part), "{part:?} is missing from: {}", e.message);
            }
        }
        other => panic!("{other:?}"),
    }
    let creates = host.log().iter().filter(|c| *c == "create").count();
    assert_eq!(creates, 1, "no second attempt while the first one's key may exist");
    assert!(*host.waited_ms.borrow() >= 10 * 60 * 1000, "the checks were retried for the whole budget");
    assert_eq!(host.log().last().map(String::as_str), Some("unlock"));

    // The orphan is found but cannot be deleted: the error names it.
    let mut script = vec![("create", Scripted::LostApplied)];
    script.extend((0..1000).map(|_| ("delete", Scripted::Fails(transport()))));
    let host = FakeHost::with_script(script);
    match provider::create(&host, T, B1, false).unwrap_err() {
        ProviderError::Api(e) => {
            assert_eq!(e.code, "OutcomeUnknown");
            assert!(e.message.contains("Key AKIA0000000000000000 was made by such an attempt"), "{}", e.message);
            assert!(e.message.contains("--bucket-name b-1 --access-key-id AKIA0000000000000000"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
}

/// A host whose locks keep out only this machine's creators, meeting `script`.
fn machine_host(script: Vec<(&'static str, Scripted)>) -> FakeHost {
    FakeHost { reach: Some(LockReach::Machine), ..FakeHost::with_script(script) }
}

#[test]
fn where_the_lock_does_not_reach_every_creator_a_new_key_is_named_and_never_deleted() {
    for (lost, new_key) in
        [(Scripted::LostApplied, "AKIA0000000000000000"), (Scripted::LostWhileAnotherCreates, "AKIAANOTHERCREATOR00")]
    {
        let host = machine_host(vec![("create", lost)]);
        host.keys.borrow_mut().push(("b-1".into(), "AKIAEXISTING00000000".into()));
        let ProviderError::Api(e) = provider::create(&host, T, B1, false).unwrap_err() else { panic!("an API error") };
        assert_eq!(e.code, "OutcomeUnknown");
        assert!(!e.retryable, "trying again blindly could leave a second orphan");
        for part in [
            format!("Meanwhile the bucket gained the key {new_key}."),
            "or a key another creator made".into(),
            "only the creators on this machine that share its locks, so nothing was deleted".into(),
            "aws lightsail get-bucket-access-keys --region us-east-1 --bucket-name b-1; it had AKIAEXISTING00000000 before"
                .into(),
            format!("aws lightsail delete-bucket-access-key --region us-east-1 --bucket-name b-1 --access-key-id {new_key}"),
            "declare it in the provider's settings".into(),
        ] {
            assert!(e.message.contains(&part), "{part:?} is missing from: {}", e.message);
        }
        assert_eq!(host.keys_of("b-1"), ["AKIAEXISTING00000000", new_key], "nothing was deleted");
        assert_eq!(host.log(), [LOCK, "get", "create", "get", "unlock"], "no second attempt, no delete");
    }
}

#[test]
fn where_the_lock_does_not_reach_every_creator_an_unapplied_attempt_is_still_retried() {
    let host = machine_host(vec![("create", Scripted::LostUnapplied)]);
    let created = provider::create(&host, T, B1, false).unwrap();
    assert_eq!(host.keys_of("b-1"), [created.id.split_once(',').unwrap().1]);
    assert_eq!(host.log(), [LOCK, "get", "create", "get", "create", "get", "unlock"]);
}

#[test]
fn a_key_another_creator_made_beside_the_answered_retry_is_named_and_kept() {
    let host =
        machine_host(vec![("create", Scripted::LostUnapplied), ("create", Scripted::AnsweredWhileAnotherCreates)]);
    let ProviderError::NotReady(n) = provider::create(&host, T, B1, false).unwrap_err() else { panic!("not ready") };
    assert_eq!(n.id, "b-1,AKIA0000000000000000", "the engine records the key it was given");
    assert!(n.reason.contains("gained the key AKIAANOTHERCREATOR00"), "{}", n.reason);
    assert_eq!(host.keys_of("b-1"), ["AKIAANOTHERCREATOR00", "AKIA0000000000000000"]);
}

#[test]
fn the_process_reach_is_said_in_the_message() {
    let host =
        FakeHost { reach: Some(LockReach::Process), ..FakeHost::with_script(vec![("create", Scripted::LostApplied)]) };
    let ProviderError::Api(e) = provider::create(&host, T, B1, false).unwrap_err() else { panic!("an API error") };
    assert!(e.message.contains("keeps out only the calls of its own process"), "{}", e.message);
}

#[test]
fn a_check_that_fails_after_the_answered_attempt_still_reports_the_key() {
    // Lost, settled, answered; then the last look at the bucket cannot be made.
    let mut script = vec![("get", Scripted::Answers), ("create", Scripted::LostUnapplied), ("get", Scripted::Answers)];
    script.extend((0..1000).map(|_| ("get", Scripted::Fails(throttled()))));
    let host = FakeHost::with_script(script);
    match provider::create(&host, T, B1, false).unwrap_err() {
        ProviderError::NotReady(n) => {
            assert_eq!(n.id, "b-1,AKIA0000000000000000", "the engine records the key it was given");
            assert_eq!(values(&n.outputs.values)["secretAccessKey"], "s".repeat(40));
            assert!(n.reason.contains("could not be listed"), "{}", n.reason);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn three_lost_answers_end_in_an_error_and_no_key() {
    let lost = || ("create", Scripted::LostApplied);
    let host = FakeHost::with_script(vec![lost(), lost(), lost()]);
    match provider::create(&host, T, B1, false).unwrap_err() {
        ProviderError::Api(e) => {
            assert!(e.retryable);
            assert!(
                e.message.contains("3 attempts got no usable answer (Timeout: no answer, 3 times)"),
                "{}",
                e.message
            );
            assert!(e.message.contains("were deleted: AKIA0000000000000000, AKIA0000000000000001"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
    assert!(host.keys_of("b-1").is_empty());
}

/// The WIT's lost-answer rule is the kind: a host that keeps its letter (an applied create answered
/// `transport` or `service`, not retryable) loses no key and leaves none unnamed.
#[test]
fn a_create_that_may_have_been_applied_is_settled_whatever_retryable_says() {
    let dropped = ApiError::new(ErrorKind::Transport, "ConnectionClosed", "the connection closed", false);
    let failed = ApiError::new(ErrorKind::Service, "InternalFailure", "HTTP 500", false);
    for answer in [dropped, failed] {
        let host = FakeHost::with_script(vec![("create", Scripted::AppliedButFails(answer.clone()))]);
        let ProviderError::Api(e) = provider::create(&host, T, B1, false).unwrap_err() else { panic!("an API error") };
        assert_eq!((e.kind, e.code.as_str(), e.retryable), (answer.kind, answer.code.as_str(), false));
        assert!(e.message.contains("were deleted: AKIA0000000000000000"), "{}", e.message);
        assert!(host.keys_of("b-1").is_empty(), "the lost answer's key is gone");
        assert_eq!(host.log(), [LOCK, "get", "create", "get", "delete", "unlock"], "settled, not tried again");

        // Where the lock does not reach every creator, the key is named, not deleted.
        let host = machine_host(vec![("create", Scripted::AppliedButFails(answer))]);
        let ProviderError::Api(e) = provider::create(&host, T, B1, false).unwrap_err() else { panic!("an API error") };
        assert_eq!((e.kind, e.code.as_str()), (ErrorKind::Transport, "OutcomeUnknown"));
        assert!(e.message.contains("gained the key AKIA0000000000000000"), "{}", e.message);
        assert_eq!(host.keys_of("b-1"), ["AKIA0000000000000000"]);
    }
}

/// A request that never left made nothing: no settling, no second attempt, no wait.
#[test]
fn a_create_that_was_not_sent_fails_at_once() {
    for retryable in [false, true] {
        let refused = ApiError::new(ErrorKind::NotSent, "ConnectionRefused", "http://127.0.0.1:1: refused", retryable);
        let host = FakeHost::with_script(vec![("create", Scripted::Fails(refused.clone()))]);
        assert_eq!(provider::create(&host, T, B1, false).unwrap_err(), ProviderError::Api(refused));
        assert_eq!(host.log(), [LOCK, "get", "create", "unlock"]);
        assert_eq!(*host.waited_ms.borrow(), 0);
    }
}

/// A lock the host did not take ends the create before anything is sent.
#[test]
fn a_lock_not_taken_ends_the_create_before_any_call() {
    for (refusal, code) in [
        (LockError::Interrupted("interrupted while waiting".into()), "Interrupted"),
        (LockError::Unavailable("/locks is read-only".into()), "LockUnavailable"),
    ] {
        let host = FakeHost { lock_refused: Some(refusal), ..Default::default() };
        let ProviderError::Api(e) = provider::create(&host, T, B1, false).unwrap_err() else { panic!("an API error") };
        assert_eq!((e.kind, e.code.as_str(), e.retryable), (ErrorKind::NotSent, code, false));
        assert!(e.message.starts_with("no access key was created for bucket b-1"), "{}", e.message);
        assert_eq!(host.log(), [LOCK], "nothing was sent");
    }
}

#[test]
fn a_refused_create_is_not_tried_again() {
    let limit = ApiError::new(ErrorKind::InvalidInput, "InvalidInputException", "two keys already", false);
    let host = FakeHost::with_script(vec![("create", Scripted::Fails(limit))]);
    assert!(matches!(provider::create(&host, T, B1, false), Err(ProviderError::Api(e)) if !e.retryable));
    assert_eq!(host.log(), [LOCK, "get", "create", "unlock"]);
}

/// A bucket at its two keys: the create says so, naming them, and makes no create call.
#[test]
fn a_bucket_at_two_keys_is_named_with_its_keys_and_no_create_is_sent() {
    let host = FakeHost::default();
    host.keys.borrow_mut().extend([("b-1".into(), "AKIAFIRST".into()), ("b-1".into(), "AKIASECOND".into())]);
    match provider::create(&host, T, B1, false) {
        Err(ProviderError::Api(e)) => {
            assert!(!e.retryable);
            assert!(
                e.message.contains("bucket b-1 already holds 2 access keys (AKIAFIRST, AKIASECOND)"),
                "{}",
                e.message
            );
            assert!(e.message.contains("the most Lightsail allows"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(host.log(), [LOCK, "get", "unlock"]);
}

#[test]
fn create_waits_for_the_operation_and_reports_failures_with_the_id() {
    let host = FakeHost { pending_polls: 3, ..Default::default() };
    provider::create(&host, T, r#"{"bucketName": "b-1"}"#, false).unwrap();
    assert_eq!(*host.polls.borrow(), 3);
    assert!(*host.waited_ms.borrow() > 0);

    let host = FakeHost { pending_polls: 1, ends: Some(OperationStatus::Failed), ..Default::default() };
    match provider::create(&host, T, r#"{"bucketName": "b-1"}"#, false).unwrap_err() {
        ProviderError::NotReady(n) => {
            assert_eq!(n.id, "b-1,AKIA0000000000000000");
            assert!(n.reason.contains("failed"), "{}", n.reason);
            assert_eq!(values(&n.outputs.values)["secretAccessKey"], "s".repeat(40), "nothing is lost");
        }
        other => panic!("{other:?}"),
    }

    let host = FakeHost { pending_polls: u32::MAX, ..Default::default() };
    match provider::create(&host, T, r#"{"bucketName": "b-1"}"#, false).unwrap_err() {
        ProviderError::NotReady(n) => assert!(n.reason.contains("still Started"), "{}", n.reason),
        other => panic!("{other:?}"),
    }
    assert!(*host.waited_ms.borrow() >= 10 * 60 * 1000, "bounded by the wait budget, not by poll count");
}

#[test]
fn diff_replaces_on_every_input() {
    let host = FakeHost::default();
    let olds = r#"{"bucketName": "a-1", "region": "us-east-1", "accessKeyId": "AKIA0000000000000000"}"#;
    let same = provider::diff(&host, T, "a-1,AKIA0000000000000000", olds, r#"{"bucketName": "a-1"}"#).unwrap();
    assert!(!same.changes);
    let moved = provider::diff(&host, T, "", olds, r#"{"bucketName": "a-2", "region": "eu-west-1"}"#).unwrap();
    assert_eq!(moved.replaces, vec!["bucketName", "region"]);
    assert!(moved.changes);
    let moved = r#"{"bucketName": "a-2"}"#;
    assert!(matches!(provider::update(&host, T, "", olds, moved, false), Err(ProviderError::Unsupported(_))));
    assert!(matches!(
        provider::check(&FakeHost::default(), "aws:other:Thing", None, "{}"),
        Err(ProviderError::UnknownType(_))
    ));
}

#[test]
fn check_reports_failures_inline() {
    let checked = provider::check(&FakeHost::default(), T, None, r#"{"bucketName": "a--b", "region": 3}"#).unwrap();
    let props: Vec<&str> = checked.failures.iter().map(|f| f.property.as_str()).collect();
    assert_eq!(props, vec!["bucketName", "region"]);
    let checked =
        provider::check(&FakeHost::default(), T, Some("{}"), r#"{"bucketName": "ok-1", "region": null}"#).unwrap();
    assert!(checked.failures.is_empty());
    assert_eq!(checked.inputs, r#"{"bucketName":"ok-1"}"#);
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn with_pgp_key(key: &str) -> String {
    serde_json::json!({"bucketName": "example-bucket", "pgpKey": key}).to_string()
}

#[test]
fn with_pgp_key_the_secret_is_returned_only_encrypted_and_kept_so() {
    let host = FakeHost::default();
    let inputs = with_pgp_key(&base64(FAKE_KEY.as_bytes()));
    let created = provider::create(&host, T, &inputs, false).unwrap();
    let out = values(&created.outputs.values);
    assert!(out["secretAccessKey"].is_null(), "{out}");
    assert!(!created.outputs.values.contains(&"s".repeat(40)), "no plain secret in the outputs");
    use base64::Engine as _;
    let message = base64::engine::general_purpose::STANDARD.decode(out["encryptedSecretAccessKey"].as_str().unwrap());
    assert_eq!(fake_seal(&message.unwrap()), "s".repeat(40).as_bytes(), "the secret, encrypted to the key");
    assert_eq!(out["keyFingerprint"], "0123456789ABCDEF0123456789ABCDEF01234567");
    assert_eq!(out["pgpKey"], values(&inputs)["pgpKey"]);
    assert_eq!(*host.openpgp.borrow(), ["check-public-key", "check-public-key", "encrypt"]);

    // Read carries all of it from the state, and hands pgpKey back among the inputs.
    let read = provider::read(&host, T, &created.id, Some(&created.outputs.values)).unwrap().unwrap();
    for kept in ["secretAccessKey", "encryptedSecretAccessKey", "keyFingerprint", "pgpKey"] {
        assert_eq!(values(&read.outputs.values)[kept], out[kept], "{kept}");
    }
    assert_eq!(values(&read.inputs)["pgpKey"], out["pgpKey"]);
    // An import has neither the secret nor its ciphertext.
    let imported = values(&provider::import(&host, T, &created.id).unwrap().outputs.values);
    for absent in ["secretAccessKey", "encryptedSecretAccessKey", "keyFingerprint", "pgpKey"] {
        assert!(imported[absent].is_null(), "{absent}: {imported}");
    }
}

#[test]
fn a_pgp_key_that_cannot_be_used_is_refused_naming_it_before_any_call() {
    for (key, rule) in [
        ("keybase:someone".to_string(), "Keybase user \"someone\""),
        ("%%% not base64".to_string(), "is not base64"),
        (base64(b"garbage"), "is not an OpenPGP public key (no public key packet)"),
        (base64(b"EXPIRED:1"), "has expired (it expired on 2020-01-02)"),
        (base64(b"REVOKED:1"), "is revoked (its primary key is revoked)"),
        (base64(b"SIGNONLY:1"), "has no key that can encrypt (it can only sign)"),
    ] {
        let host = FakeHost::default();
        let checked = provider::check(&host, T, None, &with_pgp_key(&key)).unwrap();
        let [failure] = &checked.failures[..] else { panic!("{key}: {:?}", checked.failures) };
        assert_eq!(failure.property, "pgpKey");
        assert!(failure.reason.contains(rule), "{key}: {}", failure.reason);
        match provider::create(&host, T, &with_pgp_key(&key), false) {
            Err(ProviderError::InvalidInput(failures)) => assert_eq!(failures[0].property, "pgpKey"),
            other => panic!("{key}: {other:?}"),
        }
        assert_eq!(host.calls(), 0, "{key}: no API call");
    }
    // A key not known yet passes check and a preview, which shows it.
    let host = FakeHost::default();
    let unknown = with_pgp_key(provider_logic::UNKNOWN);
    assert!(provider::check(&host, T, None, &unknown).unwrap().failures.is_empty());
    let preview = provider::create(&host, T, &unknown, true).unwrap();
    assert_eq!(values(&preview.outputs.values)["pgpKey"], provider_logic::UNKNOWN);
    assert!(host.openpgp.borrow().is_empty() && host.calls() == 0);
}

#[test]
fn a_secret_that_cannot_be_encrypted_after_all_leaves_no_key() {
    let host = FakeHost { key_expires_before_encrypt: true, ..Default::default() };
    match provider::create(&host, T, &with_pgp_key(&base64(FAKE_KEY.as_bytes())), false) {
        Err(ProviderError::InvalidInput(failures)) => {
            assert_eq!(failures[0].property, "pgpKey");
            let reason = &failures[0].reason;
            assert!(reason.contains("has expired (it expired a moment ago)"), "{reason}");
            assert!(reason.contains("example-bucket,AKIA0000000000000000, was deleted"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(host.keys_of("example-bucket").is_empty(), "the key whose secret would be lost is gone");
}

#[test]
fn changing_pgp_key_replaces_a_key_whose_secret_is_kept_and_is_recorded_on_one_imported() {
    let host = FakeHost::default();
    let key = base64(FAKE_KEY.as_bytes());
    let plain = provider::create(&host, T, r#"{"bucketName": "example-bucket"}"#, false).unwrap();
    let diff = provider::diff(&host, T, &plain.id, &plain.outputs.values, &with_pgp_key(&key)).unwrap();
    assert_eq!(diff.replaces, vec!["pgpKey"], "a plain secret is replaced by a key whose secret is encrypted");
    let encrypted = provider::create(&host, T, &with_pgp_key(&key), false).unwrap();
    let other_key = base64(b"FAKE:FEDCBA9876543210FEDCBA9876543210FEDCBA98");
    let diff = provider::diff(&host, T, &encrypted.id, &encrypted.outputs.values, &with_pgp_key(&other_key)).unwrap();
    assert_eq!(diff.replaces, vec!["pgpKey"]);
    let diff =
        provider::diff(&host, T, &encrypted.id, &encrypted.outputs.values, r#"{"bucketName": "example-bucket"}"#);
    assert_eq!(diff.unwrap().replaces, vec!["pgpKey"], "dropping it replaces too");

    // An imported key holds no secret: the configuration's pgpKey is only recorded, in place.
    let imported = provider::import(&host, T, &encrypted.id).unwrap();
    let calls = host.calls();
    let diff = provider::diff(&host, T, &imported.id, &imported.outputs.values, &with_pgp_key(&key)).unwrap();
    assert!(diff.changes && diff.replaces.is_empty(), "{diff:?}");
    assert_eq!(diff.diffs, vec!["pgpKey"]);
    let updated = provider::update(&host, T, &imported.id, &imported.outputs.values, &with_pgp_key(&key), false);
    let updated = values(&updated.unwrap().values);
    assert_eq!(updated["pgpKey"], key.as_str());
    assert!(updated["encryptedSecretAccessKey"].is_null() && updated["secretAccessKey"].is_null());
    assert_eq!(updated["accessKeyId"], values(&imported.outputs.values)["accessKeyId"]);
    assert_eq!(host.calls(), calls, "recorded without a call");
    let next = provider::diff(&host, T, &imported.id, &updated.to_string(), &with_pgp_key(&key)).unwrap();
    assert!(!next.changes, "the next plan is empty");
    // Another input still replaces it.
    let moved = serde_json::json!({"bucketName": "other-bucket", "pgpKey": key}).to_string();
    let refused = provider::update(&host, T, &imported.id, &updated.to_string(), &moved, false);
    assert!(matches!(refused, Err(ProviderError::Unsupported(_))), "{refused:?}");
}

const B: &str = provider_logic::bucket::TOKEN;

#[test]
fn bucket_bundle_changes_in_place_and_name_replaces() {
    let host = FakeHost::default();
    let created = provider::create(&host, B, r#"{"name": "example-bucket", "bundleId": "small_1_0"}"#, false).unwrap();
    assert_eq!(created.id, "example-bucket");
    let state = &created.outputs.values;
    assert_eq!(values(state)["forceDelete"], false);
    let diff =
        provider::diff(&host, B, "example-bucket", state, r#"{"name": "example-bucket", "bundleId": "medium_1_0"}"#)
            .unwrap();
    assert_eq!((diff.diffs.clone(), diff.replaces.clone()), (vec!["bundleId".to_string()], vec![]));
    let diff =
        provider::diff(&host, B, "example-bucket", state, r#"{"name": "other-bucket", "bundleId": "small_1_0"}"#)
            .unwrap();
    assert_eq!(diff.replaces, vec!["name"]);
    provider::update(
        &host,
        B,
        "example-bucket",
        state,
        r#"{"name": "example-bucket", "bundleId": "medium_1_0"}"#,
        false,
    )
    .unwrap();
    assert!(host.calls.borrow().contains(&"update-bucket-bundle".to_string()));
    let imported = provider::import(&host, B, "example-bucket@eu-west-1").unwrap();
    assert_eq!(values(&imported.inputs)["region"], "eu-west-1");
    assert_eq!(provider::read(&host, B, "missing", None).unwrap(), None);
    provider::delete(&host, B, "missing", "{}").unwrap();
    let checked = provider::check(&FakeHost::default(), B, None, r#"{"name": "Bad", "forceDelete": "yes"}"#).unwrap();
    let props: Vec<&str> = checked.failures.iter().map(|f| f.property.as_str()).collect();
    assert_eq!(props, vec!["name", "bundleId", "forceDelete"]);
}

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// `tags` are the bucket's own, `tagsAll` those with the engine's default tags; a change of
/// either is made in place with TagResource and UntagResource, and only what differs is sent.
#[test]
fn bucket_tags_and_default_tags() {
    let host = FakeHost { default_tags: tags(&[("env", "dev"), ("team", "infra")]), ..Default::default() };
    let inputs = r#"{"name": "tagged", "bundleId": "small_1_0", "tags": {"team": "web", "app": "shop"}}"#;
    let preview = provider::create(&host, B, inputs, true).unwrap();
    let all = serde_json::json!({"env": "dev", "team": "web", "app": "shop"});
    assert_eq!(values(&preview.outputs.values)["tagsAll"], all, "known at plan");
    let created = provider::create(&host, B, inputs, false).unwrap();
    assert_eq!(*host.bucket_tags.borrow(), tags(&[("app", "shop"), ("env", "dev"), ("team", "web")]));
    let state = &created.outputs.values;
    assert_eq!(values(state)["tags"], serde_json::json!({"team": "web", "app": "shop"}));
    assert_eq!(values(state)["tagsAll"], all);

    // Read back: the defaults are not the resource's own; a tag set outside the engine is.
    host.bucket_tags.borrow_mut().push(("console".into(), "yes".into()));
    let read = provider::read(&host, B, "tagged", Some(state)).unwrap().unwrap();
    assert_eq!(
        values(&read.outputs.values)["tags"],
        serde_json::json!({"team": "web", "app": "shop", "console": "yes"})
    );
    let diff = provider::diff(&host, B, "tagged", &read.outputs.values, inputs).unwrap();
    assert_eq!(diff.diffs, vec!["tags", "tagsAll"]);
    assert!(diff.replaces.is_empty());

    // Unchanged tags: no diff.
    let diff = provider::diff(&host, B, "tagged", state, inputs).unwrap();
    assert!(!diff.changes, "{diff:?}");

    // In place: `app` removed, `team` changed; `env` (a default) and the rest untouched.
    host.calls.borrow_mut().clear();
    let news = r#"{"name": "tagged", "bundleId": "small_1_0", "tags": {"team": "api"}}"#;
    let updated = provider::update(&host, B, "tagged", &read.outputs.values, news, false).unwrap();
    let calls = host.log();
    assert!(calls.contains(&r#"untag ["app", "console"]"#.to_string()), "{calls:?}");
    assert!(calls.contains(&r#"tag [("team", "api")]"#.to_string()), "{calls:?}");
    assert_eq!(values(&updated.values)["tags"], serde_json::json!({"team": "api"}));
    assert_eq!(values(&updated.values)["tagsAll"], serde_json::json!({"env": "dev", "team": "api"}));

    // Bad tags are named and never sent.
    let before = host.calls();
    let checked = provider::check(
        &FakeHost::default(),
        B,
        None,
        r#"{"name": "tagged", "bundleId": "small_1_0", "tags": {"aws:x": "1"}}"#,
    )
    .unwrap();
    assert_eq!(checked.failures[0].property, "tags");
    assert!(
        provider::update(
            &host,
            B,
            "tagged",
            state,
            r#"{"name": "tagged", "bundleId": "small_1_0", "tags": []}"#,
            false
        )
        .is_err()
    );
    assert_eq!(host.calls(), before);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// No input panics, and input that fails validation never reaches the API.
    #[test]
    fn no_input_panics(json in ".{0,80}", id in ".{0,60}", bucket in "[a-z0-9-]{0,60}", region in "[a-z0-9-]{0,16}") {
        let host = FakeHost::default();
        for token in [T, B] {
            let _ = provider::check(&FakeHost::default(), token, Some(&json), &json);
            let _ = provider::diff(&host, token, &id, &json, &json);
            let _ = provider::update(&host, token, &id, &json, &json, false);
        }
        let _ = provider::diff(&host, T, &id, &json, &json);
        let bag = serde_json::json!({"bucketName": bucket, "region": region}).to_string();
        let created = provider::create(&host, T, &bag, false);
        if matches!(created, Err(ProviderError::InvalidInput(_))) {
            prop_assert_eq!(host.calls(), 0);
        }
        let before = host.calls();
        for result in [provider::read(&host, T, &id, Some(&json)).map(|_| ()), provider::delete(&host, T, &id, &json), provider::import(&host, T, &id).map(|_| ())] {
            if matches!(result, Err(ProviderError::InvalidInput(_))) {
                prop_assert_eq!(host.calls(), before);
            }
        }
    }
}

/// A bucket Lightsail refuses to delete for its keys: the error's hint names the input that
/// deletes it anyway, for each engine to word, and the message is Lightsail's own.
#[test]
fn a_bucket_refused_for_its_keys_hints_at_force_delete() {
    let host = FakeHost::default();
    let ProviderError::Api(e) = provider::delete(&host, B, "with-keys", "{}").unwrap_err() else { panic!("api") };
    assert_eq!(e.hint, Some(Hint { property: "forceDelete".into(), value: "true".into() }));
    assert_eq!(e.message, "The bucket has keys.");
    provider::delete(&host, B, "with-keys", r#"{"forceDelete": true}"#).unwrap();
}

/// A bucket at its two keys, the older first.
fn full_bucket(host: &FakeHost) {
    host.keys
        .borrow_mut()
        .extend([("b-1".into(), "AKIAOLDEST0000000000".into()), ("b-1".into(), "AKIANEWER00000000000".into())]);
}

#[test]
fn a_rotation_at_the_limit_deletes_the_oldest_under_the_lock_then_creates() {
    let host = FakeHost::default();
    full_bucket(&host);
    let rotated = provider::rotate(&host, T, B1, None, false).unwrap();
    assert_eq!(rotated.deleted.as_deref(), Some("b-1,AKIAOLDEST0000000000"));
    assert_eq!(host.keys_of("b-1"), ["AKIANEWER00000000000".to_string(), "AKIA0000000000000000".to_string()]);
    assert_eq!(rotated.created.id, "b-1,AKIA0000000000000000");
    assert_eq!(host.log(), [LOCK, "get", "delete", "create", "unlock"], "chosen, deleted and created under one lock");
}

#[test]
fn a_rotation_with_room_deletes_nothing_and_one_naming_a_key_deletes_that_one() {
    let host = FakeHost::default();
    host.keys.borrow_mut().push(("b-1".into(), "AKIAONLY000000000000".into()));
    let rotated = provider::rotate(&host, T, B1, None, false).unwrap();
    assert_eq!(rotated.deleted, None);
    assert_eq!(host.keys_of("b-1").len(), 2);
    assert!(!host.log().contains(&"delete".to_string()));

    let host = FakeHost::default();
    full_bucket(&host);
    let rotated = provider::rotate(&host, T, B1, Some("b-1,AKIANEWER00000000000"), false).unwrap();
    assert_eq!(rotated.deleted.as_deref(), Some("b-1,AKIANEWER00000000000"));
    assert!(host.keys_of("b-1").contains(&"AKIAOLDEST0000000000".to_string()));
    // A bare access key id names it too.
    let rotated = provider::rotate(&host, T, B1, Some("AKIAOLDEST0000000000"), false).unwrap();
    assert_eq!(rotated.deleted.as_deref(), Some("b-1,AKIAOLDEST0000000000"));
}

#[test]
fn a_rotation_naming_a_key_the_bucket_lacks_is_refused_before_any_change() {
    let host = FakeHost::default();
    full_bucket(&host);
    for (replace, says) in [
        (
            "b-1,AKIAELSEWHERE0000000",
            "bucket b-1 has no access key AKIAELSEWHERE0000000 (it has AKIAOLDEST0000000000, AKIANEWER00000000000)",
        ),
        ("b-2,AKIAOLDEST0000000000", "names a key of bucket b-2, not of b-1"),
        ("not a key", "access key id"),
    ] {
        match provider::rotate(&host, T, B1, Some(replace), false) {
            Err(ProviderError::InvalidInput(f)) => {
                assert_eq!(f[0].property, "replace");
                assert!(f[0].reason.contains(says), "{replace}: {}", f[0].reason);
            }
            other => panic!("{replace}: {other:?}"),
        }
    }
    assert!(host.log().iter().all(|call| !matches!(call.as_str(), "delete" | "create")), "{:?}", host.log());
    assert_eq!(host.keys_of("b-1").len(), 2);
}

#[test]
fn a_rotation_preview_reads_which_key_would_go_and_changes_nothing() {
    let host = FakeHost::default();
    full_bucket(&host);
    let rotated = provider::rotate(&host, T, B1, None, true).unwrap();
    assert_eq!(rotated.deleted.as_deref(), Some("b-1,AKIAOLDEST0000000000"));
    assert_eq!(rotated.created.id, "");
    assert_eq!(host.log(), ["get"], "one read, no lock, no change");
    assert!(matches!(
        provider::rotate(&host, provider_logic::bucket::TOKEN, "{}", None, true),
        Err(ProviderError::Unsupported(_))
    ));
}

#[test]
fn a_rotation_whose_create_answer_is_lost_keeps_a_working_key_and_leaves_no_orphan() {
    let host = FakeHost::with_script(vec![("create", Scripted::LostApplied)]);
    full_bucket(&host);
    let rotated = provider::rotate(&host, T, B1, None, false).unwrap();
    // The lost attempt's key (…0) was found and deleted; the retry's key (…1) is the one recorded.
    assert_eq!(rotated.created.id, "b-1,AKIA0000000000000001");
    assert_eq!(host.keys_of("b-1"), ["AKIANEWER00000000000".to_string(), "AKIA0000000000000001".to_string()]);
    assert_eq!(host.log(), [LOCK, "get", "delete", "create", "get", "delete", "create", "get", "unlock"]);
}

#[test]
fn a_rotation_whose_create_fails_says_which_key_went_and_which_is_kept() {
    let refused = ApiError::new(ErrorKind::AccessDenied, "AccessDeniedException", "not allowed", false);
    let host = FakeHost::with_script(vec![("create", Scripted::Fails(refused))]);
    full_bucket(&host);
    match provider::rotate(&host, T, B1, None, false) {
        Err(ProviderError::Api(e)) => assert!(
            e.message.ends_with(
                "to make room, access key b-1,AKIAOLDEST0000000000 was deleted, and the bucket keeps AKIANEWER00000000000"
            ),
            "{}",
            e.message
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(host.keys_of("b-1"), ["AKIANEWER00000000000".to_string()], "the bucket keeps a working key");

    // Where the lock does not reach every creator, a lost answer's key is named, and nothing else goes.
    let host = machine_host(vec![("create", Scripted::LostApplied)]);
    full_bucket(&host);
    match provider::rotate(&host, T, B1, None, false) {
        Err(ProviderError::Api(e)) => {
            assert_eq!(e.code, "OutcomeUnknown");
            assert!(
                e.message.contains("AKIA0000000000000000") && e.message.contains("AKIAOLDEST0000000000 was deleted")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(host.keys_of("b-1"), ["AKIANEWER00000000000".to_string(), "AKIA0000000000000000".to_string()]);
}

fn listed(page: &provider_logic::types::ListPage) -> Vec<&str> {
    page.items.iter().map(|item| item.id.as_str()).collect()
}

#[test]
fn list_pages_a_buckets_keys_and_every_buckets_keys_without_a_secret() {
    let host = FakeHost::default();
    full_bucket(&host);
    host.keys.borrow_mut().push(("b-2".into(), "AKIAOFB2000000000000".into()));
    let query = r#"{"bucketName": "b-1"}"#;
    let first = provider::list(&host, T, query, 0, 1, None).unwrap();
    assert_eq!(listed(&first), ["b-1,AKIAOLDEST0000000000"]);
    let second = provider::list(&host, T, query, 0, 1, first.continuation.as_deref()).unwrap();
    assert_eq!(listed(&second), ["b-1,AKIANEWER00000000000"]);
    assert_eq!(second.continuation, None);
    let item = &first.items[0];
    assert!(item.outputs.secrets.is_empty());
    assert_eq!(values(&item.outputs.values)["secretAccessKey"], Value::Null);
    assert_eq!(values(&item.inputs), serde_json::json!({"bucketName": "b-1", "region": "us-east-1"}));

    // Every bucket's keys, across Lightsail's pages (one bucket each here); ids outside the
    // default region carry it.
    let all = provider::list(&host, T, r#"{"region": "eu-west-1"}"#, 0, 0, None).unwrap();
    assert_eq!(
        listed(&all),
        [
            "b-1,AKIAOLDEST0000000000@eu-west-1",
            "b-1,AKIANEWER00000000000@eu-west-1",
            "b-2,AKIAOFB2000000000000@eu-west-1"
        ]
    );
    let limited = provider::list(&host, T, "{}", 2, 0, None).unwrap();
    assert_eq!((limited.items.len(), limited.continuation), (2, None));
    let buckets = provider::list(&host, provider_logic::bucket::TOKEN, "{}", 0, 0, None).unwrap();
    assert_eq!(listed(&buckets), ["b-1", "b-2"]);

    // A query it cannot use is refused before any call.
    let calls = host.calls();
    for (query, property) in [(r#"{"bucket": "b-1"}"#, "bucket"), (r#"{"bucketName": "B_1"}"#, "bucketName")] {
        match provider::list(&host, T, query, 0, 0, None) {
            Err(ProviderError::InvalidInput(f)) => assert_eq!(f[0].property, property),
            other => panic!("{query}: {other:?}"),
        }
    }
    assert_eq!(host.calls(), calls);
    assert!(matches!(
        provider::list(&host, T, r#"{"bucketName": "missing"}"#, 0, 0, None),
        Err(ProviderError::NotFound(_))
    ));
}
