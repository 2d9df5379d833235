//! A simulated camera: a full [`Camera`] for demo mode and tests.
//!
//! It draws a booth scene (backdrop, graduate, optionally a phone showing a QR code), returns
//! real JPEG live-view frames and full-resolution captures, remembers settings, and can be told
//! to fail: unplug, busy, time out. A [`SimControl`] handle scripts it from outside (the demo's
//! "graduate" holds up their code; a test pulls the cable).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::scene::{self, Scene};
use crate::{Camera, CameraError, CameraEvent, CameraInfo, ErrorKind, Opener};

/// Sizes and latencies of the simulated camera.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Live-view frame size (a DSLR's is about 1024 × 680).
    pub preview_size: (u32, u32),
    /// Full-resolution size (a 24 MP DSLR: 6000 × 4000).
    pub capture_size: (u32, u32),
    /// How long a capture takes.
    pub capture_latency: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            preview_size: (960, 640),
            capture_size: (6000, 4000),
            capture_latency: Duration::from_millis(300),
        }
    }
}

/// A fault to inject into the next capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimFault {
    /// "PTP Device Busy".
    Busy,
    /// Hang this long, then fail with a timeout.
    Hang(Duration),
    /// The cable comes out mid-shot.
    Unplug,
    /// The camera's storage is full.
    StoreFull,
}

/// The settings the simulated camera offers, with the choices a real body would (a subset of
/// a Canon EOS's). The first choice listed is not the default; see [`SimControl::new`].
const SETTINGS: &[(&str, &str, &[&str])] = &[
    ("iso", "100", &["100", "200", "400", "800", "1600", "3200"]),
    (
        "f-number",
        "f/8",
        &["f/2.8", "f/4", "f/5.6", "f/8", "f/11", "f/16"],
    ),
    (
        "shutterspeed",
        "1/125",
        &["1/30", "1/60", "1/125", "1/160", "1/200", "1/250"],
    ),
    (
        "whitebalance",
        "Flash",
        &["Auto", "Daylight", "Shadow", "Cloudy", "Tungsten", "Flash"],
    ),
    (
        "imageformat",
        "Large Fine JPEG",
        &[
            "Large Fine JPEG",
            "Large Normal JPEG",
            "Medium Fine JPEG",
            "RAW + Large Fine JPEG",
        ],
    ),
    (
        "capturetarget",
        "Internal RAM",
        &["Internal RAM", "Memory card"],
    ),
];

#[derive(Default)]
struct Shared {
    scene: Scene,
    unplugged: bool,
    claimed: bool,
    faults: VecDeque<SimFault>,
    captures: u64,
    settings: BTreeMap<String, String>,
    /// Files a trigger left on the camera, by (folder, name).
    stored: HashMap<(String, String), Vec<u8>>,
    /// Events not yet collected.
    events: VecDeque<CameraEvent>,
    /// Files made by triggers so far.
    files: u64,
    /// Encoded images by (scene, size), so a steady scene costs nothing per frame.
    cache: HashMap<(Scene, u32, u32), Arc<Vec<u8>>>,
}

/// Scripts the simulated camera from outside. Cheap to clone.
#[derive(Clone, Default)]
pub struct SimControl(Arc<Mutex<Shared>>);

impl SimControl {
    /// A control for a camera with a graduate in the chair and nothing in their hands.
    pub fn new() -> Self {
        let control = Self::default();
        {
            let mut s = control.lock();
            s.scene.person = true;
            for (k, v, _) in SETTINGS {
                s.settings.insert((*k).into(), (*v).into());
            }
        }
        control
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The graduate holds up a phone showing `payload` (None: puts it away).
    pub fn present_qr(&self, payload: Option<&str>) {
        self.lock().scene.qr = payload.map(str::to_owned);
    }

    /// Whether someone sits in front of the camera.
    pub fn person(&self, present: bool) {
        self.lock().scene.person = present;
    }

    /// Pull (true) or plug back (false) the USB cable.
    pub fn unplug(&self, unplugged: bool) {
        self.lock().unplugged = unplugged;
    }

    /// Another process holds the camera (true) or lets it go (false).
    pub fn claimed_elsewhere(&self, claimed: bool) {
        self.lock().claimed = claimed;
    }

    /// Make the next capture fail this way.
    pub fn inject(&self, fault: SimFault) {
        self.lock().faults.push_back(fault);
    }

    /// A setting's current value, as the camera holds it.
    pub fn setting(&self, key: &str) -> Option<String> {
        self.lock().settings.get(key).cloned()
    }

    /// Captures delivered so far.
    pub fn captures(&self) -> u64 {
        self.lock().captures
    }

    /// An [`Opener`] for [`crate::CameraActor`]: fails while unplugged or claimed.
    pub fn opener(&self, cfg: SimConfig) -> Opener {
        let control = self.clone();
        Box::new(move || {
            control.check("open")?;
            Ok(Box::new(SimCamera {
                control: control.clone(),
                cfg: cfg.clone(),
            }) as Box<dyn Camera>)
        })
    }

    fn check(&self, op: &'static str) -> Result<(), CameraError> {
        let s = self.lock();
        if s.unplugged {
            return Err(CameraError::new(
                ErrorKind::Disconnected,
                op,
                "no camera detected (simulated cable unplugged)",
            ));
        }
        if s.claimed {
            return Err(CameraError::new(
                ErrorKind::Claimed,
                op,
                "Could not claim the USB device (simulated)",
            ));
        }
        Ok(())
    }

    fn render(&self, width: u32, height: u32, quality: u8, with_qr: bool) -> Arc<Vec<u8>> {
        let mut scene = self.lock().scene.clone();
        if !with_qr {
            scene.qr = None;
        }
        let key = (scene.clone(), width, height);
        if let Some(hit) = self.lock().cache.get(&key) {
            return hit.clone();
        }
        // Drawn outside the lock: a 24 MP capture takes a while.
        let bytes = Arc::new(scene::jpeg(&scene::draw(&scene, width, height), quality));
        let mut s = self.lock();
        if s.cache.len() > 8 {
            s.cache.clear();
        }
        s.cache.insert(key, bytes.clone());
        bytes
    }
}

/// The simulated camera itself (made by [`SimControl::opener`]).
pub struct SimCamera {
    control: SimControl,
    cfg: SimConfig,
}

impl SimCamera {
    /// A camera scripted by `control`.
    pub fn new(control: SimControl, cfg: SimConfig) -> Self {
        Self { control, cfg }
    }

