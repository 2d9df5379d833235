//! Every button of every screen is found by its accessible label and, pressed through the
//! accessibility action, sends the intent it promises. Uses Slint's testing backend.

use std::cell::RefCell;
use std::rc::Rc;

use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use kiosk_core::diagnostics::{Check, FaultKind, Hint, Part};
use kiosk_ui::Ui;
use kiosk_ui::model::*;

fn screen(screen: Screen) -> ScreenModel {
    ScreenModel {
        screen,
        step: Some((1, 10)),
        shots_max: 3,
        can_go_back: true,
        ..ScreenModel::default()
    }
}

/// Buttons with this label (a button's text element carries the same label).
fn buttons(ui: &Ui, label: &str) -> Vec<ElementHandle> {
    ElementHandle::find_by_accessible_label(ui.window(), label)
        .filter(|e| e.accessible_role() == Some(AccessibleRole::Button))
        .collect()
}

/// A window on the testing backend, and the intents its touches send.
fn ui_sending_intents() -> (Ui, Rc<RefCell<Vec<Intent>>>) {
    i_slint_backend_testing::init_no_event_loop();
    let ui = Ui::new().unwrap();
    ui.show(false).unwrap();
    let got: Rc<RefCell<Vec<Intent>>> = Rc::default();
    let sink = got.clone();
    ui.connect(move |i| sink.borrow_mut().push(i));
    (ui, got)
}

#[test]
fn every_button_is_found_by_its_label_and_sends_its_intent() {
    let (ui, got) = ui_sending_intents();

    let preview = ScreenModel {
        shoot_stage: ShootStage::Preview,
        shots_used: 1,
        can_go_back: false,
        ..screen(Screen::Shoot)
    };
    let cases: Vec<(ScreenModel, &str, Intent)> = vec![
        (ScreenModel::default(), "开始拍照", Intent::Start),
        (
            ScreenModel::default(),
            "切换语言",
            Intent::SetLanguage(Lang::En),
        ),
        (
            ScreenModel {
                lang: Lang::En,
                ..ScreenModel::default()
            },
            "Start",
            Intent::Start,
        ),
        (
            ScreenModel {
                lang: Lang::En,
                ..ScreenModel::default()
            },
            "Switch language",
            Intent::SetLanguage(Lang::Zh),
        ),
        (
            screen(Screen::PhotoType),
            "高等院校毕业生照",
            Intent::ChooseGraduatePhoto,
        ),
        (screen(Screen::PhotoType), "← 返回", Intent::Back),
        (screen(Screen::Prepare), "准备拍摄", Intent::PrepareShoot),
        (screen(Screen::Confirm), "确认无误", Intent::ConfirmIdentity),
        (
            screen(Screen::Lighting),
            "不戴眼镜（推荐）",
            Intent::ChooseGlasses(false),
        ),
        (
            screen(Screen::Lighting),
            "戴眼镜",
            Intent::ChooseGlasses(true),
        ),
        (screen(Screen::Rules), "我已了解，继续", Intent::AcceptRules),
        (screen(Screen::Chair), "坐好了，去拍照", Intent::ChairReady),
        (screen(Screen::Shoot), "开始拍摄", Intent::TakePhoto),
        (
            ScreenModel {
                shoot_stage: ShootStage::Failed,
                ..screen(Screen::Shoot)
            },
            "再拍一次",
            Intent::TakePhoto,
        ),
        (preview.clone(), "使用这张照片", Intent::UsePhoto),
        (preview.clone(), "重拍（还可拍 2 次）", Intent::Retake),
        (
            ScreenModel {
                review_stage: ReviewStage::Failed,
                shots_used: 1,
                can_go_back: false,
                ..screen(Screen::Review)
            },
            "重拍（还可拍 2 次）",
            Intent::Retake,
        ),
        (
            ScreenModel {
                review_stage: ReviewStage::Failed,
                shots_used: 3,
                can_go_back: false,
                ..screen(Screen::Review)
            },
            "结束",
            Intent::Finish,
        ),
        (
            ScreenModel {
                pay_stage: PayStage::Expired,
                can_go_back: false,
                can_cancel: true,
                ..screen(Screen::Pay)
            },
            "重新生成付款码",
            Intent::RetryPayment,
        ),
        (
            ScreenModel {
                screen: Screen::Done,
                ..ScreenModel::default()
            },
            "完成",
            Intent::Finish,
        ),
        (
            ScreenModel {
                screen: Screen::OutOfService,
                ..ScreenModel::default()
            },
            "再试一次",
            Intent::RetryDevices,
        ),
        (
            ScreenModel {
                idle_warning_secs: Some(9),
                ..screen(Screen::Lighting)
            },
            "我还在",
            Intent::StillHere,
        ),
        // The technician's hidden corner, on the start and out-of-maintenance screens.
        (
            ScreenModel::default(),
            "维护模式入口",
            Intent::MaintenanceGesture,
        ),
        (
            ScreenModel {
                screen: Screen::OutOfService,
                ..ScreenModel::default()
            },
            "维护模式入口",
            Intent::MaintenanceGesture,
        ),
        (
            ScreenModel {
                screen: Screen::MaintenancePin,
                ..ScreenModel::default()
            },
            "取消",
            Intent::Cancel,
        ),
    ];
    let service = ScreenModel {
        screen: Screen::Maintenance,
        maintenance: Some(MaintenanceView::default()),
        ..ScreenModel::default()
    };
    let mut cases = cases;
    for (label, command) in [
        ("拍测试照", MaintenanceCommand::TestShot),
        ("待机", MaintenanceCommand::LightsIdle),
        ("标准", MaintenanceCommand::LightsStandard),
        ("戴眼镜", MaintenanceCommand::LightsGlasses),
        ("关闭", MaintenanceCommand::LightsOff),
        ("升高", MaintenanceCommand::ChairUp),
        ("停止", MaintenanceCommand::ChairStop),
        ("降低", MaintenanceCommand::ChairDown),
        ("重新检查", MaintenanceCommand::Refresh),
        ("退出维护模式", MaintenanceCommand::Exit),
    ] {
        cases.push((service.clone(), label, Intent::Maintenance(command)));
    }
    for (model, label, intent) in cases {
        ui.render(&model);
        got.borrow_mut().clear();
        let found = buttons(&ui, label);
        assert_eq!(
            found.len(),
            1,
            "{:?}: {label:?} found {} times",
            model.screen,
            found.len()
        );
        found[0].invoke_accessible_default_action();
        assert_eq!(
            got.borrow().as_slice(),
            &[intent],
            "{:?}: {label:?}",
            model.screen
        );
    }

    // With no shots left the retake button says so and does nothing.
    ui.render(&ScreenModel {
        shots_used: 3,
        ..preview
    });
    got.borrow_mut().clear();
    let button = buttons(&ui, "没有剩余次数").pop().expect("disabled retake");
    assert_eq!(button.accessible_enabled(), Some(false));
    button.invoke_accessible_default_action();
    assert!(got.borrow().is_empty());
}

