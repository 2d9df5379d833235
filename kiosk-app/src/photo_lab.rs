//! The kiosk's photo lab: the camera's capture to the CHSI photo with its checks, and the same
//! checks on a finished photo for the collection-service simulator. The work is
//! `kiosk_photo`'s (decode once, MTCNN landmarks, backdrop silhouette, framing, checks, JPEG at
//! 300 dpi in 20–40 KB); this module holds its configuration and the one loaded detector.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use kiosk_core::flow::ShotCheck;
use kiosk_photo::silhouette::Backdrop;
use kiosk_photo::{
    Check, CheckSettings, Detector, DetectorConfig, Guide, Photo, PhotoError, SeatHint, Seen,
};
use serde::{Deserialize, Serialize};

/// Output width.
pub const WIDTH: u32 = 480;
/// Output height.
pub const HEIGHT: u32 = 640;

/// The `[photo]` config section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PhotoConfig {
    /// The backdrop's reference colour. CHSI's published colours: light blue [100, 197, 255]
    /// (the default), white [255, 255, 255], light grey [240, 240, 240].
    pub background_rgb: [u8; 3],
    /// Largest RGB distance from `background_rgb` still counted as backdrop.
    pub background_tolerance: f32,
    /// Largest capture accepted, in pixels; checked from the header before any decoding.
    pub max_pixels: u64,
    /// Directory holding MTCNN's `pnet.onnx`, `rnet.onnx`, `onet.onnx`; empty: `KIOSK_MODEL_DIR`
    /// or where `scripts/fetch-models.sh` puts them.
    pub model_dir: PathBuf,
    /// Where the eyes belong on the live view, in frame heights from the top: the chair step's
    /// guide line and its seat hints ("raise", "lower", "good").
    pub eye_guide: f32,
    /// How far from `eye_guide` still counts as good, in frame heights.
    pub eye_guide_tolerance: f32,
}

impl Default for PhotoConfig {
    fn default() -> Self {
        let backdrop = Backdrop::default();
        Self {
            background_rgb: backdrop.rgb,
            background_tolerance: backdrop.tolerance,
            max_pixels: kiosk_photo::DEFAULT_MAX_PIXELS,
            model_dir: PathBuf::new(),
            eye_guide: Guide::default().eye_line,
            eye_guide_tolerance: Guide::default().tolerance,
        }
    }
}

impl PhotoConfig {
    /// The detector's settings.
    pub fn detector(&self) -> DetectorConfig {
        let mut d = DetectorConfig::from_env();
        if !self.model_dir.as_os_str().is_empty() {
            d.model_dir = self.model_dir.clone();
        }
        d
    }

    /// The check thresholds for a shot with or without the glasses lighting.
    pub fn checks(&self, glasses: bool) -> CheckSettings {
        CheckSettings {
            backdrop: Backdrop {
                rgb: self.background_rgb,
                tolerance: self.background_tolerance,
            },
            glasses,
            ..CheckSettings::default()
        }
    }

    /// The live view's eye guide.
    pub fn guide(&self) -> Guide {
        Guide {
            eye_line: self.eye_guide,
            tolerance: self.eye_guide_tolerance,
        }
    }

    /// Checks the section's values: `(key, problem)` for the first bad one.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if let Err((field, problem)) = self.guide().validate() {
            let key = match field {
                "eye_line" => "photo.eye_guide",
                _ => "photo.eye_guide_tolerance",
            };
            return Err((key.into(), problem.into()));
        }
        if !(5.0..=200.0).contains(&self.background_tolerance) {
            return Err((
                "photo.background_tolerance".into(),
                "must be 5..=200 (an RGB distance)".into(),
            ));
        }
        if !(1_000_000..=500_000_000).contains(&self.max_pixels) {
            return Err((
                "photo.max_pixels".into(),
                "must be 1000000..=500000000".into(),
            ));
        }
        Ok(())
    }
}

/// The booth's own checks as the simulated collection service's reviewer: a photo the kiosk
/// warned about fails there with the same reasons. The detector is loaded on the first upload
/// and shared with the kiosk in the same process.
pub struct PhotoReviewer(pub PhotoConfig);

impl collection_service::sim::Reviewer for PhotoReviewer {
    fn reasons(&self, jpeg: &[u8]) -> Vec<(String, String)> {
        match PhotoLab::load(&self.0) {
            Ok(lab) => lab.review_reasons(jpeg),
            Err(e) => vec![(
                "照片检测模型缺失，无法审核".into(),
                format!("The photo cannot be reviewed: {e}"),
            )],
        }
    }
}

