//! Runs the whole photo path on image files and prints each report as JSON; with `--out DIR`
//! writes the photos too. `cargo run -p kiosk-photo --example check -- [--out DIR] IMAGE...`

use std::path::PathBuf;

use kiosk_photo::{CheckSettings, DEFAULT_MAX_PIXELS, Detector, DetectorConfig, make_photo};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let out = match args.iter().position(|a| a == "--out") {
        Some(i) => {
            let dir = PathBuf::from(args.remove(i + 1));
            args.remove(i);
            Some(dir)
        }
        None => None,
    };
    let glasses = args.iter().any(|a| a == "--glasses");
    args.retain(|a| a != "--glasses");
    let det = Detector::new(DetectorConfig::from_env())?;
    let cfg = CheckSettings {
        glasses,
        ..CheckSettings::default()
    };
    for path in &args {
        let data = std::fs::read(path)?;
        match make_photo(&det, &data, &cfg, DEFAULT_MAX_PIXELS) {
            Ok(photo) => {
                println!("{path}: {}", serde_json::to_string(&photo.report)?);
                if let Some(dir) = &out {
                    let name = PathBuf::from(path)
                        .file_stem()
                        .unwrap_or_default()
                        .to_owned();
                    std::fs::write(dir.join(&name).with_extension("jpg"), &photo.jpeg)?;
                    photo.pixels.save(dir.join(name).with_extension("png"))?;
                }
            }
            Err(e) => println!("{path}: error: {e}"),
        }
    }
    Ok(())
}
