//! go-plugin's launch contract, as Terraform holds a plugin to it: the magic cookie in the
//! environment, protocol 6 among those Terraform offers, AutoMTLS (Terraform's client certificate in
//! `PLUGIN_CLIENT_CERT`, a fresh server certificate in the handshake line), the handshake line on
//! standard output, then go-plugin's own services beside the provider's until Terraform (or a
//! signal, or Terraform's death) ends the plugin.

use crate::grpc_plugin::{
    self as go_plugin, Empty, StdioData, grpc_broker_server::GrpcBroker, grpc_controller_server::GrpcController,
    grpc_stdio_server::GrpcStdio,
};
use crate::mtls;
use anyhow::Context;
use base64::Engine;
use std::io::Write;
use std::pin::Pin;
use tokio::signal::unix::SignalKind;
use tokio::sync::watch;
use tokio_stream::{StreamExt, wrappers::WatchStream};
use tonic::{Request, Response, Status, Streaming};

/// The cookie Terraform sets for its plugins: a plugin run by hand says what it is instead.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// go-plugin's core protocol version, and the plugin protocol this plugin speaks.
const CORE_PROTOCOL: u32 = 1;
const PLUGIN_PROTOCOL: u32 = 6;

pub fn launched_by_terraform() -> bool {
    std::env::var(MAGIC_COOKIE_KEY).is_ok_and(|cookie| cookie == MAGIC_COOKIE_VALUE)
}

/// Whether Terraform offers protocol 6 (`PLUGIN_PROTOCOL_VERSIONS`, a comma list; unset: yes).
fn offers_our_protocol() -> bool {
    match std::env::var("PLUGIN_PROTOCOL_VERSIONS") {
        Ok(versions) => versions.split(',').any(|v| v.trim().parse() == Ok(PLUGIN_PROTOCOL)),
        Err(_) => true,
    }
}

/// The ports go-plugin lets a plugin listen on (`PLUGIN_MIN_PORT`, `PLUGIN_MAX_PORT`).
fn ports() -> anyhow::Result<std::ops::RangeInclusive<u16>> {
    let bound = |name: &str| -> anyhow::Result<Option<u16>> {
        std::env::var(name).ok().map(|v| v.parse().with_context(|| format!("{name}={v:?} is not a port"))).transpose()
    };
    Ok(match (bound("PLUGIN_MIN_PORT")?, bound("PLUGIN_MAX_PORT")?) {
        (None, None) => 0..=0,
        (min, max) => min.unwrap_or(1025)..=max.unwrap_or(u16::MAX),
    })
}

/// Serves `provider` as Terraform's plugin until it is told to stop; then `on_stop` runs (it
/// closes what Terraform left open), and the plugin ends.
pub async fn serve<P, F>(provider: P, on_stop: F) -> anyhow::Result<()>
where
    P: crate::tfplugin6::provider_server::Provider,
    F: std::future::Future<Output = ()>,
{
    if !offers_our_protocol() {
        anyhow::bail!(
            "this plugin speaks plugin protocol {PLUGIN_PROTOCOL}; Terraform offered {} (Terraform 1.0 or later speaks it)",
            std::env::var("PLUGIN_PROTOCOL_VERSIONS").unwrap_or_default()
        );
    }
    // Ctrl-C reaches every process of Terraform's group: Terraform answers it (StopProvider, then
    // Shutdown), so the plugin finishes what it is doing rather than die in a create.
    plugin_server::ignore(SignalKind::interrupt())?;
    // Watched before the handshake, so that a signal sent as soon as it is read is not the default
    // action's (the end of the process, without the stop's clean-up).
    let terminated = plugin_server::signalled(&[SignalKind::terminate(), SignalKind::hangup()]);
    let listener = plugin_server::listen(ports()?).await.context("no port to listen on")?;
    let address = listener.local_addr()?;
    let mtls = mtls::from_environment().context("AutoMTLS could not be set up")?;
    let certificate = mtls
        .as_ref()
        .map_or(String::new(), |m| base64::engine::general_purpose::STANDARD_NO_PAD.encode(&m.certificate_der));
    let (stop, stopped) = watch::channel(false);
    let controller = Controller { stop: stop.clone() };
    let streams = Streams { stopped: stopped.clone() };
    let router = tonic::transport::Server::builder()
        .add_service(go_plugin::grpc_controller_server::GrpcControllerServer::new(controller))
        .add_service(go_plugin::grpc_stdio_server::GrpcStdioServer::new(streams.clone()))
        .add_service(go_plugin::grpc_broker_server::GrpcBrokerServer::new(streams))
        .add_service(crate::tfplugin6::provider_server::ProviderServer::new(provider));
    // The handshake, once the listener is up: Terraform connects when it has read it.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{CORE_PROTOCOL}|{PLUGIN_PROTOCOL}|tcp|{address}|grpc|{certificate}")?;
    stdout.flush()?;
    drop(stdout);
    let connections = plugin_server::incoming(listener);
    let stopping = until_stopped(stop, stopped, terminated);
    match mtls {
        Some(mtls) => router.serve_with_incoming_shutdown(secured(connections, mtls.acceptor), stopping).await?,
        None => router.serve_with_incoming_shutdown(connections, stopping).await?,
    }
    on_stop.await;
    Ok(())
}

