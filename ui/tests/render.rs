//! Every screen renders headless, in both languages: non-blank, and different from its
//! neighbours. PNGs go to `target/ui-render/` for a person to look at.

use kiosk_ui::model::*;
use kiosk_ui::{Ui, headless, pixels, screen_key};

fn models() -> Vec<ScreenModel> {
    let base = ScreenModel {
        shots_max: 3,
        ..ScreenModel::default()
    };
    let s = |screen: Screen, step: u8| ScreenModel {
        screen,
        step: Some((step, 10)),
        can_go_back: true,
        ..base.clone()
    };
    let identity = IdentityView {
        name: "张**三".into(),
        id_number: "*****8746".into(),
        school: "示例理工大学".into(),
        level: "本科".into(),
    };
    vec![
        base.clone(),
        s(Screen::PhotoType, 1),
        s(Screen::Prepare, 2),
        ScreenModel {
            live_view: true,
            ..s(Screen::Scan, 3)
        },
        ScreenModel {
            live_view: true,
            scan_notice: Some(ScanNotice::RawChsiCode),
            ..s(Screen::Scan, 3)
        },
        ScreenModel {
            identity: Some(identity.clone()),
            shots_used: 1,
            ..s(Screen::Confirm, 4)
        },
        s(Screen::Lighting, 5),
        ScreenModel {
            idle_warning_secs: Some(12),
            ..s(Screen::Lighting, 5)
        },
        s(Screen::Rules, 6),
        ScreenModel {
            live_view: true,
            ..s(Screen::Chair, 7)
        },
        ScreenModel {
            live_view: true,
            shots_used: 0,
            ..s(Screen::Shoot, 8)
        },
        ScreenModel {
            live_view: true,
            shoot_stage: ShootStage::Countdown,
            countdown: 3,
            ..s(Screen::Shoot, 8)
        },
        ScreenModel {
            shoot_stage: ShootStage::Preview,
            shots_used: 1,
            can_go_back: false,
            ..s(Screen::Shoot, 8)
        },
        ScreenModel {
            review_stage: ReviewStage::Waiting,
            review_progress: 0.4,
            can_go_back: false,
            ..s(Screen::Review, 9)
        },
        ScreenModel {
            review_stage: ReviewStage::Failed,
            shots_used: 1,
            reasons: vec![ReasonView {
                zh: "背景颜色不符合要求".into(),
                en: "The background must be an even light blue".into(),
            }],
            can_go_back: false,
            ..s(Screen::Review, 9)
        },
        ScreenModel {
            pay_stage: PayStage::Showing,
            pay_qr: Some("weixin://wxpay/bizpayurl?pr=SIMord-2".into()),
            amount_fen: 2000,
            time_left_secs: Some(287),
            can_go_back: false,
            can_cancel: true,
            ..s(Screen::Pay, 10)
        },
        ScreenModel {
            screen: Screen::Done,
            ..base.clone()
        },
        ScreenModel {
            screen: Screen::OutOfService,
            fault_reference: Some("demo-kiosk/camera-disconnected".into()),
            ..base.clone()
        },
    ]
}

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
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(frame)
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
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
                screen_key(&m),
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
