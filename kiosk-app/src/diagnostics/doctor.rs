//! `kiosk doctor`: every check a technician needs at the booth, beyond the devices the
//! maintenance screen shows: the configuration, the camera's power and capture target, a test
//! shot, the seat's travel both ways, the serial port's and the scanner's device files, voice
//! guidance (prompts and a sound output), TLS
//! and the clock against the service, the disk, the Chinese font, the journal and who may read
//! the kiosk's files. Each is a [`Check`] of the one diagnostics model, with a hint whose words
//! are in the translation files.

use std::time::{Duration, Instant, SystemTime};

use chair_control::{ChairStatus, Direction};
use kiosk_core::diagnostics::{Check, FaultKind, Hint, Part, Status};

use super::{CHECK_TIMEOUT, pass, timed};
use crate::config::{Backend, Config};
use crate::world::World;

mod files;
use files::{font_dirs, fonts, journal, permissions, scanner, serial_port};

/// How far the seat must move each way to pass (or reach its limit).
const TRAVEL_MM: f32 = 10.0;
/// How long the seat may take to move that far.
const TRAVEL_TIME: Duration = Duration::from_secs(2);
/// Clock skew that is worth a warning; beyond the service's window, signed requests are
/// refused.
const SKEW_WARN_SECS: u64 = 30;
const SKEW_FAIL_SECS: u64 = collection_service::wire::MAX_SKEW_SECS;

/// Every check, in the order a technician walks the booth. `active` adds what moves or fires
/// something (the test shot, the seat's travel): leave it off while a graduate is inside.
/// `world` is the kiosk's parts, or why they could not be put together (a credential that is
/// missing or readable by others, a camera library that does not load): then the checks that
/// need no part still run.
pub async fn doctor(world: Result<&World, &str>, cfg: &Config, active: bool) -> Vec<Check> {
    let mut checks = Vec::new();
    match world {
        Ok(world) => {
            checks.push(config(cfg));
            let devices = super::devices(world).await;
            let (camera_ok, chair_ok) = (devices[0].ok(), devices[2].ok());
            let mut devices = devices.into_iter();
            checks.extend(devices.next());
            if camera_ok {
                checks.push(camera_power(world).await);
                checks.push(capture_target(world).await);
                if active {
                    checks.push(test_shot(world).await);
                }
            }
            checks.extend(devices);
            if chair_ok && active {
                checks.push(chair_travel(world).await);
            }
        }
        Err(e) => checks.push(broken_config(&format!(
            "the kiosk cannot start with this configuration: {e}"
        ))),
    }
    checks.push(serial_port(&cfg.serial));
    checks.push(scanner(&cfg.scanner));
    checks.push(voice(&cfg.voice, active).await);
    if let Ok(world) = world {
        checks.push(super::service(world).await);
    }
    checks.extend(tls_and_clock(&cfg.service).await);
    checks.push(super::disk(&cfg.kiosk.data_dir));
    checks.push(fonts(&font_dirs()));
    checks.push(journal(&cfg.kiosk.data_dir.join("journal.sqlite3")));
    checks.push(permissions(cfg));
    checks
}

