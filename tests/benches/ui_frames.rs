//! Frame time of the touchscreen in Slint's software renderer at the booth's 1920 × 1080, on
//! one thread (run it under `taskset -c 0` to pin it to one core):
//!
//! - live view: each camera frame (the simulated DSLR's 960 × 640 JPEG) decoded and mirrored
//!   (off the UI thread in the kiosk), then handed to the UI and the whole screen redrawn;
//! - transitions: from a new screen model to that screen fully drawn.
//!
//! Printed against the 33.3 ms a frame may take at 30 fps.
//!
//! `cargo bench -p kiosk-e2e --bench ui_frames`

use std::time::{Duration, Instant};

use camera_driver::Camera;
use camera_driver::sim::{SimCamera, SimConfig, SimControl};
use kiosk_core::model::*;
use kiosk_ui::headless::{self, Rgb8Pixel};
use kiosk_ui::{Ui, pixels};
use rand::{Rng, SeedableRng};

const FRAMES: usize = 300;
const BUDGET_MS: f64 = 1000.0 / 30.0;

fn stats(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let median = ms(v[v.len() / 2]);
    let p99 = ms(v[(v.len() * 99 / 100).min(v.len() - 1)]);
    let mean = ms(v.iter().sum::<Duration>()) / v.len() as f64;
    (median, p99, mean)
}

fn screens() -> Vec<ScreenModel> {
    let s = |screen: Screen, step: u8| ScreenModel {
        screen,
        step: (step > 0).then_some((step, 10)),
        shots_max: 3,
        can_go_back: step > 0,
        ..ScreenModel::default()
    };
    vec![
        s(Screen::Attract, 0),
        s(Screen::PhotoType, 1),
        s(Screen::Prepare, 2),
        ScreenModel {
            live_view: true,
            ..s(Screen::Scan, 3)
        },
        ScreenModel {
            identity: Some(IdentityView {
                name: "张**三".into(),
                id_number: "*****8746".into(),
                school: "示例理工大学".into(),
                level: "本科".into(),
            }),
            ..s(Screen::Confirm, 4)
        },
        s(Screen::Lighting, 5),
        s(Screen::Rules, 6),
        ScreenModel {
            live_view: true,
            ..s(Screen::Chair, 7)
        },
        ScreenModel {
            live_view: true,
            ..s(Screen::Shoot, 8)
        },
        ScreenModel {
            review_stage: ReviewStage::Waiting,
            review_progress: 0.4,
            ..s(Screen::Review, 9)
        },
        ScreenModel {
            pay_stage: PayStage::Showing,
            pay_qr: Some("weixin://wxpay/bizpayurl?pr=AbCdEfGhI".into()),
            amount_fen: 2000,
            time_left_secs: Some(287),
            ..s(Screen::Pay, 10)
        },
        s(Screen::Done, 0),
    ]
}

fn main() {
    let screen = headless::install(1920, 1080).expect("headless platform");
    let ui = Ui::new().expect("window");
    screen.show(ui.window()).expect("show");
    let mut buffer: Vec<Rgb8Pixel> = Vec::new();

    // Camera frames as the simulated DSLR sends them (the graduate in the chair).
    let mut camera = SimCamera::new(
        SimControl::new(),
        SimConfig {
            preview_size: (960, 640),
            ..SimConfig::default()
        },
    );
    let flat: Vec<Vec<u8>> = (0..30)
        .map(|_| camera.preview().expect("preview"))
        .collect();
    // The simulator draws flat colours; a real sensor's frame has texture and noise, which
    // makes the JPEG larger and slower to decode. The same frames with sensor-like noise:
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let noisy: Vec<Vec<u8>> = flat
        .iter()
        .map(|jpeg| {
            let mut img = image::load_from_memory(jpeg).unwrap().to_rgb8();
            for p in img.pixels_mut() {
                let n: i16 = rng.random_range(-18..=18);
                for c in p.0.iter_mut() {
                    *c = (i16::from(*c) + n).clamp(0, 255) as u8;
                }
            }
            let mut out = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
                .encode_image(&img)
                .unwrap();
            out
        })
        .collect();

    // Live view on the shoot screen.
    ui.render(&ScreenModel {
        screen: Screen::Shoot,
        step: Some((8, 10)),
        live_view: true,
        shots_max: 3,
        ..ScreenModel::default()
    });
    screen.draw_into(&mut buffer);
    println!(
        "UI frame time, Slint software renderer, 1920×1080, one thread, {FRAMES} live-view frames of 960×640"
    );
    println!("| frames | work | median ms | p99 ms | of the 33.3 ms frame at 30 fps (median) |");
    println!("|---|---|---|---|---|");
    let mut worst_mean: f64 = 0.0;
    for (name, jpegs) in [("simulator (flat)", &flat), ("with sensor noise", &noisy)] {
        let kb = jpegs.iter().map(Vec::len).sum::<usize>() / jpegs.len() / 1024;
        let label = format!("{name}, {kb} KiB JPEG");
        let (mut decode, mut draw, mut total) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..FRAMES {
            let jpeg = &jpegs[i % jpegs.len()];
            let t0 = Instant::now();
            let px = pixels::decode(jpeg, true);
            let t1 = Instant::now();
            ui.set_live_frame(px);
            screen.draw_into(&mut buffer);
            let t2 = Instant::now();
            decode.push(t1 - t0);
            draw.push(t2 - t1);
            total.push(t2 - t0);
        }
        // The frame really is on screen: the middle of the live view is not the empty
        // placeholder's colour.
        let centre = buffer[(96 + 48 + 400) * 1920 + 48 + 480];
        assert!(
            (centre.r, centre.g, centre.b) != (0x0B, 0x12, 0x20),
            "the live frame was not drawn"
        );
        let (dm, dp, _) = stats(decode);
        let (rm, rp, _) = stats(draw);
        let (tm, tp, tmean) = stats(total);
        worst_mean = worst_mean.max(tmean);
        let pct = |ms: f64| ms / BUDGET_MS * 100.0;
        println!(
            "| {label} | decode + mirror (off the UI thread) | {dm:.2} | {dp:.2} | {:.0} % |",
            pct(dm)
        );
        println!(
            "| {label} | hand to UI + redraw whole screen | {rm:.2} | {rp:.2} | {:.0} % |",
            pct(rm)
        );
        println!(
            "| {label} | both, per frame | {tm:.2} | {tp:.2} | {:.0} % |",
            pct(tm)
        );
    }
    println!(
        "live view on one core: {:.0} fps sustainable at the worst mean ({worst_mean:.2} ms/frame), {:.1}× the 30 fps goal",
        1000.0 / worst_mean,
        (1000.0 / worst_mean) / 30.0
    );

    // Transitions: a new screen model until that screen is drawn.
    let models = screens();
    let mut transitions = Vec::new();
    for _ in 0..10 {
        for m in &models {
            let t = Instant::now();
            ui.render(m);
            screen.draw_into(&mut buffer);
            transitions.push(t.elapsed());
        }
    }
    let n = transitions.len();
    let (xm, xp, _) = stats(transitions);
    println!(
        "screen transition (new model → screen drawn), {n} transitions over {} screens: median {xm:.2} ms, p99 {xp:.2} ms",
        models.len()
    );
}
