//! What the commands print: text for people, JSON for programs. Secret values are hidden in both
//! unless `--show-secrets`.

use super::{Format, exit};
use lightsail_provider_host::{CheckResult, Created, DiffResult, NotReady, Outputs, ReadResult};
use serde_json::{Value, json};

pub const HIDDEN: &str = "[hidden: --show-secrets shows it]";
const UNAVAILABLE: &str =
    "not available: AWS returns the secret only when the key is created, so imported keys have none";

pub struct Printer {
    format: Format,
    show_secrets: bool,
}

fn parse(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or_else(|_| Value::String(json.to_string()))
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
        Self { format, show_secrets }
    }

    /// The outputs with secret values withheld (`null`) unless they are to be shown, and the names
    /// of those withheld. A placeholder string would look like a value to a script.
    fn withheld(&self, outputs: &Outputs) -> (Value, Vec<String>) {
        let mut values = parse(&outputs.values);
        let mut hidden = Vec::new();
        if !self.show_secrets
            && let Value::Object(map) = &mut values
        {
            for name in &outputs.secrets {
                if let Some(value) = map.get_mut(name)
                    && !value.is_null()
                {
                    *value = Value::Null;
                    hidden.push(name.clone());
                }
            }
        }
        (values, hidden)
    }

    /// Outputs as JSON: `outputs` (withheld secrets `null`), `secrets` (the secret properties) and
    /// `hidden` (those withheld: `--show-secrets` shows them).
    fn json_outputs(&self, outputs: &Outputs, mut answer: Value) -> Value {
        let (values, hidden) = self.withheld(outputs);
        answer["outputs"] = values;
        answer["secrets"] = json!(outputs.secrets);
        answer["hidden"] = json!(hidden);
        answer
    }

    fn text_outputs(&self, outputs: &Outputs) {
        let (values, hidden) = self.withheld(outputs);
        let Value::Object(map) = values else { return };
        for (name, value) in map {
            let shown = match (&value, outputs.secrets.contains(&name)) {
                _ if hidden.contains(&name) => HIDDEN.to_string(),
                (Value::Null, true) => UNAVAILABLE.to_string(),
                (Value::Null, false) => "-".to_string(),
                (Value::String(s), _) => s.clone(),
                (other, _) => other.to_string(),
            };
            println!("  {:<18} {shown}", words(&name));
        }
    }

    fn json(&self, value: Value) {
        println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
    }

    pub fn schema(&self, schema: &str) -> u8 {
        self.json(parse(schema));
        exit::OK
    }

    pub fn types(&self, types: &[String]) -> u8 {
        match self.format {
            Format::Json => self.json(json!(types)),
            Format::Text => types.iter().for_each(|t| println!("{t}")),
        }
        exit::OK
    }

    pub fn check(&self, checked: &CheckResult) -> u8 {
        let failures: Vec<Value> =
            checked.failures.iter().map(|f| json!({"property": f.property, "reason": f.reason})).collect();
        match self.format {
            Format::Json => self.json(json!({"inputs": parse(&checked.inputs), "failures": failures})),
            Format::Text if checked.failures.is_empty() => println!("valid: {}", checked.inputs),
            Format::Text => {
                println!("invalid input:");
                for f in &checked.failures {
                    let property = if f.property.is_empty() { "(inputs)" } else { &f.property };
                    println!("  {property}: {}", f.reason);
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
            Format::Text if !diff.changes => println!("no changes"),
            Format::Text => {
                for property in &diff.diffs {
                    let how = if diff.replaces.contains(property) { "forces replacement" } else { "changes in place" };
                    println!("  {property}: {how}");
                }
            }
        }
        exit::OK
    }

    pub fn created(&self, created: &Created, preview: bool) -> u8 {
        match self.format {
            Format::Json => {
                self.json(self.json_outputs(&created.outputs, json!({ "id": created.id, "preview": preview })))
            }
            Format::Text => {
                if preview {
                    println!("would create (preview, no AWS call made):");
                } else {
                    println!("created {}", created.id);
                }
                self.text_outputs(&created.outputs);
            }
        }
        exit::OK
    }

    fn found(&self, heading: &str, result: &ReadResult) {
        match self.format {
            Format::Json => self
                .json(self.json_outputs(&result.outputs, json!({ "id": result.id, "inputs": parse(&result.inputs) }))),
            Format::Text => {
                println!("{heading} {}", result.id);
                println!("  {:<18} {}", "inputs", result.inputs);
                self.text_outputs(&result.outputs);
            }
        }
    }

    pub fn read(&self, id: &str, result: Option<&ReadResult>) -> u8 {
        match result {
            Some(result) => {
                self.found("found", result);
                exit::OK
            }
            None => {
                match self.format {
                    Format::Json => self.json(json!({"id": id, "gone": true})),
                    Format::Text => println!("gone: {id} no longer exists"),
                }
                exit::NOT_FOUND
            }
        }
    }

    pub fn imported(&self, result: &ReadResult) -> u8 {
        self.found("imported", result);
        exit::OK
    }

    pub fn deleted(&self, id: &str) -> u8 {
        match self.format {
            Format::Json => self.json(json!({"id": id, "deleted": true})),
            Format::Text => println!("deleted {id}"),
        }
        exit::OK
    }

    pub fn not_ready(&self, not_ready: &NotReady) {
        match self.format {
            Format::Json => self.json(
                self.json_outputs(&not_ready.outputs, json!({ "id": not_ready.id, "notReady": not_ready.reason })),
            ),
            Format::Text => {
                println!("created but not ready: {} ({})", not_ready.id, not_ready.reason);
                self.text_outputs(&not_ready.outputs);
            }
        }
    }
}
