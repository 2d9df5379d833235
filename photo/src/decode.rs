//! The capture's JPEG to RGB pixels, once per shot, no larger than the photo needs: the header is
//! checked first (size limit, truncation), then the decoder scales in the DCT domain.
//!
//! Decoder: libjpeg-turbo 3 through the `turbojpeg` crate, scaling by 1/2, 1/4 or 1/8 in the
//! IDCT. Measured against `image`, zune-jpeg and jpeg-decoder's scaled IDCT in
//! `benches/decode.rs`: on a 24 MP capture at 1/4 it took 81–87 ms against jpeg-decoder's
//! 116–123 ms and full decodes' 136–200 ms (numbers in the README).

use image::RgbImage;
use image::metadata::Orientation;

use crate::Point;
use crate::error::PhotoError;

/// Short side the photo path asks for. The CHSI photo is 640 px high and its window is at most
/// the frame's height, typically two thirds of it; 960 px keeps the window at 640 px or more.
pub const PHOTO_SHORT_SIDE: u32 = 960;

/// Smallest side accepted: below this there is no face to frame.
pub const MIN_SIDE: u32 = 64;

/// What the frame header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JpegHeader {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Colour components (1 grey, 3 YCbCr, 4 CMYK).
    pub components: u8,
    /// How the pixels are to be turned to stand upright (the Exif orientation a camera writes
    /// when it is held or mounted on its side); no transform without Exif.
    pub orientation: Orientation,
}

/// A decoded capture and how it relates to the original pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// The pixels, possibly reduced by `1 / denom`.
    pub image: RgbImage,
    /// Width of the JPEG itself.
    pub source_width: u32,
    /// Height of the JPEG itself.
    pub source_height: u32,
    /// DCT scaling denominator used: 1, 2, 4 or 8.
    pub denom: u32,
    /// The Exif orientation that was applied to stand `image` upright. `source_width` and
    /// `source_height` are the upright image's too: every coordinate the photo path reports is
    /// in the capture as a viewer shows it.
    pub orientation: Orientation,
}

impl Decoded {
    /// Maps a point of `image` back to the JPEG's own pixel coordinates.
    pub fn to_source(&self, p: Point) -> Point {
        let sx = self.source_width as f32 / self.image.width().max(1) as f32;
        let sy = self.source_height as f32 / self.image.height().max(1) as f32;
        Point {
            x: p.x * sx,
            y: p.y * sy,
        }
    }
}

fn bad(reason: impl Into<String>) -> PhotoError {
    PhotoError::BadImage {
        reason: reason.into(),
    }
}

/// Reads the frame header without decoding anything, and checks that the data reaches an
/// end-of-image marker after the frame (a file cut short in transfer does not).
pub fn read_header(jpeg: &[u8]) -> Result<JpegHeader, PhotoError> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return Err(bad("no JPEG start-of-image marker"));
    }
    let mut i = 2;
    let mut orientation = None;
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        if jpeg.get(i) != Some(&0xFF) {
            return Err(bad(format!("expected a marker at byte {i}")));
        }
        while jpeg.get(i) == Some(&0xFF) {
            i += 1;
        }
        let marker = *jpeg
            .get(i)
            .ok_or_else(|| bad("the data ends inside the header"))?;
        i += 1;
        match marker {
            0xD8 | 0x01 | 0xD0..=0xD7 => continue,
            0xD9 | 0xDA => return Err(bad("no frame header before the image data")),
            _ => {}
        }
        let len = match jpeg.get(i..i + 2) {
            Some(b) => usize::from(u16::from_be_bytes([b[0], b[1]])),
            None => return Err(bad("the data ends inside the header")),
        };
        if len < 2 || i + len > jpeg.len() {
            return Err(bad("the data ends inside the header"));
        }
        let seg = &jpeg[i + 2..i + len];
        i += len;
        match marker {
            // The first Exif block is the camera's (a later one would be an editor's copy).
            0xE1 if orientation.is_none() && seg.starts_with(b"Exif\0\0") => {
                orientation = Some(Orientation::from_exif_chunk(&seg[6..]));
            }
            // Baseline, extended and progressive Huffman: what cameras write.
            0xC0..=0xC2 => {
                if seg.len() < 6 {
                    return Err(bad("frame header too short"));
                }
                let height = u32::from(u16::from_be_bytes([seg[1], seg[2]]));
                let width = u32::from(u16::from_be_bytes([seg[3], seg[4]]));
                let components = seg[5];
                if width == 0 || height == 0 {
                    return Err(bad("the frame header gives no size"));
                }
                if jpeg[i..]
                    .windows(2)
                    .rposition(|w| w == [0xFF, 0xD9])
                    .is_none()
                {
                    return Err(bad(
                        "the data ends before the image does (no end-of-image marker)",
                    ));
                }
                return Ok(JpegHeader {
                    width,
                    height,
                    components,
                    // Exif without an orientation, or with a value outside 1–8: as stored.
                    orientation: orientation.flatten().unwrap_or(Orientation::NoTransforms),
                });
            }
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                return Err(bad(
                    "lossless, hierarchical or arithmetic-coded JPEG is not supported",
                ));
            }
            _ => {}
        }
    }
}

