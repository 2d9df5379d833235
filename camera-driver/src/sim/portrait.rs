//! Real people for the simulated graduate, so that a real face detector and the real photo
//! checks see a person: each portrait with its hand-measured features and the person's outline.
//!
//! The portraits are public-domain photographs that `scripts/fetch-models.sh` fetches (and
//! checks by SHA-256) into `target/photo-cache/portraits/` (or `$KIOSK_PORTRAIT_DIR`):
//!
//! - `grace_hopper.jpg`: Commodore Grace M. Hopper, US Navy photograph, public domain; from the
//!   matplotlib 3.11.2 wheel (`matplotlib/mpl-data/sample_data/grace_hopper.jpg`). 512 × 600.
//! - `astronaut.png`: Eileen Collins, NASA photograph, public domain; from the scikit-image
//!   0.26.0 wheel (`skimage/data/astronaut.png`). 512 × 512.
//!
//! Their features were measured by hand on those files (the eyes agree with the
//! hand-measured iris centres in `photo/tests/portraits.rs`). A file is decoded once per
//! process and kept; a missing or unknown one is reported once and the scene draws its cartoon
//! face instead.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use image::{Rgb, RgbImage};

use super::known::{KNOWN, known_files};

/// An axis-aligned ellipse in portrait pixels.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ellipse {
    pub(crate) cx: f32,
    pub(crate) cy: f32,
    pub(crate) rx: f32,
    pub(crate) ry: f32,
}

impl Ellipse {
    /// Normalised radius of (x, y): below 1 inside.
    pub(crate) fn radius(&self, x: f32, y: f32) -> f32 {
        let (u, v) = ((x - self.cx) / self.rx, (y - self.cy) / self.ry);
        (u * u + v * v).sqrt()
    }
}

/// A decoded portrait ready to composite.
pub(crate) struct Portrait {
    /// Where it was read from (part of the render cache's key).
    pub(crate) path: PathBuf,
    img: RgbImage,
    /// Iris centres, image-left then image-right.
    pub(crate) eyes: [(f32, f32); 2],
    pub(crate) mouth: (f32, f32),
    pub(crate) mouth_half_width: f32,
    /// The bottom of the chin (y).
    pub(crate) chin: f32,
    pub(crate) face: Ellipse,
    /// Mean skin tone, for the drawn head around the face and the neck.
    pub(crate) skin: Rgb<u8>,
    /// The skin around each eye, for closed lids.
    pub(crate) lids: [[f32; 3]; 2],
    /// Where the person is in it.
    pub(crate) outline: Outline,
}

/// A person's outline: on rows evenly spaced down the portrait, where the person starts and
/// ends. Below the last row the person carries on as on it (the body goes on out of the
/// picture); where the portrait's edge cut the body, the body is carried on past it,
/// mirrored about the face's centre line.
pub(crate) struct Outline {
    rows: Vec<(f32, f32, f32)>,
}

/// Width of the outline's soft edge, in portrait pixels (about the segmentation's own blur).
const OUTLINE_EDGE: f32 = 1.5;

impl Outline {
    fn new(rows: &[(f32, f32, f32)], width: f32, centre: f32) -> Self {
        let rows = rows
            .iter()
            .map(|&(y, l, r)| {
                let l = if l <= 0.0 { l.min(2.0 * centre - r) } else { l };
                let r = if r >= width {
                    r.max(2.0 * centre - l)
                } else {
                    r
                };
                (y, l, r)
            })
            .collect();
        Self { rows }
    }

    /// How much of the person (0–1) covers portrait point (x, y).
    pub(crate) fn coverage(&self, x: f32, y: f32) -> f32 {
        let (Some(first), Some(last)) = (self.rows.first(), self.rows.last()) else {
            return 0.0;
        };
        let (left, right, top) = if y >= last.0 {
            (last.1, last.2, f32::INFINITY)
        } else {
            // Rows are evenly spaced, so the pair around y is found by index.
            let step = (last.0 - first.0) / (self.rows.len() - 1).max(1) as f32;
            let i = (((y - first.0) / step).floor().max(0.0) as usize).min(self.rows.len() - 2);
            let (a, b) = (self.rows[i], self.rows[i + 1]);
            let t = ((y - a.0) / (b.0 - a.0)).clamp(0.0, 1.0);
            (
                a.1 + (b.1 - a.1) * t,
                a.2 + (b.2 - a.2) * t,
                y - first.0 + step / 2.0,
            )
        };
        let inside = (x - left).min(right - x).min(top);
        (inside / OUTLINE_EDGE + 0.5).clamp(0.0, 1.0)
    }
}

