//! The whole kiosk against its simulators: camera, serial devices on a pty, service.

use kiosk_core::model::{DoneKind, Intent, ReviewStage, ScanNotice, Screen, ShootStage};
use kiosk_e2e::{CODE, Kiosk, fast_config, personal_traces, to_scan, to_shoot};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_session_reaches_done_and_keeps_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mut k = Kiosk::start(fast_config(dir.path()), &dir.path().join("j.sqlite3"));
    to_shoot(&mut k).await;
    k.touch(Intent::TakePhoto);
    let m = k
        .until("preview", |m| m.shoot_stage == ShootStage::Preview)
        .await;
    assert_eq!(m.shots_used, 1);
    assert!(
        k.world.journal.photo(CODE, 1).unwrap().is_some(),
        "the shot is journaled"
    );
    k.touch(Intent::UsePhoto);
    k.until("review", |m| {
        m.screen == Screen::Review && m.review_stage == ReviewStage::Waiting
    })
    .await;
    assert!(
        k.world.journal.photo(CODE, 1).unwrap().is_none(),
        "deleted once the service holds it"
    );
    let m = k
        .until("pay", |m| m.screen == Screen::Pay && m.pay_qr.is_some())
        .await;
    assert!(m.pay_qr.unwrap().starts_with("weixin://"));
    let m = k.until("done", |m| m.screen == Screen::Done).await;
    assert_eq!(m.done_kind, DoneKind::Paid);
    k.touch(Intent::Finish);
    k.until("attract again", |m| m.screen == Screen::Attract)
        .await;
    assert_eq!(k.world.journal.shots_used(CODE).unwrap(), 1);
    assert!(k.world.journal.transitions().unwrap() > 15);
    assert_eq!(personal_traces(dir.path()), Vec::<String>::new(), "running");
    let serial = k.sims.serial.as_ref().unwrap().handle();
    k.stop().await;
    assert_eq!(personal_traces(dir.path()), Vec::<String>::new(), "stopped");
    assert_eq!(serial.light_level("key"), Some(0), "lights off at shutdown");
    assert!(!serial.motor_enabled());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shot_counter_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.sqlite3");
    let mut k = Kiosk::start(fast_config(dir.path()), &journal);
    to_shoot(&mut k).await;
    k.touch(Intent::TakePhoto);
    k.until("preview", |m| m.shoot_stage == ShootStage::Preview)
        .await;
    k.stop().await;

    // A new process (new simulators, a service that never saw the upload): the preview is
    // back, from the journal.
    let mut k = Kiosk::start(fast_config(dir.path()), &journal);
    let m = k
        .until("preview after restart", |m| m.screen == Screen::Shoot)
        .await;
    assert_eq!((m.shoot_stage, m.shots_used), (ShootStage::Preview, 1));
    k.touch(Intent::Cancel);
    to_scan(&mut k).await;
    k.sims.camera.clone().unwrap().present_qr(Some(CODE));
    let m = k.until("confirm", |m| m.screen == Screen::Confirm).await;
    assert_eq!(
        m.shots_used, 1,
        "the kiosk's own count wins over the service's 0"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn camera_unplugged_mid_shot_does_not_count_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let mut k = Kiosk::start(fast_config(dir.path()), &dir.path().join("j.sqlite3"));
    to_shoot(&mut k).await;
    let camera = k.sims.camera.clone().unwrap();
    camera.inject(camera_driver::sim::SimFault::Unplug);
    k.touch(Intent::TakePhoto);
    let m = k
        .until("out of service", |m| m.screen == Screen::OutOfService)
        .await;
    assert_fault_reference(m.fault_reference.as_deref(), "camera-disconnected");
    assert_eq!(
        k.world.journal.shots_used(CODE).unwrap(),
        0,
        "a failed capture is not a shot"
    );
    camera.unplug(false);
    k.until("back in service", |m| m.screen == Screen::Attract)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut k = Kiosk::start(fast_config(dir.path()), &dir.path().join("j.sqlite3"));
    to_scan(&mut k).await;
    let camera = k.sims.camera.clone().unwrap();
    camera.present_qr(Some(
        "https://my.chsi.com.cn/archive/gdjy/xj/show.action?code=x1",
    ));
    k.until("raw CHSI refused", |m| {
        m.scan_notice == Some(ScanNotice::RawChsiCode)
    })
    .await;
    camera.present_qr(Some("https://example.com/lunch-menu"));
    k.until("foreign refused", |m| {
        m.scan_notice == Some(ScanNotice::ForeignCode)
    })
    .await;
    camera.present_qr(Some("GPK1.NOT-ON-THE-ROSTER-00000"));
    k.until("unknown refused", |m| {
        m.scan_notice == Some(ScanNotice::UnknownCode)
    })
    .await;
    camera.present_qr(Some(CODE));
    k.until("the right code", |m| m.screen == Screen::Confirm)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_outage_during_upload_keeps_the_photo_and_retries() {
    let dir = tempfile::tempdir().unwrap();
    let mut k = Kiosk::start(fast_config(dir.path()), &dir.path().join("j.sqlite3"));
    to_shoot(&mut k).await;
    k.touch(Intent::TakePhoto);
    k.until("preview", |m| m.shoot_stage == ShootStage::Preview)
        .await;
    let service = k.sims.service.clone().unwrap();
    service.set_down(true);
    k.touch(Intent::UsePhoto);
    k.until("retrying", |m| {
        m.review_stage == ReviewStage::Uploading && m.upload_retries >= 1
    })
    .await;
    assert!(
        k.world.journal.photo(CODE, 1).unwrap().is_some(),
        "the photo waits in the journal"
    );
    service.set_down(false);
    k.until("review", |m| m.review_stage == ReviewStage::Waiting)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chair_motor_fault_stops_the_step_and_disables_the_motor() {
    let dir = tempfile::tempdir().unwrap();
    let mut k = Kiosk::start(fast_config(dir.path()), &dir.path().join("j.sqlite3"));
    to_scan(&mut k).await;
    k.sims.camera.clone().unwrap().present_qr(Some(CODE));
    k.until("confirm", |m| m.screen == Screen::Confirm).await;
    k.sims.camera.clone().unwrap().present_qr(None);
    k.touch(Intent::ConfirmIdentity);
    k.touch(Intent::ChooseGlasses(false));
    k.touch(Intent::AcceptRules);
    k.until("chair", |m| m.screen == Screen::Chair).await;
    let serial = k.sims.serial.as_ref().unwrap().handle();
    serial.chair_fault(true, false);
    let m = k
        .until("out of service", |m| m.screen == Screen::OutOfService)
        .await;
    assert_fault_reference(m.fault_reference.as_deref(), "chair-overcurrent");
    assert!(
        serial
            .until(std::time::Duration::from_secs(5), |s| !s.motor_enabled())
            .await,
        "motor disabled after the fault"
    );
    serial.chair_fault(false, false);
    k.until("back in service", |m| m.screen == Screen::Attract)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_serial_bus_is_noticed_while_idle_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = fast_config(dir.path());
    cfg.serial.health_interval_ms = 200;
    cfg.serial.chair_poll_ms = 50;
    cfg.serial.port.timeout_ms = 50;
    let k = Kiosk::start(cfg, &dir.path().join("j.sqlite3"));
    k.until("attract", |m| m.screen == Screen::Attract).await;
    let bus = k.sims.serial.as_ref().unwrap();
    bus.vanish();
    let m = k
        .until("out of service", |m| m.screen == Screen::OutOfService)
        .await;
    let reference = m.fault_reference.unwrap();
    // Whichever device spoke first reports the dead bus.
    assert!(
        reference.starts_with("demo-kiosk · chair-")
            || reference.starts_with("demo-kiosk · lights-"),
        "{reference}"
    );
    bus.reappear().unwrap();
    k.until("back in service", |m| m.screen == Screen::Attract)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_usb_scanner_code_starts_the_session_like_the_camera() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("event-kbd");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let mut cfg = fast_config(dir.path());
    cfg.scanner.device = fifo.clone();
    let mut k = Kiosk::start(cfg, &dir.path().join("j.sqlite3"));
    let mut scanner = tokio::fs::OpenOptions::new()
        .write(true)
        .open(&fifo)
        .await
        .unwrap();
    use tokio::io::AsyncWriteExt;
    to_scan(&mut k).await;
    scanner
        .write_all(&kiosk_app::scanner::typed(
            "https://my.chsi.com.cn/archive?c=1",
        ))
        .await
        .unwrap();
    k.until("raw CHSI refused", |m| {
        m.scan_notice == Some(ScanNotice::RawChsiCode)
    })
    .await;
    scanner
        .write_all(&kiosk_app::scanner::typed(CODE))
        .await
        .unwrap();
    let m = k.until("confirm", |m| m.screen == Screen::Confirm).await;
    assert_eq!(m.identity.unwrap().name, "张**三");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_camera_preset_for_the_lighting_is_applied_before_the_shot() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = fast_config(dir.path());
    cfg.camera.presets.glasses = [
        ("iso", "400"),
        ("f-number", "f/11"),
        // Not a value this camera offers: logged, and the shot still happens.
        ("shutterspeed", "1/8000"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let mut k = Kiosk::start(cfg, &dir.path().join("j.sqlite3"));
    to_shoot(&mut k).await;
    let camera = k.sims.camera.clone().unwrap();
    k.touch(Intent::TakePhoto);
    k.until("preview", |m| m.shoot_stage == ShootStage::Preview)
        .await;
    assert_eq!(camera.setting("iso").as_deref(), Some("400"));
    assert_eq!(camera.setting("f-number").as_deref(), Some("f/11"));
    assert_eq!(
        camera.setting("shutterspeed").as_deref(),
        Some("1/125"),
        "the refused value left the camera's own"
    );
    assert_eq!(camera.captures(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_capture_finishing_after_its_session_ended_leaves_no_photo() {
    let dir = tempfile::tempdir().unwrap();
    let k = Kiosk::start(fast_config(dir.path()), &dir.path().join("j.sqlite3"));
    k.until("attract", |m| m.screen == Screen::Attract).await;
    // The camera room stores the shot, then reports it; the session is already over.
    k.world
        .journal
        .store_shot(CODE, 2, b"\xFF\xD8\xFFlate")
        .unwrap();
    k.handle
        .events
        .send(kiosk_core::flow::Event::Captured {
            shot: 2,
            checks: vec![],
        })
        .unwrap();
    // Events are applied in order: once the touch after it shows, the capture was handled.
    k.touch(Intent::Start);
    k.until("photo type", |m| m.screen == Screen::PhotoType)
        .await;
    assert_eq!(k.world.journal.photo(CODE, 2).unwrap(), None);
    k.stop().await;
}

/// "kiosk · device-kind · HH:MM UTC": what an operator looks the fault up by.
fn assert_fault_reference(shown: Option<&str>, fault: &str) {
    let shown = shown.expect("a fault reference");
    let parts: Vec<&str> = shown.split(" · ").collect();
    assert_eq!(parts.len(), 3, "{shown}");
    assert_eq!(&parts[..2], ["demo-kiosk", fault], "{shown}");
    let time = parts[2]
        .strip_suffix(" UTC")
        .expect("the time is UTC, as the logs");
    let (h, m) = time.split_once(':').expect("HH:MM");
    assert!(h.len() == 2 && h.parse::<u8>().unwrap() < 24, "{shown}");
    assert!(m.len() == 2 && m.parse::<u8>().unwrap() < 60, "{shown}");
}