/// Decodes a capture for the photo: refuses more than `max_pixels` (from the header, before
/// any allocation) and reduces by 1/2, 1/4 or 1/8 while the short side stays at least
/// [`PHOTO_SHORT_SIDE`].
pub fn decode_for_photo(jpeg: &[u8], max_pixels: u64) -> Result<Decoded, PhotoError> {
    decode_scaled(jpeg, max_pixels, PHOTO_SHORT_SIDE)
}

/// The DCT scaling used: 1/8, 1/4 or 1/2 while the short side stays at least `min_short_side`.
fn denominator(h: &JpegHeader, min_short_side: u32) -> u32 {
    let short = h.width.min(h.height);
    [8u32, 4, 2]
        .into_iter()
        .find(|d| short.div_ceil(*d) >= min_short_side)
        .unwrap_or(1)
}

/// The size [`decode_any`] will give a JPEG, read from its header alone (microseconds), so work
/// that depends on it can start while the decode runs. `None` for anything [`decode_any`] would
/// refuse or that is not a JPEG.
pub fn decoded_size(data: &[u8], max_pixels: u64) -> Option<(u32, u32)> {
    let h = read_header(data).ok()?;
    if u64::from(h.width) * u64::from(h.height) > max_pixels || h.width.min(h.height) < MIN_SIDE {
        return None;
    }
    let d = denominator(&h, PHOTO_SHORT_SIDE);
    let (w, ht) = (h.width.div_ceil(d), h.height.div_ceil(d));
    Some(if quarter_turn(h.orientation) {
        (ht, w)
    } else {
        (w, ht)
    })
}

