//! Stopping the booth: SIGTERM (systemd stopping the kiosk) runs the same shutdown as closing
//! the window (chair motor off, lights off) and the process exits 0, instead of dying on the
//! signal with the devices left as they were.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn sigterm_shuts_the_booth_down_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("kiosk.toml");
    std::fs::write(
        &cfg,
        format!(
            "[kiosk]\ndata_dir = \"{}\"\n[camera]\nsim_capture_size = [1500, 1000]\n\
             [logging]\nlevel = \"info\"\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .arg("--config")
        .arg(&cfg)
        .arg("headless")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _stdin = child.stdin.take();
    // Wait for the first screen: the kiosk is up, its devices set for the idle booth.
    let (tx, screens) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = screens.recv_timeout(Duration::from_secs(60));
    assert!(first.is_ok(), "no screen from the kiosk");

    let killed = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    let mut stderr = child.stderr.take().unwrap();
    let (done_tx, done) = mpsc::channel();
    std::thread::spawn(move || {
        let mut log = String::new();
        let _ = stderr.read_to_string(&mut log);
        let _ = done_tx.send((child.wait(), log));
    });
    let (status, log) = done
        .recv_timeout(Duration::from_secs(30))
        .expect("the kiosk ended within 30 s of SIGTERM");
    let status = status.unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}\n{log}");
    assert!(log.contains("SIGTERM: shutting down"), "{log}");
    assert!(
        log.contains("shutting down: chair motor off, lights off"),
        "{log}"
    );
    assert!(!log.contains("did not confirm shutdown"), "{log}");
}