impl Portrait {
    /// Decode `path` and fit its known measurements; Err says why not.
    fn load(path: &Path) -> Result<Self, String> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let known = KNOWN.iter().find(|k| k.file == name).ok_or_else(|| {
            format!(
                "no measurements for a portrait named {name:?} (known: {})",
                known_files().collect::<Vec<_>>().join(", ")
            )
        })?;
        let mut img = image::open(path).map_err(|e| e.to_string())?.to_rgb8();
        if img.dimensions() != known.size {
            return Err(format!(
                "{}×{}, not the {}×{} of the file the measurements are for",
                img.width(),
                img.height(),
                known.size.0,
                known.size.1
            ));
        }
        let skin = mean(&img, known.skin);
        if let Some(teeth) = known.teeth {
            close_mouth(&mut img, teeth, known.mouth, skin);
        }
        let d = dist(known.eyes[0], known.eyes[1]);
        let lids = known.eyes.map(|(x, y)| {
            let ring = Ellipse {
                cx: x,
                cy: y,
                rx: 0.24 * d,
                ry: 0.17 * d,
            };
            ring_skin(&img, ring)
        });
        let centre = (known.eyes[0].0 + known.eyes[1].0) / 2.0;
        let outline = Outline::new(known.outline, img.width() as f32, centre);
        Ok(Self {
            path: path.to_owned(),
            outline,
            img,
            eyes: known.eyes,
            mouth: known.mouth,
            mouth_half_width: known.mouth_half_width,
            chin: known.chin,
            face: known.face,
            skin: Rgb(skin.map(|c| c.round() as u8)),
            lids,
        })
    }

    /// The colour at (x, y) like [`Portrait::sample`], but past the portrait's edges the
    /// picture goes on as a reflection of the band of `MIRROR_BAND` pixels along the edge, back
    /// and forth (a jacket goes on as jacket, not as stretched stripes).
    pub(crate) fn sample_beyond(&self, x: f32, y: f32) -> [f32; 3] {
        let (w, h) = self.img.dimensions();
        self.sample(fold(x, w as f32), fold(y, h as f32))
    }

    /// The colour at (x, y) (pixel (i, j) covers [i, i + 1) × [j, j + 1)), bilinear.
    pub(crate) fn sample(&self, x: f32, y: f32) -> [f32; 3] {
        let (w, h) = self.img.dimensions();
        let x = (x - 0.5).clamp(0.0, (w - 1) as f32);
        let y = (y - 0.5).clamp(0.0, (h - 1) as f32);
        let (x0, y0) = (x as u32, y as u32);
        let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let p = |x, y| self.img.get_pixel(x, y).0.map(f32::from);
        let (a, b, c, d) = (p(x0, y0), p(x1, y0), p(x0, y1), p(x1, y1));
        std::array::from_fn(|i| {
            let top = a[i] + (b[i] - a[i]) * fx;
            let bottom = c[i] + (d[i] - c[i]) * fx;
            top + (bottom - top) * fy
        })
    }
}

/// Width of the band along a portrait's edge that is reflected past it.
const MIRROR_BAND: f32 = 40.0;

/// `v` folded back into `[0, len]` by reflecting, back and forth, in the band of
/// [`MIRROR_BAND`] along the edge it went past.
fn fold(v: f32, len: f32) -> f32 {
    let band = MIRROR_BAND.min(len / 2.0);
    let tri = |d: f32| {
        let m = d.rem_euclid(2.0 * band);
        if m < band { m } else { 2.0 * band - m }
    };
    if v < 0.0 {
        tri(-v)
    } else if v > len {
        len - tri(v - len)
    } else {
        v
    }
}

fn dist(a: (f32, f32), b: (f32, f32)) -> f32 {
    ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt()
}

fn mean(img: &RgbImage, patches: &[(u32, u32, u32, u32)]) -> [f32; 3] {
    let mut sum = [0f64; 3];
    let mut n = 0f64;
    for &(x0, y0, x1, y1) in patches {
        for y in y0..y1 {
            for x in x0..x1 {
                for (s, c) in sum.iter_mut().zip(img.get_pixel(x, y).0) {
                    *s += f64::from(c);
                }
                n += 1.0;
            }
        }
    }
    sum.map(|s| (s / n.max(1.0)) as f32)
}

/// The 70th percentile (by brightness) of 32 samples on `ring`: the skin around an eye,
/// skipping the eye itself, lashes, glasses frames and the shadows under the brow.
fn ring_skin(img: &RgbImage, ring: Ellipse) -> [f32; 3] {
    let (w, h) = img.dimensions();
    let mut samples: Vec<[f32; 3]> = (0..32)
        .map(|i| {
            let a = i as f32 / 32.0 * std::f32::consts::TAU;
            let x = (ring.cx + ring.rx * a.cos()).clamp(0.0, (w - 1) as f32) as u32;
            let y = (ring.cy + ring.ry * a.sin()).clamp(0.0, (h - 1) as f32) as u32;
            img.get_pixel(x, y).0.map(f32::from)
        })
        .collect();
    samples.sort_by(|a, b| (a[0] + a[1] + a[2]).total_cmp(&(b[0] + b[1] + b[2])));
    samples[samples.len() * 7 / 10]
}

