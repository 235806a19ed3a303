//! The plugin, launched as the Pulumi engine launches it, and a client of the same protocol.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Pulumi's protocol, from the same vendored protos the plugin is built from.
pub mod rpc {
    #![allow(clippy::all)]
    tonic::include_proto!("pulumirpc");
}

pub use rpc::resource_provider_client::ResourceProviderClient;
pub type Client = ResourceProviderClient<tonic::transport::Channel>;

/// The plugin binary: cargo names it to tests; an example (target/*/examples/) finds it in the
/// directory above its own, where `cargo build -p pulumi-provider-lightsail` puts it.
pub fn plugin_binary() -> std::path::PathBuf {
    match option_env!("CARGO_BIN_EXE_pulumi-resource-aws") {
        Some(path) => path.into(),
        None => {
            let exe = std::env::current_exe().unwrap();
            exe.parent().and_then(|examples| examples.parent()).unwrap().join("pulumi-resource-aws")
        }
    }
}

/// The plugin process; stopped (SIGTERM, then waited for) when dropped.
pub struct Plugin {
    child: Option<Child>,
    pub port: u16,
    pub home: tempfile::TempDir,
    /// Its standard error, read as it comes (a full pipe would stop a plugin that logs a lot).
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Plugin {
    /// Starts the plugin as the engine does: `--logtostderr -v=N ENGINE_ADDRESS`, with a clean
    /// environment, and reads the port it prints.
    pub fn launch(verbosity: u8) -> Self {
        let home = tempfile::tempdir().unwrap();
        let mut child = Command::new(plugin_binary())
            .args(["--logtostderr", &format!("-v={verbosity}"), "127.0.0.1:9"])
            .env_clear()
            .env("HOME", home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("PULUMI_PROJECT", "test")
            .env("PULUMI_CONFIG", "{}")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut pipe = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut pipe, &mut text);
            text
        });
        let mut first = String::new();
        BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut first).unwrap();
        let port =
            first.trim_end_matches('\n').parse().unwrap_or_else(|_| panic!("the first line {first:?} is a port"));
        Self { child: Some(child), port, home, stderr: Some(stderr) }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    pub async fn client(&self) -> Client {
        ResourceProviderClient::connect(format!("http://127.0.0.1:{}", self.port)).await.unwrap()
    }

    /// Stops the plugin as the engine does (SIGTERM) and returns its exit code and standard error.
    pub fn stop(mut self) -> (Option<i32>, String) {
        let code = stop(self.child.take().unwrap());
        (code, self.stderr.take().unwrap().join().unwrap())
    }
}

fn stop(mut child: Child) -> Option<i32> {
    // SAFETY: signals the child this test started and has not yet waited for.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    child.wait().unwrap().code()
}

impl Drop for Plugin {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            stop(child);
        }
    }
}

/// Pulumi's secret marker, and its unknown sentinels (as the engine writes them).
pub const SIG: &str = "4dabf18193072939515e22adb298388d";
pub const SECRET: &str = "1b47061264138c4ac30d75fd1eb44270";
pub const UNKNOWN_STRING: &str = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
pub const UNKNOWN_OBJECT: &str = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff";

pub fn secret(value: serde_json::Value) -> serde_json::Value {
    serde_json::json!({ SIG: SECRET, "value": value })
}

/// A JSON object as a `google.protobuf.Struct`, as the engine sends it.
pub fn bag(value: serde_json::Value) -> prost_types::Struct {
    match to_value(&value).kind {
        Some(prost_types::value::Kind::StructValue(s)) => s,
        _ => panic!("not an object: {value}"),
    }
}

fn to_value(value: &serde_json::Value) -> prost_types::Value {
    use prost_types::value::Kind;
    let kind = match value {
        serde_json::Value::Null => Kind::NullValue(0),
        serde_json::Value::Bool(b) => Kind::BoolValue(*b),
        serde_json::Value::Number(n) => Kind::NumberValue(n.as_f64().unwrap()),
        serde_json::Value::String(s) => Kind::StringValue(s.clone()),
        serde_json::Value::Array(a) => {
            Kind::ListValue(prost_types::ListValue { values: a.iter().map(to_value).collect() })
        }
        serde_json::Value::Object(o) => {
            Kind::StructValue(prost_types::Struct { fields: o.iter().map(|(k, v)| (k.clone(), to_value(v))).collect() })
        }
    };
    prost_types::Value { kind: Some(kind) }
}

/// A `Struct` from the plugin as JSON, secrets still wrapped.
pub fn json(bag: Option<&prost_types::Struct>) -> serde_json::Value {
    serde_json::Value::Object(
        bag.map(|b| b.fields.iter().map(|(k, v)| (k.clone(), from_value(v))).collect()).unwrap_or_default(),
    )
}

fn from_value(value: &prost_types::Value) -> serde_json::Value {
    use prost_types::value::Kind;
    match &value.kind {
        None | Some(Kind::NullValue(_)) => serde_json::Value::Null,
        Some(Kind::BoolValue(b)) => (*b).into(),
        Some(Kind::NumberValue(n)) => (*n).into(),
        Some(Kind::StringValue(s)) => s.clone().into(),
        Some(Kind::ListValue(l)) => l.values.iter().map(from_value).collect(),
        Some(Kind::StructValue(s)) => json(Some(s)),
    }
}

/// The engine's configuration for a local endpoint: stack config as `variables`, with a key of
/// pulumi-aws's that this provider does not use.
pub fn configure_request(endpoint: &lightsail_local::LocalEndpoint) -> rpc::ConfigureRequest {
    let creds = endpoint.credentials();
    let endpoints = serde_json::json!([{ "lightsail": endpoint.url() }]).to_string();
    let variables = [
        ("aws:region", "us-east-1".to_string()),
        ("aws:accessKey", creds.access_key_id.clone()),
        ("aws:secretKey", creds.secret_access_key.clone()),
        ("aws:endpoints", endpoints),
        ("aws:maxRetries", "0".into()),
        ("aws:skipCredentialsValidation", "true".into()),
    ];
    rpc::ConfigureRequest {
        variables: variables.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        accept_secrets: true,
        ..Default::default()
    }
}

pub fn urn(token: &str, name: &str) -> String {
    format!("urn:pulumi:dev::test::{token}::{name}")
}
