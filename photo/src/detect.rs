//! Face detection with five landmarks, offline: MTCNN's three networks run with tract.
//!
//! Model: MTCNN (Zhang et al. 2016) as ONNX, from the PyPI wheel mtcnn-runtime 1.0.0
//! (Apache-2.0, <https://github.com/SAKURA-CAT/mtcnn-runtime>), fetched and checksum-verified by
//! `scripts/fetch-models.sh`. The detector only ever reads files from a directory; it never
//! downloads, so a kiosk without the files fails at start-up with a message naming the script.

use std::path::{Path, PathBuf};

use image::RgbImage;
use tract_onnx::prelude::*;

use crate::Point;
use crate::boxes::{Candidate, Overlap, nms, pnet_candidates, pyramid_scales};
use crate::error::PhotoError;
use crate::face::{Face, Landmarks};
use crate::mesh::{Mesh, MeshNets};
use crate::net::{Net, by_channels};
use crate::sample::{patch_chw, scaled_chw};

/// Environment variable naming the directory with `pnet.onnx`, `rnet.onnx` and `onet.onnx`.
pub const MODEL_DIR_ENV: &str = "KIOSK_MODEL_DIR";

/// Where `scripts/fetch-models.sh` puts the models when no directory is configured.
pub fn default_model_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/models/face")
}

/// Detector settings; the defaults are mtcnn-runtime's.
#[derive(Clone, Debug, PartialEq)]
pub struct DetectorConfig {
    /// Directory holding the three ONNX files.
    pub model_dir: PathBuf,
    /// Smallest face searched for, in input pixels. Larger is faster: the pyramid starts
    /// smaller. A booth frame's face is hundreds of pixels wide.
    pub min_face: f32,
    /// Face-probability thresholds of P-Net, R-Net and O-Net.
    pub thresholds: [f32; 3],
    /// NMS overlap thresholds: across pyramid levels, after R-Net, after O-Net (min mode).
    pub nms: [f32; 3],
}

impl Default for DetectorConfig {
    fn default() -> Self {
        Self {
            model_dir: default_model_dir(),
            min_face: 20.0,
            thresholds: [0.7, 0.7, 0.7],
            nms: [0.6, 0.7, 0.8],
        }
    }
}

impl DetectorConfig {
    /// Defaults, with the model directory from `KIOSK_MODEL_DIR` when set.
    pub fn from_env() -> Self {
        let mut cfg = Self::default();
        if let Some(dir) = std::env::var_os(MODEL_DIR_ENV) {
            cfg.model_dir = PathBuf::from(dir);
        }
        cfg
    }
}

/// MTCNN and the face mesh loaded once; `detect` and `mesh` are then safe to call from any
/// thread.
pub struct Detector {
    cfg: DetectorConfig,
    pnet: Net,
    rnet: Net,
    onet: Net,
    mesh: MeshNets,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

impl Detector {
    /// Loads the five networks from `cfg.model_dir`: MTCNN's three on one core while the face
    /// mesh and iris networks load on the other.
    pub fn new(cfg: DetectorConfig) -> Result<Self, PhotoError> {
        let dir = &cfg.model_dir;
        let (mtcnn, mesh) = rayon::join(
            || -> Result<_, PhotoError> {
                Ok((
                    Net::load(dir, "pnet.onnx", "P-Net", None)?,
                    Net::load(dir, "rnet.onnx", "R-Net", Some(24))?,
                    Net::load(dir, "onet.onnx", "O-Net", Some(48))?,
                ))
            },
            || MeshNets::load(dir),
        );
        let (pnet, rnet, onet) = mtcnn?;
        Ok(Self {
            mesh: mesh?,
            cfg,
            pnet,
            rnet,
            onet,
        })
    }

    /// The dense landmarks of `face` (found by [`Detector::detect`]) in `img`: `None` when the
    /// mesh network sees no face there.
    pub fn mesh(&self, img: &RgbImage, face: &Face) -> Result<Option<Mesh>, PhotoError> {
        self.mesh.run(img, face)
    }

    /// The settings in use.
    pub fn config(&self) -> &DetectorConfig {
        &self.cfg
    }

    /// All faces in the image, best first.
    pub fn detect(&self, img: &RgbImage) -> Result<Vec<Face>, PhotoError> {
        self.detect_min(img, self.cfg.min_face)
    }