/// Paint skin over the teeth, feathered, and a closed lip line through the middle.
fn close_mouth(img: &mut RgbImage, teeth: Ellipse, mouth: (f32, f32), skin: [f32; 3]) {
    let lips = lip_colour(skin);
    let line = Ellipse {
        cx: mouth.0,
        cy: mouth.1,
        rx: teeth.rx * 0.85,
        ry: (teeth.ry * 0.22).max(1.2),
    };
    let x0 = (teeth.cx - teeth.rx).floor().max(0.0) as u32;
    let y0 = (teeth.cy - teeth.ry).floor().max(0.0) as u32;
    let x1 = ((teeth.cx + teeth.rx).ceil() as u32).min(img.width());
    let y1 = ((teeth.cy + teeth.ry).ceil() as u32).min(img.height());
    for y in y0..y1 {
        for x in x0..x1 {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let cover = feather(teeth.radius(px, py), 0.35);
            let lip = feather(line.radius(px, py), 0.5);
            if cover <= 0.0 {
                continue;
            }
            let p = img.get_pixel_mut(x, y);
            let old = p.0.map(f32::from);
            let mut c: [f32; 3] = std::array::from_fn(|i| old[i] + (skin[i] - old[i]) * cover);
            for (i, v) in c.iter_mut().enumerate() {
                *v += (lips[i] - *v) * lip;
            }
            p.0 = c.map(|v| v.round().clamp(0.0, 255.0) as u8);
        }
    }
}

/// The colour of closed lips for a skin tone.
pub(crate) fn lip_colour(skin: [f32; 3]) -> [f32; 3] {
    [skin[0] * 0.80, skin[1] * 0.55, skin[2] * 0.58]
}

/// 1 well inside (normalised radius r below 1 − `width`), 0 outside, smooth in between.
pub(crate) fn feather(r: f32, width: f32) -> f32 {
    let t = ((1.0 - r) / width).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

type Cache = Mutex<HashMap<PathBuf, Option<Arc<Portrait>>>>;

/// The portrait at `path`, decoded on first use and kept for the life of the process. When it
/// cannot be used, says so once (naming the file and the fetch script) and returns None from
/// then on.
pub(crate) fn cached(path: &Path) -> Option<Arc<Portrait>> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    // Held while decoding (once, a few milliseconds) so concurrent first frames decode and warn
    // only once.
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    cache
        .entry(path.to_owned())
        .or_insert_with(|| match Portrait::load(path) {
            Ok(p) => {
                tracing::debug!(portrait = %path.display(), "simulated graduate's face loaded");
                Some(Arc::new(p))
            }
            Err(e) => {
                tracing::warn!(
                    "simulated camera: portrait {} unusable ({e}); drawing a cartoon face, which \
                     a face detector may not find; run scripts/fetch-models.sh (or set \
                     KIOSK_PORTRAIT_DIR)",
                    path.display()
                );
                None
            }
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_edge_the_band_along_it_is_reflected_back_and_forth() {
        assert_eq!(fold(10.0, 100.0), 10.0);
        assert_eq!(fold(105.0, 100.0), 95.0);
        assert_eq!(fold(140.0, 100.0), 60.0);
        assert_eq!(fold(150.0, 100.0), 70.0);
        assert_eq!(fold(-5.0, 100.0), 5.0);
        assert_eq!(fold(-45.0, 100.0), 35.0);
    }

    #[test]
    fn the_outline_keeps_the_person_and_carries_the_body_on() {
        // Head 40 px wide from row 10, shoulders to the portrait's right edge from row 50.
        let o = Outline::new(&[(10.0, 30.0, 70.0), (50.0, 10.0, 100.0)], 100.0, 50.0);
        assert_eq!(o.coverage(50.0, 30.0), 1.0);
        assert_eq!(o.coverage(5.0, 30.0), 0.0);
        // Above the first row by more than half the rows' spacing: no one.
        assert_eq!(o.coverage(50.0, -15.0), 0.0);
        // Below the last row, and past the edge that cut the shoulders, the body goes on.
        assert_eq!(o.coverage(50.0, 500.0), 1.0);
        assert_eq!(o.coverage(95.0, 60.0), 1.0);
        assert_eq!(o.coverage(5.0, 60.0), 0.0);
    }

    #[test]
    fn feather_is_one_inside_zero_outside() {
        assert_eq!(feather(0.5, 0.2), 1.0);
        assert_eq!(feather(1.0, 0.2), 0.0);
        assert_eq!(feather(1.5, 0.2), 0.0);
        let mid = feather(0.9, 0.2);
        assert!(mid > 0.4 && mid < 0.6, "{mid}");
    }

    #[test]
    fn an_unknown_or_missing_file_is_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("grace_hopper.jpg");
        assert!(cached(&missing).is_none());
        let other = dir.path().join("someone.png");
        RgbImage::new(8, 8).save(&other).unwrap();
        let err = Portrait::load(&other).err().unwrap();
        assert!(err.contains("grace_hopper.jpg"), "{err}");
        let wrong_size = dir.path().join("astronaut.png");
        RgbImage::new(8, 8).save(&wrong_size).unwrap();
        let err = Portrait::load(&wrong_size).err().unwrap();
        assert!(err.contains("512×512"), "{err}");
    }
}
