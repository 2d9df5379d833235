//! The pure mappings: the screen model's enums to Slint's, Slint's actions to intents, the
//! screen's key, the preview's check lines, money and clocks as text.

use super::*;

/// The intent a Slint action stands for.
pub fn map_action(action: Action) -> Intent {
    match action {
        Action::Start => Intent::Start,
        Action::ChooseGraduatePhoto => Intent::ChooseGraduatePhoto,
        Action::PrepareShoot => Intent::PrepareShoot,
        Action::ConfirmIdentity => Intent::ConfirmIdentity,
        Action::GlassesYes => Intent::ChooseGlasses(true),
        Action::GlassesNo => Intent::ChooseGlasses(false),
        Action::AcceptRules => Intent::AcceptRules,
        Action::ChairReady => Intent::ChairReady,
        Action::TakePhoto => Intent::TakePhoto,
        Action::Retake => Intent::Retake,
        Action::UsePhoto => Intent::UsePhoto,
        Action::RetryPayment => Intent::RetryPayment,
        Action::Back => Intent::Back,
        Action::Cancel => Intent::Cancel,
        Action::StillHere => Intent::StillHere,
        Action::Finish => Intent::Finish,
        Action::LangZh => Intent::SetLanguage(Lang::Zh),
        Action::LangEn => Intent::SetLanguage(Lang::En),
        Action::RetryDevices => Intent::RetryDevices,
        Action::MaintenanceGesture => Intent::MaintenanceGesture,
        Action::MaintenanceRefresh => Intent::Maintenance(MaintenanceCommand::Refresh),
        Action::MaintenanceTestShot => Intent::Maintenance(MaintenanceCommand::TestShot),
        Action::MaintenanceLightsIdle => Intent::Maintenance(MaintenanceCommand::LightsIdle),
        Action::MaintenanceLightsStandard => {
            Intent::Maintenance(MaintenanceCommand::LightsStandard)
        }
        Action::MaintenanceLightsGlasses => Intent::Maintenance(MaintenanceCommand::LightsGlasses),
        Action::MaintenanceLightsOff => Intent::Maintenance(MaintenanceCommand::LightsOff),
        Action::MaintenanceChairUp => Intent::Maintenance(MaintenanceCommand::ChairUp),
        Action::MaintenanceChairDown => Intent::Maintenance(MaintenanceCommand::ChairDown),
        Action::MaintenanceChairStop => Intent::Maintenance(MaintenanceCommand::ChairStop),
        Action::MaintenanceExit => Intent::Maintenance(MaintenanceCommand::Exit),
    }
}

pub(super) fn map_screen(s: model::Screen) -> Screen {
    use model::Screen as M;
    match s {
        M::Attract => Screen::Attract,
        M::PhotoType => Screen::PhotoType,
        M::Prepare => Screen::Prepare,
        M::Scan => Screen::Scan,
        M::Confirm => Screen::Confirm,
        M::Lighting => Screen::Lighting,
        M::Rules => Screen::Rules,
        M::Chair => Screen::Chair,
        M::Shoot => Screen::Shoot,
        M::Review => Screen::Review,
        M::Pay => Screen::Pay,
        M::Done => Screen::Done,
        M::OutOfService => Screen::OutOfService,
        M::MaintenancePin => Screen::MaintenancePin,
        M::Maintenance => Screen::Maintenance,
    }
}

pub(super) fn map_notice(n: Option<model::ScanNotice>) -> ScanNotice {
    use model::ScanNotice as M;
    match n {
        None => ScanNotice::None,
        Some(M::Checking) => ScanNotice::Checking,
        Some(M::RawChsiCode) => ScanNotice::RawChsiCode,
        Some(M::ForeignCode) => ScanNotice::ForeignCode,
        Some(M::SeveralCodes) => ScanNotice::SeveralCodes,
        Some(M::UnknownCode) => ScanNotice::UnknownCode,
        Some(M::ExpiredCode) => ScanNotice::ExpiredCode,
        Some(M::NoShotsLeft) => ScanNotice::NoShotsLeft,
        Some(M::ServiceUnavailable) => ScanNotice::ServiceUnavailable,
    }
}