    /// [`Detector::detect`] searching only for faces at least `min_face` pixels wide (the
    /// pyramid starts smaller, so this is the speed knob; see the README's timings).
    pub fn detect_min(&self, img: &RgbImage, min_face: f32) -> Result<Vec<Face>, PhotoError> {
        let boxes = self.stage_p(img, min_face.max(12.0))?;
        let boxes = self.stage_r(img, boxes)?;
        self.stage_o(img, boxes)
    }

    /// Optimises P-Net for every pyramid level of a `width × height` image searched for faces
    /// of at least `min_face` px, so that the first detection at that size does not spend
    /// about 20 ms doing it (`kiosk photo check` does it while the capture decodes).
    pub fn prepare(&self, width: u32, height: u32, min_face: f32) -> Result<(), PhotoError> {
        for (sw, sh, _) in levels(width, height, min_face.max(12.0)) {
            self.pnet.prepare([1, 3, sh, sw])?;
        }
        Ok(())
    }

    /// P-Net over the pyramid: many rough square candidates. The levels are shared between
    /// two threads by area (the first level costs about as much as all the others together).
    fn stage_p(&self, img: &RgbImage, min_face: f32) -> Result<Vec<Candidate>, PhotoError> {
        let levels = levels(img.width(), img.height(), min_face);
        let (mut left, mut right) = (Vec::new(), Vec::new());
        let (mut left_area, mut right_area) = (0, 0);
        for (i, &(sw, sh, _)) in levels.iter().enumerate() {
            if left_area <= right_area {
                left.push(i);
                left_area += sw * sh;
            } else {
                right.push(i);
                right_area += sw * sh;
            }
        }
        let run = |picked: Vec<usize>| -> Result<Vec<(usize, Vec<Raw>)>, PhotoError> {
            picked
                .into_iter()
                .map(|i| Ok((i, self.pnet_level(img, levels[i])?)))
                .collect()
        };
        let (a, b) = rayon::join(|| run(left), || run(right));
        // In pyramid order whichever thread ran a level, so the result never depends on timing.
        let mut found = a?;
        found.extend(b?);
        found.sort_by_key(|(i, _)| *i);
        let all: Vec<Raw> = found.into_iter().flat_map(|(_, c)| c).collect();
        let keep = nms(&all, |c| c.0, self.cfg.nms[0], Overlap::Union);
        Ok(keep
            .into_iter()
            .map(|i| all[i].0.calibrate(all[i].1).squared())
            .collect())
    }

    /// P-Net on one pyramid level: its candidates after the level's own NMS.
    fn pnet_level(
        &self,
        img: &RgbImage,
        (sw, sh, s): (usize, usize, f32),
    ) -> Result<Vec<Raw>, PhotoError> {
        let out = self.pnet.run([1, 3, sh, sw], scaled_chw(img, sw, sh))?;
        let probs = by_channels("P-Net", &out, 2)?;
        let offs = by_channels("P-Net", &out, 4)?;
        let (rows, cols) = (probs.shape()[2], probs.shape()[3]);
        let face: Vec<f32> = probs
            .slice(tract_ndarray::s![0, 1, .., ..])
            .iter()
            .copied()
            .collect();
        let o: Vec<Vec<f32>> = (0..4)
            .map(|k| {
                offs.slice(tract_ndarray::s![0, k, .., ..])
                    .iter()
                    .copied()
                    .collect()
            })
            .collect();
        debug_assert_eq!(face.len(), rows * cols);
        let cands = pnet_candidates(
            &face,
            [&o[0], &o[1], &o[2], &o[3]],
            cols,
            s,
            self.cfg.thresholds[0],
        );
        let keep = nms(&cands, |c| c.0, 0.5, Overlap::Union);
        Ok(keep.into_iter().map(|i| cands[i]).collect())
    }

    /// R-Net on 24 px patches: rejects most candidates and tightens the rest.
    fn stage_r(&self, img: &RgbImage, boxes: Vec<Candidate>) -> Result<Vec<Candidate>, PhotoError> {
        if boxes.is_empty() {
            return Ok(boxes);
        }
        let [probs, offs] =
            <[_; 2]>::try_from(on_two_threads(&self.rnet, img, &boxes, 24, &[2, 4])?).map_err(
                |_| PhotoError::Inference {
                    stage: "R-Net",
                    reason: "missing outputs".into(),
                },
            )?;
        let kept: Vec<Raw> = boxes
            .iter()
            .enumerate()
            .filter(|&(i, _)| probs[i][1] > self.cfg.thresholds[1])
            .map(|(i, b)| {
                let c = Candidate {
                    score: probs[i][1],
                    ..*b
                };
                (c, [0, 1, 2, 3].map(|k| offs[i][k]))
            })
            .collect();
        let keep = nms(&kept, |c| c.0, self.cfg.nms[1], Overlap::Union);
        Ok(keep
            .into_iter()
            .map(|i| kept[i].0.calibrate(kept[i].1).squared())
            .collect())
    }

