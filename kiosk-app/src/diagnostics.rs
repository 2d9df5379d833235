//! Checks of every part of the booth, produced here and only here: `kiosk doctor` prints them,
//! the maintenance screen shows them, and the runtime's device checks turn the first failure
//! into the flow's `DeviceFault`. The model is `kiosk_core::diagnostics`; a hint's words are
//! in the translation files ([`hint_words`]).

use std::path::Path;
use std::time::{Duration, Instant};

use camera_driver::Health;
use kiosk_core::diagnostics::{Check, FaultKind, Hint, Part};
use kiosk_core::flow::{Device, Event};
use kiosk_core::model::Lang;

use crate::world::World;
use collection_service::{Outage, ServiceError};
use kiosk_ops::disk::existing_ancestor;

mod doctor;
pub mod screen;
mod test_shot;
pub use doctor::{broken_config, doctor};
pub use test_shot::test_shot;

/// No check may hang the report (the maintenance screen refreshes it every few seconds).
/// Devices have their own timeouts; the service gets this one.
const CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// Less free space than this where photos are kept is a fault: photos must never be lost to a
/// full disk.
const MIN_FREE_BYTES: u64 = 1 << 30;

async fn timed<T>(f: impl std::future::Future<Output = T>) -> (T, u64) {
    let t = Instant::now();
    let out = f.await;
    (out, t.elapsed().as_millis() as u64)
}

fn pass(part: Part, figures: String, detail: String, ms: u64) -> Check {
    Check {
        detail,
        ms,
        ..Check::passed(part, figures)
    }
}

/// A camera error as the flow's fault kind.
pub fn camera_fault(kind: camera_driver::ErrorKind) -> FaultKind {
    use camera_driver::ErrorKind as K;
    match kind {
        K::Disconnected => FaultKind::Disconnected,
        K::Claimed => FaultKind::Claimed,
        K::Busy => FaultKind::Busy,
        K::Timeout => FaultKind::Timeout,
        K::Refused => FaultKind::Refused,
        K::Unsupported => FaultKind::Unsupported,
        K::StoreFull => FaultKind::StoreFull,
        K::ActorGone => FaultKind::DriverGone,
        // A kind added to the driver later: the nearest meaning until it is named here.
        _ => FaultKind::Refused,
    }
}

/// A serial device's error as the flow's fault kind.
pub fn serial_fault(kind: chair_control::ErrorKind) -> FaultKind {
    use chair_control::ErrorKind as K;
    match kind {
        K::Port => FaultKind::Port,
        K::NoReply => FaultKind::NoReply,
        K::Protocol => FaultKind::Protocol,
        K::Exception => FaultKind::Exception,
        K::Unknown => FaultKind::UnknownName,
        // A kind added to the driver later: the nearest meaning until it is named here.
        _ => FaultKind::Protocol,
    }
}

fn fail(part: Part, error: String, fault: FaultKind, hint: Hint, ms: u64) -> Check {
    Check {
        ms,
        ..Check::failed(part, error, fault, hint)
    }
}

/// The camera: opened and answering.
pub async fn camera(world: &World) -> Check {
    let (info, ms) = timed(world.camera.info()).await;
    match info {
        Ok(i) => {
            let power = i.power.unwrap_or_else(|| "?".into());
            pass(
                Part::Camera,
                format!("{} · {} · {power}", i.model, i.port),
                format!("{} on {} (power: {power})", i.model, i.port),
                ms,
            )
        }
        Err(e) => fail(
            Part::Camera,
            e.to_string(),
            camera_fault(e.kind()),
            Hint::CameraConnection,
            ms,
        ),
    }
}

/// The lights' controller: its channel levels.
pub async fn lights(world: &World) -> Check {
    let (levels, ms) = timed(world.lights.levels()).await;
    match levels {
        Ok(levels) => pass(
            Part::Lights,
            levels
                .iter()
                .map(|(c, l)| format!("{c} {l}"))
                .collect::<Vec<_>>()
                .join(" · "),
            levels
                .iter()
                .map(|(c, l)| format!("{c}={l}"))
                .collect::<Vec<_>>()
                .join(" "),
            ms,
        ),
        Err(e) => fail(
            Part::Lights,
            e.to_string(),
            serial_fault(e.kind()),
            Hint::SerialWiring,
            ms,
        ),
    }
}

