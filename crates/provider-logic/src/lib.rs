//! The resource logic of `aws_lightsail_bucket_access_key` (Pulumi:
//! `aws:lightsail/bucketAccessKey:BucketAccessKey`), and of the bucket it belongs to
//! (`aws_lightsail_bucket`), in plain Rust that builds and tests natively.
//!
//! The WebAssembly component (`provider-component`) is a thin adapter from the WIT contract to
//! [`provider`]; everything the logic needs from outside comes through the [`host::Host`] trait,
//! which mirrors the WIT imports.
//!
//! Without `std` (it needs no I/O, threads or clock): the component can then trap on a panic
//! without carrying the standard library's panic machinery and message formatting.

#![deny(missing_docs)]
#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod access_key;
pub mod bucket;
#[cfg(any(fuzzing, test))]
pub mod fuzzing;
pub mod host;
pub mod json;
pub mod list;
mod props;
pub use props::UNKNOWN;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod timestamp;
pub mod types;
pub mod validate;
mod wait;
pub mod wit;