/// How long a connection may take to finish its TLS handshake.
const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The connections that complete the TLS handshake (a connection that does not present Terraform's
/// certificate ends in it). Each handshake runs on its own task, so a connection that stalls (any
/// local process can open one) holds up no other: Terraform's is served as soon as it is secured.
fn secured(
    connections: impl tokio_stream::Stream<Item = std::io::Result<tokio::net::TcpStream>> + Send + 'static,
    acceptor: tokio_rustls::TlsAcceptor,
) -> impl tokio_stream::Stream<Item = std::io::Result<tokio_rustls::server::TlsStream<tokio::net::TcpStream>>> {
    let (secured, ready) = tokio::sync::mpsc::channel(8);
    tokio::spawn(async move {
        let mut connections = std::pin::pin!(connections);
        while let Some(connection) = connections.next().await {
            let (secured, acceptor) = (secured.clone(), acceptor.clone());
            tokio::spawn(async move {
                let handshake = async { acceptor.accept(connection?).await };
                let outcome = match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "TLS handshake timed out")),
                };
                let _ = secured.send(outcome).await;
            });
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(ready)
}

/// Resolves when the plugin should stop: Terraform's `Shutdown`, SIGTERM, or Terraform gone.
async fn until_stopped(
    stop: watch::Sender<bool>,
    mut stopped: watch::Receiver<bool>,
    terminated: impl std::future::Future<Output = ()>,
) {
    tokio::select! {
        _ = stopped.wait_for(|stopped| *stopped) => {}
        _ = terminated => {}
        _ = plugin_server::orphaned() => tracing::warn!("Terraform is gone: the plugin stops"),
    }
    // The streams that outlive calls (stdio, broker) end too, so the connection can close.
    stop.send_replace(true);
}

/// `plugin.GRPCController`: Terraform's request to stop.
struct Controller {
    stop: watch::Sender<bool>,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _: Request<Empty>) -> Result<Response<Empty>, Status> {
        self.stop.send_replace(true);
        Ok(Response::new(Empty {}))
    }
}

/// `plugin.GRPCStdio` and `plugin.GRPCBroker`: open until the plugin stops, with nothing on them.
/// The plugin's standard error goes to Terraform directly (its log); it brokers no other plugins.
#[derive(Clone)]
struct Streams {
    stopped: watch::Receiver<bool>,
}

type Stream<T> = Pin<Box<dyn tokio_stream::Stream<Item = Result<T, Status>> + Send>>;

impl Streams {
    fn until_stopped<T: Send + 'static>(&self) -> Stream<T> {
        let stopped = WatchStream::new(self.stopped.clone()).take_while(|stopped| !*stopped);
        Box::pin(stopped.filter_map(|_| None))
    }
}

#[tonic::async_trait]
impl GrpcStdio for Streams {
    type StreamStdioStream = Stream<StdioData>;

    async fn stream_stdio(&self, _: Request<()>) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(self.until_stopped()))
    }
}

#[tonic::async_trait]
impl GrpcBroker for Streams {
    type StartStreamStream = Stream<go_plugin::ConnInfo>;

    async fn start_stream(
        &self,
        _: Request<Streaming<go_plugin::ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        Ok(Response::new(self.until_stopped()))
    }
}
