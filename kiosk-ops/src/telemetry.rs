//! Logging from the first line: JSON lines to daily files (for any collector and for
//! `kiosk logs summary`), and readable text on the terminal or, under systemd, structured
//! entries in the journal. Every operator-facing line carries a stable `code`
//! (`docs/operations.md`). Personal data is masked by the callers (see [`kiosk_core::mask`]);
//! tokens and QR payloads are never logged in full.
//!
//! Files: `<stem>.<YYYY-MM-DD>.jsonl` beside `logging.json_file`, a new one each day (UTC),
//! the oldest removed beyond `logging.keep_days`, and each day's file capped at
//! `logging.max_file_mb` (a fault storm cannot fill the disk; the cap is logged once).
//! The level can be raised to `debug` with SIGUSR1 and put back with SIGUSR2.

use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::{
    EnvFilter, Layer, Registry, fmt, layer::SubscriberExt, reload, util::SubscriberInitExt,
};

/// `logging.*` as the logger needs it.
#[derive(Clone, Debug)]
pub struct LogFiles<'a> {
    /// `logging.json_file`: its directory and name stem name the daily files.
    pub path: &'a Path,
    /// Daily files kept.
    pub keep_days: usize,
    /// A day's file stops growing at this size.
    pub max_bytes: u64,
}

static RELOAD: OnceLock<reload::Handle<EnvFilter, Registry>> = OnceLock::new();

/// Start logging at `level` into `files` (or only to the terminal). Keep the guard alive until
/// exit (it flushes the file).
pub fn init(level: &str, files: Option<LogFiles>) -> anyhow::Result<Option<WorkerGuard>> {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(level))
        .map_err(|e| anyhow::anyhow!("logging.level {level:?}: {e}"))?;
    let (filter, handle) = reload::Layer::new(filter);
    let _ = RELOAD.set(handle);
    // Under systemd (which sets JOURNAL_STREAM for a unit's output) entries go to the journal
    // with their fields; elsewhere, text on stderr.
    let journald = std::env::var_os("JOURNAL_STREAM")
        .and_then(|_| tracing_journald::layer().ok())
        .map(|l| l.with_syslog_identifier("photo-kiosk".into()).boxed());
    let terminal = match journald {
        Some(j) => j,
        None => fmt::layer()
            .with_writer(std::io::stderr)
            .with_target(false)
            .boxed(),
    };
    let (json, guard) = match files {
        Some(files) => {
            let (writer, guard) = tracing_appender::non_blocking(daily(&files)?);
            let json = fmt::layer()
                .json()
                .with_current_span(true)
                // The session's span and the step's inside it.
                .with_span_list(true)
                .with_writer(writer)
                .boxed();
            (Some(json), Some(guard))
        }
        None => (None, None),
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(terminal)
        .with(json)
        .try_init()?;
    Ok(guard)
}

/// Init with the JSON lines in exactly `path`'s directory, `keep_days` 14 and 100 MB a day
/// (the walkthrough, tests).
pub fn init_in(level: &str, path: &Path) -> anyhow::Result<Option<WorkerGuard>> {
    init(
        level,
        Some(LogFiles {
            path,
            keep_days: 14,
            max_bytes: 100 << 20,
        }),
    )
}

fn daily(files: &LogFiles) -> anyhow::Result<Capped<RollingFileAppender>> {
    let dir = match files.path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let name = files
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("kiosk.log.jsonl");
    let stem = name.strip_suffix(".jsonl").unwrap_or(name);
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(stem)
        .filename_suffix("jsonl")
        .max_log_files(files.keep_days.max(1))
        // `logging.json_file` itself always names today's file (the maintenance screen's log
        // tail, `tail -f`); `kiosk logs summary` skips the link.
        .latest_symlink(name)
        .build(dir)
        .map_err(|e| anyhow::anyhow!("log files in {}: {e}", dir.display()))?;
    Ok(Capped::new(appender, files.max_bytes))
}

/// The file writer with a cap per day: tracing-appender rotates by time and keeps N files,
/// but has no size limit, so this stops writing a day's lines past `max_bytes` (one line
/// says so) and starts again with the next day's file.
pub struct Capped<W> {
    inner: W,
    max_bytes: u64,
    day: i64,
    written: u64,
    told: bool,
}