/// "退出拍照" where leaving costs something (a photo taken and not used, an approved photo not
/// paid) asks first and says what it costs; where it costs nothing it leaves at once.
#[test]
fn a_costly_exit_asks_first_and_says_what_it_costs() {
    let (ui, got) = ui_sending_intents();
    let press = |label: &str| {
        let found = buttons(&ui, label);
        assert_eq!(found.len(), 1, "{label:?} found {} times", found.len());
        found[0].invoke_accessible_default_action();
    };
    let said = |text: &str| ElementHandle::find_by_accessible_label(ui.window(), text).count() > 0;

    let preview = ScreenModel {
        screen: Screen::Shoot,
        shoot_stage: ShootStage::Preview,
        shots_used: 1,
        can_cancel: true,
        ..ScreenModel::default()
    };
    let pay = ScreenModel {
        screen: Screen::Pay,
        pay_stage: PayStage::Showing,
        pay_qr: Some("weixin://wxpay/bizpayurl?pr=abc".into()),
        can_cancel: true,
        ..ScreenModel::default()
    };
    for (model, stay, cost) in [
        (&preview, "返回照片", "这次拍摄已计入次数"),
        (&pay, "继续付款", "本次订单取消"),
    ] {
        ui.render(model);
        got.borrow_mut().clear();
        press("退出拍照");
        assert!(
            got.borrow().is_empty(),
            "{:?}: left without asking",
            model.screen
        );
        assert!(ui.exit_dialog_open());
        assert!(ElementHandle::find_by_accessible_label(ui.window(), "确定退出拍照？").count() > 0);
        let texts: Vec<String> = ElementHandle::query_descendants(
            &ElementHandle::find_by_accessible_label(ui.window(), "确定退出拍照？")
                .next()
                .unwrap(),
        )
        .find_all()
        .iter()
        .filter_map(|e| e.accessible_label().map(|l| l.to_string()))
        .collect();
        assert!(
            texts.iter().any(|t| t.contains(cost)),
            "{:?}: the dialog does not say {cost:?}: {texts:?}",
            model.screen
        );
        press(stay);
        assert!(got.borrow().is_empty() && !ui.exit_dialog_open());
        press("退出拍照");
        press("确认退出");
        assert_eq!(got.borrow().as_slice(), &[Intent::Cancel]);
        assert!(!ui.exit_dialog_open());
    }

    // A dialog left open does not survive the screen changing under it (payment came in).
    ui.render(&pay);
    press("退出拍照");
    assert!(ui.exit_dialog_open());
    ui.render(&ScreenModel {
        screen: Screen::Done,
        ..ScreenModel::default()
    });
    ui.render(&pay);
    assert!(!ui.exit_dialog_open() && !said("确认退出"));

    // A failed review with shots left costs nothing to leave: the shots stay on the code.
    ui.render(&ScreenModel {
        screen: Screen::Review,
        review_stage: ReviewStage::Failed,
        shots_used: 1,
        shots_max: 3,
        can_cancel: true,
        ..ScreenModel::default()
    });
    got.borrow_mut().clear();
    press("退出拍照");
    assert_eq!(got.borrow().as_slice(), &[Intent::Cancel]);
}

