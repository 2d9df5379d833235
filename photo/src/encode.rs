//! The photo's JPEG: 24-bit, 300 dpi in the JFIF header, quality chosen so the file lands in
//! 20–40 KB and never below 60 (CHSI's file rules, `shared/notes/chsi-photo-standard.md`).

use image::RgbImage;

use crate::error::PhotoError;

/// CHSI's lowest accepted quality.
pub const MIN_QUALITY: u8 = 60;
/// Highest quality tried: above this the file grows with nothing visible gained.
pub const MAX_QUALITY: u8 = 95;
/// The file size CHSI's notices say the photo "usually" has.
pub const TARGET_BYTES: std::ops::RangeInclusive<usize> = 20 * 1024..=40 * 1024;
/// Resolution written in the JFIF header.
pub const DPI: u16 = 300;

/// An encoded photo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    /// The JPEG file.
    pub bytes: Vec<u8>,
    /// The quality it was written with.
    pub quality: u8,
}

/// One encode with libjpeg-turbo (4:2:0, what cameras and CHSI's samples use): about 2 ms for
/// 480 × 640, so the size search below costs little. The JFIF density is then set to 300 dpi
/// in place: the `turbojpeg` crate exposes no density parameter, and the APP0 segment
/// libjpeg-turbo writes first has a fixed layout (JFIF 1.02 §"JFIF APP0 marker").
pub fn encode_at(img: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let (w, h) = img.dimensions();
    let image = turbojpeg::Image {
        pixels: img.as_raw().as_slice(),
        width: w as usize,
        pitch: w as usize * 3,
        height: h as usize,
        format: turbojpeg::PixelFormat::RGB,
    };
    let encode_err = |e: turbojpeg::Error| PhotoError::Encode {
        reason: e.to_string(),
    };
    let mut c = turbojpeg::Compressor::new().map_err(encode_err)?;
    c.set_quality(i32::from(quality)).map_err(encode_err)?;
    c.set_subsamp(turbojpeg::Subsamp::Sub2x2)
        .map_err(encode_err)?;
    let mut bytes = c.compress_to_vec(image).map_err(encode_err)?;
    set_dpi(&mut bytes, DPI)?;
    Ok(bytes)
}

/// Writes `dpi` into the JFIF APP0 segment that must open the file.
pub fn set_dpi(jpeg: &mut [u8], dpi: u16) -> Result<(), PhotoError> {
    // FFD8, FFE0, length, "JFIF\0", version (2), units (1), X density (2), Y density (2).
    if jpeg.len() < 18 || jpeg[..4] != [0xFF, 0xD8, 0xFF, 0xE0] || &jpeg[6..11] != b"JFIF\0" {
        return Err(PhotoError::Encode {
            reason: "the encoder wrote no JFIF header to put the resolution in".into(),
        });
    }
    jpeg[13] = 1; // dots per inch
    jpeg[14..16].copy_from_slice(&dpi.to_be_bytes());
    jpeg[16..18].copy_from_slice(&dpi.to_be_bytes());
    Ok(())
}

/// The highest quality between [`MIN_QUALITY`] and [`MAX_QUALITY`] whose file is at most
/// 40 KB (binary search: file size grows with quality). A photo too detailed for 40 KB at 60
/// is written at 60; one smaller than 20 KB even at 95 is written at 95.
pub fn encode_photo(img: &RgbImage) -> Result<Encoded, PhotoError> {
    let max = *TARGET_BYTES.end();
    let top = encode_at(img, MAX_QUALITY)?;
    if top.len() <= max {
        return Ok(Encoded {
            bytes: top,
            quality: MAX_QUALITY,
        });
    }
    let mut best = Encoded {
        bytes: encode_at(img, MIN_QUALITY)?,
        quality: MIN_QUALITY,
    };
    if best.bytes.len() > max {
        return Ok(best);
    }
    let (mut lo, mut hi) = (MIN_QUALITY + 1, MAX_QUALITY - 1);
    while lo <= hi {
        let q = lo + (hi - lo) / 2;
        let bytes = encode_at(img, q)?;
        if bytes.len() <= max {
            best = Encoded { bytes, quality: q };
            lo = q + 1;
        } else {
            hi = q - 1;
        }
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A photo-like test card: smooth gradients plus fine deterministic texture, so the size
    /// depends on quality the way a portrait's does.
    fn card(texture: u32) -> RgbImage {
        RgbImage::from_fn(480, 640, |x, y| {
            let n = ((x * 7919 + y * 104_729) % 97) as f32 / 97.0;
            let t = (texture as f32) * (n - 0.5);
            image::Rgb([
                (100.0 + x as f32 / 6.0 + t).clamp(0.0, 255.0) as u8,
                (150.0 + y as f32 / 8.0 + t).clamp(0.0, 255.0) as u8,
                (200.0 - x as f32 / 10.0 + t).clamp(0.0, 255.0) as u8,
            ])
        })
    }

    #[test]
    fn the_file_says_300_dpi_and_is_a_480_by_640_colour_jpeg() {
        let e = encode_photo(&card(40)).unwrap();
        // JFIF 1.x; units 1 (dots per inch); 300 = 0x012C across and down.
        assert_eq!(e.bytes[11], 1);
        assert_eq!(&e.bytes[13..18], &[1, 1, 44, 1, 44]);
        let img = image::load_from_memory(&e.bytes).unwrap();
        assert_eq!((img.width(), img.height()), (480, 640));
        assert_eq!(img.color(), image::ColorType::Rgb8);
    }

    #[test]
    fn quality_is_the_highest_that_fits_40_kb_and_never_below_60() {
        for texture in [10, 40, 80, 255] {
            let img = card(texture);
            let e = encode_photo(&img).unwrap();
            assert!(e.quality >= MIN_QUALITY, "{texture}: {}", e.quality);
            if e.quality > MIN_QUALITY {
                assert!(e.bytes.len() <= 40 * 1024, "{texture}: {}", e.bytes.len());
            }
            if e.quality < MAX_QUALITY && e.quality > MIN_QUALITY {
                let next = encode_at(&img, e.quality + 1).unwrap();
                assert!(next.len() > 40 * 1024, "{texture}: q+1 fits too");
            }
        }
        // Pure noise cannot reach 40 KB at 60: it is written at 60, not lower.
        let noise = RgbImage::from_fn(480, 640, |x, y| {
            let v = ((x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) >> 7) as u8;
            image::Rgb([v, v.wrapping_mul(3), v.wrapping_mul(7)])
        });
        let e = encode_photo(&noise).unwrap();
        assert_eq!(e.quality, MIN_QUALITY);
    }

    #[test]
    fn a_file_without_jfif_is_refused() {
        assert!(set_dpi(&mut [0xFF, 0xD8, 0xFF, 0xE1, 0, 16], 300).is_err());
    }
}