    /// A full-resolution shot, or the injected fault.
    fn capture_bytes(&mut self, op: &'static str) -> Result<Vec<u8>, CameraError> {
        self.control.check(op)?;
        let fault = self.control.lock().faults.pop_front();
        match fault {
            Some(SimFault::Busy) => {
                return Err(CameraError::new(ErrorKind::Busy, op, "PTP Device Busy"));
            }
            Some(SimFault::Hang(d)) => {
                std::thread::sleep(d);
                return Err(CameraError::new(ErrorKind::Timeout, op, "I/O in progress"));
            }
            Some(SimFault::Unplug) => {
                self.control.unplug(true);
                return Err(CameraError::new(
                    ErrorKind::Disconnected,
                    op,
                    "camera disappeared during capture (simulated)",
                ));
            }
            Some(SimFault::StoreFull) => {
                return Err(CameraError::new(ErrorKind::StoreFull, op, "Store Full"));
            }
            None => {}
        }
        std::thread::sleep(self.cfg.capture_latency);
        let (w, h) = self.cfg.capture_size;
        // The graduate puts the phone away for the photo.
        let bytes = self.control.render(w, h, 92, false);
        self.control.lock().captures += 1;
        Ok(bytes.as_ref().clone())
    }
}

impl Camera for SimCamera {
    fn info(&mut self) -> Result<CameraInfo, CameraError> {
        self.control.check("info")?;
        Ok(CameraInfo {
            model: "Simulated DSLR".into(),
            port: "sim:".into(),
            power: Some("AC".into()),
        })
    }

    fn preview(&mut self) -> Result<Vec<u8>, CameraError> {
        self.control.check("preview")?;
        let (w, h) = self.cfg.preview_size;
        Ok(self.control.render(w, h, 80, true).as_ref().clone())
    }

    fn capture(&mut self) -> Result<Vec<u8>, CameraError> {
        self.capture_bytes("capture")
    }

    fn get_config(&mut self, key: &str) -> Result<String, CameraError> {
        self.control.check("get_config")?;
        self.control
            .lock()
            .settings
            .get(key)
            .cloned()
            .ok_or_else(|| {
                CameraError::new(
                    ErrorKind::Refused,
                    "get_config",
                    format!("no setting {key:?}"),
                )
            })
    }

    fn set_config(&mut self, key: &str, value: &str) -> Result<String, CameraError> {
        self.control.check("set_config")?;
        let Some((_, _, choices)) = SETTINGS.iter().find(|(k, _, _)| *k == key) else {
            return Err(CameraError::new(
                ErrorKind::Refused,
                "set_config",
                format!("no setting {key:?}"),
            ));
        };
        if !choices.contains(&value) {
            return Err(CameraError::new(
                ErrorKind::Refused,
                "set_config",
                format!(
                    "{key} cannot be {value:?}; the camera offers: {}",
                    choices.join(", ")
                ),
            ));
        }
        let mut s = self.control.lock();
        s.settings.insert(key.to_owned(), value.to_owned());
        Ok(value.to_owned())
    }

    fn list_config(&mut self) -> Result<Vec<(String, String)>, CameraError> {
        self.control.check("list_config")?;
        let s = self.control.lock();
        Ok(SETTINGS
            .iter()
            .map(|(k, _, _)| {
                (
                    (*k).to_owned(),
                    s.settings.get(*k).cloned().unwrap_or_default(),
                )
            })
            .collect())
    }

    fn trigger_capture(&mut self) -> Result<(), CameraError> {
        let jpeg = self.capture_bytes("trigger")?;
        let mut s = self.control.lock();
        s.files += 1;
        let name = format!("SIM_{:04}.JPG", s.files);
        let folder = "/store_00010001/DCIM/100SIMCAM".to_owned();
        s.stored.insert((folder.clone(), name.clone()), jpeg);
        s.events.push_back(CameraEvent::NewFile { folder, name });
        s.events.push_back(CameraEvent::CaptureComplete);
        Ok(())
    }

    fn wait_event(&mut self, timeout: Duration) -> Result<CameraEvent, CameraError> {
        self.control.check("wait_event")?;
        if let Some(event) = self.control.lock().events.pop_front() {
            return Ok(event);
        }
        // Nothing pending: like a camera, answer after the wait.
        std::thread::sleep(timeout.min(Duration::from_millis(50)));
        Ok(CameraEvent::Timeout)
    }

    fn download(&mut self, folder: &str, name: &str) -> Result<Vec<u8>, CameraError> {
        self.control.check("download")?;
        self.control
            .lock()
            .stored
            .remove(&(folder.to_owned(), name.to_owned()))
            .ok_or_else(|| {
                CameraError::new(
                    ErrorKind::Refused,
                    "download",
                    format!("no file {folder}/{name} on the camera"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ActorConfig, CameraActor, Health};

    fn small() -> SimConfig {
        SimConfig {
            preview_size: (480, 320),
            capture_size: (1200, 800),
            capture_latency: Duration::ZERO,
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
}
