//! `kiosk doctor`: every check a technician needs at the booth, beyond the devices the
//! maintenance screen shows: the configuration, the camera's power and capture target, a test
//! shot, the seat's travel both ways, the serial port's and the scanner's device files, TLS
//! and the clock against the service, the disk, the Chinese font, the journal and who may read
//! the kiosk's files. Each is a [`Check`] of the one diagnostics model, with a hint whose words
//! are in the translation files.

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use chair_control::{ChairStatus, Direction};
use kiosk_core::diagnostics::{Check, FaultKind, Hint, Part, Status};

use super::{CHECK_TIMEOUT, pass, timed};
use crate::config::{Backend, Config};
use crate::journal::Journal;
use crate::runtime::World;

/// How far the seat must move each way to pass (or reach its limit).
const TRAVEL_MM: f32 = 10.0;
/// How long the seat may take to move that far.
const TRAVEL_TIME: Duration = Duration::from_secs(2);
/// Clock skew that is worth a warning; beyond the service's window, signed requests are
/// refused.
const SKEW_WARN_SECS: u64 = 30;
const SKEW_FAIL_SECS: u64 = crate::service::wire::MAX_SKEW_SECS;

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
    checks.push(serial_port(cfg));
    checks.push(scanner(cfg));
    if let Ok(world) = world {
        checks.push(super::service(world).await);
    }
    checks.extend(tls_and_clock(cfg).await);
    checks.push(super::disk(&cfg.kiosk.data_dir));
    checks.push(fonts(&font_dirs()));
    checks.push(journal(&cfg.kiosk.data_dir.join("journal.sqlite3")));
    checks.push(permissions(cfg));
    checks
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
        pass(Part::Config, "valid".into(), "valid".into(), 0)
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
    let ((line, photo), ms) = timed(crate::maintenance::test_shot(world)).await;
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
            let moved = match direction {
                Direction::Up => s.height_mm - from.height_mm >= TRAVEL_MM || s.upper_limit,
                Direction::Down => from.height_mm - s.height_mm >= TRAVEL_MM || s.lower_limit,
            };
            if moved || s.overcurrent || s.stalled || Instant::now() >= deadline {
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
            let mut c = super::fail(
                Part::ChairTravel,
                e.to_string(),
                super::serial_fault(e.kind()),
                Hint::SerialWiring,
                ms,
            );
            c.ms = ms;
            return c;
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

/// A device file: a character device this process may open as asked.
fn device_file(path: &Path, write: bool) -> Result<PathBuf, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !meta.file_type().is_char_device() {
        return Err(format!("{}: not a device", path.display()));
    }
    let mode = if write {
        rustix::fs::Access::READ_OK | rustix::fs::Access::WRITE_OK
    } else {
        rustix::fs::Access::READ_OK
    };
    rustix::fs::access(path, mode).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()))
}

/// Names the kernel hands out in plug order: another adapter or a re-plug changes them.
fn unstable_name(path: &Path) -> bool {
    let p = path.to_string_lossy();
    [
        "/dev/ttyUSB",
        "/dev/ttyACM",
        "/dev/input/event",
        "/dev/hidraw",
    ]
    .iter()
    .any(|prefix| p.starts_with(prefix))
}

/// The lights' and chair's serial port: there, ours to open, and named by udev.
fn serial_port(cfg: &Config) -> Check {
    if cfg.serial.backend == Backend::Sim {
        let what = "simulator on a pseudo-terminal".to_owned();
        return pass(Part::SerialPort, what.clone(), what, 0);
    }
    let path = Path::new(&cfg.serial.port.path);
    match device_file(path, true) {
        Err(e) if !path.exists() => {
            super::fail(Part::SerialPort, e, FaultKind::Port, Hint::SerialWiring, 0)
        }
        Err(e) => Check::problem(Part::SerialPort, Status::Fail, e, Hint::SerialName),
        Ok(real) if unstable_name(path) => Check::problem(
            Part::SerialPort,
            Status::Warn,
            format!(
                "{} (→ {}): a kernel name that changes when re-plugged",
                path.display(),
                real.display()
            ),
            Hint::SerialName,
        ),
        Ok(real) => {
            let what = format!("{} → {}", path.display(), real.display());
            pass(Part::SerialPort, what.clone(), what, 0)
        }
    }
}

