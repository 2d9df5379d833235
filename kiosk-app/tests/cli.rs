//! The `kiosk` binary as an operator or technician uses it.

use std::process::Command;

fn kiosk() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kiosk"))
}

#[test]
fn config_check_names_the_file_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(&good, "[flow]\nmax_shots = 3\n").unwrap();
    let out = kiosk()
        .args(["config", "check"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(out.status.success());

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[serial.port]\nbaud = \"fast\"\n").unwrap();
    let out = kiosk()
        .args(["config", "check"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("serial.port.baud"),
        "{err}"
    );

    // A broken file also stops every other command before it starts anything.
    let out = kiosk()
        .arg("--config")
        .arg(&bad)
        .args(["walkthrough", "--out"])
        .arg(dir.path().join("w"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("serial.port.baud"));
}

#[test]
fn qr_decode_reports_codes_and_errors_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let code = qrcode::QrCode::new(b"GPK1.DEMO-ZHANG-WEISAN-0001").unwrap();
    let img = code
        .render::<image::Luma<u8>>()
        .module_dimensions(6, 6)
        .build();
    let png = dir.path().join("code.png");
    img.save(&png).unwrap();
    let junk = dir.path().join("junk.jpg");
    std::fs::write(&junk, b"definitely not a JPEG").unwrap();
    let out = kiosk()
        .args(["qr", "decode"])
        .arg(&png)
        .arg(&junk)
        .arg(dir.path().join("missing.png"))
        .output()
        .unwrap();
    assert!(!out.status.success(), "errors make the exit code non-zero");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["codes"][0], "GPK1.DEMO-ZHANG-WEISAN-0001");
    assert_eq!(lines[0]["kinds"][0], "personal");
    assert!(lines[0]["ms"].as_f64().is_some());
    assert!(lines[1]["error"].is_string());
    assert!(lines[2]["error"].is_string());
}

#[test]
fn lights_and_chair_tools_work_against_the_simulator() {
    let out = kiosk()
        .args(["lights", "preset", "glasses"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("key\t900"));
    let out = kiosk()
        .args(["chair", "move", "up", "--for-ms", "300"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        status["motor_enabled"], false,
        "motor disabled after moving"
    );
    assert!(
        status["height_mm"].as_f64().unwrap() > 500.0,
        "the seat rose: {status}"
    );
}

#[test]
fn the_log_of_a_whole_session_holds_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = kiosk()
        .args(["walkthrough", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = std::fs::read_to_string(dir.path().join("kiosk.log.jsonl")).unwrap();
    assert!(log.lines().count() > 5);
    for line in log.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("every line is JSON");
        assert!(v["timestamp"].is_string());
    }
    assert!(
        log.contains("\"id\":\"demo-kiosk-1\""),
        "session span carries the id"
    );
    assert!(
        log.contains("张**三") && log.contains("*****8746"),
        "masked identity is logged"
    );
    for secret in [
        "GPK1.DEMO-ZHANG-WEISAN-0001",
        "张伟三",
        "110105200001018746",
        "weixin://",
    ] {
        assert!(!log.contains(secret), "the log contains {secret}");
    }
}

#[test]
fn doctor_checks_every_part_and_fails_on_a_missing_port() {
    let out = kiosk().args(["doctor", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let checks: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let parts: Vec<&str> = checks.iter().map(|c| c["part"].as_str().unwrap()).collect();
    assert_eq!(parts, ["camera", "lights", "chair", "service"]);
    assert!(checks.iter().all(|c| c["ok"] == true));

    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("k.toml");
    std::fs::write(&cfg, "[serial]\nbackend = \"real\"\n[serial.port]\npath = \"/dev/photo-kiosk/nowhere\"\ntimeout_ms = 50\nretries = 0\n").unwrap();
    let out = kiosk()
        .arg("--config")
        .arg(&cfg)
        .arg("doctor")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("lights   FAIL") && text.contains("/dev/photo-kiosk/nowhere"),
        "{text}"
    );
    assert!(text.contains("→ check serial.port.path"), "{text}");
}
