//! What the commands print: text for people, JSON for programs. Secret values are hidden in both
//! unless `--show-secrets`.

use super::{Format, exit};
use lightsail_provider_host::{
    CallError, CheckResult, Created, DiffResult, NotReady, Outputs, ProviderError, ReadResult, UNKNOWN,
};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::io::Write;

/// Writes a line to standard output, as `println!` does, without panicking when it cannot.
macro_rules! say {
    ($printer:expr, $($arg:tt)*) => {
        $printer.line(&format!($($arg)*))
    };
}
pub(crate) use say;

pub const HIDDEN: &str = "[hidden: --show-secrets shows it]";
const UNAVAILABLE: &str =
    "not available: AWS returns the secret only when the key is created, so imported keys have none";

pub struct Printer {
    format: Format,
    show_secrets: bool,
    /// The region the next command would use by default: ids of resources elsewhere are printed
    /// with `@REGION`, so that reading or deleting them by id looks in the right place.
    default_region: RefCell<Option<String>>,
    /// Lines held back, to be written at once by [`Printer::release`].
    held: RefCell<Option<String>>,
}

fn parse(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or_else(|_| Value::String(json.to_string()))
}

/// A nested value as a person reads it: strings bare, null as `-`.
fn plain(value: &Value) -> String {
    match value {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `accessKeyId` → `access key id`.
fn words(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

impl Printer {
    pub fn new(format: Format, show_secrets: bool) -> Self {
        Self { format, show_secrets, default_region: RefCell::new(None), held: RefCell::new(None) }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn set_default_region(&self, region: Option<&str>) {
        *self.default_region.borrow_mut() = region.map(str::to_string);
    }

    pub fn line(&self, text: &str) {
        if let Some(held) = self.held.borrow_mut().as_mut() {
            held.push_str(text);
            held.push('\n');
            return;
        }
        // A write that fails (the terminal is gone) is let go: there is no one left to tell. A
        // closed pipe ends the process before (SIGPIPE), except in a create, which holds its lines.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}").and_then(|()| out.flush());
    }

    /// Holds the lines that follow until [`Printer::release`], so that they are written at once.
    pub fn hold(&self) {
        *self.held.borrow_mut() = Some(String::new());
    }

    /// Writes the lines held back; an error when they could not all be written.
    pub fn release(&self) -> std::io::Result<()> {
        let Some(held) = self.held.borrow_mut().take() else { return Ok(()) };
        let mut out = std::io::stdout().lock();
        out.write_all(held.as_bytes()).and_then(|()| out.flush())
    }

    /// The id to use in the next command: with `@REGION` when the resource's region (from its
    /// outputs) is not the default one.
    fn next_id(&self, id: &str, outputs: &Outputs) -> String {
        let region = parse(&outputs.values).get("region").and_then(Value::as_str).map(str::to_string);
        match region {
            Some(region)
                if !id.is_empty()
                    && !id.contains('@')
                    && region != UNKNOWN
                    && self.default_region.borrow().as_deref() != Some(region.as_str()) =>
            {
                format!("{id}@{region}")
            }
            _ => id.to_string(),
        }
    }

    /// The region a read or delete by `id` looked in, as the component chooses it: the state's,
    /// else the id's, else the default.
    fn looked_in(&self, id: &str, state: Option<&str>) -> Option<String> {
        let from_state = state.map(parse).and_then(|s| s.get("region").and_then(Value::as_str).map(str::to_string));
        from_state
            .or_else(|| id.rsplit_once('@').map(|(_, region)| region.to_string()))
            .or_else(|| self.default_region.borrow().clone())
    }

    /// The outputs as a script should see them: secret values withheld (`null`) unless they are
    /// to be shown, and values not known yet (in a preview) `null`; with the names of each. A
    /// placeholder string would look like a value to a script.
    fn withheld(&self, outputs: &Outputs) -> (Value, Vec<String>, Vec<String>) {
        let mut values = parse(&outputs.values);
        let (mut hidden, mut unknown) = (Vec::new(), Vec::new());
        if let Value::Object(map) = &mut values {
            for (name, value) in map.iter_mut() {
                if value.as_str() == Some(UNKNOWN) {
                    *value = Value::Null;
                    unknown.push(name.clone());
                } else if !self.show_secrets && !value.is_null() && outputs.secrets.contains(name) {
                    *value = Value::Null;
                    hidden.push(name.clone());
                }
            }
        }
        (values, hidden, unknown)
    }

    /// Outputs as JSON: `outputs` (withheld secrets and unknown values `null`), `secrets` (the
    /// secret properties), `hidden` (those withheld: `--show-secrets` shows them) and `unknown`
    /// (values a preview cannot know).
    fn json_outputs(&self, outputs: &Outputs, mut answer: Value) -> Value {
        let (values, hidden, unknown) = self.withheld(outputs);
        answer["outputs"] = values;
        answer["secrets"] = json!(outputs.secrets);
        answer["hidden"] = json!(hidden);
        answer["unknown"] = json!(unknown);
        answer
    }

    fn text_outputs(&self, outputs: &Outputs) {
        let (values, hidden, unknown) = self.withheld(outputs);
        let Value::Object(map) = values else { return };
        for (name, value) in map {
            let shown = match (&value, outputs.secrets.contains(&name)) {
                _ if hidden.contains(&name) => HIDDEN.to_string(),
                _ if unknown.contains(&name) => "(known after the create)".to_string(),
                (Value::Null, true) => UNAVAILABLE.to_string(),
                (Value::Null, false) => "-".to_string(),
                (Value::String(s), _) => s.clone(),
                (Value::Object(fields), _) => {
                    fields.iter().map(|(k, v)| format!("{} {}", words(k), plain(v))).collect::<Vec<_>>().join(", ")
                }
                (other, _) => other.to_string(),
            };
            say!(self, "  {:<18} {shown}", words(&name));
        }
    }

    fn json(&self, value: Value) {
        say!(self, "{}", serde_json::to_string_pretty(&value).unwrap_or_default());
    }

    pub fn schema(&self, schema: &str) -> u8 {
        self.json(parse(schema));
        exit::OK
    }

    pub fn types(&self, types: &[String]) -> u8 {
        match self.format {
            Format::Json => self.json(json!(types)),
            Format::Text => types.iter().for_each(|t| say!(self, "{t}")),
        }
        exit::OK
    }

    pub fn check(&self, checked: &CheckResult) -> u8 {
        let failures: Vec<Value> =
            checked.failures.iter().map(|f| json!({"property": f.property, "reason": f.reason})).collect();
        match self.format {
            Format::Json => self.json(json!({"inputs": parse(&checked.inputs), "failures": failures})),
            Format::Text if checked.failures.is_empty() => say!(self, "valid: {}", checked.inputs),
            Format::Text => {
                say!(self, "invalid input:");
                for f in &checked.failures {
                    let property = if f.property.is_empty() { "(inputs)" } else { &f.property };
                    say!(self, "  {property}: {}", f.reason);
                }
            }
        }
        if checked.failures.is_empty() { exit::OK } else { exit::USER_ERROR }
    }

    pub fn diff(&self, diff: &DiffResult) -> u8 {
        match self.format {
            Format::Json => self.json(json!({
                "changes": diff.changes,
                "diffs": diff.diffs,
                "replaces": diff.replaces,
                "deleteBeforeReplace": diff.delete_before_replace,
            })),
            Format::Text if !diff.changes => say!(self, "no changes"),
            Format::Text => {
                for property in &diff.diffs {
                    let how = if diff.replaces.contains(property) { "forces replacement" } else { "changes in place" };
                    say!(self, "  {property}: {how}");
                }
            }
        }
        exit::OK
    }

    pub fn created(&self, created: &Created, preview: bool) -> u8 {
        let id = self.next_id(&created.id, &created.outputs);
        match self.format {
            Format::Json => self.json(self.json_outputs(&created.outputs, json!({ "id": id, "preview": preview }))),
            Format::Text => {
                if preview {
                    say!(self, "would create (preview, no AWS call made):");
                } else {
                    say!(self, "created {id}");
                }
                self.text_outputs(&created.outputs);
            }
        }
        exit::OK
    }

    fn found(&self, heading: &str, result: &ReadResult) {
        let id = self.next_id(&result.id, &result.outputs);
        match self.format {
            Format::Json => {
                self.json(self.json_outputs(&result.outputs, json!({ "id": id, "inputs": parse(&result.inputs) })))
            }
            Format::Text => {
                say!(self, "{heading} {id}");
                say!(self, "  {:<18} {}", "inputs", result.inputs);
                self.text_outputs(&result.outputs);
            }
        }
    }

    /// A resource read by `id` (with its last `state`, if given), or found gone: then the answer
    /// names the region looked in, since a resource of another region reads as gone.
    pub fn read(&self, id: &str, state: Option<&str>, result: Option<&ReadResult>) -> u8 {
        if let Some(result) = result {
            self.found("found", result);
            return exit::OK;
        }
        let region = self.looked_in(id, state);
        match self.format {
            Format::Json => self.json(json!({"id": id, "gone": true, "region": region})),
            Format::Text => match region {
                Some(region) => say!(self, "gone: {id} does not exist in {region}"),
                None => say!(self, "gone: {id} does not exist"),
            },
        }
        exit::NOT_FOUND
    }

    pub fn imported(&self, result: &ReadResult) -> u8 {
        self.found("imported", result);
        exit::OK
    }

    /// Deleted, or not found (in the region looked in, which the answer names): deleting what
    /// is already gone succeeds, but is not called "deleted".
    pub fn deleted(&self, id: &str, state: &str, existed: bool) -> u8 {
        let region = self.looked_in(id, Some(state));
        match self.format {
            Format::Json => self.json(json!({"id": id, "deleted": existed, "gone": true, "region": region})),
            Format::Text if existed => say!(self, "deleted {id}"),
            Format::Text => match region {
                Some(region) => say!(self, "nothing to delete: {id} does not exist in {region}"),
                None => say!(self, "nothing to delete: {id} does not exist"),
            },
        }
        exit::OK
    }

    pub fn not_ready(&self, not_ready: &NotReady) {
        let id = self.next_id(&not_ready.id, &not_ready.outputs);
        match self.format {
            Format::Json => self.json(self.json_outputs(
                &not_ready.outputs,
                json!({ "id": id, "notReady": not_ready.reason, "error": { "kind": "not-ready", "message": not_ready.reason } }),
            )),
            Format::Text => {
                say!(self, "created but not ready: {id} ({})", not_ready.reason);
                self.text_outputs(&not_ready.outputs);
            }
        }
    }

    /// An error under `--output json`, as one JSON document on standard output: `error.kind`
    /// (`invalid-input`, `not-found`, `api`, `unknown-type`, `unsupported`, `failure`),
    /// `error.message`, and the details its kind has (`failures`; `code`, `retryable`, the
    /// contract's `errorKind` and `hint`).
    pub fn error_json(&self, error: &CallError) {
        let message = error.to_string();
        let body = match error {
            CallError::Provider(ProviderError::InvalidInput(failures)) => json!({
                "kind": "invalid-input",
                "message": message,
                "failures": failures.iter().map(|f| json!({"property": f.property, "reason": f.reason})).collect::<Vec<_>>(),
            }),
            CallError::Provider(ProviderError::NotFound(_)) => json!({"kind": "not-found", "message": message}),
            CallError::Provider(ProviderError::Api(e)) => {
                let hint = e.hint.as_ref().map(|h| json!({"property": h.property, "value": h.value}));
                json!({
                    "kind": "api", "message": message, "code": e.code, "retryable": e.retryable,
                    "errorKind": e.kind.wit_name(), "hint": hint,
                })
            }
            CallError::Provider(ProviderError::UnknownType(_)) => json!({"kind": "unknown-type", "message": message}),
            CallError::Provider(ProviderError::Unsupported(_)) => json!({"kind": "unsupported", "message": message}),
            _ => json!({"kind": "failure", "message": message}),
        };
        self.json(json!({ "error": body }));
    }

    /// A failure outside any provider call (set-up, AWS configuration), under `--output json`.
    pub fn failure_json(&self, kind: &str, message: &str) {
        self.json(json!({ "error": { "kind": kind, "message": message } }));
    }
}