/// The PIN keypad: digits found by their labels, shown only as dots, sent (not as an intent)
/// on OK; the wrong-PIN count reaches the screen.
#[test]
fn the_pin_keypad_sends_the_typed_pin_and_shows_failures() {
    i_slint_backend_testing::init_no_event_loop();
    let ui = Ui::new().unwrap();
    ui.show(false).unwrap();
    let intents: Rc<RefCell<Vec<Intent>>> = Rc::default();
    let pins: Rc<RefCell<Vec<String>>> = Rc::default();
    let (i2, p2) = (intents.clone(), pins.clone());
    ui.connect(move |i| i2.borrow_mut().push(i));
    ui.connect_pin(move |p| p2.borrow_mut().push(p));
    ui.render(&ScreenModel {
        screen: Screen::MaintenancePin,
        pin_attempts: 3,
        ..ScreenModel::default()
    });

    let ok = buttons(&ui, "确定").pop().expect("OK key");
    assert_eq!(ok.accessible_enabled(), Some(false), "needs 4 digits first");
    for d in ["2", "4", "6", "8"] {
        let key = buttons(&ui, d);
        assert_eq!(key.len(), 1, "digit {d}");
        key[0].invoke_accessible_default_action();
    }
    let typed = ElementHandle::find_by_accessible_label(ui.window(), "已输入 4 位").count();
    assert_eq!(typed, 1, "four dots filled");
    assert_eq!(
        ElementHandle::find_by_accessible_label(ui.window(), "2468").count(),
        0,
        "the PIN itself is never drawn"
    );
    assert_eq!(ok.accessible_enabled(), Some(true));
    ok.invoke_accessible_default_action();
    assert_eq!(pins.borrow().as_slice(), ["2468".to_owned()]);
    assert!(intents.borrow().is_empty(), "the PIN is not an intent");
    // Cleared after OK: "0" then OK again is too short.
    buttons(&ui, "0")[0].invoke_accessible_default_action();
    assert_eq!(ok.accessible_enabled(), Some(false));
    buttons(&ui, "清除")[0].invoke_accessible_default_action();
    assert_eq!(
        ElementHandle::find_by_accessible_label(ui.window(), "已输入 0 位").count(),
        1
    );

    ui.render(&ScreenModel {
        screen: Screen::MaintenancePin,
        pin_failures: 1,
        pin_attempts: 3,
        ..ScreenModel::default()
    });
    assert_eq!(
        ElementHandle::find_by_accessible_label(ui.window(), "密码错误，还可尝试 2 次").count(),
        1
    );
}

