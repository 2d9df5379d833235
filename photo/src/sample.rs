//! Turning RGB pixels into the networks' input tensors: the scaled whole image for P-Net and
//! square patches for R-Net and O-Net, normalised as MTCNN was trained.
//!
//! mtcnn-runtime resizes with OpenCV (bilinear for the pyramid, area averaging for patches),
//! then maps each channel, in RGB order, to (v − 127.5) / 128 and lays it out as N×C×H×W. The
//! ONNX export already accounts for the original caffe models' transposed W/H, so no
//! transposition is done here (checked against its `_preprocess`).

use image::RgbImage;

use crate::boxes::Candidate;

fn norm(v: f32) -> f32 {
    (v - 127.5) * 0.007_812_5
}

/// The whole image bilinearly scaled to `sw × sh`, as a 1×3×sh×sw tensor's data.
///
/// Sample positions follow OpenCV's INTER_LINEAR (pixel centres aligned), so the P-Net maps
/// line up with the Python reference.
pub fn scaled_chw(img: &RgbImage, sw: usize, sh: usize) -> Vec<f32> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    let plane = sw * sh;
    let mut out = vec![0.0f32; 3 * plane];
    let fx = w as f32 / sw as f32;
    let fy = h as f32 / sh as f32;
    // Horizontal taps are the same for every row: compute once.
    let xs: Vec<(usize, usize, f32)> = (0..sw)
        .map(|x| {
            let sx = ((x as f32 + 0.5) * fx - 0.5).clamp(0.0, (w - 1) as f32);
            let x0 = sx.floor() as usize;
            (x0, (x0 + 1).min(w - 1), sx - x0 as f32)
        })
        .collect();
    for y in 0..sh {
        let sy = ((y as f32 + 0.5) * fy - 0.5).clamp(0.0, (h - 1) as f32);
        let y0 = sy.floor() as usize;
        let y1 = (y0 + 1).min(h - 1);
        let wy = sy - y0 as f32;
        let (r0, r1) = (
            &raw[y0 * w * 3..(y0 + 1) * w * 3],
            &raw[y1 * w * 3..(y1 + 1) * w * 3],
        );
        for (x, &(x0, x1, wx)) in xs.iter().enumerate() {
            for c in 0..3 {
                let top = f32::from(r0[x0 * 3 + c]) * (1.0 - wx) + f32::from(r0[x1 * 3 + c]) * wx;
                let bot = f32::from(r1[x0 * 3 + c]) * (1.0 - wx) + f32::from(r1[x1 * 3 + c]) * wx;
                out[c * plane + y * sw + x] = norm(top * (1.0 - wy) + bot * wy);
            }
        }
    }
    out
}

/// The box's square patch resized to `size × size` by area averaging, appended to `out` as one
/// 3×size×size item of a batch. Outside the image counts as black, as in the reference, so a
/// face at the frame's edge is judged on what is visible.
///
/// Area averaging is separable (a source pixel's weight is its horizontal overlap times its
/// vertical one), so it runs as two passes with the taps worked out once per axis: every source
/// pixel of the box is read once. The direct double loop per output pixel took 13.5 ms for
/// R-Net's 21 patches of the bench capture, this takes a fraction of it
/// (`tests::separable_matches_the_direct_average` holds the two to the same result).
pub fn patch_chw(img: &RgbImage, b: &Candidate, size: usize, out: &mut Vec<f32>) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    let xs = Taps::new(b.x1, b.w().max(1.0), size, w);
    let ys = Taps::new(b.y1, b.h().max(1.0), size, h);
    let base = out.len();
    out.resize(base + 3 * size * size, norm(0.0));
    let Some((row0, row1)) = ys.span() else {
        return;
    };
    // Horizontal pass: every source row the patch touches, averaged across into `size` cells.
    let mut across = vec![0.0f32; (row1 - row0) * size * 3];
    for (py, cells) in (row0..row1).zip(across.chunks_exact_mut(size * 3)) {
        let row = &raw[py * w * 3..(py + 1) * w * 3];
        for (ox, cell) in cells.chunks_exact_mut(3).enumerate() {
            let mut acc = [0.0f32; 3];
            for &(px, wx) in xs.of(ox) {
                let p = &row[px * 3..px * 3 + 3];
                for c in 0..3 {
                    acc[c] += f32::from(p[c]) * wx;
                }
            }
            cell.copy_from_slice(&acc);
        }
    }
    // Vertical pass, then the whole cell's area (outside pixels included: they count as black).
    let plane = size * size;
    for oy in 0..size {
        for ox in 0..size {
            let area = xs.total[ox] * ys.total[oy];
            if area <= 0.0 {
                continue;
            }
            let mut acc = [0.0f32; 3];
            for &(py, wy) in ys.of(oy) {
                let cell = &across[((py - row0) * size + ox) * 3..][..3];
                for c in 0..3 {
                    acc[c] += cell[c] * wy;
                }
            }
            for c in 0..3 {
                out[base + c * plane + oy * size + ox] = norm(acc[c] / area);
            }
        }
    }
}

/// Along one axis: for each output cell, the in-image source pixels it overlaps with their
/// overlap, and the cell's whole width (inside and outside the image).
struct Taps {
    taps: Vec<(usize, f32)>,
    ranges: Vec<(usize, usize)>,
    total: Vec<f32>,
}