/// Voice guidance: the prompts built for this kiosk's texts in `voice.dir`, and a sound output
/// that opens; `active` plays a beep on it, for the technician to hear. Silence does not stop
/// a session, so anything wrong here is a warning.
async fn voice(v: &crate::voice::VoiceSection, active: bool) -> Check {
    if !v.enabled {
        return Check::passed(Part::Voice, "off (voice.enabled = false)");
    }
    let warn = |detail: String| Check::problem(Part::Voice, Status::Warn, detail, Hint::Voice);
    let ((prompts, problems), ms) = timed(async { crate::voice::Prompts::load(&v.dir) }).await;
    if let Some(first) = problems.first() {
        return warn(format!(
            "{} of {} prompts missing or stale in {} (voice.dir): {first}",
            problems.len(),
            problems.len() + prompts.len(),
            v.dir.display()
        ));
    }
    let built = format!("{} prompts in {}", prompts.len(), v.dir.display());
    let (heard, ms) = match &v.record_dir {
        Some(dir) => (
            format!(
                "recorded to {} (voice.record_dir), not played",
                dir.display()
            ),
            ms,
        ),
        None => {
            let probe = tokio::task::spawn_blocking(move || crate::voice::probe_output(active));
            let (out, probe_ms) = timed(tokio::time::timeout(CHECK_TIMEOUT, probe)).await;
            let limit = CHECK_TIMEOUT.as_secs();
            match out {
                Ok(Ok(Ok(()))) if active => (
                    "ALSA's default output opens, a beep played".into(),
                    ms + probe_ms,
                ),
                Ok(Ok(Ok(()))) => ("ALSA's default output opens".into(), ms + probe_ms),
                Ok(Ok(Err(e))) => return warn(e),
                Ok(Err(e)) => return warn(format!("the sound probe ended: {e}")),
                Err(_) => return warn(format!("the sound output did not play within {limit} s")),
            }
        }
    };
    let figures = format!("{} prompts", prompts.len());
    pass(Part::Voice, figures, format!("{built}; {heard}"), ms)
}

/// The configuration loaded and passed validation (`kiosk doctor` reports a broken one as
/// this check failing); a part still on its simulator is a warning.
fn config(cfg: &Config) -> Check {
    let simulated: Vec<&str> = [
        ("camera", cfg.camera.backend),
        ("serial", cfg.serial.backend),
        ("service", cfg.service.backend),
    ]
    .into_iter()
    .filter(|(_, b)| *b == Backend::Sim)
    .map(|(name, _)| name)
    .collect();
    if simulated.is_empty() {
        Check::passed(Part::Config, "valid")
    } else {
        Check::problem(
            Part::Config,
            Status::Warn,
            format!("valid; simulated: {}", simulated.join(", ")),
            Hint::Simulated,
        )
    }
}

/// A broken configuration as `kiosk doctor`'s first line.
pub fn broken_config(error: &str) -> Check {
    Check::problem(Part::Config, Status::Fail, error, Hint::Config)
}

/// How the camera's reported power source rates. Mains passes. A dummy battery on mains
/// reads as a full battery (gphoto2's `batterylevel` "100%"), so a level of half or more
/// passes with words that say both; a low one warns, and an empty one (under 20 %, or the
/// camera's own "Empty"/"Low") fails: the camera dies mid-session.
fn power_status(power: Option<&str>) -> (Status, String) {
    let Some(power) = power.map(str::trim).filter(|p| !p.is_empty()) else {
        return (
            Status::Warn,
            "the camera does not report its power source".into(),
        );
    };
    let lower = power.to_lowercase();
    if lower == "ac"
        || lower.contains("ac ")
        || lower.contains("mains")
        || lower.contains("external")
    {
        return (Status::Pass, format!("mains ({power})"));
    }
    if lower.contains("empty") || lower.contains("low") {
        return (Status::Fail, format!("battery {power}"));
    }
    let percent = lower
        .split('%')
        .next()
        .and_then(|n| n.trim().rsplit(' ').next())
        .and_then(|n| n.parse::<u32>().ok());
    match percent {
        Some(p) if p < 20 => (Status::Fail, format!("battery at {p} %")),
        Some(p) if p < 50 => (Status::Warn, format!("battery at {p} %")),
        Some(p) => (
            Status::Pass,
            format!("battery level {p} % (a dummy battery on mains reads full)"),
        ),
        None => (Status::Warn, format!("battery ({power})")),
    }
}

async fn camera_power(world: &World) -> Check {
    let (info, ms) = timed(world.camera.info()).await;
    let power = info.ok().and_then(|i| i.power);
    let reported = power.is_some();
    let (status, text) = power_status(power.as_deref());
    let mut check = match status {
        Status::Pass => pass(Part::CameraPower, text.clone(), text, ms),
        s => Check::problem(Part::CameraPower, s, text, Hint::CameraPower),
    };
    if !reported {
        // Nothing known: no advice that assumes a battery.
        check.hint = None;
    }
    check.ms = ms;
    check
}

