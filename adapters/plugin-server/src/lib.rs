//! What the engine plugins (Terraform's, Pulumi's) share around their gRPC services: a loopback
//! listener whose connections have TCP_NODELAY, and the events that end a plugin.
//!
//! TCP_NODELAY: with Nagle's algorithm on, an answer written in more than one segment waits for
//! the engine's delayed ACK (up to 40 ms on Linux); a `terraform plan` of 100 keys took five
//! times as long.

use std::io;
use std::ops::RangeInclusive;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::signal::unix::{SignalKind, signal};
use tokio_stream::{Stream, StreamExt, wrappers::TcpListenerStream};

/// A listener on 127.0.0.1, on the first free port of `ports` (`0..=0`: any port).
pub async fn listen(ports: RangeInclusive<u16>) -> io::Result<TcpListener> {
    let mut last = io::Error::new(io::ErrorKind::AddrNotAvailable, "no port to listen on");
    for port in ports {
        match TcpListener::bind(("127.0.0.1", port)).await {
            Ok(listener) => return Ok(listener),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// The listener's connections, each with TCP_NODELAY set before it is served.
pub fn incoming(listener: TcpListener) -> impl Stream<Item = io::Result<TcpStream>> {
    TcpListenerStream::new(listener).map(|accepted| {
        let stream = accepted?;
        stream.set_nodelay(true)?;
        Ok(stream)
    })
}

/// Resolves at the first of `signals` this process receives from now on (never, if none can be
/// watched). The signals are watched from the call, not from the first poll.
pub fn signalled(signals: &[SignalKind]) -> impl Future<Output = ()> + use<> {
    let (received, mut first) = tokio::sync::mpsc::channel(1);
    for kind in signals {
        if let Ok(mut signal) = signal(*kind) {
            let received = received.clone();
            tokio::spawn(async move {
                signal.recv().await;
                let _ = received.send(()).await;
            });
        }
    }
    drop(received);
    async move {
        if first.recv().await.is_none() {
            std::future::pending::<()>().await;
        }
    }
}

/// Takes `kind` from now on without acting on it (its default action would end the process).
pub fn ignore(kind: SignalKind) -> io::Result<()> {
    let mut signal = signal(kind)?;
    tokio::spawn(async move { while signal.recv().await.is_some() {} });
    Ok(())
}

/// Resolves once the process that started this one is gone (this process was handed to another
/// parent): the engine was killed and nobody will stop the plugin.
pub async fn orphaned() {
    // SAFETY: getppid has no preconditions and cannot fail.
    let parent = unsafe { libc::getppid() };
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        // SAFETY: as above.
        if unsafe { libc::getppid() } != parent {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server's end of an accepted connection has TCP_NODELAY (read on this process's own
    /// socket: no other process's descriptors are needed).
    #[tokio::test]
    async fn accepted_connections_have_tcp_nodelay() {
        let listener = listen(0..=0).await.unwrap();
        let address = listener.local_addr().unwrap();
        assert!(address.ip().is_loopback());
        let client = tokio::spawn(TcpStream::connect(address));
        let mut connections = std::pin::pin!(incoming(listener));
        let accepted = connections.next().await.unwrap().unwrap();
        assert!(accepted.nodelay().unwrap());
        assert_eq!(accepted.peer_addr().unwrap(), client.await.unwrap().unwrap().local_addr().unwrap());
    }

    /// A range whose first port is taken moves on to the next; a range of taken ports says so.
    #[tokio::test]
    async fn a_taken_port_is_passed_over() {
        let taken = listen(0..=0).await.unwrap();
        let port = taken.local_addr().unwrap().port();
        assert_eq!(listen(port..=port).await.unwrap_err().kind(), io::ErrorKind::AddrInUse);
        let Some(next) = port.checked_add(1) else { return };
        match listen(port..=next).await {
            Ok(listener) => assert_eq!(listener.local_addr().unwrap().port(), next),
            // The next port is someone else's: the last refusal is the answer.
            Err(e) => assert_eq!(e.kind(), io::ErrorKind::AddrInUse),
        }
    }
}
