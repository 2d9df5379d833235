//! Logging from the first line: JSON lines to a file (for any collector) and readable text to
//! stderr. One span per session carries the session id. Personal data is masked by the callers
//! (see [`crate::mask`]); tokens and QR payloads are never logged in full.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::{EnvFilter, fmt, layer::SubscriberExt, util::SubscriberInitExt};

/// Start logging. Keep the guard alive until exit (it flushes the file).
pub fn init(level: &str, json_file: Option<&Path>) -> anyhow::Result<Option<WorkerGuard>> {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(level))
        .map_err(|e| anyhow::anyhow!("logging.level {level:?}: {e}"))?;
    let stderr = fmt::layer().with_writer(std::io::stderr).with_target(false);
    match json_file {
        Some(path) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?;
            let (writer, guard) = tracing_appender::non_blocking(file);
            let json = fmt::layer()
                .json()
                .with_current_span(true)
                .with_span_list(false)
                .with_writer(writer);
            tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .with(json)
                .try_init()?;
            Ok(Some(guard))
        }
        None => {
            tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .try_init()?;
            Ok(None)
        }
    }
}
