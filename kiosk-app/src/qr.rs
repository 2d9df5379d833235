//! Reading and classifying shooting codes.
//!
//! The personal shooting code's format is defined here and nowhere else (until the collection
//! service's API owns it): `GPK1.` followed by 16–128 URL-safe characters. A raw CHSI
//! image-collection code is encrypted and only the agency can read it, so it is recognised by
//! its outward form (configurable markers); the service's answer decides the rest.

use serde::{Deserialize, Serialize};

use kiosk_core::flow::ScannedCode;

/// Classification rules, from the `[qr]` config section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QrRules {
    /// Prefix of a personal shooting code.
    pub personal_prefix: String,
    /// Shortest and longest token after the prefix.
    pub token_len: (usize, usize),
    /// Case-insensitive substrings that mark a raw 学信网 code.
    pub chsi_markers: Vec<String>,
}

impl Default for QrRules {
    fn default() -> Self {
        Self {
            personal_prefix: "GPK1.".into(),
            token_len: (16, 128),
            chsi_markers: vec!["chsi.com.cn".into(), "xuexin".into(), "chsi:".into()],
        }
    }
}

/// Longest token `qr.token_len` may allow: more than a shooting code needs, and well inside
/// what a QR code a phone shows can hold.
pub const MAX_TOKEN_LEN: usize = 1024;

/// What kind of code `payload` is.
pub fn classify(rules: &QrRules, payload: &str) -> ScannedCode {
    let payload = payload.trim();
    if let Some(token) = payload.strip_prefix(&rules.personal_prefix) {
        let (min, max) = rules.token_len;
        let ok_chars = token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok_chars && (min..=max).contains(&token.len()) {
            return ScannedCode::Personal(payload.to_owned());
        }
        return ScannedCode::Foreign;
    }
    let lower = payload.to_lowercase();
    if rules
        .chsi_markers
        .iter()
        .any(|m| lower.contains(&m.to_lowercase()))
    {
        return ScannedCode::RawChsi;
    }
    ScannedCode::Foreign
}

/// The size a frame is looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// As delivered (at most [`MAX_WIDTH`] wide).
    Full,
    /// Half size: four times cheaper, averages away noise and JPEG blocks, sharpens blur.
    Half,
    /// Double size: for a phone far away whose modules are 2–3 px.
    Double,
}

/// What is done to the frame before rqrr looks at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    /// Nothing.
    None,
    /// Light and dark swapped: dark-mode screens show light modules on dark.
    Invert,
    /// Thresholded against each pixel's neighbourhood: a dim screen, where one global
    /// threshold finds no modules.
    Adaptive,
    /// Unsharp-masked, then thresholded locally: an out-of-focus code.
    Sharpen,
}

/// One way of looking at a frame. rqrr alone finds codes in clean frames; the others recover
/// the hard ones, as `cargo bench -p kiosk-e2e --bench qr_vs_zbar` measures step by step.
pub type Step = (Scale, Filter);

/// The steps [`decode_image`] tries, cheapest first, until one finds a code. A later step costs
/// time only on frames where the earlier ones found nothing.
pub const STEPS: &[Step] = &[
    (Scale::Half, Filter::None),
    (Scale::Full, Filter::None),
    (Scale::Half, Filter::Invert),
    (Scale::Full, Filter::Invert),
    (Scale::Half, Filter::Adaptive),
    (Scale::Half, Filter::Sharpen),
    (Scale::Full, Filter::Sharpen),
];

/// Largest width decoded as is; wider frames are scaled down first (rqrr's time grows with
/// pixels, and a code the booth's camera sees is large).
pub const MAX_WIDTH: u32 = 1280;

