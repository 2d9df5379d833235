//! From the camera's full-resolution JPEG to the CHSI registration photo, and the kiosk's own
//! checks on it.
//!
//! The CHSI photo is 480 × 640 px, 24-bit JPEG, light-blue background (see
//! `shared/notes/chsi-photo-standard.md`). The booth's camera is fixed and the chair brings the
//! eyes to a guide line, so the crop is a fixed centred 3:4 window; the service's review is the
//! final judge.

use image::{DynamicImage, GenericImageView, imageops::FilterType};
use serde::{Deserialize, Serialize};

/// Output width.
pub const WIDTH: u32 = 480;
/// Output height.
pub const HEIGHT: u32 = 640;

/// Crop and background settings, from the `[photo]` config section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PhotoConfig {
    /// Height of the crop window as a fraction of the frame height.
    pub crop_height: f32,
    /// Top of the crop window as a fraction of the frame height.
    pub crop_top: f32,
    /// JPEG quality (CHSI asks for at least 60).
    pub jpeg_quality: u8,
    /// Expected background colour.
    pub background_rgb: [u8; 3],
    /// Largest per-channel mean difference accepted for the background.
    pub background_tolerance: u8,
}

impl Default for PhotoConfig {
    fn default() -> Self {
        Self {
            crop_height: 0.9,
            crop_top: 0.05,
            jpeg_quality: 88,
            background_rgb: [100, 197, 255],
            background_tolerance: 40,
        }
    }
}

/// Turn a capture into the 480 × 640 registration photo (JPEG bytes).
pub fn process(cfg: &PhotoConfig, capture: &[u8]) -> Result<Vec<u8>, image::ImageError> {
    let img = image::load_from_memory(capture)?;
    let (w, h) = img.dimensions();
    let ch = ((h as f32 * cfg.crop_height) as u32).clamp(1, h);
    let cw = (ch * 3 / 4).min(w);
    let x = (w - cw) / 2;
    let y = ((h as f32 * cfg.crop_top) as u32).min(h - ch);
    let cropped = img.crop_imm(x, y, cw, ch);
    // Downscale in two steps: a cheap filter to twice the size, then a good one.
    let half = cropped.resize_exact(WIDTH * 2, HEIGHT * 2, FilterType::Triangle);
    let photo = half
        .resize_exact(WIDTH, HEIGHT, FilterType::CatmullRom)
        .to_rgb8();
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, cfg.jpeg_quality);
    DynamicImage::ImageRgb8(photo).write_with_encoder(encoder)?;
    Ok(out)
}

/// The kiosk's checks: reasons (zh, en) the photo would obviously fail. Empty when it passes.
pub fn check(cfg: &PhotoConfig, jpeg: &[u8]) -> Vec<(String, String)> {
    let Ok(img) = image::load_from_memory(jpeg) else {
        return vec![(
            "照片文件无法读取".into(),
            "The photo file cannot be read".into(),
        )];
    };
    let mut reasons = Vec::new();
    if img.dimensions() != (WIDTH, HEIGHT) {
        reasons.push((
            format!(
                "照片尺寸应为 480×640，实际 {}×{}",
                img.width(),
                img.height()
            ),
            format!(
                "The photo must be 480×640, not {}×{}",
                img.width(),
                img.height()
            ),
        ));
        return reasons;
    }
    let rgb = img.to_rgb8();
    // Background: the two top corners, 40 × 40 px each.
    let mut sum = [0u64; 3];
    let mut n = 0u64;
    for (x0, y0) in [(8, 8), (WIDTH - 48, 8)] {
        for y in y0..y0 + 40 {
            for x in x0..x0 + 40 {
                let p = rgb.get_pixel(x, y);
                for c in 0..3 {
                    sum[c] += u64::from(p[c]);
                }
                n += 1;
            }
        }
    }
    let off = (0..3)
        .map(|c| (sum[c] / n).abs_diff(u64::from(cfg.background_rgb[c])))
        .max()
        .unwrap_or(0);
    if off > u64::from(cfg.background_tolerance) {
        reasons.push((
            "背景颜色不符合要求（应为浅蓝色、均匀）".into(),
            "The background must be an even light blue".into(),
        ));
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(bg: [u8; 3]) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(1500, 1000, image::Rgb(bg));
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(
                &mut std::io::Cursor::new(&mut out),
                image::ImageFormat::Jpeg,
            )
            .unwrap();
        out
    }

    #[test]
    fn crops_to_480_by_640_and_checks_background() {
        let cfg = PhotoConfig::default();
        let photo = process(&cfg, &capture([100, 197, 255])).unwrap();
        let img = image::load_from_memory(&photo).unwrap();
        assert_eq!(img.dimensions(), (480, 640));
        assert!(check(&cfg, &photo).is_empty());
        let grey = process(&cfg, &capture([90, 90, 90])).unwrap();
        assert_eq!(check(&cfg, &grey).len(), 1);
        assert_eq!(
            check(&cfg, &capture([100, 197, 255])).len(),
            1,
            "wrong size"
        );
        assert_eq!(check(&cfg, b"junk").len(), 1);
    }
}
