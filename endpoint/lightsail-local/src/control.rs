//! The control routes beside the API: read and replace the fault configuration, read the stats,
//! see and open the gates where scripted faults hold requests.
//! Not authenticated: the endpoint is meant for loopback.

use crate::faults::{FaultConfig, FaultState};
use crate::gates::Gates;
use crate::stats::Stats;
use crate::sync::lock;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use std::sync::Mutex;

/// Where the control routes live; Lightsail itself only answers `POST /`.
pub const CONTROL_PREFIX: &str = "/_lightsail-local/";

/// `GET|PUT /_lightsail-local/faults`, `GET /_lightsail-local/stats`, `GET /_lightsail-local/gates`,
/// `POST /_lightsail-local/gates/NAME` (opens it).
pub(crate) async fn control(
    faults: &Mutex<FaultState>,
    gates: &Gates,
    stats: &Mutex<Stats>,
    body_limit: usize,
    req: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let plain = |status: StatusCode, text: String| {
        Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Full::new(Bytes::from(text)))
            .expect("valid response")
    };
    let ok = |value: serde_json::Value| {
        Response::builder()
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(value.to_string())))
            .expect("valid response")
    };
    let route = &req.uri().path()[CONTROL_PREFIX.len()..];
    match (req.method().clone(), route) {
        (Method::GET, "faults") => ok(serde_json::to_value(lock(faults).config()).expect("serializes")),
        (Method::PUT, "faults") => {
            let body = match Limited::new(req.into_body(), body_limit).collect().await {
                Ok(b) => b.to_bytes(),
                Err(e) => return plain(StatusCode::BAD_REQUEST, format!("cannot read the body: {e}\n")),
            };
            let config: FaultConfig = match serde_json::from_slice(&body) {
                Ok(config) => config,
                Err(e) => return plain(StatusCode::BAD_REQUEST, format!("invalid fault configuration: {e}\n")),
            };
            if let Err(e) = config.validate() {
                return plain(StatusCode::BAD_REQUEST, format!("invalid fault configuration: {e}\n"));
            }
            *lock(faults) = FaultState::new(config.clone());
            ok(serde_json::to_value(config).expect("serializes"))
        }
        (Method::GET, "stats") => ok(serde_json::to_value(&*lock(stats)).expect("serializes")),
        (Method::GET, "gates") => ok(serde_json::to_value(gates.states()).expect("serializes")),
        (Method::POST, route) if route.strip_prefix("gates/").is_some_and(|name| !name.is_empty()) => {
            let name = &route["gates/".len()..];
            gates.open(name);
            ok(serde_json::to_value(gates.states()).expect("serializes"))
        }
        _ => plain(StatusCode::NOT_FOUND, format!("no control route {} {}\n", req.method(), req.uri().path())),
    }
}
