//! The simulated camera's own tests.

use super::*;
use crate::{ActorConfig, CameraActor, Health};

fn small() -> SimConfig {
    SimConfig {
        preview_size: (480, 320),
        capture_size: (1200, 800),
        capture_latency: Duration::ZERO,
        ..SimConfig::default()
    }
}

fn quick() -> ActorConfig {
    ActorConfig {
        capture_timeout: Duration::from_secs(2),
        call_timeout: Duration::from_secs(2),
        preview_interval: Duration::from_millis(5),
        reconnect_min: Duration::from_millis(10),
        reconnect_max: Duration::from_millis(40),
        keepalive: Duration::from_millis(20),
    }
}

async fn wait_for(
    rx: &mut tokio::sync::watch::Receiver<Health>,
    want: impl Fn(&Health) -> bool,
) -> Health {
    tokio::time::timeout(Duration::from_secs(5), rx.wait_for(|h| want(h)))
        .await
        .expect("health did not change in time")
        .expect("actor alive")
        .clone()
}

#[test]
fn preview_shows_a_decodable_qr_when_presented() {
    let control = SimControl::new();
    control.present_qr(Some("GPK1.demo-token"));
    let mut cam = SimCamera::new(control.clone(), small());
    let jpeg = cam.preview().unwrap();
    let img = image::load_from_memory(&jpeg).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    assert_eq!(grids[0].decode().unwrap().1, "GPK1.demo-token");
    // The photo itself never shows the phone.
    let photo = image::load_from_memory(&cam.capture().unwrap()).unwrap();
    assert_eq!((photo.width(), photo.height()), (1200, 800));
    let mut prepared = rqrr::PreparedImage::prepare(photo.to_luma8());
    assert!(prepared.detect_grids().is_empty());
}

#[test]
fn the_next_frame_shows_a_new_pose_and_a_steady_one_is_cached() {
    let control = SimControl::new();
    let mut cam = SimCamera::new(
        control.clone(),
        SimConfig {
            portrait: None,
            ..small()
        },
    );
    let pose = cam.pose_handle();
    let first = cam.preview().unwrap();
    assert_eq!(cam.preview().unwrap(), first);
    assert_eq!(
        control.lock().cache.len(),
        1,
        "a steady scene is drawn once"
    );
    pose.update(|p| p.tilt_deg = 8.0);
    assert_eq!(pose.get().tilt_deg, 8.0);
    let tilted = cam.preview().unwrap();
    assert_ne!(tilted, first);
    assert_eq!(control.lock().cache.len(), 2);
    pose.set(Pose::default());
    assert_eq!(cam.preview().unwrap(), first);
    assert_eq!(
        control.lock().cache.len(),
        2,
        "back to a pose already drawn"
    );
}

#[test]
fn a_missing_portrait_gives_the_cartoon_face() {
    let dir = tempfile::tempdir().unwrap();
    let control = SimControl::new();
    let drawn = SimCamera::new(
        control.clone(),
        SimConfig {
            portrait: None,
            ..small()
        },
    )
    .preview()
    .unwrap();
    let missing = SimCamera::new(
        SimControl::new(),
        SimConfig {
            portrait: Some(dir.path().join("grace_hopper.jpg")),
            ..small()
        },
    )
    .preview()
    .unwrap();
    assert_eq!(missing, drawn);
}

#[test]
fn the_seat_moves_the_graduate() {
    let control = SimControl::new();
    let pose = control.pose_handle();
    let link = SeatLink::new(pose.clone(), Seating::default());
    link.sit_down(30.0);
    assert_eq!(pose.get(), Pose::default(), "no seat height yet");
    link.seat_moved(500.0);
    let tall = pose.get().eyes_px(960, 640);
    let line = 0.37 * 640.0;
    assert!(
        (tall[0].1 - (line - 30.0 / 630.0 * 640.0)).abs() < 1e-3,
        "30 mm taller in the chair, 30 mm above the line: {tall:?}"
    );
    assert_eq!(link.seat_for_eye_line_mm(), 470.0);
    link.seat_moved(470.0);
    let on_line = pose.get().eyes_px(960, 640);
    assert!((on_line[0].1 - line).abs() < 1e-3, "{on_line:?}");
    link.seat_moved(560.0);
    let high = pose.get().eyes_px(960, 640);
    assert!(high[0].1 < on_line[0].1, "raising the seat lifts the eyes");
    // Another graduate, shorter in the chair, sits lower on the same seat.
    link.sit_down(-20.0);
    assert!(pose.get().eyes_px(960, 640)[0].1 > high[0].1);
    // The rest of the pose is left alone.
    pose.update(|p| p.tilt_deg = 5.0);
    link.seat_moved(500.0);
    assert_eq!(pose.get().tilt_deg, 5.0);
}