async fn capture_target(world: &World) -> Check {
    let (target, ms) = timed(world.camera.get_config("capturetarget")).await;
    let mut check = match target {
        Ok(t) if t.to_lowercase().contains("ram") => pass(
            Part::CaptureTarget,
            t.clone(),
            format!("capturetarget = {t}"),
            ms,
        ),
        Ok(t) => Check::problem(
            Part::CaptureTarget,
            Status::Warn,
            format!("capturetarget = {t}"),
            Hint::CaptureTarget,
        ),
        Err(e) => Check::problem(
            Part::CaptureTarget,
            Status::Warn,
            format!("capturetarget not readable: {e}"),
            Hint::CaptureTarget,
        ),
    };
    check.ms = ms;
    check
}

/// The maintenance screen's test shot: nobody sits in the booth, so only capture and
/// processing count, not the face checks.
async fn test_shot(world: &World) -> Check {
    let ((line, photo), ms) = timed(super::test_shot(world)).await;
    let mut check = match photo {
        Some(_) => pass(Part::TestShot, line.clone(), line, ms),
        None => Check::problem(Part::TestShot, Status::Fail, line, Hint::TestShot),
    };
    check.ms = ms;
    check
}

/// Drive the seat one way until it has moved [`TRAVEL_MM`], reached its limit, reported a
/// motor fault or run out of time; then stop it. The reading pace is the controller's, not a
/// wait for the test's sake.
async fn travel(
    world: &World,
    direction: Direction,
    from: &ChairStatus,
) -> Result<ChairStatus, chair_control::DeviceError> {
    let chair = &world.chair;
    chair.drive(Some(direction)).await?;
    let deadline = Instant::now() + TRAVEL_TIME;
    let result = async {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let s = chair.status().await?;
            if travelled(direction, from, &s)
                || s.overcurrent
                || s.stalled
                || Instant::now() >= deadline
            {
                return Ok(s);
            }
        }
    }
    .await;
    chair.drive(None).await?;
    result
}

/// Whether a trip went where it should (the limit counts as arriving).
fn travelled(direction: Direction, from: &ChairStatus, to: &ChairStatus) -> bool {
    match direction {
        Direction::Up => to.height_mm - from.height_mm >= TRAVEL_MM || to.upper_limit,
        Direction::Down => from.height_mm - to.height_mm >= TRAVEL_MM || to.lower_limit,
    }
}

/// The seat up a little and back down; the motor off after, whatever happened.
async fn chair_travel(world: &World) -> Check {
    let started = Instant::now();
    let trip = async {
        world.chair.motor(true).await?;
        let start = world.chair.status().await?;
        let up = travel(world, Direction::Up, &start).await?;
        let down = travel(world, Direction::Down, &up).await?;
        Ok::<_, chair_control::DeviceError>((start, up, down))
    }
    .await;
    let _ = world.chair.drive(None).await;
    let _ = world.chair.motor(false).await;
    let ms = started.elapsed().as_millis() as u64;
    let (start, up, down) = match trip {
        Ok(t) => t,
        Err(e) => {
            return super::fail(
                Part::ChairTravel,
                e.to_string(),
                super::serial_fault(e.kind()),
                Hint::SerialWiring,
                ms,
            );
        }
    };
    let limits = |s: &ChairStatus| {
        format!(
            "{}/{}",
            if s.lower_limit { "LOW" } else { "-" },
            if s.upper_limit { "HIGH" } else { "-" }
        )
    };
    let detail = format!(
        "up {:.0} → {:.0} mm (limits {}), down → {:.0} mm (limits {})",
        start.height_mm,
        up.height_mm,
        limits(&up),
        down.height_mm,
        limits(&down)
    );
    let motor_fault = [&up, &down].iter().find_map(|s| {
        (s.overcurrent || s.stalled).then_some(if s.overcurrent {
            FaultKind::Overcurrent
        } else {
            FaultKind::Stalled
        })
    });
    let mut check = if let Some(fault) = motor_fault {
        super::fail(Part::ChairTravel, detail, fault, Hint::ChairMotorFault, ms)
    } else if [&start, &up, &down]
        .iter()
        .any(|s| s.lower_limit && s.upper_limit)
    {
        Check::problem(
            Part::ChairTravel,
            Status::Fail,
            format!("both limit switches closed: {detail}"),
            Hint::ChairTravel,
        )
    } else if !travelled(Direction::Up, &start, &up) || !travelled(Direction::Down, &up, &down) {
        Check::problem(Part::ChairTravel, Status::Fail, detail, Hint::ChairTravel)
    } else {
        pass(Part::ChairTravel, detail.clone(), detail, ms)
    };
    check.ms = ms;
    check
}

