//! One conformance suite for every camera the kiosk can drive, run through the production
//! actor: against the simulated camera, and against real libgphoto2 with its virtual USB camera
//! (a PTP Nikon D750 emulation, built from Debian's source by `scripts/build-vcamera.sh`)
//! through the production `gphoto2` backend.
//!
//! libgphoto2 picks its port drivers and camera libraries from the environment when it loads,
//! and the virtual camera keeps state per process (its store fills after some captures), so
//! each virtual-camera scenario runs in a fresh child process of this test binary with that
//! environment set. The virtual camera has Nikon's live view (patch 6 of build-vcamera.sh):
//! its frames come from `VCAMERA_LIVEVIEW_DIR`, and `VCAMERA_LIVEVIEW_*` make it misbehave the
//! way real bodies do (leaving live view, refusing it, staying busy after the mirror moves).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use camera_driver::sim::{SimConfig, SimControl};
use camera_driver::{
    ActorConfig, Camera, CameraActor, CameraEvent, ErrorKind, Frame, GphotoCamera, Health, Selector,
};

fn actor_cfg() -> ActorConfig {
    ActorConfig {
        capture_timeout: Duration::from_secs(5),
        call_timeout: Duration::from_secs(3),
        preview_interval: Duration::from_millis(20),
        reconnect_min: Duration::from_millis(50),
        reconnect_max: Duration::from_millis(200),
        keepalive: Duration::from_millis(200),
    }
}

fn gphoto_actor(cfg: ActorConfig) -> CameraActor {
    CameraActor::spawn(
        Box::new(|| {
            GphotoCamera::open(&Selector::default()).map(|c| Box::new(c) as Box<dyn Camera>)
        }),
        cfg,
    )
}

async fn health_until(actor: &CameraActor, what: &str, want: impl Fn(&Health) -> bool) -> Health {
    let mut rx = actor.health();
    let last = actor.health();
    match tokio::time::timeout(Duration::from_secs(15), rx.wait_for(|h| want(h))).await {
        Ok(h) => h.expect("actor alive").clone(),
        Err(_) => panic!("camera health never became {what}: {:?}", *last.borrow()),
    }
}

fn decodes(jpeg: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory(jpeg).expect("a JPEG");
    (img.width(), img.height())
}

/// What every camera must do.
async fn conformance(actor: &CameraActor) {
    // Detection and summary.
    health_until(actor, "connected", |h| matches!(h, Health::Connected(_))).await;
    let info = actor.info().await.expect("info");
    assert!(!info.model.is_empty() && !info.port.is_empty(), "{info:?}");

    // Settings: read, write, read back; bad values and unknown keys are refused clearly.
    assert_eq!(
        actor.get_config("capturetarget").await.unwrap(),
        "Internal RAM",
        "captures go to the camera's RAM, not a card"
    );
    assert_eq!(actor.set_config("f-number", "f/4").await.unwrap(), "f/4");
    assert_eq!(actor.get_config("f-number").await.unwrap(), "f/4");
    let e = actor.set_config("f-number", "f/99").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Refused, "{e}");
    assert!(
        e.message.contains("f/4"),
        "the error lists the choices: {e}"
    );
    let e = actor.get_config("no-such-setting").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Refused, "{e}");

    // Capture to memory.
    let jpeg = actor.capture().await.expect("capture");
    let (w, h) = decodes(&jpeg);
    assert!(w >= 640 && h >= 400, "{w}×{h}");

    // Trigger, then the camera's events announce the file; download it.
    actor.trigger().await.expect("trigger");
    let (folder, name) = new_file(actor).await;
    decodes(&actor.download(&folder, &name).await.expect("download"));

    // Live view.
    actor.live_view(true);
    let frame = frame_after(actor, 2).await;
    decodes(&frame.jpeg);
    // A capture pauses live view and it resumes after. (The virtual camera answers the
    // shutter with "busy" while live view is on, as a real body does, so this also shows
    // live view was left first.)
    decodes(&actor.capture().await.expect("capture during live view"));
    let frame = frame_after(actor, frame.seq + 2).await;
    // The same for a trigger, whose file the events announce.
    actor.trigger().await.expect("trigger during live view");
    let (folder, name) = new_file(actor).await;
    decodes(&actor.download(&folder, &name).await.expect("download"));
    frame_after(actor, frame.seq + 2).await;
    // Leaving live view; a one-off preview still works after.
    actor.live_view(false);
    decodes(&actor.preview().await.expect("a one-off preview"));
    // ... and a capture after it (the body is left in live view by the preview).
    decodes(
        &actor
            .capture()
            .await
            .expect("capture after a one-off preview"),
    );
}