/// The chair's controller: height, limits, and the motor's fault bits.
pub async fn chair(world: &World) -> Check {
    let (status, ms) = timed(world.chair.status()).await;
    match status {
        Ok(s) if s.overcurrent || s.stalled => {
            let what = format!("overcurrent={} stalled={}", s.overcurrent, s.stalled);
            let fault = if s.overcurrent {
                FaultKind::Overcurrent
            } else {
                FaultKind::Stalled
            };
            let mut check = fail(Part::Chair, what.clone(), fault, Hint::ChairMotorFault, ms);
            check.detail = format!("motor fault: {what}");
            check
        }
        Ok(s) => pass(
            Part::Chair,
            format!(
                "{:.0} mm{}{}",
                s.height_mm,
                if s.lower_limit { " ▼" } else { "" },
                if s.upper_limit { " ▲" } else { "" }
            ),
            format!(
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
            ms,
        ),
        Err(e) => fail(
            Part::Chair,
            e.to_string(),
            serial_fault(e.kind()),
            Hint::SerialWiring,
            ms,
        ),
    }
}

/// The collection service: a code no service issues; a refusal proves it answers.
pub async fn service(world: &World) -> Check {
    let (answer, ms) = timed(async {
        tokio::time::timeout(
            CHECK_TIMEOUT,
            world.service.resolve("GPK1.KIOSK-DOCTOR-PROBE-0000"),
        )
        .await
        .unwrap_or_else(|_| {
            Err(ServiceError::Unavailable(Outage::Deadline {
                ms: CHECK_TIMEOUT.as_millis() as u64,
            }))
        })
    })
    .await;
    match answer {
        Ok(_) | Err(ServiceError::Rejected(_)) | Err(ServiceError::Refused(_)) => {
            pass(Part::Service, format!("{ms} ms"), "answers".into(), ms)
        }
        Err(e) => fail(
            Part::Service,
            e.to_string(),
            FaultKind::Unavailable,
            Hint::ServiceUnreachable,
            ms,
        ),
    }
}

/// Free space where the journal and photos live (on the file system that will hold the data
/// directory, when it is not made yet).
pub fn disk(dir: &Path) -> Check {
    let gib = |bytes: u64| format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30));
    let probe = existing_ancestor(dir);
    match rustix::fs::statvfs(probe) {
        Ok(st) => {
            let free = st.f_bavail * st.f_frsize;
            let total = st.f_blocks * st.f_frsize;
            let figures = format!("{} / {} · {}", gib(free), gib(total), dir.display());
            if free >= MIN_FREE_BYTES {
                pass(Part::Disk, figures.clone(), figures, 0)
            } else {
                let mut check = fail(
                    Part::Disk,
                    figures.clone(),
                    FaultKind::DiskFull,
                    Hint::DiskFull,
                    0,
                );
                check.figures = figures;
                check
            }
        }
        Err(e) => fail(
            Part::Disk,
            format!("{}: {e}", dir.display()),
            FaultKind::DiskFull,
            Hint::DiskFull,
            0,
        ),
    }
}

/// The devices the flow depends on, in order: camera, lights, chair.
pub async fn devices(world: &World) -> Vec<Check> {
    // The camera thread opens the camera on its own; give it a moment to report.
    let mut health = world.camera.health();
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        health.wait_for(|h| *h != Health::Starting),
    )
    .await;
    vec![camera(world).await, lights(world).await, chair(world).await]
}

/// Every check `kiosk doctor` and the maintenance screen show.
pub async fn all(world: &World, data_dir: &Path) -> Vec<Check> {
    let mut checks = devices(world).await;
    checks.push(service(world).await);
    checks.push(disk(data_dir));
    checks
}

