//! The `kiosk` binary as an operator or technician uses it.

use std::os::unix::fs::PermissionsExt;
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
    // 1 × 2 pixels: once a panic that skipped every file after it.
    let tiny = dir.path().join("tiny.png");
    image::GrayImage::from_pixel(1, 2, image::Luma([0]))
        .save(&tiny)
        .unwrap();
    let out = kiosk()
        .args(["qr", "decode"])
        .arg(&junk)
        .arg(&tiny)
        .arg(dir.path().join("missing.png"))
        .arg(&png)
        .output()
        .unwrap();
    assert!(!out.status.success(), "errors make the exit code non-zero");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "one line per file, in order");
    assert!(lines[0]["error"].is_string());
    let tiny_error = lines[1]["error"].as_str().unwrap();
    assert!(
        tiny_error.contains("1 × 2") && tiny_error.contains("too small"),
        "{tiny_error}"
    );
    assert!(lines[2]["error"].is_string());
    assert_eq!(lines[3]["codes"][0], "GPK1.DEMO-ZHANG-WEISAN-0001");
    assert_eq!(lines[3]["kinds"][0], "personal");
    assert!(lines[3]["ms"].as_f64().is_some());
}

#[test]
fn qr_decode_classifies_with_the_configured_rules() {
    let dir = tempfile::tempdir().unwrap();
    let img = qrcode::QrCode::new(b"XYZ9.booth-elsewhere-token-01")
        .unwrap()
        .render::<image::Luma<u8>>()
        .module_dimensions(6, 6)
        .build();
    let png = dir.path().join("code.png");
    img.save(&png).unwrap();
    let cfg = dir.path().join("kiosk.toml");
    std::fs::write(&cfg, "[qr]\npersonal_prefix = \"XYZ9.\"\n").unwrap();
    let kinds = |config: Option<&std::path::Path>| {
        let mut cmd = kiosk();
        if let Some(c) = config {
            cmd.arg("--config").arg(c);
        }
        let out = cmd.args(["qr", "decode"]).arg(&png).output().unwrap();
        let line: serde_json::Value =
            serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
        line["kinds"][0].as_str().unwrap().to_owned()
    };
    assert_eq!(kinds(None), "foreign", "the default prefix is GPK1.");
    assert_eq!(
        kinds(Some(&cfg)),
        "personal",
        "the booth's [qr] rules apply"
    );
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

/// `kiosk maintenance-pin hash` output for the PIN 13579 (a booth's own PIN, not the demo's).
const OWN_PIN_HASH: &str = r#"pin_hash = "$argon2id$v=19$m=19456,t=2,p=1$hPquSqzL+aC9Jf+TD+/heg$j8Kdn0OKKuoxvY1x6d9MdVwDxABzhTdt4MmwDkmm8DM""#;

#[test]
fn maintenance_pin_hash_makes_a_config_line_and_real_booths_need_their_own() {
    use std::io::Write;
    let mut child = kiosk()
        .args(["maintenance-pin", "hash"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"246801\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("[maintenance]\npin_hash = \"$argon2id$"),
        "{text}"
    );
    assert!(!text.contains("246801"), "the PIN itself is not printed");

    // The printed line is a valid config; the demo hash is refused once something is real.
    let dir = tempfile::tempdir().unwrap();
    let own = dir.path().join("own.toml");
    std::fs::write(&own, format!("[camera]\nbackend = \"real\"\n{text}")).unwrap();
    let out = kiosk()
        .args(["config", "check"])
        .arg(&own)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let demo = dir.path().join("demo.toml");
    std::fs::write(&demo, "[camera]\nbackend = \"real\"\n").unwrap();
    let out = kiosk()
        .args(["config", "check"])
        .arg(&demo)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("key `maintenance.pin_hash`") && err.contains("demo PIN"),
        "{err}"
    );

    // Not digits, or fewer than six: refused, nothing printed (by the command's name before,
    // which still works).
    for bad in [&b"12ab56\n"[..], b"24680\n"] {
        let mut child = kiosk()
            .args(["service-pin", "hash"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(bad).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(!out.status.success());
        assert!(out.stdout.is_empty());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("6 to 8 digits"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// `kiosk --config cfg doctor --quick --json`, which must exit non-zero: its checks.
fn quick_doctor_failing(cfg: &std::path::Path) -> Vec<serde_json::Value> {
    let out = kiosk()
        .arg("--config")
        .arg(cfg)
        .args(["doctor", "--quick", "--json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
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
    assert_eq!(
        parts,
        [
            "config",
            "camera",
            "camera_power",
            "capture_target",
            "test_shot",
            "lights",
            "chair",
            "chair_travel",
            "serial_port",
            "scanner",
            "voice",
            "service",
            "tls",
            "clock",
            "disk",
            "fonts",
            "journal",
            "permissions"
        ]
    );
    assert!(checks.iter().all(|c| c["ok"] == true), "{checks:?}");
    let check = |part: &str| checks.iter().find(|c| c["part"] == part).unwrap();
    // Demo mode works, and says it is demo mode.
    assert_eq!(check("config")["status"], "warn");
    assert_eq!(check("config")["hint"], "simulated");
    assert!(
        check("chair_travel")["detail"]
            .as_str()
            .unwrap()
            .starts_with("up "),
        "{:?}",
        check("chair_travel")
    );
    assert!(
        check("test_shot")["detail"]
            .as_str()
            .unwrap()
            .contains("480×640"),
        "{:?}",
        check("test_shot")
    );

    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("k.toml");
    std::fs::write(
        &cfg,
        format!("[serial]\nbackend = \"real\"\n[serial.port]\npath = \"/dev/photo-kiosk/nowhere\"\ntimeout_ms = 50\nretries = 0\n[maintenance]\n{OWN_PIN_HASH}\n"),
    )
    .unwrap();
    let out = kiosk()
        .arg("--config")
        .arg(&cfg)
        .arg("doctor")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("lights         FAIL") && text.contains("/dev/photo-kiosk/nowhere"),
        "{text}"
    );
    // The hint in the config's language (Chinese by default), worded as on the maintenance
    // screen.
    assert!(
        text.contains("→ 检查串口适配器、接线和控制器电源（serial.port.path）"),
        "{text}"
    );
    assert!(
        text.contains("serial_port    FAIL") && !text.contains("chair_travel"),
        "the port is missing; the seat is not driven without its controller:\n{text}"
    );

    // A broken configuration is the report's failed first line, naming the file and key.
    std::fs::write(&cfg, "[flow]\nmax_shots = 0\n").unwrap();
    let checks = quick_doctor_failing(&cfg);
    let line = &checks[0];
    assert_eq!(line["part"], "config");
    assert_eq!(line["status"], "fail");
    let detail = line["detail"].as_str().unwrap();
    assert!(
        detail.contains("k.toml") && detail.contains("flow.max_shots"),
        "{detail}"
    );
    assert!(line["hint_en"].as_str().unwrap().contains("named key"));

    // A credential others can read: the kiosk will not start with it, and doctor still
    // reports every check that needs no part, naming the file.
    let credential = dir.path().join("credential");
    std::fs::write(&credential, "0123456789abcdef0123456789abcdef").unwrap();
    std::fs::set_permissions(&credential, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(
        &cfg,
        format!(
            "[kiosk]\ndata_dir = {:?}\n[service]\nbackend = \"real\"\nurl = \"https://127.0.0.1:9/\"\ncredential_path = {credential:?}\n[maintenance]\n{OWN_PIN_HASH}\n",
            dir.path().join("data")
        ),
    )
    .unwrap();
    let checks = quick_doctor_failing(&cfg);
    let status = |part: &str| {
        checks
            .iter()
            .find(|c| c["part"] == part)
            .map(|c| c["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(status("config").as_deref(), Some("fail"), "{checks:?}");
    assert_eq!(status("permissions").as_deref(), Some("fail"), "{checks:?}");
    assert_eq!(
        status("tls").as_deref(),
        Some("fail"),
        "nothing listens: {checks:?}"
    );
    for part in ["serial_port", "scanner", "disk", "fonts", "journal"] {
        assert!(status(part).is_some(), "{part} still checked: {checks:?}");
    }
    let perms = checks.iter().find(|c| c["part"] == "permissions").unwrap();
    assert!(
        perms["detail"]
            .as_str()
            .unwrap()
            .contains("credential is 644"),
        "{perms}"
    );
}

/// Voice guidance in `kiosk doctor`: prompts not built warn and say how to build them; built,
/// on a machine whose ALSA default output is the null device (a `~/.asoundrc`, as a booth
/// without a speaker wired would have a card), the output opens and the beep plays to its end;
/// `--quick` plays nothing.
#[test]
fn doctor_checks_voice_guidance_and_plays_a_beep() {
    let dir = tempfile::tempdir().unwrap();
    let voice_dir = dir.path().join("voice");
    let cfg = dir.path().join("k.toml");
    std::fs::write(
        &cfg,
        format!("[voice]\ndir = \"{}\"\n", voice_dir.display()),
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".asoundrc"),
        "pcm.!default { type null }\nctl.!default { type hw card 0 }\n",
    )
    .unwrap();
    let voice_check = |extra: &[&str]| -> serde_json::Value {
        let out = kiosk()
            .env("HOME", dir.path())
            .arg("--config")
            .arg(&cfg)
            .arg("doctor")
            .arg("--json")
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|c| c["part"] == "voice")
            .unwrap_or_else(|| panic!("no voice check: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let missing = voice_check(&["--quick"]);
    assert_eq!(missing["status"], "warn", "{missing}");
    assert_eq!(missing["hint"], "voice", "{missing}");
    assert!(
        missing["detail"]
            .as_str()
            .unwrap()
            .contains("kiosk voice build"),
        "{missing}"
    );

    let built = kiosk()
        .arg("--config")
        .arg(&cfg)
        .args(["voice", "build"])
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let played = voice_check(&[]);
    assert_eq!(played["status"], "pass", "{played}");
    assert!(
        played["detail"]
            .as_str()
            .unwrap()
            .ends_with("a beep played"),
        "{played}"
    );
    let quiet = voice_check(&["--quick"]);
    assert_eq!(quiet["status"], "pass", "{quiet}");
    assert!(
        !quiet["detail"].as_str().unwrap().contains("beep"),
        "{quiet}"
    );
}

#[test]
fn camera_tools_work_on_the_simulated_camera() {
    let dir = tempfile::tempdir().unwrap();
    let out = kiosk().args(["camera", "info"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("model\tSimulated DSLR") && text.contains("capturetarget\tInternal RAM"),
        "{text}"
    );

    let out = kiosk()
        .args(["camera", "config", "f-number", "f/4"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "f/4");
    let out = kiosk()
        .args(["camera", "config", "f-number", "f/99"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the camera offers: f/2.8, f/4"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    for (cmd, min) in [("shoot", 100_000), ("preview", 5_000)] {
        let file = dir.path().join(format!("{cmd}.jpg"));
        let out = kiosk()
            .args(["camera", cmd, "--out"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            bytes.len() > min && bytes.starts_with(&[0xFF, 0xD8]),
            "{cmd}: {} bytes",
            bytes.len()
        );
    }
}

/// `kiosk camera …` against real libgphoto2 and its virtual USB camera (the fixture
/// `scripts/build-vcamera.sh` builds), with `camera.backend = "real"`.
#[test]
fn camera_tools_work_on_libgphoto2() {
    let prefix = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/vcamera/prefix");
    assert!(
        prefix.join("lib/libgphoto2.so.6").exists(),
        "run scripts/build-vcamera.sh first (scripts/test.sh does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let card = dir.path().join("card/DCIM/100NIKON");
    std::fs::create_dir_all(&card).unwrap();
    let photo = image::RgbImage::from_pixel(800, 600, image::Rgb([100, 197, 255]));
    photo.save(card.join("DSC_0001.JPG")).unwrap();
    let cfg = dir.path().join("real.toml");
    // `[service_mode]`: the maintenance section by its name before, which a booth's config may
    // still use.
    std::fs::write(
        &cfg,
        format!("[camera]\nbackend = \"real\"\n[service_mode]\n{OWN_PIN_HASH}\n"),
    )
    .unwrap();
    let run = |args: &[&str]| {
        kiosk()
            .arg("--config")
            .arg(&cfg)
            .args(args)
            .env("LD_LIBRARY_PATH", prefix.join("lib"))
            .env("IOLIBS", prefix.join("lib/libgphoto2_port/0.12.1"))
            .env("CAMLIBS", prefix.join("lib/libgphoto2/2.5.30"))
            .env("VCAMERADIR", dir.path().join("card"))
            .output()
            .unwrap()
    };
    let out = run(&["camera", "list"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Nikon DSC D750\tusb:001,001"
    );
    let out = run(&["camera", "info"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("model\tNikon DSC D750") && text.contains("power\t50%"),
        "{text}"
    );
    assert!(
        text.contains("iso\t(this camera has no setting"),
        "missing settings say so: {text}"
    );
    let out = run(&["camera", "config"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("shutterspeed\t"));
    let out = run(&["camera", "config", "f-number", "f/5.6"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "f/5.6");
    let file = dir.path().join("shot.jpg");
    let out = run(&["camera", "shoot", "--out", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (w, h) = image::image_dimensions(&file).unwrap();
    assert_eq!((w, h), (800, 600));
    // One live-view frame: with no frame directory set, the virtual camera's live view shows
    // the card's photo.
    let frame = dir.path().join("p.jpg");
    let out = run(&["camera", "preview", "--out", frame.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(image::image_dimensions(&frame).unwrap(), (800, 600));
}

/// On a fresh machine (no credential file) the simulator still starts: it makes a practice
/// credential in the data directory, names it after the URL, and signs with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sim_service_serves_out_of_the_box_with_a_practice_credential() {
    use collection_service::CollectionService;
    use std::io::BufRead;

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let cfg = dir.path().join("k.toml");
    std::fs::write(
        &cfg,
        format!(
            "[kiosk]\ndata_dir = \"{}\"\n[service]\ncredential_path = \"{}\"\n",
            data.display(),
            dir.path().join("no-such-credential").display()
        ),
    )
    .unwrap();
    let mut server = kiosk()
        .arg("--config")
        .arg(&cfg)
        .args(["sim-service", "serve"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(server.stdout.take().unwrap());
    let (mut url, mut credential) = (String::new(), String::new());
    out.read_line(&mut url).unwrap();
    out.read_line(&mut credential).unwrap();
    let url = url.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let path = credential.trim().strip_prefix("credential: ").unwrap();
    assert_eq!(std::path::Path::new(path), data.join("practice-credential"));
    #[cfg(unix)]
    {
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "owner-only: {mode:o}");
    }
    let secret = std::fs::read_to_string(path).unwrap();
    let client = collection_service::client::HttpService::new(
        &url,
        "demo-kiosk",
        secret.trim().as_bytes().to_vec(),
        std::time::Duration::from_secs(2),
        1,
    )
    .unwrap();
    let code = collection_service::sim::DEMO_ROSTER[1].0;
    let resolved = client.resolve(code).await;
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(resolved.unwrap().identity.name, "李**红");
}

/// `kiosk sim-service serve` serves the API on loopback; `kiosk sim-service pay` pays an order
/// on it, as WeChat's notification would; the kiosk's client then sees the order paid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sim_service_serves_the_api_and_pays_orders_from_the_command_line() {
    use collection_service::CollectionService;
    use kiosk_core::flow::{PaymentState, ReviewState};
    use std::io::BufRead;

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("credential"), "cli-test-credential\n").unwrap();
    std::fs::set_permissions(
        dir.path().join("credential"),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let cfg = dir.path().join("k.toml");
    std::fs::write(
        &cfg,
        format!(
            "[service]\ncredential_path = \"{}\"\n[service.sim]\nreview_ms = 0\nlatency_ms = 0\n",
            dir.path().join("credential").display()
        ),
    )
    .unwrap();
    let mut server = kiosk()
        .arg("--config")
        .arg(&cfg)
        .args(["sim-service", "serve", "--db"])
        .arg(dir.path().join("sim.sqlite3"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut url = String::new();
    std::io::BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let url = url.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let client = collection_service::client::HttpService::new(
        &url,
        "demo-kiosk",
        b"cli-test-credential".to_vec(),
        std::time::Duration::from_secs(2),
        1,
    )
    .unwrap();
    let code = collection_service::sim::DEMO_ROSTER[1].0;
    assert_eq!(client.resolve(code).await.unwrap().identity.name, "李**红");
    // A real photo: the simulated DSLR's shot through the kiosk's own processing.
    use camera_driver::Camera;
    let mut camera = camera_driver::sim::SimCamera::new(
        camera_driver::sim::SimControl::new(),
        camera_driver::sim::SimConfig {
            capture_size: (1500, 1000),
            capture_latency: std::time::Duration::ZERO,
            ..Default::default()
        },
    );
    let jpeg = kiosk_app::photo_lab::PhotoLab::load(&kiosk_app::photo_lab::PhotoConfig::default())
        .unwrap()
        .process(&camera.capture().unwrap(), false)
        .unwrap()
        .jpeg;
    let submission = client.upload(code, 1, &jpeg).await.unwrap();
    assert_eq!(
        client.review(&submission).await.unwrap(),
        ReviewState::Passed
    );
    let out = kiosk()
        .args(["sim-service", "pay", "--url", &url, "ord-404"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("unknown_order"));

    let order = client.create_order(&submission).await.unwrap();
    assert_eq!(
        client.payment(&order.id).await.unwrap(),
        PaymentState::Pending
    );
    let out = kiosk()
        .args(["sim-service", "pay", "--url", &url, &order.id])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(client.payment(&order.id).await.unwrap(), PaymentState::Paid);
    server.kill().unwrap();
    let _ = server.wait();
}