/// The diagnostics the runtime gathered reach the maintenance screen.
#[test]
fn the_service_screen_shows_the_checks_and_the_log() {
    i_slint_backend_testing::init_no_event_loop();
    let ui = Ui::new().unwrap();
    ui.show(false).unwrap();
    ui.render(&ScreenModel {
        screen: Screen::Maintenance,
        maintenance: Some(MaintenanceView {
            checks: vec![
                Check::passed(Part::Camera, "Simulated EOS"),
                Check::failed(
                    Part::Chair,
                    "no reply from slave 2",
                    FaultKind::NoReply,
                    Hint::SerialWiring,
                ),
            ],
            log_lines: vec!["08:41:07 INFO  session started".into()],
            test_shot: Some("6000×4000 JPEG, 3.1 MB".into()),
            busy: false,
        }),
        maintenance_lights: Some("glasses".into()),
        ..ScreenModel::default()
    });
    let label = |l: &str| ElementHandle::find_by_accessible_label(ui.window(), l).count();
    assert_eq!(label("camera: ok, Simulated EOS"), 1);
    assert_eq!(label("chair: fault, no reply from slave 2"), 1);
    let shot: Vec<_> = ElementHandle::find_by_accessible_label(ui.window(), "测试照结果").collect();
    assert_eq!(shot.len(), 1);
    assert_eq!(
        shot[0].accessible_value().map(|v| v.to_string()).as_deref(),
        Some("测试照：6000×4000 JPEG, 3.1 MB")
    );
    let log_texts =
        ElementHandle::find_by_accessible_label(ui.window(), "08:41:07 INFO  session started")
            .count();
    assert_eq!(log_texts, 1, "the log line is on screen");
}

/// The notice's facts come from the config: a booth elsewhere shows its own studio, deadline,
/// information office and price, in the language chosen; what is kept is said; the reference
/// shows.
#[test]
fn the_notice_facts_on_screen_are_the_configs() {
    i_slint_backend_testing::init_no_event_loop();
    let ui = Ui::new().unwrap();
    ui.show(false).unwrap();
    let words = |zh: &str, en: &str| Words {
        zh: zh.into(),
        en: en.into(),
    };
    ui.set_notice(&Notice {
        studio: words("东方照相馆", "Dongfang Studio"),
        studio_address: words("北京市海淀区某路 1 号", "1 Some Rd, Haidian, Beijing"),
        studio_hours: words("每天 8:00–18:00", "daily 8:00–18:00"),
        deadline: words("7 月 10 日", "10 July"),
        info_office: words("教务处", "the registry"),
        info_phone: "010-12345678".into(),
        price_fen: 3_550,
    });
    let texts = |ui: &Ui| -> Vec<String> {
        i_slint_backend_testing::ElementQuery::from_root(ui.window())
            .match_inherits("Text")
            .find_all()
            .iter()
            .filter_map(|e| e.accessible_label().map(|l| l.to_string()))
            .collect()
    };
    let has = |all: &[String], part: &str| all.iter().any(|t| t.contains(part));
    let out = ScreenModel {
        screen: Screen::OutOfService,
        fault_reference: Some("booth-7 · camera-disconnected · 06:41 UTC".into()),
        ..ScreenModel::default()
    };
    ui.render(&out);
    let zh = texts(&ui);
    assert!(has(&zh, "请在 7 月 10 日前到东方照相馆拍摄"), "{zh:?}");
    assert!(
        has(&zh, "北京市海淀区某路 1 号\n开放时间：每天 8:00–18:00"),
        "{zh:?}"
    );
    assert!(has(&zh, "已付款的照片都已保存"), "{zh:?}");
    assert!(
        has(&zh, "booth-7 · camera-disconnected · 06:41 UTC"),
        "{zh:?}"
    );
    assert!(!has(&zh, "新华图片社"), "{zh:?}");
    ui.render(&ScreenModel {
        lang: Lang::En,
        ..out
    });
    let en = texts(&ui);
    assert!(has(&en, "at Dongfang Studio by 10 July"), "{en:?}");
    ui.render(&ScreenModel {
        identity: Some(IdentityView::default()),
        ..screen(Screen::Confirm)
    });
    let confirm = texts(&ui);
    assert!(
        has(&confirm, "联系教务处（电话：010-12345678）"),
        "{confirm:?}"
    );
    // The price, before anything begins: on the start screen and the prepare screen.
    ui.render(&screen(Screen::Attract));
    let attract = texts(&ui);
    assert!(
        has(&attract, "费用 ¥35.50，审核通过后微信扫码支付"),
        "{attract:?}"
    );
    ui.render(&ScreenModel {
        lang: Lang::En,
        ..screen(Screen::Prepare)
    });
    let prepare = texts(&ui);
    assert!(has(&prepare, "you pay ¥35.50 with WeChat"), "{prepare:?}");
}