impl<W: Write> Capped<W> {
    /// Cap `inner` at `max_bytes` a day.
    pub fn new(inner: W, max_bytes: u64) -> Self {
        Self {
            inner,
            max_bytes,
            day: today(),
            written: 0,
            told: false,
        }
    }

    fn write_at(&mut self, day: i64, buf: &[u8]) -> std::io::Result<usize> {
        if day != self.day {
            (self.day, self.written, self.told) = (day, 0, false);
        }
        if self.written + buf.len() as u64 > self.max_bytes {
            if !self.told {
                self.told = true;
                let line = format!(
                    "{{\"level\":\"ERROR\",\"fields\":{{\"message\":\"the day's log file reached logging.max_file_mb: lines dropped until tomorrow\",\"code\":\"{}\"}}}}\n",
                    kiosk_core::ops::code::LOG_CAPPED
                );
                self.inner.write_all(line.as_bytes())?;
            }
            // Dropped, but reported as written: the logger must not fail or retry.
            return Ok(buf.len());
        }
        self.written += buf.len() as u64;
        self.inner.write_all(buf)?;
        Ok(buf.len())
    }
}

fn today() -> i64 {
    (kiosk_core::clock::now_ms() / 86_400_000) as i64
}

impl<W: Write> Write for Capped<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_at(today(), buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Why the log level was not changed.
#[derive(Debug, thiserror::Error)]
pub enum LevelError {
    /// Not a filter `tracing` reads.
    #[error("{level:?} is not a log filter (`debug`, `info`, `kiosk_app=debug,info`): {reason}")]
    BadFilter {
        /// What was asked for.
        level: String,
        /// The filter parser's words.
        reason: String,
    },
    /// Logging has not been started in this process.
    #[error("logging is not started")]
    NotStarted,
    /// The subscriber would not take the new filter.
    #[error("the log filter could not be changed: {0}")]
    Reload(String),
}

/// Set the log filter now (`debug`, `info`, `kiosk_app=debug,info`).
pub fn set_level(level: &str) -> Result<(), LevelError> {
    let filter = EnvFilter::try_new(level).map_err(|e| LevelError::BadFilter {
        level: level.to_owned(),
        reason: e.to_string(),
    })?;
    let handle = RELOAD.get().ok_or(LevelError::NotStarted)?;
    handle
        .reload(filter)
        .map_err(|e| LevelError::Reload(e.to_string()))?;
    tracing::info!(
        code = kiosk_core::ops::code::LOG_LEVEL_CHANGED,
        level,
        "log level changed"
    );
    Ok(())
}

/// SIGUSR1 raises the level to `debug`, SIGUSR2 puts `configured` back. The signals are caught
/// from the call on (call it before the kiosk starts: their default action ends the process);
/// the returned future follows them until the process ends. Call inside a tokio runtime.
pub fn follow_signals(
    configured: String,
) -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut up = signal(SignalKind::user_defined1())?;
    let mut back = signal(SignalKind::user_defined2())?;
    Ok(async move {
        loop {
            let level = tokio::select! {
                _ = up.recv() => "debug",
                _ = back.recv() => configured.as_str(),
            };
            if let Err(e) = set_level(level) {
                tracing::warn!(error = %e, "could not change the log level");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_days_file_stops_at_its_cap_says_so_once_and_starts_again_the_next_day() {
        let mut w = Capped::new(Vec::new(), 25);
        let line = b"0123456789\n";
        for _ in 0..5 {
            assert_eq!(w.write_at(7, line).unwrap(), line.len());
        }
        let text = String::from_utf8(w.inner.clone()).unwrap();
        assert_eq!(text.matches("0123456789").count(), 2, "{text}");
        assert_eq!(text.matches("LOG_CAPPED").count(), 1, "{text}");
        w.write_at(8, line).unwrap();
        let text = String::from_utf8(w.inner.clone()).unwrap();
        assert_eq!(
            text.matches("0123456789").count(),
            3,
            "a new day, a new allowance"
        );
    }
}
