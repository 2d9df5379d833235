//! Writes the simulated camera's frames for a set of poses, to check with a real face
//! detector, and prints where the scene put the eyes.
//!
//! `cargo run -p camera-driver --example sim_frames -- [OUT_DIR] [PORTRAIT]`
//! (default `/tmp/sim-frames` and [`default_portrait`]). Each line printed:
//! `file width height left_x left_y right_x right_y` (pixels, image-left eye first).

use std::path::PathBuf;
use std::time::Duration;

use camera_driver::Camera;
use camera_driver::sim::{Pose, Seating, SimCamera, SimConfig, SimControl, default_portrait};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "/tmp/sim-frames".into()));
    let portrait = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(default_portrait);
    std::fs::create_dir_all(&out)?;
    let stem = portrait
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("portrait")
        .to_owned();
    let seating = Seating::default();
    let seat = |seat_mm: f32, offset: f32| Pose {
        height: seating.pose_height(seat_mm, offset),
        ..Pose::default()
    };
    let poses: Vec<(&str, Pose)> = vec![
        ("default", Pose::default()),
        (
            "tilt+8",
            Pose {
                tilt_deg: 8.0,
                ..Pose::default()
            },
        ),
        (
            "tilt-8",
            Pose {
                tilt_deg: -8.0,
                ..Pose::default()
            },
        ),
        (
            "left0.2",
            Pose {
                off_centre: -0.2,
                ..Pose::default()
            },
        ),
        (
            "right0.2",
            Pose {
                off_centre: 0.2,
                ..Pose::default()
            },
        ),
        (
            "eyes-closed",
            Pose {
                eyes_closed: true,
                ..Pose::default()
            },
        ),
        (
            "teeth",
            Pose {
                teeth: true,
                ..Pose::default()
            },
        ),
        ("seat420", seat(420.0, 0.0)),
        ("seat620", seat(620.0, 0.0)),
        ("seat420-sit-60", seat(420.0, -60.0)),
        ("seat620-sit+60", seat(620.0, 60.0)),
        (
            "mixed",
            Pose {
                height: seat(560.0, 25.0).height,
                off_centre: 0.08,
                tilt_deg: -6.0,
                ..Pose::default()
            },
        ),
    ];
    for (w, h) in [(960, 640), (1500, 1000), (6000, 4000)] {
        let control = SimControl::new();
        let mut camera = SimCamera::new(
            control.clone(),
            SimConfig {
                preview_size: (w, h),
                capture_size: (w, h),
                capture_latency: Duration::ZERO,
                portrait: Some(portrait.clone()),
            },
        );
        let pose = camera.pose_handle();
        for (name, p) in &poses {
            // The full-size frames take seconds each to detect in: only the main poses.
            if w == 6000 && !matches!(*name, "default" | "tilt+8" | "seat620") {
                continue;
            }
            pose.set(*p);
            let jpeg = if w <= 1000 {
                camera.preview()?
            } else {
                camera.capture()?
            };
            let file = out.join(format!("{stem}-{w}x{h}-{name}.jpg"));
            std::fs::write(&file, jpeg)?;
            let [l, r] = p.eyes_px(w, h);
            println!(
                "{} {w} {h} {:.1} {:.1} {:.1} {:.1}",
                file.display(),
                l.0,
                l.1,
                r.0,
                r.1
            );
        }
    }
    Ok(())
}