fn detect(img: image::GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare(img);
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

/// Decode with the given steps: the first step that finds anything wins.
pub fn decode_gray(img: &image::GrayImage, steps: &[Step]) -> Vec<String> {
    use image::imageops::{FilterType, resize};
    let mut half: Option<image::GrayImage> = None;
    for (scale, filter) in steps {
        let scaled = match scale {
            Scale::Full => img.clone(),
            Scale::Half => half
                .get_or_insert_with(|| {
                    resize(img, img.width() / 2, img.height() / 2, FilterType::Triangle)
                })
                .clone(),
            Scale::Double if img.width() <= MAX_WIDTH / 2 => {
                resize(img, img.width() * 2, img.height() * 2, FilterType::Triangle)
            }
            Scale::Double => continue,
        };
        // The neighbourhood spans about four modules of a code the booth's camera sees.
        let radius = if *scale == Scale::Half { 6 } else { 12 };
        let prepared = match filter {
            Filter::None => scaled,
            Filter::Invert => {
                let mut inv = scaled;
                image::imageops::invert(&mut inv);
                inv
            }
            Filter::Adaptive => imageproc::contrast::adaptive_threshold(&scaled, radius, 0),
            Filter::Sharpen => {
                let sharp = imageproc::filter::sharpen_gaussian(&scaled, 2.0, 4.0);
                imageproc::contrast::adaptive_threshold(&sharp, radius, 0)
            }
        };
        let found = detect(prepared);
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

/// Smallest image side that can hold a QR code (version 1 is 21 modules square).
pub const MIN_SIDE: u32 = 21;
/// Largest image looked at, in pixels: a 40 MP photo of a card; a camera's live view is under
/// 1 MP. Checked from the header, before anything is decoded or allocated.
pub const MAX_PIXELS: u64 = 40_000_000;

/// Why an image could not be looked at.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    /// Outside [`MIN_SIDE`] … [`MAX_PIXELS`], read from the header.
    #[error("the image is {width} × {height}: {why}")]
    Size {
        /// Width from the header.
        width: u32,
        /// Height from the header.
        height: u32,
        /// Which bound it breaks.
        why: String,
    },
    /// Not an image, or a broken one.
    #[error(transparent)]
    Image(#[from] image::ImageError),
}

/// Decode every QR code in a JPEG (or any image) frame, trying [`STEPS`].
pub fn decode_image(bytes: &[u8]) -> Result<Vec<String>, QrError> {
    decode_image_with(bytes, STEPS)
}

/// [`decode_image`] with chosen steps (the benchmark measures each).
pub fn decode_image_with(bytes: &[u8], steps: &[Step]) -> Result<Vec<String>, QrError> {
    let gray = luma(bytes)?;
    let gray = if gray.width() > MAX_WIDTH {
        let h = (MAX_WIDTH * gray.height() / gray.width()).max(1);
        image::imageops::resize(&gray, MAX_WIDTH, h, image::imageops::FilterType::Triangle)
    } else {
        gray
    };
    Ok(decode_gray(&gray, steps))
}

/// The image's size from its header alone, checked against [`MIN_SIDE`] and [`MAX_PIXELS`].
fn check_size(bytes: &[u8]) -> Result<(), QrError> {
    let (width, height) = reader(bytes)?.into_dimensions()?;
    let why = if width.min(height) < MIN_SIDE {
        format!("too small to hold a QR code (at least {MIN_SIDE} px a side)")
    } else if u64::from(width) * u64::from(height) > MAX_PIXELS {
        format!("more than the {MAX_PIXELS} pixels looked at")
    } else {
        return Ok(());
    };
    Err(QrError::Size { width, height, why })
}

/// The frame's brightness only, after its header's size is checked. Live view is JPEG:
/// zune-jpeg decodes it straight to luma, skipping chroma upsampling and colour conversion
/// (measured: the largest fixed cost of a frame through `image`'s RGB path). Anything else goes
/// through `image`, with its allocation limit set from [`MAX_PIXELS`] (a PNG bomb is refused
/// from its header).
fn luma(bytes: &[u8]) -> Result<image::GrayImage, QrError> {
    check_size(bytes)?;
    if bytes.starts_with(&[0xFF, 0xD8]) {
        use zune_jpeg::zune_core::{
            bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions,
        };
        let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::Luma);
        let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
        if let Ok(pixels) = decoder.decode()
            && let Some(info) = decoder.info()
            && let Some(img) =
                image::GrayImage::from_raw(u32::from(info.width), u32::from(info.height), pixels)
        {
            return Ok(img);
        }
    }
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4);
    let mut image = reader(bytes)?;
    image.limits(limits);
    Ok(image.decode()?.to_luma8())
}

fn reader(bytes: &[u8]) -> Result<image::ImageReader<std::io::Cursor<&[u8]>>, QrError> {
    Ok(image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(image::ImageError::IoError)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_codes() {
        let r = QrRules::default();
        assert_eq!(
            classify(&r, "GPK1.DEMO-ZHANG-0001-abcdef"),
            ScannedCode::Personal("GPK1.DEMO-ZHANG-0001-abcdef".into())
        );
        assert_eq!(classify(&r, "GPK1.short"), ScannedCode::Foreign);
        assert_eq!(
            classify(&r, "GPK1.has spaces in the token!"),
            ScannedCode::Foreign
        );
        assert_eq!(
            classify(&r, "https://my.chsi.com.cn/archive/xxx?c=ab12"),
            ScannedCode::RawChsi
        );
        assert_eq!(
            classify(&r, "https://example.com/menu"),
            ScannedCode::Foreign
        );
        assert_eq!(classify(&r, ""), ScannedCode::Foreign);
    }

    #[test]
    fn garbage_image_is_an_error_not_a_panic() {
        assert!(decode_image(b"not an image").is_err());
        // Too small to hold a code (this one once panicked the half-size step), and too large
        // to look at: both refused from the header, naming the size.
        for (w, h) in [(1, 2), (20, 400)] {
            let e = decode_image(&png(w, h)).unwrap_err();
            assert!(
                matches!(e, QrError::Size { width, height, .. } if (width, height) == (w, h)),
                "{e}"
            );
            assert!(e.to_string().contains("too small"), "{e}");
        }
        let e = decode_image(&huge_jpeg_header()).unwrap_err();
        assert!(e.to_string().contains("16384 × 16384"), "{e}");
        assert!(e.to_string().contains("more than"), "{e}");
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image::GrayImage::from_pixel(w, h, image::Luma([255]))
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    /// A JPEG whose header says 16384 × 16384 (a 268 MP decode), with no image data after it.
    fn huge_jpeg_header() -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image::GrayImage::from_pixel(16, 16, image::Luma([255]))
            .write_to(&mut out, image::ImageFormat::Jpeg)
            .unwrap();
        let mut jpeg = out.into_inner();
        // SOF0: FF C0, length, precision, then height and width.
        let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        jpeg[sof + 5..sof + 9].copy_from_slice(&[0x40, 0x00, 0x40, 0x00]);
        jpeg
    }
}
