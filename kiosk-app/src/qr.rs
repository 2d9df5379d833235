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

/// The kind's name in logs and `kiosk qr decode`'s output.
pub fn kind_name(kind: &ScannedCode) -> &'static str {
    match kind {
        ScannedCode::Personal(_) => "personal",
        ScannedCode::RawChsi => "raw_chsi",
        ScannedCode::Foreign => "foreign",
        ScannedCode::SeveralPersonal => "several_personal",
    }
}

/// What the booth makes of every code read from one frame, and a key for "the same thing held
/// in view": a personal code wins over anything else in the frame (a raw CHSI code beside it on
/// the same screen is ignored, not reported); two different personal codes at once are
/// [`ScannedCode::SeveralPersonal`], so none is used; otherwise the first code says what the
/// frame is. `None` when the frame had no code.
pub fn pick(rules: &QrRules, codes: &[String]) -> Option<(ScannedCode, String)> {
    let kinds: Vec<ScannedCode> = codes.iter().map(|c| classify(rules, c)).collect();
    let mut personal: Vec<&String> = kinds
        .iter()
        .filter_map(|k| match k {
            ScannedCode::Personal(p) => Some(p),
            _ => None,
        })
        .collect();
    personal.sort();
    personal.dedup();
    match personal.as_slice() {
        [one] => Some((ScannedCode::Personal((*one).clone()), (*one).clone())),
        [_, _, ..] => {
            let key = personal.iter().map(|p| p.as_str()).collect::<Vec<_>>();
            Some((ScannedCode::SeveralPersonal, key.join("\n")))
        }
        [] => {
            let at = kinds
                .iter()
                .position(|k| *k == ScannedCode::RawChsi)
                .unwrap_or(0);
            Some((kinds.get(at)?.clone(), codes[at].clone()))
        }
    }
}

/// Which decoder looks at a prepared frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    /// zxing-cpp (the maintained C++ ZXing, built from source by the `zxing-cpp` crate): its
    /// own local binarizer, inverted and downscaled retries, every code in the frame. The
    /// strongest and fastest of the decoders measured (`cargo bench --bench qr_decoders`).
    Zxing,
    /// zxing-cpp with one global threshold: a code under glare or a gradient that the local
    /// binarizer breaks into islands.
    ZxingGlobal,
    /// rqrr (pure Rust): a different finder-pattern search that still reads some frames
    /// zxing-cpp gives up on (steep tilt, heavy blur once thresholded).
    Rqrr,
}

/// The size a frame is looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// As delivered (at most [`MAX_WIDTH`] wide).
    Full,
    /// Half size: four times cheaper, averages away noise and JPEG blocks, sharpens blur.
    Half,
}

/// What is done to the frame before the reader looks at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    /// Nothing (zxing-cpp tries the frame inverted itself, for dark-mode screens).
    None,
    /// Unsharp-masked: a small or out-of-focus code.
    Sharpen,
    /// A 3 × 3 mean: sensor noise in a dim booth, which breaks modules into speckle.
    Smooth,
}

/// One way of looking at a frame. zxing-cpp alone reads most frames; the others recover some
/// it misses, as `cargo bench -p kiosk-e2e --bench qr_decoders` measures step by step.
pub type Step = (Reader, Scale, Filter);

/// The steps [`decode_image`] tries, cheapest first, until one finds a code. A later step costs
/// time only on frames where the earlier ones found nothing (and on frames with no code: about
/// 20 ms in all on the booth's PC). Chosen on the corpus's tuning set, each step for the frames
/// it alone recovered there: half size for sensor noise, a global threshold of a sharpened
/// frame for small and out-of-focus codes, a 3 × 3 mean for heavy noise.
pub const STEPS: &[Step] = &[
    (Reader::Zxing, Scale::Full, Filter::None),
    (Reader::Zxing, Scale::Half, Filter::None),
    (Reader::ZxingGlobal, Scale::Full, Filter::Sharpen),
    (Reader::Zxing, Scale::Full, Filter::Smooth),
    (Reader::Zxing, Scale::Full, Filter::Sharpen),
];

/// Largest width decoded as is; wider frames are scaled down first (a decoder's time grows
/// with pixels, and a code the booth's camera sees is large).
pub const MAX_WIDTH: u32 = 1280;

