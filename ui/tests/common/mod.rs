//! Shared by the UI tests: screen models (one per screen and stage worth drawing) and JPEG
//! frames. Each test binary uses what it needs of this module.

use kiosk_core::diagnostics::{Check, FaultKind, Hint, Part};
use kiosk_ui::model::*;

#[allow(dead_code)]
pub fn models() -> Vec<ScreenModel> {
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
                en: "The background is not an even light blue; please retake".into(),
            }],
            can_go_back: false,
            ..s(Screen::Review, 9)
        },
        ScreenModel {
            review_stage: ReviewStage::Refused,
            shots_used: 1,
            can_go_back: false,
            can_cancel: true,
            ..s(Screen::Review, 9)
        },
        ScreenModel {
            review_stage: ReviewStage::Unreachable,
            shots_used: 1,
            can_go_back: false,
            can_cancel: true,
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
        // The states the walkthrough's one session does not pass through.
        ScreenModel {
            live_view: true,
            scan_notice: Some(ScanNotice::NoShotsLeft),
            ..s(Screen::Scan, 3)
        },
        ScreenModel {
            live_view: true,
            scan_notice: Some(ScanNotice::ForeignCode),
            ..s(Screen::Scan, 3)
        },
        ScreenModel {
            live_view: true,
            scan_notice: Some(ScanNotice::SeveralCodes),
            ..s(Screen::Scan, 3)
        },
        ScreenModel {
            live_view: true,
            glasses: Some(false),
            shots_used: 1,
            ..s(Screen::Shoot, 8)
        },
        ScreenModel {
            live_view: true,
            glasses: Some(false),
            shoot_stage: ShootStage::Countdown,
            countdown: 2,
            ..s(Screen::Shoot, 8)
        },
        ScreenModel {
            live_view: true,
            shoot_stage: ShootStage::Failed,
            shots_used: 2,
            ..s(Screen::Shoot, 8)
        },
        ScreenModel {
            shoot_stage: ShootStage::Preview,
            shots_used: 3,
            photo_flagged: true,
            can_go_back: false,
            ..s(Screen::Shoot, 8)
        },
        ScreenModel {
            review_stage: ReviewStage::Failed,
            shots_used: 3,
            reasons: vec![
                ReasonView {
                    zh: "背景颜色不符合要求".into(),
                    en: "The background is not an even light blue; please retake".into(),
                },
                ReasonView {
                    zh: "头发遮挡眉毛".into(),
                    en: "Hair covers the eyebrows".into(),
                },
            ],
            can_go_back: false,
            ..s(Screen::Review, 9)
        },
        ScreenModel {
            review_stage: ReviewStage::Waiting,
            review_progress: 0.8,
            upload_retries: 2,
            can_go_back: false,
            ..s(Screen::Review, 9)
        },
        ScreenModel {
            pay_stage: PayStage::Expired,
            can_go_back: false,
            can_cancel: true,
            ..s(Screen::Pay, 10)
        },
        ScreenModel {
            pay_stage: PayStage::Failed,
            can_go_back: false,
            can_cancel: true,
            ..s(Screen::Pay, 10)
        },
        ScreenModel {
            screen: Screen::Done,
            done_kind: DoneKind::ReviewPending,
            ..base.clone()
        },
        ScreenModel {
            screen: Screen::OutOfService,
            fault_reference: Some("demo-kiosk · camera-disconnected · 06:41 UTC".into()),
            ..base.clone()
        },
        ScreenModel {
            screen: Screen::MaintenancePin,
            pin_attempts: 3,
            pin_failures: 1,
            ..base.clone()
        },
        ScreenModel {
            screen: Screen::MaintenancePin,
            pin_attempts: 3,
            pin_locked_secs: 61,
            ..base.clone()
        },
        ScreenModel {
            screen: Screen::Maintenance,
            maintenance: Some(MaintenanceView {
                checks: vec![
                    Check::passed(Part::Camera, "Canon EOS 2000D · usb:001,004 · AC"),
                    Check::passed(Part::Lights, "background 300 · fill 150 · hair 0 · key 150"),
                    Check::failed(
                        Part::Chair,
                        "chair: no reply from slave 2 within 200 ms",
                        FaultKind::NoReply,
                        Hint::SerialWiring,
                    ),
                    Check::passed(Part::Service, "48 ms"),
                    Check::passed(Part::Disk, "76.3 GiB / 252.0 GiB · /var/lib/photo-kiosk"),
                ],
                log_lines: (0..10)
                    .map(|i| format!("08:41:{i:02} INFO  session started"))
                    .collect(),
                test_shot: Some("6000×4000 · 3.1 MB · 640 ms → 480×640 · 910 ms".into()),
                busy: false,
            }),
            maintenance_lights: Some("standard".into()),
            ..base.clone()
        },
    ]
}

/// A live-view frame or photo as the camera sends it: JPEG.
#[allow(dead_code)]
pub fn jpeg(img: image::RgbImage) -> Vec<u8> {
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    jpeg
}
