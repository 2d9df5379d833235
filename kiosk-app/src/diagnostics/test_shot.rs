//! A test shot from the maintenance screen or `kiosk doctor`: capture, process like a
//! graduate's photo, report size and time. Nothing is counted, journaled or uploaded.

use std::time::Instant;

use crate::world::World;

/// Take a test shot. Returns the report line and the processed JPEG to show.
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
