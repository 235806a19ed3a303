//! What every resource of the provider implements. The provider finds the resource a type token
//! names once, in its registry, and calls these; a resource answers only for itself.

use crate::host::Host;
use crate::json::Value;
use crate::list::Paging;
use crate::types::*;

/// One resource type: its token, and the engine-neutral lifecycle the WIT's `resource-provider`
/// describes. Property bags arrive as JSON text (new inputs, and the state `read` and `delete` are
/// given) or parsed objects (the state `diff` and `update` compare).
pub trait Resource {
    /// The Pulumi type token (`aws:lightsail/bucketAccessKey:BucketAccessKey`).
    const TOKEN: &'static str;

    /// Validates and normalizes new inputs; failures go in the result. The host is there for what
    /// only it can check (an OpenPGP key); no API call is made.
    fn check(host: &impl Host, news: &str) -> Result<CheckResult, ProviderError>;

    /// Compares the state (`olds`, the last outputs) with new inputs.
    fn diff(host: &impl Host, olds: &Value, news: &str) -> Result<DiffResult, ProviderError>;

    /// Creates the resource; a `preview` makes no API call.
    fn create(host: &impl Host, inputs: &str, preview: bool) -> Result<Created, ProviderError>;

    /// The resource's current state; `None` when it is gone. `state`, its last outputs, is the
    /// text the engine holds: each resource reads of it what it needs.
    fn read(host: &impl Host, id: &str, state: &str) -> Result<Option<ReadResult>, ProviderError>;

    /// Changes the resource in place, where `diff` said it can; a `preview` makes no API call.
    fn update(host: &impl Host, id: &str, olds: &Value, news: &str, preview: bool) -> Result<Outputs, ProviderError>;

    /// Deletes the resource; one already gone counts as deleted.
    fn delete(host: &impl Host, id: &str, state: &str) -> Result<(), ProviderError>;

    /// Adopts an existing resource by its id.
    fn import(host: &impl Host, id: &str) -> Result<ReadResult, ProviderError>;

    /// The resources that exist, as far as `query` narrows them: one page of `paging`.
    fn list(host: &impl Host, query: &str, paging: Paging) -> Result<ListPage, ProviderError>;

    /// Creates the resource, making room for it where its container is full (the WIT's `rotate`).
    fn rotate(host: &impl Host, inputs: &str, replace: Option<&str>, preview: bool) -> Result<Rotated, ProviderError>;
}
