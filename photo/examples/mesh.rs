//! Draws the face mesh and both eyes' contours and irises found on image files, for looking at:
//! `cargo run -p kiosk-photo --example mesh -- OUT_DIR IMAGE...` writes OUT_DIR/NAME.png
//! (the largest face: mesh points green, lids yellow, iris red, brows' upper edge magenta,
//! inner lips cyan, MTCNN's eyes blue). With `--photo` the image is first made into the CHSI
//! photo, and the mesh drawn is the one the checks read.

use std::path::PathBuf;

use image::{Rgb, RgbImage};
use kiosk_photo::mesh::idx;
use kiosk_photo::{CheckSettings, DEFAULT_MAX_PIXELS, Detector, DetectorConfig, Point};

fn dot(img: &mut RgbImage, p: Point, r: i32, c: [u8; 3]) {
    for dy in -r..=r {
        for dx in -r..=r {
            let (x, y) = (p.x.round() as i32 + dx, p.y.round() as i32 + dy);
            if x >= 0 && y >= 0 && (x as u32) < img.width() && (y as u32) < img.height() {
                img.put_pixel(x as u32, y as u32, Rgb(c));
            }
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let photo = args.iter().any(|a| a == "--photo");
    args.retain(|a| a != "--photo");
    let mut args = args.into_iter();
    let out = PathBuf::from(args.next().ok_or("usage: mesh OUT_DIR IMAGE...")?);
    std::fs::create_dir_all(&out)?;
    let det = Detector::new(DetectorConfig::from_env())?;
    for path in args {
        let mut img = if photo {
            let data = std::fs::read(&path)?;
            let cfg = CheckSettings::default();
            kiosk_photo::make_photo(&det, &data, &cfg, DEFAULT_MAX_PIXELS)?.pixels
        } else {
            image::open(&path)?.to_rgb8()
        };
        let faces = det.detect(&img)?;
        let Some(face) = faces.iter().max_by(|a, b| a.width().total_cmp(&b.width())) else {
            println!("{path}: no face");
            continue;
        };
        let t = std::time::Instant::now();
        let mesh = det.mesh(&img, face)?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let r = (face.width() / 150.0).ceil() as i32;
        match &mesh {
            None => println!("{path}: the mesh sees no face"),
            Some(m) => {
                println!(
                    "{path}: presence {:.3}, {ms:.1} ms, iris centres {:?}, MTCNN eyes {:?} {:?}",
                    m.presence,
                    m.eye_centres(),
                    face.landmarks.eye_left,
                    face.landmarks.eye_right
                );
                for q in &m.points {
                    dot(&mut img, Point { x: q[0], y: q[1] }, r - 1, [0, 255, 0]);
                }
                for e in &m.eyes {
                    for &p in e.upper_lid().iter().chain(e.lower_lid()) {
                        dot(&mut img, p, r, [255, 255, 0]);
                    }
                    for &p in &e.iris {
                        dot(&mut img, p, r, [255, 0, 0]);
                    }
                }
                for i in idx::BROW_L.iter().chain(&idx::BROW_R) {
                    dot(&mut img, m.p(*i), r, [255, 0, 255]);
                }
                for i in idx::LIP_IN_UP.iter().chain(&idx::LIP_IN_LOW) {
                    dot(&mut img, m.p(*i), r, [0, 255, 255]);
                }
            }
        }
        dot(&mut img, face.landmarks.eye_left, r, [0, 0, 255]);
        dot(&mut img, face.landmarks.eye_right, r, [0, 0, 255]);
        let name = PathBuf::from(&path)
            .file_stem()
            .unwrap_or_default()
            .to_owned();
        img.save(out.join(name).with_extension("png"))?;
    }
    Ok(())
}