impl Taps {
    fn new(start: f32, len: f32, size: usize, limit: usize) -> Self {
        let step = len / size as f32;
        let mut t = Self {
            taps: Vec::new(),
            ranges: Vec::with_capacity(size),
            total: Vec::with_capacity(size),
        };
        for o in 0..size {
            let (a, b) = (start + o as f32 * step, start + (o + 1) as f32 * step);
            let first = t.taps.len();
            let mut total = 0.0;
            let mut p = a.floor() as i64;
            while (p as f32) < b {
                let wgt = (b.min(p as f32 + 1.0) - a.max(p as f32)).max(0.0);
                total += wgt;
                if let Ok(i) = usize::try_from(p)
                    && i < limit
                    && wgt > 0.0
                {
                    t.taps.push((i, wgt));
                }
                p += 1;
            }
            t.ranges.push((first, t.taps.len()));
            t.total.push(total);
        }
        t
    }

    fn of(&self, o: usize) -> &[(usize, f32)] {
        let (a, b) = self.ranges[o];
        &self.taps[a..b]
    }

    /// The source pixels any cell reads, as a half-open range; none when all are outside.
    fn span(&self) -> Option<(usize, usize)> {
        let lo = self.taps.iter().map(|t| t.0).min()?;
        let hi = self.taps.iter().map(|t| t.0).max()?;
        Some((lo, hi + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn scaling_a_flat_image_keeps_its_value_normalised() {
        let img = RgbImage::from_pixel(40, 30, Rgb([255, 127, 0]));
        let t = scaled_chw(&img, 13, 9);
        assert_eq!(t.len(), 3 * 13 * 9);
        assert!((t[0] - 0.996_093_75).abs() < 1e-6);
        assert!((t[13 * 9] + 0.003_906_25).abs() < 1e-6);
        assert!((t[2 * 13 * 9] + 0.996_093_75).abs() < 1e-6);
    }

    #[test]
    fn patch_averages_areas_and_pads_with_black() {
        // Left half white, right half black; the box reaches 10 px past the right edge.
        let img = RgbImage::from_fn(
            20,
            20,
            |x, _| if x < 10 { Rgb([255; 3]) } else { Rgb([0; 3]) },
        );
        let b = Candidate {
            x1: 0.0,
            y1: 0.0,
            x2: 29.0,
            y2: 29.0,
            score: 1.0,
        };
        let mut out = Vec::new();
        patch_chw(&img, &b, 3, &mut out);
        assert_eq!(out.len(), 27);
        // Top row of red: white, black, padding (black).
        assert!((out[0] - norm(255.0)).abs() < 1e-5);
        assert!((out[1] - norm(0.0)).abs() < 1e-5);
        assert!((out[2] - norm(0.0)).abs() < 1e-5);
    }

    /// The definition: each output pixel the overlap-weighted mean of the source pixels under
    /// it, outside the image black.
    fn direct(img: &RgbImage, b: &Candidate, size: usize) -> Vec<f32> {
        let (w, h) = (i64::from(img.width()), i64::from(img.height()));
        let step_x = b.w().max(1.0) / size as f32;
        let step_y = b.h().max(1.0) / size as f32;
        let mut out = vec![norm(0.0); 3 * size * size];
        for oy in 0..size {
            let (ya, yb) = (b.y1 + oy as f32 * step_y, b.y1 + (oy + 1) as f32 * step_y);
            for ox in 0..size {
                let (xa, xb) = (b.x1 + ox as f32 * step_x, b.x1 + (ox + 1) as f32 * step_x);
                let (mut acc, mut area) = ([0.0f64; 3], 0.0f64);
                for py in ya.floor() as i64..=yb.ceil() as i64 {
                    let wy = (yb.min(py as f32 + 1.0) - ya.max(py as f32)).max(0.0);
                    for px in xa.floor() as i64..=xb.ceil() as i64 {
                        let wx = (xb.min(px as f32 + 1.0) - xa.max(px as f32)).max(0.0);
                        let wgt = f64::from(wx * wy);
                        area += wgt;
                        if (0..w).contains(&px) && (0..h).contains(&py) {
                            let p = img.get_pixel(px as u32, py as u32);
                            for c in 0..3 {
                                acc[c] += f64::from(p[c]) * wgt;
                            }
                        }
                    }
                }
                for c in 0..3 {
                    out[c * size * size + oy * size + ox] = norm((acc[c] / area) as f32);
                }
            }
        }
        out
    }

    #[test]
    fn separable_matches_the_direct_average() {
        // A busy image (every pixel different) and boxes inside, across edges and fractional.
        let img = RgbImage::from_fn(97, 61, |x, y| {
            Rgb([(x * 7 + y * 3) as u8, (x * y) as u8, ((x ^ y) * 2) as u8])
        });
        let boxes = [
            (10.0, 5.0, 40.3, 35.3),
            (-12.5, -7.25, 30.0, 34.75),
            (70.2, 40.7, 120.0, 90.5),
            (0.0, 0.0, 96.0, 60.0),
            (33.3, 22.2, 35.1, 24.0),
        ];
        for (x1, y1, x2, y2) in boxes {
            let b = Candidate {
                x1,
                y1,
                x2,
                y2,
                score: 1.0,
            };
            for size in [3, 24, 48] {
                let mut fast = vec![1.0];
                patch_chw(&img, &b, size, &mut fast);
                assert_eq!(fast[0], 1.0, "appends after what is there");
                let want = direct(&img, &b, size);
                assert_eq!(fast.len(), 1 + want.len());
                for (i, (f, d)) in fast[1..].iter().zip(&want).enumerate() {
                    assert!(
                        (f - d).abs() < 1e-4,
                        "box {b:?} size {size} at {i}: {f} vs {d}"
                    );
                }
            }
        }
    }
}