/// The first live-view frame numbered above `seq`.
async fn frame_after(actor: &CameraActor, seq: u64) -> Arc<Frame> {
    let mut frames = actor.frames();
    let health = actor.health();
    match tokio::time::timeout(
        Duration::from_secs(10),
        frames.wait_for(|f| f.as_ref().is_some_and(|f| f.seq > seq)),
    )
    .await
    {
        Ok(f) => f.expect("actor alive").clone().unwrap(),
        Err(_) => panic!(
            "no live-view frame after #{seq}; health {:?}",
            *health.borrow()
        ),
    }
}

/// Wait for the camera to announce a new file (and the capture's end).
async fn new_file(actor: &CameraActor) -> (String, String) {
    let (mut file, mut complete) = (None, false);
    let deadline = Instant::now() + Duration::from_secs(20);
    while (file.is_none() || !complete) && Instant::now() < deadline {
        match actor
            .wait_event(Duration::from_millis(500))
            .await
            .expect("event")
        {
            CameraEvent::NewFile { folder, name } => file = Some((folder, name)),
            CameraEvent::CaptureComplete => complete = true,
            _ => {}
        }
    }
    assert!(complete, "a CaptureComplete event");
    file.expect("a NewFile event after the trigger")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_camera_conforms() {
    let control = SimControl::new();
    let actor = CameraActor::spawn(
        control.opener(SimConfig {
            preview_size: (480, 320),
            capture_size: (1200, 800),
            capture_latency: Duration::ZERO,
            ..SimConfig::default()
        }),
        actor_cfg(),
    );
    conformance(&actor).await;
}

// ---- the virtual USB camera, in child processes -------------------------------------------

const CHILD: &str = "KIOSK_VCAMERA_CHILD";

fn prefix() -> PathBuf {
    let p = std::env::var_os("KIOSK_VCAMERA_PREFIX")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/vcamera/prefix"));
    assert!(
        p.join("lib/libgphoto2.so.6").exists(),
        "the virtual-camera fixture is missing at {}: run scripts/build-vcamera.sh (scripts/test.sh does)",
        p.display()
    );
    p
}

/// A virtual memory card with one photo in the layout the virtual camera needs.
fn card(dir: &Path, with_photo: bool) -> PathBuf {
    let card = dir.join("card");
    std::fs::create_dir_all(card.join("DCIM/100NIKON")).unwrap();
    if with_photo {
        let control = SimControl::new();
        let mut cam = camera_driver::sim::SimCamera::new(
            control,
            SimConfig {
                capture_size: (1200, 800),
                capture_latency: Duration::ZERO,
                ..SimConfig::default()
            },
        );
        let jpeg = cam.capture().unwrap();
        std::fs::write(card.join("DCIM/100NIKON/DSC_0001.JPG"), jpeg).unwrap();
    }
    card
}

/// Run the ignored test `child` of this binary in a process that sees the virtual camera.
fn in_vcamera(child: &str, with_photo: bool, env: &[(&str, String)]) {
    let prefix = prefix();
    let dir = tempfile::tempdir().unwrap();
    let card = card(dir.path(), with_photo);
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            child,
            "--nocapture",
            "--test-threads=1",
        ])
        .env("LD_LIBRARY_PATH", prefix.join("lib"))
        .env("IOLIBS", prefix.join("lib/libgphoto2_port/0.12.1"))
        .env("CAMLIBS", prefix.join("lib/libgphoto2/2.5.30"))
        .env("VCAMERADIR", &card)
        .env("KIOSK_VCAMERA_TMP", dir.path())
        .env(CHILD, "1")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{child} failed:\n{text}");
    assert!(text.contains("1 passed"), "{child} did not run:\n{text}");
    // What the child saw, for the test log.
    // (libtest may print the test's name on the same line first.)
    for line in text.lines().filter_map(|l| l.split_once("observed: ")) {
        println!("{child}: {}", line.1);
    }
}

