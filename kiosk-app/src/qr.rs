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

/// Decode every QR code in a JPEG (or any image) frame, trying [`STEPS`].
pub fn decode_image(bytes: &[u8]) -> Result<Vec<String>, image::ImageError> {
    decode_image_with(bytes, STEPS)
}

/// [`decode_image`] with chosen steps (the benchmark measures each).
pub fn decode_image_with(bytes: &[u8], steps: &[Step]) -> Result<Vec<String>, image::ImageError> {
    let gray = luma(bytes)?;
    let gray = if gray.width() > MAX_WIDTH {
        let h = MAX_WIDTH * gray.height() / gray.width();
        image::imageops::resize(&gray, MAX_WIDTH, h, image::imageops::FilterType::Triangle)
    } else {
        gray
    };
    Ok(decode_gray(&gray, steps))
}

/// The frame's brightness only. Live view is JPEG: zune-jpeg decodes it straight to luma,
/// skipping chroma upsampling and colour conversion (measured: the largest fixed cost of a
/// frame through `image`'s RGB path). Anything else goes through `image`.
fn luma(bytes: &[u8]) -> Result<image::GrayImage, image::ImageError> {
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
    Ok(image::load_from_memory(bytes)?.to_luma8())
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
    }
}