/// The configuration and the loaded detector, shared by the camera room, the maintenance test
/// shot and the service simulator.
#[derive(Debug)]
pub struct PhotoLab {
    cfg: PhotoConfig,
    detector: Arc<Detector>,
}

/// Detectors already loaded, by model directory: loading optimises three networks, and one
/// process (tests, the demo's simulated service beside the kiosk) may ask many times.
fn loaded(cfg: DetectorConfig) -> Result<Arc<Detector>, PhotoError> {
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, Arc<Detector>>>> = OnceLock::new();
    let mut map = LOADED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(d) = map.get(&cfg.model_dir) {
        return Ok(d.clone());
    }
    let dir = cfg.model_dir.clone();
    let d = Arc::new(Detector::new(cfg)?);
    map.insert(dir, d.clone());
    Ok(d)
}

impl PhotoLab {
    /// Loads the detector (once per model directory per process). A missing model is an error
    /// naming the file and `scripts/fetch-models.sh`.
    pub fn load(cfg: &PhotoConfig) -> Result<Arc<Self>, PhotoError> {
        Ok(Arc::new(Self {
            cfg: cfg.clone(),
            detector: loaded(cfg.detector())?,
        }))
    }

    /// Readies the detector for the capture `data` will decode to (its size read from the
    /// header), so that the first detection at that size does not pay for it. Nothing to do
    /// for what is not a JPEG [`PhotoLab::process`] would take.
    pub fn prepare_for(&self, data: &[u8]) -> Result<(), PhotoError> {
        self.prepare_for_size(kiosk_photo::decoded_size(data, self.cfg.max_pixels))
    }

    /// [`PhotoLab::prepare_for`] given the decoded size (`kiosk_photo::decoded_size`).
    fn prepare_for_size(&self, size: Option<(u32, u32)>) -> Result<(), PhotoError> {
        match size {
            Some((w, h)) => kiosk_photo::prepare(&self.detector, w, h),
            None => Ok(()),
        }
    }

    /// The settings in use.
    pub fn config(&self) -> &PhotoConfig {
        &self.cfg
    }

    /// A capture (JPEG or PNG) to the photo and its report. Blocking: call it off the runtime.
    pub fn process(&self, capture: &[u8], glasses: bool) -> Result<Photo, PhotoError> {
        kiosk_photo::make_photo(
            &self.detector,
            capture,
            &self.cfg.checks(glasses),
            self.cfg.max_pixels,
        )
    }

    /// The graduate on a live-view frame (JPEG): eyes against the guide, the photo's window.
    /// `prev` is the hint given for the previous frame: leaving it takes a little more than
    /// the tolerance, so a face resting on the band's edge does not flicker between hints.
    /// Blocking (about 50 ms at 960 × 640): call it off the runtime.
    pub fn track(&self, frame: &[u8], prev: Option<SeatHint>) -> Result<Option<Seen>, PhotoError> {
        let guide = self.cfg.guide();
        let mut seen = kiosk_photo::track(&self.detector, frame, &guide, &self.cfg.checks(false))?;
        if let (Some(s), Some(prev)) = (seen.as_mut(), prev) {
            s.hint = guide.hint_after(prev, s.eye_line);
        }
        Ok(seen)
    }

    /// [`PhotoLab::process`] on a capture already decoded (`kiosk_photo::decode_any`) since
    /// `started`. Blocking.
    pub fn process_decoded(
        &self,
        decoded: &kiosk_photo::Decoded,
        capture: &[u8],
        glasses: bool,
        started: std::time::Instant,
    ) -> Result<Photo, PhotoError> {
        kiosk_photo::photo_from(
            &self.detector,
            decoded,
            capture,
            &self.cfg.checks(glasses),
            started,
        )
    }

    /// The checks on a finished photo, as it is. Blocking.
    pub fn review(&self, photo: &[u8]) -> Result<Vec<Check>, PhotoError> {
        kiosk_photo::review_photo(
            &self.detector,
            photo,
            &self.cfg.checks(false),
            self.cfg.max_pixels,
        )
    }

