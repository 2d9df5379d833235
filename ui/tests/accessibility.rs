//! Every button of every screen is found by its accessible label and, pressed through the
//! accessibility action, sends the intent it promises. Uses Slint's testing backend.

use std::cell::RefCell;
use std::rc::Rc;

use i_slint_backend_testing::{AccessibleRole, ElementHandle};
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

#[test]
fn every_button_is_found_by_its_label_and_sends_its_intent() {
    i_slint_backend_testing::init_no_event_loop();
    let ui = Ui::new().unwrap();
    ui.show(false).unwrap();
    let got: Rc<RefCell<Vec<Intent>>> = Rc::default();
    let sink = got.clone();
    ui.connect(move |i| sink.borrow_mut().push(i));

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
        (preview.clone(), "重拍（还剩 2 次）", Intent::Retake),
        (
            ScreenModel {
                can_cancel: true,
                ..preview.clone()
            },
            "退出拍照",
            Intent::Cancel,
        ),
        (
            ScreenModel {
                review_stage: ReviewStage::Failed,
                shots_used: 1,
                can_go_back: false,
                ..screen(Screen::Review)
            },
            "重拍（还剩 2 次）",
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
            "重新检测设备",
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
    ];
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
