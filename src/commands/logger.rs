//! The stderr logger.

use std::io::Write as _;

use crate::diagnostics;

/// A minimal stderr logger: plain sentences for `info`, noisy dependencies held to `warn`.
pub struct Logger {
    level: log::LevelFilter,
}

impl Logger {
    /// Installs the logger for the given verbosity.
    pub fn install(quiet: bool, verbose: bool) {
        let level = if quiet {
            log::LevelFilter::Error
        } else if verbose {
            log::LevelFilter::Debug
        } else {
            log::LevelFilter::Info
        };
        if log::set_boxed_logger(Box::new(Logger { level })).is_ok() {
            log::set_max_level(level);
        }
    }
}

impl log::Log for Logger {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        let ours = metadata.target().starts_with("handbook");
        metadata.level() <= self.level && (ours || metadata.level() <= log::Level::Warn)
    }

    fn log(&self, record: &log::Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let prefix = match record.level() {
            log::Level::Error => "error: ",
            log::Level::Warn => "warning: ",
            _ => "",
        };
        let line = format!(
            "{prefix}{}\n",
            diagnostics::shown_message(&record.args().to_string())
        );
        // Logging must never fail the build; a closed stderr loses only the message.
        std::io::stderr().write_all(line.as_bytes()).ok();
    }

    fn flush(&self) {}
}
