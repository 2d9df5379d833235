//! Contrast over the live view, measured on rendered pixels: what the kiosk draws over the
//! camera's picture (the countdown's digit, the photo's window on the ready screen) must stand
//! out whatever the picture shows. The picture is each of the backdrops CHSI publishes (blue,
//! white, light grey), black (dark hair or clothes filling the frame) and a skin tone.
//! Text needs 4.5:1 (WCAG 2, 1.4.3); a graphic that shows where something is needs 3:1 (1.4.11).
//! The countdown's disc covers nothing the photo keeps: it stands beside the photo's window.

mod common;

use i_slint_backend_testing::ElementHandle;
use kiosk_ui::model::*;
use kiosk_ui::{Ui, headless, pixels};

fn luminance(p: image::Rgb<u8>) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(p[0]) + 0.7152 * channel(p[1]) + 0.0722 * channel(p[2])
}

fn contrast(a: image::Rgb<u8>, b: image::Rgb<u8>) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// A live-view frame of one colour, as the camera would send it (JPEG).
fn frame(rgb: [u8; 3]) -> Option<pixels::Pixels> {
    let img = image::RgbImage::from_pixel(960, 640, image::Rgb(rgb));
    pixels::decode(&common::jpeg(img), true)
}

/// The on-screen box of the element labelled `label`: (x0, y0, x1, y1) in pixels.
fn rect(ui: &Ui, label: &str) -> (u32, u32, u32, u32) {
    let e = ElementHandle::find_by_accessible_label(ui.window(), label)
        .next()
        .unwrap_or_else(|| panic!("no element labelled {label:?}"));
    let (p, s) = (e.absolute_position(), e.size());
    (
        p.x as u32,
        p.y as u32,
        (p.x + s.width) as u32,
        (p.y + s.height) as u32,
    )
}

const BACKDROPS: [(&str, [u8; 3]); 5] = [
    ("CHSI blue", [100, 197, 255]),
    ("white", [255, 255, 255]),
    ("light grey", [240, 240, 240]),
    ("black hair", [12, 12, 14]),
    ("skin", [224, 172, 140]),
];

#[test]
fn the_countdown_and_the_photo_window_stand_out_on_any_picture() {
    let screen = headless::install(1920, 1080).unwrap();
    let ui = Ui::new().unwrap();
    screen.show(ui.window()).unwrap();
    let shoot = ScreenModel {
        screen: Screen::Shoot,
        shots_max: 3,
        live_view: true,
        step: Some((8, 10)),
        ..ScreenModel::default()
    };
    let mut report = Vec::new();
    for portrait in [false, true] {
        let (w, h) = if portrait { (1080, 1920) } else { (1920, 1080) };
        screen.resize(w, h);
        ui.set_portrait(portrait);
        for (name, rgb) in BACKDROPS {
            ui.set_live_frame(frame(rgb));
            ui.set_face_window(Some([0.3, 0.1, 0.4, 0.7]));

            // The countdown: the digit against its disc, both read off the screen.
            ui.render(&ScreenModel {
                shoot_stage: ShootStage::Countdown,
                countdown: 3,
                ..shoot.clone()
            });
            let img = screen.snapshot();
            let disc_box = rect(&ui, "倒计时");
            let (x0, y0, x1, y1) = disc_box;
            let (cx, cy) = ((x0 + x1) / 2, (y0 + y1) / 2);
            let digit = (cy - 40..cy + 40)
                .flat_map(|y| (cx - 40..cx + 40).map(move |x| (x, y)))
                .map(|(x, y)| *img.get_pixel(x, y))
                .max_by(|a, b| luminance(*a).total_cmp(&luminance(*b)))
                .unwrap();
            // Inside the disc, above the digit.
            let disc = *img.get_pixel(cx, y0 + 24);
            let c = contrast(digit, disc);
            report.push(format!("{w}×{h} {name}: countdown {c:.1}:1"));
            assert!(
                c >= 4.5,
                "{w}×{h} over {name}: the countdown digit {digit:?} on {disc:?} is {c:.2}:1"
            );

            // The photo's window on the ready screen: the strongest of its edge's pixels
            // against the picture just outside it.
            ui.render(&ScreenModel {
                shoot_stage: ShootStage::Ready,
                ..shoot.clone()
            });
            let img = screen.snapshot();
            let window_box = rect(&ui, "照片的取景框");
            // The disc stands beside the photo's window: it covers nothing the photo keeps.
            let apart = |a: (u32, u32, u32, u32), b: (u32, u32, u32, u32)| {
                a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1
            };
            assert!(
                apart(disc_box, window_box),
                "{w}×{h}: the countdown disc {disc_box:?} covers the photo's window {window_box:?}"
            );
            let (x0, y0, x1, _) = window_box;
            let cx = (x0 + x1) / 2;
            let outside = *img.get_pixel(cx, y0 - 6);
            let best = (y0..y0 + 8)
                .map(|y| contrast(*img.get_pixel(cx, y), outside))
                .fold(0.0, f64::max);
            report.push(format!("{w}×{h} {name}: window {best:.1}:1"));
            assert!(
                best >= 3.0,
                "{w}×{h} over {name}: the photo's window edge stands out {best:.2}:1 from {outside:?}"
            );
        }
    }
    eprintln!("{}", report.join("\n"));
}
