//! The head's pose from the face mesh: yaw from the mesh's depth, pitch from where the mesh's
//! points lie in the image against a level face.
//!
//! Pitch was first read, like yaw, off the mesh's depth (the forehead-to-chin line's turn out of
//! the image plane), but the 2019 mesh's depth is a weak pitch signal: level heads of real people
//! read −12° to 25° (issue 35). The points' image positions are what the mesh was trained on,
//! so pitch now comes from them: the rotation that best carries [`level_face`], the mean shape
//! of level, frontal heads, onto the points seen (a scaled orthographic camera, fitted by least
//! squares). Level heads of the held-out people read −10° to 15° (they read −18° to 15° from the
//! depth), and the limit no longer refuses the faces photographed from a little above.

use crate::measure::median;
use crate::mesh::{Mesh, idx};

/// The level face: the mean of the mesh's points (x right, y down, z away from the camera, in
/// distances between the outer eye corners, centred) over the training half's portraits
/// labelled level and frontal (12 of them, `tests/faces/README.md`), made symmetric. A face's
/// pitch is its turn away from this shape about the eye line. `tests/faces.rs`
/// (`real_faces_conformance`) recomputes it from the training half and fails when it drifts.
///
/// The image-right half of each mirrored pair, the other half is its mirror (x negated):
/// (image-left point, image-right point, [x, y, z] of the image-right one).
pub const LEVEL_FACE_PAIRS: [(usize, usize, [f32; 3]); 15] = [
    (33, 263, [0.500, -0.395, -0.046]),
    (133, 362, [0.192, -0.385, -0.105]),
    (98, 327, [0.199, 0.053, -0.278]),
    (61, 291, [0.312, 0.305, -0.135]),
    (234, 454, [0.765, -0.179, 0.544]),
    (93, 323, [0.757, -0.023, 0.542]),
    (132, 361, [0.736, 0.144, 0.506]),
    (58, 288, [0.688, 0.320, 0.434]),
    (172, 397, [0.619, 0.460, 0.319]),
    (136, 365, [0.539, 0.561, 0.197]),
    (149, 378, [0.347, 0.716, 0.019]),
    (176, 400, [0.253, 0.773, -0.064]),
    (70, 300, [0.628, -0.553, -0.032]),
    (105, 334, [0.450, -0.655, -0.194]),
    (107, 336, [0.159, -0.639, -0.292]),
];

/// The points on the face's middle line: (point, [y, z]).
pub const LEVEL_FACE_MIDDLE: [(usize, [f32; 2]); 9] = [
    (1, [0.004, -0.537]),
    (168, [-0.455, -0.290]),
    (6, [-0.376, -0.341]),
    (2, [0.076, -0.368]),
    (0, [0.226, -0.367]),
    (17, [0.461, -0.308]),
    (152, [0.828, -0.141]),
    (10, [-0.968, -0.217]),
    (151, [-0.802, -0.262]),
];

/// The level face's points as (mesh index, [x, y, z]).
pub fn level_face() -> Vec<(usize, [f32; 3])> {
    let mut out = Vec::with_capacity(2 * LEVEL_FACE_PAIRS.len() + LEVEL_FACE_MIDDLE.len());
    for &(left, right, [x, y, z]) in &LEVEL_FACE_PAIRS {
        out.push((left, [-x, y, z]));
        out.push((right, [x, y, z]));
    }
    out.extend(
        LEVEL_FACE_MIDDLE
            .iter()
            .map(|&(i, [y, z])| (i, [0.0, y, z])),
    );
    out
}

/// The mesh's points of [`level_face`] in the face's own frame (the line between the outer eye
/// corners level), centred and in distances between those corners: what [`LEVEL_FACE_PAIRS`]
/// and [`LEVEL_FACE_MIDDLE`] are the mean of.
pub fn face_frame(mesh: &Mesh) -> Vec<(usize, [f32; 3])> {
    let turn = eye_line_level(mesh);
    let scale = mesh.p(idx::EYE_L[0]).dist(mesh.p(idx::EYE_R[1])).max(1.0);
    let turned: Vec<(usize, [f32; 3])> = level_face()
        .iter()
        .map(|&(i, _)| (i, turn(mesh.points[i])))
        .collect();
    let n = turned.len() as f32;
    let mean = |k: usize| turned.iter().map(|(_, p)| p[k]).sum::<f32>() / n;
    let m = [mean(0), mean(1), mean(2)];
    turned
        .into_iter()
        .map(|(i, p)| (i, [0, 1, 2].map(|k| (p[k] - m[k]) / scale)))
        .collect()
}

/// Turns a mesh point into the face's own frame: rotated in the image so that the line between
/// the outer eye corners is level (depth unchanged).
fn eye_line_level(mesh: &Mesh) -> impl Fn([f32; 3]) -> [f32; 3] {
    let [l, r] = [mesh.p(idx::EYE_L[0]), mesh.p(idx::EYE_R[1])];
    let (s, c) = (r.y - l.y).atan2(r.x - l.x).sin_cos();
    move |[x, y, z]| [x * c + y * s, -x * s + y * c, z]
}

