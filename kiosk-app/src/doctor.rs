//! `kiosk doctor`: ask every device and the service whether they answer, and say what to do
//! when one does not. For technicians at the booth; exits non-zero when anything fails.

use std::time::{Duration, Instant};

use camera_driver::Health;

use crate::runtime::World;
use crate::service::ServiceError;

/// One line of the report.
#[derive(Debug, serde::Serialize)]
pub struct Check {
    /// camera, lights, chair, service.
    pub part: &'static str,
    /// Whether it answered as it should.
    pub ok: bool,
    /// What it said.
    pub detail: String,
    /// The same, as language-neutral figures for the touchscreen (names, numbers, units): the
    /// maintenance screen shows this, its words come from the translated UI.
    #[serde(skip)]
    pub data: String,
    /// What to do about a failure.
    pub hint: Option<&'static str>,
    /// How long the check took, ms.
    pub ms: u64,
}

async fn timed<T>(f: impl std::future::Future<Output = T>) -> (T, u64) {
    let t = Instant::now();
    let out = f.await;
    (out, t.elapsed().as_millis() as u64)
}

/// No check may hang the report (the maintenance screen refreshes it every few seconds). Devices
/// have their own timeouts; the service gets this one.
const CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// Run every check.
pub async fn run(world: &World) -> Vec<Check> {
    let mut checks = Vec::new();

    // The camera thread opens the camera on its own; give it a moment to report.
    let mut health = world.camera.health();
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        health.wait_for(|h| *h != Health::Starting),
    )
    .await;
    let (info, ms) = timed(world.camera.info()).await;
    checks.push(match info {
        Ok(i) => Check {
            part: "camera",
            ok: true,
            data: format!("{} · {} · {}", i.model, i.port, i.power.clone().unwrap_or_else(|| "?".into())),
            detail: format!("{} on {} (power: {})", i.model, i.port, i.power.unwrap_or_else(|| "?".into())),
            hint: None,
            ms,
        },
        Err(e) => Check {
            part: "camera",
            ok: false,
            data: e.to_string(),
            detail: e.to_string(),
            hint: Some("check the USB cable and AC power; `kiosk camera list` shows what libgphoto2 sees (set camera.model / camera.port to it); `kiosk camera info` opens it"),
            ms,
        },
    });

    let (levels, ms) = timed(world.lights.levels()).await;
    checks.push(match levels {
        Ok(levels) => Check {
            part: "lights",
            ok: true,
            data: levels.iter().map(|(c, l)| format!("{c} {l}")).collect::<Vec<_>>().join(" · "),
            detail: levels.iter().map(|(c, l)| format!("{c}={l}")).collect::<Vec<_>>().join(" "),
            hint: None,
            ms,
        },
        Err(e) => Check {
            part: "lights",
            ok: false,
            data: e.to_string(),
            detail: e.to_string(),
            hint: Some("check serial.port.path, the adapter (ls -l /dev/photo-kiosk/), wiring and lights.slave"),
            ms,
        },
    });

    let (status, ms) = timed(world.chair.status()).await;
    checks.push(match status {
        Ok(s) if s.overcurrent || s.stalled => Check {
            part: "chair",
            ok: false,
            data: format!("overcurrent={} stalled={}", s.overcurrent, s.stalled),
            detail: format!(
                "motor fault: overcurrent={} stalled={}",
                s.overcurrent, s.stalled
            ),
            hint: Some("clear the seat's travel path, then power-cycle the chair controller"),
            ms,
        },
        Ok(s) => Check {
            part: "chair",
            ok: true,
            data: format!(
                "{:.0} mm{}{}",
                s.height_mm,
                if s.lower_limit { " ▼" } else { "" },
                if s.upper_limit { " ▲" } else { "" }
            ),
            detail: format!(
                "height {:.0} mm, motor {}, limits {}/{}",
                s.height_mm,
                if s.motor_enabled {
                    "enabled"
                } else {
                    "disabled"
                },
                if s.lower_limit { "LOW" } else { "-" },
                if s.upper_limit { "HIGH" } else { "-" }
            ),
            hint: None,
            ms,
        },
        Err(e) => Check {
            part: "chair",
            ok: false,
            data: e.to_string(),
            detail: e.to_string(),
            hint: Some("check serial.port.path, wiring and chair.slave"),
            ms,
        },
    });

    // A code no service issues: a refusal proves the service answers.
    let (answer, ms) = timed(async {
        tokio::time::timeout(
            CHECK_TIMEOUT,
            world.service.resolve("GPK1.KIOSK-DOCTOR-PROBE-0000"),
        )
        .await
        .unwrap_or_else(|_| {
            Err(ServiceError::Unavailable(format!(
                "no answer within {} s",
                CHECK_TIMEOUT.as_secs()
            )))
        })
    })
    .await;
    checks.push(match answer {
        Ok(_) | Err(ServiceError::Rejected(_)) | Err(ServiceError::Refused(_)) => Check {
            part: "service",
            ok: true,
            data: format!("{ms} ms"),
            detail: "answers".into(),
            hint: None,
            ms,
        },
        Err(e) => Check {
            part: "service",
            ok: false,
            data: e.to_string(),
            detail: e.to_string(),
            hint: Some("check the network, service.url and the kiosk credential"),
            ms,
        },
    });
    checks
}
