//! `kiosk doctor`'s checks against made-up trees, real loopback servers and real journals.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::files::{device_file, unstable_name};
use super::*;
use crate::journal::Journal;

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
    let [tls, clock] =
        tls_and_clock(&real_service(format!("http://127.0.0.1:{port}/")).service).await;
    assert_eq!(tls.status, Status::Pass, "{tls:?}");
    assert_eq!(clock.status, Status::Pass, "{clock:?}");

    let port = dated_server("Mon, 01 Jan 2024 00:00:00 GMT").await;
    let [_, clock] =
        tls_and_clock(&real_service(format!("http://127.0.0.1:{port}/")).service).await;
    assert_eq!(clock.status, Status::Fail, "{clock:?}");
    assert!(clock.detail.contains("ahead of the service"), "{clock:?}");
    assert_eq!(clock.hint, Some(Hint::Clock));

    // Plain HTTP where TLS is expected: the handshake fails, and says so.
    let [tls, clock] =
        tls_and_clock(&real_service(format!("https://127.0.0.1:{port}/")).service).await;
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