/// The USB QR scanner's input device, when one is configured.
fn scanner(cfg: &Config) -> Check {
    let path = &cfg.scanner.device;
    if path.as_os_str().is_empty() {
        let what = "none configured (the camera's live view reads codes)".to_owned();
        return pass(Part::Scanner, what.clone(), what, 0);
    }
    match device_file(path, false) {
        Err(e) => Check::problem(Part::Scanner, Status::Fail, e, Hint::Scanner),
        Ok(real) if unstable_name(path) => Check::problem(
            Part::Scanner,
            Status::Warn,
            format!(
                "{} (→ {}): a kernel name that changes when re-plugged; use /dev/input/by-id/…",
                path.display(),
                real.display()
            ),
            Hint::Scanner,
        ),
        Ok(real) => {
            let what = format!("{} → {}", path.display(), real.display());
            pass(Part::Scanner, what.clone(), what, 0)
        }
    }
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
async fn tls_and_clock(cfg: &Config) -> [Check; 2] {
    if cfg.service.backend == Backend::Sim {
        let tls = "not used: the simulator is in-process".to_owned();
        let clock = "no reference: the simulator shares this clock".to_owned();
        return [
            pass(Part::Tls, tls.clone(), tls, 0),
            pass(Part::Clock, clock.clone(), clock, 0),
        ];
    }
    let url = &cfg.service.url;
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
                Status::Pass => pass(Part::Clock, text.clone(), text, 0),
                s => Check::problem(Part::Clock, s, text, Hint::Clock),
            }
        }
    };
    [tls, clock]
}

/// Where fontconfig looks on Debian, system-wide and for the kiosk's user.
fn font_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![
        PathBuf::from("/usr/share/fonts"),
        PathBuf::from("/usr/local/share/fonts"),
    ];
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".local/share/fonts"));
        dirs.push(Path::new(&home).join(".fonts"));
    }
    dirs
}

/// A Chinese font the screens can use (Noto Sans CJK from fonts-noto-cjk, or Source Han /
/// Noto Sans SC installed by hand), found by its file name under `dirs`.
fn fonts(dirs: &[PathBuf]) -> Check {
    const NAMES: [&str; 4] = ["NotoSansCJK", "NotoSansSC", "SourceHanSans", "NotoSerifCJK"];
    let mut stack: Vec<(PathBuf, u8)> = dirs.iter().map(|d| (d.clone(), 0)).collect();
    // (rank in NAMES, path): the sans faces the screens use before the serif one.
    let mut best: Option<(usize, PathBuf)> = None;
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let path = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) && depth < 5 {
                stack.push((path, depth + 1));
            } else if let Some(rank) = e
                .file_name()
                .to_str()
                .and_then(|n| NAMES.iter().position(|f| n.starts_with(f)))
                && best.as_ref().is_none_or(|(r, p)| (rank, &path) < (*r, p))
            {
                best = Some((rank, path));
            }
        }
    }
    if let Some((_, path)) = best {
        let what = path.display().to_string();
        return pass(Part::Fonts, what.clone(), what, 0);
    }
    Check::problem(
        Part::Fonts,
        Status::Fail,
        "no Noto Sans CJK (or Source Han Sans) font installed",
        Hint::Fonts,
    )
}

/// The journal: SQLite's integrity check (read-only: a running kiosk may hold it) and its key.
fn journal(path: &Path) -> Check {
    match Journal::inspect(path) {
        Ok(None) => {
            let what = format!("{}: not made yet (the kiosk makes it)", path.display());
            pass(Part::Journal, what.clone(), what, 0)
        }
        Ok(Some(i)) => {
            let what = format!(
                "intact · {} shot counters · {} transitions · WAL {} KB",
                i.counters,
                i.transitions,
                i.wal_bytes / 1024
            );
            if i.key {
                pass(Part::Journal, what.clone(), what, 0)
            } else {
                Check::problem(
                    Part::Journal,
                    Status::Warn,
                    format!(
                        "{what}; its key (journal.key) is missing: a session cannot resume and \
                         the shot counters cannot be read"
                    ),
                    Hint::JournalKey,
                )
            }
        }
        Err(e) => Check::problem(
            Part::Journal,
            Status::Fail,
            format!("{}: {e}", path.display()),
            Hint::Journal,
        ),
    }
}

