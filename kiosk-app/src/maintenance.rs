//! Technician maintenance mode: the PIN (stored as an Argon2id hash in the config), and the
//! diagnostics the maintenance screen shows: every device and the collection service (the same
//! checks as `kiosk doctor`), free disk space, the last lines of the log, and test shots.
//!
//! The PIN is checked here, in the runtime, and never enters the flow, the journal or a log.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::Instant;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use kiosk_core::model::MaintenanceView;

use crate::config::Config;
use crate::runtime::World;

/// The hash of the demo configuration's PIN, `2468`. `kiosk config check` refuses it as soon as
/// any part of the configuration is real: a booth must have its own PIN.
pub const DEMO_PIN_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$HJuOYsrBQmrC4KfxNdFwgw$3ZpBXerVasoY0kW1hhR1p5QwUh4yp7U7idYHabR0TTY";

/// The demo PIN (documented in the README; only valid with the demo hash).
pub const DEMO_PIN: &str = "2468";

/// How many log lines the maintenance screen shows.
const LOG_LINES: usize = 10;

/// A PHC string (`$argon2id$…`) for `pin`, with a fresh random salt. What goes into
/// `service_mode.pin_hash`.
pub fn hash_pin(pin: &str) -> anyhow::Result<String> {
    check_pin_shape(pin)?;
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| anyhow::anyhow!("encoding the salt: {e}"))?;
    let hash = Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing the PIN: {e}"))?;
    Ok(hash.to_string())
}

/// A booth's maintenance PIN is 6 to 8 digits (the keypad has digits only; the keypad locks
/// after `flow.pin_attempts` wrong ones, so 10⁶ PINs take years to guess). Only the demo
/// PIN is shorter, and `kiosk config check` refuses its hash on a real booth.
pub fn check_pin_shape(pin: &str) -> anyhow::Result<()> {
    if !(6..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        anyhow::bail!("a maintenance PIN is 6 to 8 digits");
    }
    Ok(())
}

/// Whether `hash` is a PHC string this kiosk can verify against. The error says why not.
pub fn check_hash(hash: &str) -> Result<(), String> {
    PasswordHash::new(hash)
        .map(|_| ())
        .map_err(|e| format!("not a password hash ({e}); make one with `kiosk service-pin hash`"))
}

/// Whether `pin` matches `hash`. Slow on purpose (Argon2id): call off the async threads.
pub fn verify_pin(pin: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(pin.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Run every check for the maintenance screen (the test shot's line is kept by the flow).
pub async fn diagnostics(world: &World, cfg: &Config) -> MaintenanceView {
    let checks = crate::diagnostics::all(world, &cfg.kiosk.data_dir).await;
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

/// A test shot: capture, process like a graduate's photo, report size and time. Nothing is
/// counted, journaled or uploaded. Returns the report line and the processed JPEG to show.
pub async fn test_shot(world: &World) -> (String, Option<Vec<u8>>) {
    let started = Instant::now();
    let raw = match world.camera.capture().await {
        Ok(raw) => raw,
        Err(e) => return (format!("✗ {e}"), None),
    };
    let capture_ms = started.elapsed().as_millis();
    let (w, h) = image::ImageReader::new(std::io::Cursor::new(&raw))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_dimensions().ok())
        .unwrap_or((0, 0));
    let size = raw.len();
    let lab = world.photo.clone();
    let processed = tokio::task::spawn_blocking(move || lab.process(&raw, false)).await;
    let total_ms = started.elapsed().as_millis();
    // Figures only: the screen labels them in the graduate's language.
    let head = format!("{w}×{h} · {:.1} MB · {capture_ms} ms", size as f64 / 1e6);
    match processed {
        Ok(Ok(photo)) => {
            let r = &photo.report;
            let failed: Vec<&str> = r.problems().map(|c| c.name.as_str()).collect();
            let verdict = if failed.is_empty() {
                "✓".to_string()
            } else {
                format!("✗ {}", failed.join(","))
            };
            (
                format!(
                    "{head} → 480×640 · {} KB q{} · {:.0} ms · {total_ms} ms · {verdict}",
                    r.bytes / 1024,
                    r.quality,
                    r.ms
                ),
                Some(photo.jpeg),
            )
        }
        Ok(Err(e)) => (format!("{head} → ✗ {e}"), None),
        Err(e) => (format!("{head} → ✗ {e}"), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_hash_is_the_demo_pin() {
        assert!(verify_pin(DEMO_PIN, DEMO_PIN_HASH));
        assert!(!verify_pin("2469", DEMO_PIN_HASH));
        assert!(check_hash(DEMO_PIN_HASH).is_ok());
    }

    #[test]
    fn hashes_verify_and_are_salted() {
        let a = hash_pin("135790").unwrap();
        let b = hash_pin("135790").unwrap();
        assert_ne!(a, b, "each hash has its own salt");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_pin("135790", &a) && verify_pin("135790", &b));
        assert!(!verify_pin("13579", &a));
        assert!(!verify_pin("135790", "not a hash"));
    }

    #[test]
    fn booth_pins_are_six_to_eight_digits() {
        for bad in ["123", "12345", "123456789", "12a456", ""] {
            assert!(hash_pin(bad).is_err(), "{bad:?}");
        }
        assert!(check_hash("1234").is_err());
    }

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
