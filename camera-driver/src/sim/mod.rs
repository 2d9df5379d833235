//! A simulated camera: a full [`Camera`] for demo mode and tests.
//!
//! It draws a booth scene (backdrop, graduate, optionally a phone showing a QR code), returns
//! real JPEG live-view frames and full-resolution captures, remembers settings, and can be told
//! to fail: unplug, busy, time out. A [`SimControl`] handle scripts it from outside (the demo's
//! "graduate" holds up their code; a test pulls the cable).
//!
//! The graduate's face is a real public-domain portrait fitted into the drawn head (see
//! [`SimConfig::portrait`]), so a real face detector finds it; how they sit is a [`Pose`],
//! changed at run time through a [`PoseHandle`], and coupled to a chair's seat height by a
//! [`SeatLink`].

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod known;
mod portrait;
mod pose;
mod scene;
mod seat;

use crate::{Camera, CameraError, CameraEvent, CameraInfo, ErrorKind, Opener};
pub use pose::{Pose, Seating};
use scene::Scene;
pub use seat::{Following, PoseHandle, SeatLink};

/// Sizes, latencies and the face of the simulated camera.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Live-view frame size (a DSLR's is about 1024 × 680).
    pub preview_size: (u32, u32),
    /// Full-resolution size (a 24 MP DSLR: 6000 × 4000).
    pub capture_size: (u32, u32),
    /// How long a capture takes.
    pub capture_latency: Duration,
    /// The portrait whose face the simulated graduate wears: `grace_hopper.jpg` or
    /// `astronaut.png` as `scripts/fetch-models.sh` fetches them (their features are measured
    /// in the code; other files are refused). Default [`default_portrait`]. Decoded once per
    /// process; when it cannot be read the camera says so once (a warning naming the file and
    /// the script) and draws a cartoon face, as it does with None.
    pub portrait: Option<PathBuf>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            preview_size: (960, 640),
            capture_size: (6000, 4000),
            capture_latency: Duration::from_millis(300),
            portrait: Some(default_portrait()),
        }
    }
}

/// `grace_hopper.jpg` (Commodore Grace M. Hopper, US Navy photograph, public domain) in
/// `$KIOSK_PORTRAIT_DIR`, or else in the workspace's `target/photo-cache/portraits/`, where
/// `scripts/fetch-models.sh` puts it.
pub fn default_portrait() -> PathBuf {
    std::env::var_os("KIOSK_PORTRAIT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/photo-cache/portraits")
        })
        .join("grace_hopper.jpg")
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
    /// Encoded images by (scene with its pose, size, portrait used), so a steady scene costs
    /// nothing per frame.
    cache: HashMap<RenderKey, Arc<Vec<u8>>>,
}

type RenderKey = (Scene, u32, u32, Option<PathBuf>);

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

    /// A handle that changes how the graduate sits, while the camera runs.
    pub fn pose_handle(&self) -> PoseHandle {
        PoseHandle(self.clone())
    }

    /// An [`Opener`] for [`crate::CameraActor`]: fails while unplugged or claimed.
    pub fn opener(&self, cfg: SimConfig) -> Opener {
        let control = self.clone();
        Box::new(move || {
            control.check("open")?;
            Ok(Box::new(SimCamera::new(control.clone(), cfg.clone())) as Box<dyn Camera>)
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

    fn render(
        &self,
        width: u32,
        height: u32,
        quality: u8,
        with_qr: bool,
        portrait: Option<&Path>,
    ) -> Arc<Vec<u8>> {
        let mut scene = self.lock().scene.clone();
        if !with_qr {
            scene.qr = None;
        }
        let portrait = portrait.and_then(portrait::cached);
        let key = (
            scene.clone(),
            width,
            height,
            portrait.as_ref().map(|p| p.path.clone()),
        );
        if let Some(hit) = self.lock().cache.get(&key) {
            return hit.clone();
        }
        // Drawn outside the lock: a 24 MP capture takes a while.
        let img = scene::draw(&scene, portrait.as_deref(), width, height);
        let bytes = Arc::new(scene::jpeg(&img, quality));
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

    /// A handle that changes how the graduate sits, while the camera runs (the same as its
    /// control's [`SimControl::pose_handle`]).
    pub fn pose_handle(&self) -> PoseHandle {
        self.control.pose_handle()
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
        let bytes = self
            .control
            .render(w, h, 92, false, self.cfg.portrait.as_deref());
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
        Ok(self
            .control
            .render(w, h, 80, true, self.cfg.portrait.as_deref())
            .as_ref()
            .clone())
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
mod tests;