/// An error with its causes (reqwest's own text omits the TLS reason).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// How far `server` is from `local`, in seconds, and how that rates.
fn skew(server: SystemTime, local: SystemTime) -> (Status, u64, &'static str) {
    let (secs, side) = match local.duration_since(server) {
        Ok(ahead) => (ahead.as_secs(), "ahead of"),
        Err(behind) => (behind.duration().as_secs(), "behind"),
    };
    let status = if secs > SKEW_FAIL_SECS {
        Status::Fail
    } else if secs > SKEW_WARN_SECS {
        Status::Warn
    } else {
        Status::Pass
    };
    (status, secs, side)
}

/// One plain GET to the service's address: the TLS handshake (certificate, name) and the
/// answer's `Date` against this clock. The in-process simulator has neither.
async fn tls_and_clock(service: &crate::config::ServiceSection) -> [Check; 2] {
    if service.backend == Backend::Sim {
        let tls = "not used: the simulator is in-process".to_owned();
        let clock = "no reference: the simulator shares this clock".to_owned();
        return [
            Check::passed(Part::Tls, tls),
            Check::passed(Part::Clock, clock),
        ];
    }
    let url = &service.url;
    let client = reqwest::Client::builder()
        .timeout(CHECK_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build();
    let started = Instant::now();
    let answer = match client {
        Ok(c) => c.get(url).send().await.map_err(|e| chain(&e)),
        Err(e) => Err(chain(&e)),
    };
    let ms = started.elapsed().as_millis() as u64;
    let response = match answer {
        Ok(r) => r,
        Err(e) => {
            let mut tls = Check::problem(Part::Tls, Status::Fail, format!("{url}: {e}"), Hint::Tls);
            tls.ms = ms;
            let clock = Check {
                hint: None,
                ..Check::problem(
                    Part::Clock,
                    Status::Warn,
                    "not compared: the service did not answer",
                    Hint::Clock,
                )
            };
            return [tls, clock];
        }
    };
    let tls_text = if url.starts_with("https://") {
        format!(
            "https, certificate valid for {}",
            response.url().host_str().unwrap_or("?")
        )
    } else {
        "plain http to the loopback simulator".to_owned()
    };
    let tls = pass(Part::Tls, tls_text.clone(), tls_text, ms);
    let date = response
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|d| d.to_str().ok())
        .and_then(|d| httpdate::parse_http_date(d).ok());
    let clock = match date {
        None => Check {
            hint: None,
            ..Check::problem(
                Part::Clock,
                Status::Warn,
                "not compared: the service's answer has no Date",
                Hint::Clock,
            )
        },
        Some(server) => {
            let (status, secs, side) = skew(server, SystemTime::now());
            let text = format!("{secs} s {side} the service");
            match status {
                Status::Pass => Check::passed(Part::Clock, text),
                s => Check::problem(Part::Clock, s, text, Hint::Clock),
            }
        }
    };
    [tls, clock]
}

#[cfg(test)]
mod tests;