/// The head's pose in degrees: (yaw, pitch).
///
/// Yaw: the turn out of the image plane of the lines between five pairs of mirrored points
/// (cheeks, jaw, eye corners, mouth corners), from the mesh's depth, the median; positive when
/// the image-right side is further away. Pitch: the turn about the eye line that best carries
/// [`level_face`] onto the points seen; positive when the head is lowered. Both
/// in the face's own frame (the eye line level), so a tilted head reads as neither.
pub fn pose(mesh: &Mesh) -> (f32, f32) {
    let turn = eye_line_level(mesh);
    let yaws: Vec<f32> = idx::SYMMETRIC
        .iter()
        .map(|&[i, j]| {
            let (p, q) = (turn(mesh.points[i]), turn(mesh.points[j]));
            (q[2] - p[2]).atan2(q[0] - p[0]).to_degrees()
        })
        .collect();
    let yaw = median(yaws).unwrap_or(0.0);
    (yaw, pitch(&face_frame(mesh)))
}

/// The pitch, degrees, of the points seen (`face_frame`'s output) against the level face.
fn pitch(seen: &[(usize, [f32; 3])]) -> f32 {
    let level = level_face();
    let n = level.len() as f64;
    let mean = |k: usize| level.iter().map(|(_, p)| f64::from(p[k])).sum::<f64>() / n;
    let m = [mean(0), mean(1), mean(2)];
    // Least squares for the 2 × 3 matrix M with M · level ≈ seen (x and y): the normal
    // equations (Lᵀ L) mᵣ = Lᵀ seenᵣ for each image row r.
    let mut ltl = [[0.0f64; 3]; 3];
    let mut lts = [[0.0f64; 3]; 2];
    for ((_, q), (_, p)) in level.iter().zip(seen) {
        let q = [0, 1, 2].map(|k| f64::from(q[k]) - m[k]);
        for a in 0..3 {
            for b in 0..3 {
                ltl[a][b] += q[a] * q[b];
            }
            lts[0][a] += q[a] * f64::from(p[0]);
            lts[1][a] += q[a] * f64::from(p[1]);
        }
    }
    let (Some(row_x), Some(row_y)) = (solve3(ltl, lts[0]), solve3(ltl, lts[1])) else {
        return 0.0;
    };
    // The camera's rows are the first two of a rotation (times a scale): make them
    // orthonormal, the x row first; the y row's depth component is the pitch.
    let unit = |v: [f64; 3]| {
        let n = dot(v, v).sqrt().max(f64::EPSILON);
        v.map(|c| c / n)
    };
    let r1 = unit(row_x);
    let along = dot(r1, row_y);
    let r2 = unit([0, 1, 2].map(|k| row_y[k] - along * r1[k]));
    (-r2[2]).clamp(-1.0, 1.0).asin().to_degrees() as f32
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// `a · x = b` for a 3 × 3 `a` by Cramer's rule; `None` when `a` is singular. (Three unknowns:
/// a linear-algebra crate would be more code than this.)
fn solve3(a: [[f64; 3]; 3], b: [f64; 3]) -> Option<[f64; 3]> {
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(a);
    if d.abs() < 1e-12 {
        return None;
    }
    Some([0, 1, 2].map(|col| {
        let mut m = a;
        for (row, value) in m.iter_mut().zip(b) {
            row[col] = value;
        }
        det(m) / d
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Point;
    use crate::mesh::Eye;

    /// A mesh whose points are the level face turned by `pitch` about the eye line, then by
    /// `yaw` about the vertical and `roll` in the image, seen by a scaled orthographic camera.
    fn turned(yaw: f32, pitch: f32, roll: f32) -> Mesh {
        let (sp, cp) = pitch.to_radians().sin_cos();
        let (sy, cy) = yaw.to_radians().sin_cos();
        let (sr, cr) = roll.to_radians().sin_cos();
        let mut points = vec![[0.0; 3]; 468];
        for (i, [x, y, z]) in level_face() {
            // Lowering the head (positive pitch) takes the chin back (z grows below the eyes)
            // and brings the forehead forward.
            let (y, z) = (y * cp - z * sp, y * sp + z * cp);
            let (x, z) = (x * cy - z * sy, x * sy + z * cy);
            let (x, y) = (x * cr - y * sr, x * sr + y * cr);
            points[i] = [300.0 + 120.0 * x, 400.0 + 120.0 * y, 120.0 * z];
        }
        let eye = Eye {
            contour: vec![Point { x: 0.0, y: 0.0 }; 71],
            iris: [Point { x: 0.0, y: 0.0 }; 5],
        };
        Mesh {
            points,
            presence: 1.0,
            eyes: [eye.clone(), eye],
        }
    }

    #[test]
    fn the_level_face_reads_level() {
        let (yaw, pitch) = pose(&turned(0.0, 0.0, 0.0));
        assert!(yaw.abs() < 0.5 && pitch.abs() < 0.5, "{yaw} {pitch}");
    }

    #[test]
    fn pitch_is_recovered_whatever_the_yaw_and_roll() {
        for (yaw, pitch, roll) in [
            (0.0, 15.0, 0.0),
            (0.0, -15.0, 0.0),
            (10.0, 12.0, 0.0),
            (-10.0, -8.0, 6.0),
            (0.0, 20.0, -8.0),
        ] {
            let (_, got) = pose(&turned(yaw, pitch, roll));
            assert!(
                (got - pitch).abs() < 1.5,
                "pitch {pitch} (yaw {yaw}, roll {roll}) read {got}"
            );
        }
    }

    #[test]
    fn a_degenerate_mesh_reads_level_rather_than_panicking() {
        let mut mesh = turned(0.0, 0.0, 0.0);
        for p in &mut mesh.points {
            *p = [5.0, 5.0, 0.0];
        }
        let (yaw, pitch) = pose(&mesh);
        assert!(yaw.is_finite() && pitch.is_finite());
    }
}
