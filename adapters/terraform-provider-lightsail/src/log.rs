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
        // go-plugin reads `@message` as a string and panics (taking Terraform down) on anything
        // else: an event with no message has an empty one.
        let message = match fields.0.remove("message") {
            Some(serde_json::Value::String(text)) => text,
            Some(other) => other.to_string(),
            None => String::new(),
        };
        line.insert("@message".into(), message.into());
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    /// What the events wrote, one JSON line each.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Every line carries the members go-plugin reads as strings, an event without a message too
    /// (Terraform 1.11's go-plugin panicked on a null `@message`).
    #[test]
    fn every_line_has_a_string_message_level_and_timestamp() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .event_format(super::Hclog)
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::DEBUG)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug!(frame = 7);
            tracing::info!(bucket = "b", "listed");
        });
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2, "{text}");
        for line in &lines {
            for member in ["@message", "@level", "@timestamp"] {
                assert!(line[member].is_string(), "{member} in {line}");
            }
        }
        assert_eq!((lines[0]["@message"].as_str(), lines[0]["frame"].as_u64()), (Some(""), Some(7)));
        assert_eq!((lines[1]["@message"].as_str(), lines[1]["bucket"].as_str()), (Some("listed"), Some("b")));
    }
}
