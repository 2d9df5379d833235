//! deploy/: the systemd unit verifies, the install script is idempotent and leaves tight
//! permissions, and the alert rules are valid, unit-tested, and name only metrics the kiosk
//! exports. Needs `systemd-analyze` and `promtool` (scripts/install-deps.sh installs both).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (scripts/install-deps.sh installs it)"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

#[test]
fn the_unit_verifies_with_systemd() {
    let dir = tempfile::tempdir().unwrap();
    let unit = std::fs::read_to_string(deploy().join("photo-kiosk.service")).unwrap();
    for needed in [
        "Type=notify",
        "WatchdogSec=",
        "Restart=always",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "DevicePolicy=closed",
        "User=photo-kiosk",
    ] {
        assert!(unit.contains(needed), "the unit lacks {needed}");
    }
    // verify checks that ExecStart's binary exists: point it at the one just built.
    let path = dir.path().join("photo-kiosk.service");
    std::fs::write(
        &path,
        unit.replace("/usr/local/bin/kiosk", env!("CARGO_BIN_EXE_kiosk")),
    )
    .unwrap();
    let text = run(Command::new("systemd-analyze").arg("verify").arg(&path));
    let own: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("photo-kiosk.service"))
        .collect();
    assert!(
        own.is_empty(),
        "systemd-analyze complains:\n{}",
        own.join("\n")
    );
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_install_script_is_idempotent_keeps_the_config_and_leaves_tight_permissions() {
    let root = tempfile::tempdir().unwrap();
    let install = || {
        run(Command::new("bash")
            .arg(deploy().join("install.sh"))
            .args(["--no-start", "--root"])
            .arg(root.path())
            .arg("--binary")
            .arg(env!("CARGO_BIN_EXE_kiosk")))
    };
    install();
    let r = root.path();
    let cfg = r.join("etc/photo-kiosk/kiosk.toml");
    run(Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["config", "check"])
        .arg(&cfg));
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(
        text.contains("data_dir = \"/var/lib/photo-kiosk\""),
        "{text}"
    );
    // The voice prompts were built where the config points, for this binary's texts.
    assert!(
        text.contains("dir = \"/usr/local/share/photo-kiosk/voice\""),
        "{text}"
    );
    let (prompts, problems) =
        kiosk_app::voice::Prompts::load(&r.join("usr/local/share/photo-kiosk/voice"));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(prompts.len(), 2 * kiosk_app::voice::PROMPTS.len());
    assert_eq!(mode(&r.join("var/lib/photo-kiosk")), 0o700);
    assert_eq!(mode(&r.join("etc/photo-kiosk/credential")), 0o600);
    assert_eq!(mode(&cfg), 0o640);
    assert!(r.join("etc/systemd/system/photo-kiosk.service").is_file());
    assert!(r.join("etc/udev/rules.d/70-photo-kiosk.rules").is_file());

    // A technician's edits and the credential survive a second run (an update).
    std::fs::write(&cfg, format!("{text}\n# edited on site\n")).unwrap();
    std::fs::write(r.join("etc/photo-kiosk/credential"), "secret").unwrap();
    install();
    assert!(
        std::fs::read_to_string(&cfg)
            .unwrap()
            .contains("# edited on site")
    );
    assert_eq!(
        std::fs::read_to_string(r.join("etc/photo-kiosk/credential")).unwrap(),
        "secret"
    );
    assert_eq!(mode(&r.join("etc/photo-kiosk/credential")), 0o600);
    assert!(
        !r.join("usr/local/bin/kiosk.previous").exists(),
        "the same binary again is not a new version"
    );
}

#[test]
fn the_alert_rules_are_valid_pass_their_unit_tests_and_name_real_metrics() {
    let mon = deploy().join("monitoring");
    run(Command::new("promtool")
        .args(["check", "rules", "alerts.yml"])
        .current_dir(&mon));
    run(Command::new("promtool")
        .args(["check", "config", "prometheus.yml"])
        .current_dir(&mon));
    let text = run(Command::new("promtool")
        .args(["test", "rules", "alerts.test.yml"])
        .current_dir(&mon));
    assert!(text.contains("SUCCESS"), "{text}");

    // Every kiosk_* name in the rules and the dashboard is a family the kiosk exports.
    // (Families with labels show once they have a series: one fault, one failed check.)
    let m = kiosk_ops::metrics::Metrics::new("k", 0);
    m.observe(
        &kiosk_core::ops::Observed::DeviceFault(
            kiosk_core::flow::Device::Camera,
            kiosk_core::flow::FaultKind::Disconnected,
        ),
        0,
    );
    m.observe(
        &kiosk_core::ops::Observed::ShotTaken {
            shot: 1,
            failed: vec!["eyes_open".into()],
        },
        0,
    );
    m.service_answered(0, Some("unavailable"));
    let metrics = m.render(0, Path::new("."));
    let families: Vec<&str> = metrics
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split(' ').next())
        .collect();
    for file in ["alerts.yml", "grafana-dashboard.json"] {
        let text = std::fs::read_to_string(mon.join(file)).unwrap();
        for (i, _) in text.match_indices("kiosk_") {
            let name: String = text[i..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if name == "kiosk_" {
                continue;
            }
            assert!(
                families.iter().any(|f| name.starts_with(f)),
                "{file} uses {name}, which the kiosk does not export ({families:?})"
            );
        }
    }
}
