//! The kiosk under systemd's notification protocol, spoken to a real datagram socket as
//! systemd listens on one: READY once the loop runs, WATCHDOG from the loop at half the
//! interval, STOPPING on SIGTERM; and SIGUSR1 / SIGUSR2 change the log level at run time.

use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::time::Duration;

use rustix::process::{Pid, Signal, kill_process};

/// Datagrams until one contains `want` (each datagram is KEY=VALUE lines).
fn until(sock: &UnixDatagram, want: &str, seen: &mut Vec<String>) {
    let mut buf = [0u8; 4096];
    while !seen.iter().any(|m| m.lines().any(|l| l == want)) {
        let n = sock
            .recv(&mut buf)
            .unwrap_or_else(|e| panic!("no {want} from the kiosk ({e}); got {seen:?}"));
        seen.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
}

/// A config in `dir` with its data beside it, no metrics endpoint, and `kiosk` more keys of
/// `[kiosk]`.
fn config(dir: &std::path::Path, kiosk: &str) -> std::path::PathBuf {
    let cfg = dir.join("kiosk.toml");
    std::fs::write(
        &cfg,
        format!(
            "[kiosk]\n{kiosk}data_dir = {:?}\n[metrics]\nlisten = \"\"\n",
            dir.join("data")
        ),
    )
    .unwrap();
    cfg
}

/// `kiosk --config cfg headless` with `set` in its environment and `unset` (and RUST_LOG) out
/// of it; stdin piped (closing it stops the kiosk), output discarded.
fn headless(
    cfg: &std::path::Path,
    set: &[(&str, &std::ffi::OsStr)],
    unset: &str,
) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .arg("--config")
        .arg(cfg)
        .arg("headless")
        .envs(set.iter().copied())
        .env_remove(unset)
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn ready_watchdog_and_stopping_reach_systemd_and_signals_change_the_log_level() {
    let dir = tempfile::tempdir().unwrap();
    let sock_path = dir.path().join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let cfg = config(dir.path(), "");
    let mut child = headless(
        &cfg,
        &[
            ("NOTIFY_SOCKET", sock_path.as_os_str()),
            // 400 ms: the kiosk must notify at least every 200 ms.
            ("WATCHDOG_USEC", "400000".as_ref()),
        ],
        "JOURNAL_STREAM",
    );
    let pid = Pid::from_raw(child.id() as i32).unwrap();
    let mut seen = vec![];
    until(&sock, "READY=1", &mut seen);
    let ready_at = seen.len();
    // Three in a row: the loop keeps feeding it.
    for _ in 0..3 {
        let before = seen.len();
        until(&sock, "WATCHDOG=1", &mut seen);
        seen.truncate(before);
        seen.push("fed".into());
    }
    assert!(seen.len() >= ready_at + 3);

    kill_process(pid, Signal::USR1).unwrap();
    let log = dir.path().join("data").join("kiosk.log.jsonl");
    let changed = |level: &str| {
        std::fs::read_to_string(&log).is_ok_and(|t| {
            t.lines().any(|l| {
                l.contains("LOG_LEVEL_CHANGED") && l.contains(&format!("\"level\":\"{level}\""))
            })
        })
    };
    // The log is written by a background thread: the watchdog's beat paces the wait.
    let mut beats = 0;
    while !changed("debug") {
        until(&sock, "WATCHDOG=1", &mut vec![]);
        beats += 1;
        assert!(beats < 100, "SIGUSR1 did not raise the level");
    }
    kill_process(pid, Signal::USR2).unwrap();
    while !changed("info") {
        until(&sock, "WATCHDOG=1", &mut vec![]);
        beats += 1;
        assert!(beats < 200, "SIGUSR2 did not put the level back");
    }

    kill_process(pid, Signal::TERM).unwrap();
    until(&sock, "STOPPING=1", &mut seen);
    let status = child.wait().unwrap();
    assert!(status.success(), "SIGTERM is an orderly stop: {status}");
}

/// Under systemd (`JOURNAL_STREAM` set) lines go to journald as native entries, their fields
/// beside the message. journald's socket path is fixed (`/run/systemd/journal/socket`), so the
/// test runs itself again in a private mount namespace (`unshare --mount`, as root) over an
/// empty `/run`, listens there as journald does, and starts the kiosk inside.
#[test]
fn under_systemd_lines_reach_journald_with_their_fields() {
    const NAME: &str = "under_systemd_lines_reach_journald_with_their_fields";
    if !rustix::process::geteuid().is_root() {
        // A mount namespace needs root; CI runs as root, so there it always runs.
        eprintln!("skipped: needs root for a private /run (unshare --mount)");
        return;
    }
    if std::env::var_os("KIOSK_TEST_PRIVATE_RUN").is_none() {
        let status = Command::new("unshare")
            .args(["--mount", "--propagation", "private"])
            .arg(std::env::current_exe().unwrap())
            .args(["--exact", NAME, "--nocapture"])
            .env("KIOSK_TEST_PRIVATE_RUN", "1")
            .status()
            .expect("unshare (util-linux)");
        assert!(
            status.success(),
            "the test in its own mount namespace failed"
        );
        return;
    }
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "tmpfs", "/run"])
        .status()
        .unwrap();
    assert!(mounted.success(), "mounting a private /run");
    std::fs::create_dir_all("/run/systemd/journal").unwrap();
    let sock = UnixDatagram::bind("/run/systemd/journal/socket").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "id = \"booth-j\"\n");
    let child = headless(
        &cfg,
        &[("JOURNAL_STREAM", "8:12345".as_ref())],
        "NOTIFY_SOCKET",
    );
    // Killed however the test ends.
    struct Reap(std::process::Child);
    impl Drop for Reap {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Reap(child);
    let mut buf = vec![0u8; 64 * 1024];
    let mut seen = vec![];
    let entry = loop {
        let n = sock
            .recv(&mut buf)
            .unwrap_or_else(|e| panic!("no KIOSK_STARTED entry ({e}); got {seen:?}"));
        let entry = journal_fields(&buf[..n]);
        if entry
            .iter()
            .any(|(k, v)| k == "F_CODE" && v == "KIOSK_STARTED")
        {
            break entry;
        }
        seen.push(entry);
    };
    for (key, value) in [
        ("SYSLOG_IDENTIFIER", "photo-kiosk"),
        // tracing-journald's mapping: INFO is notice (5).
        ("PRIORITY", "5"),
        ("F_KIOSK", "booth-j"),
        ("MESSAGE", "kiosk started"),
    ] {
        assert!(
            entry.iter().any(|(k, v)| k == key && v == value),
            "no {key}={value} in the entry: {entry:?}"
        );
    }
    kill_process(Pid::from_raw(child.0.id() as i32).unwrap(), Signal::TERM).unwrap();
    assert!(
        child.0.wait().unwrap().success(),
        "SIGTERM is an orderly stop"
    );
}

/// The fields of one entry in journald's native protocol: `KEY=VALUE` lines, or `KEY`, a
/// newline, the value's length as 64-bit little-endian, the value and a newline.
fn journal_fields(mut bytes: &[u8]) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    while !bytes.is_empty() {
        let end = bytes
            .iter()
            .position(|&b| b == b'\n' || b == b'=')
            .expect("a key");
        let key = String::from_utf8_lossy(&bytes[..end]).into_owned();
        let value;
        if bytes[end] == b'=' {
            let rest = &bytes[end + 1..];
            let nl = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            value = &rest[..nl];
            bytes = rest.get(nl + 1..).unwrap_or_default();
        } else {
            let rest = &bytes[end + 1..];
            let len = u64::from_le_bytes(rest[..8].try_into().unwrap()) as usize;
            value = &rest[8..8 + len];
            bytes = rest.get(8 + len + 1..).unwrap_or_default();
        }
        fields.push((key, String::from_utf8_lossy(value).into_owned()));
    }
    fields
}
