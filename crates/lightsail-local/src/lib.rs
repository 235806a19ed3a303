//! A Lightsail-compatible local endpoint for buckets and bucket access keys.
//!
//! It speaks the awsJson1_1 protocol as AWS does (`POST /`, `X-Amz-Target:
//! Lightsail_20161128.<Op>`, SigV4-signed), keeps state per region, and can inject faults
//! deterministically. Start one in-process with [`LocalEndpoint::start`], or run the
//! `lightsail-local serve` binary.

pub mod auth;
pub mod error;
pub mod faults;
mod keys;
pub mod model;
mod server;
pub mod store;

pub use auth::Credentials;
pub use error::ApiError;
pub use faults::{Fault, FaultConfig, ScriptedFault};
pub use server::{CONTROL_PREFIX, Config, DEFAULT_BODY_LIMIT, LocalEndpoint, Operation, StartError, Stats};
pub use store::Store;
