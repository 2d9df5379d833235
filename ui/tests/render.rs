//! Every screen renders headless, in both languages: non-blank, and different from its
//! neighbours. PNGs go to `target/ui-render/` for a person to look at.

mod common;

use common::models;
use kiosk_ui::model::*;
use kiosk_ui::{Ui, headless, pixels};

#[test]
fn every_screen_renders_in_both_languages() {
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui-render");
    std::fs::create_dir_all(&out).unwrap();
    let screen = headless::install(1920, 1080).unwrap();
    let ui = Ui::new().unwrap();
    screen.show(ui.window()).unwrap();
    // A stand-in live frame: the backdrop colour with a dark block.
    let mut frame = image::RgbImage::from_pixel(960, 640, image::Rgb([100, 197, 255]));
    for y in 200..640 {
        for x in 300..660 {
            frame.put_pixel(x, y, image::Rgb([38, 48, 78]));
        }
    }
    let jpeg = common::jpeg(frame);
    ui.set_live_frame(pixels::decode(&jpeg, true));
    ui.set_photo(pixels::decode(&jpeg, false));

    let mut previous: Option<image::RgbImage> = None;
    for lang in [Lang::Zh, Lang::En] {
        for (i, m) in models().into_iter().enumerate() {
            let m = ScreenModel { lang, ..m };
            ui.render(&m);
            let img = screen.snapshot();
            let name = format!(
                "{:02}-{}-{}.png",
                i,
                m.key(),
                if lang == Lang::Zh { "zh" } else { "en" }
            );
            img.save(out.join(&name)).unwrap();
            let first = img.get_pixel(0, 0);
            assert!(img.pixels().any(|p| p != first), "{name} is blank");
            if let Some(prev) = &previous {
                assert!(
                    prev.as_raw() != img.as_raw(),
                    "{name} is the same as the screen before it"
                );
            }
            previous = Some(img);
        }
    }
}
