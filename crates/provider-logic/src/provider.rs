//! The provider: the resource types it implements (the registry), and each operation handed to the
//! resource its type token names.

use crate::access_key::AccessKey;
use crate::bucket::Bucket;
use crate::host::Host;
use crate::props::state_object;
use crate::resource::Resource;
use crate::types::*;
use alloc::{
    string::{String, ToString},
    vec,
    vec::Vec,
};

/// The registry: every resource this provider implements. To add one, implement [`Resource`],
/// add a variant here and name it in [`Registered::of`], [`resource_types`] and `dispatch!`.
#[derive(Clone, Copy)]
enum Registered {
    AccessKey,
    Bucket,
}

impl Registered {
    /// The resource a type token names.
    fn of(token: &str) -> Result<Self, ProviderError> {
        match token {
            AccessKey::TOKEN => Ok(Self::AccessKey),
            Bucket::TOKEN => Ok(Self::Bucket),
            other => Err(ProviderError::UnknownType(other.to_string())),
        }
    }
}

/// Calls the registered resource's implementation: `$R` names its type in `$call`.
macro_rules! dispatch {
    ($registered:expr, $R:ident => $call:expr) => {
        match $registered {
            Registered::AccessKey => {
                type $R = AccessKey;
                $call
            }
            Registered::Bucket => {
                type $R = Bucket;
                $call
            }
        }
    };
}

/// The type tokens of the registry's resources.
pub fn resource_types() -> Vec<String> {
    vec![AccessKey::TOKEN.to_string(), Bucket::TOKEN.to_string()]
}

/// The Pulumi package schema of every resource.
pub fn schema() -> String {
    crate::schema::document()
}

/// Validates and normalizes new inputs; `olds`, when given, only has to be a bag.
pub fn check(host: &impl Host, token: &str, olds: Option<&str>, news: &str) -> Result<CheckResult, ProviderError> {
    let registered = Registered::of(token)?;
    // The old inputs do not change how new ones are read; they only have to be a bag.
    if let Some(olds) = olds {
        state_object("olds", olds)?;
    }
    dispatch!(registered, R => R::check(host, news))
}

/// Compares a resource's state with new inputs.
pub fn diff(host: &impl Host, token: &str, _id: &str, olds: &str, news: &str) -> Result<DiffResult, ProviderError> {
    let registered = Registered::of(token)?;
    let olds = state_object("olds", olds)?;
    dispatch!(registered, R => R::diff(host, &olds, news))
}

/// Creates a resource; a `preview` makes no API call.
pub fn create(host: &impl Host, token: &str, inputs: &str, preview: bool) -> Result<Created, ProviderError> {
    dispatch!(Registered::of(token)?, R => R::create(host, inputs, preview))
}

/// Reads a resource; `None` when it is gone.
pub fn read(host: &impl Host, token: &str, id: &str, state: Option<&str>) -> Result<Option<ReadResult>, ProviderError> {
    let registered = Registered::of(token)?;
    dispatch!(registered, R => R::read(host, id, state.unwrap_or("")))
}

/// Changes a resource in place, where it can.
pub fn update(
    host: &impl Host,
    token: &str,
    id: &str,
    olds: &str,
    news: &str,
    preview: bool,
) -> Result<Outputs, ProviderError> {
    let registered = Registered::of(token)?;
    let olds = state_object("olds", olds)?;
    dispatch!(registered, R => R::update(host, id, &olds, news, preview))
}

/// Deletes a resource; one already gone counts as deleted.
pub fn delete(host: &impl Host, token: &str, id: &str, state: &str) -> Result<(), ProviderError> {
    let registered = Registered::of(token)?;
    dispatch!(registered, R => R::delete(host, id, state))
}

/// Adopts an existing resource by its id.
pub fn import(host: &impl Host, token: &str, id: &str) -> Result<ReadResult, ProviderError> {
    dispatch!(Registered::of(token)?, R => R::import(host, id))
}

/// One page of the resources of a type that exist, as far as `query` narrows them.
pub fn list(
    host: &impl Host,
    token: &str,
    query: &str,
    limit: u32,
    page_size: u32,
    continuation: Option<&str>,
) -> Result<ListPage, ProviderError> {
    let registered = Registered::of(token)?;
    let paging = crate::list::Paging::new(limit, page_size, continuation)?;
    dispatch!(registered, R => R::list(host, query, paging))
}

/// Creates a resource, making room for it first where its container is full.
pub fn rotate(
    host: &impl Host,
    token: &str,
    inputs: &str,
    replace: Option<&str>,
    preview: bool,
) -> Result<Rotated, ProviderError> {
    dispatch!(Registered::of(token)?, R => R::rotate(host, inputs, replace, preview))
}
