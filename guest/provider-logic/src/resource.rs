//! What every resource of the provider implements. The provider finds the resource a type token
//! names once, in its registry, and calls these; a resource answers only for itself.

use crate::host::Host;
use crate::json::Value;
use crate::types::*;
use alloc::format;

/// One resource type: its token, and the engine-neutral lifecycle the WIT's `resource-provider`
/// describes. Property bags arrive as JSON text (new inputs) or parsed objects (state).
pub trait Resource {
    /// The Pulumi type token (`aws:lightsail/bucketAccessKey:BucketAccessKey`).
    const TOKEN: &'static str;

    /// Validates and normalizes new inputs; failures go in the result.
    fn check(news: &str) -> Result<CheckResult, ProviderError>;

    /// Compares the state (`olds`, the last outputs) with new inputs.
    fn diff(host: &impl Host, olds: &Value, news: &str) -> Result<DiffResult, ProviderError>;

    /// Creates the resource; a `preview` makes no API call.
    fn create(host: &impl Host, inputs: &str, preview: bool) -> Result<Created, ProviderError>;

    /// The resource's current state; `None` when it is gone.
    fn read(host: &impl Host, id: &str, state: &Value) -> Result<Option<ReadResult>, ProviderError>;

    /// Changes the resource in place. By default nothing can: every input forces replacement.
    fn update(_: &impl Host, _id: &str, _olds: &Value, _news: &str, _preview: bool) -> Result<Outputs, ProviderError> {
        Err(ProviderError::Unsupported(format!(
            "{} cannot change in place: every input forces replacement, so an update is never planned",
            Self::TOKEN
        )))
    }

    /// Deletes the resource; one already gone counts as deleted.
    fn delete(host: &impl Host, id: &str, state: &Value) -> Result<(), ProviderError>;

    /// Adopts an existing resource by its id.
    fn import(host: &impl Host, id: &str) -> Result<ReadResult, ProviderError>;
}
