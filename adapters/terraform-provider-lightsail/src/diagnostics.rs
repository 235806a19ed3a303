//! What a call tells the user: Terraform's diagnostics, each an error or a warning, on the whole
//! call or on one attribute (which Terraform underlines in the configuration).

use crate::tfplugin6::{AttributePath, Diagnostic, attribute_path, diagnostic::Severity};

#[derive(Debug, Default)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    fn push(
        &mut self,
        severity: Severity,
        summary: impl Into<String>,
        detail: impl Into<String>,
        attribute: Option<&str>,
    ) {
        let attribute = attribute.map(|name| AttributePath {
            steps: vec![attribute_path::Step {
                selector: Some(attribute_path::step::Selector::AttributeName(name.into())),
            }],
        });
        self.0.push(Diagnostic {
            severity: severity as i32,
            summary: summary.into(),
            detail: detail.into(),
            attribute,
        });
    }

    /// An error on the attribute `name` of the block the call is about.
    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>, name: &str) {
        self.push(Severity::Error, summary, detail, Some(name));
    }

    /// An error on the whole call.
    pub fn root_error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Error, summary, detail, None);
    }

    pub fn warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Warning, summary, detail, None);
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.0
    }
}