    /// O-Net on 48 px patches: final score, box and the five landmarks.
    fn stage_o(&self, img: &RgbImage, boxes: Vec<Candidate>) -> Result<Vec<Face>, PhotoError> {
        if boxes.is_empty() {
            return Ok(Vec::new());
        }
        let [probs, offs, marks] =
            <[_; 3]>::try_from(on_two_threads(&self.onet, img, &boxes, 48, &[2, 4, 10])?).map_err(
                |_| PhotoError::Inference {
                    stage: "O-Net",
                    reason: "missing outputs".into(),
                },
            )?;
        let faces: Vec<(Candidate, Landmarks)> = boxes
            .iter()
            .enumerate()
            .filter(|&(i, _)| probs[i][1] > self.cfg.thresholds[2])
            .map(|(i, b)| {
                // Landmarks are fractions of the patch O-Net saw, before its box regression.
                let p = |k: usize| Point {
                    x: b.x1 + b.w() * marks[i][k],
                    y: b.y1 + b.h() * marks[i][k + 5],
                };
                let lm = Landmarks {
                    eye_left: p(0),
                    eye_right: p(1),
                    nose: p(2),
                    mouth_left: p(3),
                    mouth_right: p(4),
                };
                let c = Candidate {
                    score: probs[i][1],
                    ..*b
                }
                .calibrate([0, 1, 2, 3].map(|k| offs[i][k]));
                (c, lm)
            })
            .collect();
        let keep = nms(&faces, |f| f.0, self.cfg.nms[2], Overlap::Min);
        Ok(keep
            .into_iter()
            .map(|i| {
                let (c, landmarks) = faces[i];
                Face {
                    top_left: Point { x: c.x1, y: c.y1 },
                    bottom_right: Point { x: c.x2, y: c.y2 },
                    score: c.score,
                    landmarks,
                }
            })
            .collect())
    }
}

/// A P-Net candidate before calibration: the window and its box offsets.
type Raw = (Candidate, [f32; 4]);

/// The pyramid's levels: scaled width, height and the scale.
fn levels(w: u32, h: u32, min_face: f32) -> Vec<(usize, usize, f32)> {
    pyramid_scales(w, h, min_face)
        .into_iter()
        .map(|s| {
            let sw = (w as f32 * s).ceil() as usize;
            let sh = (h as f32 * s).ceil() as usize;
            (sw, sh, s)
        })
        .collect()
}

/// R-Net or O-Net on the boxes' patches, the two halves of the list cut and run at once (the
/// kiosk has two cores; a shot's check waits on this). Returns, per output channel count asked
/// for, one row per box in the boxes' order.
fn on_two_threads(
    net: &Net,
    img: &RgbImage,
    boxes: &[Candidate],
    side: usize,
    channels: &[usize],
) -> Result<Vec<Vec<Vec<f32>>>, PhotoError> {
    let half = |part: &[Candidate]| {
        if part.is_empty() {
            return Ok(vec![Vec::new(); channels.len()]);
        }
        let mut data = Vec::with_capacity(part.len() * 3 * side * side);
        for b in part {
            patch_chw(img, b, side, &mut data);
        }
        net.run_patches(part.len(), side, data, channels)
    };
    let (first, second) = boxes.split_at(boxes.len().div_ceil(2));
    let (a, b) = rayon::join(|| half(first), || half(second));
    let mut rows = a?;
    for (all, more) in rows.iter_mut().zip(b?) {
        all.extend(more);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_model_names_the_path_and_the_script() {
        let cfg = DetectorConfig {
            model_dir: PathBuf::from("/nonexistent/models"),
            ..DetectorConfig::default()
        };
        let err = Detector::new(cfg).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Setup);
        let msg = err.to_string();
        assert!(msg.contains("/nonexistent/models/pnet.onnx"), "{msg}");
        assert!(msg.contains("scripts/fetch-models.sh"), "{msg}");
    }
}
