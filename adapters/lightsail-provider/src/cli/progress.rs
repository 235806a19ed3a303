//! A progress line on standard error while a call waits on AWS, drawn only when standard error is
//! a terminal: logs and scripts see nothing of it.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::time::Duration;

/// The line, or nothing when standard error is not a terminal. Clones draw the same line.
#[derive(Clone)]
pub struct Line(Option<ProgressBar>);

impl Line {
    pub fn start(message: &str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self(None);
        }
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Self(Some(bar))
    }

    /// Writes a line of text on standard error above the progress line. A write that fails (the
    /// terminal is gone) is let go: there is no one left to tell.
    pub fn note(&self, text: &str) {
        let write = || {
            let _ = writeln!(std::io::stderr(), "{text}");
        };
        match &self.0 {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
