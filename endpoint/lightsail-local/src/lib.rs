//! A Lightsail-compatible local endpoint for buckets and bucket access keys.
//!
//! It speaks the awsJson1_1 protocol as AWS does (`POST /`, `X-Amz-Target:
//! Lightsail_20161128.<Op>`, SigV4-signed), keeps state per region, and can inject faults
//! deterministically. Beside it, on the same address, it serves each bucket's objects over the S3
//! API, to requests signed with that bucket's access keys. Start one in-process with [`LocalEndpoint::start`], or run the
//! `lightsail-local serve` binary. The items below are its surface; [`model`], [`persistence`] and
//! [`database`] are the state's layers, public for the state benchmark and the persistence tests.

#![deny(missing_docs)]

mod auth;
mod control;
pub mod database;
mod error;
mod faults;
#[cfg(any(fuzzing, test))]
pub mod fuzzing;
mod gates;
mod keys;
pub mod model;
mod objects;
pub mod persistence;
mod protocol;
mod s3;
mod server;
mod stats;
mod store;
mod sync;

pub use auth::Credentials;
pub use control::CONTROL_PREFIX;
pub use error::{ApiError, ModeledError};
pub use faults::{Corruption, Fault, FaultConfig, ScriptedFault};
pub use gates::GateState;
pub use protocol::Operation;
pub use s3::DEFAULT_OBJECT_LIMIT;
pub use server::{Config, DEFAULT_BODY_LIMIT, LocalEndpoint, StartError};
pub use stats::Stats;
pub use store::Store;
