//! `kiosk photo check` as a technician or a script uses it: the photo and one JSON report for a
//! capture, exit code 2 and a clear error for everything that is not a usable image.

use std::io::Write;
use std::path::Path;
use std::process::Command;

fn kiosk() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kiosk"))
}

fn check(input: &Path, out: &Path) -> (i32, serde_json::Value) {
    let o = kiosk()
        .args(["photo", "check"])
        .arg(input)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    let json = serde_json::from_str(line).unwrap_or_else(|e| {
        panic!(
            "not one JSON line ({e}): {stdout} / {}",
            String::from_utf8_lossy(&o.stderr)
        )
    });
    (o.status.code().unwrap_or(-1), json)
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, 90])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut out, 85,
        ))
        .unwrap();
    out
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb([100, 197, 255]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A PNG whose header claims `w × h` over a tiny stream of zlib-compressed zeros: a
/// decompression bomb (a real one inflates to gigabytes; the header alone must stop it).
fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    fn crc32(data: &[u8]) -> u32 {
        // The PNG CRC (ISO 3309), bitwise: a test fixture, not worth a crate.
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    // A zlib stream of stored zeros, far shorter than the header promises.
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

#[test]
fn bad_input_is_refused_with_exit_2_and_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("photo.jpg");
    let good = jpeg(1200, 900);
    let mut huge = jpeg(640, 480);
    let sof = huge.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    // 10000 × 10000 = 100 megapixels, in a 20 KB file.
    huge[sof + 5..sof + 9].copy_from_slice(&[0x27, 0x10, 0x27, 0x10]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "text.jpg",
            b"hello, not an image\n".to_vec(),
            "neither a JPEG nor a PNG",
        ),
        ("empty.jpg", Vec::new(), "neither a JPEG nor a PNG"),
        (
            "truncated.jpg",
            good[..good.len() / 3].to_vec(),
            "end-of-image",
        ),
        ("one.jpg", jpeg(1, 1), "too small"),
        ("one.png", png(1, 1), "too small"),
        ("huge.jpg", huge, "more than the limit"),
        (
            "bomb.png",
            png_bomb(100_000, 100_000),
            "more than the limit",
        ),
        (
            "gif.gif",
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
            "not accepted",
        ),
    ];
    for (name, data, needle) in cases {
        let path = dir.path().join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(&data)
            .unwrap();
        let (code, json) = check(&path, &out);
        assert_eq!(code, 2, "{name}: {json}");
        assert_eq!(json["kind"], "input", "{name}: {json}");
        let err = json["error"].as_str().unwrap();
        assert!(err.contains(needle), "{name}: {err}");
        assert!(!out.exists(), "{name}: no photo is written for bad input");
    }
    let (code, json) = check(&dir.path().join("missing.jpg"), &out);
    assert_eq!((code, json["kind"].as_str()), (2, Some("input")));
}

#[test]
fn a_capture_without_a_face_still_gives_the_photo_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("blue.png");
    std::fs::write(&input, png(1500, 1000)).unwrap();
    let out = dir.path().join("photo.jpg");
    let (code, r) = check(&input, &out);
    assert_eq!(code, 1, "{r}");
    assert_eq!(
        (r["width"].as_u64(), r["height"].as_u64()),
        (Some(480), Some(640))
    );
    assert_eq!(r["ok"], false);
    assert!(r["face"].is_null());
    let checks = r["checks"].as_array().unwrap();
    assert_eq!(checks.len(), kiosk_photo::CheckName::ALL.len());
    assert_eq!(checks[0]["name"], "face_count");
    assert_eq!(checks[0]["pass"], false);
    assert_eq!(checks[0]["value"], 0);
    for c in &checks[1..] {
        assert!(c["pass"].is_null() || c["name"] == "background", "{c}");
        assert!(!c["reason_zh"].as_str().unwrap().is_empty());
    }
    let photo = std::fs::read(&out).unwrap();
    assert_eq!(photo.len() as u64, r["bytes"].as_u64().unwrap());
    let img = image::load_from_memory(&photo).unwrap();
    assert_eq!((img.width(), img.height()), (480, 640));
}
