//! What the commands print: text for people, JSON for programs. Secret values are hidden in both
//! unless `--show-secrets`.

use super::{Format, exit};
use lightsail_provider_host::{
    CallError, CheckResult, Created, DiffResult, NotReady, Outputs, ProviderError, ReadResult, Rotated, UNKNOWN,
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

/// The output that holds a key's last use, and the one that holds its secret encrypted.
const LAST_USED: &str = "lastUsed";
const ENCRYPTED_SECRET: &str = "encryptedSecretAccessKey";

/// An RFC 3339 time to the minute, as a person reads it: `2026-12-05 18:04 UTC`.
fn when(time: &str) -> String {
    match (time.get(..10), time.get(11..16)) {
        (Some(day), Some(minute)) if time.as_bytes().get(10) == Some(&b'T') => format!("{day} {minute} UTC"),
        _ => time.to_string(),
    }
}

/// A key's `lastUsed` in words: "never used", or when, where and with which service.
fn last_use(used: &Value) -> String {
    let Some(date) = used.get("lastUsedDate").and_then(Value::as_str) else { return "never used".into() };
    let known = |name| used.get(name).and_then(Value::as_str).filter(|v| *v != "N/A");
    let mut words = when(date);
    if let Some(region) = known("region") {
        words.push_str(&format!(" in {region}"));
    }
    if let Some(service) = known("serviceName") {
        words.push_str(&format!(" ({service})"));
    }
    words
}

/// Seconds since the Unix epoch of an RFC 3339 time.
fn epoch_seconds(time: &str) -> Option<f64> {
    use aws_sdk_s3::primitives::{DateTime, DateTimeFormat};
    DateTime::from_str(time, DateTimeFormat::DateTime).ok().map(|t| t.as_secs_f64())
}

/// Rows under a header, each column as wide as its widest cell.
fn table(header: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut lines = vec![line(header.to_vec())];
    lines.extend(rows.iter().map(|row| line(row.iter().map(String::as_str).collect())));
    lines
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

    /// The outputs as label and value lines, `first` before them: an output with no value is left
    /// out (a secret that has none says why), last use is said in words, and the labels' column
    /// is as wide as the longest.
    fn text_outputs(&self, outputs: &Outputs, first: &[(&str, String)]) {
        let (values, hidden, unknown) = self.withheld(outputs);
        let Value::Object(map) = values else { return };
        // Where the secret is kept encrypted, the plain one is missing on purpose.
        let encrypted = map.get(ENCRYPTED_SECRET).is_some_and(|v| !v.is_null());
        let mut lines: Vec<(String, String)> =
            first.iter().map(|(label, value)| (label.to_string(), value.clone())).collect();
        for (name, value) in &map {
            let secret = outputs.secrets.contains(name);
            let shown = match value {
                _ if hidden.contains(name) => HIDDEN.to_string(),
                _ if unknown.contains(name) => "(known after the create)".to_string(),
                Value::Null if secret && !encrypted => UNAVAILABLE.to_string(),
                Value::Null => continue,
                _ if name == LAST_USED => last_use(value),
                Value::String(s) => s.clone(),
                Value::Object(fields) => {
                    fields.iter().map(|(k, v)| format!("{} {}", words(k), plain(v))).collect::<Vec<_>>().join(", ")
                }
                other => other.to_string(),
            };
            lines.push((words(name), shown));
        }
        let width = lines.iter().map(|(label, _)| label.len()).max().unwrap_or(0);
        for (label, value) in lines {
            say!(self, "  {label:<width$}  {value}");
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
                self.text_outputs(&created.outputs, &[]);
            }
        }
        exit::OK
    }

    /// A rotation: the key it deleted to make room (or would, in a preview), then the new one.
    pub fn rotated(&self, rotated: &Rotated, preview: bool) -> u8 {
        let deleted = rotated.deleted.as_deref();
        match self.format {
            Format::Json => {
                let id = self.next_id(&rotated.created.id, &rotated.created.outputs);
                let answer = json!({ "id": id, "preview": preview, "deleted": deleted });
                self.json(self.json_outputs(&rotated.created.outputs, answer));
                exit::OK
            }
            Format::Text => {
                match (deleted, preview) {
                    (Some(deleted), true) => say!(self, "would delete {deleted} to make room"),
                    (Some(deleted), false) => say!(self, "deleted {deleted} to make room"),
                    (None, _) => {}
                }
                self.created(&rotated.created, preview)
            }
        }
    }

    /// What `list` found: a table for people (a key's last use in words), every item for
    /// programs. `unused_for`: only keys never used, or not used in that many days.
    pub fn listed(&self, items: &[ReadResult], unused_for: Option<u32>) -> u8 {
        let outputs: Vec<Value> = items.iter().map(|item| parse(&item.outputs.values)).collect();
        let keep = |values: &Value| match unused_for {
            None => true,
            Some(days) => {
                let last = values.get(LAST_USED).and_then(|u| u.get("lastUsedDate")).and_then(Value::as_str);
                let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                last.and_then(epoch_seconds).is_none_or(|at| now.as_secs_f64() - at >= f64::from(days) * 86_400.0)
            }
        };
        let kept: Vec<(&ReadResult, &Value)> = items.iter().zip(&outputs).filter(|(_, values)| keep(values)).collect();
        match self.format {
            Format::Json => {
                let items: Vec<Value> = kept
                    .iter()
                    .map(|(item, values)| json!({ "id": item.id, "inputs": parse(&item.inputs), "outputs": values }))
                    .collect();
                self.json(json!({ "items": items }));
            }
            Format::Text if kept.is_empty() => say!(self, "none found"),
            Format::Text => {
                let text =
                    |values: &Value, name: &str| values.get(name).and_then(Value::as_str).unwrap_or("-").to_string();
                let is_key = kept.iter().any(|(_, values)| values.get(LAST_USED).is_some());
                let (header, rows): (Vec<&str>, Vec<Vec<String>>) = if is_key {
                    let row = |(item, values): &(&ReadResult, &Value)| {
                        let used = values.get(LAST_USED).map_or_else(|| "never used".to_string(), last_use);
                        vec![item.id.clone(), text(values, "status"), when(&text(values, "createdAt")), used]
                    };
                    (vec!["ID", "STATUS", "CREATED", "LAST USED"], kept.iter().map(row).collect())
                } else {
                    let row = |(item, values): &(&ReadResult, &Value)| {
                        vec![
                            item.id.clone(),
                            text(values, "region"),
                            text(values, "bundleId"),
                            when(&text(values, "createdAt")),
                        ]
                    };
                    (vec!["ID", "REGION", "BUNDLE", "CREATED"], kept.iter().map(row).collect())
                };
                for line in table(&header, &rows) {
                    say!(self, "{line}");
                }
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
                self.text_outputs(&result.outputs, &[("inputs", result.inputs.clone())]);
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
                self.text_outputs(&not_ready.outputs, &[]);
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