/// [`in_vcamera`] with a card photo and `var` naming a flag file, not yet there, that the
/// child creates and removes to switch a fault of the virtual camera on and off.
fn in_vcamera_with_flag(child: &str, var: &str) {
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("flag").display().to_string();
    in_vcamera(child, true, &[(var, flag)]);
}

/// True inside a child (the ignored tests do nothing when run by hand outside one).
fn child() -> bool {
    std::env::var_os(CHILD).is_some()
}

#[test]
fn libgphoto2_virtual_camera_conforms() {
    in_vcamera("child_conformance", true, &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs in a child process with the virtual camera (libgphoto2_virtual_camera_conforms)"]
async fn child_conformance() {
    if !child() {
        return;
    }
    let actor = gphoto_actor(actor_cfg());
    conformance(&actor).await;
    // The library's own view agrees.
    let cams = camera_driver::gphoto::list().unwrap();
    assert_eq!(cams.len(), 1, "{cams:?}");
    assert_eq!(cams[0].model, "Nikon DSC D750");
}

#[test]
fn libgphoto2_missing_camera_is_reported_and_found_when_plugged_in() {
    let flag = tempfile::NamedTempFile::new().unwrap();
    in_vcamera(
        "child_missing_then_plugged",
        true,
        &[("VCAMERA_UNPLUGGED_FLAG", flag.path().display().to_string())],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs in a child process with the virtual camera"]
async fn child_missing_then_plugged() {
    if !child() {
        return;
    }
    let flag = PathBuf::from(std::env::var("VCAMERA_UNPLUGGED_FLAG").unwrap());
    assert!(flag.exists(), "starts unplugged");
    let actor = gphoto_actor(actor_cfg());
    let h = health_until(&actor, "disconnected", |h| {
        matches!(h, Health::Disconnected { .. })
    })
    .await;
    let Health::Disconnected { kind, message } = h else {
        unreachable!()
    };
    assert_eq!(kind, ErrorKind::Disconnected);
    assert!(message.contains("no camera detected"), "{message}");
    let e = actor.capture().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Disconnected, "{e}");
    assert!(e.to_string().contains("USB cable"), "a hint: {e}");

    // Plugged in: found without restarting anything.
    std::fs::remove_file(&flag).unwrap();
    health_until(&actor, "connected", |h| matches!(h, Health::Connected(_))).await;
    decodes(&actor.capture().await.expect("capture after plugging in"));
}

#[test]
fn libgphoto2_unplugged_mid_session_fails_the_shot_and_recovers() {
    in_vcamera_with_flag("child_unplugged_mid_session", "VCAMERA_UNPLUGGED_FLAG");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs in a child process with the virtual camera"]
async fn child_unplugged_mid_session() {
    if !child() {
        return;
    }
    let flag = PathBuf::from(std::env::var("VCAMERA_UNPLUGGED_FLAG").unwrap());
    let actor = gphoto_actor(actor_cfg());
    health_until(&actor, "connected", |h| matches!(h, Health::Connected(_))).await;
    decodes(&actor.capture().await.unwrap());

    std::fs::write(&flag, b"").unwrap();
    let e = actor.capture().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Disconnected, "{e}");
    health_until(&actor, "disconnected", |h| {
        matches!(h, Health::Disconnected { .. })
    })
    .await;

    std::fs::remove_file(&flag).unwrap();
    health_until(&actor, "connected again", |h| {
        matches!(h, Health::Connected(_))
    })
    .await;
    decodes(
        &actor
            .capture()
            .await
            .expect("capture after the cable is back"),
    );
}

#[test]
fn libgphoto2_full_store_is_bounded_by_the_capture_timeout() {
    in_vcamera(
        "child_store_full",
        true,
        &[("VCAMERA_CAPTURES_LEFT", "1".into())],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs in a child process with the virtual camera"]
async fn child_store_full() {
    if !child() {
        return;
    }
    let actor = gphoto_actor(actor_cfg());
    health_until(&actor, "connected", |h| matches!(h, Health::Connected(_))).await;
    decodes(&actor.capture().await.expect("the one capture that fits"));
    let started = Instant::now();
    let e = actor.capture().await.unwrap_err();
    println!(
        "observed: full store: {e} after {} ms",
        started.elapsed().as_millis()
    );
    assert!(
        matches!(
            e.kind,
            ErrorKind::StoreFull | ErrorKind::Refused | ErrorKind::Timeout
        ),
        "{e}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "bounded by the capture timeout"
    );
}

#[test]
fn libgphoto2_a_capture_that_never_answers_times_out() {
    // An empty card: the virtual camera answers the capture with an error that libgphoto2's
    // PTP driver ignores, then waits minutes for events that never come.
    in_vcamera("child_capture_timeout", false, &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs in a child process with the virtual camera"]
async fn child_capture_timeout() {
    if !child() {
        return;
    }
    let cfg = ActorConfig {
        capture_timeout: Duration::from_secs(2),
        ..actor_cfg()
    };
    let actor = gphoto_actor(cfg);
    health_until(&actor, "connected", |h| matches!(h, Health::Connected(_))).await;
    let started = Instant::now();
    let e = actor.capture().await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(4),
        "answered after {took:?}"
    );
    // The library is still stuck inside that call: the kiosk must know the camera is not
    // answering (out of service), not keep offering the shutter.
    let h = health_until(&actor, "not answering", |h| {
        matches!(
            h,
            Health::Disconnected {
                kind: ErrorKind::Timeout,
                ..
            }
        )
    })
    .await;
    println!("observed: after the timeout: {h:?}");
}

// ---- live view through libgphoto2 -----------------------------------------------------------

/// Live-view frames `f00.jpg` … of distinct widths (480 + i) × 320, so a test can tell which
/// one arrived. Written by the `image` crate: no EXIF thumbnail, whose end marker would cut
/// libgphoto2's frame short.
fn lv_frames(n: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..n {
        let img = image::RgbImage::from_fn(480 + i, 320, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, (i * 40) as u8])
        });
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
            .encode_image(&img)
            .unwrap();
        std::fs::write(dir.path().join(format!("f{i:02}.jpg")), jpeg).unwrap();
    }
    dir
}

fn env_path(key: &str) -> PathBuf {
    PathBuf::from(std::env::var(key).unwrap_or_else(|_| panic!("{key} is set by the parent")))
}

async fn connected(actor: &CameraActor) {
    health_until(actor, "connected", |h| matches!(h, Health::Connected(_))).await;
}

#[test]
fn libgphoto2_live_view_streams_every_frame_in_order_at_the_pace() {
    let frames = lv_frames(5);
    in_vcamera(
        "child_live_view_pace",
        true,
        &[("VCAMERA_LIVEVIEW_DIR", frames.path().display().to_string())],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs in a child process with the virtual camera"]
async fn child_live_view_pace() {
    if !child() {
        return;
    }
    let interval = Duration::from_millis(40);
    let actor = gphoto_actor(ActorConfig {
        preview_interval: interval,
        ..actor_cfg()
    });
    connected(&actor).await;
    let mut rx = actor.frames();
    actor.live_view(true);
    let mut seen: Vec<Arc<Frame>> = Vec::new();
    while seen.last().is_none_or(|f| f.seq < 25) {
        tokio::time::timeout(Duration::from_secs(10), rx.changed())
            .await
            .expect("frames keep coming")
            .unwrap();
        if let Some(f) = rx.borrow_and_update().clone() {
            seen.push(f);
        }
    }
    // libgphoto2 throws away the first frame after live view starts (f00), so frame n is
    // the directory's file n mod 5: none skipped, none repeated, none reordered.
    for f in &seen {
        let (w, h) = decodes(&f.jpeg);
        assert_eq!((w, h), (480 + (f.seq % 5) as u32, 320), "frame #{}", f.seq);
    }
    // Never faster than the configured pace: each frame is asked for an interval after the
    // one before was.
    let (first, last) = (&seen[0], seen.last().unwrap());
    let span = last.at - first.at;
    let gaps = (last.seq - first.seq) as u32;
    assert!(span >= interval * (gaps - 1), "{gaps} frames in {span:?}");
    println!(
        "observed: {gaps} frames in {} ms: {:.1} frames/s at a {} ms interval",
        span.as_millis(),
        gaps as f64 / span.as_secs_f64(),
        interval.as_millis()
    );
    actor.live_view(false);
    assert_eq!(actor.get_config("viewfinder").await.unwrap(), "0");
}

#[test]
fn libgphoto2_busy_after_live_view_is_drained() {
    in_vcamera(
        "child_busy_after_live_view",
        true,
        &[("VCAMERA_LIVEVIEW_BUSY_MS", "300".into())],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs in a child process with the virtual camera"]
async fn child_busy_after_live_view() {
    if !child() {
        return;
    }
    let actor = gphoto_actor(actor_cfg());
    connected(&actor).await;
    actor.live_view(true);
    // The mirror takes 300 ms to go up: libgphoto2 waits for DeviceReady itself.
    let frame = frame_after(&actor, 1).await;
    // ... and 300 ms to come down after live view ends: the shutter answers "busy" until
    // then, and the actor asks again. (A trigger: libgphoto2 2.5.30's generic capture
    // ignores a busy answer to InitiateCapture and waits for a file that never comes; see
    // docs/camera.md.)
    let started = Instant::now();
    actor
        .trigger()
        .await
        .expect("trigger right after live view");
    println!(
        "observed: the shutter fired {} ms after live view was left",
        started.elapsed().as_millis()
    );
    let (folder, name) = new_file(&actor).await;
    decodes(&actor.download(&folder, &name).await.unwrap());
    frame_after(&actor, frame.seq + 1).await;
}

#[test]
fn libgphoto2_a_preview_that_fails_in_live_view_still_lets_the_shutter_fire() {
    // The mirror takes longer than libgphoto2 waits (2 s): the preview fails "busy" with the
    // camera in live view, and the shot after it must leave live view first.
    in_vcamera(
        "child_preview_failed_in_live_view",
        true,
        &[("VCAMERA_LIVEVIEW_BUSY_MS", "2400".into())],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs in a child process with the virtual camera"]
async fn child_preview_failed_in_live_view() {
    if !child() {
        return;
    }
    let actor = gphoto_actor(ActorConfig {
        capture_timeout: Duration::from_secs(10),
        ..actor_cfg()
    });
    connected(&actor).await;
    let e = actor.preview().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Busy, "{e}");
    actor
        .trigger()
        .await
        .expect("the shutter after the failed preview");
    let (folder, name) = new_file(&actor).await;
    decodes(&actor.download(&folder, &name).await.unwrap());
}

#[test]
fn libgphoto2_a_camera_that_leaves_live_view_is_brought_back() {
    let frames = lv_frames(3);
    in_vcamera(
        "child_leaves_live_view",
        true,
        &[
            ("VCAMERA_LIVEVIEW_DIR", frames.path().display().to_string()),
            ("VCAMERA_LIVEVIEW_EXIT_AFTER", "4".into()),
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs in a child process with the virtual camera"]
async fn child_leaves_live_view() {
    if !child() {
        return;
    }
    let actor = gphoto_actor(actor_cfg());
    connected(&actor).await;
    actor.live_view(true);
    // Out of live view every 4 frames (the D7000 does this): libgphoto2 restarts it inside
    // the same call, so the stream never stops and the camera never looks lost.
    let frame = frame_after(&actor, 15).await;
    decodes(&frame.jpeg);
    assert!(matches!(*actor.health().borrow(), Health::Connected(_)));
}

#[test]
fn libgphoto2_a_camera_refusing_live_view_says_why_and_streams_again_after() {
    in_vcamera_with_flag("child_refuses_live_view", "VCAMERA_LIVEVIEW_OFF_FLAG");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs in a child process with the virtual camera"]
async fn child_refuses_live_view() {
    if !child() {
        return;
    }
    let flag = env_path("VCAMERA_LIVEVIEW_OFF_FLAG");
    let actor = gphoto_actor(actor_cfg());
    connected(&actor).await;
    actor.live_view(true);
    frame_after(&actor, 1).await;
    std::fs::write(&flag, b"").unwrap();
    let e = actor.preview().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Refused, "{e}");
    println!("observed: refused: {e}");
    assert!(
        matches!(*actor.health().borrow(), Health::Connected(_)),
        "a refusal is not a lost camera"
    );
    let seq = actor.frames().borrow().as_ref().map_or(0, |f| f.seq);
    std::fs::remove_file(&flag).unwrap();
    frame_after(&actor, seq).await;
}

#[test]
fn libgphoto2_unplugged_during_live_view_recovers_and_streams_again() {
    in_vcamera_with_flag("child_unplugged_in_live_view", "VCAMERA_UNPLUGGED_FLAG");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs in a child process with the virtual camera"]
async fn child_unplugged_in_live_view() {
    if !child() {
        return;
    }
    let flag = env_path("VCAMERA_UNPLUGGED_FLAG");
    let actor = gphoto_actor(actor_cfg());
    unplugged_in_live_view(&actor, |out| {
        if out {
            std::fs::write(&flag, b"").unwrap();
        } else {
            std::fs::remove_file(&flag).unwrap();
        }
    })
    .await;
}

/// The cable comes out while live view streams, and goes back in.
async fn unplugged_in_live_view(actor: &CameraActor, unplug: impl Fn(bool)) {
    connected(actor).await;
    actor.live_view(true);
    frame_after(actor, 2).await;
    unplug(true);
    health_until(actor, "disconnected", |h| {
        matches!(
            h,
            Health::Disconnected {
                kind: ErrorKind::Disconnected,
                ..
            }
        )
    })
    .await;
    let seq = actor.frames().borrow().as_ref().map_or(0, |f| f.seq);
    unplug(false);
    // Re-opened without a restart, and live view resumes by itself.
    connected(actor).await;
    frame_after(actor, seq).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_camera_unplugged_during_live_view_recovers_and_streams_again() {
    let control = SimControl::new();
    let actor = CameraActor::spawn(control.opener(SimConfig::default()), actor_cfg());
    unplugged_in_live_view(&actor, |out| control.unplug(out)).await;
}

#[test]
fn libgphoto2_a_camera_busy_through_every_try_gives_an_error_not_an_empty_frame() {
    in_vcamera(
        "child_busy_frames",
        true,
        &[("VCAMERA_LIVEVIEW_BUSY_FRAMES", "25".into())],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs in a child process with the virtual camera"]
async fn child_busy_frames() {
    if !child() {
        return;
    }
    let actor = gphoto_actor(actor_cfg());
    connected(&actor).await;
    // libgphoto2 tries 20 times, then returns success with an empty file.
    let e = actor.preview().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Busy, "{e}");
    // The 5 busy answers left are absorbed by its retries.
    decodes(
        &actor
            .preview()
            .await
            .expect("a frame once the camera is ready"),
    );
}

#[test]
fn libgphoto2_settings_live_view_needs_are_applied_and_read_back() {
    in_vcamera("child_config_tree", true, &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs in a child process with the virtual camera"]
async fn child_config_tree() {
    use camera_driver::config_tree::{self, WidgetKind};
    if !child() {
        return;
    }
    let mut cam = GphotoCamera::open(&Selector::default()).expect("open");
    let tree = cam.config_tree().unwrap();
    // The same decisions as on the real bodies' trees (config_tree's tests): a Nikon with a
    // viewfinder toggle, a RAM capture target and no auto power off.
    assert_eq!(config_tree::viewfinder_key(&tree), Some("viewfinder"));
    let settings = config_tree::startup_settings(&tree);
    assert_eq!(settings.len(), 1, "{settings:?}");
    assert_eq!(
        (settings[0].key.as_str(), settings[0].value.as_str()),
        ("capturetarget", "Internal RAM")
    );
    // Applied when the camera was opened, and read back from the camera.
    let target = tree.iter().find(|e| e.key() == "capturetarget").unwrap();
    assert_eq!(target.current, "Internal RAM");
    assert_eq!(target.path, "/main/settings/capturetarget");
    let vf = tree.iter().find(|e| e.key() == "viewfinder").unwrap();
    assert_eq!(
        (vf.path.as_str(), vf.kind),
        ("/main/actions/viewfinder", WidgetKind::Toggle)
    );
    // Live view through the toggle, read back.
    assert_eq!(cam.set_config("viewfinder", "1").unwrap(), "1");
    decodes(&cam.preview().unwrap());
    cam.end_preview().unwrap();
    assert_eq!(cam.get_config("viewfinder").unwrap(), "0");
    // The tree written as `gphoto2 --list-all-config` does reads back the same, so a dump
    // from a booth can become a fixture.
    let text = config_tree::dump(&tree);
    assert_eq!(config_tree::parse_list_all_config(&text).unwrap(), tree);
    println!("observed: the virtual D750 offers {} settings", tree.len());
}