/// Whether `o` turns the image by a quarter (its width and height trade places).
fn quarter_turn(o: Orientation) -> bool {
    matches!(
        o,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// `img` stood upright as its Exif orientation says. This only undoes how the camera stored
/// its pixels (a body mounted on its side writes landscape pixels and "rotate 90°"), which is
/// what every viewer, CHSI's included, does with the tag: the scene itself is not turned or
/// mirrored, so it is not the rotation the standard forbids. The finished photo carries no
/// Exif, so its pixels must already stand upright.
fn upright(img: RgbImage, o: Orientation) -> RgbImage {
    if o == Orientation::NoTransforms {
        return img;
    }
    let mut turned = image::DynamicImage::ImageRgb8(img);
    turned.apply_orientation(o);
    turned.into_rgb8()
}

/// [`decode_for_photo`] with the short side to keep (e.g. smaller for live-view tracking).
pub fn decode_scaled(
    jpeg: &[u8],
    max_pixels: u64,
    min_short_side: u32,
) -> Result<Decoded, PhotoError> {
    let h = read_header(jpeg)?;
    if u64::from(h.width) * u64::from(h.height) > max_pixels {
        return Err(PhotoError::TooLarge {
            width: h.width,
            height: h.height,
            limit: max_pixels,
        });
    }
    if h.width.min(h.height) < MIN_SIDE {
        return Err(PhotoError::TooSmall {
            width: h.width,
            height: h.height,
        });
    }
    let denom = denominator(&h, min_short_side);

    let tj = |e: turbojpeg::Error| bad(e.to_string());
    let factor = turbojpeg::ScalingFactor::new(1, denom as usize);
    let mut d = turbojpeg::Decompressor::new().map_err(tj)?;
    d.set_scaling_factor(factor).map_err(tj)?;
    let out = d.read_header(jpeg).map_err(tj)?.scaled(factor);
    // Grey and YCbCr both come out as RGB; libjpeg-turbo converts.
    let mut buf = turbojpeg::Image {
        pixels: vec![0u8; out.width * out.height * 3],
        width: out.width,
        pitch: out.width * 3,
        height: out.height,
        format: turbojpeg::PixelFormat::RGB,
    };
    d.decompress(jpeg, buf.as_deref_mut()).map_err(tj)?;
    let size = |v: usize| u32::try_from(v).map_err(|_| bad("decoded size out of range"));
    let image = RgbImage::from_raw(size(out.width)?, size(out.height)?, buf.pixels)
        .ok_or_else(|| bad("decoder returned fewer pixels than the header promised"))?;
    let (source_width, source_height) = if quarter_turn(h.orientation) {
        (h.height, h.width)
    } else {
        (h.width, h.height)
    };
    Ok(Decoded {
        image: upright(image, h.orientation),
        source_width,
        source_height,
        denom,
        orientation: h.orientation,
    })
}

/// Decodes any image the photo path accepts: JPEG through [`decode_scaled`]; PNG (a file given
/// to `kiosk photo check`, a test image) through the `image` crate with its limits set from
/// `max_pixels` before anything is allocated, so a decompression bomb is refused from its
/// header. Whatever comes out is at most [`PHOTO_SHORT_SIDE`] on its short side (larger PNGs are
/// reduced with a triangle filter).
pub fn decode_any(data: &[u8], max_pixels: u64) -> Result<Decoded, PhotoError> {
    decode_any_scaled(data, max_pixels, PHOTO_SHORT_SIDE)
}

/// [`decode_any`] keeping at least `short_side` on the short side (JPEG: the DCT scaling that
/// keeps it; PNG: reduced to it when larger). The photo path decodes again with this when the
/// face's window came out smaller than the photo, so the photo is never enlarged from a
/// reduced decode when the capture has the pixels.
pub fn decode_any_scaled(
    data: &[u8],
    max_pixels: u64,
    short_side: u32,
) -> Result<Decoded, PhotoError> {
    if data.starts_with(&[0xFF, 0xD8]) {
        return decode_scaled(data, max_pixels, short_side);
    }
    let format = image::guess_format(data)
        .map_err(|_| bad("neither a JPEG nor a PNG (unknown file signature)"))?;
    if format != image::ImageFormat::Png {
        return Err(bad(format!(
            "{} is not accepted: give a JPEG or a PNG",
            format.extensions_str().first().unwrap_or(&"this format")
        )));
    }
    let mut reader =
        image::ImageReader::with_format(std::io::Cursor::new(data), image::ImageFormat::Png);
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| bad(format!("the PNG header cannot be read: {e}")))?;
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(PhotoError::TooLarge {
            width,
            height,
            limit: max_pixels,
        });
    }
    if width.min(height) < MIN_SIDE {
        return Err(PhotoError::TooSmall { width, height });
    }
    reader = image::ImageReader::with_format(std::io::Cursor::new(data), image::ImageFormat::Png);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    // RGBA at 16 bits per channel is the most a PNG decodes to, plus the RGB copy.
    limits.max_alloc = Some(max_pixels.saturating_mul(8 + 3));
    reader.limits(limits);
    let unreadable = |e: image::ImageError| bad(format!("the PNG cannot be decoded: {e}"));
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    // PNG carries Exif in its eXIf chunk; a camera's orientation there is honoured as in a JPEG.
    let orientation = image::ImageDecoder::orientation(&mut decoder).map_err(unreadable)?;
    let img = upright(
        image::DynamicImage::from_decoder(decoder)
            .map_err(unreadable)?
            .into_rgb8(),
        orientation,
    );
    let (width, height) = img.dimensions();
    let short = width.min(height);
    let image = if short > short_side {
        let k = short_side as f32 / short as f32;
        let (w, h) = (
            ((width as f32 * k).round() as u32).max(1),
            ((height as f32 * k).round() as u32).max(1),
        );
        image::imageops::resize(&img, w, h, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    Ok(Decoded {
        image,
        source_width: width,
        source_height: height,
        denom: 1,
        orientation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn jpeg(w: u32, h: u32, grey: bool) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let dynimg = if grey {
            image::DynamicImage::ImageLuma8(image::DynamicImage::ImageRgb8(img).to_luma8())
        } else {
            image::DynamicImage::ImageRgb8(img)
        };
        let mut out = Vec::new();
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
        dynimg.write_with_encoder(enc).unwrap();
        out
    }

    #[test]
    fn header_gives_the_size_and_scaling_keeps_the_short_side() {
        let data = jpeg(800, 600, false);
        assert_eq!(
            read_header(&data).unwrap(),
            JpegHeader {
                width: 800,
                height: 600,
                components: 3,
                orientation: Orientation::NoTransforms,
            }
        );
        let full = decode_scaled(&data, 1_000_000, 600).unwrap();
        assert_eq!((full.image.dimensions(), full.denom), ((800, 600), 1));
        let quarter = decode_scaled(&data, 1_000_000, 150).unwrap();
        assert_eq!((quarter.image.dimensions(), quarter.denom), ((200, 150), 4));
        assert_eq!(
            quarter.to_source(Point { x: 10.0, y: 20.0 }),
            Point { x: 40.0, y: 80.0 }
        );
        // The scaled pixels are the full image's, averaged: the red ramp survives.
        let p = quarter.image.get_pixel(20, 20).0;
        assert!(p[0].abs_diff(81) <= 6 && p[2].abs_diff(128) <= 6, "{p:?}");
    }

    #[test]
    fn the_size_from_the_header_is_the_size_decoded() {
        for (w, h) in [(3000, 2000), (1001, 1503), (640, 480), (2016, 1512)] {
            let data = jpeg(w, h, false);
            let d = decode_any(&data, 50_000_000).unwrap();
            assert_eq!(
                decoded_size(&data, 50_000_000),
                Some(d.image.dimensions()),
                "{w}x{h}"
            );
        }
        assert_eq!(decoded_size(&jpeg(3000, 2000, false), 1_000_000), None);
        assert_eq!(decoded_size(b"not a jpeg", 50_000_000), None);
    }

    #[test]
    fn greyscale_comes_out_as_rgb() {
        let d = decode_scaled(&jpeg(128, 96, true), 1_000_000, 96).unwrap();
        let p = d.image.get_pixel(5, 5).0;
        assert_eq!((p[0], p[0]), (p[1], p[2]));
    }

    #[test]
    fn bad_input_is_refused_with_a_reason() {
        let data = jpeg(640, 480, false);
        let sof = data.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        for (input, needle) in [
            (&b""[..], "start-of-image"),
            (&b"GIF89a not a jpeg"[..], "start-of-image"),
            (&data[..data.len() / 2], "end-of-image"),
            (&data[..sof + 6], "ends inside the header"),
            (&[0xFF, 0xD8, 0xFF, 0xD9][..], "no frame header"),
        ] {
            let err = decode_for_photo(input, 1_000_000).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Input);
            assert!(err.to_string().contains(needle), "{needle}: {err}");
        }
    }

    #[test]
    fn corrupt_image_data_is_an_error_not_a_crash() {
        // Header intact, entropy-coded data overwritten with noise, end marker kept.
        let mut data = jpeg(640, 480, false);
        let sos = data.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        let end = data.len() - 2;
        for (i, b) in data[sos + 20..end].iter_mut().enumerate() {
            *b = (i * 37 % 251) as u8;
        }
        if let Ok(d) = decode_for_photo(&data, 1_000_000) {
            // libjpeg-turbo may recover garbage as pixels; it must at least be the right size.
            assert_eq!(d.image.dimensions(), (640, 480));
        }
    }

    #[test]
    fn too_many_pixels_are_refused_before_decoding() {
        // Patch the frame header of a small JPEG to claim 60000 × 60000.
        let mut data = jpeg(640, 480, false);
        let sof = data.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        data[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
        match decode_for_photo(&data, 100_000_000) {
            Err(PhotoError::TooLarge {
                width: 60000,
                height: 60000,
                limit: 100_000_000,
            }) => {}
            other => panic!("{other:?}"),
        }
        match decode_for_photo(&jpeg(1, 1, false), 100_000_000) {
            Err(PhotoError::TooSmall {
                width: 1,
                height: 1,
            }) => {}
            other => panic!("{other:?}"),
        }
    }

    /// `jpeg` with an Exif block after its start marker whose IFD0 holds one Orientation entry
    /// (tag 0x0112, SHORT) of `value`, in Intel (`II`) or Motorola (`MM`) byte order, as
    /// cameras write it.
    fn with_exif_orientation(jpeg: &[u8], value: u16, intel: bool) -> Vec<u8> {
        let u16b = |v: u16| {
            if intel {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let u32b = |v: u32| {
            if intel {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let mut tiff = Vec::new();
        tiff.extend_from_slice(if intel { b"II" } else { b"MM" });
        tiff.extend_from_slice(&u16b(42));
        tiff.extend_from_slice(&u32b(8));
        tiff.extend_from_slice(&u16b(1));
        tiff.extend_from_slice(&u16b(0x0112));
        tiff.extend_from_slice(&u16b(3));
        tiff.extend_from_slice(&u32b(1));
        tiff.extend_from_slice(&u16b(value));
        tiff.extend_from_slice(&[0, 0]);
        tiff.extend_from_slice(&u32b(0));
        let mut seg = b"Exif\0\0".to_vec();
        seg.extend_from_slice(&tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((seg.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&seg);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    /// Four flat quadrants, so any turn or mirror shows at the corners.
    fn quadrants(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| match (x < w / 2, y < h / 2) {
            (true, true) => image::Rgb([220, 30, 30]),
            (false, true) => image::Rgb([30, 200, 30]),
            (true, false) => image::Rgb([30, 30, 220]),
            (false, false) => image::Rgb([240, 240, 240]),
        })
    }

    fn encode(img: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
        image::DynamicImage::ImageRgb8(img.clone())
            .write_with_encoder(enc)
            .unwrap();
        out
    }

    #[test]
    fn a_capture_stored_on_its_side_comes_out_upright_in_every_exif_orientation() {
        let upright = quadrants(640, 480);
        for value in 1..=8u8 {
            let o = Orientation::from_exif(value).unwrap();
            // What a camera stores for that tag: the upright scene turned back. Exif 6 and 8
            // undo each other; every other orientation is its own inverse.
            let back = match o {
                Orientation::Rotate90 => Orientation::Rotate270,
                Orientation::Rotate270 => Orientation::Rotate90,
                other => other,
            };
            let mut stored = image::DynamicImage::ImageRgb8(upright.clone());
            stored.apply_orientation(back);
            for intel in [true, false] {
                let data = with_exif_orientation(&encode(&stored.to_rgb8()), value.into(), intel);
                assert_eq!(read_header(&data).unwrap().orientation, o, "{value}");
                let d = decode_scaled(&data, 1_000_000, 120).unwrap();
                assert_eq!(d.orientation, o);
                // Reduced by 4 and upright: the photo path's coordinates are the viewer's.
                assert_eq!(d.image.dimensions(), (160, 120), "orientation {value}");
                assert_eq!((d.source_width, d.source_height), (640, 480));
                // Short side under 960: the photo path decodes it whole, upright.
                assert_eq!(decoded_size(&data, 1_000_000), Some((640, 480)));
                for (x, y) in [(10, 10), (150, 10), (10, 110), (150, 110)] {
                    let want = upright.get_pixel(x * 4, y * 4).0;
                    let got = d.image.get_pixel(x, y).0;
                    assert!(
                        (0..3).all(|c| got[c].abs_diff(want[c]) <= 12),
                        "orientation {value} ({}): at ({x}, {y}) {got:?}, want {want:?}",
                        if intel { "II" } else { "MM" }
                    );
                }
            }
        }
    }

    #[test]
    fn the_size_from_the_header_follows_the_orientation() {
        let data = with_exif_orientation(&jpeg(3000, 2000, false), 6, true);
        let d = decode_any(&data, 50_000_000).unwrap();
        assert_eq!(d.image.dimensions(), (1000, 1500));
        assert_eq!(decoded_size(&data, 50_000_000), Some((1000, 1500)));
        assert_eq!(
            d.to_source(Point { x: 100.0, y: 10.0 }),
            Point { x: 200.0, y: 20.0 }
        );
    }

    #[test]
    fn an_orientation_outside_exif_s_eight_leaves_the_pixels_as_stored() {
        for value in [0, 9, 0xFFFF] {
            let data = with_exif_orientation(&jpeg(640, 480, false), value, false);
            let d = decode_scaled(&data, 1_000_000, 480).unwrap();
            assert_eq!(d.orientation, Orientation::NoTransforms);
            assert_eq!(d.image.dimensions(), (640, 480));
        }
    }
}
