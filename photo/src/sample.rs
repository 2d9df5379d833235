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
pub fn patch_chw(img: &RgbImage, b: &Candidate, size: usize, out: &mut Vec<f32>) {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let raw = img.as_raw();
    let (bw, bh) = (b.w().max(1.0), b.h().max(1.0));
    let (x1, y1) = (b.x1, b.y1);
    let step_x = bw / size as f32;
    let step_y = bh / size as f32;
    let base = out.len();
    out.resize(base + 3 * size * size, norm(0.0));
    for oy in 0..size {
        let (ya, yb) = (y1 + oy as f32 * step_y, y1 + (oy + 1) as f32 * step_y);
        for ox in 0..size {
            let (xa, xb) = (x1 + ox as f32 * step_x, x1 + (ox + 1) as f32 * step_x);
            let mut acc = [0.0f32; 3];
            let mut area = 0.0f32;
            let mut py = ya.floor() as i64;
            while (py as f32) < yb {
                let wy = (yb.min(py as f32 + 1.0) - ya.max(py as f32)).max(0.0);
                let mut px = xa.floor() as i64;
                while (px as f32) < xb {
                    let wx = (xb.min(px as f32 + 1.0) - xa.max(px as f32)).max(0.0);
                    let wgt = wx * wy;
                    area += wgt;
                    if (0..w).contains(&px) && (0..h).contains(&py) {
                        let i = ((py * w + px) * 3) as usize;
                        for c in 0..3 {
                            acc[c] += f32::from(raw[i + c]) * wgt;
                        }
                    }
                    px += 1;
                }
                py += 1;
            }
            if area > 0.0 {
                for c in 0..3 {
                    out[base + c * size * size + oy * size + ox] = norm(acc[c] / area);
                }
            }
        }
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
}
