//! `create`, which no signal makes lose what it made.
//!
//! On SIGINT (Ctrl-C), SIGTERM or SIGHUP the create is interrupted (see
//! `lightsail_provider_host::interrupt`): it makes nothing new and stops waiting. A resource it has
//! already made comes back as not ready and is printed with its id and outputs (exit 5); one that
//! cannot be printed (the terminal or the pipe is gone) is deleted rather than left unrecorded.
//! Nothing made: exit 128 + the signal's number. A second signal stops the process at once.

use super::output::Printer;
use super::progress::Line;
use super::{exit, report};
use lightsail_provider_host::interrupt::INTERRUPTED;
use lightsail_provider_host::interrupt::Interrupt;
use lightsail_provider_host::{CallError, Provider, ProviderError, Rotated};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use tokio::signal::unix::{Signal, SignalKind, signal};

/// What the command makes: a resource, or an access key for which room is made first.
pub enum Making<'a> {
    Create,
    Rotate { replace: Option<&'a str> },
}

pub async fn run(provider: &Provider, printer: &Printer, token: &str, inputs: &str, making: Making<'_>) -> u8 {
    // Taken before the call starts: from here on these signals no longer end the process.
    let signals = match Signals::new() {
        Ok(signals) => signals,
        Err(e) => {
            eprintln!("error: cannot take the interrupt signals: {e}");
            return exit::FAILURE;
        }
    };
    let interrupt = Interrupt::new();
    let progress = Line::start(&format!("creating {token} (Ctrl-C stops it safely)"));
    let received = Arc::new(AtomicI32::new(0));
    let watcher = tokio::spawn(watch(signals, interrupt.clone(), received.clone(), progress.clone()));
    // The delete below, of what could not be printed, runs on `provider`, whom no signal stops.
    let interruptible = provider.clone().with_interrupt(interrupt);
    let result = match making {
        Making::Create => {
            interruptible.create(token, inputs, false).await.map(|created| Rotated { created, deleted: None })
        }
        Making::Rotate { replace } => interruptible.rotate(token, inputs, replace, false).await,
    };
    watcher.abort();
    progress.finish();
    let signal = received.load(Ordering::SeqCst);

    // From here a closed output is a failure to act on, not the end of the process.
    ignore_sigpipe();
    printer.hold();
    let (code, made) = match &result {
        Ok(rotated) => {
            let created = &rotated.created;
            (printer.rotated(rotated, false), Some((created.id.clone(), created.outputs.values.clone())))
        }
        Err(CallError::Provider(ProviderError::Api(e))) if signal != 0 && e.code == INTERRUPTED => {
            progress.note(&format!("interrupted by {}: nothing was created", name(signal)));
            return exit::SIGNALLED + signal as u8;
        }
        Err(error @ CallError::Provider(ProviderError::NotReady(n))) => {
            (report(printer, error), Some((n.id.clone(), n.outputs.values.clone())))
        }
        Err(error) => (report(printer, error), None),
    };
    let Err(why) = printer.release() else { return code };
    let Some((id, state)) = made else { return code };
    // No one can be told of the resource, and its secret would be lost with this process: remove
    // it rather than leave it unrecorded.
    match provider.delete(token, &id, &state).await {
        Ok(()) => progress.note(&format!("error: the created {id} could not be printed ({why}), so it was deleted")),
        Err(e) => progress.note(&format!("error: the created {id} could not be printed ({why}), nor deleted: {e}")),
    }
    exit::FAILURE
}

/// The first signal interrupts the create; a second ends the process.
async fn watch(mut signals: Signals, interrupt: Interrupt, received: Arc<AtomicI32>, progress: Line) {
    let first = signals.next().await;
    received.store(first, Ordering::SeqCst);
    progress.note(&format!(
        "interrupted by {}: finishing the create so that nothing it made is lost (again to stop at once)",
        name(first)
    ));
    interrupt.trigger();
    let second = signals.next().await;
    progress.finish();
    progress.note(&format!("stopped by {}: what the create made may not be recorded", name(second)));
    std::process::exit(128 + second);
}

struct Signals {
    interrupt: Signal,
    terminate: Signal,
    hangup: Signal,
}

impl Signals {
    fn new() -> std::io::Result<Self> {
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
        })
    }

    async fn next(&mut self) -> i32 {
        tokio::select! {
            _ = self.interrupt.recv() => libc::SIGINT,
            _ = self.terminate.recv() => libc::SIGTERM,
            _ = self.hangup.recv() => libc::SIGHUP,
        }
    }
}

fn name(signal: i32) -> &'static str {
    match signal {
        libc::SIGINT => "SIGINT (Ctrl-C)",
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

fn ignore_sigpipe() {
    // SAFETY: sets one signal's disposition; no handler runs Rust code.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}
