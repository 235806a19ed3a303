//! The conformance kit's probe (`conformance/README.md`): a component of the contract's
//! `conformance-probe` world. Each `call` takes a JSON request that names one import and its
//! arguments, calls it, and answers what the host returned as JSON, `{"ok": ...}` or
//! `{"err": ...}`, with the WIT's own names. It decides nothing: the cases file says what a host
//! must answer.

#![deny(missing_docs)]

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({ path: "../../wit", world: "conformance-probe" });

    use base64::Engine as _;
    use lightsail::provider::errors::{ApiError, ErrorKind};
    use lightsail::provider::lightsail as api;
    use lightsail::provider::{lock, log, openpgp, wait};
    use serde_json::{Value, json};

    struct Probe;

    impl exports::lightsail::provider::probe::Guest for Probe {
        fn call(request: String) -> String {
            let answer = match serde_json::from_str::<Value>(&request) {
                Ok(request) => call(&request),
                Err(e) => json!({"probe-error": format!("the request is not JSON: {e}")}),
            };
            answer.to_string()
        }
    }

    export!(Probe);

    fn text(request: &Value, name: &str) -> String {
        request[name].as_str().unwrap_or_default().to_string()
    }

    fn region(request: &Value) -> Option<String> {
        request["region"].as_str().map(str::to_string)
    }

    fn tags(value: &Value) -> Vec<(String, String)> {
        let pairs = value.as_object().into_iter().flatten();
        pairs.map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()
    }

    /// One request: the import it names, called with its arguments.
    fn call(request: &Value) -> Value {
        let bucket = || text(request, "bucket");
        match request["call"].as_str().unwrap_or_default() {
            "default-region" => json!({"ok": api::default_region()}),
            "default-tags" => json!({"ok": api::default_tags()}),
            "create-bucket-access-key" => answer(
                api::create_bucket_access_key(region(request).as_deref(), &bucket()),
                |c| json!({"access-key": access_key(&c.access_key), "operations": operations(&c.operations)}),
            ),
            "get-bucket-access-keys" => {
                answer(api::get_bucket_access_keys(region(request).as_deref(), &bucket()), |keys| {
                    Value::Array(keys.iter().map(access_key).collect())
                })
            }
            "delete-bucket-access-key" => answer(
                api::delete_bucket_access_key(region(request).as_deref(), &bucket(), &text(request, "key")),
                |ops| operations(ops),
            ),
            "get-operation" => answer(api::get_operation(region(request).as_deref(), &text(request, "id")), operation),
            "create-bucket" => {
                let created = api::create_bucket(
                    region(request).as_deref(),
                    &bucket(),
                    &text(request, "bundle"),
                    &tags(&request["tags"]),
                );
                answer(created, |c| json!({"bucket": bucket_json(&c.bucket), "operations": operations(&c.operations)}))
            }
            "get-bucket" => answer(api::get_bucket(region(request).as_deref(), &bucket()), bucket_json),
            "get-buckets" => {
                let token = request["page-token"].as_str().map(str::to_string);
                answer(api::get_buckets(region(request).as_deref(), token.as_deref()), |page| {
                    json!({
                        "buckets": page.buckets.iter().map(bucket_json).collect::<Vec<_>>(),
                        "next-page-token": page.next_page_token,
                    })
                })
            }
            "update-bucket-bundle" => answer(
                api::update_bucket_bundle(region(request).as_deref(), &bucket(), &text(request, "bundle")),
                |ops| operations(ops),
            ),
            "delete-bucket" => answer(
                api::delete_bucket(region(request).as_deref(), &bucket(), request["force"].as_bool().unwrap_or(false)),
                |ops| operations(ops),
            ),
            "tag-resource" => answer(
                api::tag_resource(region(request).as_deref(), &text(request, "resource"), &tags(&request["tags"])),
                |ops| operations(ops),
            ),
            "untag-resource" => {
                let keys: Vec<String> = request["keys"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect();
                answer(api::untag_resource(region(request).as_deref(), &text(request, "resource"), &keys), |ops| {
                    operations(ops)
                })
            }
            "check-public-key" => match key(request) {
                Ok(key) => match openpgp::check_public_key(&key) {
                    Ok(recipient) => json!({"ok": {"fingerprint": recipient.fingerprint}}),
                    Err(e) => json!({"err": key_error(&e)}),
                },
                Err(e) => e,
            },
            "encrypt" => match key(request) {
                Ok(key) => match openpgp::encrypt(&key, text(request, "message").as_bytes()) {
                    Ok(sealed) => json!({"ok": {
                        "fingerprint": sealed.recipient.fingerprint,
                        "message": base64::engine::general_purpose::STANDARD.encode(&sealed.message),
                    }}),
                    Err(e) => json!({"err": key_error(&e)}),
                },
                Err(e) => e,
            },
            "reach" => json!({"ok": match lock::reach() {
                lock::LockReach::Process => "process",
                lock::LockReach::Machine => "machine",
                lock::LockReach::EveryCreator => "every-creator",
            }}),
            "acquire" => acquire(request),
            "wait" => {
                wait::wait(request["millis"].as_u64().unwrap_or(0) as u32);
                json!({"ok": null})
            }
            "log" => {
                log::log(log::Level::Info, &text(request, "message"));
                json!({"ok": null})
            }
            other => json!({"probe-error": format!("no import {other:?}")}),
        }
    }

    /// Takes the lock `name`; while it holds it, answers the request `then` (if any); then drops
    /// the guard, or keeps it past the call's return (`keep`), or traps holding it (`trap`).
    fn acquire(request: &Value) -> Value {
        let guard = match lock::acquire(&text(request, "name")) {
            Ok(guard) => guard,
            Err(lock::LockError::Interrupted(why)) => return json!({"err": {"interrupted": why}}),
            Err(lock::LockError::Unavailable(why)) => return json!({"err": {"unavailable": why}}),
        };
        let then = if request["then"].is_object() { call(&request["then"]) } else { Value::Null };
        if request["trap"].as_bool() == Some(true) {
            core::arch::wasm32::unreachable();
        }
        if request["keep"].as_bool() == Some(true) {
            core::mem::forget(guard);
        }
        json!({"ok": {"then": then}})
    }

    fn key(request: &Value) -> Result<Vec<u8>, Value> {
        base64::engine::general_purpose::STANDARD
            .decode(text(request, "key"))
            .map_err(|e| json!({"probe-error": format!("key is not base64: {e}")}))
    }

    fn answer<T>(result: Result<T, ApiError>, ok: impl FnOnce(&T) -> Value) -> Value {
        match result {
            Ok(value) => json!({"ok": ok(&value)}),
            Err(e) => json!({"err": api_error(&e)}),
        }
    }

    fn api_error(e: &ApiError) -> Value {
        let kind = match e.kind {
            ErrorKind::NotFound => "not-found",
            ErrorKind::InvalidInput => "invalid-input",
            ErrorKind::AccessDenied => "access-denied",
            ErrorKind::NotSent => "not-sent",
            ErrorKind::Transport => "transport",
            ErrorKind::Service => "service",
            ErrorKind::Other => "other",
        };
        let hint = e.hint.as_ref().map(|h| json!({"property": h.property, "value": h.value}));
        json!({"kind": kind, "code": e.code, "message": e.message, "retryable": e.retryable, "hint": hint})
    }

    fn key_error(e: &openpgp::KeyError) -> Value {
        let (tag, why) = match e {
            openpgp::KeyError::Malformed(why) => ("malformed", why),
            openpgp::KeyError::Revoked(why) => ("revoked", why),
            openpgp::KeyError::Expired(why) => ("expired", why),
            openpgp::KeyError::NoEncryptionKey(why) => ("no-encryption-key", why),
        };
        json!({ tag: why })
    }

    fn operations(ops: &[api::Operation]) -> Value {
        Value::Array(ops.iter().map(operation).collect())
    }

    fn operation(o: &api::Operation) -> Value {
        let status = match o.status {
            api::OperationStatus::NotStarted => "not-started",
            api::OperationStatus::Started => "started",
            api::OperationStatus::Failed => "failed",
            api::OperationStatus::Completed => "completed",
            api::OperationStatus::Succeeded => "succeeded",
        };
        json!({
            "id": o.id, "resource-name": o.resource_name, "operation-type": o.operation_type, "status": status,
            "is-terminal": o.is_terminal, "created-at": o.created_at, "error-code": o.error_code,
            "error-details": o.error_details,
        })
    }

    fn access_key(k: &api::AccessKey) -> Value {
        let used = k
            .last_used
            .as_ref()
            .map(|u| json!({"last-used-date": u.last_used_date, "region": u.region, "service-name": u.service_name}));
        json!({
            "access-key-id": k.access_key_id,
            // Whether the host gave a secret, not the secret: the probe's answers are printed.
            "secret-access-key": k.secret_access_key.as_ref().map(|s| s.len()),
            "status": k.status, "created-at": k.created_at, "last-used": used,
        })
    }

    fn bucket_json(b: &api::Bucket) -> Value {
        json!({
            "name": b.name, "arn": b.arn, "bundle-id": b.bundle_id, "created-at": b.created_at, "url": b.url,
            "availability-zone": b.availability_zone, "region": b.region, "support-code": b.support_code,
            "tags": b.tags,
        })
    }
}