fn rqrr(img: image::GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare(img);
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

fn zxing(img: &image::GrayImage, binarizer: zxingcpp::Binarizer) -> Vec<String> {
    let Ok(view) = zxingcpp::ImageView::from_slice(
        img.as_raw(),
        img.width(),
        img.height(),
        zxingcpp::ImageFormat::Lum,
    ) else {
        return Vec::new();
    };
    let reader = zxingcpp::read()
        .formats([zxingcpp::BarcodeFormat::QRCode])
        .binarizer(binarizer)
        .text_mode(zxingcpp::TextMode::Plain)
        .try_harder(true)
        .try_invert(true)
        .try_rotate(true)
        .try_downscale(true);
    reader
        .from(view)
        .unwrap_or_default()
        .into_iter()
        .filter(|b| b.is_valid())
        .map(|b| b.text())
        .collect()
}

/// Half size by averaging each 2 × 2 block. Written out because `image`'s resampling filters
/// compute their kernel per pixel: its Triangle resize took 25 ms of a 1280 × 720 frame, this
/// takes about one.
fn halve(img: &image::GrayImage) -> image::GrayImage {
    let (w, h) = (img.width() / 2, img.height() / 2);
    let src = img.as_raw();
    let stride = img.width() as usize;
    image::GrayImage::from_fn(w, h, |x, y| {
        let i = 2 * y as usize * stride + 2 * x as usize;
        let sum = u16::from(src[i])
            + u16::from(src[i + 1])
            + u16::from(src[i + stride])
            + u16::from(src[i + stride + 1]);
        image::Luma([(sum / 4) as u8])
    })
}

/// Unsharp masking against a 5 × 5 box mean (imageproc's box filter is a running sum, a few
/// milliseconds a frame; its Gaussian sharpen took fifteen).
fn sharpen(img: &image::GrayImage) -> image::GrayImage {
    let mean = imageproc::filter::box_filter(img, 2, 2);
    let mut out = img.clone();
    for (o, m) in out.iter_mut().zip(mean.iter()) {
        let v = 2 * i16::from(*o) - i16::from(*m);
        *o = v.clamp(0, 255) as u8;
    }
    out
}

/// Decode with the given steps until one finds anything: every code that step saw in the
/// frame, each once.
pub fn decode_gray(img: &image::GrayImage, steps: &[Step]) -> Vec<String> {
    decode_gray_until(img, steps, |found| !found.is_empty())
}

/// Decode with the given steps, gathering every code each step finds (each once), until
/// `enough` says what has been found will do.
pub fn decode_gray_until(
    img: &image::GrayImage,
    steps: &[Step],
    enough: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    use std::borrow::Cow;
    let mut all: Vec<String> = Vec::new();
    let mut half: Option<image::GrayImage> = None;
    for (reader, scale, filter) in steps {
        let scaled = match scale {
            Scale::Full => Cow::Borrowed(img),
            Scale::Half => Cow::Borrowed(&*half.get_or_insert_with(|| halve(img))),
        };
        let prepared = match filter {
            Filter::None => scaled,
            Filter::Sharpen => Cow::Owned(sharpen(&scaled)),
            Filter::Smooth => Cow::Owned(imageproc::filter::box_filter(&scaled, 1, 1)),
        };
        let found = match reader {
            Reader::Zxing => zxing(&prepared, zxingcpp::Binarizer::LocalAverage),
            Reader::ZxingGlobal => zxing(&prepared, zxingcpp::Binarizer::GlobalHistogram),
            Reader::Rqrr => rqrr(prepared.into_owned()),
        };
        for code in found {
            if !all.contains(&code) {
                all.push(code);
            }
        }
        if enough(&all) {
            break;
        }
    }
    all
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

/// What the scan screen decodes a live-view frame with: like [`decode_image`], but a frame whose
/// codes are none of them personal goes on through the remaining steps, so a graduate's code
/// that only a later step reads is not hidden by a poster or a payment sticker beside it that
/// the first step read (such a frame costs all the steps, about 20 ms).
pub fn decode_for_scan(bytes: &[u8], rules: &QrRules) -> Result<Vec<String>, QrError> {
    let gray = luma_at_most(bytes)?;
    Ok(decode_gray_until(&gray, STEPS, |found| {
        found
            .iter()
            .any(|c| matches!(classify(rules, c), ScannedCode::Personal(_)))
    }))
}

/// [`decode_image`] with chosen steps (the benchmark measures each).
pub fn decode_image_with(bytes: &[u8], steps: &[Step]) -> Result<Vec<String>, QrError> {
    Ok(decode_gray(&luma_at_most(bytes)?, steps))
}

/// The frame's brightness, scaled down to [`MAX_WIDTH`] when wider.
fn luma_at_most(bytes: &[u8]) -> Result<image::GrayImage, QrError> {
    let gray = luma(bytes)?;
    Ok(if gray.width() > MAX_WIDTH {
        let h = (MAX_WIDTH * gray.height() / gray.width()).max(1);
        image::imageops::resize(&gray, MAX_WIDTH, h, image::imageops::FilterType::Triangle)
    } else {
        gray
    })
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
    fn several_codes_in_a_frame() {
        let r = QrRules::default();
        let own = "GPK1.DEMO-ZHANG-0001-abcdef".to_owned();
        let other = "GPK1.DEMO-WANG-0002-ghijkl".to_owned();
        let chsi = "https://my.chsi.com.cn/archive/xxx?c=ab12".to_owned();
        let menu = "https://example.com/menu".to_owned();
        let kind = |codes: &[&String]| {
            let codes: Vec<String> = codes.iter().map(|c| (*c).clone()).collect();
            pick(&r, &codes).map(|(k, _)| k)
        };
        assert_eq!(kind(&[]), None);
        // The personal code is used, whatever else is in view, and the same code twice is one.
        assert_eq!(
            kind(&[&chsi, &own]),
            Some(ScannedCode::Personal(own.clone()))
        );
        assert_eq!(
            kind(&[&menu, &own, &own]),
            Some(ScannedCode::Personal(own.clone()))
        );
        // Two graduates' codes: neither.
        assert_eq!(kind(&[&own, &other]), Some(ScannedCode::SeveralPersonal));
        // The same pair in either order is the same thing held in view.
        let key = |codes: &[String]| pick(&r, codes).unwrap().1;
        assert_eq!(
            key(&[own.clone(), other.clone()]),
            key(&[other.clone(), own.clone()])
        );
        // No personal code: a raw CHSI code anywhere in the frame is what it is told about.
        assert_eq!(kind(&[&menu, &chsi]), Some(ScannedCode::RawChsi));
        assert_eq!(kind(&[&menu]), Some(ScannedCode::Foreign));
    }

    /// A clean code on a light screen and a dark-mode one (light modules on dark), side by side.
    fn light_and_dark(light: &str, dark: &str) -> image::GrayImage {
        let mut img = image::GrayImage::from_pixel(900, 420, image::Luma([200]));
        for (payload, x0, negative) in [(light, 40, false), (dark, 480, true)] {
            let code = qrcode::QrCode::new(payload.as_bytes()).unwrap();
            let n = code.width() as u32;
            let (fg, bg) = if negative { (235, 25) } else { (25, 235) };
            for y in 0..(n + 8) * 8 {
                for x in 0..(n + 8) * 8 {
                    let (mx, my) = ((x / 8).wrapping_sub(4), (y / 8).wrapping_sub(4));
                    let dark_module =
                        mx < n && my < n && code[(mx as usize, my as usize)] == qrcode::Color::Dark;
                    let v = if dark_module { fg } else { bg };
                    img.put_pixel(x0 + x, 40 + y, image::Luma([v]));
                }
            }
        }
        img
    }

    #[test]
    fn the_scan_screen_looks_on_past_a_code_that_is_not_personal() {
        let rules = QrRules::default();
        let menu = "https://example.com/menu";
        let own = "GPK1.DEMO-ZHANG-0001-abcdef";
        let img = light_and_dark(menu, own);
        // rqrr reads no dark-mode code; zxing-cpp reads both.
        let steps = [
            (Reader::Rqrr, Scale::Full, Filter::None),
            (Reader::Zxing, Scale::Full, Filter::None),
        ];
        assert_eq!(decode_gray(&img, &steps), vec![menu.to_owned()]);
        let personal = |found: &[String]| {
            found
                .iter()
                .any(|c| matches!(classify(&rules, c), ScannedCode::Personal(_)))
        };
        let both = decode_gray_until(&img, &steps, personal);
        assert_eq!(both, vec![menu.to_owned(), own.to_owned()]);
        assert_eq!(
            pick(&rules, &both).unwrap().0,
            ScannedCode::Personal(own.to_owned())
        );
        // The booth's own steps read both at once.
        let mut jpeg = std::io::Cursor::new(Vec::new());
        img.write_to(&mut jpeg, image::ImageFormat::Png).unwrap();
        let found = decode_for_scan(jpeg.get_ref(), &rules).unwrap();
        assert!(found.contains(&own.to_owned()), "{found:?}");
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
