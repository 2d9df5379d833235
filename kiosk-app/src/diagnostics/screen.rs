//! What the technician's maintenance screen shows: every device and the collection service
//! (the same checks as `kiosk doctor`), free disk space and the last lines of the log. The PIN
//! that opens it is [`crate::pin`]'s; the test shot is [`super::test_shot`]; the runtime's
//! side of maintenance mode is `runtime::maintenance`.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use kiosk_core::model::MaintenanceView;

use crate::config::Config;
use crate::world::World;

/// How many log lines the maintenance screen shows.
const LOG_LINES: usize = 10;

/// Run every check for the maintenance screen (the test shot's line is kept by the flow).
pub async fn view(world: &World, cfg: &Config) -> MaintenanceView {
    let checks = super::all(world, &cfg.kiosk.data_dir).await;
    let log = cfg.data_path(&cfg.logging.json_file);
    let log_lines = tokio::task::spawn_blocking(move || log_tail(&log, LOG_LINES))
        .await
        .unwrap_or_default();
    MaintenanceView {
        checks,
        log_lines,
        test_shot: None,
        busy: false,
    }
}

/// The last `n` lines of the JSON log, one short line each: `08:41:07 INFO message k=v`.
/// Only the end of the file is read, however large it grew.
pub fn log_tail(path: &Path, n: usize) -> Vec<String> {
    const TAIL_BYTES: u64 = 64 * 1024;
    let Ok(mut file) = std::fs::File::open(path) else {
        return vec![format!("(no log at {})", path.display())];
    };
    let len = file.metadata().map_or(0, |m| m.len());
    let start = len.saturating_sub(TAIL_BYTES);
    if file.seek(SeekFrom::Start(start)).is_err() {
        return Vec::new();
    }
    let mut text = String::new();
    let mut bytes = Vec::new();
    if file.read_to_end(&mut bytes).is_ok() {
        text = String::from_utf8_lossy(&bytes).into_owned();
    }
    let lines: Vec<&str> = text.lines().collect();
    // The first line may be cut in the middle when reading from an offset.
    let skip = usize::from(start > 0);
    let from = lines.len().saturating_sub(n).max(skip);
    lines[from..].iter().map(|l| log_line(l)).collect()
}

/// One JSON log record as a short line. Records are already masked when written.
fn log_line(json: &str) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(json) else {
        return json.chars().take(160).collect();
    };
    let time = v["timestamp"]
        .as_str()
        .and_then(|t| t.get(11..19))
        .unwrap_or("");
    let level = v["level"].as_str().unwrap_or("");
    let fields = v["fields"].as_object();
    let message = fields
        .and_then(|f| f.get("message"))
        .and_then(|m| m.as_str())
        .unwrap_or("");
    let mut out = format!("{time} {level:<5} {message}");
    if let Some(fields) = fields {
        for (k, val) in fields.iter().filter(|(k, _)| *k != "message") {
            let val = val.as_str().map_or_else(|| val.to_string(), str::to_owned);
            out.push_str(&format!(" {k}={val}"));
        }
    }
    out.chars().take(160).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_tail_shows_the_last_lines_short() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.jsonl");
        let mut text = String::new();
        for i in 0..30 {
            text.push_str(&format!(
                "{{\"timestamp\":\"2026-11-24T08:41:{i:02}.123Z\",\"level\":\"INFO\",\"fields\":{{\"message\":\"line {i}\",\"shot\":2}},\"target\":\"kiosk\"}}\n"
            ));
        }
        text.push_str("not json\n");
        std::fs::write(&path, text).unwrap();
        let tail = log_tail(&path, 3);
        assert_eq!(
            tail,
            vec![
                "08:41:28 INFO  line 28 shot=2".to_owned(),
                "08:41:29 INFO  line 29 shot=2".to_owned(),
                "not json".to_owned(),
            ]
        );
        assert_eq!(log_tail(&dir.path().join("none"), 3).len(), 1);
    }
}
