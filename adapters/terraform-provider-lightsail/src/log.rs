//! The plugin's log as Terraform reads it: hclog's JSON lines on standard error, at the level
//! `TF_LOG_PROVIDER` (else `TF_LOG`) asks for, within the host's secret caps. go-plugin parses each
//! line, and Terraform writes it into its own log as the provider's (`TF_LOG_PATH`, or stderr).

use std::fmt;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Starts the log: off unless Terraform's variables (or `RUST_LOG`) ask for it.
pub fn init() {
    let level =
        std::env::var("TF_LOG_PROVIDER").ok().filter(|l| !l.is_empty()).or_else(|| std::env::var("TF_LOG").ok());
    let level = match level.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("" | "off") => "off",
        Some(level @ ("error" | "warn" | "info" | "debug" | "trace")) => level,
        // TF_LOG=JSON, or any other value, is trace to Terraform.
        Some(_) => "trace",
    }
    .to_string();
    let layer = tracing_subscriber::fmt::layer().event_format(Hclog).with_writer(std::io::stderr);
    lightsail_provider_host::logging::init_layer(layer, &level);
}

/// One event as an hclog JSON line: `@level`, `@message`, `@timestamp`, then its fields.
struct Hclog;

impl<S, N> FormatEvent<S, N> for Hclog
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, _: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let metadata = event.metadata();
        let mut fields = Fields(serde_json::Map::new());
        event.record(&mut fields);
        let mut line = serde_json::Map::new();
        line.insert("@level".into(), metadata.level().as_str().to_ascii_lowercase().into());
        line.insert("@message".into(), fields.0.remove("message").unwrap_or_default());
        let now = time::OffsetDateTime::now_utc();
        let timestamp = now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
        line.insert("@timestamp".into(), timestamp.into());
        line.insert("target".into(), metadata.target().into());
        line.extend(fields.0);
        writeln!(writer, "{}", serde_json::Value::Object(line))
    }
}

struct Fields(serde_json::Map<String, serde_json::Value>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().into(), format!("{value:?}").into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
}