/// The flow's view of a device check: the first failed device as `DeviceFault`, or healthy.
pub fn device_event(checks: &[Check]) -> Event {
    for c in checks.iter().filter(|c| !c.ok()) {
        let device = match c.part {
            Part::Camera => Device::Camera,
            Part::Lights => Device::Lights,
            Part::Chair => Device::Chair,
            // Not a device the flow stops for (the service has its own retries).
            _ => continue,
        };
        return Event::DeviceFault {
            device,
            kind: c.fault.unwrap_or(FaultKind::Protocol),
        };
    }
    Event::DevicesHealthy
}

/// The translation catalogue the screens are compiled with: Chinese msgids, English msgstrs.
const CATALOGUE: &str = include_str!("../../assets/translations/en/LC_MESSAGES/kiosk-ui.po");

/// A hint's words in `lang`, from the same translation entry the maintenance screen shows
/// (`msgctxt "hint-…"`). Hand-parsed: four line kinds of a file we write ourselves do not
/// justify a gettext crate.
pub fn hint_words(hint: Hint, lang: Lang) -> Option<String> {
    let unquote = |s: &str| {
        s.trim()
            .trim_matches('"')
            .replace("\\\"", "\"")
            .replace("\\\\", "\\")
    };
    let wanted = format!("msgctxt \"{}\"", hint.context());
    let mut lines = CATALOGUE.lines().skip_while(|l| l.trim() != wanted).skip(1);
    let mut take = |key: &str| -> Option<String> {
        let first = lines.next()?.strip_prefix(key)?.to_owned();
        let mut text = unquote(&first);
        // msgmerge wraps long strings onto following quoted lines.
        let mut rest = lines.clone();
        while let Some(l) = rest.next().filter(|l| l.starts_with('"')) {
            text.push_str(&unquote(l));
            lines.next();
        }
        Some(text)
    };
    let zh = take("msgid ")?;
    let en = take("msgstr ")?;
    Some(match lang {
        Lang::Zh => zh,
        Lang::En => en,
    })
    .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hint_has_words_in_both_languages() {
        for hint in Hint::ALL {
            let zh = hint_words(hint, Lang::Zh).unwrap_or_else(|| panic!("{hint:?}: no zh"));
            let en = hint_words(hint, Lang::En).unwrap_or_else(|| panic!("{hint:?}: no en"));
            assert_ne!(zh, en, "{hint:?}");
            assert!(
                en.starts_with(|c: char| c.is_ascii_uppercase()),
                "{hint:?}: {en}"
            );
        }
        assert!(
            hint_words(Hint::ChairMotorFault, Lang::En)
                .unwrap()
                .contains("travel"),
            "the chair's motor fault is about its path, not the serial adapter"
        );
    }

    #[test]
    fn the_first_failed_device_is_the_fault() {
        let ok = pass(Part::Camera, String::new(), String::new(), 0);
        let chair = fail(
            Part::Chair,
            "x".into(),
            FaultKind::Overcurrent,
            Hint::ChairMotorFault,
            0,
        );
        let service = fail(
            Part::Service,
            "x".into(),
            FaultKind::Unavailable,
            Hint::ServiceUnreachable,
            0,
        );
        assert_eq!(
            device_event(std::slice::from_ref(&ok)),
            Event::DevicesHealthy
        );
        assert_eq!(device_event(&[ok.clone(), service]), Event::DevicesHealthy);
        assert_eq!(
            device_event(&[ok, chair]),
            Event::DeviceFault {
                device: Device::Chair,
                kind: FaultKind::Overcurrent
            }
        );
    }

    #[test]
    fn disk_reads_free_space_where_the_data_dir_is_or_will_be() {
        let dir = tempfile::tempdir().unwrap();
        let relative = std::path::PathBuf::from("kiosk-data-not-made-here");
        for d in [
            dir.path().to_owned(),
            dir.path().join("not-made-yet"),
            relative,
        ] {
            let c = disk(&d);
            assert_eq!(c.part, Part::Disk);
            assert!(c.figures.contains(" GiB · "), "{}", c.figures);
            assert!(
                c.figures.ends_with(&d.display().to_string()),
                "{}",
                c.figures
            );
        }
    }
}