/// Who may read what holds personal data or secrets: the data directory (owner only, or its
/// group reading), the journal and its key, the service credential (owner only).
fn permissions(cfg: &Config) -> Check {
    let dir = &cfg.kiosk.data_dir;
    let mut items = vec![(dir.clone(), true)];
    for name in ["journal.sqlite3", "journal.key"] {
        items.push((dir.join(name), false));
    }
    if cfg.service.backend == Backend::Real {
        items.push((cfg.service.credential_path.clone(), false));
    }
    let mut seen = Vec::new();
    let mut status = Status::Pass;
    let mut bad = Vec::new();
    for (path, is_dir) in items {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        let mode = meta.permissions().mode() & 0o777;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        seen.push(format!("{name} {mode:03o}"));
        // Others: never. The group: may read the directory (operators' log readers), never
        // the files.
        let worst = if mode & 0o007 != 0 || (!is_dir && mode & 0o070 != 0) {
            Status::Fail
        } else if is_dir && mode & 0o020 != 0 {
            Status::Warn
        } else {
            continue;
        };
        bad.push(format!("{} is {mode:03o}", path.display()));
        if worst == Status::Fail || status == Status::Pass {
            status = worst;
        }
    }
    if bad.is_empty() {
        let what = if seen.is_empty() {
            format!("{}: not made yet", dir.display())
        } else {
            seen.join(" · ")
        };
        pass(Part::Permissions, what.clone(), what, 0)
    } else {
        Check::problem(Part::Permissions, status, bad.join("; "), Hint::Permissions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mains_passes_a_battery_warns_and_an_empty_one_fails() {
        assert_eq!(power_status(Some("AC")).0, Status::Pass);
        assert_eq!(power_status(Some("AC adapter")).0, Status::Pass);
        assert_eq!(
            power_status(Some("100%")).0,
            Status::Pass,
            "a dummy battery"
        );
        assert_eq!(power_status(Some("Battery 45 %")).0, Status::Warn);
        assert_eq!(power_status(Some("12%")).0, Status::Fail);
        assert_eq!(power_status(Some("Empty")).0, Status::Fail);
        assert_eq!(power_status(Some("Full")).0, Status::Warn);
        assert_eq!(power_status(None).0, Status::Warn);
    }

    #[test]
    fn clock_skew_rates_both_ways() {
        let now = SystemTime::now();
        assert_eq!(skew(now, now).0, Status::Pass);
        let (s, secs, side) = skew(now - Duration::from_secs(90), now);
        assert_eq!((s, secs, side), (Status::Warn, 90, "ahead of"));
        let (s, _, side) = skew(now + Duration::from_secs(600), now);
        assert_eq!((s, side), (Status::Fail, "behind"));
    }

    /// A loopback HTTP server answering every request with `date` as its Date header.
    async fn dated_server(date: &'static str) -> u16 {
        let app = axum::Router::new()
            .fallback(move || async move { ([(axum::http::header::DATE, date)], "not here") });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        port
    }

    fn real_service(url: String) -> Config {
        let mut cfg = Config::default();
        cfg.service.backend = Backend::Real;
        cfg.service.url = url;
        cfg
    }

    #[tokio::test]
    async fn the_services_date_rates_the_clock_and_a_failed_handshake_fails_tls() {
        let right_now = httpdate::fmt_http_date(SystemTime::now());
        let port = dated_server(Box::leak(right_now.into_boxed_str())).await;
        let [tls, clock] = tls_and_clock(&real_service(format!("http://127.0.0.1:{port}/"))).await;
        assert_eq!(tls.status, Status::Pass, "{tls:?}");
        assert_eq!(clock.status, Status::Pass, "{clock:?}");

        let port = dated_server("Mon, 01 Jan 2024 00:00:00 GMT").await;
        let [_, clock] = tls_and_clock(&real_service(format!("http://127.0.0.1:{port}/"))).await;
        assert_eq!(clock.status, Status::Fail, "{clock:?}");
        assert!(clock.detail.contains("ahead of the service"), "{clock:?}");
        assert_eq!(clock.hint, Some(Hint::Clock));

        // Plain HTTP where TLS is expected: the handshake fails, and says so.
        let [tls, clock] = tls_and_clock(&real_service(format!("https://127.0.0.1:{port}/"))).await;
        assert_eq!(tls.status, Status::Fail, "{tls:?}");
        assert_eq!(tls.hint, Some(Hint::Tls));
        assert_eq!(clock.status, Status::Warn);
    }

    #[test]
    fn fonts_are_found_by_file_name_or_reported_missing() {
        let dir = tempfile::tempdir().unwrap();
        let none = fonts(&[dir.path().to_owned()]);
        assert_eq!(none.status, Status::Fail);
        assert_eq!(none.hint, Some(Hint::Fonts));
        let deep = dir.path().join("opentype/noto");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("NotoSerifCJK-Regular.ttc"), b"").unwrap();
        std::fs::write(deep.join("NotoSansCJK-Regular.ttc"), b"").unwrap();
        let found = fonts(&[dir.path().to_owned()]);
        assert_eq!(found.status, Status::Pass, "{found:?}");
        assert!(found.detail.ends_with("NotoSansCJK-Regular.ttc"));
    }

    #[test]
    fn files_others_can_read_fail_and_a_group_writable_directory_warns() {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = Config::default();
        cfg.kiosk.data_dir = dir.path().join("data");
        cfg.service.backend = Backend::Real;
        cfg.service.credential_path = dir.path().join("credential");
        assert_eq!(permissions(&cfg).status, Status::Pass, "nothing made yet");
        let set = |p: &Path, mode: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
        };
        std::fs::create_dir(&cfg.kiosk.data_dir).unwrap();
        std::fs::write(cfg.kiosk.data_dir.join("journal.key"), b"k").unwrap();
        std::fs::write(&cfg.service.credential_path, b"s").unwrap();
        set(&cfg.kiosk.data_dir, 0o750);
        set(&cfg.kiosk.data_dir.join("journal.key"), 0o600);
        set(&cfg.service.credential_path, 0o600);
        let ok = permissions(&cfg);
        assert_eq!(ok.status, Status::Pass, "{ok:?}");
        assert!(ok.detail.contains("journal.key 600"), "{}", ok.detail);
        set(&cfg.kiosk.data_dir, 0o770);
        assert_eq!(permissions(&cfg).status, Status::Warn);
        set(&cfg.service.credential_path, 0o644);
        let bad = permissions(&cfg);
        assert_eq!(bad.status, Status::Fail);
        assert!(bad.detail.contains("credential is 644"), "{}", bad.detail);
        assert_eq!(bad.hint, Some(Hint::Permissions));
    }

    #[test]
    fn device_files_must_be_devices_and_kernel_names_are_unstable() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("ttyUSB0");
        std::fs::write(&plain, b"").unwrap();
        assert!(
            device_file(&plain, true)
                .unwrap_err()
                .contains("not a device")
        );
        assert!(device_file(&dir.path().join("gone"), true).is_err());
        assert!(device_file(Path::new("/dev/null"), true).is_ok());
        assert!(unstable_name(Path::new("/dev/ttyUSB0")));
        assert!(unstable_name(Path::new("/dev/input/event3")));
        assert!(!unstable_name(Path::new("/dev/photo-kiosk/bus")));
        assert!(!unstable_name(Path::new(
            "/dev/input/by-id/usb-scanner-event-kbd"
        )));
    }

    #[test]
    fn a_journal_is_inspected_without_being_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        assert_eq!(journal(&path).status, Status::Pass, "not made yet");
        {
            let j = Journal::open(&path).unwrap();
            j.store_shot("GPK1.code-aaaaaaaaaaaaaaaa", 1, b"x").unwrap();
        }
        let ok = journal(&path);
        assert_eq!(ok.status, Status::Pass, "{ok:?}");
        assert!(ok.detail.contains("1 shot counters"), "{}", ok.detail);
        std::fs::remove_file(path.with_extension("key")).unwrap();
        let no_key = journal(&path);
        assert_eq!(no_key.status, Status::Warn);
        assert_eq!(no_key.hint, Some(Hint::JournalKey));
        std::fs::write(&path, b"not a database at all, just text").unwrap();
        let bad = journal(&path);
        assert_eq!(bad.status, Status::Fail, "{bad:?}");
        assert_eq!(bad.hint, Some(Hint::Journal));
    }
}