pub(super) fn map_seat(h: Option<model::SeatHint>) -> SeatHint {
    match h {
        None => SeatHint::Unknown,
        Some(model::SeatHint::NoFace) => SeatHint::NoFace,
        Some(model::SeatHint::Raise) => SeatHint::Raise,
        Some(model::SeatHint::Lower) => SeatHint::Lower,
        Some(model::SeatHint::Good) => SeatHint::Good,
    }
}

pub(super) fn map_shoot(s: model::ShootStage) -> ShootStage {
    use model::ShootStage as M;
    match s {
        M::Ready => ShootStage::Ready,
        M::Countdown => ShootStage::Countdown,
        M::Capturing => ShootStage::Capturing,
        M::Preview => ShootStage::Preview,
        M::Failed => ShootStage::Failed,
    }
}

pub(super) fn map_review(s: model::ReviewStage) -> ReviewStage {
    match s {
        model::ReviewStage::Uploading => ReviewStage::Uploading,
        model::ReviewStage::Waiting => ReviewStage::Waiting,
        model::ReviewStage::Failed => ReviewStage::Failed,
        model::ReviewStage::Refused => ReviewStage::Refused,
        model::ReviewStage::Unreachable => ReviewStage::Unreachable,
    }
}

pub(super) fn map_pay(s: model::PayStage) -> PayStage {
    match s {
        model::PayStage::Creating => PayStage::Creating,
        model::PayStage::Showing => PayStage::Showing,
        model::PayStage::Expired => PayStage::Expired,
        model::PayStage::Failed => PayStage::Failed,
    }
}

/// "m:ss" for a number of seconds (digits only; the words around it are translated in Slint).
pub(super) fn clock(secs: u32) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// The key the maintenance screen picks a hint's words by (the enum's serde name).
pub(super) fn hint_key(hint: kiosk_core::diagnostics::Hint) -> &'static str {
    hint.key()
}

/// The preview's lines: broken checks with what to do, then those not measured, then one line
/// for the checks that passed: naming each when nothing else is listed (fourteen full lines
/// would not fit beside the photo), counting them when something failed or went unmeasured,
/// so what to fix keeps the room and "use anyway" stays above the footer.
pub(super) fn photo_checks(lines: &[model::CheckLine]) -> Vec<PhotoCheck> {
    let text = |zh: &str, en: &str| PhotoCheck {
        kind: 0,
        zh: SharedString::from(zh),
        en: SharedString::from(en),
    };
    let mut out: Vec<PhotoCheck> = Vec::new();
    for (want, kind) in [(Some(false), 2), (None, 3)] {
        out.extend(lines.iter().filter(|l| l.pass == want).map(|l| PhotoCheck {
            kind,
            ..text(&l.zh, &l.en)
        }));
    }
    let passed: Vec<&model::CheckLine> = lines.iter().filter(|l| l.pass == Some(true)).collect();
    if !passed.is_empty() && !out.is_empty() {
        let n = passed.len();
        out.push(PhotoCheck {
            kind: 1,
            ..text(
                &format!("其余 {n} 项检查均已通过"),
                &format!("The other {n} checks passed"),
            )
        });
    } else if !passed.is_empty() {
        let zh: Vec<&str> = passed.iter().map(|l| l.zh.as_str()).collect();
        // Each English name wraps whole (its spaces no-break), so no line ends in a scrap
        // of one ("… Hair clear of the / eyes"); semicolons between them, as a name may hold
        // a comma ("Mouth closed, no teeth").
        let en: Vec<String> = passed.iter().map(|l| l.en.replace(' ', "\u{a0}")).collect();
        out.push(PhotoCheck {
            kind: 1,
            ..text(&zh.join("、"), &en.join("; "))
        });
    }
    out
}

/// An amount in fen as yuan with two decimals ("20.00"), as WeChat Pay shows it.
pub(super) fn yuan(fen: u32) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}