    /// What the simulated collection service rejects a photo for: the wrong size, or a check
    /// that failed (a check that could not be measured is left to the reviewer). Reasons
    /// (zh, en) in the checks' order; empty when it passes.
    pub fn review_reasons(&self, photo: &[u8]) -> Vec<(String, String)> {
        let size = image::ImageReader::new(std::io::Cursor::new(photo))
            .with_guessed_format()
            .ok()
            .and_then(|r| r.into_dimensions().ok());
        match size {
            Some((WIDTH, HEIGHT)) => {}
            Some((w, h)) => {
                return vec![(
                    format!("照片尺寸应为 480×640，实际 {w}×{h}"),
                    format!("The photo must be 480×640, not {w}×{h}"),
                )];
            }
            None => {
                return vec![(
                    "照片文件无法读取".into(),
                    "The photo file cannot be read".into(),
                )];
            }
        }
        match self.review(photo) {
            Ok(checks) => checks
                .into_iter()
                .filter(|c| c.pass == Some(false))
                .map(|c| (c.reason_zh, c.reason_en))
                .collect(),
            Err(e) => vec![(
                "照片无法检查".into(),
                format!("The photo cannot be checked: {e}"),
            )],
        }
    }
}

/// The flow's view of the checks.
pub fn shot_checks(checks: &[Check]) -> Vec<ShotCheck> {
    checks
        .iter()
        .map(|c| ShotCheck {
            name: c.name.as_str().into(),
            pass: c.pass,
            zh: c.reason_zh.clone(),
            en: c.reason_en.clone(),
        })
        .collect()
}

/// Largest image file the command-line tools read (`kiosk photo check`, `kiosk qr decode`): a
/// 45 MP JPEG at the finest quality is under 40 MB.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// `kiosk photo check`: the exit code (0 all passed, 1 a check failed or was not measured,
/// 2 bad input, 3 setup or output trouble) and one JSON line, the report or
/// `{"error", "kind", "file"}`.
pub fn check_file(
    cfg: &PhotoConfig,
    image: &std::path::Path,
    out: &std::path::Path,
    glasses: bool,
) -> (u8, String) {
    let fail = |code: u8, kind: &str, e: &dyn std::fmt::Display| {
        let line = serde_json::json!({ "file": image, "kind": kind, "error": e.to_string() });
        (code, line.to_string())
    };
    match std::fs::metadata(image) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            let e = format!(
                "the file is {} bytes; the limit is {MAX_FILE_BYTES}",
                m.len()
            );
            return fail(2, "input", &e);
        }
        Ok(_) => {}
        Err(e) => return fail(2, "input", &e),
    }
    // Loading the detector (tract parses and optimises three networks, about 55 ms, then
    // P-Net for this capture's pyramid, about 12 ms) and reading and decoding the capture
    // (about 5 + 85 ms for 24 MP) need each other's results only at the detection: one on a
    // second thread, the other here. The pyramid's size comes from the JPEG header as soon as
    // the file is read.
    let (size_tx, size_rx) = std::sync::mpsc::sync_channel(1);
    let (read, lab) = std::thread::scope(|s| {
        let loading = s.spawn(move || {
            let lab = PhotoLab::load(cfg)?;
            // The reader hung up: the file could not be read and the result is not used.
            if let Ok(size) = size_rx.recv() {
                lab.prepare_for_size(size)?;
            }
            Ok::<_, PhotoError>(lab)
        });
        let read = std::fs::read(image).map(|data| {
            // The loader may already have failed and gone; its error is reported below.
            let _ = size_tx.send(kiosk_photo::decoded_size(&data, cfg.max_pixels));
            drop(size_tx);
            let started = std::time::Instant::now();
            let decoded = kiosk_photo::decode_any(&data, cfg.max_pixels);
            (decoded, started, data)
        });
        (read, loading.join())
    });
    let (decoded, started, data) = match read {
        Ok(r) => r,
        Err(e) => return fail(2, "input", &e),
    };
    let decoded = match decoded {
        Ok(d) => d,
        Err(e) if e.kind() == kiosk_photo::ErrorKind::Input => return fail(2, "input", &e),
        Err(e) => return fail(3, "decoder", &e),
    };
    let lab = match lab {
        Ok(Ok(lab)) => lab,
        Ok(Err(e)) => return fail(3, "setup", &e),
        Err(_) => return fail(3, "setup", &"loading the face detector panicked"),
    };
    let photo = match lab.process_decoded(&decoded, &data, glasses, started) {
        Ok(p) => p,
        Err(e) if e.kind() == kiosk_photo::ErrorKind::Input => return fail(2, "input", &e),
        Err(e) => return fail(3, "detector", &e),
    };
    if let Err(e) = std::fs::write(out, &photo.jpeg) {
        let e = format!("writing {}: {e}", out.display());
        return fail(3, "output", &e);
    }
    let line = serde_json::to_string(&photo.report).unwrap_or_else(|e| e.to_string());
    (if photo.report.ok { 0 } else { 1 }, line)
}
