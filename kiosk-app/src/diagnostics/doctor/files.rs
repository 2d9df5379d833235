//! `kiosk doctor`'s checks of files on this machine: the serial port's and the scanner's
//! device files, the Chinese font, the journal and who may read the kiosk's files. None of
//! them needs the kiosk's parts, so they run even when it cannot be put together.

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};

use kiosk_core::diagnostics::{Check, FaultKind, Hint, Part, Status};

use crate::config::{Backend, Config};
use crate::journal::Journal;

/// A device file: a character device this process may open as asked.
pub(super) fn device_file(path: &Path, write: bool) -> Result<PathBuf, String> {
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
pub(super) fn unstable_name(path: &Path) -> bool {
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
pub(super) fn serial_port(serial: &crate::config::SerialSection) -> Check {
    if serial.backend == Backend::Sim {
        let what = "simulator on a pseudo-terminal".to_owned();
        return Check::passed(Part::SerialPort, what);
    }
    let path = Path::new(&serial.port.path);
    match device_file(path, true) {
        Err(e) if !path.exists() => {
            crate::diagnostics::fail(Part::SerialPort, e, FaultKind::Port, Hint::SerialWiring, 0)
        }
        Err(e) => Check::problem(Part::SerialPort, Status::Fail, e, Hint::SerialName),
        Ok(real) => by_name(Part::SerialPort, path, &real, Hint::SerialName, ""),
    }
}

/// A device file that opened: its udev name passes, a kernel name that a re-plug changes
/// warns (with `advice` after the reason).
fn by_name(part: Part, path: &Path, real: &Path, hint: Hint, advice: &str) -> Check {
    if unstable_name(path) {
        let what = format!(
            "{} (→ {}): a kernel name that changes when re-plugged{advice}",
            path.display(),
            real.display()
        );
        return Check::problem(part, Status::Warn, what, hint);
    }
    Check::passed(part, format!("{} → {}", path.display(), real.display()))
}

/// The USB QR scanner's input device, when one is configured.
pub(super) fn scanner(scanner: &crate::scanner::ScannerConfig) -> Check {
    let path = &scanner.device;
    if path.as_os_str().is_empty() {
        let what = "none configured (the camera's live view reads codes)".to_owned();
        return Check::passed(Part::Scanner, what);
    }
    match device_file(path, false) {
        Err(e) => Check::problem(Part::Scanner, Status::Fail, e, Hint::Scanner),
        Ok(real) => by_name(
            Part::Scanner,
            path,
            &real,
            Hint::Scanner,
            "; use /dev/input/by-id/…",
        ),
    }
}

/// Where fontconfig looks on Debian, system-wide and for the kiosk's user.
pub(super) fn font_dirs() -> Vec<PathBuf> {
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
pub(super) fn fonts(dirs: &[PathBuf]) -> Check {
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
        return Check::passed(Part::Fonts, what);
    }
    Check::problem(
        Part::Fonts,
        Status::Fail,
        "no Noto Sans CJK (or Source Han Sans) font installed",
        Hint::Fonts,
    )
}

/// The journal: SQLite's integrity check (read-only: a running kiosk may hold it) and its key.
pub(super) fn journal(path: &Path) -> Check {
    match Journal::inspect(path) {
        Ok(None) => {
            let what = format!("{}: not made yet (the kiosk makes it)", path.display());
            Check::passed(Part::Journal, what)
        }
        Ok(Some(i)) => {
            let what = format!(
                "intact · {} shot counters · {} transitions · WAL {} KB",
                i.counters,
                i.transitions,
                i.wal_bytes / 1024
            );
            if i.key {
                Check::passed(Part::Journal, what)
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
pub(super) fn permissions(cfg: &Config) -> Check {
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
        Check::passed(Part::Permissions, what)
    } else {
        Check::problem(Part::Permissions, status, bad.join("; "), Hint::Permissions)
    }
}