#[tokio::test(start_paused = true)]
async fn following_a_seat_moves_the_graduate_until_dropped() {
    let control = SimControl::new();
    let pose = control.pose_handle();
    let link = SeatLink::new(pose.clone(), Seating::default());
    let seat = Arc::new(Mutex::new(500.0f32));
    let (read_tx, mut reads) = tokio::sync::mpsc::unbounded_channel();
    let following = link.follow(
        {
            let seat = seat.clone();
            move || {
                let mm = *seat.lock().unwrap();
                let _ = read_tx.send(mm);
                mm
            }
        },
        Duration::from_millis(100),
    );
    assert_eq!(reads.recv().await, Some(500.0));
    *seat.lock().unwrap() = 580.0;
    while reads.recv().await != Some(580.0) {}
    // One more read: the one before it has been applied.
    reads.recv().await;
    let expected = Seating::default().pose_height(580.0, 0.0);
    assert!((pose.get().height - expected).abs() < 1e-6);
    drop(following);
    // The task is gone: its end of the channel closes.
    assert_eq!(reads.recv().await, None);
}

#[tokio::test]
async fn actor_streams_frames_and_captures() {
    let control = SimControl::new();
    let actor = CameraActor::spawn(control.opener(small()), quick());
    let mut health = actor.health();
    wait_for(&mut health, |h| matches!(h, Health::Connected(_))).await;
    let mut frames = actor.frames();
    actor.live_view(true);
    tokio::time::timeout(
        Duration::from_secs(5),
        frames.wait_for(|f| f.as_ref().is_some_and(|f| f.seq >= 3)),
    )
    .await
    .expect("three frames")
    .unwrap();
    let photo = actor.capture().await.unwrap();
    assert!(photo.starts_with(&[0xFF, 0xD8]), "JPEG magic");
    assert_eq!(control.captures(), 1);
    assert_eq!(actor.set_config("iso", "200").await.unwrap(), "200");
    assert_eq!(actor.get_config("iso").await.unwrap(), "200");
    assert_eq!(
        actor.get_config("nonsense").await.unwrap_err().kind(),
        ErrorKind::Refused
    );
}

#[tokio::test]
async fn unplug_mid_shot_reports_and_recovers() {
    let control = SimControl::new();
    let actor = CameraActor::spawn(control.opener(small()), quick());
    let mut health = actor.health();
    wait_for(&mut health, |h| matches!(h, Health::Connected(_))).await;
    control.inject(SimFault::Unplug);
    let err = actor.capture().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Disconnected);
    wait_for(&mut health, |h| matches!(h, Health::Disconnected { .. })).await;
    assert_eq!(
        actor.capture().await.unwrap_err().kind(),
        ErrorKind::Disconnected
    );
    control.unplug(false);
    wait_for(&mut health, |h| matches!(h, Health::Connected(_))).await;
    assert!(actor.capture().await.is_ok());
}

#[tokio::test]
async fn cable_pulled_while_idle_is_noticed() {
    let control = SimControl::new();
    let actor = CameraActor::spawn(control.opener(small()), quick());
    let mut health = actor.health();
    wait_for(&mut health, |h| matches!(h, Health::Connected(_))).await;
    control.unplug(true);
    wait_for(&mut health, |h| matches!(h, Health::Disconnected { .. })).await;
    control.unplug(false);
    wait_for(&mut health, |h| matches!(h, Health::Connected(_))).await;
}

#[tokio::test]
async fn hung_camera_times_out_without_blocking_the_caller() {
    let control = SimControl::new();
    let cfg = ActorConfig {
        capture_timeout: Duration::from_millis(100),
        ..quick()
    };
    let actor = CameraActor::spawn(control.opener(small()), cfg);
    let mut health = actor.health();
    wait_for(&mut health, |h| matches!(h, Health::Connected(_))).await;
    control.inject(SimFault::Hang(Duration::from_millis(600)));
    assert_eq!(
        actor.capture().await.unwrap_err().kind(),
        ErrorKind::Timeout
    );
    // Marked as not answering while the thread is stuck…
    wait_for(&mut health, |h| {
        matches!(
            h,
            Health::Disconnected {
                kind: ErrorKind::Timeout,
                ..
            }
        )
    })
    .await;
    // The next capture queues behind the hung one and then succeeds.
    let photo = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match actor.capture().await {
                Ok(p) => break p,
                Err(e) => assert_eq!(e.kind(), ErrorKind::Timeout),
            }
        }
    })
    .await
    .unwrap();
    assert!(!photo.is_empty());
    // …and connected again once it answers.
    wait_for(&mut health, |h| matches!(h, Health::Connected(_))).await;
}

#[tokio::test]
async fn claimed_device_says_how_to_fix_it() {
    let control = SimControl::new();
    control.claimed_elsewhere(true);
    let actor = CameraActor::spawn(control.opener(small()), quick());
    let mut health = actor.health();
    let h = wait_for(&mut health, |h| matches!(h, Health::Disconnected { .. })).await;
    let Health::Disconnected { kind, message } = h else {
        unreachable!()
    };
    assert_eq!(kind, ErrorKind::Claimed);
    assert!(message.contains("gvfs-gphoto2-volume-monitor"), "{message}");
}
