//! Decoders side by side on a 24 MP camera-sized JPEG: full decodes and DCT-scaled ones, with
//! each scaled result checked against a box-downscaled full decode.
//!
//! `cargo bench -p kiosk-photo --bench decode`.

use std::time::Instant;

use image::{RgbImage, imageops::FilterType};

const W: u32 = 6000;
const H: u32 = 4000;
const RUNS: usize = 5;

/// A scene with texture at several scales (fine noise, stripes, smooth gradients), so the
/// entropy-coded data looks like a photo's rather than a flat fill's.
fn scene() -> RgbImage {
    RgbImage::from_fn(W, H, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let hash = x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663);
        let noise = (hash % 23) as f32 - 11.0;
        let stripes = ((fx * 0.05).sin() * (fy * 0.031).cos()) * 40.0;
        let r = 100.0 + 80.0 * (fx / W as f32) + stripes + noise;
        let g = 150.0 + 60.0 * (fy / H as f32) - stripes * 0.5 + noise;
        let b = 200.0 - 90.0 * ((fx + fy) / (W + H) as f32) + noise;
        image::Rgb([r, g, b].map(|v| v.clamp(0.0, 255.0) as u8))
    })
}

fn time<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let mut out = f();
    let mut ms = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        out = f();
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    (ms[RUNS / 2], out)
}

/// Mean absolute difference per channel between `img` and the reference resized to its size.
fn diff(reference: &RgbImage, img: &RgbImage) -> f64 {
    let r = if reference.dimensions() == img.dimensions() {
        reference.clone()
    } else {
        image::imageops::resize(reference, img.width(), img.height(), FilterType::Triangle)
    };
    let sum: u64 = r
        .as_raw()
        .iter()
        .zip(img.as_raw())
        .map(|(a, b)| u64::from(a.abs_diff(*b)))
        .sum();
    sum as f64 / r.as_raw().len() as f64
}

fn jpeg_decoder(jpeg: &[u8], denom: u16) -> RgbImage {
    let mut d = jpeg_decoder::Decoder::new(std::io::Cursor::new(jpeg));
    let (w, h) = d
        .scale((W as u16).div_ceil(denom), (H as u16).div_ceil(denom))
        .unwrap();
    let px = d.decode().unwrap();
    RgbImage::from_raw(u32::from(w), u32::from(h), px).unwrap()
}

fn zune(jpeg: &[u8]) -> RgbImage {
    use zune_jpeg::zune_core::bytestream::ZCursor;
    let mut d = zune_jpeg::JpegDecoder::new(ZCursor::new(jpeg));
    let px = d.decode().unwrap();
    let (w, h) = d.dimensions().unwrap();
    RgbImage::from_raw(w as u32, h as u32, px).unwrap()
}

fn turbo(jpeg: &[u8], denom: usize) -> RgbImage {
    use turbojpeg::{Decompressor, Image, PixelFormat, ScalingFactor};
    let factor = ScalingFactor::new(1, denom);
    let mut d = Decompressor::new().unwrap();
    let header = d.read_header(jpeg).unwrap().scaled(factor);
    d.set_scaling_factor(factor).unwrap();
    let mut img = Image {
        pixels: vec![0u8; header.width * header.height * 3],
        width: header.width,
        pitch: header.width * 3,
        height: header.height,
        format: PixelFormat::RGB,
    };
    d.decompress(jpeg, img.as_deref_mut()).unwrap();
    RgbImage::from_raw(header.width as u32, header.height as u32, img.pixels).unwrap()
}

fn main() {
    let t = Instant::now();
    let mut jpeg = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90);
    image::DynamicImage::ImageRgb8(scene())
        .write_with_encoder(enc)
        .unwrap();
    println!(
        "{W} × {H} JPEG, quality 90, {:.1} MB (made in {:.1} s); median of {RUNS} runs\n",
        jpeg.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let (ms, reference) = time(|| image::load_from_memory(&jpeg).unwrap().to_rgb8());
    let mut rows: Vec<(String, f64, RgbImage)> =
        vec![("image 0.25 (full)".into(), ms, reference.clone())];
    let (ms, img) = time(|| zune(&jpeg));
    rows.push(("zune-jpeg 0.5 (full)".into(), ms, img));
    for denom in [1u16, 2, 4, 8] {
        let (ms, img) = time(|| jpeg_decoder(&jpeg, denom));
        rows.push((format!("jpeg-decoder 0.3 scale 1/{denom}"), ms, img));
    }
    for denom in [1usize, 2, 4, 8] {
        let (ms, img) = time(|| turbo(&jpeg, denom));
        rows.push((format!("turbojpeg 1.5 scale 1/{denom}"), ms, img));
    }
    let (ms, img) = time(|| {
        kiosk_photo::decode_for_photo(&jpeg, 100_000_000)
            .unwrap()
            .image
    });
    rows.push(("kiosk_photo::decode_for_photo".into(), ms, img));

    println!("| decoder | output | ms | mean abs diff vs reference |");
    println!("|---|---|---:|---:|");
    for (name, ms, img) in &rows {
        let d = diff(&reference, img);
        println!(
            "| {name} | {}×{} | {ms:.0} | {d:.2} |",
            img.width(),
            img.height()
        );
    }
}
