//! The chair step watches the graduate's face on the live view (the real detector on the
//! simulated camera's frames): it says "raise", "lower" or "good" as the graduate moves, and
//! with `chair.auto_level` drives the seat itself, stopping when the eyes are on the guide,
//! when no face is seen, and after its maximum travel time.

use kiosk_core::model::{Intent, Screen, SeatHint, ShootStage};
use kiosk_e2e::{Kiosk, fast_config, to_chair};

/// Sitting offsets (mm) against the reference graduate: 45 mm shorter puts the eyes 0.07
/// frame heights under the guide, more than twice the tolerance.
const SHORT: f32 = -45.0;

fn start(auto_level: bool, max_secs: f32) -> (tempfile::TempDir, kiosk_app::config::Config) {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = fast_config(dir.path());
    cfg.chair.auto_level = auto_level;
    cfg.chair.auto_level_max_secs = max_secs;
    (dir, cfg)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chair_step_says_raise_lower_and_good_as_the_graduate_moves() {
    let (dir, cfg) = start(false, 8.0);
    let mut k = Kiosk::start(cfg, &dir.path().join("j.sqlite3"));
    let graduate = to_chair(&mut k, SHORT).await;
    k.until("raise", |m| m.seat_hint == Some(SeatHint::Raise))
        .await;
    graduate.adjust_seat().await;
    let m = k
        .until("good", |m| m.seat_hint == Some(SeatHint::Good))
        .await;
    assert!(
        !m.seat_levelling,
        "auto-level is off: the kiosk never drives"
    );

    // The graduate slides up in the chair (sits taller): their eyes rise above the guide.
    graduate.sit_at(SHORT + 90.0);
    k.until("lower", |m| m.seat_hint == Some(SeatHint::Lower))
        .await;
    let camera = k.sims.camera.clone().unwrap();
    camera.person(false);
    k.until("no face", |m| m.seat_hint == Some(SeatHint::NoFace))
        .await;
    camera.person(true);
    graduate.sit_at(SHORT);
    k.until("good again", |m| m.seat_hint == Some(SeatHint::Good))
        .await;

    // The ready screen shows the photo's 3:4 window around the face.
    k.touch(Intent::ChairReady);
    k.until("ready", |m| {
        m.screen == Screen::Shoot && m.shoot_stage == ShootStage::Ready
    })
    .await;
    let mut tracked = k.handle.tracked.clone();
    let t = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        tracked.wait_for(|t| t.as_ref().is_some_and(|t| t.seen.is_some())),
    )
    .await
    .expect("a face on the ready screen")
    .unwrap()
    .clone()
    .unwrap();
    let seen = t.seen.unwrap();
    let (w, h) = (960.0, 640.0); // the simulated live view
    let aspect = seen.window.width * w / (seen.window.height * h);
    assert!((aspect - 0.75).abs() < 0.01, "3:4 window, got {aspect}");
    let eye_x = (seen.eyes[0][0] + seen.eyes[1][0]) / 2.0;
    assert!(
        (seen.window.x..seen.window.x + seen.window.width).contains(&eye_x),
        "the eyes are inside the window: {seen:?}"
    );
    assert!(t.at >= t.frame_at);

    // The countdown stops tracking: the hint is gone.
    k.touch(Intent::TakePhoto);
    k.until("countdown without a hint", |m| {
        m.shoot_stage == ShootStage::Countdown && m.seat_hint.is_none()
    })
    .await;
    k.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_level_drives_the_seat_until_the_eyes_are_on_the_guide() {
    let (dir, cfg) = start(true, 8.0);
    let mut k = Kiosk::start(cfg, &dir.path().join("j.sqlite3"));
    let _graduate = to_chair(&mut k, SHORT).await;
    let serial = k.sims.serial.as_ref().unwrap().handle();
    let start_mm = serial.height_mm();
    k.until("levelling", |m| m.seat_levelling).await;
    let m = k
        .until("levelled", |m| {
            !m.seat_levelling && m.seat_hint == Some(SeatHint::Good)
        })
        .await;
    assert_eq!(m.screen, Screen::Chair);
    let target = k.sims.seat.as_ref().unwrap().seat_for_eye_line_mm();
    let now = serial.height_mm();
    assert!(
        now > start_mm + 20.0,
        "the seat went up: {start_mm} -> {now}"
    );
    assert!(
        (now - target).abs() < 25.0,
        "stopped near the seat that puts the eyes on the guide: {now} mm, target {target} mm"
    );
    let status = k.world.chair.status().await.unwrap();
    assert!(!status.moving, "stopped: {status:?}");

    // Leaving the chair step disables the motor.
    k.touch(Intent::ChairReady);
    assert!(
        serial
            .until(std::time::Duration::from_secs(5), |s| !s.motor_enabled())
            .await
    );
    k.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_level_stops_the_moment_no_face_is_seen_and_resumes_after() {
    let (dir, cfg) = start(true, 8.0);
    let mut k = Kiosk::start(cfg, &dir.path().join("j.sqlite3"));
    let _graduate = to_chair(&mut k, SHORT - 15.0).await;
    k.until("levelling", |m| m.seat_levelling).await;
    let camera = k.sims.camera.clone().unwrap();
    camera.person(false);
    k.until("stopped without a face", |m| {
        !m.seat_levelling && m.seat_hint == Some(SeatHint::NoFace)
    })
    .await;
    let status = k.world.chair.status().await.unwrap();
    assert!(!status.moving, "the seat stopped: {status:?}");
    camera.person(true);
    k.until("levelled after all", |m| {
        !m.seat_levelling && m.seat_hint == Some(SeatHint::Good)
    })
    .await;
    k.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_level_gives_up_after_its_travel_time_and_the_button_still_works() {
    // 0.5 s of travel is 20 mm: not enough for a graduate 60 mm short.
    let (dir, cfg) = start(true, 0.5);
    let mut k = Kiosk::start(cfg, &dir.path().join("j.sqlite3"));
    let graduate = to_chair(&mut k, SHORT - 15.0).await;
    k.until("levelling", |m| m.seat_levelling).await;
    let m = k.until("gave up", |m| !m.seat_levelling).await;
    assert_eq!(m.seat_hint, Some(SeatHint::Raise), "not there yet");
    let status = k.world.chair.status().await.unwrap();
    assert!(!status.moving, "the seat stopped: {status:?}");
    graduate.adjust_seat().await;
    k.until("good by hand", |m| m.seat_hint == Some(SeatHint::Good))
        .await;
    k.stop().await;
}
