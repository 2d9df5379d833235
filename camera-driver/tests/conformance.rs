//! One conformance suite for every camera the kiosk can drive, run through the production
//! actor: against the simulated camera, and against real libgphoto2 with its virtual USB camera
//! (a PTP Nikon D750 emulation, built from Debian's source by `scripts/build-vcamera.sh`)
//! through the production `gphoto2` backend.
//!
//! libgphoto2 picks its port drivers and camera libraries from the environment when it loads,
//! and the virtual camera keeps state per process (its store fills after some captures), so
//! each virtual-camera scenario runs in a fresh child process of this test binary with that
//! environment set. The virtual camera has no live view: preview is covered by the simulated
//! camera only (the suite checks that the real backend reports it as unsupported).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use camera_driver::sim::{SimConfig, SimControl};
use camera_driver::{
    ActorConfig, Camera, CameraActor, CameraEvent, ErrorKind, GphotoCamera, Health, Selector,
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
async fn conformance(actor: &CameraActor, live_view: bool) {
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
    let (folder, name) = file.expect("a NewFile event after the trigger");
    assert!(complete, "a CaptureComplete event");
    let jpeg = actor.download(&folder, &name).await.expect("download");
    decodes(&jpeg);

    // Live view.
    if live_view {
        let mut frames = actor.frames();
        actor.live_view(true);
        let frame = tokio::time::timeout(
            Duration::from_secs(5),
            frames.wait_for(|f| f.as_ref().is_some_and(|f| f.seq >= 3)),
        )
        .await
        .expect("live-view frames")
        .unwrap()
        .clone()
        .unwrap();
        decodes(&frame.jpeg);
        // A capture pauses live view and it resumes after.
        actor.capture().await.expect("capture during live view");
        let seq = frame.seq;
        tokio::time::timeout(
            Duration::from_secs(5),
            frames.wait_for(|f| f.as_ref().is_some_and(|f| f.seq > seq + 2)),
        )
        .await
        .expect("live view resumed")
        .unwrap();
        actor.live_view(false);
    } else {
        let e = actor.preview().await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported, "{e}");
    }
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
    conformance(&actor, true).await;
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
    for line in text.lines().filter(|l| l.starts_with("observed: ")) {
        println!("{child}: {line}");
    }
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
    conformance(&actor, false).await;
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
    let dir = tempfile::tempdir().unwrap();
    in_vcamera(
        "child_unplugged_mid_session",
        true,
        &[(
            "VCAMERA_UNPLUGGED_FLAG",
            dir.path().join("unplugged").display().to_string(),
        )],
    );
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
